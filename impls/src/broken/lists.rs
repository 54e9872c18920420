//! Broken lists.

use std::fmt;

use crdt_laws::{Delivery, Dot, Model, NonInterleaving, OpCrdt, ReplicaId};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::ops::{ListMessage, ListOp};

/// An element of a gallery list. Its `Debug` text is `A1 'x'`, with a `†` when deleted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// Its identity: inserting replica and Lamport time.
    pub id: Dot,
    /// Its value.
    pub value: char,
    /// Deleted elements stay as tombstones.
    pub deleted: bool,
}

/// A list of elements with tombstones and a Lamport clock, shared by the gallery's lists. Its
/// `Debug` text is the elements in list order, then the clock: `[B1 'a', A1 'b'] clock 1`.
///
/// ```
/// use crdt_impls::broken::{Element, ListState};
/// use crdt_laws::{Dot, ReplicaId};
/// let element = |r, value, deleted| Element { id: Dot::new(ReplicaId::new(r), 1), value, deleted };
/// let list = ListState { elements: vec![element(1, 'a', false), element(0, 'b', true)], clock: 1 };
/// assert_eq!(format!("{list:?}"), "[B1 'a', A1 'b'†] clock 1");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListState {
    /// Every element ever inserted, in list order.
    pub elements: Vec<Element>,
    /// The largest Lamport time seen.
    pub clock: u64,
}

impl fmt::Debug for Element {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {:?}", self.id, self.value)?;
        if self.deleted {
            f.write_str("†")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ListState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} clock {}", self.elements, self.clock)
    }
}

impl ListState {
    fn visible(&self) -> impl Iterator<Item = &Element> {
        self.elements.iter().filter(|e| !e.deleted)
    }

    /// The `index`-th visible element's position in `elements`.
    fn position_of_visible(&self, index: usize) -> Option<usize> {
        self.elements
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.deleted)
            .nth(index)
            .map(|(k, _)| k)
    }

    fn prepare(&self, replica: ReplicaId, op: &ListOp, by_position: bool) -> ListMessage {
        let len = self.visible().count();
        match *op {
            ListOp::Insert { at, value } => {
                let index = at as usize % (len + 1);
                let id = Dot::new(replica, self.clock + 1);
                if by_position {
                    return ListMessage::InsertAt { id, index, value };
                }
                let origin = index
                    .checked_sub(1)
                    .and_then(|i| self.position_of_visible(i))
                    .map(|k| self.elements[k].id);
                ListMessage::Insert { id, origin, value }
            }
            ListOp::Delete { at } if len > 0 => {
                let k = self
                    .position_of_visible(at as usize % len)
                    .expect("index below the visible length");
                ListMessage::Delete {
                    id: self.elements[k].id,
                }
            }
            ListOp::Delete { .. } => ListMessage::Nothing { from: replica },
        }
    }

    fn delete(&mut self, id: Dot) {
        if let Some(e) = self.elements.iter_mut().find(|e| e.id == id) {
            e.deleted = true;
        }
    }

    fn contains(&self, id: Dot) -> bool {
        self.elements.iter().any(|e| e.id == id)
    }
}

/// Values of a list model: the visible characters.
fn text(s: &ListState) -> String {
    s.visible().map(|e| e.value).collect()
}

fn ids(s: &ListState) -> Vec<Dot> {
    s.visible().map(|e| e.id).collect()
}

/// A list that ships positions instead of element identities.
///
/// The story: the first prototype of a shared to-do list sends "insert 'x' at 0" to the other
/// replicas. When A and B insert at 0 concurrently, each applies the other's insert at 0 and
/// they end up in opposite orders. Caught by `effects_commute` (two concurrent inserts at one
/// position land in opposite orders) and by the harness's sequence-order oracle (one replica
/// shows a before b, another b before a).
#[derive(Clone, Copy, Debug, Default)]
pub struct IndexList;

impl Model for IndexList {
    type State = ListState;
    type Op = ListOp;
    type Value = String;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> ListState {
        ListState::default()
    }
    fn value(&self, s: &ListState) -> String {
        text(s)
    }
    fn ops(&self) -> BoxedStrategy<ListOp> {
        ListOp::strategy()
    }
    fn element_ids(&self, s: &ListState) -> Option<Vec<Dot>> {
        Some(ids(s))
    }
}

impl OpCrdt for IndexList {
    type Message = ListMessage;
    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &ListState, replica: ReplicaId, op: &ListOp) -> Option<ListMessage> {
        Some(s.prepare(replica, op, true))
    }
    fn effect(&self, s: &mut ListState, message: &ListMessage) {
        match message {
            ListMessage::InsertAt { id, index, value } if !s.contains(*id) => {
                let k = s.position_of_visible(*index).unwrap_or(s.elements.len());
                s.elements.insert(
                    k,
                    Element {
                        id: *id,
                        value: *value,
                        deleted: false,
                    },
                );
                s.clock = s.clock.max(id.seq);
            }
            ListMessage::Delete { id } => s.delete(*id),
            _ => {}
        }
    }
}

/// An RGA list sold as non-interleaving.
///
/// The story: RGA (the replicated growable array) inserts each element after a left origin and
/// orders concurrent siblings newest first. It is a correct CRDT, but when A types "abc"
/// backwards (c, then b before it, then a before that) while B types "xyz" the same way, every
/// element is a sibling of the head and the two runs interleave: "axbycz". Fugue avoids this;
/// this model claims to, and is caught by the harness's contiguity oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct RgaList;

impl Model for RgaList {
    type State = ListState;
    type Op = ListOp;
    type Value = String;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> ListState {
        ListState::default()
    }
    fn value(&self, s: &ListState) -> String {
        text(s)
    }
    fn ops(&self) -> BoxedStrategy<ListOp> {
        ListOp::strategy()
    }
    fn element_ids(&self, s: &ListState) -> Option<Vec<Dot>> {
        Some(ids(s))
    }
    fn non_interleaving(&self) -> NonInterleaving {
        // The mistake is the promise, not the algorithm: RGA is forward non-interleaving
        // only.
        NonInterleaving::Backward
    }
}

/// RGA's order on identities: later Lamport time first, then higher replica.
fn rga_newer(a: Dot, b: Dot) -> bool {
    (a.seq, a.replica) > (b.seq, b.replica)
}

impl OpCrdt for RgaList {
    type Message = ListMessage;
    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &ListState, replica: ReplicaId, op: &ListOp) -> Option<ListMessage> {
        Some(s.prepare(replica, op, false))
    }
    fn effect(&self, s: &mut ListState, message: &ListMessage) {
        match message {
            ListMessage::Insert { id, origin, value } if !s.contains(*id) => {
                let mut k = match origin {
                    None => 0,
                    Some(o) => s
                        .elements
                        .iter()
                        .position(|e| e.id == *o)
                        .map_or(s.elements.len(), |p| p + 1),
                };
                // Skip the newer siblings (and, with Lamport times, their descendants).
                while k < s.elements.len() && rga_newer(s.elements[k].id, *id) {
                    k += 1;
                }
                s.elements.insert(
                    k,
                    Element {
                        id: *id,
                        value: *value,
                        deleted: false,
                    },
                );
                s.clock = s.clock.max(id.seq);
            }
            ListMessage::Delete { id } => s.delete(*id),
            _ => {}
        }
    }
}
