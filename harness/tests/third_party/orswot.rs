//! `crdts::Orswot`: adds and removes of elements 0 to 3, each with the context it read.

use std::collections::BTreeSet;

use crdt_impls::models::add_wins;
use crdt_impls::ops::SetOp;
use crdt_laws::{Delivery, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use crdts::orswot::{Op, Orswot};
use crdts::{CmRDT, CvRDT};
use proptest::prelude::*;

/// The model of `crdts::Orswot<u8, ReplicaId>`, the add-wins observed-remove set without
/// tombstones. An add carries a fresh dot from the set's clock; a remove carries the clock of
/// the element as read (`contains`), so it removes only the adds it saw.
///
/// Delivery: causal, under which the add-wins specification holds. `crdts` documents that each
/// actor's operations in order suffice to converge (an add whose dot is not the next one from
/// its actor is ignored); that promise is checked with `Relaxed`.
#[derive(Clone, Copy, Debug, Default)]
pub struct OrswotModel;

type Set = Orswot<u8, ReplicaId>;

impl Model for OrswotModel {
    type State = Set;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Set {
        Orswot::new()
    }
    fn value(&self, s: &Set) -> BTreeSet<u8> {
        s.read().val.into_iter().collect()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        SetOp::strategy(4, 2)
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        Some(add_wins(history))
    }
    fn round_trip(&self, s: &Set) -> Option<Result<Set, crdt_laws::Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for OrswotModel {
    fn apply(&self, s: &mut Set, id: ReplicaId, op: &SetOp<u8>) {
        s.apply(
            self.prepare(s, id, op)
                .expect("every operation prepares a message"),
        );
    }
    fn merge(&self, into: &mut Set, from: &Set) {
        into.merge(from.clone());
    }
    fn bottom(&self) -> Option<Set> {
        Some(Orswot::new())
    }
}

impl OpCrdt for OrswotModel {
    type Message = Op<u8, ReplicaId>;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &Set, id: ReplicaId, op: &SetOp<u8>) -> Option<Op<u8, ReplicaId>> {
        Some({
            match *op {
                SetOp::Add(x) => s.add(x, s.read_ctx().derive_add_ctx(id)),
                SetOp::Remove(x) => s.rm(x, s.contains(&x).derive_rm_ctx()),
            }
        })
    }
    fn effect(&self, s: &mut Set, op: &Op<u8, ReplicaId>) {
        s.apply(op.clone());
    }
}
