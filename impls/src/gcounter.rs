//! The grow-only counter.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, ReplicaId, VersionVector};

/// A grow-only counter (G-Counter): each replica counts its own increments; the value is the
/// sum over replicas, and merge takes each replica's larger count.
///
/// A single shared number cannot be merged: after `A` and `B` both add 1 to 0, both hold 1,
/// and no merge of `1` and `1` can tell that the answer is 2. Keeping one entry per replica,
/// which only its owner raises, makes the per-replica maximum the right merge.
///
/// # Conflict rule
/// None is needed: each entry has a single writer, and increments commute.
///
/// # Metadata cost
/// One `u64` per replica that ever incremented: the state grows with the number of replicas,
/// never with the number of increments.
///
/// # Representation
/// A [`VersionVector`] (the amounts per replica), sorted by replica: merge is `O(n + m)` and
/// allocates nothing once both sides know the same replicas.
///
/// ```
/// use crdt_impls::{GCounter, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut alice = GCounter::new();
/// let mut bob = GCounter::new();
/// alice.increment(a, 2)?;
/// bob.increment(b, 3)?;
/// alice.merge(&bob);
/// bob.merge(&alice);
/// assert_eq!((alice.value(), bob.value()), (5, 5));
/// alice.merge(&bob); // merging again changes nothing
/// assert_eq!(alice.value(), 5);
/// # Ok::<(), crdt_impls::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GCounter {
    counts: VersionVector,
}

impl GCounter {
    /// A counter at 0.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            counts: VersionVector::new(),
        }
    }

    /// Adds `amount` at `replica`, which must be the replica this state belongs to.
    ///
    /// # Errors
    /// [`Error::Overflow`] when the replica's own count would exceed `u64::MAX`; the counter is
    /// unchanged.
    pub fn increment(&mut self, replica: ReplicaId, amount: u64) -> Result<(), Error> {
        self.counts.add(replica, amount).map(drop)
    }

    /// The delta of [`increment`](Self::increment): a counter holding only `replica`'s new
    /// count, whose merge performs the increment here or at any replica that has seen this one.
    ///
    /// ```
    /// use crdt_impls::{GCounter, ReplicaId};
    ///
    /// let a = ReplicaId::new(0);
    /// let mut counter = GCounter::new();
    /// counter.increment(a, 40)?;
    /// let delta = counter.increment_delta(a, 2)?;
    /// assert_eq!(delta.value(), 42); // the delta carries A's whole count, not "+2"
    /// counter.merge(&delta);
    /// counter.merge(&delta); // deltas are idempotent
    /// assert_eq!(counter.value(), 42);
    /// # Ok::<(), crdt_impls::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Overflow`] as for [`increment`](Self::increment).
    pub fn increment_delta(&self, replica: ReplicaId, amount: u64) -> Result<Self, Error> {
        let mut delta = Self::new();
        delta.counts.add(replica, self.count(replica))?;
        delta.increment(replica, amount)?;
        Ok(delta)
    }

    /// The counter's value: the sum of every replica's count (a `u128`, so it cannot overflow).
    #[must_use]
    pub fn value(&self) -> u128 {
        self.counts.total()
    }

    /// The amount `replica` has added.
    #[must_use]
    pub fn count(&self, replica: ReplicaId) -> u64 {
        self.counts.get(replica)
    }

    /// The per-replica counts.
    #[must_use]
    pub fn counts(&self) -> &VersionVector {
        &self.counts
    }

    /// The diff of `self` against `remote`: the counts of the replicas `self` has seen more
    /// of. `remote ⊔ self.diff(remote) = remote ⊔ self`, and the diff is below `self`.
    ///
    /// ```
    /// use crdt_impls::{GCounter, ReplicaId};
    ///
    /// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    /// let mut here = GCounter::new();
    /// here.increment(a, 2)?;
    /// let mut there = here.clone();
    /// here.increment(b, 5)?;
    /// there.increment(a, 1)?;
    /// let diff = here.diff(&there);
    /// assert_eq!((diff.count(a), diff.count(b)), (0, 5));
    /// # Ok::<(), crdt_impls::Error>(())
    /// ```
    #[must_use]
    pub fn diff(&self, remote: &Self) -> Self {
        let mut diff = Self::new();
        for (replica, count) in self.counts.iter() {
            if count > remote.count(replica) {
                diff.counts.raise(replica, count);
            }
        }
        diff
    }

    /// Joins `other` into `self`: each replica's larger count. `O(n + m)`.
    pub fn merge(&mut self, other: &Self) {
        self.counts.merge(&other.counts);
    }

    /// The lattice order: no replica counts more in `self` than in `other`.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.counts.leq(&other.counts)
    }
}

impl_lattice!(GCounter);

impl fmt::Debug for GCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GCounter{:?}", self.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_increments_add_up() {
        let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
        let mut x = GCounter::new();
        let mut y = GCounter::new();
        x.increment(a, 1).unwrap();
        y.increment(b, 1).unwrap();
        x.merge(&y);
        assert_eq!(x.value(), 2);
        assert!(y.leq(&x) && !x.leq(&y));
        assert_eq!(format!("{x:?}"), "GCounter{A: 1, B: 1}");
        assert_eq!(serde_json::to_string(&x).unwrap(), "[[0,1],[1,1]]");
    }

    #[test]
    fn the_value_cannot_overflow() {
        let mut x = GCounter::new();
        for r in 0..3 {
            x.increment(ReplicaId::new(r), u64::MAX).unwrap();
        }
        assert_eq!(x.value(), 3 * u128::from(u64::MAX));
        assert!(x.increment(ReplicaId::new(0), 1).is_err());
        assert!(x.increment_delta(ReplicaId::new(0), 1).is_err());
    }
}
