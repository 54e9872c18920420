//! Toy models: the smallest lawful CRDTs, for examples, lessons and the crate's own tests.
//!
//! Two of them share one state type: [`MaxRegister`] and [`Divisibility`] are both models of
//! `u64`, under two different orders (the usual `≤` with `max` as join, and divisibility with
//! the least common multiple as join). This is why the framework checks *models* rather than
//! types.
//!
//! ```
//! use crdt_laws::toys::{Divisibility, MaxRegister};
//! use crdt_laws::{leq, Config};
//!
//! // One type, two orders: 4 ≤ 6 as numbers, but 4 does not divide 6.
//! assert!(leq(&MaxRegister, &4, &6));
//! assert!(!leq(&Divisibility, &4, &6));
//! // Both are lawful.
//! let config = Config::default();
//! assert!(crdt_laws::check_state(&MaxRegister, &config).all_passed());
//! assert!(crdt_laws::check_state(&Divisibility, &config).all_passed());
//! ```

use std::collections::BTreeSet;

use proptest::prelude::*;

use crate::model::{Delivery, DeltaCrdt, History, Model, OpCrdt, ReplicaId, StateCrdt};
use crate::{Error, json_round_trip};

/// A max-register: `u64` ordered by `≤`, joined by `max`. Writing `n` raises the state to `n`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MaxRegister;

impl Model for MaxRegister {
    type State = u64;
    type Op = u64;
    type Value = u64;

    /// No replica id anywhere: replicas are alike.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> u64 {
        0
    }
    fn value(&self, state: &u64) -> u64 {
        *state
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        (0..100u64).boxed()
    }
    fn round_trip(&self, state: &u64) -> Option<Result<u64, Error>> {
        Some(json_round_trip(state))
    }
    fn spec(&self, history: &History<u64>) -> Option<u64> {
        Some(history.events().iter().map(|e| e.op).max().unwrap_or(0))
    }
}

impl StateCrdt for MaxRegister {
    fn apply(&self, state: &mut u64, _: ReplicaId, op: &u64) {
        *state = (*state).max(*op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = (*into).max(*from);
    }
    fn leq(&self, a: &u64, b: &u64) -> Option<bool> {
        Some(a <= b)
    }
    fn bottom(&self) -> Option<u64> {
        Some(0)
    }
    fn value_leq(&self, a: &u64, b: &u64) -> Option<bool> {
        Some(a <= b)
    }
    fn value_join(&self, a: &u64, b: &u64) -> Option<u64> {
        Some(*a.max(b))
    }
}

impl DeltaCrdt for MaxRegister {
    fn delta(&self, _: &u64, _: ReplicaId, op: &u64) -> u64 {
        *op
    }
}

/// Positive integers ordered by divisibility (`a ≤ b` when `a` divides `b`), joined by the least
/// common multiple. The seed article's exercise: the same `u64` as [`MaxRegister`], another order.
/// Applying `n` moves the state to `lcm(state, n)`; the bottom is 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Divisibility;

/// The greatest common divisor.
#[must_use]
pub fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The least common multiple (`lcm(0, n) = 0`).
#[must_use]
pub fn lcm(a: u64, b: u64) -> u64 {
    if a == 0 || b == 0 {
        0
    } else {
        a / gcd(a, b) * b
    }
}

impl Model for Divisibility {
    type State = u64;
    type Op = u64;
    type Value = u64;

    /// No replica id anywhere: replicas are alike.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> u64 {
        1
    }
    fn value(&self, state: &u64) -> u64 {
        *state
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        (1..=12u64).boxed()
    }
    fn round_trip(&self, state: &u64) -> Option<Result<u64, Error>> {
        Some(json_round_trip(state))
    }
    fn spec(&self, history: &History<u64>) -> Option<u64> {
        Some(history.events().iter().fold(1, |acc, e| lcm(acc, e.op)))
    }
}

impl StateCrdt for Divisibility {
    fn apply(&self, state: &mut u64, _: ReplicaId, op: &u64) {
        *state = lcm(*state, *op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = lcm(*into, *from);
    }
    fn leq(&self, a: &u64, b: &u64) -> Option<bool> {
        Some(*a != 0 && b.is_multiple_of(*a))
    }
    fn bottom(&self) -> Option<u64> {
        Some(1)
    }
    fn value_leq(&self, a: &u64, b: &u64) -> Option<bool> {
        Some(*a != 0 && b.is_multiple_of(*a))
    }
    fn value_join(&self, a: &u64, b: &u64) -> Option<u64> {
        Some(lcm(*a, *b))
    }
}

/// A grow-only set of small numbers: `BTreeSet<u8>` ordered by `⊆`, joined by union.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetUnion {
    /// Elements are drawn from `0..domain`.
    pub domain: u8,
}

impl Default for SetUnion {
    fn default() -> Self {
        Self { domain: 8 }
    }
}

impl Model for SetUnion {
    type State = BTreeSet<u8>;
    type Op = u8;
    type Value = BTreeSet<u8>;

    /// No replica id anywhere: replicas are alike.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> BTreeSet<u8> {
        BTreeSet::new()
    }
    fn value(&self, state: &BTreeSet<u8>) -> BTreeSet<u8> {
        state.clone()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..self.domain.max(1)).boxed()
    }
    fn round_trip(&self, state: &BTreeSet<u8>) -> Option<Result<BTreeSet<u8>, Error>> {
        Some(json_round_trip(state))
    }
    fn spec(&self, history: &History<u8>) -> Option<BTreeSet<u8>> {
        Some(history.events().iter().map(|e| e.op).collect())
    }
}

impl StateCrdt for SetUnion {
    fn apply(&self, state: &mut BTreeSet<u8>, _: ReplicaId, op: &u8) {
        state.insert(*op);
    }
    fn merge(&self, into: &mut BTreeSet<u8>, from: &BTreeSet<u8>) {
        into.extend(from.iter().copied());
    }
    fn leq(&self, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Option<bool> {
        Some(a.is_subset(b))
    }
    fn bottom(&self) -> Option<BTreeSet<u8>> {
        Some(BTreeSet::new())
    }
    /// The elements `remote` lacks.
    fn diff(&self, local: &BTreeSet<u8>, remote: &BTreeSet<u8>) -> Option<BTreeSet<u8>> {
        Some(local.difference(remote).copied().collect())
    }
    fn value_leq(&self, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Option<bool> {
        Some(a.is_subset(b))
    }
    fn value_join(&self, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Option<BTreeSet<u8>> {
        Some(a.union(b).copied().collect())
    }
}

impl DeltaCrdt for SetUnion {
    fn delta(&self, _: &BTreeSet<u8>, _: ReplicaId, op: &u8) -> BTreeSet<u8> {
        BTreeSet::from([*op])
    }
}

/// An operation-based counter: messages are signed amounts, effects add them. Addition
/// commutes, so any order works, but a duplicated message would be counted twice: the model
/// declares exactly-once delivery in any order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpCounter;

impl Model for OpCounter {
    type State = i64;
    type Op = i64;
    type Value = i64;

    /// No replica id anywhere: replicas are alike.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> i64 {
        0
    }
    fn value(&self, state: &i64) -> i64 {
        *state
    }
    fn ops(&self) -> BoxedStrategy<i64> {
        (-5..=5i64).boxed()
    }
    fn round_trip(&self, state: &i64) -> Option<Result<i64, Error>> {
        Some(json_round_trip(state))
    }
    fn spec(&self, history: &History<i64>) -> Option<i64> {
        Some(history.events().iter().map(|e| e.op).sum())
    }
}

impl OpCrdt for OpCounter {
    type Message = i64;
    fn delivery(&self) -> Delivery {
        Delivery::Unordered
    }
    fn prepare(&self, _: &i64, _: ReplicaId, op: &i64) -> Option<i64> {
        Some(*op)
    }
    fn effect(&self, state: &mut i64, message: &i64) {
        *state += message;
    }
}

/// An operation-based grow-only set: messages are elements, effects insert them. Insertion is
/// commutative and idempotent, so the model tolerates any order and duplicates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpGrowSet;

impl Model for OpGrowSet {
    type State = BTreeSet<u8>;
    type Op = u8;
    type Value = BTreeSet<u8>;

    /// No replica id anywhere: replicas are alike.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> BTreeSet<u8> {
        BTreeSet::new()
    }
    fn value(&self, state: &BTreeSet<u8>) -> BTreeSet<u8> {
        state.clone()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..8u8).boxed()
    }
    fn spec(&self, history: &History<u8>) -> Option<BTreeSet<u8>> {
        Some(history.events().iter().map(|e| e.op).collect())
    }
}

impl OpCrdt for OpGrowSet {
    type Message = u8;
    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }
    fn prepare(&self, _: &BTreeSet<u8>, _: ReplicaId, op: &u8) -> Option<u8> {
        Some(*op)
    }
    fn effect(&self, state: &mut BTreeSet<u8>, message: &u8) {
        state.insert(*message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcm_and_gcd() {
        assert_eq!(gcd(12, 18), 6);
        assert_eq!(lcm(4, 6), 12);
        assert_eq!(lcm(0, 6), 0);
        assert_eq!(lcm(1, 7), 7);
    }
}
