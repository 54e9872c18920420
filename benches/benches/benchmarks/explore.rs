//! Exhaustive exploration: states explored per second, and what the reductions save.
//!
//! Group `explore`: the G-Counter (operation `Increment(1)`) and the OR-Set (`Add(1)`,
//! `Remove(1)`), both state-based, 3 replicas, depth 8, a calm network, the explorer's fast
//! checks, sleep sets on, symmetry and depth pruning off (both models declare their replicas interchangeable;
//! the reduction group measures it), one thread, capped at [`CAP`] states (depth 8 is far beyond what
//! fits in memory: sends pile up messages in flight); the coverage printed on stderr says
//! which depth was completed. Throughput counts distinct states, so criterion reports states
//! per second per core.
//!
//! With the `peers` feature, the group also runs Stateright (`stateright`, its breadth-first
//! checker, one thread) on the same G-Counter: the same global states (replica states, the
//! updates each has seen, the updates issued with what their origin had seen, and each
//! receiver's queue of messages in flight), the same actions (increment by 1, send a state to
//! another replica, deliver the first message queued for a replica), the same 8 steps and the
//! same checks (the value is the number of updates seen; replicas that have seen the same
//! updates agree), capped near the same number of states (Stateright checks its target count
//! now and then, so it stops elsewhere). Both models count the same states on the whole
//! space at depth 6 ([`peer::SAME_SPACE`], asserted before measuring), and both explore that
//! space too (`gcounter-3r-d6`): the side by side on identical work.
//!
//! Group `explore-reduction`: the same G-Counter at depth 6 (the whole space: no cap) with no
//! reduction, sleep sets, symmetry, both, depth pruning alone, and all three. Throughput counts the states of the unreduced run in every bench, so the
//! ratio of two throughputs is the speed-up; the state and transition counts of each variant,
//! and the reduction factors, are printed once on stderr.

use crdt_harness::explore::{Check, Explorer};
use crdt_impls::models::{GCounterModel, OrSetModel};
use crdt_impls::ops::{CounterOp, SetOp};
use criterion::{BenchmarkId, Criterion, Throughput};

use super::config;

const REPLICAS: u32 = 3;

/// The memory cap of the throughput benches, in states.
const CAP: u64 = 300_000;

fn throughput(c: &mut Criterion) {
    let counter = GCounterModel::default();
    let set = OrSetModel::default();
    let g = Explorer::state(&counter)
        .replicas(REPLICAS)
        .depth(8)
        .check(Check::Fast)
        .threads(1)
        .symmetric(false)
        .depth_pruning(false)
        .max_states(CAP)
        .alphabet(vec![CounterOp::Increment(1)]);
    let o = Explorer::state(&set)
        .replicas(REPLICAS)
        .depth(8)
        .check(Check::Fast)
        .threads(1)
        .symmetric(false)
        .depth_pruning(false)
        .max_states(CAP)
        .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)]);
    let mut group = c.benchmark_group("explore");
    group.sample_size(10);
    let first = g.explore().expect("the G-Counter explores");
    eprintln!("explore: {}", first.coverage);
    group.throughput(Throughput::Elements(first.coverage.states));
    group.bench_function(BenchmarkId::new("gcounter-3r-d8", "1-thread"), |b| {
        b.iter(|| {
            let e = g.explore().expect("the G-Counter explores");
            assert!(e.passed(), "{e}");
            e.coverage.states
        });
    });
    let first = o.explore().expect("the OR-Set explores");
    eprintln!("explore: {}", first.coverage);
    group.throughput(Throughput::Elements(first.coverage.states));
    group.bench_function(BenchmarkId::new("orset-3r-d8", "1-thread"), |b| {
        b.iter(|| {
            let e = o.explore().expect("the OR-Set explores");
            assert!(e.passed(), "{e}");
            e.coverage.states
        });
    });
    #[cfg(feature = "peers")]
    {
        let full = peer::unique_states(6, None);
        let same = Explorer::state(&counter)
            .replicas(REPLICAS)
            .depth(6)
            .check(Check::Fast)
            .threads(1)
            .symmetric(false)
            .depth_pruning(false)
            .alphabet(vec![CounterOp::Increment(1)]);
        let ours = same
            .explore()
            .expect("the G-Counter explores")
            .coverage
            .states;
        assert_eq!(
            (full, ours as usize),
            (peer::SAME_SPACE, peer::SAME_SPACE),
            "Stateright and the explorer must count the same states of the same model"
        );
        // The whole space at depth 6, the same states for both: the fair side by side.
        group.throughput(Throughput::Elements(peer::SAME_SPACE as u64));
        group.bench_function(BenchmarkId::new("gcounter-3r-d6", "1-thread"), |b| {
            b.iter(|| same.explore().expect("explores").coverage.states);
        });
        group.bench_function(
            BenchmarkId::new("gcounter-3r-d6", "stateright-1-thread"),
            |b| {
                b.iter(|| peer::unique_states(6, None));
            },
        );
        let states = peer::unique_states(8, Some(CAP as usize));
        eprintln!("explore: Stateright: {states} states (3 replicas, 8 steps, capped near {CAP})");
        group.throughput(Throughput::Elements(states as u64));
        group.bench_function(
            BenchmarkId::new("gcounter-3r-d8", "stateright-1-thread"),
            |b| {
                b.iter(|| peer::unique_states(8, Some(CAP as usize)));
            },
        );
    }
    group.finish();
}

/// Stateright exploring the explorer's G-Counter model.
#[cfg(feature = "peers")]
mod peer {
    use std::collections::VecDeque;

    use crdt_harness::crdt_laws::{ReplicaId, StateCrdt};
    use crdt_impls::GCounter;
    use crdt_impls::models::GCounterModel;
    use crdt_impls::ops::CounterOp;
    use stateright::{Checker, Model, Property};

    use super::REPLICAS;

    const N: usize = REPLICAS as usize;
    /// Bits per replica in an update set, as the explorer lays them out.
    const PER: usize = 128 / N;

    /// States of the whole space at depth 6, counted by both (no reduction).
    pub(super) const SAME_SPACE: usize = 36_154;

    /// A message in flight: sender, the updates it carries, the state.
    type Msg = (u8, u128, GCounter);

    #[derive(Clone, Debug, PartialEq, Eq, Hash)]
    struct Global {
        /// Per replica: its state and the updates it has seen.
        reps: [(GCounter, u128); N],
        /// Per replica, its updates in order: what it had seen when it issued each.
        updates: [Vec<u128>; N],
        /// Per receiver, its messages in the order they were sent.
        queues: [VecDeque<Msg>; N],
    }

    #[derive(Clone, Debug, PartialEq)]
    enum Action {
        Update(u8),
        Send(u8, u8),
        Deliver(u8),
    }

    struct Counters(GCounterModel);

    impl Model for Counters {
        type State = Global;
        type Action = Action;

        fn init_states(&self) -> Vec<Global> {
            use crdt_harness::crdt_laws::Model as _;
            let reps = std::array::from_fn(|r| (self.0.new_replica(ReplicaId::new(r as u32)), 0));
            vec![Global {
                reps,
                updates: Default::default(),
                queues: Default::default(),
            }]
        }

        fn actions(&self, g: &Global, actions: &mut Vec<Action>) {
            for r in 0..N {
                if g.updates[r].len() < PER {
                    actions.push(Action::Update(r as u8));
                }
            }
            for from in 0..N {
                for to in (0..N).filter(|&to| to != from) {
                    actions.push(Action::Send(from as u8, to as u8));
                }
            }
            for to in 0..N {
                if !g.queues[to].is_empty() {
                    actions.push(Action::Deliver(to as u8));
                }
            }
        }

        fn next_state(&self, g: &Global, action: Action) -> Option<Global> {
            let mut next = g.clone();
            match action {
                Action::Update(r) => {
                    let r = r as usize;
                    let bit = 1u128 << (r * PER + next.updates[r].len());
                    next.updates[r].push(next.reps[r].1);
                    next.reps[r].1 |= bit;
                    self.0.apply(
                        &mut next.reps[r].0,
                        ReplicaId::new(r as u32),
                        &CounterOp::Increment(1),
                    );
                }
                Action::Send(from, to) => {
                    let (state, seen) = &g.reps[from as usize];
                    next.queues[to as usize].push_back((from, *seen, state.clone()));
                }
                Action::Deliver(to) => {
                    let to = to as usize;
                    let (_, seen, state) = next.queues[to].pop_front()?;
                    self.0.merge(&mut next.reps[to].0, &state);
                    next.reps[to].1 |= seen;
                }
            }
            Some(next)
        }

        fn properties(&self) -> Vec<Property<Self>> {
            vec![
                Property::always("value is the updates seen", |_, g: &Global| {
                    g.reps
                        .iter()
                        .all(|(state, seen)| state.value() == u128::from(seen.count_ones()))
                }),
                Property::always("same updates, same value", |_, g: &Global| {
                    g.reps.iter().all(|(a, sa)| {
                        g.reps
                            .iter()
                            .all(|(b, sb)| sa != sb || a.value() == b.value())
                    })
                }),
            ]
        }
    }

    /// The distinct states Stateright's breadth-first checker visits within `steps` steps
    /// (one thread), optionally aiming at `cap` states.
    pub(super) fn unique_states(steps: usize, cap: Option<usize>) -> usize {
        let builder = Counters(GCounterModel::default())
            .checker()
            .threads(1)
            // Stateright counts the initial state at depth 1.
            .target_max_depth(steps + 1);
        let builder = match cap {
            Some(cap) => builder.target_state_count(cap),
            None => builder,
        };
        let checker = builder.spawn_bfs().join();
        checker.assert_properties();
        checker.unique_state_count()
    }
}

fn reduction(c: &mut Criterion) {
    let counter = GCounterModel::default();
    let explorer = |symmetric: bool, sleep: bool, prune: bool| {
        Explorer::state(&counter)
            .replicas(REPLICAS)
            .depth(6)
            .check(Check::Fast)
            .threads(1)
            .symmetric(symmetric)
            .sleep_sets(sleep)
            .depth_pruning(prune)
            .alphabet(vec![CounterOp::Increment(1)])
    };
    let variants = [
        ("none", false, false, false),
        ("sleep-sets", false, true, false),
        ("symmetry", true, false, false),
        ("symmetry+sleep-sets", true, true, false),
        ("depth-pruning", false, false, true),
        ("all", true, true, true),
    ];
    let plain = explorer(false, false, false)
        .explore()
        .expect("explores")
        .coverage;
    for (name, symmetric, sleep, prune) in variants {
        let cov = explorer(symmetric, sleep, prune)
            .explore()
            .expect("explores")
            .coverage;
        eprintln!(
            "explore-reduction {name}: {} states ({:.2}x fewer), {} transitions ({:.2}x fewer), \
             {} pruned by symmetry, {} by independence, {} by depth",
            cov.states,
            plain.states as f64 / cov.states as f64,
            cov.transitions,
            plain.transitions as f64 / cov.transitions as f64,
            cov.pruned_by_symmetry,
            cov.pruned_by_independence,
            cov.pruned_by_depth
        );
    }
    let mut group = c.benchmark_group("explore-reduction");
    group.sample_size(10);
    group.throughput(Throughput::Elements(plain.states));
    for (name, symmetric, sleep, prune) in variants {
        let e = explorer(symmetric, sleep, prune);
        group.bench_function(BenchmarkId::new("gcounter-3r-d6", name), |b| {
            b.iter(|| e.explore().expect("explores").coverage.states);
        });
    }
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = throughput, reduction
}
