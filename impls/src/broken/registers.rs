//! Broken registers: last-writer-wins without a total order on writes.

use std::collections::HashMap;
use std::hash::{BuildHasher, DefaultHasher, Hasher};

use crdt_laws::{Delivery, Error, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::models::LwwRegisterModel;
use crate::ops::RegisterOp;

/// Values written are drawn from `0..DOMAIN`.
const DOMAIN: u8 = 8;

fn writes() -> BoxedStrategy<RegisterOp<u8>> {
    (0..DOMAIN).prop_map(RegisterOp::Set).boxed()
}

fn written(op: &RegisterOp<u8>) -> u8 {
    match op {
        RegisterOp::Set(v) => *v,
    }
}

/// The last-writer-wins specification: the value of the visible write with the largest
/// `(Lamport time, replica)`.
fn last_writer_wins(history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
    LwwRegisterModel { domain: DOMAIN }.spec(history)
}

/// A last-writer-wins register with no tie-break on equal timestamps.
///
/// The story: each write carries a Lamport time (one more than the largest time its replica
/// has seen) and merge keeps the write with the larger time. When A and B write concurrently,
/// both writes get time 1; on a tie merge keeps the write it already has, so A keeps its value
/// and B keeps its own, each forever, and both have seen both writes. The fix is a total order
/// on writes: compare `(time, replica)`. Caught by `join_commutative` (on the tie,
/// `a ⊔ b ≠ b ⊔ a`) and `join_upper_bound` (`b ≰ a ⊔ b`), by `value_matches_spec`, and by the
/// harness's specification oracle on a calm network (the replica that kept its own write shows
/// a value the last-writer-wins specification does not allow).
#[derive(Clone, Copy, Debug, Default)]
pub struct UntiedLww;

/// The state of [`UntiedLww`]: the last write and its time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lww {
    /// The Lamport time of the last write (0 before any).
    pub time: u64,
    /// The value written, if any.
    pub value: Option<u8>,
}

impl Model for UntiedLww {
    type State = Lww;
    type Op = RegisterOp<u8>;
    type Value = Option<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Lww {
        Lww::default()
    }
    fn value(&self, s: &Lww) -> Option<u8> {
        s.value
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        writes()
    }
    fn round_trip(&self, s: &Lww) -> Option<Result<Lww, Error>> {
        Some(json_round_trip(s))
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
        last_writer_wins(history)
    }
}

impl StateCrdt for UntiedLww {
    fn apply(&self, s: &mut Lww, _: ReplicaId, op: &RegisterOp<u8>) {
        s.time += 1;
        s.value = Some(written(op));
    }
    fn merge(&self, into: &mut Lww, from: &Lww) {
        // The mistake: on equal times, whoever merges keeps their own write.
        if from.time > into.time {
            *into = from.clone();
        }
    }
}

/// An operation-based last-writer-wins register whose Lamport clock is not advanced on receive.
///
/// The story: each replica keeps a clock, ticks it for each of its own writes and stamps the
/// write with `(clock, replica)`; a replica shows the write with the largest stamp. The
/// receive path applies remote writes but forgets the other half of Lamport's rule,
/// `clock = max(clock, received)`. So after B has received A's three writes (stamped 1, 2, 3),
/// B's own next write is stamped 1: it loses to A's older write, everywhere, including at B,
/// which "saves" a value and keeps showing the old one. Caught by `value_matches_spec` and the
/// harness's specification oracle (the specification stamps each write with its causal
/// Lamport time, so a write wins over everything it has seen).
#[derive(Clone, Copy, Debug, Default)]
pub struct ForgetfulClockLww;

/// The state of [`ForgetfulClockLww`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockedRegister {
    /// The replica this state belongs to.
    pub me: ReplicaId,
    /// Its clock: the time of its latest own write (the mistake: remote times are not folded in).
    pub clock: u64,
    /// The winning write's stamp, `(time, writer)`, if any.
    pub stamp: Option<(u64, ReplicaId)>,
    /// The winning write's value.
    pub value: Option<u8>,
}

/// A write of [`ForgetfulClockLww`], stamped at its origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StampedWrite {
    /// The write's time.
    pub time: u64,
    /// Its origin.
    pub writer: ReplicaId,
    /// The value written.
    pub value: u8,
}

impl Model for ForgetfulClockLww {
    type State = ClockedRegister;
    type Op = RegisterOp<u8>;
    type Value = Option<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, me: ReplicaId) -> ClockedRegister {
        ClockedRegister {
            me,
            clock: 0,
            stamp: None,
            value: None,
        }
    }
    fn value(&self, s: &ClockedRegister) -> Option<u8> {
        s.value
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        writes()
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
        last_writer_wins(history)
    }
}

impl OpCrdt for ForgetfulClockLww {
    type Message = StampedWrite;
    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(
        &self,
        s: &ClockedRegister,
        replica: ReplicaId,
        op: &RegisterOp<u8>,
    ) -> Option<StampedWrite> {
        Some({
            StampedWrite {
                time: s.clock + 1,
                writer: replica,
                value: written(op),
            }
        })
    }
    fn effect(&self, s: &mut ClockedRegister, w: &StampedWrite) {
        if w.writer == s.me {
            s.clock = s.clock.max(w.time);
        }
        // The mistake: a remote write's time is never folded into the clock, as Lamport's
        // rule requires (`s.clock = s.clock.max(w.time)` for every write received).
        if s.stamp < Some((w.time, w.writer)) {
            s.stamp = Some((w.time, w.writer));
            s.value = Some(w.value);
        }
    }
}

/// A last-writer-wins register whose tie-break is the iteration order of a `HashMap`.
///
/// The story: the state keeps each replica's latest write in a `HashMap<ReplicaId, _>`, merged
/// entry by entry (a perfectly good lattice), and the value is
/// `writes.values().max_by_key(|w| w.time)`. On equal times `max_by_key` returns the last
/// maximum *in iteration order*, and a `HashMap`'s iteration order depends on its hasher's
/// seed, which differs from process to process. Two replicas with equal states show different
/// values. The fix is to compare `(time, replica)`, or to keep the writes in a `BTreeMap`.
///
/// No law of the catalogue fails: the states form a lattice and equal states compare equal.
/// What breaks is the query, which reads the representation instead of the state. Caught by
/// the harness's convergence oracle: two replicas that have seen the same writes show different
/// values. (Each replica's hasher is seeded from its id, as each process would seed its own;
/// a per-run random seed would make every run, and every replay, different.)
#[derive(Clone, Copy, Debug, Default)]
pub struct HashOrderLww;

/// The hasher of one replica's maps: SipHash keyed by the replica, standing for the random
/// seed each process picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplicaSeed(pub ReplicaId);

impl BuildHasher for ReplicaSeed {
    type Hasher = DefaultHasher;
    fn build_hasher(&self) -> DefaultHasher {
        let mut hasher = DefaultHasher::new();
        hasher.write_u32(self.0.0);
        hasher
    }
}

/// One replica's latest write: its Lamport time and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedWrite {
    /// The write's Lamport time.
    pub time: u64,
    /// The value written.
    pub value: u8,
}

impl Model for HashOrderLww {
    type State = HashMap<ReplicaId, TimedWrite, ReplicaSeed>;
    type Op = RegisterOp<u8>;
    type Value = Option<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, id: ReplicaId) -> Self::State {
        HashMap::with_hasher(ReplicaSeed(id))
    }
    fn value(&self, s: &Self::State) -> Option<u8> {
        // The mistake: ties go to whichever write the iteration meets last.
        s.values().max_by_key(|w| w.time).map(|w| w.value)
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        writes()
    }
}

impl StateCrdt for HashOrderLww {
    fn apply(&self, s: &mut Self::State, replica: ReplicaId, op: &RegisterOp<u8>) {
        let time = s.values().map(|w| w.time).max().unwrap_or(0) + 1;
        s.insert(
            replica,
            TimedWrite {
                time,
                value: written(op),
            },
        );
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        for (&replica, &write) in from {
            let entry = into.entry(replica).or_insert(write);
            if write.time > entry.time {
                *entry = write;
            }
        }
    }
}
