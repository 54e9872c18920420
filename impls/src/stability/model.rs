//! The model of [`StableSet`]: operation-based, causal delivery, the add-wins specification.

use std::collections::BTreeSet;

use crdt_laws::vocab::set::{SetOp, add_wins};
use crdt_laws::{Delivery, Dot, Error, History, Model, OpCrdt, ReplicaId, json_round_trip};
use proptest::prelude::*;

use super::{StableSet, Stamped};

/// The model of [`StableSet`]: adds and removes of elements below `domain`, three adds for each
/// remove; messages delivered causally, exactly once. The number of replicas comes from
/// [`crdt_laws::env::replica_count`] (the harness gives it; the laws do not, so under them
/// nothing is ever stable and the log keeps everything).
///
/// Specification: the add-wins set of the visible updates, however much each replica has
/// collected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StableSetModel {
    /// Elements are drawn from `0..domain`.
    pub domain: u8,
}

impl Default for StableSetModel {
    fn default() -> Self {
        Self { domain: 4 }
    }
}

impl Model for StableSetModel {
    type State = StableSet;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn new_replica(&self, id: ReplicaId) -> StableSet {
        StableSet::new(id)
    }
    fn round_trip(&self, state: &StableSet) -> Option<Result<StableSet, Error>> {
        Some(json_round_trip(state))
    }
    fn value(&self, state: &StableSet) -> BTreeSet<u8> {
        state.value()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        SetOp::strategy(self.domain.max(1), 3)
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        Some(add_wins(history))
    }
}

impl OpCrdt for StableSetModel {
    type Message = Stamped;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn local(&self, state: &mut StableSet, dot: Dot, op: &SetOp<u8>) -> Stamped {
        debug_assert_eq!(dot.replica, state.tracker().owner());
        state.local(op.clone(), crdt_laws::env::replica_count())
    }
    fn effect(&self, state: &mut StableSet, message: &Stamped) {
        state.effect(message, crdt_laws::env::replica_count());
    }
}
