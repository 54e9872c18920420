//! Registers: writes, and the specifications of last-writer-wins and multi-value registers.
//!
//! A model of someone else's last-writer-wins register (here a Lamport-stamped `Option`), with
//! its specification in one line:
//!
//! ```
//! use crdt_laws::proptest::prelude::*;
//! use crdt_laws::vocab::register::{self, RegisterOp};
//! use crdt_laws::{Config, History, Law, Model, ReplicaId, StateCrdt, check_state};
//!
//! /// The user's register: the value with its (Lamport time, writer) stamp.
//! type Stamped = Option<(u64, ReplicaId, u8)>;
//!
//! struct LwwModel;
//!
//! impl Model for LwwModel {
//!     type State = Stamped;
//!     type Op = RegisterOp<u8>;
//!     type Value = Option<u8>;
//!     fn new_replica(&self, _: ReplicaId) -> Stamped { None }
//!     fn value(&self, s: &Stamped) -> Option<u8> { s.map(|(_, _, v)| v) }
//!     fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> { RegisterOp::strategy(4) }
//!     fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
//!         Some(register::last_writer_wins(history))
//!     }
//! }
//!
//! impl StateCrdt for LwwModel {
//!     fn apply(&self, s: &mut Stamped, r: ReplicaId, op: &RegisterOp<u8>) {
//!         let RegisterOp::Set(v) = *op;
//!         let time = s.map_or(0, |(t, _, _)| t) + 1;
//!         *s = Some((time, r, v));
//!     }
//!     fn merge(&self, into: &mut Stamped, from: &Stamped) {
//!         *into = (*into).max(*from);
//!     }
//! }
//!
//! let config = Config::default().with_seed(1).only([Law::ValueMatchesSpec]);
//! let report = check_state(&LwwModel, &config);
//! assert!(report.all_passed(), "{report}");
//! ```

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::History;

/// An update of a register.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RegisterOp<T> {
    /// Write a value.
    Set(T),
}

impl<T> RegisterOp<T> {
    /// The value written.
    #[must_use]
    pub fn written(&self) -> &T {
        match self {
            RegisterOp::Set(v) => v,
        }
    }
}

impl RegisterOp<u8> {
    /// Writes of values below `domain` (just `0` when `domain` is 0).
    pub fn strategy(domain: u8) -> BoxedStrategy<Self> {
        (0..domain.max(1)).prop_map(RegisterOp::Set).boxed()
    }
}

/// The last-writer-wins specification: the value of the visible write with the largest
/// `(Lamport time, replica)`, the Lamport time being [`History::lamport`] (one more than the
/// longest causal chain before the write), or `None` before any write.
///
/// A register that stamps each write with one more than the largest time it has seen, and
/// keeps the write with the largest `(time, writer)` stamp, meets it exactly.
#[must_use]
pub fn last_writer_wins<T: Clone>(history: &History<RegisterOp<T>>) -> Option<T> {
    history
        .events()
        .iter()
        .zip(history.lamports())
        .max_by_key(|(e, t)| (*t, e.dot.replica))
        .map(|(e, _)| e.op.written().clone())
}

/// The multi-value specification: the values of the maximal visible writes
/// ([`History::maximal`]), the writes no other visible write has overwritten, sorted. Two
/// concurrent writes of one value show twice (a multiset).
#[must_use]
pub fn multi_value<T: Ord + Clone>(history: &History<RegisterOp<T>>) -> Vec<T> {
    let mut values: Vec<T> = history.maximal().map(|e| e.op.written().clone()).collect();
    values.sort();
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dot, ReplicaId};

    #[test]
    fn lamport_time_then_replica_decides_and_concurrent_writes_all_show() {
        let (a, b, c) = (ReplicaId::new(0), ReplicaId::new(1), ReplicaId::new(2));
        let (a1, b1, c1) = (Dot::new(a, 1), Dot::new(b, 1), Dot::new(c, 1));
        let mut h = History::new();
        assert_eq!(last_writer_wins(&h), None::<u8>);
        assert!(multi_value::<u8>(&h).is_empty());
        h.push(a1, RegisterOp::Set(9u8), vec![]);
        h.push(b1, RegisterOp::Set(3u8), vec![]);
        // Equal times: the larger replica wins.
        assert_eq!(last_writer_wins(&h), Some(3));
        assert_eq!(multi_value(&h), [3, 9]);
        // C saw A's write only: a later time than B's, whatever the replica.
        h.push(c1, RegisterOp::Set(5u8), vec![a1]);
        assert_eq!(last_writer_wins(&h), Some(5));
        assert_eq!(multi_value(&h), [3, 5]);
        h.push(Dot::new(b, 2), RegisterOp::Set(5u8), vec![b1]);
        assert_eq!(multi_value(&h), [5, 5]);
        h.push(
            Dot::new(a, 2),
            RegisterOp::Set(1u8),
            vec![a1, b1, c1, Dot::new(b, 2)],
        );
        assert_eq!(last_writer_wins(&h), Some(1));
        assert_eq!(multi_value(&h), [1]);
    }
}
