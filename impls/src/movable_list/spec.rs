//! The specification of [`MovableList`](super::MovableList): the list a replica must show
//! after applying the updates of a history, computed by a deliberately naive replay.
//!
//! Each update is interpreted against the list its origin saw (the updates in its causal past),
//! on the naive Fugue tree of `crdt-laws` ([`NaiveFugue`]), whose nodes are the *positions*:
//! an insert or a move makes a new position, named by the update's [`Dot`]. Then:
//!
//! - an element's id is the [`Timestamp`] of its insert: `(Lamport time, replica)`;
//! - an element's position is the one made by its insert or move with the largest timestamp;
//! - an element is shown at that position unless some delete of it was applied;
//! - Lamport times count the *effective* updates only: a delete or a move on an empty list
//!   changes nothing and sends nothing, so it advances no clock.
//!
//! It shares no code with the list (only the [`Timestamp`] type and the naive tree, which is
//! itself checked against the crate's Fugue list), so comparing the two is a meaningful test.
//! It is quadratic or worse: use it on small histories only.
//!
//! ```
//! use crdt_impls::movable_list::{MovableListOp, spec};
//! use crdt_laws::{Dot, History, ReplicaId};
//!
//! // A inserts 'a' then 'b'; then A and B concurrently move 'b' (index 1) to the front.
//! let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
//! let (a1, a2, a3, b1) = (Dot::new(a, 1), Dot::new(a, 2), Dot::new(a, 3), Dot::new(b, 1));
//! let mut history = History::new();
//! history.push(a1, MovableListOp::Insert { at: 0, value: 'a' }, vec![]);
//! history.push(a2, MovableListOp::Insert { at: 1, value: 'b' }, vec![a1]);
//! history.push(a3, MovableListOp::Move { from: 1, to: 0 }, vec![a1, a2]);
//! history.push(b1, MovableListOp::Move { from: 1, to: 0 }, vec![a1, a2]);
//! let shown: String = spec::value(&history).iter().map(|(_, c)| c).collect();
//! assert_eq!(shown, "ba"); // moved once, not duplicated
//! ```

use std::collections::{BTreeMap, BTreeSet};

use crdt_laws::vocab::list::{NaiveFugue, Origin, RightSiblings};
use crdt_laws::{Dot, History};

use super::model::MovableListOp;
use crate::Timestamp;

/// What one update did, as the naive replay sees it.
#[derive(Clone, Copy, Debug)]
enum Effect<T> {
    Insert {
        element: Timestamp,
        slot: Dot,
        origin: Origin,
        value: T,
    },
    Move {
        element: Timestamp,
        stamp: Timestamp,
        slot: Dot,
        origin: Origin,
    },
    Delete {
        element: Timestamp,
    },
    Nothing,
}

/// An element of the replay: its value, its winning write and whether it is deleted.
struct Element<T> {
    value: T,
    winner: (Timestamp, Dot),
    deleted: bool,
}

/// The positions and elements after some effects, with the losing positions buried.
struct View<T> {
    tree: NaiveFugue<Timestamp>,
    elements: BTreeMap<Timestamp, Element<T>>,
}

impl<T: Clone> View<T> {
    fn new<'e>(effects: impl IntoIterator<Item = &'e Effect<T>>) -> Self
    where
        T: 'e,
    {
        let mut tree = NaiveFugue::new(RightSiblings::ById);
        let mut elements = BTreeMap::new();
        let mut slots = Vec::new();
        for effect in effects {
            match effect {
                Effect::Insert {
                    element,
                    slot,
                    origin,
                    value,
                } => {
                    tree.insert(*slot, *origin, *element);
                    slots.push((*slot, *element));
                    elements.insert(
                        *element,
                        Element {
                            value: value.clone(),
                            winner: (*element, *slot),
                            deleted: false,
                        },
                    );
                }
                Effect::Move {
                    element,
                    stamp,
                    slot,
                    origin,
                } => {
                    tree.insert(*slot, *origin, *element);
                    slots.push((*slot, *element));
                    let e: &mut Element<T> = elements.get_mut(element).expect("inserted before");
                    e.winner = e.winner.max((*stamp, *slot));
                }
                Effect::Delete { element } => {
                    elements.get_mut(element).expect("inserted before").deleted = true;
                }
                Effect::Nothing => {}
            }
        }
        for (slot, element) in slots {
            let e = &elements[&element];
            if e.deleted || e.winner.1 != slot {
                tree.delete(slot);
            }
        }
        Self { tree, elements }
    }
}

/// The causal past of every event of `history`, as indices into its events.
fn pasts<Op>(history: &History<Op>) -> Vec<BTreeSet<usize>> {
    let events = history.events();
    let position: BTreeMap<Dot, usize> =
        events.iter().enumerate().map(|(i, e)| (e.dot, i)).collect();
    let mut pasts: Vec<BTreeSet<usize>> = Vec::with_capacity(events.len());
    for event in events {
        let mut past = BTreeSet::new();
        for dep in &event.deps {
            if let Some(&i) = position.get(dep) {
                past.insert(i);
                past.extend(pasts[i].iter().copied());
            }
        }
        pasts.push(past);
    }
    pasts
}

/// The list, with each element's id, that a replica must show after applying the updates of
/// `history`.
#[must_use]
pub fn value<T: Clone>(history: &History<MovableListOp<T>>) -> Vec<(Timestamp, T)> {
    let events = history.events();
    let pasts = pasts(history);
    let mut effects: Vec<Effect<T>> = Vec::with_capacity(events.len());
    let mut lamports: Vec<u64> = Vec::with_capacity(events.len());
    for (k, event) in events.iter().enumerate() {
        let past = &pasts[k];
        let mut view = View::new(past.iter().map(|&i| &effects[i]));
        let seen = past.iter().map(|&i| lamports[i]).max().unwrap_or(0);
        let stamp = Timestamp::new(seen + 1, event.dot.replica);
        let len = view.tree.len();
        let effect = match &event.op {
            MovableListOp::Insert { at, value } => Effect::Insert {
                element: stamp,
                slot: event.dot,
                origin: view.tree.origin(*at as usize % (len + 1)),
                value: value.clone(),
            },
            MovableListOp::Delete { at } if len > 0 => Effect::Delete {
                element: view.tree.values()[*at as usize % len],
            },
            MovableListOp::Move { from, to } if len > 0 => {
                let from = *from as usize % len;
                let element = view.tree.values()[from];
                view.tree.delete(view.tree.id_at(from));
                Effect::Move {
                    element,
                    stamp,
                    slot: event.dot,
                    origin: view.tree.origin(*to as usize % len),
                }
            }
            MovableListOp::Delete { .. } | MovableListOp::Move { .. } => Effect::Nothing,
        };
        lamports.push(match effect {
            Effect::Nothing => seen,
            _ => seen + 1,
        });
        effects.push(effect);
    }
    let view = View::new(&effects);
    view.tree
        .values()
        .into_iter()
        .map(|element| (element, view.elements[&element].value.clone()))
        .collect()
}
