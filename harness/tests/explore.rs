//! Exhaustive exploration: reductions change the work, never the findings; broken models are
//! found at their minimal depth with a counterexample of that length; reference CRDTs are
//! clean to a stated bound; the result does not depend on the thread count.

use std::time::Instant;

use crdt_harness::explore::{Check, Exploration, ExploreOptions, Explorer, FaultBounds};
use crdt_harness::replay::{ReplayFile, regression_test};
use crdt_harness::{Faults, Harness, Limits, Property};
use crdt_impls::broken::{
    CausalOrSet, DuplicatedCounter, FloatCounter, ListOp, RemoveByValueOrSet, RgaList,
    ShortcutOrswot, SummingPnCounter, TwoSlotCounter, UntiedLww,
};
use crdt_impls::models::{GCounterModel, OrSetModel};
use crdt_impls::ops::{CounterOp, RegisterOp, SetOp};

fn faults(list: &str) -> Faults {
    Faults::parse(list).unwrap()
}

/// The minimal depth of a counterexample, checked: none within one step less, and the
/// counterexample has exactly that many steps and replays to the same finding.
fn minimal<Op: std::fmt::Debug + Clone>(
    shallower: &Exploration<Op>,
    found: &Exploration<Op>,
    depth: usize,
) {
    assert!(shallower.passed(), "{shallower}");
    assert_eq!(shallower.coverage.depth_completed, depth - 1);
    let c = found.counterexample.as_ref().expect("a counterexample");
    assert_eq!(c.schedule.steps.len(), depth, "{found}");
    assert_eq!(found.coverage.depth_completed, depth - 1, "{found}");
}

#[test]
fn two_slot_counter_needs_three_replicas_and_is_found_at_its_minimal_depth() {
    let model = TwoSlotCounter;
    let explorer = |replicas, depth| {
        Explorer::state(&model)
            .replicas(replicas)
            .depth(depth)
            .alphabet(vec![CounterOp::Increment(1)])
            .explore()
            .unwrap()
    };
    // Two replicas never break it, however deep.
    let two = explorer(2, 5);
    assert!(two.passed(), "{two}");
    // With three, one increment at B is enough: quiescence relays it through A, which
    // counts it in the wrong slot.
    let found = explorer(3, 3);
    minimal(&explorer(3, 0), &found, 1);
    assert_eq!(
        found.counterexample.as_ref().unwrap().finding.property,
        Property::Convergence
    );
    let c = found.counterexample.unwrap();
    // The replay file and the regression test of the counterexample replay it.
    let failure = c.failure();
    let file = ReplayFile::new(
        "broken/two-slot-counter",
        &failure,
        Faults::NONE,
        Limits::default(),
    )
    .unwrap();
    let back = file.schedule::<CounterOp>().unwrap();
    let outcome = Harness::state(&model).faults(Faults::NONE).replay(&back);
    assert_eq!(outcome.finding.unwrap().property, c.finding.property);
    let test = regression_test(
        "two slot",
        "crdt_impls::broken::TwoSlotCounter",
        "state",
        &failure,
        Faults::NONE,
    );
    assert!(test.contains("fn two_slot()"), "{test}");
}

#[test]
fn untied_lww_is_found_with_two_concurrent_writes() {
    let model = UntiedLww;
    let explorer = |depth| {
        Explorer::state(&model)
            .replicas(2)
            .depth(depth)
            .alphabet(vec![RegisterOp::Set(1), RegisterOp::Set(2)])
            .explore()
            .unwrap()
    };
    let found = explorer(2);
    minimal(&explorer(1), &found, 2);
}

#[test]
fn or_set_assuming_causal_delivery_needs_reordering() {
    let model = CausalOrSet;
    let alphabet = vec![SetOp::Add(1), SetOp::Remove(1)];
    let explorer = |f: &str, depth| {
        Explorer::op(&model)
            .replicas(3)
            .depth(depth)
            .faults(faults(f))
            .alphabet(alphabet.clone())
            .explore()
            .unwrap()
    };
    let calm = explorer("none", 4);
    assert!(calm.passed(), "{calm}");
    let found = explorer("reorder", 3);
    minimal(&explorer("reorder", 2), &found, 3);
}

#[test]
fn counter_on_duplicating_network_needs_a_duplicate() {
    let model = DuplicatedCounter;
    let explorer = |f: &str, depth| {
        Explorer::op(&model)
            .replicas(2)
            .depth(depth)
            .faults(faults(f))
            .alphabet(vec![CounterOp::Increment(1)])
            .explore()
            .unwrap()
    };
    assert!(explorer("none", 4).passed());
    let found = explorer("dup", 2);
    minimal(&explorer("dup", 1), &found, 2);
}

#[test]
fn fast_checks_find_the_same_bugs_deeper_and_replay_confirms_them() {
    let model = UntiedLww;
    let explorer = |depth| {
        Explorer::state(&model)
            .replicas(2)
            .depth(depth)
            .check(Check::Fast)
            .alphabet(vec![RegisterOp::Set(1), RegisterOp::Set(2)])
            .explore()
            .unwrap()
    };
    // Without quiescence, the two writes must also be exchanged: two sends, two deliveries.
    let found = explorer(4);
    assert!(!found.passed(), "{found}");
    let depth = found.counterexample.as_ref().unwrap().schedule.steps.len();
    assert!(explorer(depth - 1).passed());
    assert_eq!(found.coverage.unconfirmed, 0);
}

/// The set of (property, least depth) the explorer's own checks see is the same with every
/// combination of reductions; sleep sets never lose a state, symmetry merges renamings, depth
/// pruning keeps fewer states.
#[test]
fn reductions_change_the_work_not_the_violations() {
    type Run<'a> = &'a dyn Fn(bool, bool, bool) -> crdt_harness::explore::Coverage;
    fn compare(name: &str, run: Run<'_>) {
        let plain = run(false, false, false);
        assert!(!plain.violations.is_empty(), "{name}: {plain}");
        assert_eq!(plain.pruned_by_symmetry, 0);
        assert_eq!(plain.pruned_by_independence, 0);
        assert_eq!(plain.pruned_by_depth, 0);
        for symmetric in [false, true] {
            for sleep in [false, true] {
                for prune in [false, true] {
                    let reduced = run(symmetric, sleep, prune);
                    assert_eq!(
                        reduced.violations, plain.violations,
                        "{name}, symmetric {symmetric}, sleep {sleep}, pruning {prune}"
                    );
                    if sleep && !symmetric && !prune {
                        assert_eq!(reduced.states, plain.states, "{name}");
                        assert_eq!(reduced.states_per_depth, plain.states_per_depth, "{name}");
                        assert!(reduced.pruned_by_independence > 0, "{name}");
                        assert!(reduced.transitions < plain.transitions, "{name}");
                    }
                    if symmetric {
                        assert!(reduced.states < plain.states, "{name}");
                        assert!(reduced.pruned_by_symmetry > 0, "{name}");
                    }
                    if prune {
                        assert!(reduced.states < plain.states, "{name}");
                        assert!(reduced.pruned_by_depth > 0, "{name}");
                    }
                }
            }
        }
    }
    compare("lww-no-tie-break", &|symmetric, sleep, prune| {
        Explorer::state(&UntiedLww)
            .replicas(3)
            .depth(5)
            .check(Check::Fast)
            .keep_going(true)
            .symmetric(symmetric)
            .sleep_sets(sleep)
            .depth_pruning(prune)
            .alphabet(vec![RegisterOp::Set(1), RegisterOp::Set(2)])
            .explore()
            .unwrap()
            .coverage
    });
    compare("two-slot-counter", &|symmetric, sleep, prune| {
        Explorer::state(&TwoSlotCounter)
            .replicas(3)
            .depth(5)
            .check(Check::Fast)
            .keep_going(true)
            .symmetric(symmetric)
            .sleep_sets(sleep)
            .depth_pruning(prune)
            .alphabet(vec![CounterOp::Increment(1)])
            .explore()
            .unwrap()
            .coverage
    });
    compare("orswot-clock-dominance", &|symmetric, sleep, prune| {
        Explorer::state(&ShortcutOrswot)
            .replicas(2)
            .depth(6)
            .check(Check::Fast)
            .keep_going(true)
            .symmetric(symmetric)
            .sleep_sets(sleep)
            .depth_pruning(prune)
            .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
            .explore()
            .unwrap()
            .coverage
    });
}

#[test]
fn reductions_keep_the_violations_of_op_based_models_under_faults() {
    for f in ["dup", "reorder,drop"] {
        let model = DuplicatedCounter;
        let run = |symmetric, sleep, prune| {
            Explorer::op(&model)
                .replicas(3)
                .depth(4)
                .faults(faults(f))
                .check(Check::Fast)
                .keep_going(true)
                .symmetric(symmetric)
                .sleep_sets(sleep)
                .depth_pruning(prune)
                .alphabet(vec![CounterOp::Increment(1)])
                .explore()
                .unwrap()
                .coverage
        };
        let plain = run(false, false, false);
        for symmetric in [false, true] {
            for sleep in [false, true] {
                for prune in [false, true] {
                    let reduced = run(symmetric, sleep, prune);
                    assert_eq!(
                        reduced.violations, plain.violations,
                        "{f}: {symmetric} {sleep} {prune}"
                    );
                    if !symmetric && !prune {
                        assert_eq!(reduced.states, plain.states, "{f}");
                    }
                }
            }
        }
    }
}

/// Depth pruning keeps the first counterexample's length (a shortest one) and finds it at
/// the same depth, for every broken model the fast checks find; it acts with fast checks
/// only.
#[test]
fn depth_pruning_keeps_shortest_counterexamples() {
    fn same<Op: std::fmt::Debug>(name: &str, run: &dyn Fn(bool) -> Exploration<Op>) {
        let (plain, pruned) = (run(false), run(true));
        let length = |e: &Exploration<Op>| {
            e.counterexample
                .as_ref()
                .map(|c| c.schedule.steps.len())
                .unwrap_or_else(|| panic!("{name}: no counterexample: {e}"))
        };
        assert_eq!(length(&plain), length(&pruned), "{name}: {plain}\n{pruned}");
        assert_eq!(
            plain.coverage.depth_completed, pruned.coverage.depth_completed,
            "{name}"
        );
        assert_eq!(
            plain.counterexample.as_ref().map(|c| c.finding.property),
            pruned.counterexample.as_ref().map(|c| c.finding.property),
            "{name}"
        );
    }
    same("two-slot-counter", &|prune| {
        Explorer::state(&TwoSlotCounter)
            .replicas(3)
            .depth(6)
            .check(Check::Fast)
            .depth_pruning(prune)
            .alphabet(vec![CounterOp::Increment(1)])
            .explore()
            .unwrap()
    });
    same("lww-no-tie-break", &|prune| {
        Explorer::state(&UntiedLww)
            .replicas(2)
            .depth(6)
            .check(Check::Fast)
            .depth_pruning(prune)
            .alphabet(vec![RegisterOp::Set(1), RegisterOp::Set(2)])
            .explore()
            .unwrap()
    });
    same("orswot-clock-dominance", &|prune| {
        Explorer::state(&ShortcutOrswot)
            .replicas(2)
            .depth(7)
            .check(Check::Fast)
            .depth_pruning(prune)
            .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
            .explore()
            .unwrap()
    });
    same("duplicated-counter", &|prune| {
        Explorer::op(&DuplicatedCounter)
            .replicas(2)
            .depth(5)
            .faults(faults("dup"))
            .check(Check::Fast)
            .depth_pruning(prune)
            .alphabet(vec![CounterOp::Increment(1)])
            .explore()
            .unwrap()
    });
    // With the simulator's checks, quiescence delivers every message: no pruning.
    let replay = Explorer::state(&GCounterModel::default())
        .replicas(2)
        .depth(3)
        .alphabet(vec![CounterOp::Increment(1)])
        .explore()
        .unwrap();
    assert!(!replay.coverage.depth_pruning && replay.coverage.pruned_by_depth == 0);
    // With fast checks, a clean model keeps fewer states, and says so.
    let fast = |prune| {
        Explorer::state(&GCounterModel::default())
            .replicas(3)
            .depth(5)
            .check(Check::Fast)
            .depth_pruning(prune)
            .alphabet(vec![CounterOp::Increment(1)])
            .explore()
            .unwrap()
    };
    let (plain, pruned) = (fast(false), fast(true));
    assert!(plain.passed() && pruned.passed());
    assert!(pruned.coverage.states < plain.coverage.states);
    assert!(pruned.coverage.pruned_by_depth > 0);
    assert!(
        pruned.coverage.to_string().contains("by depth"),
        "{}",
        pruned.coverage
    );
}

#[test]
fn reference_crdts_are_clean_to_a_stated_bound() {
    let counter = GCounterModel::default();
    let started = Instant::now();
    let g = Explorer::state(&counter)
        .replicas(3)
        .depth(6)
        .check(Check::Fast)
        .symmetric(true)
        .alphabet(vec![CounterOp::Increment(1), CounterOp::Increment(2)])
        .explore()
        .unwrap();
    assert!(g.passed(), "{g}");
    assert_eq!(g.coverage.depth_completed, 6);
    let set = OrSetModel::default();
    let o = Explorer::state(&set)
        .replicas(3)
        .depth(5)
        .faults(faults("dup,drop,partition,crash"))
        .check(Check::Fast)
        .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
        .explore()
        .unwrap();
    assert!(o.passed(), "{o}");
    let simulator = Explorer::state(&set)
        .replicas(3)
        .depth(4)
        .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
        .explore()
        .unwrap();
    assert!(simulator.passed(), "{simulator}");
    eprintln!("{}\n{}\n{}", g.coverage, o.coverage, simulator.coverage);
    assert!(started.elapsed().as_secs() < 120);
}

#[test]
fn the_result_does_not_depend_on_the_thread_count() {
    let model = ShortcutOrswot;
    let run = |threads| {
        Explorer::state(&model)
            .replicas(3)
            .depth(4)
            .faults(faults("drop,dup"))
            .symmetric(true)
            .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
            .threads(threads)
            .explore()
            .unwrap()
    };
    let one = run(1);
    let two = run(2);
    let three = run(3);
    for other in [&two, &three] {
        assert_eq!(one.coverage.states, other.coverage.states);
        assert_eq!(one.coverage.transitions, other.coverage.transitions);
        assert_eq!(
            one.counterexample.as_ref().map(|c| &c.schedule),
            other.counterexample.as_ref().map(|c| &c.schedule)
        );
    }
    assert!(!one.passed());
}

/// The counts of the `explore-reduction` bench (G-Counter, 3 replicas, depth 6, the whole
/// space), pinned: a change to how the explorer stores, hashes or expands states must not
/// change the states and transitions it counts.
#[test]
fn the_reduction_bench_counts_are_pinned() {
    let model = GCounterModel::default();
    // (symmetry, sleep sets, depth pruning) -> (states, transitions)
    let variants = [
        ((false, false, false), (36_154, 84_858)),
        ((false, true, false), (36_154, 52_249)),
        ((true, false, false), (6_079, 14_397)),
        ((true, true, false), (6_079, 10_896)),
        ((false, false, true), (1_877, 15_999)),
        ((true, true, true), (331, 2_322)),
    ];
    for ((symmetric, sleep, prune), counts) in variants {
        let options = ExploreOptions {
            replicas: 3,
            depth: 6,
            check: Check::Fast,
            threads: Some(1),
            symmetric,
            sleep_sets: sleep,
            depth_pruning: prune,
            ..ExploreOptions::default()
        };
        let e = Explorer::state(&model)
            .options(options)
            .alphabet(vec![CounterOp::Increment(1)])
            .explore()
            .unwrap();
        assert!(e.passed(), "{e}");
        assert_eq!(
            (e.coverage.states, e.coverage.transitions),
            counts,
            "symmetry {symmetric}, sleep sets {sleep}, depth pruning {prune}"
        );
    }
}

#[test]
fn the_memory_cap_ends_cleanly_and_says_what_was_completed() {
    let model = GCounterModel::default();
    let e = Explorer::state(&model)
        .replicas(3)
        .depth(8)
        .check(Check::Fast)
        .max_states(500)
        .alphabet(vec![CounterOp::Increment(1)])
        .explore()
        .unwrap();
    assert!(e.passed());
    assert_eq!(e.coverage.capped_at, Some(500));
    assert!(e.coverage.depth_completed < 8);
    let text = e.coverage.to_string();
    assert!(text.contains("memory cap of 500 states"), "{text}");
    assert!(text.contains(&format!(
        "depth {} of 8 completed",
        e.coverage.depth_completed
    )));
}

#[test]
fn the_coverage_statement_names_the_bounds() {
    let model = GCounterModel::default();
    let e = Explorer::state(&model)
        .replicas(2)
        .depth(3)
        .faults(faults("drop"))
        .bounds(FaultBounds::each(2))
        .alphabet(vec![CounterOp::Increment(1)])
        .explore()
        .unwrap();
    let text = e.coverage.to_string();
    assert!(
        text.contains("no counterexample within 2 replicas, 3 steps, operations {Increment(1)}, faults {drop≤2}"),
        "{text}"
    );
    assert!(text.contains(" states, "), "{text}");
}

fn row<Op: std::fmt::Debug>(
    rows: &mut Vec<(String, usize, u64, f64)>,
    name: &str,
    e: &Exploration<Op>,
    started: Instant,
) {
    let c = e
        .counterexample
        .as_ref()
        .unwrap_or_else(|| panic!("{name}: {e}"));
    rows.push((
        format!(
            "{name} | {} | {} | {}",
            c.finding.property, e.coverage.replicas, e.coverage.faults
        ),
        c.schedule.steps.len(),
        e.coverage.states,
        started.elapsed().as_secs_f64() * 1000.0,
    ));
}

/// The gallery entries tried, with their minimal depth: printed as a table with
/// `cargo test -p crdt-harness --test explore gallery_table -- --nocapture`.
#[test]
fn gallery_table() {
    let mut rows: Vec<(String, usize, u64, f64)> = Vec::new();
    macro_rules! explore {
        ($name:expr, $explorer:expr) => {{
            let started = Instant::now();
            let e = $explorer.explore().unwrap();
            row(&mut rows, $name, &e, started);
        }};
    }
    explore!(
        "two-slot-counter",
        Explorer::state(&TwoSlotCounter)
            .depth(4)
            .alphabet(vec![CounterOp::Increment(1)])
    );
    explore!(
        "lww-no-tie-break",
        Explorer::state(&UntiedLww)
            .replicas(2)
            .depth(4)
            .alphabet(vec![RegisterOp::Set(1), RegisterOp::Set(2)])
    );
    explore!(
        "pn-counter-merged-by-sum",
        Explorer::state(&SummingPnCounter)
            .replicas(2)
            .depth(4)
            .alphabet(vec![CounterOp::Increment(1)])
    );
    explore!(
        "orswot-clock-dominance",
        Explorer::state(&ShortcutOrswot)
            .replicas(2)
            .depth(5)
            .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
    );
    explore!(
        "or-set-remove-by-value",
        Explorer::op(&RemoveByValueOrSet)
            .replicas(2)
            .depth(4)
            .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
    );
    explore!(
        "or-set-assuming-causal-delivery",
        Explorer::op(&CausalOrSet)
            .depth(4)
            .faults(faults("reorder"))
            .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
    );
    explore!(
        "counter-on-duplicating-network",
        Explorer::op(&DuplicatedCounter)
            .replicas(2)
            .depth(4)
            .faults(faults("dup"))
            .alphabet(vec![CounterOp::Increment(1)])
    );
    explore!(
        "float-counter-arrival-order",
        Explorer::op(&FloatCounter)
            .replicas(2)
            .depth(4)
            .faults(faults("reorder"))
    );
    explore!(
        "rga-backward-interleaving",
        Explorer::op(&RgaList).replicas(2).depth(5).alphabet(vec![
            ListOp::Insert { at: 0, value: 'a' },
            ListOp::Insert { at: 1, value: 'b' }
        ])
    );
    use crdt_impls::broken::{
        AveragingThermostat, DivisibilityByMax, ForgetfulClockLww, ForgottenTombstones, IndexList,
        LargerTotalCounter, LoweringPnCounter, ReAddingTwoPhaseSet, RemoveWinsSoldAsAddWins,
    };
    explore!(
        "lamport-clock-not-advanced-on-receive",
        Explorer::op(&ForgetfulClockLww).replicas(2).depth(5)
    );
    explore!(
        "counter-larger-total",
        Explorer::state(&LargerTotalCounter).replicas(2).depth(4)
    );
    explore!(
        "pn-counter-lowering-decrement",
        Explorer::state(&LoweringPnCounter).replicas(2).depth(4)
    );
    explore!(
        "remove-wins-sold-as-add-wins",
        Explorer::state(&RemoveWinsSoldAsAddWins)
            .replicas(2)
            .depth(4)
    );
    explore!(
        "two-phase-set-clearing-tombstones",
        Explorer::state(&ReAddingTwoPhaseSet).replicas(2).depth(4)
    );
    explore!(
        "forgotten-tombstones",
        Explorer::state(&ForgottenTombstones)
            .replicas(2)
            .depth(4)
            .faults(faults("crash"))
    );
    explore!("index-list", Explorer::op(&IndexList).replicas(2).depth(4));
    explore!(
        "averaging-merge",
        Explorer::state(&AveragingThermostat).replicas(2).depth(4)
    );
    explore!(
        "divisibility-merged-by-max",
        Explorer::state(&DivisibilityByMax).replicas(2).depth(4)
    );
    eprintln!(
        "| gallery entry | found by | replicas | faults | minimal depth | states | time (ms) |"
    );
    eprintln!("|---|---|---|---|---|---|---|");
    for (name, depth, states, ms) in &rows {
        eprintln!("| {name} | {depth} | {states} | {ms:.1} |");
    }
    // The minimal depths, as breadth-first order found them (a change is a change of the
    // explorer's steps or of the simulator's oracles, to be looked at).
    let depths: Vec<usize> = rows.iter().map(|r| r.1).collect();
    assert_eq!(
        depths,
        [1, 2, 1, 3, 2, 3, 2, 3, 3, 3, 2, 2, 2, 2, 2, 2, 1, 2],
        "{rows:?}"
    );
}

#[test]
fn delta_state_models_are_refused() {
    let model = OrSetModel::default();
    let e = Explorer::with(crdt_harness::protocol::DeltaProtocol(&model)).explore();
    assert!(e.is_err());
    let _ = Property::Convergence;
}

#[path = "../../laws/tests/fixtures/mod.rs"]
mod fixtures;

/// Every check of the fast mode catches a broken model (and its finding is confirmed by the
/// simulator's replay of the path).
#[test]
fn each_fast_check_catches_a_broken_model() {
    fn caught<Op>(name: &str, e: &Exploration<Op>, property: Property) {
        assert!(
            e.coverage.violations.contains_key(&property),
            "{name}: {:?}\n{}",
            e.coverage.violations,
            e.coverage
        );
        assert!(
            e.counterexample.is_some(),
            "{name}: not confirmed by replay"
        );
    }
    let fast = Check::Fast;
    let e = Explorer::op(&fixtures::CounterTagged { at_most: 1 })
        .replicas(2)
        .depth(2)
        .check(fast)
        .keep_going(true)
        .explore()
        .unwrap();
    caught("counter-tagged", &e, Property::Invariant);
    let e = Explorer::state(&crdt_impls::broken::ForgottenTombstones)
        .replicas(2)
        .depth(4)
        .faults(faults("crash"))
        .check(fast)
        .keep_going(true)
        .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
        .explore()
        .unwrap();
    caught("forgotten-tombstones", &e, Property::MonotoneGrowth);
    let e = Explorer::op(&RemoveByValueOrSet)
        .replicas(2)
        .depth(4)
        .check(fast)
        .keep_going(true)
        .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)])
        .explore()
        .unwrap();
    caught("or-set-remove-by-value", &e, Property::Specification);
    let e = Explorer::op(&DuplicatedCounter)
        .replicas(2)
        .depth(4)
        .faults(faults("dup"))
        .check(fast)
        .keep_going(true)
        .alphabet(vec![CounterOp::Increment(1)])
        .explore()
        .unwrap();
    caught("counter-on-duplicating-network", &e, Property::Convergence);
    // A writes, sends its state to B twice, and B merges both copies: [1] against [1, 1].
    let e = Explorer::state(&Concatenated)
        .replicas(2)
        .depth(5)
        .check(fast)
        .keep_going(true)
        .alphabet(vec![1])
        .explore()
        .unwrap();
    caught("concatenated set", &e, Property::EqualValuesDifferentStates);
    let e = Explorer::op(&crdt_impls::broken::IndexList)
        .replicas(2)
        .depth(4)
        .check(fast)
        .keep_going(true)
        .alphabet(vec![
            ListOp::Insert { at: 0, value: 'a' },
            ListOp::Insert { at: 1, value: 'b' },
        ])
        .explore()
        .unwrap();
    caught("index-list", &e, Property::SequenceOrder);
    let e = Explorer::state(&GCounterModel::default())
        .replicas(2)
        .depth(3)
        .check(fast)
        .limits(Limits {
            max_state_bytes: 12,
            ..Limits::default()
        })
        .alphabet(vec![CounterOp::Increment(1)])
        .explore()
        .unwrap();
    caught(
        "g-counter with a tiny size limit",
        &e,
        Property::StateExplosion,
    );
}

/// The command line's path: plain options, operations sampled from the model, operations
/// erased for the catalogue.
#[test]
fn options_and_erased_operations_for_the_command_line() {
    use crdt_harness::explore::ExploreOptions;
    let options = ExploreOptions {
        replicas: 3,
        depth: 2,
        ..ExploreOptions::default()
    };
    let e = Explorer::state(&TwoSlotCounter)
        .options(options)
        .explore()
        .unwrap()
        .map_ops(|op| format!("{op:?}"));
    assert_eq!(e.coverage.replicas, 3);
    assert_eq!(e.coverage.operations.len(), 3, "{}", e.coverage);
    let c = e.counterexample.expect("found");
    assert!(
        matches!(&c.schedule.steps[0], crdt_harness::Step::Update { op, .. } if op.starts_with("Increment"))
    );
}

/// A set whose states are vectors merged by concatenation: values converge, states do not.
#[derive(Clone, Copy, Debug)]
struct Concatenated;

impl crdt_laws::Model for Concatenated {
    type State = Vec<u8>;
    type Op = u8;
    type Value = std::collections::BTreeSet<u8>;
    fn state_eq(&self, a: &Vec<u8>, b: &Vec<u8>) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: crdt_laws::ReplicaId) -> Vec<u8> {
        Vec::new()
    }
    fn value(&self, s: &Vec<u8>) -> Self::Value {
        s.iter().copied().collect()
    }
    fn ops(&self) -> proptest::strategy::BoxedStrategy<u8> {
        use proptest::strategy::Strategy;
        (0..4u8).boxed()
    }
}

impl crdt_laws::StateCrdt for Concatenated {
    fn apply(&self, s: &mut Vec<u8>, _: crdt_laws::ReplicaId, op: &u8) {
        s.push(*op);
    }
    fn merge(&self, into: &mut Vec<u8>, from: &Vec<u8>) {
        into.extend_from_slice(from);
    }
    fn leq(&self, a: &Vec<u8>, b: &Vec<u8>) -> Option<bool> {
        Some(a.iter().all(|x| b.contains(x)))
    }
}
