//! [`MovableList`]: a list whose elements can be moved, keeping their identity.
//!
//! Moving an element of a list CRDT by deleting it and inserting a copy elsewhere goes wrong
//! as soon as two replicas move the same element concurrently: each inserts its own copy, and
//! after they merge the element is there twice (and a concurrent edit of it reaches only one
//! copy). Kleppmann ("Moving elements in list CRDTs", PaPoC 2020) gives the fix used here:
//!
//! - the *positions* live in a list CRDT, here the crate's [`FugueList`]: every insert and every
//!   move creates a new position (a Fugue element whose value is the element's id);
//! - every element has a **last-writer-wins register** holding its current position: a move
//!   writes the register with a fresh [`Timestamp`], and of two concurrent moves the one with
//!   the larger timestamp wins at every replica;
//! - the list shows each element at the position its register holds; every other position is
//!   a tombstone of the Fugue list.
//!
//! So an element is never shown twice, whatever the moves, and replicas converge.
//!
//! This module provides the list ([`MovableList`]), its messages ([`Update`]), a model for the
//! law catalogue and the harness ([`MovableListModel`], state-based and operation-based) and a
//! specification ([`spec`]): a naive replay of the applied updates on the naive Fugue tree of
//! `crdt-laws`, sharing no code with the list.

mod model;
pub mod spec;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fugue::{Deletion, Error, FugueList, Id, IdRange, Insertion, Message};
use crate::{ReplicaId, Timestamp};

pub use model::{MovableListModel, MovableListOp, no_element_twice};

/// A replicated list whose elements can be moved (Kleppmann, "Moving elements in list CRDTs",
/// PaPoC 2020): Fugue positions plus a last-writer-wins position register per element.
///
/// Each replica edits its own `MovableList` by index; every edit returns an [`Update`] to
/// deliver to the other replicas, which [`apply`](Self::apply) it in causal order (the
/// operation-based CRDT). Replicas may instead exchange whole states and
/// [`merge`](Self::merge) them (the state-based CRDT). Both converge.
///
/// ```
/// use crdt_impls::{MovableList, ReplicaId};
///
/// let mut alice = MovableList::new(ReplicaId::new(0));
/// let mut bob = MovableList::new(ReplicaId::new(1));
/// for (at, task) in ["buy milk", "call mum", "fix bike"].into_iter().enumerate() {
///     bob.apply(&alice.insert(at, task))?;
/// }
/// // Concurrently, Alice moves "fix bike" to the top and Bob moves it to the middle.
/// let from_alice = alice.move_item(2, 0);
/// let from_bob = bob.move_item(2, 1);
/// alice.apply(&from_bob)?;
/// bob.apply(&from_alice)?;
/// // One move wins (the larger timestamp: same Lamport time, so replica B), everywhere, and
/// // "fix bike" is there once.
/// assert_eq!(alice, bob);
/// assert_eq!(alice.iter().collect::<Vec<_>>(), [&"buy milk", &"fix bike", &"call mum"]);
/// # Ok::<(), crdt_impls::fugue::Error>(())
/// ```
///
/// # Conflict rule
/// - Concurrent moves of one element: the move with the larger [`Timestamp`] (Lamport time,
///   then replica) wins; the element appears once, where that move put it.
/// - A move concurrent with the deletion of its element: the deletion wins (an id is never
///   reused, so a deleted element stays deleted).
/// - Concurrent inserts and moves to the same place: Fugue's rule (no interleaving of
///   concurrent runs; siblings by id). An element moved next to a neighbour that is itself
///   moved concurrently follows the old place of that neighbour, not the neighbour.
///
/// # Metadata cost
/// - Every insert *and every move* leaves a Fugue element (a position) that is never removed:
///   the positions an element left behind stay as tombstones, so the state grows with the
///   number of moves, not only of inserts (see [`FugueList`]'s metadata cost per position).
/// - Per element ever inserted, deleted ones included: its value, its id and the register (a
///   timestamp and a position id, 32 bytes) in a `BTreeMap`.
/// - A Lamport clock (8 bytes). Nothing grows with the number of replicas.
pub struct MovableList<T> {
    replica: ReplicaId,
    /// The largest Lamport time this replica has seen.
    clock: u64,
    /// The positions: every insert and move made one; the value is the element's id. Exactly
    /// the winning positions of elements not deleted are visible.
    slots: FugueList<Timestamp>,
    /// Every element ever inserted, by id (its insert's timestamp).
    elements: BTreeMap<Timestamp, Entry<T>>,
}

/// One element: its value and its position register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry<T> {
    value: T,
    /// The timestamp of the winning write of the register (the insert or a move).
    position: Timestamp,
    /// The position that write created.
    slot: Id,
    deleted: bool,
}

/// What one local edit of a [`MovableList`] did: the message for the other replicas, applied
/// there with [`MovableList::apply`] in causal order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Update<T> {
    /// A new element: its id, its value and its first position.
    Insert {
        /// The element's id: the insert's timestamp.
        element: Timestamp,
        /// The value.
        value: T,
        /// The new position, a Fugue insertion whose value is the element's id.
        slot: Insertion<Timestamp>,
    },
    /// A move: a new position for the element, and a write of its position register.
    Move {
        /// The element moved.
        element: Timestamp,
        /// The write's timestamp.
        stamp: Timestamp,
        /// The new position.
        slot: Insertion<Timestamp>,
    },
    /// A deletion.
    Delete {
        /// The element deleted.
        element: Timestamp,
        /// The deletion's timestamp (it advances the receivers' clocks).
        stamp: Timestamp,
    },
}

impl<T: Clone> MovableList<T> {
    /// An empty list at replica `replica`.
    #[must_use]
    pub fn new(replica: ReplicaId) -> Self {
        Self {
            replica,
            clock: 0,
            slots: FugueList::new(replica),
            elements: BTreeMap::new(),
        }
    }

    /// The replica that owns this list.
    #[must_use]
    pub fn replica(&self) -> ReplicaId {
        self.replica
    }

    /// The number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when the list has no elements.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The element at `index`, if any.
    #[must_use]
    pub fn get(&self, index: usize) -> Option<&T> {
        self.slots
            .get(index)
            .map(|element| &self.elements[element].value)
    }

    /// The id of the element at `index` (its insert's timestamp), if any.
    #[must_use]
    pub fn id_at(&self, index: usize) -> Option<Timestamp> {
        self.slots.get(index).copied()
    }

    /// The elements in list order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.slots
            .iter()
            .map(move |element| &self.elements[element].value)
    }

    /// The elements with their ids, in list order.
    pub fn entries(&self) -> impl Iterator<Item = (Timestamp, &T)> + '_ {
        self.slots
            .iter()
            .map(move |element| (*element, &self.elements[element].value))
    }

    /// The largest Lamport time this replica has seen.
    #[must_use]
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// The number of positions ever created (inserts and moves), tombstones included: the
    /// metadata this list carries.
    #[must_use]
    pub fn positions(&self) -> usize {
        self.slots.total_len()
    }

    fn tick(&mut self) -> Timestamp {
        self.clock += 1;
        Timestamp::new(self.clock, self.replica)
    }

    /// Inserts `value` at `index` and returns the update for the other replicas.
    ///
    /// # Panics
    /// If `index > len()`.
    pub fn insert(&mut self, index: usize, value: T) -> Update<T> {
        assert!(index <= self.len(), "insert at {index} of {}", self.len());
        let element = self.tick();
        let slot = insertion(self.slots.insert(index, element));
        self.elements.insert(
            element,
            Entry {
                value: value.clone(),
                position: element,
                slot: slot.id,
                deleted: false,
            },
        );
        Update::Insert {
            element,
            value,
            slot,
        }
    }

    /// Deletes the element at `index` and returns the update for the other replicas.
    ///
    /// # Panics
    /// If `index >= len()`.
    pub fn delete(&mut self, index: usize) -> Update<T> {
        assert!(index < self.len(), "delete at {index} of {}", self.len());
        let element = *self.slots.get(index).expect("checked index");
        let stamp = self.tick();
        self.slots.delete(index);
        self.entry(element).deleted = true;
        Update::Delete { element, stamp }
    }

    /// Moves the element at `from` so that it ends at index `to`, and returns the update for
    /// the other replicas.
    ///
    /// # Panics
    /// If `from >= len()` or `to >= len()`.
    pub fn move_item(&mut self, from: usize, to: usize) -> Update<T> {
        let len = self.len();
        assert!(from < len && to < len, "move {from} to {to} of {len}");
        let element = *self.slots.get(from).expect("checked index");
        let stamp = self.tick();
        self.slots.delete(from);
        let slot = insertion(self.slots.insert(to, element));
        let entry = self.entry(element);
        entry.position = stamp;
        entry.slot = slot.id;
        Update::Move {
            element,
            stamp,
            slot,
        }
    }

    fn entry(&mut self, element: Timestamp) -> &mut Entry<T> {
        self.elements
            .get_mut(&element)
            .expect("every position's element is known")
    }

    /// Turns position `slot` into a tombstone (nothing if it is one already).
    fn bury(&mut self, slot: Id) {
        self.slots
            .integrate_deletion(&Deletion::new([IdRange {
                start: slot,
                len: 1,
            }]))
            .expect("a known position");
    }

    /// Applies an update from any replica. Updates must arrive in causal order (after every
    /// update their origin had seen); applying one twice is harmless.
    ///
    /// # Errors
    /// [`Error::MissingDependency`] or [`Error::Invalid`] when the update refers to an element
    /// or position not applied yet; the list is then unchanged.
    pub fn apply(&mut self, update: &Update<T>) -> Result<(), Error> {
        match update {
            Update::Insert {
                element,
                value,
                slot,
            } => {
                if self.elements.contains_key(element) {
                    return Ok(());
                }
                self.slots.integrate_insertion(slot)?;
                self.elements.insert(
                    *element,
                    Entry {
                        value: value.clone(),
                        position: *element,
                        slot: slot.id,
                        deleted: false,
                    },
                );
                self.clock = self.clock.max(element.lamport);
            }
            Update::Move {
                element,
                stamp,
                slot,
            } => {
                self.known(*element)?;
                self.slots.integrate_insertion(slot)?;
                self.clock = self.clock.max(stamp.lamport);
                let entry = &self.elements[element];
                if (entry.position, entry.slot) == (*stamp, slot.id) {
                    return Ok(()); // applied already
                }
                // The register takes the later write, deleted or not; every position but the
                // winner is buried, and the winner too once the element is deleted.
                let loser = if *stamp > entry.position {
                    let loser = entry.slot;
                    let entry = self.entry(*element);
                    entry.position = *stamp;
                    entry.slot = slot.id;
                    loser
                } else {
                    slot.id
                };
                self.bury(loser);
                let entry = &self.elements[element];
                if entry.deleted {
                    let slot = entry.slot;
                    self.bury(slot);
                }
            }
            Update::Delete { element, stamp } => {
                self.known(*element)?;
                self.clock = self.clock.max(stamp.lamport);
                let entry = self.entry(*element);
                if !entry.deleted {
                    entry.deleted = true;
                    let slot = entry.slot;
                    self.bury(slot);
                }
            }
        }
        Ok(())
    }

    fn known(&self, element: Timestamp) -> Result<(), Error> {
        if self.elements.contains_key(&element) {
            Ok(())
        } else {
            Err(Error::Invalid(format!(
                "element {element:?} is unknown here: deliver its insert first"
            )))
        }
    }

    /// Merges another replica's state into this one: the union of their positions, the later
    /// write of every position register, and the union of deletions. Commutative, associative
    /// and idempotent.
    pub fn merge(&mut self, other: &Self) {
        self.slots.merge(&other.slots);
        self.clock = self.clock.max(other.clock);
        for (id, theirs) in &other.elements {
            let Some(mine) = self.elements.get_mut(id) else {
                // Every position of an element we did not know is new here, and buried there
                // unless it is the winner of an element not deleted.
                self.elements.insert(*id, theirs.clone());
                continue;
            };
            // Each side shows at most its own winning position; bury the other one.
            let mut buried = Vec::with_capacity(2);
            if theirs.position > mine.position {
                buried.push(mine.slot);
                mine.position = theirs.position;
                mine.slot = theirs.slot;
            } else if theirs.position < mine.position {
                buried.push(theirs.slot);
            }
            if theirs.deleted || mine.deleted {
                mine.deleted = true;
                buried.extend([mine.slot, theirs.slot]);
            }
            for slot in buried {
                self.bury(slot);
            }
        }
    }

    /// The lattice order: `self ≤ other` when `other` has seen every update `self` has.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool
    where
        T: PartialEq,
    {
        self.clock <= other.clock
            && self.slots.leq(&other.slots)
            && self.elements.iter().all(|(id, mine)| {
                other.elements.get(id).is_some_and(|theirs| {
                    mine.position <= theirs.position && (!mine.deleted || theirs.deleted)
                })
            })
    }
}

/// The insertion inside a local insert's message.
fn insertion(message: Message<Timestamp>) -> Insertion<Timestamp> {
    match message {
        Message::Insert(insertion) => insertion,
        Message::Delete(_) => unreachable!("an insert returns an insertion"),
    }
}

impl<T: Clone> Clone for MovableList<T> {
    fn clone(&self) -> Self {
        Self {
            replica: self.replica,
            clock: self.clock,
            slots: self.slots.clone(),
            elements: self.elements.clone(),
        }
    }
}

/// Equality of the replicated state: the owning replica is not part of it.
impl<T: PartialEq> PartialEq for MovableList<T> {
    fn eq(&self, other: &Self) -> bool {
        self.clock == other.clock && self.slots == other.slots && self.elements == other.elements
    }
}

impl<T: Eq> Eq for MovableList<T> {}

impl<T: fmt::Debug> fmt::Debug for MovableList<T> {
    /// The elements in list order with their ids, then the clock: `[1A 'a', 2B 'b'] clock 2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Shown<'a, T>(Timestamp, &'a T);
        impl<T: fmt::Debug> fmt::Debug for Shown<'_, T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?} {:?}", self.0, self.1)
            }
        }
        f.debug_list()
            .entries(
                self.slots
                    .iter()
                    .map(|element| Shown(*element, &self.elements[element].value)),
            )
            .finish()?;
        write!(f, " clock {}", self.clock)
    }
}

/// The serialized form: the elements as a list (their ids are not strings, so not map keys).
#[derive(Serialize, Deserialize)]
struct Repr<S, E> {
    replica: ReplicaId,
    clock: u64,
    slots: S,
    elements: E,
}

impl<T: Serialize> Serialize for MovableList<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Repr {
            replica: self.replica,
            clock: self.clock,
            slots: &self.slots,
            elements: self.elements.iter().collect::<Vec<_>>(),
        }
        .serialize(serializer)
    }
}

impl<'de, T: Clone + Deserialize<'de>> Deserialize<'de> for MovableList<T> {
    /// Reads a list back, checking that every visible position belongs to a known element
    /// that is not deleted and whose register holds that position.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let repr =
            Repr::<FugueList<Timestamp>, Vec<(Timestamp, Entry<T>)>>::deserialize(deserializer)?;
        let list = Self {
            replica: repr.replica,
            clock: repr.clock,
            slots: repr.slots,
            elements: repr.elements.into_iter().collect(),
        };
        let visible: Vec<Id> = list.slots.ids().collect();
        for (slot, element) in visible.iter().zip(list.slots.iter()) {
            let valid = list
                .elements
                .get(element)
                .is_some_and(|e| !e.deleted && e.slot == *slot);
            if !valid {
                return Err(D::Error::custom(format!(
                    "position {slot} shows element {element:?}, which is unknown, deleted or \
                     elsewhere"
                )));
            }
        }
        Ok(list)
    }
}

#[cfg(test)]
mod tests;
