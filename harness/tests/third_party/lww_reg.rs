//! `crdts::LWWReg`: writes of values 0 to 7, each marked with a Lamport timestamp.

use crdt_impls::ops::RegisterOp;
use crdt_laws::{Delivery, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use crdts::{CmRDT, CvRDT, LWWReg};
use proptest::prelude::*;

use super::written;

/// A write's marker: a Lamport time and the writer, so no two writes share one.
pub type Marker = Option<(u64, ReplicaId)>;

/// The model of `crdts::LWWReg<Option<u8>, Marker>`.
///
/// Assumption, encoded here: `LWWReg` requires every marker to be used once (its
/// `validate_update` rejects a second value under the same marker, and its merge keeps the
/// receiver's value on a tie, which is not commutative). A write is therefore marked with
/// `(1 + the largest time seen, writer)`: the register keeps the largest marker it has seen,
/// so that is a Lamport clock, unique because the writer breaks ties. The operation is the
/// whole register, as `crdts` intends.
///
/// Delivery: causal, so that the Lamport times of the specification are those of the writes.
/// Replicas converge under any order and duplicates too (checked with `Relaxed`).
#[derive(Clone, Copy, Debug, Default)]
pub struct LwwRegModel;

type Reg = LWWReg<Option<u8>, Marker>;

impl Model for LwwRegModel {
    type State = Reg;
    type Op = RegisterOp<u8>;
    type Value = Option<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Reg {
        LWWReg::default()
    }
    fn value(&self, s: &Reg) -> Option<u8> {
        s.val
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        (0..8u8).prop_map(RegisterOp::Set).boxed()
    }
    /// The value of the visible write with the largest (Lamport time, writer).
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
        let last =
            (history.events().iter()).max_by_key(|e| (history.lamport(e.dot), e.dot.replica));
        Some(last.map(|e| written(&e.op)))
    }
    fn round_trip(&self, s: &Reg) -> Option<Result<Reg, crdt_laws::Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for LwwRegModel {
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
        Some(LWWReg::default())
    }
}

impl OpCrdt for LwwRegModel {
    type Message = Reg;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &Reg, id: ReplicaId, op: &RegisterOp<u8>) -> Option<Reg> {
        Some({
            let time = s.marker.map_or(0, |(time, _)| time);
            LWWReg {
                val: Some(written(op)),
                marker: Some((time + 1, id)),
            }
        })
    }
    fn effect(&self, s: &mut Reg, write: &Reg) {
        s.apply(write.clone());
    }
}
