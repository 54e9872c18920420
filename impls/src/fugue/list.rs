//! [`List`] ([`FugueList`], [`FugueMaxList`]): the replicated list, its queries and its local edits.

use std::fmt;
use std::marker::PhantomData;

use crdt_laws::ReplicaId;

use super::index::{Deleted, Index, Pieces, Place, Pos, Slot};
use super::message::{Deletion, Id, Insertion, Message, Side};
use super::order::{Fugue, FugueMax, SiblingOrder};
use super::tree::{Lid, Tree};
use super::values::{CompactChars, Values};

/// A replicated list, generic over its sibling rule `O` ([`Fugue`] or [`FugueMax`]): use it
/// through the aliases [`FugueList<T>`](FugueList) and [`FugueMaxList<T>`](FugueMaxList).
///
/// It is the Fugue CRDT of Weidner, Gentle and Kleppmann, *The Art of the Fugue:
/// Minimizing Interleaving in Collaborative Text Editing* (arXiv:2305.00583).
///
/// The values are stored in `V`, a `Vec<T>` by default ([`Values`]; [`Text`](super::Text) uses
/// [`CompactChars`]).
///
/// Each replica holds a `FugueList` and edits it locally by index; every edit returns a
/// [`Message`] to deliver to the other replicas, which [`integrate`](Self::integrate) it (the
/// operation-based CRDT, causal delivery). Replicas may instead exchange whole states and
/// [`merge`](Self::merge) them (the state-based CRDT). Both converge: replicas that have seen the
/// same edits hold equal lists (`==`), whatever the order in which they saw them.
///
/// ```
/// use crdt_impls::fugue::FugueList;
/// use crdt_laws::ReplicaId;
///
/// let mut alice = FugueList::new(ReplicaId::new(0));
/// let mut bob = FugueList::new(ReplicaId::new(1));
///
/// // Both type a word at the start of an empty list, concurrently.
/// let from_alice = alice.insert_many(0, "Hi ".chars());
/// let from_bob = bob.insert_many(0, "Yo ".chars());
///
/// // Operation-based: each integrates the other's message.
/// alice.integrate(&from_bob)?;
/// bob.integrate(&from_alice)?;
/// assert_eq!(alice.iter().collect::<String>(), "Hi Yo ");
/// assert_eq!(alice, bob);
///
/// // State-based: merging whole states gives the same result.
/// let mut carol = FugueList::new(ReplicaId::new(2));
/// carol.merge(&alice);
/// assert_eq!(carol, bob);
/// # Ok::<(), crdt_impls::fugue::Error>(())
/// ```
///
/// # Semantics and conflict rule
/// Every element ever inserted is a node of a binary-ish tree: its *parent* is the element to
/// its left when it was inserted (it becomes that element's *right child*), unless that element
/// already had right children, in which case it becomes the *left child* of the element to its
/// right. The list is the in-order traversal of the tree (left children, the node, right
/// children), skipping deleted elements. Concurrent siblings are ordered by id ([`Fugue`]), or,
/// for right siblings, by the reverse order of their right origins ([`FugueMax`]).
///
/// The rule is **non-interleaving**: when replicas concurrently type runs of text at the same
/// place, forwards or backwards, each run ends up contiguous instead of being shuffled character
/// by character with the others (RGA, for one, interleaves runs typed backwards: "axbycz"
/// instead of "abcxyz"). Concurrent runs at the same place are ordered by replica id, except
/// that FugueMax first orders right siblings by their right origins.
///
/// # Metadata cost
/// - Deleting an element leaves a **tombstone**: its id, its place in the tree and its value
///   stay, because later insertions may refer to it. The state grows with every insertion and
///   never shrinks.
/// - Per element: its value, one flag byte and four bytes in the id index. Per insertion *run*
///   (consecutive keystrokes of one replica): 32 bytes (parent, side, right origin). Per
///   *piece* (a run fragment, split by deletions or by edits in its middle): about 30 bytes in
///   the order-statistic B-tree. Replaying the `automerge-paper` editing trace (182,315
///   insertions, 77,463 deletions) leaves about 31 bytes per visible character for
///   `FugueList<char>` ([`memory_usage`](Self::memory_usage)).
/// - Per replica that ever inserted: a small header. Nothing grows with replicas that only read,
///   and there are no version vectors.
///
/// # Complexity
/// Index lookups, local edits and the integration of remote edits take `O(log n)` in the number
/// of pieces, plus, for a remote insertion that has concurrent siblings, a scan of those
/// siblings' subtrees. Consecutive local edits near each other reuse a cached cursor, and
/// typing right after the last local insertion extends its run and its piece with no lookup.
///
/// # Replica ids
/// Each replica must have its own [`ReplicaId`]: two replicas that share one generate clashing
/// element ids and may silently diverge.
pub struct List<T, O, V = Vec<T>> {
    pub(crate) replica: ReplicaId,
    /// The local agent index of `replica`.
    pub(crate) me: u32,
    pub(crate) tree: Tree<V>,
    pub(crate) index: Index,
    /// Where the last local edit happened. Always valid or `None`.
    pub(crate) cursor: Option<Cursor>,
    order: PhantomData<(O, fn() -> T)>,
}

/// A Fugue list: a [`List`] whose concurrent siblings are ordered by id.
pub type FugueList<T> = List<T, Fugue>;

/// A FugueMax list: a [`List`] whose concurrent right siblings are ordered by the reverse order
/// of their right origins.
pub type FugueMaxList<T> = List<T, FugueMax>;

/// A hint for the next local edit: consecutive edits are usually near each other.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(test, derive(PartialEq, Eq))]
pub(crate) struct Cursor {
    /// A piece near the last local edit.
    slot: Slot,
    /// The visible index of the piece's first element.
    start: u32,
    /// Set by a local insertion, until the next edit of any kind: the piece ends with the last
    /// inserted element, and this is the element after it (tombstones included), `None` at the
    /// end. Typing the next character at that place extends the piece and its insertion run
    /// ([`List::insert_typing`]).
    typing: Option<Option<Lid>>,
}

/// An insertion that continues the last local one: see [`List::insert_typing`].
#[derive(Clone, Copy, Debug)]
struct Typing {
    /// The piece that ends with the last inserted element.
    slot: Slot,
    /// The right origin of the last insertion, which the new elements share.
    right_origin: Option<Lid>,
}

/// Where a local insertion goes and which tree node it becomes.
struct LocalOrigin {
    parent: Option<Lid>,
    side: Side,
    right_origin: Option<Lid>,
    place: Place,
    /// The element before the insertion point and the visible index of its piece.
    left: Option<(Pos, u32)>,
}

impl<T: Clone, O: SiblingOrder, V: Values<Item = T>> List<T, O, V> {
    /// An empty list at replica `replica`.
    #[must_use]
    pub fn new(replica: ReplicaId) -> Self {
        let mut tree = Tree::default();
        let me = tree.agent_or_insert(replica);
        Self {
            replica,
            me,
            tree,
            index: Index::default(),
            cursor: None,
            order: PhantomData,
        }
    }

    /// The replica that owns this list: its local edits get ids from this replica.
    #[must_use]
    pub fn replica(&self) -> ReplicaId {
        self.replica
    }

    /// The number of elements (tombstones excluded).
    #[must_use]
    pub fn len(&self) -> usize {
        self.index.visible_len() as usize
    }

    /// True when the list has no elements (it may still hold tombstones).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `index`, if any, by value: for any storage `V` (see [`get`](Self::get)
    /// for a reference into a `Vec`).
    ///
    /// ```
    /// use crdt_impls::fugue::FugueText;
    /// use crdt_laws::ReplicaId;
    ///
    /// let mut text = FugueText::new(ReplicaId::new(0));
    /// text.insert_str(0, "día");
    /// assert_eq!(text.as_list().element(1), Some('í'));
    /// assert_eq!(text.as_list().element(3), None);
    /// ```
    #[must_use]
    pub fn element(&self, index: usize) -> Option<T> {
        (index < self.len()).then(|| {
            let (pos, _) = self.locate(index as u32);
            self.tree.value(self.lid_at(pos))
        })
    }

    /// The id of the element at `index`, if any.
    #[must_use]
    pub fn id_at(&self, index: usize) -> Option<Id> {
        (index < self.len()).then(|| {
            let (pos, _) = self.locate(index as u32);
            self.tree.to_id(self.lid_at(pos))
        })
    }

    /// The elements in list order, by value: for any storage `V` (see [`iter`](Self::iter) for
    /// references into `Vec`s).
    #[must_use]
    pub fn elements(&self) -> Elements<'_, V> {
        Elements {
            tree: &self.tree,
            pieces: self.index.pieces(),
            run: None,
            remaining: self.len(),
        }
    }

    /// The ids of the elements in list order (tombstones excluded).
    pub fn ids(&self) -> impl Iterator<Item = Id> + '_ {
        self.index
            .pieces()
            .filter(|(_, piece)| !piece.deleted)
            .flat_map(move |(_, piece)| {
                let replica = self.tree.agents[piece.agent as usize].replica;
                (piece.counter..piece.counter + piece.len).map(move |c| Id::new(replica, c))
            })
    }

    /// The elements in list order, cloned into a vector.
    #[must_use]
    pub fn value(&self) -> Vec<T> {
        self.elements().collect()
    }

    /// The number of elements ever inserted, tombstones included.
    #[must_use]
    pub fn total_len(&self) -> usize {
        self.tree.agents.iter().map(|a| a.values.len()).sum()
    }

    /// An estimate of the memory this list holds, in bytes: the heap capacity of its arrays
    /// plus the struct itself.
    #[must_use]
    pub fn memory_usage(&self) -> usize {
        size_of::<Self>() + self.tree.heap_size() + self.index.heap_size()
    }

    /// Inserts `value` at `index`, shifting later elements right, and returns the message for
    /// the other replicas.
    ///
    /// # Panics
    /// If `index > len()`.
    pub fn insert(&mut self, index: usize, value: T) -> Message<T> {
        self.insert_many(index, [value])
    }

    /// Inserts `values`, in order, at `index` as one run, and returns the message for the other
    /// replicas. Inserting nothing returns an empty insertion, which integrates as a no-op.
    ///
    /// # Panics
    /// If `index > len()`.
    pub fn insert_many(&mut self, index: usize, values: impl IntoIterator<Item = T>) -> Message<T> {
        let index = self.check_insert_index(index);
        match self.typing(index) {
            Some(typing) => self.insert_typing(typing, values),
            None => self.insert_placed(index, values),
        }
    }

    /// The message that [`insert_many`](Self::insert_many) would return, without changing the
    /// list: integrating it (here or anywhere) performs the insertion.
    ///
    /// # Panics
    /// If `index > len()`.
    #[must_use]
    pub fn prepare_insert(&self, index: usize, values: impl IntoIterator<Item = T>) -> Message<T> {
        let index = self.check_insert_index(index);
        let origin = self.local_origin(index);
        Message::Insert(self.insertion(&origin, values))
    }

    /// Deletes the element at `index` and returns the message for the other replicas.
    ///
    /// # Panics
    /// If `index >= len()`.
    pub fn delete(&mut self, index: usize) -> Message<T> {
        self.delete_range(index, 1)
    }

    /// Deletes `len` elements from `index` on and returns the message for the other replicas.
    ///
    /// # Panics
    /// If `index + len > len()`.
    pub fn delete_range(&mut self, index: usize, len: usize) -> Message<T> {
        self.check_range(index, len);
        let mut deletion = Deletion::default();
        let mut remaining = len as u32;
        while remaining > 0 {
            let (pos, piece_start) = self.locate(index as u32);
            let piece = *self.index.piece(pos.slot);
            let n = (piece.len - pos.offset).min(remaining);
            let start = Lid::new(piece.agent, piece.counter + pos.offset);
            deletion.push(self.tree.to_id(start), n);
            let deleted = self.delete_visible(pos, start, n);
            // Keep the cursor on the visible elements before the deleted ones, where a
            // backspace goes next, else on the tombstones, which start at `index`.
            let (slot, start) = match deleted.before {
                Some(before) => (before, piece_start),
                None => (deleted.tombstones, index as u32),
            };
            self.cursor = Some(Cursor {
                slot,
                start,
                typing: None,
            });
            remaining -= n;
        }
        Message::Delete(deletion)
    }

    /// The message that [`delete_range`](Self::delete_range) would return, without changing the
    /// list.
    ///
    /// # Panics
    /// If `index + len > len()`.
    #[must_use]
    pub fn prepare_delete(&self, index: usize, len: usize) -> Message<T> {
        self.check_range(index, len);
        let mut deletion = Deletion::default();
        let mut remaining = len as u32;
        let mut next = (len > 0).then(|| self.locate(index as u32).0);
        while let Some(pos) = next {
            let piece = self.index.piece(pos.slot);
            if !piece.deleted {
                let n = (piece.len - pos.offset).min(remaining);
                let start = Lid::new(piece.agent, piece.counter + pos.offset);
                deletion.push(self.tree.to_id(start), n);
                remaining -= n;
                if remaining == 0 {
                    break;
                }
            }
            next = self
                .index
                .next_piece(pos.slot)
                .map(|slot| Pos { slot, offset: 0 });
        }
        Message::Delete(deletion)
    }

    /// The same list with its values stored as `convert` makes them.
    pub(crate) fn with_values<W: Values<Item = T>>(
        self,
        convert: impl Fn(&V) -> W,
    ) -> List<T, O, W> {
        List {
            replica: self.replica,
            me: self.me,
            tree: self.tree.map_values(convert),
            index: self.index,
            cursor: None,
            order: PhantomData,
        }
    }

    // --- Internals shared with integration ------------------------------------------------

    pub(crate) fn lid_at(&self, pos: Pos) -> Lid {
        let piece = self.index.piece(pos.slot);
        Lid::new(piece.agent, piece.counter + pos.offset)
    }

    pub(crate) fn pos(&self, lid: Lid) -> Pos {
        self.index
            .pos_of(lid.agent, lid.counter)
            .expect("every element of the tree is in the index")
    }

    /// The element at visible `index` and its piece's visible start, using the cursor.
    fn locate(&self, index: u32) -> (Pos, u32) {
        match self.cursor {
            Some(cursor) => self
                .index
                .find_visible_near(index, (cursor.slot, cursor.start)),
            None => self.index.find_visible(index),
        }
    }

    fn check_insert_index(&self, index: usize) -> u32 {
        let len = self.len();
        assert!(
            index <= len,
            "insertion index {index} is past the end (len {len})"
        );
        index as u32
    }

    /// Where an insertion at visible `index` goes in the tree (the paper's insert generator):
    /// the new node is a right child of the element before it, `L`, unless `L` already has
    /// right children, in which case it is a left child of the element after `L`
    /// (tombstones included), which then has no left children.
    fn local_origin(&self, index: u32) -> LocalOrigin {
        let (left, right) = if index == 0 {
            let first = self.index.first_piece().map(|slot| Pos { slot, offset: 0 });
            (None, first)
        } else {
            let (pos, start) = self.locate(index - 1);
            (Some((pos, start)), self.index.next_pos(pos))
        };
        let left_lid = left.map(|(pos, _)| self.lid_at(pos));
        let right_lid = right.map(|pos| self.lid_at(pos));
        let left_has_right_child = match left_lid {
            // The root's right subtree is the whole list.
            None => !self.index.is_empty(),
            Some(lid) => self.tree.has_child(lid, Side::Right),
        };
        let (parent, side) = if left_has_right_child {
            (right_lid, Side::Left)
        } else {
            (left_lid, Side::Right)
        };
        LocalOrigin {
            parent,
            side,
            right_origin: right_lid,
            place: left.map_or(Place::Start, |(pos, _)| Place::After(pos)),
            left,
        }
    }

    /// The insertion at `index` continues the last local one, if that is where `index` is (the
    /// cursor's piece ends with the last inserted element, and `index` is right after it).
    fn typing(&self, index: u32) -> Option<Typing> {
        let cursor = self.cursor?;
        let right_origin = cursor.typing?;
        let piece = self.index.piece(cursor.slot);
        if piece.deleted || index != cursor.start + piece.len {
            return None;
        }
        Some(Typing {
            slot: cursor.slot,
            right_origin,
        })
    }

    /// The typing fast path of [`insert_many`](Self::insert_many): the new elements go right
    /// after the last local insertion, with nothing between (not even a tombstone, since any
    /// other edit clears the cursor's `typing`). That element `L` is this replica's newest one
    /// and has no right child yet, so the paper's insert generator makes the first new element
    /// `L`'s right child with `L`'s right origin: the same insertion run, continued. The
    /// elements are appended to the run ([`Tree::extend_run`]) and to `L`'s piece
    /// ([`Index::extend_piece`](super::index::Index::extend_piece)), with no lookup: exactly
    /// the state [`insert_placed`](Self::insert_placed) makes, and the same message.
    fn insert_typing(&mut self, typing: Typing, values: impl IntoIterator<Item = T>) -> Message<T> {
        let counter = self.tree.next_counter(self.me);
        debug_assert!({
            let piece = self.index.piece(typing.slot);
            piece.agent == self.me && piece.counter + piece.len == counter
        });
        let right_origin = typing.right_origin.map(|lid| self.tree.to_id(lid));
        // Fill the values in place in the returned message: building them elsewhere and
        // moving them in costs a store-forwarding stall per keystroke.
        let mut message = Message::Insert(Insertion::new(
            Id::new(self.replica, counter),
            Some(Id::new(self.replica, counter - 1)),
            Side::Right,
            right_origin,
            [],
        ));
        if let Message::Insert(insertion) = &mut message {
            insertion.extend_values(values);
            let values = insertion.values();
            if !values.is_empty() {
                self.tree.extend_run(self.me, values);
                self.index.extend_piece(typing.slot, values.len() as u32);
            }
        }
        message
    }

    /// [`insert_many`](Self::insert_many) without the typing fast path: the insertion placed by
    /// the paper's insert generator ([`local_origin`](Self::local_origin)).
    fn insert_placed(&mut self, index: u32, values: impl IntoIterator<Item = T>) -> Message<T> {
        let origin = self.local_origin(index);
        // Fill the values in place in the returned message (see `insert_typing`).
        let mut message = Message::Insert(self.insertion(&origin, []));
        if let Message::Insert(insertion) = &mut message {
            insertion.extend_values(values);
            if !insertion.values().is_empty() {
                self.apply_local_insert(origin, index, insertion.values());
            }
        }
        message
    }

    /// [`insert_many`](Self::insert_many) always through the general path, never the typing
    /// fast path (tests compare the two).
    #[cfg(test)]
    pub(crate) fn insert_many_placed(
        &mut self,
        index: usize,
        values: impl IntoIterator<Item = T>,
    ) -> Message<T> {
        let index = self.check_insert_index(index);
        self.insert_placed(index, values)
    }

    fn insertion(&self, origin: &LocalOrigin, values: impl IntoIterator<Item = T>) -> Insertion<T> {
        Insertion::new(
            Id::new(self.replica, self.tree.next_counter(self.me)),
            origin.parent.map(|lid| self.tree.to_id(lid)),
            origin.side,
            origin.right_origin.map(|lid| self.tree.to_id(lid)),
            values,
        )
    }

    fn apply_local_insert(&mut self, origin: LocalOrigin, index: u32, values: &[T]) {
        let len = values.len() as u32;
        let counter = self.tree.next_counter(self.me);
        let continues = self.tree.push_run(
            self.me,
            origin.parent,
            origin.side,
            origin.right_origin,
            values,
        );
        let slot = self
            .index
            .insert(origin.place, self.me, counter, len, continues);
        let start = match origin.left {
            // The new elements extended the piece of the element before them.
            Some((pos, start)) if pos.slot == slot => start,
            _ => index,
        };
        self.cursor = Some(Cursor {
            slot,
            start,
            typing: Some(origin.right_origin),
        });
    }

    fn check_range(&self, index: usize, len: usize) {
        let total = self.len();
        assert!(
            index.checked_add(len).is_some_and(|end| end <= total),
            "deletion range {index}..{} is past the end (len {total})",
            index.saturating_add(len)
        );
    }

    /// Turns `len` visible elements from `pos` (element `start`) into tombstones.
    fn delete_visible(&mut self, pos: Pos, start: Lid, len: u32) -> Deleted {
        self.tree.mark_deleted(start.agent, start.counter, len);
        let tree = &self.tree;
        self.index.delete(pos, len, |a, c| !tree.is_run_start(a, c))
    }

    /// Deletes elements `start..start + len` of `agent` (all present), skipping tombstones.
    pub(crate) fn delete_ids(&mut self, agent: u32, start: u32, len: u32) {
        let mut counter = start;
        let end = start + len;
        while counter < end {
            let pos = self.pos(Lid::new(agent, counter));
            let piece = *self.index.piece(pos.slot);
            let n = (piece.len - pos.offset).min(end - counter);
            if !piece.deleted {
                self.delete_visible(pos, Lid::new(agent, counter), n);
            }
            counter += n;
        }
    }
}

impl<T: Clone, O: SiblingOrder> List<T, O> {
    /// The element at `index`, if any.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<&T> {
        (index < self.len()).then(|| {
            let (pos, _) = self.locate(index as u32);
            let lid = self.lid_at(pos);
            &self.tree.agents[lid.agent as usize].values[lid.counter as usize]
        })
    }

    /// The elements in list order.
    #[must_use]
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            tree: &self.tree,
            pieces: self.index.pieces(),
            run: [].iter(),
            remaining: self.len(),
        }
    }
}

impl<O: SiblingOrder> List<char, O, CompactChars> {
    /// The `char` at `index`, if any.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<char> {
        self.element(index)
    }

    /// The `char`s in list order.
    #[must_use]
    pub fn iter(&self) -> Elements<'_, CompactChars> {
        self.elements()
    }
}

impl<T, O, V: Clone> Clone for List<T, O, V> {
    fn clone(&self) -> Self {
        Self {
            replica: self.replica,
            me: self.me,
            tree: self.tree.clone(),
            index: self.index.clone(),
            cursor: self.cursor,
            order: PhantomData,
        }
    }
}

impl<T: fmt::Debug, O: SiblingOrder, V: Values<Item = T>> fmt::Debug for List<T, O, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// One element: id, value, and a dagger for tombstones.
        struct Element<T>(Id, T, bool);
        impl<T: fmt::Debug> fmt::Debug for Element<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let dagger = if self.2 { "†" } else { "" };
                write!(f, "{}{dagger}{:?}", self.0, self.1)
            }
        }
        let elements = self.index.pieces().flat_map(|(_, piece)| {
            let agent = &self.tree.agents[piece.agent as usize];
            (piece.counter..piece.counter + piece.len).map(move |c| {
                Element(
                    Id::new(agent.replica, c),
                    agent.values.at(c as usize),
                    piece.deleted,
                )
            })
        });
        f.debug_struct(O::NAME)
            .field("replica", &self.replica)
            .field("elements", &DebugIter(elements))
            .finish()
    }
}

/// Formats the items of a cloneable iterator as a list.
struct DebugIter<I>(I);

impl<I: Clone + Iterator<Item: fmt::Debug>> fmt::Debug for DebugIter<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}

/// The elements of a [`FugueList`] in list order: see [`List::iter`].
pub struct Iter<'a, T> {
    tree: &'a Tree<Vec<T>>,
    pieces: Pieces<'a>,
    run: std::slice::Iter<'a, T>,
    remaining: usize,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        loop {
            if let Some(value) = self.run.next() {
                self.remaining -= 1;
                return Some(value);
            }
            let (_, piece) = self.pieces.next()?;
            if !piece.deleted {
                let values = &self.tree.agents[piece.agent as usize].values;
                let start = piece.counter as usize;
                self.run = values[start..start + piece.len as usize].iter();
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<T> ExactSizeIterator for Iter<'_, T> {}

/// The elements of a [`List`] in list order, by value: see [`List::elements`].
pub struct Elements<'a, V: Values> {
    tree: &'a Tree<V>,
    pieces: Pieces<'a>,
    run: Option<V::Range<'a>>,
    remaining: usize,
}

impl<V: Values> Iterator for Elements<'_, V> {
    type Item = V::Item;

    fn next(&mut self) -> Option<V::Item> {
        loop {
            if let Some(value) = self.run.as_mut().and_then(Iterator::next) {
                self.remaining -= 1;
                return Some(value);
            }
            let (_, piece) = self.pieces.next()?;
            if !piece.deleted {
                let values = &self.tree.agents[piece.agent as usize].values;
                let start = piece.counter as usize;
                self.run = Some(values.range(start, start + piece.len as usize));
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<V: Values> ExactSizeIterator for Elements<'_, V> {}

impl<'a, T: Clone, O: SiblingOrder> IntoIterator for &'a List<T, O> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}
