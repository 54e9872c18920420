//! The law catalogue on lawful toy models, through all three ways of running it.

use crdt_laws::toys::{Divisibility, MaxRegister, OpCounter, OpGrowSet, SetUnion};
use crdt_laws::{Config, Law, Verdict, check_delta, check_op, check_state, leq};

// One named test per law: `cargo test -p crdt-laws` lists `max_register::join_commutative` etc.
crdt_laws::check_delta_crdt!(max_register, MaxRegister);
crdt_laws::check_state_crdt!(divisibility, Divisibility);
crdt_laws::check_delta_crdt!(set_union, SetUnion::default());
crdt_laws::check_op_crdt!(op_counter, OpCounter);
crdt_laws::check_op_crdt!(op_grow_set, OpGrowSet);

fn config() -> Config {
    Config::default().with_seed(11)
}

#[test]
fn one_type_two_orders() {
    // `u64` under `≤` with max, and under divisibility with lcm: both lawful, and they disagree.
    assert!(leq(&MaxRegister, &4, &6));
    assert!(!leq(&Divisibility, &4, &6));
    assert!(leq(&Divisibility, &4, &12));
    for report in [
        check_state(&MaxRegister, &config()),
        check_state(&Divisibility, &config()),
    ] {
        assert!(report.all_passed(), "{report}");
        // Only the diff laws are skipped: these toys declare no diff.
        assert!(
            report
                .skipped
                .iter()
                .all(|s| matches!(s.law, Law::DiffRestoresJoin | Law::DiffBelowLocal)),
            "{report}"
        );
        assert_eq!(
            report.get(Law::LeqAgreesWithMerge).unwrap().verdict,
            Verdict::Passed
        );
    }
}

#[test]
fn lawful_models_pass_everything_with_premises_met() {
    let reports = [
        check_delta(&MaxRegister, &config()),
        check_delta(&SetUnion::default(), &config()),
        check_op(&OpCounter, &config()),
        check_op(&OpGrowSet, &config()),
    ];
    for report in &reports {
        assert!(report.all_passed(), "{report}");
        for result in &report.results {
            if let Some(hits) = result.premise_hits {
                // Biased generators make premises hold far more often than the threshold;
                // the diff laws' premise (`local ≰ remote`) only above the runner's own 10%.
                let share = match result.law {
                    Law::DiffRestoresJoin | Law::DiffBelowLocal => 10,
                    _ => 4,
                };
                assert!(hits * share >= result.cases, "{report}");
            }
        }
    }
    // Only the op-based counter skips a law: its delivery never duplicates.
    let op_counter = &reports[2];
    assert_eq!(op_counter.skipped.len(), 1);
    assert_eq!(op_counter.skipped[0].law, Law::EffectIdempotent);
}

#[test]
fn same_seed_same_results_with_any_number_of_threads() {
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| check_state(&SetUnion::default(), &config()))
    };
    let (one, four) = (run(1), run(4));
    let summary = |r: &crdt_laws::LawReport| {
        r.results
            .iter()
            .map(|x| (x.law, x.verdict, x.cases, x.premise_hits, x.seed))
            .collect::<Vec<_>>()
    };
    assert_eq!(summary(&one), summary(&four));
}

#[test]
fn results_serialize() {
    let report = check_op(&OpCounter, &config());
    let json = serde_json::to_string(&report).unwrap();
    let back: crdt_laws::LawReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn a_failed_law_counts_the_cases_before_the_failure_not_the_shrinking() {
    use crdt_laws::{Model, ReplicaId};
    use proptest::prelude::*;
    /// A max-register whose merge forgets everything above 50.
    struct Forgetful;
    impl Model for Forgetful {
        fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
            Some(a == b)
        }

        type State = u64;
        type Op = u64;
        type Value = u64;
        fn new_replica(&self, _: ReplicaId) -> u64 {
            0
        }
        fn value(&self, s: &u64) -> u64 {
            *s
        }
        fn ops(&self) -> BoxedStrategy<u64> {
            (0..100u64).boxed()
        }
    }
    impl crdt_laws::StateCrdt for Forgetful {
        fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) {
            *s = (*s).max(*op);
        }
        fn merge(&self, into: &mut u64, from: &u64) {
            *into = (*into).max(*from).min(50);
        }
    }
    let report = check_state(&Forgetful, &config().only([Law::JoinIdempotent]));
    let result = &report.results[0];
    assert_eq!(result.verdict, Verdict::Failed);
    assert!(result.cases <= 256, "{} cases counted", result.cases);
}
