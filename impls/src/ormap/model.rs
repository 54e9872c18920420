//! The model of [`OrMap`] for the law catalogue and the harness.

use std::collections::BTreeMap;

use crdt_laws::vocab::map::{self, OrMapOp};
use crdt_laws::{DeltaCrdt, Dot, History, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;

use super::OrMap;
use crate::Lattice;
use crate::models::PartModel;

/// The model of an [`OrMap`] from small keys (`0..keys`) to CRDTs of model `M`.
///
/// Operations update the value at a key or remove a key ([`OrMapOp`]); the value is the map of
/// the present keys' values. The specification is
/// [`update_wins`](crdt_laws::vocab::map::update_wins) over `M`'s: a key is present when an
/// update of it survives every removal that saw it, and its value is `M`'s specification of
/// the surviving updates' views.
///
/// # Nested identities
/// A nested CRDT stamps its updates with a replica id (a counter's per-replica entry, an
/// OR-Set's dots, a register's timestamp). A replica that removes a key and updates it again
/// starts the new value from bottom, while the old value may survive elsewhere (kept by a
/// concurrent update): if both stamped with the same id, their join would conflate them (a
/// counter's maximum would swallow the new increments). So the model stamps each nested
/// update with an id of its own, [`nested_replica`](Self::nested_replica) of the map update's
/// dot: no nested id is ever used twice. Users of [`OrMap`] with such values do the same.
///
/// An OR-Map nested in an OR-Map receives such an id for each of its updates, used once: it
/// passes it on to its own values unchanged ([`OrMapModel::inside_or_map`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrMapModel<M> {
    /// Keys are drawn from `0..keys`.
    pub keys: u8,
    /// The model of the values.
    pub values: M,
    /// True when this map is the value of an outer OR-Map model, whose nested ids are used for
    /// one update each: they then serve as the nested ids of this map's values too.
    pub nested_in_map: bool,
}

impl<M: Default> Default for OrMapModel<M> {
    /// Three keys, so that updates and removals of one key meet often.
    fn default() -> Self {
        Self {
            keys: 3,
            values: M::default(),
            nested_in_map: false,
        }
    }
}

impl<M> OrMapModel<M> {
    /// The model of an OR-Map from keys `0..keys` to values of model `values`, itself the
    /// value of an outer OR-Map model (see [Nested identities](Self#nested-identities)).
    pub const fn inside_or_map(keys: u8, values: M) -> Self {
        Self {
            keys,
            values,
            nested_in_map: true,
        }
    }
}

impl<M> OrMapModel<M> {
    /// Bits of a nested replica id that hold the map update's sequence number.
    const SEQ_BITS: u32 = 20;

    /// The replica id of the nested update made by the map update `dot`: the replica in the
    /// high 12 bits, the sequence number in the low 20, so ids of one replica's updates grow
    /// with its sequence numbers (registers break ties as the specification does).
    ///
    /// `None` when the replica id does not fit in 12 bits or the sequence number in 20.
    ///
    /// ```
    /// use crdt_impls::ormap::OrMapModel;
    /// use crdt_impls::models::GCounterModel;
    /// use crdt_impls::{Dot, ReplicaId};
    ///
    /// let id = OrMapModel::<GCounterModel>::nested_replica(Dot::new(ReplicaId::new(2), 5));
    /// assert_eq!(id, Some(ReplicaId::new((2 << 20) | 5)));
    /// assert!(OrMapModel::<GCounterModel>::nested_replica(Dot::new(ReplicaId::new(1), 1 << 20)).is_none());
    /// ```
    #[must_use]
    pub fn nested_replica(dot: Dot) -> Option<ReplicaId> {
        let seq = u32::try_from(dot.seq)
            .ok()
            .filter(|s| *s < 1 << Self::SEQ_BITS)?;
        (dot.replica.0 < 1 << (32 - Self::SEQ_BITS))
            .then(|| ReplicaId::new((dot.replica.0 << Self::SEQ_BITS) | seq))
    }
}

impl<M: PartModel> OrMapModel<M> {
    fn apply_at(
        &self,
        state: &mut OrMap<u8, M::State>,
        replica: ReplicaId,
        op: &OrMapOp<u8, M::Op>,
    ) {
        match op {
            OrMapOp::Update(key, op) => {
                let nested = self.nested(state, replica);
                state.update(replica, *key, |v| self.values.apply(v, nested, op));
            }
            OrMapOp::Remove(key) => {
                state.remove(key);
            }
        }
    }

    /// The nested replica id of the next update at `replica`.
    ///
    /// # Panics
    /// Beyond 4096 replicas or 2²⁰ updates of one replica (the harness and the laws run far
    /// fewer): the panic is reported as a finding of the schedule.
    fn nested(&self, state: &OrMap<u8, M::State>, replica: ReplicaId) -> ReplicaId {
        if self.nested_in_map {
            return replica;
        }
        let dot = state.context().next_dot(replica);
        Self::nested_replica(dot).unwrap_or_else(|| {
            panic!("no nested replica id for update {dot}: too many replicas or updates")
        })
    }
}

impl<M: PartModel> Model for OrMapModel<M> {
    type State = OrMap<u8, M::State>;
    type Op = OrMapOp<u8, M::Op>;
    type Value = BTreeMap<u8, M::Value>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Self::State {
        OrMap::new()
    }
    fn round_trip(&self, state: &Self::State) -> Option<Result<Self::State, crdt_laws::Error>> {
        Some(crdt_laws::json_round_trip(state))
    }

    fn name(&self) -> String {
        format!("OrMapModel<{}>", self.values.name())
    }
    fn value(&self, state: &Self::State) -> Self::Value {
        state
            .iter()
            .map(|(k, v)| (*k, self.values.value(&v)))
            .collect()
    }
    fn ops(&self) -> BoxedStrategy<Self::Op> {
        OrMapOp::strategy(self.keys, self.values.ops())
    }
    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        self.values.spec(&History::new())?;
        map::update_wins(history, |at_key| self.values.spec(at_key))
    }
}

impl<M: PartModel> StateCrdt for OrMapModel<M> {
    fn apply(&self, state: &mut Self::State, replica: ReplicaId, op: &Self::Op) {
        self.apply_at(state, replica, op);
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        Lattice::merge(into, from);
    }
    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(Lattice::leq(a, b))
    }
    fn bottom(&self) -> Option<Self::State> {
        Some(OrMap::new())
    }
    fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
        Some(local.diff(remote))
    }
}

/// The delta of an update is the key's new tagged value, with the dots it replaces; that of a
/// removal, the dots it removes.
impl<M: PartModel> DeltaCrdt for OrMapModel<M> {
    fn delta(&self, state: &Self::State, replica: ReplicaId, op: &Self::Op) -> Self::State {
        match op {
            OrMapOp::Update(key, op) => {
                let nested = self.nested(state, replica);
                state
                    .update_delta(replica, *key, |v| self.values.apply(v, nested, op))
                    .0
            }
            OrMapOp::Remove(key) => state.remove_delta(key),
        }
    }
}
