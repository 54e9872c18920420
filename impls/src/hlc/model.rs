//! Models of the HLC-stamped register and map, with the specification that holds under any
//! clock skew.

use std::collections::BTreeMap;

use crdt_laws::vocab::register::RegisterOp;
use crdt_laws::{Event, History, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;

use super::{HlcMap, HlcRegister};
use crate::ops::MapOp;

/// The write that every other of `writes` happened before, if there is one: the causally last
/// write, which must win under any clock skew. `None` when the latest writes are concurrent
/// (then who wins depends on the clocks, and any answer the replicas agree on is right).
///
/// ```
/// use crdt_impls::hlc::causally_last;
/// use crdt_laws::{Dot, History, ReplicaId};
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut h = History::new();
/// h.push(Dot::new(a, 1), 'x', vec![]);
/// h.push(Dot::new(b, 1), 'y', vec![Dot::new(a, 1)]);
/// assert_eq!(causally_last(&h, h.events().iter()).map(|e| e.op), Some('y'));
/// h.push(Dot::new(a, 2), 'z', vec![Dot::new(a, 1)]); // concurrent with y
/// assert!(causally_last(&h, h.events().iter()).is_none());
/// ```
pub fn causally_last<'h, Op>(
    history: &History<Op>,
    writes: impl Iterator<Item = &'h Event<Op>> + Clone,
) -> Option<&'h Event<Op>>
where
    Op: 'h,
{
    let mut maximal = writes.clone().filter(|e| {
        !writes
            .clone()
            .any(|later| history.happens_before(e.dot, later.dot))
    });
    let first = maximal.next()?;
    // In a finite order, a single maximal element is above every other.
    maximal.next().is_none().then_some(first)
}

/// The model of [`HlcRegister<u8>`]: writes of values below `domain`, stamped with the
/// replica's physical clock as the harness drives it.
///
/// Specification: with no write, empty; when one visible write saw all the others, its value
/// ([`causally_last`]); when the latest writes are concurrent, no opinion (the clocks decide,
/// and convergence checks that every replica decides alike).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HlcRegisterModel {
    /// Values are drawn from `0..domain`.
    pub domain: u8,
}

impl Default for HlcRegisterModel {
    fn default() -> Self {
        Self { domain: 8 }
    }
}

impl Model for HlcRegisterModel {
    type State = HlcRegister<u8>;
    type Op = RegisterOp<u8>;
    type Value = Option<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Self::State {
        <Self::State as crate::Lattice>::bottom()
    }
    fn round_trip(&self, state: &Self::State) -> Option<Result<Self::State, crdt_laws::Error>> {
        Some(crdt_laws::json_round_trip(state))
    }
    fn value(&self, state: &HlcRegister<u8>) -> Option<u8> {
        state.get().copied()
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        RegisterOp::strategy(self.domain.max(1))
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
        if history.is_empty() {
            return Some(None);
        }
        causally_last(history, history.events().iter()).map(|e| Some(*e.op.written()))
    }
}

impl StateCrdt for HlcRegisterModel {
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        crate::Lattice::merge(into, from);
    }
    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(crate::Lattice::leq(a, b))
    }
    fn bottom(&self) -> Option<Self::State> {
        Some(<Self::State as crate::Lattice>::bottom())
    }

    fn apply(&self, state: &mut HlcRegister<u8>, replica: ReplicaId, op: &RegisterOp<u8>) {
        state.set(replica, *op.written());
    }
}

/// The model of [`HlcMap<u8, u8>`]: per key below `keys`, a write of a value below `domain`
/// (`Set(Some(v))`) or a removal (`Set(None)`).
///
/// Specification: per key as [`HlcRegisterModel`]'s; no opinion when some key's latest writes
/// are concurrent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HlcMapModel {
    /// Keys are drawn from `0..keys`.
    pub keys: u8,
    /// Values are drawn from `0..domain`.
    pub domain: u8,
}

impl Default for HlcMapModel {
    fn default() -> Self {
        Self { keys: 3, domain: 4 }
    }
}

/// A map operation: write (or remove, `None`) the value at a key.
pub type HlcMapOp = MapOp<u8, RegisterOp<Option<u8>>>;

fn map_write(op: &HlcMapOp) -> (u8, Option<u8>) {
    let MapOp::Update(key, RegisterOp::Set(value)) = op;
    (*key, *value)
}

impl Model for HlcMapModel {
    type State = HlcMap<u8, u8>;
    type Op = HlcMapOp;
    type Value = BTreeMap<u8, u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Self::State {
        <Self::State as crate::Lattice>::bottom()
    }
    fn round_trip(&self, state: &Self::State) -> Option<Result<Self::State, crdt_laws::Error>> {
        Some(crdt_laws::json_round_trip(state))
    }
    fn value(&self, state: &HlcMap<u8, u8>) -> BTreeMap<u8, u8> {
        state.iter().map(|(k, v)| (*k, *v)).collect()
    }
    fn ops(&self) -> BoxedStrategy<HlcMapOp> {
        let value = prop_oneof![
            1 => Just(None),
            3 => (0..self.domain.max(1)).prop_map(Some),
        ];
        (0..self.keys.max(1), value)
            .prop_map(|(k, v)| MapOp::Update(k, RegisterOp::Set(v)))
            .boxed()
    }
    fn spec(&self, history: &History<HlcMapOp>) -> Option<BTreeMap<u8, u8>> {
        let mut value = BTreeMap::new();
        for key in 0..self.keys.max(1) {
            let writes = history
                .events()
                .iter()
                .filter(move |e| map_write(&e.op).0 == key);
            if writes.clone().next().is_none() {
                continue;
            }
            if let Some(v) = map_write(&causally_last(history, writes)?.op).1 {
                value.insert(key, v);
            }
        }
        Some(value)
    }
}

impl StateCrdt for HlcMapModel {
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        crate::Lattice::merge(into, from);
    }
    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(crate::Lattice::leq(a, b))
    }
    fn bottom(&self) -> Option<Self::State> {
        Some(<Self::State as crate::Lattice>::bottom())
    }

    fn apply(&self, state: &mut HlcMap<u8, u8>, replica: ReplicaId, op: &HlcMapOp) {
        let (key, value) = map_write(op);
        state.write(replica, key, value);
    }
}
