//! The Fugue list CRDT and its FugueMax variant.
//!
//! Fugue (Weidner, Gentle and Kleppmann, *The Art of the Fugue: Minimizing Interleaving in
//! Collaborative Text Editing*, arXiv:2305.00583) is a replicated list whose concurrent
//! insertions at the same place never interleave. This module provides:
//!
//! - [`FugueList<T>`](FugueList) and [`FugueMaxList<T>`](FugueMaxList): the list, replicated by
//!   messages ([`Message`], [`List::integrate`]) or by whole states ([`List::merge`]);
//! - [`FugueText`] and [`FugueMaxText`]: the same over `char`s, with a `String`-like API, each
//!   ASCII `char` stored in one byte ([`CompactChars`], a [`Values`] storage);
//! - [`FugueListModel`] and [`FugueMaxListModel`]: ready-made models for the law catalogue and the harness, state-based
//!   and operation-based, and a specification from a deliberately naive reference
//!   implementation ([`spec`]).
//!
//! # The algorithm in brief
//! Every element is a node of a tree whose in-order traversal (left children, the node, right
//! children; siblings in a fixed order) is the list, tombstones included. To insert between the
//! visible element `L` at index `i - 1` (the root if `i = 0`) and the element `R` that follows
//! `L` in the traversal (tombstones included):
//!
//! - if `L` has no right child, the new node becomes a **right child of `L`**;
//! - otherwise it becomes a **left child of `R`** (`R` is then the leftmost descendant of `L`'s
//!   first right child, so it has no left child yet).
//!
//! Either way the new node lands between `L` and `R`. Siblings created concurrently by different
//! replicas are ordered by id; FugueMax orders *right* siblings by the reverse list order of
//! their right origins (the `R` at their insertion), ties by id. A deletion marks the node as a
//! tombstone.
//!
//! # Representation
//! The tree is stored as insertion runs per replica (one parent per run of keystrokes, not per
//! character); the traversal order is stored separately as a B-tree of pieces (run fragments)
//! with visible-length sums, giving `O(log n)` index lookups, and an id-to-piece map for remote
//! edits. Equality, serialization and merging are defined on the CRDT state, never on that
//! layout.
//!
//! The editing traces used to test and benchmark this module (see [`crate::traces`]) come from
//! Joseph Gentle's `editing-traces` collection, CC BY 4.0.

mod codec;
mod compact;
mod error;
mod index;
mod integrate;
mod list;
mod message;
mod model;
mod order;
pub mod replay;
pub mod spec;
mod text;
mod tree;
mod values;

pub use error::Error;
pub use list::{Elements, FugueList, FugueMaxList, Iter, List};
pub use message::{Deletion, Id, IdRange, Insertion, Message, Side};
pub use model::{FugueListModel, FugueMaxListModel, ListModel, ListOp};
pub use order::{Fugue, FugueMax, RightSiblings, SiblingOrder};
pub use text::{FugueMaxText, FugueText, Text};
pub use values::{CharRange, CompactChars, Values};

#[cfg(test)]
mod law_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod typing_tests;
