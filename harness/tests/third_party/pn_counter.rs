//! `crdts::PNCounter`: increments and decrements of 0 to 5 through `inc_many` and `dec_many`.

use crdt_impls::models::net_total;
use crdt_impls::ops::CounterOp;
use crdt_laws::{Delivery, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use crdts::pncounter::Op;
use crdts::{CmRDT, CvRDT, PNCounter};
use proptest::prelude::*;

/// The model of `crdts::PNCounter<ReplicaId>`: two G-Counters.
///
/// Delivery: causal, for the specification (increments minus decrements seen). Operations are
/// absolute dots, so replicas converge under any order and duplicates too (checked with
/// `Relaxed`).
#[derive(Clone, Copy, Debug, Default)]
pub struct PnCounterModel;

impl Model for PnCounterModel {
    type State = PNCounter<ReplicaId>;
    type Op = CounterOp;
    type Value = i128;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Self::State {
        PNCounter::new()
    }
    fn value(&self, s: &Self::State) -> i128 {
        i128::try_from(s.read()).expect("small counts")
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(5, 1)
    }
    fn spec(&self, history: &History<CounterOp>) -> Option<i128> {
        Some(net_total(history, true))
    }
    fn round_trip(&self, s: &Self::State) -> Option<Result<Self::State, crdt_laws::Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for PnCounterModel {
    fn apply(&self, s: &mut Self::State, id: ReplicaId, op: &CounterOp) {
        s.apply(
            self.prepare(s, id, op)
                .expect("every operation prepares a message"),
        );
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        into.merge(from.clone());
    }
    fn bottom(&self) -> Option<Self::State> {
        Some(PNCounter::new())
    }
}

impl OpCrdt for PnCounterModel {
    type Message = Op<ReplicaId>;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &Self::State, id: ReplicaId, op: &CounterOp) -> Option<Op<ReplicaId>> {
        Some({
            match *op {
                CounterOp::Increment(n) => s.inc_many(id, n.into()),
                CounterOp::Decrement(n) => s.dec_many(id, n.into()),
            }
        })
    }
    fn effect(&self, s: &mut Self::State, op: &Op<ReplicaId>) {
        s.apply(op.clone());
    }
}
