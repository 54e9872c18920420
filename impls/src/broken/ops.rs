//! Operations of the gallery's models.

use std::fmt;

use crdt_laws::{Dot, ReplicaId};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// A list operation, relative to the replica's current list: positions are taken modulo the
/// length, so every operation applies in every state.
///
/// Its `Debug` text is short, for diagrams and stories: `ins a@0` inserts `'a'` at position 0,
/// `del @2` deletes the element at position 2.
///
/// ```
/// use crdt_impls::broken::ListOp;
/// assert_eq!(format!("{:?}", ListOp::Insert { at: 0, value: 'a' }), "ins a@0");
/// assert_eq!(format!("{:?}", ListOp::Delete { at: 2 }), "del @2");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ListOp {
    /// Insert `value` at position `at % (len + 1)`.
    Insert {
        /// The position hint.
        at: u32,
        /// The value.
        value: char,
    },
    /// Delete the element at position `at % len` (nothing when empty).
    Delete {
        /// The position hint.
        at: u32,
    },
}

impl fmt::Debug for ListOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListOp::Insert { at, value } => write!(f, "ins {value}@{at}"),
            ListOp::Delete { at } => write!(f, "del @{at}"),
        }
    }
}

impl ListOp {
    /// Mostly inserts of `a..=e`, some deletes, at positions below 16.
    pub fn strategy() -> BoxedStrategy<ListOp> {
        prop_oneof![
            4 => (0..16u32, prop::char::range('a', 'e'))
                .prop_map(|(at, value)| ListOp::Insert { at, value }),
            1 => (0..16u32).prop_map(|at| ListOp::Delete { at }),
        ]
        .boxed()
    }
}

/// A list message naming elements by identity (a `Dot`: replica and Lamport time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListMessage {
    /// Insert `value` with identity `id` after `origin` (`None`: at the head).
    Insert {
        /// The new element.
        id: Dot,
        /// Its left neighbour when inserted.
        origin: Option<Dot>,
        /// The value.
        value: char,
    },
    /// Insert `value` at a position (the index list's mistake).
    InsertAt {
        /// The new element.
        id: Dot,
        /// The position at the origin.
        index: usize,
        /// The value.
        value: char,
    },
    /// Delete the element `id`.
    Delete {
        /// The element.
        id: Dot,
    },
    /// Nothing (a delete on an empty list).
    Nothing {
        /// Who sent it.
        from: ReplicaId,
    },
}
