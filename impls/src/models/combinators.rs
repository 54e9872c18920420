//! Models of the combinators, generic over the models of their parts.
//!
//! A combinator model applies each operation to the part it names with that part's model, but
//! merges, orders and bounds whole states with the combinator's own [`Lattice`] code: that code
//! is what the laws check, on any instance (`PairModel<GCounterModel, GSetModel>`,
//! `MapModel<PnCounterModel>`, the [`FriendshipModel`], ...).

use std::collections::BTreeMap;

use crdt_laws::vocab::map;
use crdt_laws::{DeltaCrdt, History, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{LwwElementSetModel, below};
use crate::ops::{MapOp, PairOp};
use crate::{Lattice, Map, Pair};

/// A model that can be a part of a combinator model: its state is a [`Lattice`] (the
/// combinator's merge, order and bottom are built from the parts' lattices) with a `serde`
/// codec. Every model of this crate is one.
pub trait PartModel: StateCrdt<State: Lattice + Serialize + DeserializeOwned, Op: 'static> {}

impl<M> PartModel for M where
    M: StateCrdt<State: Lattice + Serialize + DeserializeOwned, Op: 'static>
{
}

/// The model of a [`Pair`] of two CRDTs, from the models of its parts.
///
/// Operations update one part ([`PairOp`]); the value is the pair of the parts' values. The
/// specification, monotone query and join of values are the parts', where both parts declare
/// one: the specification of each part sees only the updates of that part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairModel<MA, MB> {
    /// The model of the first part.
    pub first: MA,
    /// The model of the second part.
    pub second: MB,
}

/// The seed's compound CRDT, [`Friendship`](crate::Friendship): a pair of add-wins LWW element
/// sets (following, followers).
pub type FriendshipModel = PairModel<LwwElementSetModel, LwwElementSetModel>;

impl<MA: PartModel, MB: PartModel> Model for PairModel<MA, MB> {
    type State = Pair<MA::State, MB::State>;
    type Op = PairOp<MA::Op, MB::Op>;
    type Value = (MA::Value, MB::Value);

    /// When both parts' are.
    fn interchangeable_replicas(&self) -> bool {
        self.first.interchangeable_replicas() && self.second.interchangeable_replicas()
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    codec_and_bottom_replica!();

    fn name(&self) -> String {
        format!("PairModel<{}, {}>", self.first.name(), self.second.name())
    }
    fn value(&self, state: &Self::State) -> Self::Value {
        (
            self.first.value(&state.first),
            self.second.value(&state.second),
        )
    }
    fn ops(&self) -> BoxedStrategy<Self::Op> {
        prop_oneof![
            self.first.ops().prop_map(PairOp::First),
            self.second.ops().prop_map(PairOp::Second),
        ]
        .boxed()
    }
    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        map::pair(history, |a| self.first.spec(a), |b| self.second.spec(b))
    }
}

impl<MA: PartModel, MB: PartModel> StateCrdt for PairModel<MA, MB> {
    lattice_state!();

    fn apply(&self, state: &mut Self::State, replica: ReplicaId, op: &Self::Op) {
        match op {
            PairOp::First(a) => self.first.apply(&mut state.first, replica, a),
            PairOp::Second(b) => self.second.apply(&mut state.second, replica, b),
        }
    }
    fn value_leq(&self, a: &Self::Value, b: &Self::Value) -> Option<bool> {
        Some(self.first.value_leq(&a.0, &b.0)? && self.second.value_leq(&a.1, &b.1)?)
    }
    fn value_join(&self, a: &Self::Value, b: &Self::Value) -> Option<Self::Value> {
        Some((
            self.first.value_join(&a.0, &b.0)?,
            self.second.value_join(&a.1, &b.1)?,
        ))
    }
}

/// The delta of an update of one part is that part's delta beside the other part's bottom.
impl<MA, MB> DeltaCrdt for PairModel<MA, MB>
where
    MA: PartModel + DeltaCrdt,
    MB: PartModel + DeltaCrdt,
{
    fn delta(&self, state: &Self::State, replica: ReplicaId, op: &Self::Op) -> Self::State {
        match op {
            PairOp::First(a) => Pair::new(
                self.first.delta(&state.first, replica, a),
                Lattice::bottom(),
            ),
            PairOp::Second(b) => Pair::new(
                Lattice::bottom(),
                self.second.delta(&state.second, replica, b),
            ),
        }
    }
}

/// The model of a [`Map`] from small keys (`0..keys`) to CRDTs of model `M`.
///
/// Operations update the value at one key ([`MapOp`]); the value is the map of the values at
/// every key ever updated. The specification is `M`'s at each key, over that key's updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapModel<M> {
    /// Keys are drawn from `0..keys`.
    pub keys: u8,
    /// The model of the values.
    pub values: M,
}

impl<M: Default> Default for MapModel<M> {
    /// Four keys, so that several updates land on each.
    fn default() -> Self {
        Self {
            keys: 4,
            values: M::default(),
        }
    }
}

impl<M: PartModel> MapModel<M> {
    /// What the value model shows for a key never updated: the value of bottom.
    fn absent(&self) -> M::Value {
        self.values.value(&M::State::bottom())
    }
}

impl<M: PartModel> Model for MapModel<M> {
    type State = Map<u8, M::State>;
    type Op = MapOp<u8, M::Op>;
    type Value = BTreeMap<u8, M::Value>;

    /// As the values' model.
    fn interchangeable_replicas(&self) -> bool {
        self.values.interchangeable_replicas()
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    codec_and_bottom_replica!();

    fn name(&self) -> String {
        format!("MapModel<{}>", self.values.name())
    }
    fn value(&self, state: &Self::State) -> Self::Value {
        state
            .iter()
            .map(|(k, v)| (*k, self.values.value(v)))
            .collect()
    }
    fn ops(&self) -> BoxedStrategy<Self::Op> {
        (below(self.keys), self.values.ops())
            .prop_map(|(k, op)| MapOp::Update(k, op))
            .boxed()
    }
    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        self.values.spec(&History::new())?;
        map::map(history, |at_key| self.values.spec(at_key))
    }
}

impl<M: PartModel> StateCrdt for MapModel<M> {
    lattice_state!();

    fn apply(&self, state: &mut Self::State, replica: ReplicaId, op: &Self::Op) {
        let MapOp::Update(key, op) = op;
        state.update(*key, |v| self.values.apply(v, replica, op));
    }
    fn value_leq(&self, a: &Self::Value, b: &Self::Value) -> Option<bool> {
        let absent = self.absent();
        self.values.value_leq(&absent, &absent)?;
        Some(a.iter().all(|(k, va)| {
            b.get(k)
                .is_some_and(|vb| self.values.value_leq(va, vb) == Some(true))
        }))
    }
    fn value_join(&self, a: &Self::Value, b: &Self::Value) -> Option<Self::Value> {
        let absent = self.absent();
        self.values.value_join(&absent, &absent)?;
        let mut joined = a.clone();
        for (k, vb) in b {
            let v = match a.get(k) {
                Some(va) => self.values.value_join(va, vb)?,
                None => vb.clone(),
            };
            joined.insert(*k, v);
        }
        Some(joined)
    }
}

/// The delta of an update at one key is a map of just that key to the value's delta.
impl<M: PartModel + DeltaCrdt> DeltaCrdt for MapModel<M> {
    fn delta(&self, state: &Self::State, replica: ReplicaId, op: &Self::Op) -> Self::State {
        let MapOp::Update(key, op) = op;
        let delta = match state.get(key) {
            Some(v) => self.values.delta(v, replica, op),
            None => self.values.delta(&M::State::bottom(), replica, op),
        };
        [(*key, delta)].into_iter().collect()
    }
}
