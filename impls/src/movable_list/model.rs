//! The ready-made model of [`MovableList`] for the law catalogue and the harness.

use std::collections::BTreeSet;
use std::fmt;

use crdt_laws::{Delivery, Dot, Error as LawError, History, Model, OpCrdt, ReplicaId, StateCrdt};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::{MovableList, Update, spec};
use crate::Timestamp;

/// What a user does to a movable list, independently of its state: indices are taken modulo
/// the length, so every operation applies to every state (a delete or a move of an empty list
/// does nothing).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MovableListOp<T> {
    /// Inserts `value` at index `at % (len + 1)`.
    Insert {
        /// The index, modulo `len + 1`.
        at: u32,
        /// The inserted value.
        value: T,
    },
    /// Deletes the element at index `at % len`.
    Delete {
        /// The index, modulo `len`.
        at: u32,
    },
    /// Moves the element at index `from % len` so that it ends at index `to % len`.
    Move {
        /// The element's index, modulo `len`.
        from: u32,
        /// Its index after the move, modulo `len`.
        to: u32,
    },
}

impl<T: fmt::Display> fmt::Display for MovableListOp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Insert { at, value } => write!(f, "insert {value} at {at}"),
            Self::Delete { at } => write!(f, "delete at {at}"),
            Self::Move { from, to } => write!(f, "move {from} to {to}"),
        }
    }
}

impl MovableListOp<char> {
    /// Inserts of the first `letters` lowercase letters (at least `'a'`, at most all 26), moves
    /// and deletes at any index, weighted 3 : 3 : 1.
    pub fn strategy(letters: u8) -> BoxedStrategy<Self> {
        let last = char::from(b'a' + letters.clamp(1, 26) - 1);
        prop_oneof![
            3 => (any::<u32>(), proptest::char::range('a', last))
                .prop_map(|(at, value)| MovableListOp::Insert { at, value }),
            3 => (any::<u32>(), any::<u32>()).prop_map(|(from, to)| MovableListOp::Move { from, to }),
            1 => any::<u32>().prop_map(|at| MovableListOp::Delete { at }),
        ]
        .boxed()
    }
}

/// The model of a [`MovableList`] of `char`s `'a'..='h'`, for the law catalogue and the
/// harness, both state-based (whole states merged) and operation-based (updates delivered
/// causally).
///
/// Its value is the list with each element's id, so that its [invariant](Model::invariant),
/// "no element is shown twice", can tell two elements with the same letter apart. Its
/// [specification](Model::spec) is [`spec::value`]. It declares no element ids for the
/// harness's sequence oracles: moving an element changes its order relative to the others,
/// which those oracles would rightly call a broken list.
///
/// ```
/// use crdt_impls::movable_list::{MovableListModel, MovableListOp};
/// use crdt_laws::{Model, ReplicaId, StateCrdt};
///
/// let model = MovableListModel::default();
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut x = model.new_replica(a);
/// model.apply(&mut x, a, &MovableListOp::Insert { at: 0, value: 'a' });
/// model.apply(&mut x, a, &MovableListOp::Insert { at: 1, value: 'b' });
/// let mut y = model.new_replica(b);
/// model.merge(&mut y, &x);
/// // Both move 'a' to the end, concurrently: it ends there once.
/// model.apply(&mut x, a, &MovableListOp::Move { from: 0, to: 1 });
/// model.apply(&mut y, b, &MovableListOp::Move { from: 0, to: 1 });
/// model.merge(&mut x, &y);
/// let shown: String = model.value(&x).iter().map(|(_, c)| c).collect();
/// assert_eq!(shown, "ba");
/// assert!(model.invariant(&model.value(&x)).is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MovableListModel {
    /// Inserted values are the first `letters` lowercase letters.
    pub letters: u8,
}

impl Default for MovableListModel {
    fn default() -> Self {
        Self { letters: 8 }
    }
}

/// "No element is shown twice": the invariant of every list whose elements have ids, for
/// models whose value is a list of `(id, value)` pairs.
///
/// ```
/// use crdt_impls::movable_list::no_element_twice;
/// assert!(no_element_twice(&[(1, 'a'), (2, 'a')]).is_ok());
/// assert!(no_element_twice(&[(1, 'a'), (2, 'b'), (1, 'a')]).is_err());
/// ```
///
/// # Errors
/// The first element shown twice, with the list.
pub fn no_element_twice<I: Ord + fmt::Debug, T: fmt::Debug>(
    value: &[(I, T)],
) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for (id, shown) in value {
        if !seen.insert(id) {
            return Err(format!("element {id:?} ({shown:?}) is shown twice"));
        }
    }
    Ok(())
}

impl Model for MovableListModel {
    type State = MovableList<char>;
    type Op = MovableListOp<char>;
    type Value = Vec<(Timestamp, char)>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, id: ReplicaId) -> Self::State {
        MovableList::new(id)
    }

    fn value(&self, state: &Self::State) -> Self::Value {
        state.entries().map(|(id, c)| (id, *c)).collect()
    }

    fn ops(&self) -> BoxedStrategy<Self::Op> {
        MovableListOp::strategy(self.letters)
    }

    fn invariant(&self, value: &Self::Value) -> Result<(), String> {
        no_element_twice(value)
    }

    fn round_trip(&self, state: &Self::State) -> Option<Result<Self::State, LawError>> {
        Some(crdt_laws::json_round_trip(state))
    }

    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        Some(spec::value(history))
    }
}

/// Applies `op` at `list`, returning the update, or `None` when it does nothing.
fn local(list: &mut MovableList<char>, op: &MovableListOp<char>) -> Option<Update<char>> {
    let len = list.len();
    match *op {
        MovableListOp::Insert { at, value } => Some(list.insert(at as usize % (len + 1), value)),
        MovableListOp::Delete { at } => (len > 0).then(|| list.delete(at as usize % len)),
        MovableListOp::Move { from, to } => {
            (len > 0).then(|| list.move_item(from as usize % len, to as usize % len))
        }
    }
}

impl StateCrdt for MovableListModel {
    fn apply(&self, state: &mut Self::State, _: ReplicaId, op: &Self::Op) {
        local(state, op);
    }

    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        into.merge(from);
    }

    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a.leq(b))
    }

    fn bottom(&self) -> Option<Self::State> {
        // Equality ignores the owning replica, so any empty list is the bottom.
        Some(MovableList::new(ReplicaId::new(0)))
    }
}

impl OpCrdt for MovableListModel {
    /// `None` for an operation that did nothing (a delete or move of an empty list).
    type Message = Option<Update<char>>;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }

    fn local(&self, state: &mut Self::State, _: Dot, op: &Self::Op) -> Self::Message {
        local(state, op)
    }

    /// Applies the update.
    ///
    /// # Panics
    /// If the update is not causally ready (the network broke the declared causal delivery).
    fn effect(&self, state: &mut Self::State, message: &Self::Message) {
        if let Some(update) = message
            && let Err(error) = state.apply(update)
        {
            panic!("causal delivery violated: {error}");
        }
    }
}
