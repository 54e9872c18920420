//! `crdts::GCounter`: increments of 0 to 5 through `inc_many`.

use crdt_impls::models::net_total;
use crdt_impls::ops::CounterOp;
use crdt_laws::{Delivery, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use crdts::{CmRDT, CvRDT, Dot, GCounter};
use proptest::prelude::*;

/// The model of `crdts::GCounter<ReplicaId>`.
///
/// Delivery: causal, under which the specification (the sum of the increments seen) holds. An
/// operation is an absolute dot (`A` has counted to 7), so it also carries `A`'s earlier
/// increments: under any order and duplicates replicas still converge, but may count an
/// increment they have not received yet (checked with `Relaxed`).
#[derive(Clone, Copy, Debug, Default)]
pub struct GCounterModel;

impl Model for GCounterModel {
    type State = GCounter<ReplicaId>;
    type Op = CounterOp;
    type Value = u128;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Self::State {
        GCounter::new()
    }
    fn value(&self, s: &Self::State) -> u128 {
        u128::try_from(s.read()).expect("small counts")
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(5, 0)
    }
    fn spec(&self, history: &History<CounterOp>) -> Option<u128> {
        u128::try_from(net_total(history, false)).ok()
    }
    fn round_trip(&self, s: &Self::State) -> Option<Result<Self::State, crdt_laws::Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for GCounterModel {
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
        Some(GCounter::new())
    }
    fn value_leq(&self, a: &u128, b: &u128) -> Option<bool> {
        Some(a <= b)
    }
}

impl OpCrdt for GCounterModel {
    type Message = Dot<ReplicaId>;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &Self::State, id: ReplicaId, op: &CounterOp) -> Option<Dot<ReplicaId>> {
        Some({
            let CounterOp::Increment(n) = *op else {
                unreachable!("a G-Counter is never decremented")
            };
            s.inc_many(id, n.into())
        })
    }
    fn effect(&self, s: &mut Self::State, dot: &Dot<ReplicaId>) {
        s.apply(*dot);
    }
}
