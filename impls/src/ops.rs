//! The operations users perform, shared by the models: what the law checker and the harness
//! generate, apply, print in counterexamples and save in replay files.
//!
//! Models of the same kind of CRDT share one vocabulary, so the harness can run the same
//! operations against a G-Set, an OR-Set and an LWW set and compare what each makes of them.

use serde::{Deserialize, Serialize};

/// An update of a set. A grow-only set ignores `Remove`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SetOp<T> {
    /// Add an element.
    Add(T),
    /// Remove an element.
    Remove(T),
}

/// An update of a counter. A grow-only counter ignores `Decrement`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CounterOp {
    /// Add an amount.
    Increment(u32),
    /// Subtract an amount.
    Decrement(u32),
}

/// An update of a register.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RegisterOp<T> {
    /// Write a value.
    Set(T),
}

/// An update of one part of a [`Pair`](crate::Pair).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PairOp<A, B> {
    /// Update the first part.
    First(A),
    /// Update the second part.
    Second(B),
}

/// An update of the value at one key of a [`Map`](crate::Map).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MapOp<K, Op> {
    /// Apply the operation to the value at the key (created at bottom if new).
    Update(K, Op),
}
