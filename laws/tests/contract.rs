//! The model contract for libraries as they are: forks that must be independent, states that
//! cannot be compared, operations produced by local edits, invariants, and specifications that
//! see only what a replica has applied. Each check is shown catching a model that breaks it,
//! and passing the honest version.

mod common;
mod fixtures;

use std::cell::RefCell;
use std::rc::Rc;

use common::{assert_caught, config};
use crdt_laws::{Law, Model, ReplicaId, StateCrdt, Verdict, check_op, check_state};
use fixtures::{BufferingModel, CounterTagged, HandleSet};
use proptest::prelude::*;

#[test]
fn a_fork_that_shares_state_is_caught_with_the_fix() {
    let report = check_state(&HandleSet { honest: false }, &config());
    let cx = crdt_laws::testing::assert_caught(&report, Law::ForkIndependent);
    assert!(
        cx.to_string()
            .contains("Model::fork must return an independent copy"),
        "{cx}"
    );
}

#[test]
fn an_independent_fork_passes_and_unjudgeable_laws_say_why() {
    let report = check_state(&HandleSet { honest: true }, &config());
    assert!(report.all_passed(), "{report}");
    assert_eq!(
        report.get(Law::ForkIndependent).unwrap().verdict,
        Verdict::Passed
    );
    // No state equality and no declared order: the order laws are skipped, with the reason,
    // and the algebraic laws are judged on values.
    for law in [Law::LeqTransitive, Law::JoinLeast, Law::UpdateInflationary] {
        let skipped = report
            .skipped
            .iter()
            .find(|s| s.law == law)
            .expect("skipped");
        assert!(
            skipped.reason.contains("Model::state_eq"),
            "{}",
            skipped.reason
        );
    }
    assert_eq!(
        report.get(Law::JoinCommutative).unwrap().verdict,
        Verdict::Passed
    );
}

/// Without state equality, values are compared: a merge that is not commutative in its
/// value is still caught.
struct LastMergeWins;
impl Model for LastMergeWins {
    type State = Rc<RefCell<u8>>;
    type Op = u8;
    type Value = u8;
    fn new_replica(&self, _: ReplicaId) -> Self::State {
        Rc::default()
    }
    fn value(&self, s: &Self::State) -> u8 {
        *s.borrow()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..8u8).boxed()
    }
    fn fork(&self, s: &Self::State) -> Self::State {
        Rc::new(RefCell::new(*s.borrow()))
    }
}
impl StateCrdt for LastMergeWins {
    fn apply(&self, s: &mut Self::State, _: ReplicaId, x: &u8) {
        *s.borrow_mut() = *x;
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        *into.borrow_mut() = *from.borrow();
    }
}

#[test]
fn without_state_equality_values_are_compared() {
    let report = check_state(&LastMergeWins, &config());
    // `a ⊔ b = b` is associative ((a ⊔ b) ⊔ c = c = a ⊔ (b ⊔ c)) and idempotent.
    assert_caught(&report, Law::JoinCommutative, &[], 6);
}

#[test]
fn a_local_only_model_runs_every_law_but_prepare_pure() {
    let report = check_op(
        &CounterTagged {
            at_most: usize::MAX,
        },
        &config(),
    );
    assert!(report.all_passed(), "{report}");
    let skipped = report
        .skipped
        .iter()
        .find(|s| s.law == Law::PreparePure)
        .expect("prepare_pure is skipped");
    assert!(
        skipped.reason.contains("OpCrdt::local"),
        "{}",
        skipped.reason
    );
    assert_eq!(
        report.get(Law::ValueMatchesSpec).unwrap().verdict,
        Verdict::Passed
    );
}

#[test]
fn a_broken_invariant_is_its_own_law() {
    let report = check_op(&CounterTagged { at_most: 2 }, &config());
    let cx = crdt_laws::testing::assert_caught(&report, Law::InvariantHolds);
    assert!(cx.to_string().contains("more than 2"), "{cx}");
    let failed = crdt_laws::testing::failed(&report);
    assert_eq!(failed, vec![Law::InvariantHolds], "{report}");
}

#[test]
fn a_specification_sees_only_what_was_applied() {
    // Before: the spec was evaluated over messages the replica had buffered, not applied.
    let report = check_op(&BufferingModel, &config());
    assert!(report.all_passed(), "{report}");
    assert_eq!(
        report.get(Law::ValueMatchesSpec).unwrap().verdict,
        Verdict::Passed
    );
}
