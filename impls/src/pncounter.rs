//! The positive-negative counter.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Error, GCounter, ReplicaId};

/// A counter that can go up and down (PN-Counter): a pair of [`GCounter`]s, one counting
/// increments and one counting decrements; the value is their difference.
///
/// A decrement *raises* the decrement counter; it never lowers an entry. Lowering an entry
/// would not survive a merge, which takes the larger entry: the decrement would be undone by
/// the next merge with any replica that had seen the old value.
///
/// # Conflict rule
/// None is needed: increments and decrements commute.
///
/// # Metadata cost
/// Two `u64` per replica that ever changed the counter; nothing grows with the number of
/// updates.
///
/// ```
/// use crdt_impls::{PnCounter, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut alice = PnCounter::new();
/// let mut bob = PnCounter::new();
/// alice.increment(a, 5)?;
/// bob.decrement(b, 7)?;
/// alice.merge(&bob);
/// bob.merge(&alice);
/// assert_eq!((alice.value(), bob.value()), (-2, -2));
/// # Ok::<(), crdt_impls::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PnCounter {
    increments: GCounter,
    decrements: GCounter,
}

impl PnCounter {
    /// A counter at 0.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            increments: GCounter::new(),
            decrements: GCounter::new(),
        }
    }

    /// Adds `amount` at `replica`, which must be the replica this state belongs to.
    ///
    /// # Errors
    /// [`Error::Overflow`] when the replica's total of increments would exceed `u64::MAX`; the
    /// counter is unchanged.
    pub fn increment(&mut self, replica: ReplicaId, amount: u64) -> Result<(), Error> {
        self.increments.increment(replica, amount)
    }

    /// Subtracts `amount` at `replica`, by raising its decrement count.
    ///
    /// # Errors
    /// [`Error::Overflow`] when the replica's total of decrements would exceed `u64::MAX`; the
    /// counter is unchanged.
    pub fn decrement(&mut self, replica: ReplicaId, amount: u64) -> Result<(), Error> {
        self.decrements.increment(replica, amount)
    }

    /// The delta of [`increment`](Self::increment): a counter holding only `replica`'s new
    /// increment count.
    ///
    /// # Errors
    /// As for [`increment`](Self::increment).
    pub fn increment_delta(&self, replica: ReplicaId, amount: u64) -> Result<Self, Error> {
        Ok(Self {
            increments: self.increments.increment_delta(replica, amount)?,
            decrements: GCounter::new(),
        })
    }

    /// The delta of [`decrement`](Self::decrement): a counter holding only `replica`'s new
    /// decrement count.
    ///
    /// ```
    /// use crdt_impls::{PnCounter, ReplicaId};
    ///
    /// let a = ReplicaId::new(0);
    /// let mut here = PnCounter::new();
    /// let mut there = PnCounter::new();
    /// let delta = here.decrement_delta(a, 3)?;
    /// here.merge(&delta);
    /// there.merge(&delta);
    /// assert_eq!((here.value(), there.value()), (-3, -3));
    /// # Ok::<(), crdt_impls::Error>(())
    /// ```
    ///
    /// # Errors
    /// As for [`decrement`](Self::decrement).
    pub fn decrement_delta(&self, replica: ReplicaId, amount: u64) -> Result<Self, Error> {
        Ok(Self {
            increments: GCounter::new(),
            decrements: self.decrements.increment_delta(replica, amount)?,
        })
    }

    /// The counter's value: increments minus decrements (an `i128`, so it cannot overflow).
    #[must_use]
    pub fn value(&self) -> i128 {
        // Each side is at most 2³² · 2⁶⁴ = 2⁹⁶, well inside an i128.
        let (up, down) = (self.increments.value(), self.decrements.value());
        i128::try_from(up).unwrap_or(i128::MAX) - i128::try_from(down).unwrap_or(i128::MAX)
    }

    /// The counter of increments.
    #[must_use]
    pub fn increments(&self) -> &GCounter {
        &self.increments
    }

    /// The counter of decrements.
    #[must_use]
    pub fn decrements(&self) -> &GCounter {
        &self.decrements
    }

    /// The lattice order: both counters are below `other`'s.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.increments.leq(&other.increments) && self.decrements.leq(&other.decrements)
    }

    /// The diff of `self` against `remote`: each G-Counter's
    /// [diff](GCounter::diff). `remote ⊔ self.diff(remote) = remote ⊔ self`.
    #[must_use]
    pub fn diff(&self, remote: &Self) -> Self {
        Self {
            increments: self.increments.diff(&remote.increments),
            decrements: self.decrements.diff(&remote.decrements),
        }
    }

    /// Joins `other` into `self`: both G-Counters merge. `O(n + m)`.
    pub fn merge(&mut self, other: &Self) {
        self.increments.merge(&other.increments);
        self.decrements.merge(&other.decrements);
    }
}

impl_lattice!(PnCounter);

impl fmt::Debug for PnCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PnCounter{{+{:?}, -{:?}}}",
            self.increments.counts(),
            self.decrements.counts()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decrement_never_lowers_an_entry() {
        let a = ReplicaId::new(0);
        let mut x = PnCounter::new();
        x.increment(a, 5).unwrap();
        let before = x.clone();
        x.decrement(a, 2).unwrap();
        assert_eq!(x.value(), 3);
        // The increment entry is untouched; the decrement entry went up.
        assert_eq!(x.increments().count(a), 5);
        assert_eq!(x.decrements().count(a), 2);
        // So merging the older state cannot undo the decrement.
        x.merge(&before);
        assert_eq!(x.value(), 3);
        assert!(before.increments().leq(x.increments()));
        assert!(before.decrements().leq(x.decrements()));
        assert_eq!(format!("{x:?}"), "PnCounter{+{A: 5}, -{A: 2}}");
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let mut x = PnCounter::new();
        for r in 0..4 {
            x.decrement(ReplicaId::new(r), u64::MAX).unwrap();
        }
        assert_eq!(x.value(), -4 * i128::from(u64::MAX));
    }
}
