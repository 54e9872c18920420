//! `crdts::MVReg`: writes of values 0 to 7, each with the context it read.

use crdt_impls::ops::RegisterOp;
use crdt_laws::{Delivery, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use crdts::mvreg::{MVReg, Op};
use crdts::{CmRDT, CvRDT};
use proptest::prelude::*;

use super::{concurrent_writes, written};

/// The model of `crdts::MVReg<u8, ReplicaId>`: a write carries the register's clock advanced
/// by the writer and replaces every value that clock covers. Its value is the sorted list of
/// concurrent values.
///
/// Delivery: causal, for the specification (the values of the writes no visible write
/// follows). A `Put` keeps or drops values by comparing clocks, so replicas converge under any
/// order and duplicates too (checked with `Relaxed`).
#[derive(Clone, Copy, Debug, Default)]
pub struct MvRegModel;

type Reg = MVReg<u8, ReplicaId>;

impl Model for MvRegModel {
    type State = Reg;
    type Op = RegisterOp<u8>;
    type Value = Vec<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Reg {
        MVReg::new()
    }
    fn value(&self, s: &Reg) -> Vec<u8> {
        let mut values = s.read().val;
        values.sort_unstable();
        values
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        (0..8u8).prop_map(RegisterOp::Set).boxed()
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Vec<u8>> {
        Some(concurrent_writes(history))
    }
    fn round_trip(&self, s: &Reg) -> Option<Result<Reg, crdt_laws::Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for MvRegModel {
    fn apply(&self, s: &mut Reg, id: ReplicaId, op: &RegisterOp<u8>) {
        s.apply(
            self.prepare(s, id, op)
                .expect("every operation prepares a message"),
        );
    }
    fn merge(&self, into: &mut Reg, from: &Reg) {
        into.merge(from.clone());
    }
    fn bottom(&self) -> Option<Reg> {
        Some(MVReg::new())
    }
}

impl OpCrdt for MvRegModel {
    type Message = Op<u8, ReplicaId>;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &Reg, id: ReplicaId, op: &RegisterOp<u8>) -> Option<Op<u8, ReplicaId>> {
        Some(s.write(written(op), s.read_ctx().derive_add_ctx(id)))
    }
    fn effect(&self, s: &mut Reg, op: &Op<u8, ReplicaId>) {
        s.apply(op.clone());
    }
}
