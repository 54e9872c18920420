//! diamond-types (1.0.0), verified through its public API as an op-based list CRDT: the
//! op-based laws, and randomized schedules checked by the convergence and sequence oracles
//! (one order of all elements at every replica, at every step).
//!
//! diamond-types promises convergence, not a specification or non-interleaving; the
//! `as_fugue_max` tests check both anyway, as an experiment (see `DiamondModel`).
//!
//! The `#[ignore]`d `*_heavy` tests run 20,000 schedules: `cargo test --release -p crdt-harness
//! --test third_party_diamond -- --ignored`.

#[allow(dead_code)] // shared with the other `third_party_*` tests and the example
pub mod third_party;

use crdt_harness::protocol::OpProtocol;
use crdt_harness::{Faults, Property};
use crdt_impls::fugue::{ListOp, RightSiblings, spec};
use crdt_laws::{History, Model, OpCrdt, ReplicaId};
use proptest::strategy::BoxedStrategy;
use third_party::diamond::{DiamondModel, Patch, Text};
use third_party::{assert_schedules_pass, harness};

const PROMISED: DiamondModel = DiamondModel {
    as_fugue_max: false,
};
const AS_FUGUE_MAX: DiamondModel = DiamondModel { as_fugue_max: true };

crdt_laws::check_op_crdt!(op_laws, PROMISED);
crdt_laws::check_op_crdt!(fugue_max_laws, AS_FUGUE_MAX);

#[test]
fn converges_with_one_element_order() {
    assert_schedules_pass(OpProtocol(&PROMISED), 200, 1);
}

#[test]
fn behaves_as_fugue_max() {
    assert_schedules_pass(OpProtocol(&AS_FUGUE_MAX), 200, 2);
}

#[test]
#[ignore = "20,000 schedules: run in release"]
fn heavy() {
    assert_schedules_pass(OpProtocol(&PROMISED), 20_000, 11);
    assert_schedules_pass(OpProtocol(&AS_FUGUE_MAX), 20_000, 12);
}

/// The model checked against plain Fugue instead of FugueMax: the two order concurrent right
/// siblings differently, so the FugueMax agreement above is not vacuous.
struct AsPlainFugue;

impl Model for AsPlainFugue {
    type State = Text;
    type Op = ListOp<char>;
    type Value = String;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, id: ReplicaId) -> Text {
        PROMISED.new_replica(id)
    }
    fn value(&self, text: &Text) -> String {
        PROMISED.value(text)
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        PROMISED.ops()
    }
    fn spec(&self, history: &History<ListOp<char>>) -> Option<String> {
        Some(
            spec::value(history, RightSiblings::ById)
                .into_iter()
                .collect(),
        )
    }
}

impl OpCrdt for AsPlainFugue {
    type Message = Patch;

    fn delivery(&self) -> crdt_laws::Delivery {
        PROMISED.delivery()
    }
    fn prepare(&self, text: &Text, id: ReplicaId, op: &ListOp<char>) -> Option<Patch> {
        PROMISED.prepare(text, id, op)
    }
    fn effect(&self, text: &mut Text, patch: &Patch) {
        PROMISED.effect(text, patch);
    }
}

#[test]
fn the_fugue_max_check_tells_fugue_max_from_fugue() {
    let summary = harness(OpProtocol(&AsPlainFugue), Faults::ALL, 5_000, 3).run();
    let failure = summary.failures.first().expect("Fugue and FugueMax differ");
    assert_eq!(
        failure.finding.property,
        Property::Specification,
        "{summary}"
    );
}
