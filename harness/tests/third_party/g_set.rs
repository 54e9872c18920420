//! `crdts::GSet`: adds of elements 0 to 7.

use std::collections::BTreeSet;

use crdt_impls::models::add_wins;
use crdt_impls::ops::SetOp;
use crdt_laws::{Delivery, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use crdts::{CmRDT, CvRDT, GSet};
use proptest::prelude::*;

/// The model of `crdts::GSet<u8>`: an operation is the element added.
///
/// Delivery: causal, like the other models; a G-Set needs none (checked with `Relaxed` under
/// any order and duplicates).
#[derive(Clone, Copy, Debug, Default)]
pub struct GSetModel;

impl Model for GSetModel {
    type State = GSet<u8>;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> GSet<u8> {
        GSet::new()
    }
    fn value(&self, s: &GSet<u8>) -> BTreeSet<u8> {
        s.read()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        SetOp::adds(8)
    }
    /// With adds only, the add-wins specification is the set of elements added.
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        Some(add_wins(history))
    }
    fn round_trip(&self, s: &GSet<u8>) -> Option<Result<GSet<u8>, crdt_laws::Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for GSetModel {
    fn apply(&self, s: &mut GSet<u8>, id: ReplicaId, op: &SetOp<u8>) {
        s.apply(
            self.prepare(s, id, op)
                .expect("every operation prepares a message"),
        );
    }
    fn merge(&self, into: &mut GSet<u8>, from: &GSet<u8>) {
        into.merge(from.clone());
    }
    fn bottom(&self) -> Option<GSet<u8>> {
        Some(GSet::new())
    }
    fn value_leq(&self, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Option<bool> {
        Some(a.is_subset(b))
    }
    fn value_join(&self, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Option<BTreeSet<u8>> {
        Some(a | b)
    }
}

impl OpCrdt for GSetModel {
    type Message = u8;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, _: &GSet<u8>, _: ReplicaId, op: &SetOp<u8>) -> Option<u8> {
        Some({
            let SetOp::Add(x) = *op else {
                unreachable!("a G-Set is never removed from")
            };
            x
        })
    }
    fn effect(&self, s: &mut GSet<u8>, x: &u8) {
        s.apply(*x);
    }
}
