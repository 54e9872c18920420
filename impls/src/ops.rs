//! The operations users perform, shared by the models: what the law checker and the harness
//! generate, apply, print in counterexamples and save in replay files.
//!
//! Models of the same kind of CRDT share one vocabulary, so the harness can run the same
//! operations against a G-Set, an OR-Set and an LWW set and compare what each makes of them.

use proptest::prelude::*;
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

impl SetOp<u8> {
    /// Adds and removes of elements below `domain`, `add_weight` adds for each remove.
    pub fn strategy(domain: u8, add_weight: u32) -> BoxedStrategy<Self> {
        prop_oneof![
            add_weight => (0..domain.max(1)).prop_map(SetOp::Add),
            1 => (0..domain.max(1)).prop_map(SetOp::Remove),
        ]
        .boxed()
    }

    /// Adds only, of elements below `domain`.
    pub fn adds(domain: u8) -> BoxedStrategy<Self> {
        (0..domain.max(1)).prop_map(SetOp::Add).boxed()
    }
}

impl CounterOp {
    /// Increments of `0..=max`, each of weight 1 against `decrement_weight` decrements of
    /// `0..=max` (no decrements when `decrement_weight` is 0).
    pub fn strategy(max: u32, decrement_weight: u32) -> BoxedStrategy<Self> {
        let increments = (0..=max).prop_map(CounterOp::Increment);
        if decrement_weight == 0 {
            return increments.boxed();
        }
        prop_oneof![
            1 => increments,
            decrement_weight => (0..=max).prop_map(CounterOp::Decrement),
        ]
        .boxed()
    }

    /// The signed amount: positive for an increment, negative for a decrement.
    #[must_use]
    pub fn amount(self) -> i128 {
        match self {
            CounterOp::Increment(n) => i128::from(n),
            CounterOp::Decrement(n) => -i128::from(n),
        }
    }
}
