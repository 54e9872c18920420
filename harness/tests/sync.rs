//! The sync flavour's oracles: each catches a protocol broken its way, and a correct protocol
//! passes under every fault.

use crdt_harness::sync::{Silence, SyncModel};
use crdt_harness::{Faults, Harness, Property, Summary};
use crdt_laws::proptest::prelude::*;
use crdt_laws::toys::MaxRegister;
use crdt_laws::{Dot, History, Model, ReplicaId, StateCrdt};

/// How each test protocol goes wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flaw {
    /// None: states are sent until the peer confirms them.
    None,
    /// Sends its state to every peer at every chance, forever.
    Chatty,
    /// Sends each new state once, without confirmation: a lost message is lost for good.
    FireAndForget,
    /// Applies `op + 1` instead of `op` (every replica agrees, on the wrong value).
    OffByOne,
    /// Adds what it receives instead of taking the maximum (past the cap of 99).
    Sums,
}

/// A max-register whose value must stay below 100 (ops are 0 to 99).
#[derive(Clone, Copy, Debug, Default)]
struct Capped;

impl Model for Capped {
    type State = u64;
    type Op = u64;
    type Value = u64;
    fn new_replica(&self, _: ReplicaId) -> u64 {
        0
    }
    fn value(&self, state: &u64) -> u64 {
        *state
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        (0..100u64).boxed()
    }
    fn invariant(&self, value: &u64) -> Result<(), String> {
        if *value < 100 {
            Ok(())
        } else {
            Err(format!("{value} is over the cap of 99"))
        }
    }
    fn spec(&self, history: &History<u64>) -> Option<u64> {
        MaxRegister.spec(history)
    }
}

#[derive(Clone, Debug)]
struct Gossip {
    flaw: Flaw,
    crdt: Capped,
}

fn gossip(flaw: Flaw) -> Gossip {
    Gossip { flaw, crdt: Capped }
}

impl SyncModel for Gossip {
    type Crdt = Capped;
    /// Per peer: the state it confirmed holding, and whether it asked for a confirmation.
    type Sync = Vec<(Option<u64>, bool)>;
    type Message = (u64, bool);

    fn crdt(&self) -> &Capped {
        &self.crdt
    }
    fn new_sync(&self, _: ReplicaId, replicas: u32) -> Self::Sync {
        vec![(None, false); replicas as usize]
    }
    fn update(&self, state: &mut u64, _: &mut Self::Sync, _: Dot, op: &u64) {
        let op = if self.flaw == Flaw::OffByOne {
            (op + 1).min(99)
        } else {
            *op
        };
        MaxRegister.apply(state, crdt_laws::ReplicaId::new(0), &op);
    }
    fn generate(
        &self,
        state: &mut u64,
        sync: &mut Self::Sync,
        to: ReplicaId,
    ) -> Option<(u64, bool)> {
        let (confirmed, owed) = &mut sync[to.index()];
        match self.flaw {
            Flaw::Chatty => return Some((*state, false)),
            Flaw::FireAndForget => {
                // What was sent counts as confirmed.
                let fresh = *confirmed != Some(*state);
                *confirmed = Some(*state);
                return fresh.then_some((*state, false));
            }
            _ => {}
        }
        if *confirmed != Some(*state) {
            return Some((*state, true));
        }
        std::mem::take(owed).then_some((*state, false))
    }
    fn receive(&self, state: &mut u64, sync: &mut Self::Sync, from: ReplicaId, m: &(u64, bool)) {
        if self.flaw == Flaw::Sums {
            *state += m.0;
        } else {
            MaxRegister.merge(state, &m.0);
        }
        let peer = &mut sync[from.index()];
        if m.0 == *state {
            peer.0 = Some(*state);
        }
        peer.1 |= m.1;
    }
    fn after_crash(&self, _: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync {
        self.new_sync(replica, replicas)
    }
    fn silence(&self, _: u32) -> Silence {
        Silence::Rounds(4)
    }
}

fn check(flaw: Flaw, schedules: u64) -> Summary<u64> {
    Harness::sync(&gossip(flaw))
        .faults(Faults::ALL)
        .schedules(schedules)
        .seed(7)
        .run()
}

#[test]
fn a_protocol_that_confirms_converges_and_falls_silent_under_every_fault() {
    let summary = check(Flaw::None, 2000);
    summary.assert_passed();
    assert_eq!(summary.flavour, crdt_laws::Flavour::Sync);
}

/// Asserts that `flaw` is caught as `property`, shrunk, and that the shrunk schedule replays to
/// the same finding.
fn caught(flaw: Flaw, property: Property) {
    let summary = check(flaw, 2000);
    let failure = summary
        .failure_of(property)
        .unwrap_or_else(|| panic!("{flaw:?} not caught as {property}:\n{summary}"));
    assert!(failure.shrunk.steps.len() <= failure.original.steps.len());
    let replayed = Harness::sync(&gossip(flaw))
        .faults(Faults::ALL)
        .replay(&failure.shrunk);
    assert_eq!(
        replayed.finding.map(|f| f.property),
        Some(property),
        "the shrunk schedule replays to the same finding"
    );
}

#[test]
fn a_protocol_that_never_falls_silent_is_caught() {
    caught(Flaw::Chatty, Property::Silence);
}

#[test]
fn a_protocol_that_falls_silent_while_replicas_disagree_is_caught() {
    caught(Flaw::FireAndForget, Property::SilentDisagreement);
}

#[test]
fn a_protocol_that_agrees_on_the_wrong_value_is_caught() {
    caught(Flaw::OffByOne, Property::Specification);
}

#[test]
fn a_protocol_that_breaks_the_invariant_is_caught() {
    caught(Flaw::Sums, Property::Invariant);
}

#[test]
fn the_run_reports_what_the_sync_cost() {
    use crdt_harness::schedule::{Schedule, Step};
    let a = ReplicaId::new(0);
    let schedule = Schedule {
        replicas: 2,
        late: vec![],
        steps: vec![Step::Update { replica: a, op: 42 }],
    };
    let outcome = Harness::sync(&gossip(Flaw::None)).replay(&schedule);
    assert!(outcome.finding.is_none());
    let cost = outcome.stats.sync.expect("a sync run reports its cost");
    // A sends 42 and asks; B confirms; A has nothing more to say.
    assert_eq!((cost.final_messages, cost.final_rounds), (2, 1));
    assert_eq!(
        cost.final_bytes,
        ("(42, true)".len() + "(42, false)".len()) as u64
    );
    assert_eq!(cost.state_bytes, 2);
}

/// The reference protocols of `crdt-impls`, and the fixed versions of the gallery's broken
/// ones, converge and fall silent under every fault.
mod reference {
    use crdt_harness::{Faults, Harness};
    use crdt_impls::broken::{BloomSync, OpSync};
    use crdt_impls::models::{GCounterModel, GSetModel, PnCounterModel};
    use crdt_impls::sync::{DeltaIntervals, PeerDiff, ServerSync};
    use crdt_laws::sync::SyncModel;

    fn passes<S>(model: &S)
    where
        S: SyncModel + Clone + Send + Sync + 'static,
        S::Crdt: Send + Sync,
        <S::Crdt as crdt_laws::Model>::Op: Send + 'static,
    {
        Harness::sync(model)
            .faults(Faults::ALL)
            .schedules(1500)
            .seed(11)
            .run()
            .assert_passed();
    }

    #[test]
    fn one_to_one_sessions() {
        passes(&PeerDiff::one_to_one(GCounterModel::default()));
    }

    #[test]
    fn n_to_m_sessions() {
        passes(&PeerDiff::mesh(GSetModel::default()));
    }

    #[test]
    fn a_server_with_versions() {
        passes(&ServerSync::new(GCounterModel::default()));
        passes(&ServerSync::new(PnCounterModel::default()));
    }

    #[test]
    fn delta_intervals_with_acknowledgements() {
        passes(&DeltaIntervals::new(PnCounterModel::default()));
        passes(&DeltaIntervals::new(GSetModel::default()));
    }

    #[test]
    fn the_fixed_gallery_protocols() {
        passes(&BloomSync {
            resends: true,
            ..BloomSync::default()
        });
        passes(&OpSync {
            queues: true,
            ..OpSync::default()
        });
    }
}

/// The run's summary adds up each passing schedule's cost (the same with any thread count),
/// and the report written from it carries the totals; a run of another flavour carries none.
#[test]
fn the_report_carries_the_sync_cost_of_the_passing_schedules() {
    let run = |threads| {
        Harness::sync(&gossip(Flaw::None))
            .faults(Faults::ALL)
            .schedules(200)
            .seed(3)
            .threads(threads)
            .run()
    };
    let summary = run(1);
    let totals = summary.sync.expect("a sync run sums its cost");
    assert_eq!(
        totals.schedules, 200,
        "every schedule passed and is counted"
    );
    assert!(
        totals.final_messages >= totals.schedules,
        "each final sync sends"
    );
    assert!(totals.messages >= totals.final_messages);
    assert!(totals.bytes > totals.final_bytes);
    assert_eq!(run(2).sync, Some(totals), "the same with two threads");
    assert!(
        summary
            .to_string()
            .contains("sync cost per passing schedule")
    );

    let (config, shards) = crdt_harness::report::run(&summary, &[]);
    assert_eq!(shards.sync(), Some(totals));
    let mut report = crdt_reports::Report::default().with_model(
        "gossip",
        crdt_reports::ModelReport::new(crdt_harness::report::flavour(summary.flavour))
            .with_run(config, shards),
    );
    report.invocations.insert(crdt_harness::report::invocation(
        vec!["test".into()],
        summary.seed,
        1,
        summary.shard,
        std::time::SystemTime::UNIX_EPOCH,
        summary.duration,
        true,
    ));
    let json = report.to_json();
    assert!(json.contains("\"final_bytes\""), "{json}");
    let back = crdt_reports::Report::from_json(&json).expect("reads its own report");
    assert_eq!(back, report);
    let md = crdt_reports::markdown(&back);
    assert!(md.contains("### Sync cost"), "{md}");
    assert!(crdt_reports::terminal(&back, false).contains("SYNC COST"));

    // A failing run counts only its passing schedules.
    let failing = check(Flaw::FireAndForget, 2000);
    let counted = failing.sync.map_or(0, |t| t.schedules);
    assert!(counted < failing.schedules, "{failing}");

    let state = Harness::state(&MaxRegister).schedules(20).run();
    assert_eq!(state.sync, None);
    let (_, shards) = crdt_harness::report::run(&state, &[]);
    assert_eq!(shards.sync(), None);
}
