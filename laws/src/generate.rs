//! Generators of reachable states.
//!
//! Laws must only ever see states that a real execution can produce, and states that can meet:
//! two states from two independent executions could both own the tag `(A, 1)` and merge into
//! nonsense. So the framework never builds states by hand. A *case* is a small script: a number
//! of replicas and a list of steps (updates from the model's own strategy, merges of current
//! states, merges of earlier states that were delayed in the network) together with a *pick*
//! that chooses which of the states seen along the way a law receives. Running the case gives an
//! [`Execution`]: every state every replica passed through, the updates issued and what each
//! replica had seen.
//!
//! Picks are biased so that the premises of conditional laws hold often:
//! [`Pick::Chain`] takes states from one replica's timeline in order (so `a ≤ b ≤ c` for a
//! correct CRDT), [`Pick::SameHistory`] takes states that saw exactly the same updates (so
//! `a ≤ b ∧ b ≤ a`), and [`Pick::UpperBound`] takes a third state that has seen everything the
//! first two saw (so `a ≤ z ∧ b ≤ z`).
//!
//! Cases are proptest values: when a law fails, proptest shrinks the script (fewer steps,
//! simpler operations, earlier picks) and the counterexample is a short story.
//!
//! ```
//! use crdt_laws::generate::{state_cases, PickWeights, Size};
//! use crdt_laws::toys::MaxRegister;
//! use crdt_laws::proptest::strategy::{Strategy, ValueTree};
//! use crdt_laws::proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! let case = state_cases(&MaxRegister, Size::default(), PickWeights::CHAIN)
//!     .new_tree(&mut runner)
//!     .unwrap()
//!     .current();
//! let execution = case.run(&MaxRegister);
//! let [a, b, c] = case.resolve(&execution);
//! // States picked along one replica's timeline only grow.
//! let (a, b, c) = (&execution.samples[a], &execution.samples[b], &execution.samples[c]);
//! assert!(a.state <= b.state && b.state <= c.state);
//! ```

use std::fmt::{self, Debug};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Just, Union};

use crate::model::{Delivery, Dot, History, Model, OpCrdt, ReplicaId, StateCrdt};

/// A set of update (or message) indices: what a state has seen.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Seen(Vec<u64>);

impl Seen {
    /// Adds index `i`.
    pub fn insert(&mut self, i: usize) {
        let (word, bit) = (i / 64, i % 64);
        if self.0.len() <= word {
            self.0.resize(word + 1, 0);
        }
        self.0[word] |= 1 << bit;
    }

    /// True when index `i` is in the set.
    #[must_use]
    pub fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Adds every index of `other`.
    pub fn union_with(&mut self, other: &Seen) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (w, o) in self.0.iter_mut().zip(&other.0) {
            *w |= o;
        }
    }

    /// True when every index of `self` is in `other`.
    #[must_use]
    pub fn is_subset(&self, other: &Seen) -> bool {
        self.0
            .iter()
            .enumerate()
            .all(|(i, w)| w & !other.0.get(i).copied().unwrap_or(0) == 0)
    }

    /// The indices, in increasing order.
    ///
    /// ```
    /// use crdt_laws::generate::Seen;
    /// let mut seen = Seen::default();
    /// for i in [70, 3, 64, 0, 3] {
    ///     seen.insert(i);
    /// }
    /// assert_eq!(seen.iter().collect::<Vec<_>>(), [0, 3, 64, 70]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &w)| bits(i, w))
    }

    /// The number of indices.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True when the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }
}

/// The indices of word `i`'s set bits, lowest first.
fn bits(i: usize, word: u64) -> impl Iterator<Item = usize> {
    let mut rest = word;
    std::iter::from_fn(move || {
        (rest != 0).then(|| {
            let b = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            i * 64 + b
        })
    })
}

impl Debug for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The most replicas in a generated execution by default, as in the harness's schedules.
pub const DEFAULT_MAX_REPLICAS: u32 = 8;

/// Replica counts from 2 to `max` (2 when `max` is smaller), biased small.
///
/// With `max` 8, half the draws are 2 or 3 replicas (dense executions, where every replica is
/// busy) and one in three is 5 or more: the tail reaches the mistakes that need many replicas,
/// such as a counter with four slots that loses a fifth replica's increments. The harness draws
/// the replica count of its schedules from the same distribution (swarm testing: Groce et al.,
/// "Swarm testing", ISSTA 2012). Shrinks towards fewer replicas.
///
/// ```
/// use crdt_laws::generate::replica_counts;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let mut runner = TestRunner::deterministic();
/// let counts: Vec<u32> = (0..1000)
///     .map(|_| replica_counts(8).new_tree(&mut runner).unwrap().current())
///     .collect();
/// assert!(counts.iter().all(|n| (2..=8).contains(n)));
/// let small = counts.iter().filter(|&&n| n <= 3).count();
/// let large = counts.iter().filter(|&&n| n >= 5).count();
/// assert!((400..600).contains(&small) && (250..450).contains(&large));
/// assert_eq!(replica_counts(1).new_tree(&mut runner).unwrap().current(), 2);
/// ```
pub fn replica_counts(max: u32) -> BoxedStrategy<u32> {
    let weight = |n: u32| match n {
        2 | 3 => 25,
        4 => 15,
        5 => 12,
        6 => 10,
        7 => 7,
        _ => 6,
    };
    let arms: Vec<(u32, BoxedStrategy<u32>)> = (2..=max.max(2))
        .map(|n| (weight(n), Just(n).boxed()))
        .collect();
    Union::new_weighted(arms).boxed()
}

/// How large generated executions are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// The most replicas in an execution (at least 2); each case draws its count from
    /// [`replica_counts`]. Default [`DEFAULT_MAX_REPLICAS`].
    pub max_replicas: u32,
    /// The most steps in an execution.
    pub max_steps: usize,
}

impl Default for Size {
    fn default() -> Self {
        Self {
            max_replicas: DEFAULT_MAX_REPLICAS,
            max_steps: 20,
        }
    }
}

/// Which states of an execution a law receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pick {
    /// Any states.
    Any,
    /// States from one replica's timeline, in order.
    Chain,
    /// States that have seen exactly the same updates.
    SameHistory,
    /// Two states, then a state that has seen everything they saw.
    UpperBound,
}

/// The relative weights of the four [`Pick`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PickWeights {
    /// Weight of [`Pick::Any`].
    pub any: u32,
    /// Weight of [`Pick::Chain`].
    pub chain: u32,
    /// Weight of [`Pick::SameHistory`].
    pub same_history: u32,
    /// Weight of [`Pick::UpperBound`].
    pub upper_bound: u32,
}

impl PickWeights {
    /// A mixture for laws without a premise.
    pub const MIXED: Self = Self {
        any: 6,
        chain: 2,
        same_history: 1,
        upper_bound: 1,
    };
    /// Mostly ordered chains: for transitivity and monotone queries.
    pub const CHAIN: Self = Self {
        any: 1,
        chain: 6,
        same_history: 1,
        upper_bound: 2,
    };
    /// Mostly states with equal histories: for antisymmetry.
    pub const SAME_HISTORY: Self = Self {
        any: 1,
        chain: 1,
        same_history: 5,
        upper_bound: 1,
    };
    /// Mostly upper bounds: for the least-upper-bound law.
    pub const UPPER_BOUND: Self = Self {
        any: 2,
        chain: 1,
        same_history: 0,
        upper_bound: 7,
    };

    fn strategy(self) -> BoxedStrategy<Pick> {
        let arms: Vec<(u32, BoxedStrategy<Pick>)> = [
            (self.any, Pick::Any),
            (self.chain, Pick::Chain),
            (self.same_history, Pick::SameHistory),
            (self.upper_bound, Pick::UpperBound),
        ]
        .into_iter()
        .filter(|(w, _)| *w > 0)
        .map(|(w, p)| (w, Just(p).boxed()))
        .collect();
        Union::new_weighted(arms).boxed()
    }
}

/// One step of a state-based execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateStep<Op> {
    /// `replica` applies `op`.
    Update {
        /// Where the update happens.
        replica: ReplicaId,
        /// What the user does.
        op: Op,
    },
    /// `into` merges the current state of `from`.
    Merge {
        /// Whose state is shipped.
        from: ReplicaId,
        /// Who merges it.
        into: ReplicaId,
    },
    /// `into` merges an earlier state, delayed in the network: sample number
    /// `sample % samples so far`.
    MergeEarlier {
        /// Which earlier state (an index into the samples so far, modulo their number).
        sample: u32,
        /// Who merges it.
        into: ReplicaId,
    },
}

/// A generated state-based case: an execution script and a pick of its states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateCase<Op> {
    /// The number of replicas.
    pub replicas: u32,
    /// The script.
    pub steps: Vec<StateStep<Op>>,
    /// How the law's states are chosen.
    pub pick: Pick,
    /// Raw selectors the pick interprets.
    pub sel: [u32; 3],
    /// Operations for laws about updates.
    pub ops: [Op; 2],
}

/// One step of an operation-based execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpStep<Op> {
    /// `replica` applies `op` locally ([`OpCrdt::local`]) and sends its message.
    Prepare {
        /// Where the update happens.
        replica: ReplicaId,
        /// What the user does.
        op: Op,
    },
    /// `to` receives a message it has not received yet and that the declared delivery allows:
    /// number `message % such messages`.
    Deliver {
        /// Which deliverable message.
        message: u32,
        /// Who receives it.
        to: ReplicaId,
    },
    /// `to` receives again a message it already received (only under duplicating delivery).
    Redeliver {
        /// Which already delivered message.
        message: u32,
        /// Who receives it again.
        to: ReplicaId,
    },
}

/// A generated operation-based case: an execution script and selectors for its states and
/// messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpCase<Op> {
    /// The number of replicas.
    pub replicas: u32,
    /// The script.
    pub steps: Vec<OpStep<Op>>,
    /// Raw selectors for a state and two messages.
    pub sel: [u32; 3],
    /// An operation for laws about prepare.
    pub op: Op,
}

/// A state some replica passed through.
#[derive(Clone, Debug)]
pub struct Sample<S> {
    /// The state.
    pub state: S,
    /// The replica it belongs to.
    pub replica: ReplicaId,
    /// Where it comes from, for counterexamples: `B after step 3`.
    pub label: String,
    /// The updates (state-based) or messages (op-based) it has seen, by index.
    pub seen: Seen,
}

/// An update issued during an execution.
#[derive(Clone, Debug)]
pub struct UpdateRecord<Op> {
    /// Its identity.
    pub dot: Dot,
    /// What the user did.
    pub op: Op,
    /// What its origin had seen when issuing it.
    pub deps: Seen,
}

/// The result of running a case: every state every replica passed through.
#[derive(Clone, Debug)]
pub struct Execution<S, Op, Msg = ()> {
    /// The states, in the order they arose: first each replica's initial state.
    pub samples: Vec<Sample<S>>,
    /// The updates, in the order they were issued (an order consistent with happens-before).
    pub updates: Vec<UpdateRecord<Op>>,
    /// Op-based executions: the message of each update (same index).
    pub messages: Vec<Msg>,
    /// One line per step, for counterexamples.
    pub story: Vec<String>,
    /// For each replica, the indices of its samples in time order.
    pub timelines: Vec<Vec<usize>>,
}

impl<S: Clone, Op: Clone, Msg> Execution<S, Op, Msg> {
    fn new(replicas: usize) -> Self {
        Self {
            samples: Vec::new(),
            updates: Vec::new(),
            messages: Vec::new(),
            story: Vec::new(),
            timelines: vec![Vec::new(); replicas],
        }
    }

    /// A new execution with `replicas` replicas in their initial states, each recorded.
    fn start<M: Model<State = S>>(
        model: &M,
        replicas: u32,
    ) -> (Self, Vec<ReplicaId>, Vec<S>, Vec<Seen>) {
        let ids: Vec<ReplicaId> = (0..replicas).map(ReplicaId::new).collect();
        let states: Vec<S> = ids.iter().map(|&id| model.new_replica(id)).collect();
        let seen = vec![Seen::default(); ids.len()];
        let mut exec = Self::new(ids.len());
        for &id in &ids {
            exec.record(
                model.fork(&states[id.index()]),
                id,
                format!("{id} initially"),
                &seen[id.index()],
            );
        }
        (exec, ids, states, seen)
    }

    /// Records `state`, a fork of a replica's state (the caller forks it through the model).
    fn record(&mut self, state: S, replica: ReplicaId, label: String, seen: &Seen) {
        self.timelines[replica.index()].push(self.samples.len());
        self.samples.push(Sample {
            state,
            replica,
            label,
            seen: seen.clone(),
        });
    }

    /// Issues a new update at `replica`, whose origin has seen `seen` so far; returns its index.
    fn issue(&mut self, replica: ReplicaId, op: &Op, seen: &Seen) -> usize {
        let seq = self
            .updates
            .iter()
            .filter(|u| u.dot.replica == replica)
            .count() as u64
            + 1;
        self.updates.push(UpdateRecord {
            dot: Dot::new(replica, seq),
            op: op.clone(),
            deps: seen.clone(),
        });
        self.updates.len() - 1
    }

    /// The updates in `seen`, with their happens-before order: what a specification receives.
    #[must_use]
    pub fn history(&self, seen: &Seen) -> History<Op> {
        history(&self.updates, seen)
    }
}

/// True when what a replica applied is known from what it received: `seen` is causally closed,
/// and every update in it was issued on a causally closed view.
///
/// A library may hold back a message that arrived before its causal past (under unordered
/// delivery); until that past arrives, the framework cannot tell what the replica applied, and an
/// edit made meanwhile saw less than its recorded dependencies say. Specifications and list
/// oracles judge a replica only when this holds.
#[must_use]
pub fn applied_is_known<Op>(updates: &[UpdateRecord<Op>], seen: &Seen) -> bool {
    seen.iter().all(|u| {
        let deps = &updates[u].deps;
        deps.is_subset(seen) && deps.iter().all(|w| updates[w].deps.is_subset(deps))
    })
}

/// The updates of `updates` whose indices are in `seen`, with their happens-before order
/// restricted to them: what a specification receives.
#[must_use]
pub fn history<Op: Clone>(updates: &[UpdateRecord<Op>], seen: &Seen) -> History<Op> {
    let mut history = History::with_capacity(seen.len());
    history_into(updates, seen, &mut history);
    history
}

/// [`history`], built into `into` (cleared first, its memory reused): for a driver that judges
/// many sets of updates one after the other.
pub fn history_into<Op: Clone>(updates: &[UpdateRecord<Op>], seen: &Seen, into: &mut History<Op>) {
    into.clear();
    for i in seen.iter() {
        let update = &updates[i];
        into.push_from(
            update.dot,
            update.op.clone(),
            update
                .deps
                .iter()
                .filter(|&d| seen.contains(d))
                .map(|d| updates[d].dot),
        );
    }
}

fn replica(raw: u32, replicas: u32) -> ReplicaId {
    ReplicaId::new(raw % replicas)
}

/// Strategy for state-based cases of `model`.
pub fn state_cases<M: StateCrdt>(
    model: &M,
    size: Size,
    picks: PickWeights,
) -> BoxedStrategy<StateCase<M::Op>>
where
    M::Op: 'static,
{
    let ops = model.ops();
    let raw_step = prop_oneof![
        5 => (any::<u32>(), ops.clone()).prop_map(|(r, op)| (0u8, r, 0u32, Some(op))),
        3 => (any::<u32>(), any::<u32>()).prop_map(|(r, f)| (1u8, r, f, None)),
        1 => (any::<u32>(), any::<u32>()).prop_map(|(r, s)| (2u8, r, s, None)),
    ];
    (
        replica_counts(size.max_replicas),
        vec(raw_step, 0..=size.max_steps),
        picks.strategy(),
        any::<[u32; 3]>(),
        ops.clone(),
        ops,
    )
        .prop_map(|(replicas, raw, pick, sel, op1, op2)| {
            let steps = raw
                .into_iter()
                .map(|(kind, r, x, op)| {
                    let into = replica(r, replicas);
                    match (kind, op) {
                        (0, Some(op)) => StateStep::Update { replica: into, op },
                        (1, _) => {
                            let mut from = replica(x, replicas);
                            if from == into {
                                from = ReplicaId::new((into.0 + 1) % replicas);
                            }
                            StateStep::Merge { from, into }
                        }
                        _ => StateStep::MergeEarlier { sample: x, into },
                    }
                })
                .collect();
            StateCase {
                replicas,
                steps,
                pick,
                sel,
                ops: [op1, op2],
            }
        })
        .boxed()
}

impl<Op: Clone + Debug> StateCase<Op> {
    /// Runs the script on `model`. After the script, replica `A` merges every other replica's
    /// final state, so some state has seen every update.
    pub fn run<M: StateCrdt<Op = Op>>(&self, model: &M) -> Execution<M::State, Op> {
        let (mut exec, ids, mut states, mut seen) = Execution::start(model, self.replicas);
        for (i, step) in self.steps.iter().enumerate() {
            let k = i + 1;
            let at = match step {
                StateStep::Update { replica, op } => {
                    let r = replica.index();
                    model.apply(&mut states[r], *replica, op);
                    let u = exec.issue(*replica, op, &seen[r]);
                    seen[r].insert(u);
                    exec.story.push(format!(
                        "step {k}: {replica} applies {op:?} (update {})",
                        exec.updates[u].dot
                    ));
                    *replica
                }
                StateStep::Merge { from, into } => {
                    let src = model.fork(&states[from.index()]);
                    model.merge(&mut states[into.index()], &src);
                    let from_seen = seen[from.index()].clone();
                    seen[into.index()].union_with(&from_seen);
                    exec.story
                        .push(format!("step {k}: {into} merges the state of {from}"));
                    *into
                }
                StateStep::MergeEarlier { sample, into } => {
                    let j = *sample as usize % exec.samples.len();
                    let src = &exec.samples[j];
                    model.merge(&mut states[into.index()], &src.state);
                    seen[into.index()].union_with(&src.seen);
                    let label = format!("step {k}: {into} merges a delayed state: {}", src.label);
                    exec.story.push(label);
                    *into
                }
            };
            exec.record(
                model.fork(&states[at.index()]),
                at,
                format!("{at} after step {k}"),
                &seen[at.index()],
            );
        }
        let first = ids[0];
        for &other in &ids[1..] {
            let src = model.fork(&states[other.index()]);
            model.merge(&mut states[0], &src);
            let other_seen = seen[other.index()].clone();
            seen[0].union_with(&other_seen);
        }
        exec.story.push(format!(
            "finally: {first} merges the final state of every other replica"
        ));
        exec.record(
            model.fork(&states[0]),
            first,
            format!("{first} at the end"),
            &seen[0],
        );
        exec
    }

    /// The indices of the three samples this case's pick chooses from `exec`.
    ///
    /// Selectors count from the end of the execution (selector 0 is the last state), and a
    /// chain's later states count from the first: so removing an early step, as shrinking
    /// does, keeps the same states picked.
    #[must_use]
    pub fn resolve<S, Msg>(&self, exec: &Execution<S, Op, Msg>) -> [usize; 3] {
        let n = exec.samples.len();
        let [s0, s1, s2] = self.sel.map(|s| s as usize);
        let a = from_end(s0, n);
        match self.pick {
            Pick::Any => [a, from_end(s1, n), from_end(s2, n)],
            Pick::Chain => {
                let timeline = &exec.timelines[exec.samples[a].replica.index()];
                let pa = timeline.iter().position(|&i| i == a).unwrap_or(0);
                let pb = pa + s1 % (timeline.len() - pa);
                let pc = pb + s2 % (timeline.len() - pb);
                [a, timeline[pb], timeline[pc]]
            }
            Pick::SameHistory => {
                let same: Vec<usize> = (0..n)
                    .rev()
                    .filter(|&j| exec.samples[j].seen == exec.samples[a].seen)
                    .collect();
                [a, same[s1 % same.len()], same[s2 % same.len()]]
            }
            Pick::UpperBound => {
                let b = from_end(s1, n);
                let mut both = exec.samples[a].seen.clone();
                both.union_with(&exec.samples[b].seen);
                let above: Vec<usize> = (0..n)
                    .rev()
                    .filter(|&j| both.is_subset(&exec.samples[j].seen))
                    .collect();
                // The final sample has seen everything, so `above` is never empty.
                [a, b, above[s2 % above.len()]]
            }
        }
    }
}

/// Index `selector` counted from the end of a list of `len` items.
fn from_end(selector: usize, len: usize) -> usize {
    len - 1 - selector % len
}

/// Cases that propose strictly simpler versions of themselves, for minimizing counterexamples
/// beyond what proptest's shrinking reaches.
///
/// Every candidate is smaller in the measure `steps + replicas`, then (state-based cases) in
/// the pick ([`Pick::Any`] below the others), then in the selectors; so a greedy loop that keeps
/// any failing candidate terminates, with a case from which no single step can be removed.
pub trait Simplify: Sized {
    /// Simpler candidates, most aggressive first.
    fn simpler(&self) -> Vec<Self>;
}

/// The shared candidates: each step removed, the last replica removed, each selector lowered.
fn simpler_scripts<Step: Clone>(
    replicas: u32,
    steps: &[Step],
    sel: [u32; 3],
    mentions: impl Fn(&Step, ReplicaId) -> bool,
    rename: impl Fn(&Step, &dyn Fn(ReplicaId) -> ReplicaId) -> Step,
) -> Vec<(u32, Vec<Step>, [u32; 3])> {
    let mut out = Vec::new();
    // Fewer replicas with the same story: number the replicas the steps use 0, 1, 2, ...
    let used: Vec<ReplicaId> = (0..replicas)
        .map(ReplicaId::new)
        .filter(|&r| steps.iter().any(|s| mentions(s, r)))
        .collect();
    let compact = (used.len() as u32).max(2);
    if compact < replicas {
        let to =
            |r: ReplicaId| ReplicaId::new(used.iter().position(|&u| u == r).unwrap_or(0) as u32);
        let renamed = steps.iter().map(|s| rename(s, &to)).collect();
        out.push((compact, renamed, sel));
    }
    if replicas > 2 {
        let last = ReplicaId::new(replicas - 1);
        let kept = steps
            .iter()
            .filter(|s| !mentions(s, last))
            .cloned()
            .collect();
        out.push((replicas - 1, kept, sel));
    }
    for i in 0..steps.len() {
        let mut fewer = steps.to_vec();
        fewer.remove(i);
        // Selectors count from the end, so a state picked before the removed step moves one
        // closer to the end: try each selector lowered by one as well.
        for mask in 0..8u32 {
            if (0..3).any(|k| mask & (1 << k) != 0 && sel[k] == 0) {
                continue;
            }
            let shifted: [u32; 3] =
                std::array::from_fn(|k| sel[k] - u32::from(mask & (1 << k) != 0));
            out.push((replicas, fewer.clone(), shifted));
        }
    }
    // Pairs of steps, when the script is short: two replicas' updates that only collide
    // together (equal Lamport times, say) can only go together.
    if steps.len() <= 16 {
        for i in 0..steps.len() {
            for j in i + 1..steps.len() {
                let fewer: Vec<Step> = steps
                    .iter()
                    .enumerate()
                    .filter(|&(k, _)| k != i && k != j)
                    .map(|(_, s)| s.clone())
                    .collect();
                out.push((replicas, fewer.clone(), sel));
                if sel.iter().all(|&x| x >= 2) {
                    out.push((replicas, fewer, sel.map(|x| x - 2)));
                }
            }
        }
    }
    let bound = replicas + steps.len() as u32 + 1;
    for k in 0..3 {
        for v in 0..sel[k].min(bound) {
            let mut lower = sel;
            lower[k] = v;
            out.push((replicas, steps.to_vec(), lower));
        }
    }
    out
}

impl<Op: Clone> StateCase<Op> {
    /// The case without step `i`, its delayed merges and its picked states renumbered so that
    /// they keep naming the same samples (one per replica, one per step, one at the end;
    /// delayed merges count from the start, the first selector, and all three for
    /// [`Pick::Any`], from the end), and whether anything was renumbered; `None` when a
    /// renumbered sample is the state of step `i` itself.
    fn without_step_renumbered(&self, i: usize) -> Option<(Self, bool)> {
        let removed = self.replicas as usize + i;
        let samples = self.replicas as usize + self.steps.len() + 1;
        let from_end_of_removed = samples - 1 - removed;
        let mut sel = self.sel;
        let renumber = if self.pick == Pick::Any { 3 } else { 1 };
        for s in &mut sel[..renumber] {
            let back = *s as usize % samples;
            match back.cmp(&from_end_of_removed) {
                std::cmp::Ordering::Equal => return None,
                std::cmp::Ordering::Less => *s = back as u32,
                std::cmp::Ordering::Greater => *s = (back - 1) as u32,
            }
        }
        let mut renumbered = sel != self.sel;
        let mut steps = Vec::with_capacity(self.steps.len());
        for (k, step) in self.steps.iter().enumerate() {
            match step {
                _ if k == i => {}
                StateStep::MergeEarlier { sample, into } if k > i => {
                    let j = *sample as usize % (self.replicas as usize + k);
                    if j == removed {
                        return None;
                    }
                    let j = if j > removed { j - 1 } else { j };
                    renumbered |= j != *sample as usize;
                    steps.push(StateStep::MergeEarlier {
                        sample: u32::try_from(j).ok()?,
                        into: *into,
                    });
                }
                other => steps.push(other.clone()),
            }
        }
        let case = StateCase {
            replicas: self.replicas,
            steps,
            sel,
            pick: self.pick,
            ops: self.ops.clone(),
        };
        Some((case, renumbered))
    }
}

impl<Op: Clone> Simplify for StateCase<Op> {
    fn simpler(&self) -> Vec<Self> {
        let mut renumbered: Vec<Self> = Vec::new();
        // Any states at all is the simplest pick: try the last few states under it.
        if self.pick != Pick::Any {
            for (s0, s1) in (0..3).flat_map(|s0| (0..3).map(move |s1| (s0, s1))) {
                renumbered.push(StateCase {
                    pick: Pick::Any,
                    sel: [s0, s1, 0],
                    ..self.clone()
                });
            }
        }
        for (case, changed) in (0..self.steps.len()).filter_map(|i| self.without_step_renumbered(i))
        {
            // The other picks choose the second and third states from lists that a removed
            // step can lengthen or shorten (the states with the same history, say): try the
            // first few of each as well.
            if self.pick != Pick::Any {
                for (s1, s2) in (0..3).flat_map(|s1| (0..3).map(move |s2| (s1, s2))) {
                    let mut other = case.clone();
                    other.sel[1] = s1;
                    other.sel[2] = s2;
                    renumbered.push(other);
                }
            }
            if changed {
                renumbered.push(case);
            }
        }
        simpler_scripts(
            self.replicas,
            &self.steps,
            self.sel,
            |step, r| match step {
                StateStep::Update { replica, .. } => *replica == r,
                StateStep::Merge { from, into } => *from == r || *into == r,
                StateStep::MergeEarlier { into, .. } => *into == r,
            },
            |step, to| match step {
                StateStep::Update { replica, op } => StateStep::Update {
                    replica: to(*replica),
                    op: op.clone(),
                },
                StateStep::Merge { from, into } => StateStep::Merge {
                    from: to(*from),
                    into: to(*into),
                },
                StateStep::MergeEarlier { sample, into } => StateStep::MergeEarlier {
                    sample: *sample,
                    into: to(*into),
                },
            },
        )
        .into_iter()
        .map(|(replicas, steps, sel)| StateCase {
            replicas,
            steps,
            sel,
            pick: self.pick,
            ops: self.ops.clone(),
        })
        .chain(renumbered)
        .collect()
    }
}

impl<Op: Clone> Simplify for OpCase<Op> {
    fn simpler(&self) -> Vec<Self> {
        simpler_scripts(
            self.replicas,
            &self.steps,
            self.sel,
            |step, r| match step {
                OpStep::Prepare { replica, .. } => *replica == r,
                OpStep::Deliver { to, .. } | OpStep::Redeliver { to, .. } => *to == r,
            },
            |step, rename| match step {
                OpStep::Prepare { replica, op } => OpStep::Prepare {
                    replica: rename(*replica),
                    op: op.clone(),
                },
                OpStep::Deliver { message, to } => OpStep::Deliver {
                    message: *message,
                    to: rename(*to),
                },
                OpStep::Redeliver { message, to } => OpStep::Redeliver {
                    message: *message,
                    to: rename(*to),
                },
            },
        )
        .into_iter()
        .map(|(replicas, steps, sel)| OpCase {
            replicas,
            steps,
            sel,
            op: self.op.clone(),
        })
        .collect()
    }
}

/// Strategy for operation-based cases of `model`.
pub fn op_cases<M: OpCrdt>(model: &M, size: Size) -> BoxedStrategy<OpCase<M::Op>>
where
    M::Op: 'static,
{
    let ops = model.ops();
    let mut arms = vec![
        (
            4,
            (any::<u32>(), ops.clone())
                .prop_map(|(r, op)| (0u8, r, 0u32, Some(op)))
                .boxed(),
        ),
        (
            5,
            (any::<u32>(), any::<u32>())
                .prop_map(|(r, m)| (1u8, r, m, None))
                .boxed(),
        ),
    ];
    if model.delivery().duplicates() {
        arms.push((
            1,
            (any::<u32>(), any::<u32>())
                .prop_map(|(r, m)| (2u8, r, m, None))
                .boxed(),
        ));
    }
    let raw_step = Union::new_weighted(arms);
    (
        replica_counts(size.max_replicas),
        vec(raw_step, 0..=size.max_steps),
        any::<[u32; 3]>(),
        ops,
    )
        .prop_map(|(replicas, raw, sel, op)| {
            let steps = raw
                .into_iter()
                .map(|(kind, r, m, op)| {
                    let to = replica(r, replicas);
                    match (kind, op) {
                        (0, Some(op)) => OpStep::Prepare { replica: to, op },
                        (1, _) => OpStep::Deliver { message: m, to },
                        _ => OpStep::Redeliver { message: m, to },
                    }
                })
                .collect();
            OpCase {
                replicas,
                steps,
                sel,
                op,
            }
        })
        .boxed()
}

/// True when `delivery` allows message `m` to be delivered (for the first time) to a replica
/// that has received the messages in `delivered`.
pub(crate) fn deliverable<S, Op, Msg>(
    exec: &Execution<S, Op, Msg>,
    delivery: Delivery,
    delivered: &Seen,
    m: usize,
) -> bool {
    if delivered.contains(m) {
        return false;
    }
    let update = &exec.updates[m];
    match delivery {
        Delivery::Causal => update.deps.is_subset(delivered),
        Delivery::FifoPerSender => exec.updates[..m]
            .iter()
            .enumerate()
            .filter(|(_, u)| u.dot.replica == update.dot.replica)
            .all(|(i, _)| delivered.contains(i)),
        Delivery::Unordered | Delivery::UnorderedDuplicating => true,
    }
}

impl<Op: Clone + Debug> OpCase<Op> {
    /// Runs the script on `model`, providing the delivery the model declares.
    pub fn run<M: OpCrdt<Op = Op>>(&self, model: &M) -> Execution<M::State, Op, M::Message> {
        let delivery = model.delivery();
        let (mut exec, _, mut states, mut delivered) = Execution::start(model, self.replicas);
        for (i, step) in self.steps.iter().enumerate() {
            let k = i + 1;
            let at = match step {
                OpStep::Prepare { replica, op } => {
                    let r = replica.index();
                    let u = exec.issue(*replica, op, &delivered[r]);
                    let message = model.local(&mut states[r], exec.updates[u].dot, op);
                    exec.messages.push(message);
                    delivered[r].insert(u);
                    exec.story.push(format!(
                        "step {k}: {replica} applies {op:?} locally (message {})",
                        exec.updates[u].dot
                    ));
                    *replica
                }
                OpStep::Deliver { message, to } => {
                    let r = to.index();
                    let ready: Vec<usize> = (0..exec.messages.len())
                        .filter(|&m| deliverable(&exec, delivery, &delivered[r], m))
                        .collect();
                    if ready.is_empty() {
                        exec.story
                            .push(format!("step {k}: nothing is deliverable to {to}"));
                        continue;
                    }
                    let m = ready[*message as usize % ready.len()];
                    model.effect(&mut states[r], &exec.messages[m]);
                    delivered[r].insert(m);
                    exec.story.push(format!(
                        "step {k}: {to} receives message {} ({:?})",
                        exec.updates[m].dot, exec.updates[m].op
                    ));
                    *to
                }
                OpStep::Redeliver { message, to } => {
                    let r = to.index();
                    let received: Vec<usize> = delivered[r].iter().collect();
                    if received.is_empty() || !delivery.duplicates() {
                        exec.story
                            .push(format!("step {k}: nothing to redeliver to {to}"));
                        continue;
                    }
                    let m = received[*message as usize % received.len()];
                    model.effect(&mut states[r], &exec.messages[m]);
                    exec.story.push(format!(
                        "step {k}: {to} receives message {} again (duplicate)",
                        exec.updates[m].dot
                    ));
                    *to
                }
            };
            exec.record(
                model.fork(&states[at.index()]),
                at,
                format!("{at} after step {k}"),
                &delivered[at.index()],
            );
        }
        exec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toys::{MaxRegister, SetUnion};
    use proptest::test_runner::TestRunner;

    /// `iter` lists exactly the members, in increasing order, across word boundaries.
    #[test]
    fn seen_iterates_its_members_in_order() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..200 {
            let mut seen = Seen::default();
            for _ in 0..round % 40 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                seen.insert((x % 300) as usize);
            }
            let members: Vec<usize> = (0..320).filter(|&i| seen.contains(i)).collect();
            assert_eq!(seen.iter().collect::<Vec<_>>(), members);
            assert_eq!(seen.len(), members.len());
        }
    }

    #[test]
    fn seen_sets() {
        let mut a = Seen::default();
        a.insert(3);
        a.insert(70);
        let mut b = Seen::default();
        b.insert(70);
        assert!(b.is_subset(&a));
        assert!(!a.is_subset(&b));
        b.union_with(&a);
        assert_eq!(a, b);
        assert_eq!(a.iter().collect::<Vec<_>>(), vec![3, 70]);
        assert_eq!(a.len(), 2);
        assert!(Seen::default().is_empty());
        assert!(Seen::default().is_subset(&a));
    }

    fn sample_cases(picks: PickWeights, n: usize) -> Vec<StateCase<u8>> {
        let strategy = state_cases(&SetUnion::default(), Size::default(), picks);
        let mut runner = TestRunner::deterministic();
        (0..n)
            .map(|_| strategy.new_tree(&mut runner).unwrap().current())
            .collect()
    }

    #[test]
    fn executions_record_every_state_and_end_with_a_state_that_saw_everything() {
        for case in sample_cases(PickWeights::MIXED, 50) {
            let exec = case.run(&SetUnion::default());
            assert_eq!(
                exec.samples.len(),
                case.replicas as usize + case.steps.len() + 1
            );
            let last = exec.samples.last().unwrap();
            assert_eq!(last.seen.len(), exec.updates.len());
            // The final state contains every added element: the set of all updates' ops.
            let all: std::collections::BTreeSet<u8> = exec.updates.iter().map(|u| u.op).collect();
            assert_eq!(last.state, all);
        }
    }

    #[test]
    fn picks_meet_their_premises_on_a_lawful_model() {
        let model = SetUnion::default();
        for case in sample_cases(PickWeights::CHAIN, 100) {
            if case.pick != Pick::Chain {
                continue;
            }
            let exec = case.run(&model);
            let [a, b, c] = case.resolve(&exec);
            let s = |i: usize| &exec.samples[i].state;
            assert!(s(a).is_subset(s(b)) && s(b).is_subset(s(c)));
        }
        for case in sample_cases(PickWeights::UPPER_BOUND, 100) {
            if case.pick != Pick::UpperBound {
                continue;
            }
            let exec = case.run(&model);
            let [a, b, z] = case.resolve(&exec);
            let s = |i: usize| &exec.samples[i].state;
            assert!(s(a).is_subset(s(z)) && s(b).is_subset(s(z)));
        }
        for case in sample_cases(PickWeights::SAME_HISTORY, 100) {
            if case.pick != Pick::SameHistory {
                continue;
            }
            let exec = case.run(&model);
            let [a, b, _] = case.resolve(&exec);
            assert_eq!(exec.samples[a].state, exec.samples[b].state);
        }
    }

    #[test]
    fn histories_follow_happens_before() {
        let model = MaxRegister;
        let case = StateCase {
            replicas: 2,
            steps: vec![
                StateStep::Update {
                    replica: ReplicaId::new(0),
                    op: 5,
                },
                StateStep::Merge {
                    from: ReplicaId::new(0),
                    into: ReplicaId::new(1),
                },
                StateStep::Update {
                    replica: ReplicaId::new(1),
                    op: 7,
                },
            ],
            pick: Pick::Any,
            sel: [0; 3],
            ops: [0, 0],
        };
        let exec = case.run(&model);
        let last = exec.samples.last().unwrap();
        let h = exec.history(&last.seen);
        let (a1, b1) = (
            Dot::new(ReplicaId::new(0), 1),
            Dot::new(ReplicaId::new(1), 1),
        );
        assert!(h.happens_before(a1, b1));
        assert!(!h.happens_before(b1, a1));
        assert_eq!(exec.story.len(), 4);
        assert_eq!(exec.story[1], "step 2: B merges the state of A");
    }
}
