//! Broken garbage collection: collecting before causal stability.

use std::collections::BTreeSet;

use crdt_laws::vocab::set::SetOp;
use crdt_laws::{Delivery, Dot, Error, History, Model, OpCrdt, ReplicaId};
use proptest::prelude::*;

use crate::stability::{StableSet, StableSetModel, Stamped};

/// An add-wins set with log compaction that calls an add stable once every replica *it has
/// heard from* has seen it.
///
/// The story: the set keeps its recent adds in a log, with their dots, so that a removal can
/// tell the adds it saw (removed) from the concurrent ones (kept: add wins); an add every
/// replica has seen is moved to a plain snapshot. The membership is taken from the traffic:
/// the replicas that have sent something. A replica that is partitioned away, down, or simply
/// has not spoken yet is not counted, so an add is collected while that replica may still
/// remove the element without having seen the add. When the removal arrives, the replicas that
/// collected the add cannot tell it was concurrent and drop the element; the returning replica
/// keeps it. The fix is causal stability over the whole membership (the model's
/// [`StableSetModel`], which knows every replica). The smallest case needs no fault at all: a
/// replica that has heard from no one collects its own add at once, and another's removal
/// that never saw the add then takes the element. Caught by `effects_commute` and
/// `value_matches_spec` (a removal delivered after the collection drops a concurrent add;
/// delivered before, it does not), and by the harness's specification oracle (the replicas
/// that collected drop an element the add-wins specification keeps).
#[derive(Clone, Copy, Debug, Default)]
pub struct EagerGcSet;

impl Model for EagerGcSet {
    type State = StableSet;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn new_replica(&self, id: ReplicaId) -> StableSet {
        StableSetModel::default().new_replica(id)
    }
    fn round_trip(&self, state: &StableSet) -> Option<Result<StableSet, Error>> {
        StableSetModel::default().round_trip(state)
    }
    fn value(&self, state: &StableSet) -> BTreeSet<u8> {
        state.value()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        StableSetModel::default().ops()
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        StableSetModel::default().spec(history)
    }
}

/// The mistake: stable once seen by every replica heard from, whoever else exists.
fn seen_by_everyone_heard_from(state: &mut StableSet) {
    state.compact_with(|tracker, dot| tracker.rows().all(|(_, row)| row.contains(dot)));
}

impl OpCrdt for EagerGcSet {
    type Message = Stamped;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn local(&self, state: &mut StableSet, _: Dot, op: &SetOp<u8>) -> Stamped {
        let message = state.local(op.clone(), None);
        seen_by_everyone_heard_from(state);
        message
    }
    fn effect(&self, state: &mut StableSet, message: &Stamped) {
        state.apply(message);
        seen_by_everyone_heard_from(state);
    }
}
