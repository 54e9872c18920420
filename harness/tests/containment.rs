//! Containment in the harness: every callback of the model contract, panicking or never
//! returning, is a finding with its execution, `run()` returns, and the same seed gives the
//! same findings with any number of threads. Also: state explosion judged per update, and a
//! default run naming every property it broke.

#[path = "../../laws/tests/faulty/mod.rs"]
mod faulty;

use std::collections::BTreeSet;
use std::fmt;
use std::time::Duration;

use crdt_harness::protocol::StateProtocol;
use crdt_harness::runner::{Options, search};
use crdt_harness::{Faults, Harness, Limits, Property, Summary};
use crdt_laws::{Model, ReplicaId, StateCrdt};
use faulty::{Callback, Fault, Faulty, within};
use proptest::prelude::*;

fn limits() -> Limits {
    Limits {
        step_budget: Duration::from_millis(150),
        ..Limits::default()
    }
}

/// A run of `model` (in its callback's flavour) under a 150 ms step budget.
fn run(model: Faulty, threads: usize) -> Summary<u8> {
    // Generating a schedule hangs in every schedule when the strategy hangs: fewer of them.
    let schedules = if model.callback == Callback::Ops {
        4
    } else {
        32
    };
    within(Duration::from_secs(120), move || {
        match model.callback.flavour() {
            "delta" => Harness::delta(&model)
                .limits(limits())
                .schedules(schedules)
                .threads(threads)
                .seed(5)
                .run(),
            "op" => Harness::op(&model)
                .limits(limits())
                .schedules(schedules)
                .threads(threads)
                .seed(5)
                .run(),
            _ => Harness::state(&model)
                .limits(limits())
                .schedules(schedules)
                .threads(threads)
                .seed(5)
                .run(),
        }
    })
}

/// What a summary found, comparable across runs.
fn fingerprint(summary: &Summary<u8>) -> Vec<String> {
    summary
        .failures
        .iter()
        .map(|f| {
            format!(
                "{} #{} {:?} {:?}",
                f.finding.property, f.schedule_index, f.finding.step, f.shrunk.steps
            )
        })
        .collect()
}

#[test]
fn a_lawful_faulty_model_passes() {
    for callback in [Callback::Merge, Callback::Delta, Callback::Effect] {
        run(
            Faulty {
                callback,
                fault: None,
            },
            2,
        )
        .assert_passed();
    }
}

#[test]
fn every_callback_panicking_or_hanging_is_a_finding() {
    let mut table = String::from("| callback | flavour | panic | hang |\n|---|---|---|---|\n");
    // The harness produces messages with `local`; only the laws call a pure `prepare`.
    for callback in Callback::ALL
        .into_iter()
        .filter(|&c| c != Callback::Prepare)
    {
        let mut row = format!("| {callback} | {} |", callback.flavour());
        for (fault, property) in [
            (Fault::Panic, Property::Panic),
            (Fault::Hang, Property::StepTimeout),
        ] {
            let summary = run(Faulty::new(callback, fault), 2);
            let failure = summary
                .failure_of(property)
                .unwrap_or_else(|| panic!("{callback} {fault:?}: no {property}:\n{summary}"));
            assert_eq!(
                summary.failure().map(|f| f.finding.property),
                Some(property)
            );
            if callback != Callback::Ops {
                // A finding with its execution: the minimal schedule, and what happened
                // before the step that broke.
                assert!(!failure.shrunk.steps.is_empty(), "{summary}");
                match fault {
                    // The events of the run up to the panic.
                    Fault::Panic => assert!(
                        failure.finding.step.is_some_and(|s| s <= 1) || !failure.events.is_empty(),
                        "{summary}"
                    ),
                    // Cut after the step that hung (or quiescence): it is the last.
                    Fault::Hang => assert!(
                        failure
                            .finding
                            .step
                            .is_none_or(|s| s == failure.shrunk.steps.len()),
                        "{summary}"
                    ),
                }
            }
            row += &format!(
                " {} (step {}, {} steps shrunk to {}) |",
                failure.finding.property,
                failure
                    .finding
                    .step
                    .map_or("quiescence".to_string(), |s| s.to_string()),
                failure.shrink.steps_before,
                failure.shrink.steps_after
            );
        }
        table += &row;
        table.push('\n');
    }
    println!("{table}");
}

#[test]
fn a_hang_gives_the_same_findings_with_any_thread_count() {
    let model = Faulty::new(Callback::Merge, Fault::Hang);
    let one = run(model, 1);
    let three = run(model, 3);
    assert!(!one.passed());
    assert_eq!(fingerprint(&one), fingerprint(&three), "{one}\n{three}");
    assert_eq!(one.schedules, three.schedules);
    assert_eq!(one.more_failures, three.more_failures);
}

#[test]
fn a_run_that_keeps_hanging_stops_incomplete() {
    let model = Faulty::new(Callback::Apply, Fault::Hang);
    let summary = within(Duration::from_secs(120), move || {
        Harness::state(&model)
            .limits(limits())
            .options(Options {
                schedules: Some(1000),
                keep_going: true,
                max_abandoned: 4,
                threads: Some(4),
                limits: limits(),
                ..Options::default()
            })
            .run()
    });
    assert!(!summary.complete, "{summary}");
    assert!(summary.schedules < 1000, "{summary}");
    assert!(
        summary.failure_of(Property::StepTimeout).is_some(),
        "{summary}"
    );
}

#[test]
fn watched_and_inline_runs_agree_on_a_panicking_model() {
    let model = Faulty::new(Callback::Merge, Fault::Panic);
    let options = Options {
        schedules: Some(200),
        seed: 9,
        threads: Some(2),
        ..Options::default()
    };
    let inline = within(Duration::from_secs(120), move || {
        search(&StateProtocol(&model), &options)
    });
    let watched = Harness::state(&model)
        .schedules(200)
        .seed(9)
        .threads(3)
        .run();
    assert!(!inline.passed());
    assert_eq!(fingerprint(&inline), fingerprint(&watched));
}

/// A set whose merge appends its own state and the other's to itself: the value is right, the
/// state doubles at every merge.
#[derive(Clone, Copy, Debug)]
struct Doubling;

/// A bag of elements compared as a set, printed in full.
#[derive(Clone)]
struct Bag(Vec<u8>);

impl Bag {
    fn set(&self) -> BTreeSet<u8> {
        self.0.iter().copied().collect()
    }
}

impl PartialEq for Bag {
    fn eq(&self, other: &Bag) -> bool {
        self.set() == other.set()
    }
}

impl fmt::Debug for Bag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl Model for Doubling {
    type State = Bag;
    type Op = u8;
    type Value = BTreeSet<u8>;
    fn new_replica(&self, _: ReplicaId) -> Bag {
        Bag(Vec::new())
    }
    fn value(&self, state: &Bag) -> BTreeSet<u8> {
        state.set()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..8u8).boxed()
    }
}

impl StateCrdt for Doubling {
    fn apply(&self, state: &mut Bag, _: ReplicaId, op: &u8) {
        state.0.push(*op);
    }
    fn merge(&self, into: &mut Bag, from: &Bag) {
        let mine = into.0.clone();
        into.0.extend(mine);
        into.0.extend(&from.0);
    }
    fn leq(&self, a: &Bag, b: &Bag) -> Option<bool> {
        Some(a.set().is_subset(&b.set()))
    }
}

#[test]
fn a_state_doubling_at_every_merge_explodes_at_the_default_size() {
    let summary = Harness::state(&Doubling).schedules(200).seed(1).run();
    let failure = summary
        .failure_of(Property::StateExplosion)
        .unwrap_or_else(|| panic!("not caught:\n{summary}"));
    assert!(
        failure.finding.message.contains("merging"),
        "caught by the growth limit, not the absolute one: {}",
        failure.finding
    );
    // Without the growth limits, the absolute one alone misses it at the default 50 steps.
    let absolute_only = Harness::state(&Doubling)
        .schedules(200)
        .seed(1)
        .limits(Limits {
            bytes_per_update: usize::MAX,
            merge_slack_bytes: usize::MAX / 2,
            ..Limits::default()
        })
        .run();
    assert!(absolute_only.passed(), "{absolute_only}");
    // The per-update limit alone catches growth faster than its allowance (here 1 byte per
    // update beyond 16).
    let summary = Harness::state(&Doubling)
        .schedules(200)
        .seed(1)
        .limits(Limits {
            bytes_per_update: 1,
            growth_slack_bytes: 16,
            merge_slack_bytes: usize::MAX / 2,
            ..Limits::default()
        })
        .run();
    let failure = summary
        .failure_of(Property::StateExplosion)
        .unwrap_or_else(|| panic!("not caught:\n{summary}"));
    assert!(
        failure.finding.message.contains("per update"),
        "{}",
        failure.finding
    );
}

/// A set with two bugs: replica B panics adding 7, and merge drops 3.
#[derive(Clone, Copy, Debug)]
struct TwoBugs;

impl Model for TwoBugs {
    type State = BTreeSet<u8>;
    type Op = u8;
    type Value = BTreeSet<u8>;
    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> BTreeSet<u8> {
        BTreeSet::new()
    }
    fn value(&self, state: &BTreeSet<u8>) -> BTreeSet<u8> {
        state.clone()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..8u8).boxed()
    }
}

impl StateCrdt for TwoBugs {
    fn apply(&self, state: &mut BTreeSet<u8>, replica: ReplicaId, op: &u8) {
        assert!(
            !(*op == 7 && replica == ReplicaId::new(1)),
            "B cannot add 7"
        );
        state.insert(*op);
    }
    fn merge(&self, into: &mut BTreeSet<u8>, from: &BTreeSet<u8>) {
        into.extend(from.iter().copied().filter(|&x| x != 3));
    }
}

#[test]
fn a_default_run_names_every_property_it_broke() {
    let summary = Harness::state(&TwoBugs).faults(Faults::NONE).seed(2).run();
    // Merge dropping 3 moves a state down (the order derived from merge sees it) and a panic:
    // both named, each with its own minimal schedule.
    let properties: Vec<Property> = summary.properties().collect();
    assert!(properties.contains(&Property::Panic), "{summary}");
    assert!(properties.contains(&Property::MonotoneGrowth), "{summary}");
    assert_eq!(
        summary.failure().map(|f| f.schedule_index),
        summary.failures.iter().map(|f| f.schedule_index).min()
    );
    // The run stopped at the end of the first failing batch.
    assert!(
        summary.schedules <= crdt_harness::runner::BATCH,
        "{summary}"
    );
}

#[test]
#[ignore = "a measurement: cargo test --release -p crdt-harness --test containment -- --ignored --nocapture"]
fn watchdog_overhead() {
    use crdt_impls::models::OrSetModel;
    let model = OrSetModel::default();
    for threads in [1, 2] {
        let options = Options {
            schedules: Some(512),
            seed: 6,
            threads: Some(threads),
            ..Options::default()
        };
        let inline = search(&crdt_harness::protocol::DeltaProtocol(&model), &options);
        let watched = Harness::delta(&model).options(options).run();
        println!(
            "{threads} thread(s): inline {:.0} schedules/s, watched {:.0} schedules/s",
            inline.throughput(),
            watched.throughput()
        );
    }
}
