//! Version vectors: one counter per replica, joined by the pointwise maximum.

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::sorted::{ENTRYWISE_MERGE_MAX, Side, check_strictly_increasing, merge_join};
use crate::{Dot, Error, ReplicaId};

/// A map from replicas to counters, ordered pointwise and joined by the pointwise maximum.
///
/// Read as "the `n` first updates of each replica", it is a causal context: it
/// [contains](Self::contains) dot `B3` when its entry for `B` is at least 3. Read as
/// "the amount each replica added", it is a [`GCounter`](crate::GCounter).
///
/// # Representation
/// A vector of `(replica, counter)` pairs sorted by replica, without zero counters, so equal
/// vectors have equal representations. Lookups are binary searches; [`merge`](Self::merge) walks
/// both vectors once (`O(n + m)`), and raises entries in place without allocating when every
/// replica of the other vector is already present (the common case once replicas know of each
/// other). A dense vector indexed by replica would be as fast but would let one large replica
/// id allocate a huge vector.
///
/// ```
/// use crdt_impls::{Dot, ReplicaId, VersionVector};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut x = VersionVector::new();
/// x.increment(a);
/// x.increment(a);
/// let mut y = VersionVector::new();
/// y.increment(b);
/// assert!(!x.leq(&y) && !y.leq(&x)); // concurrent
/// x.merge(&y);
/// assert_eq!((x.get(a), x.get(b)), (2, 1));
/// assert!(x.contains(Dot::new(a, 2)) && !x.contains(Dot::new(b, 2)));
/// assert!(y.leq(&x));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "Vec<(ReplicaId, u64)>")]
pub struct VersionVector {
    entries: Vec<(ReplicaId, u64)>,
}

impl VersionVector {
    /// The empty vector: every counter is 0.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
        }
    }

    /// The counter of `replica` (0 if absent).
    #[must_use]
    #[inline]
    pub fn get(&self, replica: ReplicaId) -> u64 {
        match self.search(replica) {
            Ok(i) => self.entries[i].1,
            Err(_) => 0,
        }
    }

    #[inline]
    fn search(&self, replica: ReplicaId) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&replica, |e| e.0)
    }

    /// True when the vector has seen `dot`: its counter for `dot.replica` is at least `dot.seq`.
    #[must_use]
    #[inline]
    pub fn contains(&self, dot: Dot) -> bool {
        dot.seq <= self.get(dot.replica)
    }

    /// Adds `amount` to the counter of `replica` and returns the new counter.
    ///
    /// # Errors
    /// [`Error::Overflow`] when the counter would exceed `u64::MAX`; the vector is unchanged.
    pub fn add(&mut self, replica: ReplicaId, amount: u64) -> Result<u64, Error> {
        let i = match self.search(replica) {
            Ok(i) => i,
            Err(_) if amount == 0 => return Ok(0),
            Err(i) => {
                self.entries.insert(i, (replica, 0));
                i
            }
        };
        let count = self.entries[i].1;
        match count.checked_add(amount) {
            Some(sum) => {
                self.entries[i].1 = sum;
                Ok(sum)
            }
            None => {
                if count == 0 {
                    self.entries.remove(i);
                }
                Err(Error::Overflow {
                    replica,
                    count,
                    amount,
                })
            }
        }
    }

    /// Counts one more update of `replica` and returns its dot.
    ///
    /// A counter saturates at `u64::MAX`, which takes 2⁶⁴ − 1 updates of one replica to reach.
    pub fn increment(&mut self, replica: ReplicaId) -> Dot {
        let seq = self.get(replica).saturating_add(1);
        self.raise(replica, seq);
        Dot::new(replica, seq)
    }

    /// Raises the counter of `replica` to at least `counter`.
    pub fn raise(&mut self, replica: ReplicaId, counter: u64) {
        match self.search(replica) {
            Ok(i) => self.entries[i].1 = self.entries[i].1.max(counter),
            Err(_) if counter == 0 => {}
            Err(i) => self.entries.insert(i, (replica, counter)),
        }
    }

    /// Joins `other` into `self`: every counter becomes the larger of the two. `O(n + m)`; a
    /// small `other` (a delta: a few replicas) is raised entry by entry, `O(m log n)` plus a
    /// shift per new replica.
    pub fn merge(&mut self, other: &Self) {
        if other.entries.len() <= ENTRYWISE_MERGE_MAX {
            for &(replica, counter) in &other.entries {
                self.raise(replica, counter);
            }
            return;
        }
        if self.raise_in_place(other) {
            return;
        }
        self.entries = merge_join(&self.entries, &other.entries, |e| e.0)
            .map(|side| match side {
                Side::Left(&e) | Side::Right(&e) => e,
                Side::Both(&(r, x), &(_, y)) => (r, x.max(y)),
            })
            .collect();
    }

    /// Raises `self` to `other` without allocating when every replica of `other` is present
    /// here, and says whether it could. When it could not, some entries may already be raised,
    /// which the full merge then does again (the maximum is idempotent).
    fn raise_in_place(&mut self, other: &Self) -> bool {
        let mut mine = self.entries.iter_mut();
        'theirs: for &(replica, counter) in &other.entries {
            for entry in mine.by_ref() {
                if entry.0 == replica {
                    entry.1 = entry.1.max(counter);
                    continue 'theirs;
                }
                if entry.0 > replica {
                    return false;
                }
            }
            return false;
        }
        true
    }

    /// The pointwise order: every counter of `self` is at most the one in `other`.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        merge_join(&self.entries, &other.entries, |e| e.0).all(|side| match side {
            Side::Left(_) => false,
            Side::Right(_) => true,
            Side::Both(x, y) => x.1 <= y.1,
        })
    }

    /// The sum of all counters (a `u128`, so it cannot overflow).
    #[must_use]
    pub fn total(&self) -> u128 {
        self.entries.iter().map(|e| u128::from(e.1)).sum()
    }

    /// The non-zero counters, by replica.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (ReplicaId, u64)> + '_ {
        self.entries.iter().copied()
    }

    /// The number of replicas with a non-zero counter.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when every counter is 0.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl VersionVector {
    /// The length of this vector's `Debug` text, counted without formatting it.
    pub(crate) fn debug_len(&self) -> usize {
        crate::causal::debug_list_len(self.iter().map(|(r, n)| {
            crate::causal::replica_len(r) + ": ".len() + crate::causal::decimal_len(n)
        }))
    }
}

impl fmt::Debug for VersionVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Counters from pairs; a replica listed twice keeps the larger counter.
impl FromIterator<(ReplicaId, u64)> for VersionVector {
    fn from_iter<I: IntoIterator<Item = (ReplicaId, u64)>>(iter: I) -> Self {
        let mut entries: Vec<(ReplicaId, u64)> = iter.into_iter().filter(|e| e.1 > 0).collect();
        // By replica, the largest counter first: deduplicating keeps it.
        entries.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
        entries.dedup_by_key(|e| e.0);
        Self { entries }
    }
}

/// Reads the serialized form: pairs sorted by replica, without zero counters.
impl TryFrom<Vec<(ReplicaId, u64)>> for VersionVector {
    type Error = Error;

    fn try_from(entries: Vec<(ReplicaId, u64)>) -> Result<Self, Error> {
        check_strictly_increasing("VersionVector", entries.iter().map(|e| e.0))?;
        if let Some((replica, _)) = entries.iter().find(|e| e.1 == 0) {
            return Err(Error::invalid(
                "VersionVector",
                "non-zero counters",
                format!("a zero counter for {replica}"),
            ));
        }
        Ok(Self { entries })
    }
}

impl Serialize for VersionVector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.entries.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vv(pairs: &[(u32, u64)]) -> VersionVector {
        pairs.iter().map(|&(r, n)| (ReplicaId::new(r), n)).collect()
    }

    #[test]
    fn merge_takes_pointwise_maximum_with_and_without_new_replicas() {
        let mut x = vv(&[(0, 3), (2, 1)]);
        x.merge(&vv(&[(2, 4)]));
        assert_eq!(x, vv(&[(0, 3), (2, 4)]));
        x.merge(&vv(&[(1, 1), (2, 2), (5, 7)]));
        assert_eq!(x, vv(&[(0, 3), (1, 1), (2, 4), (5, 7)]));
        let mut empty = VersionVector::new();
        empty.merge(&x);
        assert_eq!(empty, x);
    }

    /// Small sides (raised entry by entry) and large ones (joined in one pass) give the
    /// pointwise maximum.
    #[test]
    fn merge_is_the_pointwise_maximum_at_every_size() {
        use proptest::prelude::*;
        use std::collections::BTreeMap;

        let side = proptest::collection::btree_map(0..30u32, 1..5u64, 0..20);
        proptest::test_runner::TestRunner::deterministic()
            .run(&(side.clone(), side), |(x, y)| {
                let of = |m: &BTreeMap<u32, u64>| -> VersionVector {
                    m.iter().map(|(&r, &c)| (ReplicaId::new(r), c)).collect()
                };
                let mut merged = of(&x);
                merged.merge(&of(&y));
                let mut max = x.clone();
                for (r, c) in y {
                    let e = max.entry(r).or_insert(0);
                    *e = (*e).max(c);
                }
                prop_assert_eq!(merged, of(&max));
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn order_is_pointwise() {
        assert!(vv(&[(0, 1)]).leq(&vv(&[(0, 2), (1, 1)])));
        assert!(!vv(&[(0, 3)]).leq(&vv(&[(0, 2), (1, 1)])));
        assert!(!vv(&[(2, 1)]).leq(&vv(&[(0, 2)])));
        assert!(VersionVector::new().leq(&VersionVector::new()));
    }

    #[test]
    fn add_reports_overflow_and_leaves_the_vector_unchanged() {
        let a = ReplicaId::new(0);
        let mut x = VersionVector::new();
        assert_eq!(x.add(a, 0), Ok(0));
        assert!(x.is_empty());
        assert!(x.add(a, u64::MAX).is_ok());
        assert!(matches!(x.add(a, 1), Err(Error::Overflow { .. })));
        assert_eq!(x.get(a), u64::MAX);
        assert_eq!(x.total(), u128::from(u64::MAX));
    }

    #[test]
    fn from_iter_keeps_the_larger_counter_and_drops_zeros() {
        assert_eq!(
            vv(&[(1, 2), (0, 0), (1, 5), (1, 3)])
                .iter()
                .collect::<Vec<_>>(),
            vec![(ReplicaId::new(1), 5)]
        );
    }

    #[test]
    fn serde_checks_the_invariants() {
        let x = vv(&[(0, 3), (4, 1)]);
        let text = serde_json::to_string(&x).unwrap();
        assert_eq!(text, "[[0,3],[4,1]]");
        assert_eq!(serde_json::from_str::<VersionVector>(&text).unwrap(), x);
        assert!(serde_json::from_str::<VersionVector>("[[4,1],[0,3]]").is_err());
        assert!(serde_json::from_str::<VersionVector>("[[0,0]]").is_err());
    }
}
