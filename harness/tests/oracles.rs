//! Proof that the harness's oracles can fail, and pass when they should: lawful models pass
//! schedules with every fault; each broken model is found, only under the conditions that
//! expose it, within 10,000 schedules, and shrunk to at most twice its known minimal size.

use std::collections::BTreeSet;
use std::time::Duration;

use crdt_harness::Harness;
use crdt_harness::protocol::{DeltaProtocol, OpProtocol, Protocol, StateProtocol};
use crdt_harness::runner::{Options, Shard, Summary, search};
use crdt_harness::schedule::{Dimension, Faults, Schedule, Shape, Step};
use crdt_harness::sim::{Limits, Property};
use crdt_impls::broken::{
    CausalOrSet, DuplicatedCounter, ForgottenTombstones, IndexList, ListOp, LoweringPnCounter,
    RemoveWinsSoldAsAddWins, RgaList, TwoSlotCounter,
};
use crdt_laws::toys::{MaxRegister, OpCounter, OpGrowSet, SetUnion};
use crdt_laws::{Error, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;

type Op<P> = <<P as Protocol>::Model as Model>::Op;

/// A shape fixed in every dimension (no swarm): these tests show which faults and how many
/// replicas each mistake needs.
fn options(faults: Faults, replicas: u32, schedules: u64) -> Options {
    Options {
        shape: Shape {
            replicas: Dimension::Fixed(replicas),
            steps: Dimension::Fixed(50),
            faults: Dimension::Fixed(faults),
            ..Shape::default()
        },
        schedules: Some(schedules),
        seed: 7,
        ..Options::default()
    }
}

fn only(fault: &str) -> Faults {
    Faults::parse(fault).unwrap()
}

/// Runs and returns the summary, asserting it found `property` within 10,000 schedules with a
/// schedule of at most `max_steps` steps after shrinking.
fn assert_found<P: Protocol>(
    protocol: &P,
    options: &Options,
    property: Property,
    max_steps: usize,
) -> Summary<Op<P>>
where
    Op<P>: 'static,
{
    let options = Options {
        schedules: Some(10_000),
        ..options.clone()
    };
    let summary = search(protocol, &options);
    // The run reports the first failure of each property it broke: the oracle under test must
    // be among them (another may see the same bug first, on another schedule).
    let failure = summary
        .failure_of(property)
        .unwrap_or_else(|| panic!("{property} not found in 10,000 schedules:\n{summary}"));
    assert!(
        failure.shrunk.steps.len() <= max_steps,
        "shrunk to {} steps, more than {max_steps}:\n{summary}",
        failure.shrunk.steps.len()
    );
    assert!(failure.shrink.steps_before >= failure.shrink.steps_after);
    failure.shrunk.validate().unwrap();
    summary
}

/// [`assert_found`] for several seeds: the bound on shrinking holds whatever the seed.
fn assert_found_for_seeds<P: Protocol>(
    protocol: &P,
    options: &Options,
    property: Property,
    max_steps: usize,
) -> Summary<Op<P>>
where
    Op<P>: 'static,
{
    for seed in 1..=4 {
        let other = Options {
            seed,
            ..options.clone()
        };
        assert_found(protocol, &other, property, max_steps);
    }
    assert_found(protocol, options, property, max_steps)
}

#[track_caller]
fn assert_passes<P: Protocol>(protocol: &P, options: &Options)
where
    Op<P>: 'static,
{
    let summary = search(protocol, options);
    assert!(summary.passed(), "{summary}");
    assert_eq!(summary.schedules, options.schedules.unwrap());
}

#[test]
fn lawful_models_pass_every_fault() {
    let all = options(Faults::ALL, 4, 300);
    assert_passes(&StateProtocol(&SetUnion::default()), &all);
    assert_passes(&DeltaProtocol(&SetUnion::default()), &all);
    assert_passes(&DeltaProtocol(&MaxRegister), &all);
    assert_passes(&OpProtocol(&OpGrowSet), &all);
    assert_passes(&OpProtocol(&OpCounter), &all);
}

#[test]
fn duplication_exposes_non_idempotent_effects() {
    // Known minimum: A increments, the broadcast to B is duplicated; B counts twice.
    assert_passes(
        &OpProtocol(&DuplicatedCounter),
        &options(only("drop,reorder,partition,crash"), 4, 500),
    );
    let summary = assert_found_for_seeds(
        &OpProtocol(&DuplicatedCounter),
        &options(only("dup"), 4, 0),
        Property::Convergence,
        4,
    );
    assert!(
        summary.failures[0]
            .shrunk
            .steps
            .iter()
            .any(|s| s.to_string().contains("duplicate"))
    );
}

#[test]
fn reordering_exposes_a_causal_delivery_assumption() {
    // Known minimum: A adds x, A removes x, B receives the remove first (3 steps). The
    // specification judges B only once what it applied is known (its received updates causally
    // complete), so the shrinker must keep the remove's overtaking at the end of the schedule,
    // and with some seeds stops at up to 9 steps.
    assert_passes(
        &OpProtocol(&CausalOrSet),
        &options(only("dup,partition,crash"), 4, 500),
    );
    assert_found_for_seeds(
        &OpProtocol(&CausalOrSet),
        &options(only("reorder"), 4, 0),
        Property::Specification,
        10,
    );
}

#[test]
fn three_replicas_expose_a_two_slot_counter() {
    // Known minimum: one increment, at the third replica, relayed by the first (1 step).
    assert_passes(
        &StateProtocol(&TwoSlotCounter),
        &options(Faults::ALL, 2, 500),
    );
    let summary = assert_found_for_seeds(
        &StateProtocol(&TwoSlotCounter),
        &options(Faults::NONE, 3, 0),
        Property::Convergence,
        2,
    );
    assert_eq!(summary.failures[0].shrunk.replicas, 3);
}

#[test]
fn crash_restart_exposes_a_field_skipped_by_serialization() {
    // Known minimum: remove x, crash; the restart brings x back (2 steps).
    assert_passes(
        &StateProtocol(&ForgottenTombstones),
        &options(only("drop,dup,reorder,partition"), 4, 500),
    );
    assert_found_for_seeds(
        &StateProtocol(&ForgottenTombstones),
        &options(only("crash"), 4, 0),
        Property::MonotoneGrowth,
        4,
    );
}

#[test]
fn a_convergent_set_can_still_break_its_specification() {
    // Known minimum: A adds x while B removes x; add-wins keeps x, the two-phase set drops it.
    let summary = assert_found_for_seeds(
        &StateProtocol(&RemoveWinsSoldAsAddWins),
        &options(Faults::ALL, 4, 0),
        Property::Specification,
        4,
    );
    // It does converge: with every fault, over many schedules, specification is all it breaks.
    let everything = search(
        &StateProtocol(&RemoveWinsSoldAsAddWins),
        &Options {
            keep_going: true,
            ..options(Faults::ALL, 4, 500)
        },
    );
    let broken: BTreeSet<Property> = everything
        .failures
        .iter()
        .map(|f| f.finding.property)
        .collect();
    assert_eq!(
        broken,
        BTreeSet::from([Property::Specification]),
        "{everything}"
    );
    drop(summary);
}

#[test]
fn decreasing_state_breaks_monotone_growth() {
    assert_found(
        &StateProtocol(&LoweringPnCounter),
        &options(Faults::NONE, 4, 0),
        Property::MonotoneGrowth,
        2,
    );
}

#[test]
fn lists_are_checked_for_one_order_and_for_interleaving() {
    assert_found(
        &OpProtocol(&IndexList),
        &options(Faults::NONE, 4, 0),
        Property::SequenceOrder,
        4,
    );
    // Known minimum: A inserts two elements backwards while B inserts one (3 steps). The
    // paper's backward non-interleaving names the run it split (contiguity may see the same
    // bug first, on another schedule).
    let summary = assert_found(
        &OpProtocol(&RgaList),
        &options(Faults::NONE, 4, 0),
        Property::BackwardInterleaving,
        6,
    );
    let finding = &summary
        .failure_of(Property::BackwardInterleaving)
        .expect("found")
        .finding;
    assert!(
        finding.message.contains("a run typed backwards was split"),
        "{finding}"
    );
}

/// The contiguity of a replica's own runs still judges lists the paper's definitions cannot
/// (their origins count tombstones, which a black-box check does not see): here a deletion
/// comes first, then A and B each type two letters backwards at the start, and RGA
/// interleaves them.
#[test]
fn contiguity_judges_runs_after_deletions() {
    let step = |replica: u32, op: ListOp| Step::Update {
        replica: ReplicaId::new(replica),
        op,
    };
    let ins = |value| ListOp::Insert { at: 0, value };
    let schedule = Schedule {
        replicas: 2,
        late: vec![],
        steps: vec![
            step(0, ins('x')),
            step(0, ListOp::Delete { at: 0 }),
            Step::Deliver {
                to: ReplicaId::new(1),
                pick: 1,
            },
            Step::Deliver {
                to: ReplicaId::new(1),
                pick: 0,
            },
            step(0, ins('a')),
            step(0, ins('b')),
            step(1, ins('c')),
            step(1, ins('d')),
        ],
    };
    let outcome = Harness::op(&RgaList).faults(Faults::NONE).replay(&schedule);
    let finding = outcome
        .finding
        .expect("RGA interleaves the two backward runs");
    assert_eq!(finding.property, Property::Contiguity, "{finding}");
}

/// A set whose states are vectors merged by concatenation: the value (sorted, deduplicated)
/// converges while the states do not.
#[derive(Clone, Copy, Debug, Default)]
struct ConcatenatedSet;

impl Model for ConcatenatedSet {
    type State = Vec<u8>;
    type Op = u8;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Vec<u8> {
        Vec::new()
    }
    fn value(&self, s: &Vec<u8>) -> BTreeSet<u8> {
        s.iter().copied().collect()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..4u8).boxed()
    }
}

impl StateCrdt for ConcatenatedSet {
    fn apply(&self, s: &mut Vec<u8>, _: ReplicaId, op: &u8) {
        s.push(*op);
    }
    fn merge(&self, into: &mut Vec<u8>, from: &Vec<u8>) {
        into.extend_from_slice(from);
    }
    fn leq(&self, a: &Vec<u8>, b: &Vec<u8>) -> Option<bool> {
        // The order its author had in mind: inclusion of the elements.
        Some(a.iter().all(|x| b.contains(x)))
    }
}

#[test]
fn equal_values_with_different_states_is_its_own_finding() {
    assert_found(
        &StateProtocol(&ConcatenatedSet),
        &options(Faults::NONE, 4, 0),
        Property::EqualValuesDifferentStates,
        3,
    );
}

/// A max-register with misbehaviour switched on by the value written.
#[derive(Clone, Copy, Debug)]
enum Trouble {
    /// Panics when a value of 9 is written.
    Panic,
    /// Sleeps when a value of 9 is written.
    Slow,
    /// Grows a kilobyte per write.
    Bloat,
    /// Cannot serialize a state holding 9.
    Codec,
}

impl Model for Trouble {
    type State = Vec<u64>;
    type Op = u64;
    type Value = u64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Vec<u64> {
        Vec::new()
    }
    fn value(&self, s: &Vec<u64>) -> u64 {
        s.iter().copied().max().unwrap_or(0)
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        (0..10u64).boxed()
    }
    fn round_trip(&self, s: &Vec<u64>) -> Option<Result<Vec<u64>, Error>> {
        match self {
            Trouble::Codec if s.contains(&9) => Some(Err(Error::Codec {
                message: "9 has no encoding".into(),
            })),
            _ => Some(Ok(s.clone())),
        }
    }
}

impl StateCrdt for Trouble {
    fn apply(&self, s: &mut Vec<u64>, _: ReplicaId, op: &u64) {
        match self {
            Trouble::Panic => assert!(*op != 9, "nine is not allowed"),
            Trouble::Slow if *op == 9 => std::thread::sleep(Duration::from_millis(500)),
            Trouble::Bloat => s.extend(std::iter::repeat_n(*op, 200)),
            _ => {}
        }
        let max = s.iter().copied().max().unwrap_or(0).max(*op);
        s.retain(|_| matches!(self, Trouble::Bloat));
        s.push(max);
    }
    fn merge(&self, into: &mut Vec<u64>, from: &Vec<u64>) {
        if matches!(self, Trouble::Bloat) {
            let mut all: Vec<u64> = into.iter().chain(from).copied().collect();
            all.sort_unstable();
            *into = all;
            return;
        }
        let max = into.iter().chain(from).copied().max();
        *into = max.into_iter().collect();
    }
    fn leq(&self, a: &Vec<u64>, b: &Vec<u64>) -> Option<bool> {
        Some(a.iter().max() <= b.iter().max())
    }
}

#[test]
fn containment_turns_misbehaviour_into_findings() {
    let calm = options(only("crash"), 3, 0);
    assert_found(&StateProtocol(&Trouble::Panic), &calm, Property::Panic, 1);
    // A step sleeping 500 ms against a 100 ms budget: a wide margin, so a loaded machine does
    // not turn other steps into findings.
    let impatient = Options {
        limits: Limits {
            step_budget: Duration::from_millis(100),
            ..Limits::default()
        },
        ..calm.clone()
    };
    assert_found(
        &StateProtocol(&Trouble::Slow),
        &impatient,
        Property::StepTimeout,
        1,
    );
    // About 600 bytes per write against a 4 KiB limit: a handful of steps.
    let small = Options {
        limits: Limits {
            max_state_bytes: 4096,
            ..Limits::default()
        },
        ..calm.clone()
    };
    assert_found(
        &StateProtocol(&Trouble::Bloat),
        &small,
        Property::StateExplosion,
        8,
    );
    assert_found(
        &StateProtocol(&Trouble::Codec),
        &calm,
        Property::Persistence,
        2,
    );
}

fn fingerprint<Op: std::fmt::Debug>(s: &Summary<Op>) -> String {
    let failures: Vec<String> = s
        .failures
        .iter()
        .map(|f| format!("{} {} {:?}", f.schedule_index, f.finding, f.shrunk))
        .collect();
    format!(
        "{} {} {:?} {}",
        s.schedules, s.steps, failures, s.more_failures
    )
}

#[test]
fn same_seed_same_result_with_any_number_of_threads() {
    for protocol_run in [
        |threads| {
            let opts = Options {
                threads: Some(threads),
                ..options(Faults::ALL, 4, 300)
            };
            fingerprint(&search(&OpProtocol(&CausalOrSet), &opts))
        },
        |threads| {
            let opts = Options {
                threads: Some(threads),
                ..options(Faults::ALL, 4, 300)
            };
            fingerprint(&search(&StateProtocol(&SetUnion::default()), &opts))
        },
    ] {
        assert_eq!(protocol_run(1), protocol_run(2));
        assert_eq!(protocol_run(1), protocol_run(3));
    }
}

#[test]
fn shards_split_the_run_exactly() {
    let whole = search(
        &StateProtocol(&SetUnion::default()),
        &options(Faults::ALL, 4, 200),
    );
    let parts: Vec<_> = (1..=3)
        .map(|k| {
            let opts = Options {
                shard: format!("{k}/3").parse::<Shard>().unwrap(),
                ..options(Faults::ALL, 4, 200)
            };
            search(&StateProtocol(&SetUnion::default()), &opts)
        })
        .collect();
    assert_eq!(
        parts.iter().map(|p| p.schedules).sum::<u64>(),
        whole.schedules
    );
    assert_eq!(parts.iter().map(|p| p.steps).sum::<u64>(), whole.steps);
    // A failure is found by the shard that owns its schedule, at the same index.
    let broken = search(
        &OpProtocol(&DuplicatedCounter),
        &options(only("dup"), 4, 200),
    );
    let index = broken.failures[0].schedule_index;
    let owner = Shard {
        index: (index % 3) as u32,
        count: 3,
    };
    let sharded = search(
        &OpProtocol(&DuplicatedCounter),
        &Options {
            shard: owner,
            ..options(only("dup"), 4, 200)
        },
    );
    assert_eq!(sharded.failures[0].schedule_index, index);
    assert_eq!(sharded.failures[0].shrunk, broken.failures[0].shrunk);
}

#[test]
fn a_time_budget_stops_the_run() {
    let opts = Options {
        schedules: None,
        time: Some(Duration::from_millis(300)),
        ..options(Faults::ALL, 4, 0)
    };
    let summary = search(&StateProtocol(&SetUnion::default()), &opts);
    assert!(summary.passed());
    assert!(summary.schedules > 0);
    assert!(summary.duration < Duration::from_secs(5));
}

/// Regression: delta groups must forward what their sender received. A G-Set's delta for
/// re-adding an element its replica already has is empty; if B's group to C held only B's own
/// deltas, C would be told it had seen B's update without ever receiving the element, and the
/// harness would blame a correct CRDT. Found by `check all` on the reference G-Set.
#[test]
fn delta_groups_forward_what_their_sender_received() {
    use crdt_harness::{Harness, Schedule};
    use crdt_impls::models::GSetModel;
    let schedule: Schedule<crdt_impls::ops::SetOp<u8>> = serde_json::from_str(
        r#"{"replicas": 3, "steps": [
            {"kind": "update", "replica": 0, "op": {"Add": 0}},
            {"kind": "send", "from": 0, "to": 1},
            {"kind": "deliver", "to": 1, "pick": 0},
            {"kind": "update", "replica": 1, "op": {"Add": 0}},
            {"kind": "send", "from": 1, "to": 2},
            {"kind": "deliver", "to": 2, "pick": 0}
        ]}"#,
    )
    .unwrap();
    let outcome = Harness::delta(&GSetModel::default())
        .faults(Faults::NONE)
        .replay(&schedule);
    assert!(outcome.finding.is_none(), "{}", outcome.finding.unwrap());
}

/// Regression: the contiguity oracle only pairs inserts typed without receiving anything in
/// between. Here C types '1', receives A's 'a', then types '2' between 'a' and '1'; Fugue glues
/// '2' to its new left neighbour 'a', so B's concurrent 'b' may land between '2' and '1'. That
/// is not interleaving of a run, and must not be reported (found by the Fugue list's author
/// with an earlier, stricter oracle).
#[test]
fn a_run_ends_when_its_replica_receives_something() {
    use crdt_harness::{Harness, Schedule};
    use crdt_impls::fugue::{FugueListModel, FugueMaxListModel};
    let schedule: Schedule<crdt_impls::fugue::ListOp<char>> = serde_json::from_str(
        r#"{"replicas": 3, "steps": [
            {"kind": "update", "replica": 2, "op": {"Insert": {"at": 0, "value": "1"}}},
            {"kind": "update", "replica": 0, "op": {"Insert": {"at": 0, "value": "a"}}},
            {"kind": "update", "replica": 1, "op": {"Insert": {"at": 0, "value": "b"}}},
            {"kind": "deliver", "to": 2, "pick": 1},
            {"kind": "update", "replica": 2, "op": {"Insert": {"at": 1, "value": "2"}}}
        ]}"#,
    )
    .unwrap();
    // With reordering, picks count back from the newest message: pick 1 delivers A's 'a' to C
    // before B's 'b'.
    for outcome in [
        Harness::op(&FugueListModel::default())
            .faults(Faults::parse("reorder").unwrap())
            .replay(&schedule),
        Harness::op(&FugueMaxListModel::default())
            .faults(Faults::parse("reorder").unwrap())
            .replay(&schedule),
    ] {
        assert!(outcome.finding.is_none(), "{}", outcome.finding.unwrap());
        assert!(
            outcome.values.iter().all(|(_, v)| v == "\"a2b1\""),
            "{:?}",
            outcome.values
        );
    }
}

#[test]
fn fugue_lists_keep_runs_together_under_every_fault() {
    use crdt_impls::fugue::{FugueListModel, FugueMaxListModel};
    let opts = options(Faults::ALL, 4, 200);
    assert_passes(&OpProtocol(&FugueListModel::default()), &opts);
    assert_passes(&StateProtocol(&FugueMaxListModel::default()), &opts);
}

/// A model whose every entry point may panic: where it panics must not matter, the harness and
/// the laws report it and go on.
#[derive(Clone, Copy, Debug)]
enum PanicsIn {
    NewReplica,
    Value,
    Ops,
}

impl Model for PanicsIn {
    type State = u64;
    type Op = u64;
    type Value = u64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> u64 {
        assert!(!matches!(self, PanicsIn::NewReplica), "no replicas today");
        0
    }
    fn value(&self, s: &u64) -> u64 {
        assert!(!matches!(self, PanicsIn::Value), "no values today");
        *s
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        assert!(!matches!(self, PanicsIn::Ops), "no operations today");
        (0..10u64).boxed()
    }
}

impl StateCrdt for PanicsIn {
    fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) {
        *s = (*s).max(*op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = (*into).max(*from);
    }
}

#[test]
fn a_model_that_panics_anywhere_is_a_finding_not_a_crash() {
    for model in [PanicsIn::NewReplica, PanicsIn::Value, PanicsIn::Ops] {
        let summary = search(&StateProtocol(&model), &options(Faults::ALL, 3, 50));
        let failure = summary
            .failures
            .first()
            .unwrap_or_else(|| panic!("{model:?}: no finding\n{summary}"));
        assert_eq!(
            failure.finding.property,
            Property::Panic,
            "{model:?}: {summary}"
        );
        assert!(
            failure.finding.message.contains("today"),
            "{model:?}: {summary}"
        );
        let laws = crdt_laws::check_state(&model, &crdt_laws::Config::default().with_seed(1));
        assert!(!laws.all_passed(), "{model:?}: {laws}");
    }
}
