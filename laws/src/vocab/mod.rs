//! Shared vocabularies: the operations users perform on the common kinds of CRDT, strategies
//! that generate them, and reference specifications written as plain functions over a
//! [`History`].
//!
//! A model of a third-party CRDT (the `crdts` crate's `Orswot`, a yrs or Loro text, a company's
//! own counter) names one of these operation types as its [`Op`](crate::Model::Op), draws its
//! operations from the matching strategy, and states its [`spec`](crate::Model::spec) by calling
//! the matching function. Models of the same kind then share one vocabulary, so the harness can
//! run the same operations against an OR-Set and an LWW set and compare what each makes of them,
//! and a replay file written for one reads for the other.
//!
//! | family | operations | strategies | specifications |
//! | --- | --- | --- | --- |
//! | [`counter`] | [`CounterOp`] | [`CounterOp::strategy`] | [`counter::sum`], [`counter::grow_only_sum`] |
//! | [`set`] | [`SetOp`] | [`SetOp::strategy`], [`SetOp::adds`] | [`set::add_wins`], [`set::remove_wins`], [`set::grow_only`], [`set::last_writer_wins`] |
//! | [`register`] | [`RegisterOp`] | [`RegisterOp::strategy`] | [`register::last_writer_wins`], [`register::multi_value`] |
//! | [`map`] | [`MapOp`], [`PairOp`], [`OrMapOp`] | [`MapOp::strategy`], [`PairOp::strategy`], [`OrMapOp::strategy`] | [`map::map`], [`map::pair`], [`map::update_wins`] |
//! | [`list`] | [`ListOp`] | [`ListOp::strategy`] | [`list::fugue`], [`list::fugue_max`], [`list::strong_list`] |
//!
//! Strategies take a small value domain (elements, values, keys below `domain`): with few
//! distinct values, concurrent updates of the same element are frequent, which is where CRDTs
//! differ and where the premises of the laws hold.
//!
//! [`list`] also holds the helpers for element identities when a library's own ids are not
//! [`Dot`]s: [`list::tag_char`], [`list::char_dot`] and [`list::TaggedText`].
//!
//! ```
//! use crdt_laws::vocab::set::{self, SetOp};
//! use crdt_laws::{Dot, History, ReplicaId};
//!
//! // A adds 1, B concurrently removes it: add-wins keeps it, remove-wins does not.
//! let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
//! let mut history = History::new();
//! history.push(Dot::new(a, 1), SetOp::Add(1u8), vec![]);
//! history.push(Dot::new(b, 1), SetOp::Remove(1u8), vec![]);
//! assert!(set::add_wins(&history).contains(&1));
//! assert!(!set::remove_wins(&history).contains(&1));
//! ```

use std::collections::BTreeSet;

use crate::model::{Dot, History};

pub mod counter;
pub mod list;
pub mod map;
pub mod register;
pub mod set;

pub use counter::CounterOp;
pub use list::ListOp;
pub use map::{MapOp, OrMapOp, PairOp};
pub use register::RegisterOp;
pub use set::SetOp;

/// The part of a history that `part` keeps, with happens-before restricted to it: the history
/// a part of a compound CRDT (one key of a map, one side of a pair) sees.
///
/// Dependencies are transitive, so restricting them keeps the order between the events kept;
/// Lamport times are recomputed over the kept events, which is what a part's own clock counts.
///
/// ```
/// use crdt_laws::vocab::project;
/// use crdt_laws::{Dot, History, ReplicaId};
///
/// let a = ReplicaId::new(0);
/// let mut history = History::new();
/// history.push(Dot::new(a, 1), ("x", 1), vec![]);
/// history.push(Dot::new(a, 2), ("y", 2), vec![Dot::new(a, 1)]);
/// history.push(Dot::new(a, 3), ("x", 3), vec![Dot::new(a, 1), Dot::new(a, 2)]);
/// let xs = project(&history, |(key, n)| (*key == "x").then_some(*n));
/// assert_eq!(xs.len(), 2);
/// assert_eq!(xs.events()[1].deps, [Dot::new(a, 1)]);
/// assert_eq!(xs.lamport(Dot::new(a, 3)), Some(2));
/// ```
pub fn project<Op, Sub>(history: &History<Op>, part: impl Fn(&Op) -> Option<Sub>) -> History<Sub> {
    let mut kept = BTreeSet::<Dot>::new();
    let mut projected = History::new();
    for event in history.events() {
        if let Some(op) = part(&event.op) {
            let deps = event
                .deps
                .iter()
                .copied()
                .filter(|d| kept.contains(d))
                .collect();
            kept.insert(event.dot);
            projected.push(event.dot, op, deps);
        }
    }
    projected
}
