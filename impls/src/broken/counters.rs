//! Broken counters.

use std::collections::BTreeMap;

use crdt_laws::{Delivery, Error, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::ops::CounterOp;

/// The value every counter's specification gives: the sum of the visible updates.
fn sum(history: &History<CounterOp>) -> i64 {
    history.events().iter().map(|e| e.op.amount()).sum()
}

fn max_into(into: &mut BTreeMap<ReplicaId, u64>, from: &BTreeMap<ReplicaId, u64>) {
    for (&id, &n) in from {
        let entry = into.entry(id).or_default();
        *entry = (*entry).max(n);
    }
}

/// A G-Counter merged by keeping whichever state has the larger total.
///
/// The story: "both sides counted, so keep the bigger count" sounds safe, and on two replicas
/// taking turns it even works. But when A and B each count 1 concurrently, the totals tie and
/// each keeps its own state: both show 1 where 2 increments happened, and their states differ.
/// Caught by `join_commutative` (on the tie, `a ⊔ b ≠ b ⊔ a`) and by the harness's
/// specification oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct LargerTotalCounter;

impl Model for LargerTotalCounter {
    type State = BTreeMap<ReplicaId, u64>;
    type Op = CounterOp;
    type Value = i64;

    fn new_replica(&self, _: ReplicaId) -> Self::State {
        BTreeMap::new()
    }
    fn value(&self, state: &Self::State) -> i64 {
        state.values().sum::<u64>() as i64
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(false)
    }
    fn spec(&self, history: &History<CounterOp>) -> Option<i64> {
        Some(sum(history))
    }
}

impl StateCrdt for LargerTotalCounter {
    fn apply(&self, state: &mut Self::State, replica: ReplicaId, op: &CounterOp) {
        *state.entry(replica).or_default() += op.amount().unsigned_abs();
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        if from.values().sum::<u64>() > into.values().sum::<u64>() {
            *into = from.clone();
        }
    }
}

/// A PN-Counter whose decrement lowers the replica's positive entry when it can.
///
/// The story: "why grow two maps when I can just subtract?" Lowering an entry moves the state
/// down, so a merge with any older state (which still has the higher entry) undoes the
/// decrement: the decrement is lost at every replica that hears of the old state. Caught by
/// `update_inflationary` and by the harness's monotone-growth oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoweringPnCounter;

/// The state of [`LoweringPnCounter`]: increments and decrements per replica.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PnState {
    /// Increments per replica.
    pub p: BTreeMap<ReplicaId, u64>,
    /// Decrements per replica.
    pub n: BTreeMap<ReplicaId, u64>,
}

impl Model for LoweringPnCounter {
    type State = PnState;
    type Op = CounterOp;
    type Value = i64;

    fn new_replica(&self, _: ReplicaId) -> PnState {
        PnState::default()
    }
    fn value(&self, s: &PnState) -> i64 {
        s.p.values().sum::<u64>() as i64 - s.n.values().sum::<u64>() as i64
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(true)
    }
    fn spec(&self, history: &History<CounterOp>) -> Option<i64> {
        Some(sum(history))
    }
}

impl StateCrdt for LoweringPnCounter {
    fn apply(&self, s: &mut PnState, replica: ReplicaId, op: &CounterOp) {
        match *op {
            CounterOp::Increment(k) => *s.p.entry(replica).or_default() += u64::from(k),
            CounterOp::Decrement(k) => {
                let mine = s.p.entry(replica).or_default();
                if *mine >= u64::from(k) {
                    // The mistake: a decrement that moves the state down.
                    *mine -= u64::from(k);
                } else {
                    *s.n.entry(replica).or_default() += u64::from(k);
                }
            }
        }
    }
    fn merge(&self, into: &mut PnState, from: &PnState) {
        max_into(&mut into.p, &from.p);
        max_into(&mut into.n, &from.n);
    }
}

/// A counter sized for two replicas: it keeps its own count and "the peer's".
///
/// The story: a counter for a phone and a laptop keeps two numbers, mine and theirs, and merges
/// by taking the larger "theirs". Correct with two replicas; deployed on three, a replica
/// hearing from both others keeps only the larger count, so increments vanish and replicas
/// that have seen the same updates disagree. Caught by the harness's convergence oracle, with
/// three or more replicas only.
#[derive(Clone, Copy, Debug, Default)]
pub struct TwoSlotCounter;

/// The state of [`TwoSlotCounter`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoSlots {
    /// This replica's own count.
    pub mine: u64,
    /// The largest count heard from another replica.
    pub peer: u64,
}

impl Model for TwoSlotCounter {
    type State = TwoSlots;
    type Op = CounterOp;
    type Value = u64;

    fn new_replica(&self, _: ReplicaId) -> TwoSlots {
        TwoSlots::default()
    }
    fn value(&self, s: &TwoSlots) -> u64 {
        s.mine + s.peer
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(false)
    }
    fn state_eq(&self, a: &TwoSlots, b: &TwoSlots) -> bool {
        // The slots are per replica: two replicas agree when their totals do.
        a.mine + a.peer == b.mine + b.peer
    }
}

impl StateCrdt for TwoSlotCounter {
    fn apply(&self, s: &mut TwoSlots, _: ReplicaId, op: &CounterOp) {
        s.mine += op.amount().unsigned_abs();
    }
    fn merge(&self, into: &mut TwoSlots, from: &TwoSlots) {
        into.peer = into.peer.max(from.mine);
    }
    fn leq(&self, a: &TwoSlots, b: &TwoSlots) -> Option<bool> {
        Some(a.mine <= b.mine && a.peer <= b.peer)
    }
}

/// An operation-based counter whose effect adds the amount, on a network declared to duplicate
/// messages.
///
/// The story: adding commutes, so the author declared that any delivery will do, duplicates
/// included. But addition is not idempotent: a retransmitted increment counts twice at the
/// replica that receives it twice. Caught by `effect_idempotent` and by the harness's
/// convergence oracle, once the network duplicates.
#[derive(Clone, Copy, Debug, Default)]
pub struct DuplicatedCounter;

impl Model for DuplicatedCounter {
    type State = i64;
    type Op = CounterOp;
    type Value = i64;

    fn new_replica(&self, _: ReplicaId) -> i64 {
        0
    }
    fn value(&self, s: &i64) -> i64 {
        *s
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(true)
    }
    fn round_trip(&self, s: &i64) -> Option<Result<i64, Error>> {
        Some(json_round_trip(s))
    }
}

impl OpCrdt for DuplicatedCounter {
    type Message = i64;
    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }
    fn prepare(&self, _: &i64, _: ReplicaId, op: &CounterOp) -> i64 {
        op.amount()
    }
    fn effect(&self, s: &mut i64, amount: &i64) {
        *s += amount;
    }
}
