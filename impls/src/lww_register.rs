//! The last-writer-wins register, and the Lamport timestamps that decide who wrote last.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ReplicaId;

/// A Lamport timestamp with the issuing replica as tie-break: a total order on writes.
///
/// Timestamps compare by `lamport` first, then by `replica`. A replica stamps a write with one
/// more than the largest Lamport time it has seen, so a write that saw another is always later;
/// two concurrent writes may share a Lamport time, and the replica id breaks the tie, the same
/// way at every replica. Two distinct writes never share a whole timestamp, because a replica
/// never issues the same Lamport time twice.
///
/// ```
/// use crdt_impls::{ReplicaId, Timestamp};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// assert!(Timestamp::new(2, a) > Timestamp::new(1, b));
/// assert!(Timestamp::new(2, b) > Timestamp::new(2, a));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Timestamp {
    /// The Lamport time: one more than the largest time the writer had seen.
    pub lamport: u64,
    /// The writer, breaking ties between concurrent writes with the same Lamport time.
    pub replica: ReplicaId,
}

impl Timestamp {
    /// The timestamp `(lamport, replica)`.
    #[must_use]
    pub const fn new(lamport: u64, replica: ReplicaId) -> Self {
        Self { lamport, replica }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:?}", self.lamport, self.replica)
    }
}

/// A register whose value is the last write, by [`Timestamp`] (LWW register).
///
/// # Conflict rule
/// Last writer wins: of two concurrent writes, the one with the larger Lamport time wins, and
/// on equal Lamport times the larger replica id. The winner is arbitrary but the same at every
/// replica; the other write is lost (keep both with an [`MvRegister`](crate::MvRegister)).
///
/// # Metadata cost
/// One timestamp (a `u64` and a replica id), whatever the number of replicas or writes. The
/// register's Lamport clock is the time of its current write, which is the largest time it
/// has seen: no separate clock is stored.
///
/// ```
/// use crdt_impls::{LwwRegister, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut alice = LwwRegister::new();
/// let mut bob = LwwRegister::new();
/// alice.set(a, "draft");
/// bob.merge(&alice);
/// bob.set(b, "final"); // bob saw alice's write: his is later
/// alice.set(a, "typo"); // concurrent with bob's, same Lamport time 2: B > A wins
/// alice.merge(&bob);
/// bob.merge(&alice);
/// assert_eq!((alice.get(), bob.get()), (Some(&"final"), Some(&"final")));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LwwRegister<T> {
    latest: Option<(Timestamp, T)>,
}

impl<T> LwwRegister<T> {
    /// An empty register.
    #[must_use]
    pub const fn new() -> Self {
        Self { latest: None }
    }

    /// The current value, or `None` if nothing was written.
    #[must_use]
    pub fn get(&self) -> Option<&T> {
        self.latest.as_ref().map(|(_, v)| v)
    }

    /// The timestamp of the current value.
    #[must_use]
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.latest.as_ref().map(|(t, _)| *t)
    }

    /// The register's Lamport clock: the largest Lamport time it has seen (0 if none).
    #[must_use]
    pub fn clock(&self) -> u64 {
        self.timestamp().map_or(0, |t| t.lamport)
    }

    /// Writes `value` at `replica`, which must be the replica this state belongs to, and
    /// returns the write's timestamp: one more than the register's [clock](Self::clock).
    ///
    /// The clock saturates at `u64::MAX`, which takes 2⁶⁴ − 1 causally ordered writes to reach.
    pub fn set(&mut self, replica: ReplicaId, value: T) -> Timestamp {
        let timestamp = Timestamp::new(self.clock().saturating_add(1), replica);
        self.latest = Some((timestamp, value));
        timestamp
    }

    /// The lattice order: `self`'s write is not later than `other`'s.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.timestamp() <= other.timestamp()
    }
}

impl<T: Clone> LwwRegister<T> {
    /// The diff of `self` against `remote`: `self`'s write if it is later than `remote`'s,
    /// else nothing (the empty register). `remote ⊔ self.diff(remote) = remote ⊔ self`.
    ///
    /// ```
    /// use crdt_impls::{LwwRegister, ReplicaId};
    ///
    /// let a = ReplicaId::new(0);
    /// let mut here = LwwRegister::new();
    /// here.set(a, 1);
    /// let there = here.clone();
    /// assert_eq!(here.diff(&there), LwwRegister::new());
    /// here.set(a, 2);
    /// assert_eq!(here.diff(&there).get(), Some(&2));
    /// ```
    #[must_use]
    pub fn diff(&self, remote: &Self) -> Self {
        if self.timestamp() > remote.timestamp() {
            self.clone()
        } else {
            Self::new()
        }
    }

    /// Joins `other` into `self`: keeps the write with the larger timestamp.
    ///
    /// Two states holding writes with the same timestamp hold the same write (a replica never
    /// reuses a timestamp), so `self` is kept.
    pub fn merge(&mut self, other: &Self) {
        if other.timestamp() > self.timestamp() {
            self.latest.clone_from(&other.latest);
        }
    }
}

impl_lattice!(LwwRegister<T> where T: Clone + PartialEq);

impl<T: fmt::Debug> fmt::Debug for LwwRegister<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.latest {
            None => write!(f, "LwwRegister(empty)"),
            Some((t, v)) => write!(f, "LwwRegister({v:?} at {t:?})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (ReplicaId, ReplicaId) {
        (ReplicaId::new(0), ReplicaId::new(1))
    }

    #[test]
    fn equal_lamport_times_are_won_by_the_larger_replica_either_way() {
        let (a, b) = ids();
        let mut x = LwwRegister::new();
        let mut y = LwwRegister::new();
        assert_eq!(x.set(a, 'x'), Timestamp::new(1, a));
        assert_eq!(y.set(b, 'y'), Timestamp::new(1, b));
        let (mut xy, mut yx) = (x.clone(), y.clone());
        xy.merge(&y);
        yx.merge(&x);
        assert_eq!(xy, yx);
        assert_eq!(xy.get(), Some(&'y'));
        // And with the roles of the replicas swapped, the other value wins.
        let mut x = LwwRegister::new();
        let mut y = LwwRegister::new();
        x.set(b, 'x');
        y.set(a, 'y');
        x.merge(&y);
        y.merge(&x);
        assert_eq!((x.get(), y.get()), (Some(&'x'), Some(&'x')));
    }

    #[test]
    fn a_write_that_saw_another_wins_whatever_the_replica_ids() {
        let (a, b) = ids();
        let mut x = LwwRegister::new();
        x.set(b, 1);
        let mut y = x.clone();
        assert_eq!(y.set(a, 2), Timestamp::new(2, a));
        x.merge(&y);
        assert_eq!(x.get(), Some(&2));
        assert_eq!(format!("{x:?}"), "LwwRegister(2 at 2A)");
    }

    #[test]
    fn serde_round_trips() {
        let mut x = LwwRegister::new();
        x.set(ReplicaId::new(2), "v".to_string());
        let text = serde_json::to_string(&x).unwrap();
        assert_eq!(text, r#"{"latest":[{"lamport":1,"replica":2},"v"]}"#);
        assert_eq!(
            serde_json::from_str::<LwwRegister<String>>(&text).unwrap(),
            x
        );
    }
}
