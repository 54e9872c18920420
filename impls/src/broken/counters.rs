//! Broken counters.

use std::collections::BTreeMap;

use crdt_laws::{
    Delivery, DeltaCrdt, Error, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::models::net_total;
use crate::ops::CounterOp;

/// The value every counter's specification gives: the sum of the visible updates.
fn sum(history: &History<CounterOp>) -> i64 {
    i64::try_from(net_total(history, true)).unwrap_or(i64::MAX)
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
/// Caught by `join_commutative` (on the tie, `a ⊔ b ≠ b ⊔ a`), `join_upper_bound` (the
/// discarded side is not below the result), `value_matches_spec`, and the harness's
/// specification oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct LargerTotalCounter;

/// Implements [`Model`] for a G-Counter of the gallery: one entry per replica, increments of 1
/// to 3 (an increment of zero would only add noise to counterexamples), and the counter's
/// specification.
macro_rules! g_counter_model {
    ($model:ty) => {
        impl Model for $model {
            fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
                Some(a == b)
            }

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
                (1..=3u32).prop_map(CounterOp::Increment).boxed()
            }
            fn spec(&self, history: &History<CounterOp>) -> Option<i64> {
                Some(sum(history))
            }
        }
    };
}

g_counter_model!(LargerTotalCounter);

impl StateCrdt for LargerTotalCounter {
    fn apply(&self, state: &mut Self::State, replica: ReplicaId, op: &CounterOp) {
        *state.entry(replica).or_default() += op.amount().unsigned_abs() as u64;
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
/// `update_inflationary`, by `value_matches_spec` (a merge with the older state undoes the
/// decrement) and by the harness's monotone-growth oracle.
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

/// Implements [`Model`] for a PN-Counter of the gallery: a [`PnState`], increments and
/// decrements of up to 3, and the counter's specification (the sum of the visible updates).
macro_rules! pn_counter_model {
    ($model:ty) => {
        impl Model for $model {
            fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
                Some(a == b)
            }

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
                CounterOp::strategy(3, 1)
            }
            fn spec(&self, history: &History<CounterOp>) -> Option<i64> {
                Some(sum(history))
            }
        }
    };
}

pn_counter_model!(LoweringPnCounter);

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
/// that have seen the same updates disagree. The harness's convergence oracle sees it with three
/// or more replicas only. The law checker sees it at once, whatever the number of replicas:
/// merge reads only the other side's own slot, so it is not commutative, associative or
/// idempotent, not an upper bound or a least one, and disagrees with the declared slot-by-slot
/// order (`join_commutative`, `join_associative`, `join_idempotent`, `join_upper_bound`,
/// `join_least`, `leq_agrees_with_merge`).
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
        CounterOp::strategy(3, 0)
    }
    fn state_eq(&self, a: &TwoSlots, b: &TwoSlots) -> Option<bool> {
        // The slots are per replica: two replicas agree when their totals do.
        Some(a.mine + a.peer == b.mine + b.peer)
    }
}

impl StateCrdt for TwoSlotCounter {
    fn apply(&self, s: &mut TwoSlots, _: ReplicaId, op: &CounterOp) {
        s.mine += op.amount().unsigned_abs() as u64;
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

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> i64 {
        0
    }
    fn value(&self, s: &i64) -> i64 {
        *s
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(3, 1)
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
    fn prepare(&self, _: &i64, _: ReplicaId, op: &CounterOp) -> Option<i64> {
        Some(i64::try_from(op.amount()).unwrap_or(0))
    }
    fn effect(&self, s: &mut i64, amount: &i64) {
        *s += amount;
    }
}

/// A PN-Counter whose merge adds the two sides' entries instead of taking their maximum.
///
/// The story: "merging two counters means adding them up" is the first idea everyone has. It is
/// right for the *increments* two replicas made independently, and wrong for everything they
/// already share: when B sends its state back to A, A's own increments come back and are counted
/// a second time. Merge is not idempotent (`a ⊔ a = 2a`), so every resend, every gossip round
/// and every merge of a state that was itself merged inflates the count. Caught by
/// `join_idempotent`, by `leq_agrees_with_merge` and `join_least` (the declared entry-by-entry
/// order says `a ≤ a`, yet `a ⊔ a` lies above `a`), by `value_matches_spec`, and by the harness
/// on a calm network: its specification oracle (one increment, sent to B and back, shows as
/// two) and its equal-values-different-states oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct SummingPnCounter;

fn add_into(into: &mut BTreeMap<ReplicaId, u64>, from: &BTreeMap<ReplicaId, u64>) {
    for (&id, &n) in from {
        *into.entry(id).or_default() += n;
    }
}

pn_counter_model!(SummingPnCounter);

impl StateCrdt for SummingPnCounter {
    fn apply(&self, s: &mut PnState, replica: ReplicaId, op: &CounterOp) {
        match *op {
            CounterOp::Increment(k) => *s.p.entry(replica).or_default() += u64::from(k),
            CounterOp::Decrement(k) => *s.n.entry(replica).or_default() += u64::from(k),
        }
    }
    fn merge(&self, into: &mut PnState, from: &PnState) {
        // The mistake: adding what both sides may already share.
        add_into(&mut into.p, &from.p);
        add_into(&mut into.n, &from.n);
    }
    fn leq(&self, a: &PnState, b: &PnState) -> Option<bool> {
        // The order the author had in mind, a PN-Counter's: entry by entry.
        Some(pointwise_leq(&a.p, &b.p) && pointwise_leq(&a.n, &b.n))
    }
}

/// Every entry of `a` is in `b`, and no larger there.
fn pointwise_leq(a: &BTreeMap<ReplicaId, u64>, b: &BTreeMap<ReplicaId, u64>) -> bool {
    a.iter().all(|(id, &n)| b.get(id).is_some_and(|&m| n <= m))
}

/// An operation-based counter of floating-point amounts, each replica adding them up in the
/// order they arrive.
///
/// The story: a meter of energy use (in kWh, tenths at a time) is op-based: each reading is
/// broadcast and every replica adds it to its total. Addition commutes, so the author declared
/// that any delivery order will do. But floating-point addition is not associative:
/// `(0.1 + 0.2) + 0.3` is `0.6000000000000001` while `(0.1 + 0.3) + 0.2` is `0.6`. Two
/// replicas that received the same readings in different orders show totals that differ in the
/// last bits, and `==` on the totals (a cache key, a test, a "has it changed?" check) says they
/// disagree forever. Caught by `effects_commute` and by the harness's convergence oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct FloatCounter;

impl Model for FloatCounter {
    type State = f64;
    type Op = CounterOp;
    type Value = f64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> f64 {
        0.0
    }
    fn value(&self, s: &f64) -> f64 {
        *s
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(9, 0)
    }
}

impl OpCrdt for FloatCounter {
    type Message = f64;
    fn delivery(&self) -> Delivery {
        Delivery::Unordered
    }
    fn prepare(&self, _: &f64, _: ReplicaId, op: &CounterOp) -> Option<f64> {
        // Readings come in tenths of a unit.
        Some(op.amount() as f64 / 10.0)
    }
    fn effect(&self, s: &mut f64, reading: &f64) {
        *s += reading;
    }
}

/// A delta-state G-Counter whose delta is the increment rather than the new entry.
///
/// The story: a delta should carry "just the change", and the change of `increment(2)` looks
/// like `{A: 2}`. But a G-Counter's entries are merged by maximum: merging `{A: 2}` into a state
/// where A already counted 5 changes nothing, and the increment is lost wherever the delta is
/// shipped instead of the state. The delta that matches the update is `{A: 7}`, the entry's new
/// value. Caught by `delta_matches_update` (`s ⊔ δ(s, op) ≠ apply(s, op)`), and by the harness
/// once deltas travel: the replica that made the increments shows more than the ones that
/// received their deltas.
#[derive(Clone, Copy, Debug, Default)]
pub struct IncrementDeltaCounter;

g_counter_model!(IncrementDeltaCounter);

impl StateCrdt for IncrementDeltaCounter {
    fn apply(&self, state: &mut Self::State, replica: ReplicaId, op: &CounterOp) {
        *state.entry(replica).or_default() += op.amount().unsigned_abs() as u64;
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        max_into(into, from);
    }
}

impl DeltaCrdt for IncrementDeltaCounter {
    fn delta(&self, _: &Self::State, replica: ReplicaId, op: &CounterOp) -> Self::State {
        // The mistake: the amount added, where the merge expects the entry's new value.
        BTreeMap::from([(replica, op.amount().unsigned_abs() as u64)])
    }
}
