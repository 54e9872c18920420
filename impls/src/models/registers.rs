//! Models of the registers: LWW register and MV-register.

use crdt_laws::{History, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;

use super::{DEFAULT_DOMAIN, below};
use crate::ops::RegisterOp;
use crate::{LwwRegister, MvRegister};

/// Writes of values below `domain`.
fn writes(domain: u8) -> BoxedStrategy<RegisterOp<u8>> {
    below(domain).prop_map(RegisterOp::Set).boxed()
}

/// The value a write writes.
fn written(op: &RegisterOp<u8>) -> u8 {
    match op {
        RegisterOp::Set(v) => *v,
    }
}

/// The model of [`LwwRegister<u8>`]: writes of values below `domain`.
///
/// Specification: the value of the visible write with the largest `(Lamport time, replica)`,
/// the Lamport time being [`History::lamport`] (one more than the longest causal chain before
/// the write), which is exactly the register's clock rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LwwRegisterModel {
    /// Values are drawn from `0..domain`.
    pub domain: u8,
}

impl Default for LwwRegisterModel {
    fn default() -> Self {
        Self {
            domain: DEFAULT_DOMAIN,
        }
    }
}

impl Model for LwwRegisterModel {
    type State = LwwRegister<u8>;
    type Op = RegisterOp<u8>;
    type Value = Option<u8>;

    codec_and_bottom_replica!();

    fn value(&self, state: &LwwRegister<u8>) -> Option<u8> {
        state.get().copied()
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        writes(self.domain)
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
        let last = history
            .events()
            .iter()
            .max_by_key(|e| (history.lamport(e.dot), e.dot.replica));
        Some(last.map(|e| written(&e.op)))
    }
}

impl StateCrdt for LwwRegisterModel {
    lattice_state!();

    fn apply(&self, state: &mut LwwRegister<u8>, replica: ReplicaId, op: &RegisterOp<u8>) {
        state.set(replica, written(op));
    }
}

/// The model of [`MvRegister<u8>`]: writes of values below `domain`. The value is the sorted
/// list of current values (a multiset: two concurrent writes of one value show twice).
///
/// Specification: the values of the maximal visible writes ([`History::maximal`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MvRegisterModel {
    /// Values are drawn from `0..domain`.
    pub domain: u8,
}

impl Default for MvRegisterModel {
    fn default() -> Self {
        Self {
            domain: DEFAULT_DOMAIN,
        }
    }
}

impl Model for MvRegisterModel {
    type State = MvRegister<u8>;
    type Op = RegisterOp<u8>;
    type Value = Vec<u8>;

    codec_and_bottom_replica!();

    fn value(&self, state: &MvRegister<u8>) -> Vec<u8> {
        let mut values = state.value();
        values.sort_unstable();
        values
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        writes(self.domain)
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Vec<u8>> {
        let mut values: Vec<u8> = history.maximal().map(|e| written(&e.op)).collect();
        values.sort_unstable();
        Some(values)
    }
}

impl StateCrdt for MvRegisterModel {
    lattice_state!();

    fn apply(&self, state: &mut MvRegister<u8>, replica: ReplicaId, op: &RegisterOp<u8>) {
        state.set(replica, written(op));
    }
}
