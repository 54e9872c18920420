//! Models of the registers: LWW register and MV-register.

use crdt_laws::vocab::register;
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

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    codec_and_bottom_replica!();

    fn value(&self, state: &LwwRegister<u8>) -> Option<u8> {
        state.get().copied()
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        writes(self.domain)
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
        Some(register::last_writer_wins(history))
    }
}

impl StateCrdt for LwwRegisterModel {
    lattice_state!();

    /// The type's own [diff](crate::LwwRegister::diff).
    fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
        Some(local.diff(remote))
    }

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

    /// Replicas are alike: nothing depends on the order of their ids.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

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
        Some(register::multi_value(history))
    }
}

impl StateCrdt for MvRegisterModel {
    lattice_state!();

    fn apply(&self, state: &mut MvRegister<u8>, replica: ReplicaId, op: &RegisterOp<u8>) {
        state.set(replica, written(op));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crdt_laws::Dot;

    /// The register's clock rule (stamp a write with one more than the largest time seen) gives
    /// exactly [`History::lamport`], which the specification uses.
    #[test]
    fn register_timestamps_are_the_history_lamport_times() {
        let (a, b, c) = (ReplicaId::new(0), ReplicaId::new(1), ReplicaId::new(2));
        let mut history = History::new();
        let mut write = |state: &mut LwwRegister<u8>, dot: Dot, deps: Vec<Dot>| {
            let stamp = state.set(dot.replica, dot.seq as u8);
            history.push(dot, RegisterOp::Set(dot.seq as u8), deps);
            assert_eq!(Some(stamp.lamport), history.lamport(dot), "{dot}");
        };
        let (mut x, mut y, mut z) = (LwwRegister::new(), LwwRegister::new(), LwwRegister::new());
        let (a1, a2, b1, b2, c1) = (
            Dot::new(a, 1),
            Dot::new(a, 2),
            Dot::new(b, 1),
            Dot::new(b, 2),
            Dot::new(c, 1),
        );
        write(&mut x, a1, vec![]);
        write(&mut y, b1, vec![]);
        y.merge(&x);
        write(&mut y, b2, vec![a1, b1]);
        write(&mut x, a2, vec![a1]);
        z.merge(&y);
        z.merge(&x);
        write(&mut z, c1, vec![a1, a2, b1, b2]);
        assert_eq!(z.clock(), 3);
        let model = LwwRegisterModel::default();
        assert_eq!(model.spec(&history), Some(model.value(&z)));
    }
}
