//! Causal stability: knowing what every replica has seen, and collecting what no one can
//! contradict any more.
//!
//! An update is **causally stable** at a replica when the replica knows that every replica has
//! seen it (Baquero, Almeida and Shoker, "Making operation-based CRDTs operation-based",
//! DAIS 2014). From then on, with causal delivery, every update still to arrive happened after
//! it: none is concurrent with it. So the metadata kept only to arbitrate concurrency with it
//! (its timestamp, a tombstone, its entry in an operation log) can go.
//!
//! [`StabilityTracker`] is the knowledge: a matrix of version vectors, one row per replica,
//! each what that replica is known to have seen (its row grows with every message from it,
//! which carries the sender's causal past). [`StableSet`] uses it: an add-wins set kept as a
//! **snapshot** of causally stable elements plus a **log** of the adds not yet stable, each
//! with its dot; a stable add leaves the log for the snapshot (log compaction). Its model,
//! [`StableSetModel`], is operation-based with causal delivery, and reads the number of
//! replicas from [`crdt_laws::env::replica_count`]: a replica that does not know every
//! replica can never call anything stable, and collects nothing.
//!
//! Collecting before stability is the classic mistake (the gallery's
//! `gc-before-causal-stability`): a replica that has been partitioned or down, or has merely
//! been silent, may still send an update concurrent with the one collected, and the replicas
//! that collected can no longer tell it is concurrent.

mod model;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use crdt_laws::vocab::set::SetOp;
use serde::{Deserialize, Serialize};

use crate::{Dot, ReplicaId, VersionVector};

pub use model::StableSetModel;

/// What every replica is known to have seen: a matrix of version vectors (Wuu and Bernstein's
/// two-dimensional time table, as causal stability uses it).
///
/// ```
/// use crdt_impls::stability::StabilityTracker;
/// use crdt_impls::{Dot, ReplicaId, VersionVector};
///
/// let (a, b, c) = (ReplicaId::new(0), ReplicaId::new(1), ReplicaId::new(2));
/// let mut tracker = StabilityTracker::new(a);
/// let add = Dot::new(a, 1);
/// let saw_add: VersionVector = [(a, 1)].into_iter().collect();
/// tracker.observe(a, &saw_add);
/// tracker.observe(b, &saw_add); // b's message came after the add
/// assert!(!tracker.is_stable(add, 3)); // nothing heard from c since
/// tracker.observe(c, &saw_add);
/// assert!(tracker.is_stable(add, 3));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StabilityTracker {
    /// Whose tracker this is.
    owner: ReplicaId,
    /// Per replica, what it is known to have seen (absent: nothing known).
    rows: BTreeMap<ReplicaId, VersionVector>,
}

impl StabilityTracker {
    /// The tracker of replica `owner`, knowing nothing.
    #[must_use]
    pub fn new(owner: ReplicaId) -> Self {
        Self {
            owner,
            rows: BTreeMap::new(),
        }
    }

    /// Records that `replica` has seen at least `seen` (from a message it sent, or from the
    /// owner's own deliveries).
    pub fn observe(&mut self, replica: ReplicaId, seen: &VersionVector) {
        self.rows.entry(replica).or_default().merge(seen);
    }

    /// What `replica` is known to have seen.
    #[must_use]
    pub fn row(&self, replica: ReplicaId) -> Option<&VersionVector> {
        self.rows.get(&replica)
    }

    /// The replicas heard from (the owner included once it has observed itself), with what
    /// each has seen.
    pub fn rows(&self) -> impl Iterator<Item = (ReplicaId, &VersionVector)> {
        self.rows.iter().map(|(r, v)| (*r, v))
    }

    /// True when each of the `replicas` replicas (ids `0..replicas`) is known to have seen
    /// `dot`: the update is causally stable.
    #[must_use]
    pub fn is_stable(&self, dot: Dot, replicas: u32) -> bool {
        (0..replicas).all(|r| {
            self.rows
                .get(&ReplicaId::new(r))
                .is_some_and(|row| row.contains(dot))
        })
    }

    /// The owner.
    #[must_use]
    pub const fn owner(&self) -> ReplicaId {
        self.owner
    }
}

/// An operation-based add-wins set kept as a snapshot of causally stable elements plus a log of
/// the adds not yet stable (a pure operation-based set after Baquero, Almeida and Shoker 2014,
/// with log compaction by causal stability).
///
/// An add of `x` enters the log with its dot, and makes the adds of `x` it saw redundant (they
/// leave the log); a remove of `x` takes out the adds of `x` it saw, in the log and in the
/// snapshot, and is not stored (an add the remove did not see is concurrent with it, and wins).
/// Once every replica is known to have seen an add, it is stable: every update still to come
/// saw it, so its dot will never be needed again, and the element moves to the snapshot.
///
/// # Conflict rule
/// Add wins: an element is present if some add of it was not seen by a remove of it.
///
/// # Metadata cost
/// One dot and the issuer's version vector per add not yet stable, plus the tracker (a version
/// vector per replica heard from); stable elements cost nothing but themselves. With every
/// replica sending now and then, the log holds only the recent past; a replica that stays
/// silent holds stability back, and the log grows until it speaks (or is removed from the
/// membership).
///
/// ```
/// use crdt_impls::stability::StableSet;
/// use crdt_impls::ReplicaId;
/// use crdt_laws::vocab::set::SetOp;
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let (mut alice, mut bob) = (StableSet::new(a), StableSet::new(b));
/// let add = alice.local(SetOp::Add(7), Some(2));
/// assert_eq!(alice.logged(), 1); // bob may not have seen it yet
/// bob.effect(&add, Some(2));
/// assert_eq!(bob.logged(), 0); // at bob both have seen it: stable, collected
/// let ack = bob.local(SetOp::Add(8), Some(2)); // bob's message says he saw the 7
/// assert_eq!(bob.logged(), 1); // bob does not know alice has seen the 8
/// alice.effect(&ack, Some(2));
/// assert_eq!((alice.logged(), alice.stable()), (0, &[7, 8].into()));
/// assert_eq!(bob.value(), [7, 8].into());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StableSet {
    seen: VersionVector,
    tracker: StabilityTracker,
    stable: BTreeSet<u8>,
    log: Vec<(Dot, u8)>,
}

/// A message of [`StableSet`]: an update with its dot and its issuer's causal past.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamped {
    /// The update's identity.
    pub dot: Dot,
    /// What its issuer had seen when issuing it.
    pub past: VersionVector,
    /// The update.
    pub op: SetOp<u8>,
}

impl StableSet {
    /// The empty set of replica `owner`.
    #[must_use]
    pub fn new(owner: ReplicaId) -> Self {
        Self {
            seen: VersionVector::new(),
            tracker: StabilityTracker::new(owner),
            stable: BTreeSet::new(),
            log: Vec::new(),
        }
    }

    /// The elements present.
    #[must_use]
    pub fn value(&self) -> BTreeSet<u8> {
        let mut value = self.stable.clone();
        value.extend(self.log.iter().map(|(_, x)| *x));
        value
    }

    /// The snapshot: elements whose adds are causally stable.
    #[must_use]
    pub fn stable(&self) -> &BTreeSet<u8> {
        &self.stable
    }

    /// How many adds the log holds (not yet stable).
    #[must_use]
    pub fn logged(&self) -> usize {
        self.log.len()
    }

    /// The tracker.
    #[must_use]
    pub fn tracker(&self) -> &StabilityTracker {
        &self.tracker
    }

    /// Performs `op` here and returns the message to broadcast (causally); `replicas` is the
    /// number of replicas, if known (stability needs it).
    pub fn local(&mut self, op: SetOp<u8>, replicas: Option<u32>) -> Stamped {
        let owner = self.tracker.owner();
        let message = Stamped {
            dot: Dot::new(owner, self.seen.get(owner) + 1),
            past: self.seen.clone(),
            op,
        };
        self.effect(&message, replicas);
        message
    }

    /// Applies a message (delivered causally, once); then collects what became stable.
    pub fn effect(&mut self, message: &Stamped, replicas: Option<u32>) {
        self.apply(message);
        if let Some(n) = replicas {
            self.compact_with(|tracker, dot| tracker.is_stable(dot, n));
        }
    }

    /// Applies a message without collecting anything.
    pub fn apply(&mut self, message: &Stamped) {
        if self.seen.contains(message.dot) {
            return;
        }
        match message.op {
            SetOp::Add(x) => {
                self.log
                    .retain(|(d, y)| *y != x || !message.past.contains(*d));
                self.log.push((message.dot, x));
            }
            SetOp::Remove(x) => {
                self.stable.remove(&x);
                self.log
                    .retain(|(d, y)| *y != x || !message.past.contains(*d));
            }
        }
        self.seen.raise(message.dot.replica, message.dot.seq);
        let mut sender = message.past.clone();
        sender.raise(message.dot.replica, message.dot.seq);
        self.tracker.observe(message.dot.replica, &sender);
        let (owner, seen) = (self.tracker.owner(), self.seen.clone());
        self.tracker.observe(owner, &seen);
    }

    /// Moves the logged adds that `stable` calls stable into the snapshot.
    pub fn compact_with(&mut self, stable: impl Fn(&StabilityTracker, Dot) -> bool) {
        let tracker = &self.tracker;
        let (done, kept): (Vec<_>, Vec<_>) =
            self.log.drain(..).partition(|(d, _)| stable(tracker, *d));
        self.stable.extend(done.into_iter().map(|(_, x)| x));
        self.log = kept;
    }
}
