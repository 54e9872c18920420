#![allow(unreachable_pub)]
//! A counter with room for four replicas, shared by the swarm tests and the detection example
//! (`#[path]`-included there).

use std::collections::BTreeMap;

use crdt_laws::{History, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;

/// How many replicas [`FourSlotCounter`] has room for.
const SLOTS: usize = 4;

/// A grow-only counter sized for four replicas: one slot per replica id, at most four slots.
///
/// The story: a counter for a four-person team keeps a fixed table of four slots and fills
/// them in the order it hears of replicas. On four replicas it is a grow-only counter, correct.
/// A fifth replica finds the tables full: where its slot does not fit, its increments are
/// lost, and replicas that heard of different replicas first keep different four. The default
/// runs of earlier versions (four replicas) passed it.
#[derive(Clone, Copy, Debug, Default)]
pub struct FourSlotCounter;

impl Model for FourSlotCounter {
    type State = BTreeMap<u32, u64>;
    type Op = u64;
    type Value = u64;

    fn new_replica(&self, _: ReplicaId) -> Self::State {
        BTreeMap::new()
    }
    fn value(&self, s: &Self::State) -> u64 {
        s.values().sum()
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        (1..4u64).boxed()
    }
    /// The value of a counter: the sum of the increments seen.
    fn spec(&self, history: &History<u64>) -> Option<u64> {
        Some(history.events().iter().map(|e| e.op).sum())
    }
}

impl StateCrdt for FourSlotCounter {
    fn apply(&self, s: &mut Self::State, replica: ReplicaId, n: &u64) {
        if s.contains_key(&replica.0) || s.len() < SLOTS {
            *s.entry(replica.0).or_default() += n;
        }
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        for (&r, &n) in from {
            if let Some(mine) = into.get_mut(&r) {
                *mine = (*mine).max(n);
            } else if into.len() < SLOTS {
                into.insert(r, n);
            }
        }
    }
    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a.iter().all(|(r, n)| b.get(r).is_some_and(|m| n <= m)))
    }
}
