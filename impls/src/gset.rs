//! The grow-only set.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize, Serializer};

use crate::Error;
use crate::sorted::{
    Chunks, ENTRYWISE_MERGE_MAX, Iter, Side, check_strictly_increasing, merge_join,
};

/// A grow-only set (G-Set): elements can be inserted, never removed; merge is the union.
///
/// The simplest CRDT: union is commutative, associative and idempotent, so replicas that have
/// seen the same insertions hold the same set, whatever the order of messages.
///
/// # Conflict rule
/// None is needed: insertions never conflict.
///
/// # Metadata cost
/// None: the state is exactly the set of elements. Nothing grows with the number of replicas.
///
/// # Representation
/// The elements in increasing order, in chunks of at most 2 KiB: [`contains`](Self::contains)
/// and [`insert`](Self::insert) are two binary searches (`O(log n)`) and an insert a shift
/// within one chunk; [`merge`](Self::merge) walks both sides once (`O(n + m)`) chunk by chunk,
/// moving this side's chunks that the other side has nothing within and reusing the buffers
/// of those it consumed, so it allocates only for the growth. Merging a delta of a few
/// elements inserts them one by one, so it costs what the same local inserts cost. The
/// buffers of a dropped large set's full chunks are kept, up to 64 MiB a thread, for the next
/// large sets and merges to reuse ([`release_spare_chunks`](crate::release_spare_chunks)
/// hands them back).
///
/// ```
/// use crdt_impls::GSet;
///
/// let mut alice = GSet::new();
/// let mut bob = GSet::new();
/// alice.insert("apple");
/// bob.insert("banana");
/// bob.insert("apple");
///
/// alice.merge(&bob);
/// bob.merge(&alice);
/// assert_eq!(alice, bob);
/// assert_eq!(alice.iter().copied().collect::<Vec<_>>(), ["apple", "banana"]);
/// ```
#[derive(Clone, Deserialize)]
#[serde(try_from = "Vec<T>", bound(deserialize = "T: Ord + Deserialize<'de>"))]
pub struct GSet<T> {
    elements: Chunks<T>,
}

impl<T> GSet<T> {
    /// The empty set.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            elements: Chunks::new(),
        }
    }

    /// The number of elements.
    #[must_use]
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// True when no element has been inserted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// The elements in increasing order.
    pub fn iter(&self) -> Iter<'_, T> {
        self.elements.iter()
    }
}

impl<T: PartialEq> PartialEq for GSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for GSet<T> {}

impl<T: Hash> Hash for GSet<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.len().hash(state);
        for x in self {
            x.hash(state);
        }
    }
}

impl<T: Ord> GSet<T> {
    /// True when `x` has been inserted.
    #[must_use]
    pub fn contains(&self, x: &T) -> bool {
        self.elements.search(|e| e.cmp(x)).is_ok()
    }

    /// Inserts `x`; returns false if it was already present. `O(log n)`.
    pub fn insert(&mut self, x: T) -> bool {
        match self.elements.search(|e| e.cmp(&x)) {
            Ok(_) => false,
            Err(at) => {
                self.elements.insert(at, x);
                true
            }
        }
    }

    /// True when every element of `self` is in `other`.
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool {
        self.len() <= other.len()
            && merge_join(self.iter(), other.iter(), |x| x).all(|s| !matches!(s, Side::Left(_)))
    }

    /// The lattice order: [`is_subset`](Self::is_subset).
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.is_subset(other)
    }
}

impl<T: Ord + Clone> GSet<T> {
    /// The delta of inserting `x`: a set of just `x` (empty if `x` is already present), whose
    /// merge into this set, or into any replica, performs the insertion.
    ///
    /// ```
    /// use crdt_impls::GSet;
    ///
    /// let mut set: GSet<u8> = [1, 2].into_iter().collect();
    /// let delta = set.insert_delta(3);
    /// assert_eq!(delta.len(), 1);
    /// set.merge(&delta);
    /// assert!(set.contains(&3));
    /// assert!(set.insert_delta(3).is_empty());
    /// ```
    #[must_use]
    pub fn insert_delta(&self, x: T) -> Self {
        if self.contains(&x) {
            Self::new()
        } else {
            Self {
                elements: Chunks::from_sorted(vec![x]),
            }
        }
    }

    /// Joins `other` into `self`: the union. `O(n + m)` in one pass, chunk by chunk (see
    /// [Representation](Self#representation)). A small `other` (a delta: at most a few
    /// elements) is inserted element by element instead, `O(m log n)`.
    pub fn merge(&mut self, other: &Self) {
        if other.len() <= ENTRYWISE_MERGE_MAX {
            for y in other.iter() {
                if let Err(at) = self.elements.search(|e| e.cmp(y)) {
                    self.elements.insert(at, y.clone());
                }
            }
            return;
        }
        if self.elements.is_empty() {
            self.elements.clone_from(&other.elements);
            return;
        }
        self.elements
            .join(&other.elements, Ord::cmp, |_, _| true, |_, _| true);
    }

    /// The diff of `self` against `remote`: the elements `remote` lacks.
    /// `remote ⊔ self.diff(remote) = remote ⊔ self`, and the diff is a subset of `self`.
    ///
    /// ```
    /// use crdt_impls::GSet;
    ///
    /// let here: GSet<u8> = [1, 2, 3].into_iter().collect();
    /// let there: GSet<u8> = [2, 4].into_iter().collect();
    /// assert_eq!(here.diff(&there).iter().copied().collect::<Vec<_>>(), [1, 3]);
    /// ```
    #[must_use]
    pub fn diff(&self, remote: &Self) -> Self {
        let elements = merge_join(self.elements.iter(), remote.elements.iter(), |x| x)
            .filter_map(|side| match side {
                Side::Left(x) => Some(x.clone()),
                Side::Right(_) | Side::Both(..) => None,
            })
            .collect();
        Self {
            elements: Chunks::from_sorted(elements),
        }
    }

    /// The elements, as a `BTreeSet`.
    #[must_use]
    pub fn value(&self) -> std::collections::BTreeSet<T> {
        self.elements.iter().cloned().collect()
    }
}

impl_lattice!(GSet<T> where T: Ord + Clone);

impl<T: fmt::Debug> fmt::Debug for GSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Ord> FromIterator<T> for GSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

/// Sorts once: `O((n + m) log (n + m))` for `m` new elements.
impl<T: Ord> Extend<T> for GSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut elements = std::mem::replace(&mut self.elements, Chunks::new()).into_vec();
        elements.extend(iter);
        elements.sort_unstable();
        elements.dedup();
        self.elements = Chunks::from_sorted(elements);
    }
}

impl<'a, T> IntoIterator for &'a GSet<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.elements.iter()
    }
}

impl<T> IntoIterator for GSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.elements.into_vec().into_iter()
    }
}

/// Reads the serialized form, a strictly increasing list of elements.
impl<T: Ord> TryFrom<Vec<T>> for GSet<T> {
    type Error = Error;
    fn try_from(elements: Vec<T>) -> Result<Self, Error> {
        check_strictly_increasing("GSet", &elements)?;
        Ok(Self {
            elements: Chunks::from_sorted(elements),
        })
    }
}

/// Serializes as the list of elements in increasing order.
impl<T: Serialize> Serialize for GSet<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_the_union() {
        let mut a: GSet<u32> = [5, 1, 3].into_iter().collect();
        let b: GSet<u32> = [2, 3, 8].into_iter().collect();
        a.merge(&b);
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), [1, 2, 3, 5, 8]);
        assert!(b.is_subset(&a) && !a.is_subset(&b));
        let mut empty = GSet::new();
        empty.merge(&a);
        assert_eq!(empty, a);
    }

    /// Small sides (inserted element by element) and large ones (merged in one pass) give
    /// the union.
    #[test]
    fn merge_is_the_union_at_every_size() {
        use proptest::prelude::*;
        use std::collections::BTreeSet;

        // Up to 20 elements (one chunk), or up to 3,000 (a few chunks of 1,024 `u16`s).
        let side = prop_oneof![
            proptest::collection::btree_set(0..40u16, 0..20),
            proptest::collection::btree_set(0..4000u16, 0..3000),
        ];
        proptest::test_runner::TestRunner::deterministic()
            .run(&(side.clone(), side), |(x, y)| {
                let mut merged: GSet<u16> = x.iter().copied().collect();
                let mut inserted = merged.clone();
                let other: GSet<u16> = y.iter().copied().collect();
                merged.merge(&other);
                for &e in &y {
                    inserted.insert(e);
                }
                let union: BTreeSet<u16> = x.union(&y).copied().collect();
                prop_assert_eq!(&inserted, &merged);
                let mine: GSet<u16> = x.iter().copied().collect();
                prop_assert_eq!(mine.is_subset(&other), x.is_subset(&y));
                prop_assert_eq!(mine == other, x == y);
                prop_assert_eq!(merged.len(), union.len());
                prop_assert_eq!(merged.value(), union);
                prop_assert!(merged.iter().is_sorted());
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn insert_keeps_order_and_reports_news() {
        let mut s = GSet::new();
        assert!(s.insert(3));
        assert!(s.insert(1));
        assert!(!s.insert(3));
        s.extend([2, 1]);
        assert_eq!(format!("{s:?}"), "{1, 2, 3}");
        assert_eq!(s.len(), 3);
        assert!(s.contains(&2) && !s.contains(&4));
    }

    #[test]
    fn serde_round_trips_and_rejects_unsorted_lists() {
        let s: GSet<u8> = [3, 1].into_iter().collect();
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(text, "[1,3]");
        assert_eq!(serde_json::from_str::<GSet<u8>>(&text).unwrap(), s);
        let err = serde_json::from_str::<GSet<u8>>("[3,1]").unwrap_err();
        assert!(err.to_string().contains("invalid GSet"), "{err}");
    }
}
