//! Element identities and the messages replicas exchange.

use std::fmt;

use crdt_laws::ReplicaId;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

/// The identity of one list element: the replica that inserted it and its counter there.
///
/// Counters start at 0 and count the elements a replica has inserted (deletions do not consume
/// counters), so `B2` is the third element inserted by replica `B`. Ids are ordered by replica,
/// then counter; Fugue uses that order to break ties between concurrent siblings.
///
/// ```
/// use crdt_impls::fugue::Id;
/// use crdt_laws::ReplicaId;
/// let id = Id::new(ReplicaId::new(1), 2);
/// assert_eq!(id.to_string(), "B2");
/// assert!(Id::new(ReplicaId::new(0), 9) < id);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Id {
    /// The replica that inserted the element.
    pub replica: ReplicaId,
    /// The element's position among that replica's insertions, starting at 0.
    pub counter: u32,
}

impl Id {
    /// The `counter`-th element inserted by `replica` (counting from 0).
    #[must_use]
    pub const fn new(replica: ReplicaId, counter: u32) -> Self {
        Self { replica, counter }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.replica, self.counter)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Which child of its parent a node of the Fugue tree is: shared with the naive tree of the
/// specification, in `crdt-laws`.
pub use crdt_laws::vocab::list::Side;

/// A run of elements inserted by one local edit: the operation-based insert message.
///
/// The first element is a node of the Fugue tree with the given parent and side; every further
/// element is the right child of the element before it, so the run reads left to right.
///
/// Short runs (up to four values, a keystroke) are stored inline, without allocating.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Insertion<T> {
    /// The id of the first element; element `k` has counter `id.counter + k`.
    pub id: Id,
    /// The first element's parent in the Fugue tree, or `None` for the root.
    pub parent: Option<Id>,
    /// Which child of `parent` the first element is.
    pub side: Side,
    /// The element that followed the insertion point when the edit was made (tombstones
    /// included), or `None` at the end of the list. FugueMax orders right siblings by it;
    /// plain Fugue carries it only to keep one message format.
    pub right_origin: Option<Id>,
    /// The inserted values, in list order. An empty run integrates as a no-op.
    values: SmallVec<[T; 4]>,
}

impl<T> Insertion<T> {
    /// An insertion message: see the fields' documentation.
    pub fn new(
        id: Id,
        parent: Option<Id>,
        side: Side,
        right_origin: Option<Id>,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        Self {
            id,
            parent,
            side,
            right_origin,
            values: values.into_iter().collect(),
        }
    }

    /// The inserted values, in list order. Empty for an edit that inserted nothing.
    #[must_use]
    pub fn values(&self) -> &[T] {
        &self.values
    }

    pub(crate) fn extend_values(&mut self, values: impl IntoIterator<Item = T>) {
        // One push per value: for a keystroke, cheaper than `extend`, which reserves first.
        for value in values {
            self.values.push(value);
        }
    }
}

/// A contiguous range of element ids: `len` elements of one replica from `start.counter` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdRange {
    /// The first id of the range.
    pub start: Id,
    /// The number of ids in the range.
    pub len: u32,
}

/// The elements removed by one local edit: the operation-based delete message.
///
/// Deleting an element turns it into a tombstone that stays in the tree (later insertions may
/// still refer to it). Deleting an element twice is the same as deleting it once.
///
/// One or two ranges are stored inline, without allocating.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Deletion {
    /// The deleted elements. Empty when the edit deleted nothing.
    ranges: SmallVec<[IdRange; 2]>,
}

impl Deletion {
    /// A deletion message for the elements of `ranges`.
    pub fn new(ranges: impl IntoIterator<Item = IdRange>) -> Self {
        Self {
            ranges: ranges.into_iter().collect(),
        }
    }

    /// The deleted elements, as ranges of ids.
    #[must_use]
    pub fn ranges(&self) -> &[IdRange] {
        &self.ranges
    }

    /// Adds `len` ids from `start`, extending the last range when they follow it.
    pub(crate) fn push(&mut self, start: Id, len: u32) {
        match self.ranges.last_mut() {
            Some(last)
                if last.start.replica == start.replica
                    && last.start.counter + last.len == start.counter =>
            {
                last.len += len;
            }
            _ => self.ranges.push(IdRange { start, len }),
        }
    }
}

/// A message for the operation-based replication of a Fugue list.
///
/// Every local edit returns one; deliver it to every other replica's
/// [`integrate`](super::List::integrate) in causal order (after every message its origin
/// had integrated when it made the edit).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Message<T> {
    /// Elements were inserted.
    Insert(Insertion<T>),
    /// Elements were deleted.
    Delete(Deletion),
}

impl<T> From<Insertion<T>> for Message<T> {
    fn from(insertion: Insertion<T>) -> Self {
        Self::Insert(insertion)
    }
}

impl<T> From<Deletion> for Message<T> {
    fn from(deletion: Deletion) -> Self {
        Self::Delete(deletion)
    }
}

impl<T> Message<T> {
    /// True when integrating the message changes nothing (an empty insertion or deletion).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Insert(insertion) => insertion.values().is_empty(),
            Self::Delete(deletion) => deletion.ranges().is_empty(),
        }
    }
}
