//! The grow-only set.

use std::fmt;
use std::hint::select_unpredictable;

use serde::{Deserialize, Serialize, Serializer};

use crate::Error;
use crate::sorted::{ENTRYWISE_MERGE_MAX, Side, check_strictly_increasing, merge_join};

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
/// A vector sorted strictly by element: [`contains`](Self::contains) is a binary search,
/// [`merge`](Self::merge) walks both vectors once (`O(n + m)`, one allocation), and
/// [`insert`](Self::insert) shifts the larger elements (`O(n)`; build large sets with
/// [`extend`](Extend::extend) or `collect`, which sort once). Merging a delta of a few
/// elements inserts them one by one, so it costs what the same local inserts cost.
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
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "Vec<T>", bound(deserialize = "T: Ord + Deserialize<'de>"))]
pub struct GSet<T> {
    elements: Vec<T>,
}

impl<T> GSet<T> {
    /// The empty set.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            elements: Vec::new(),
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
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.elements.iter()
    }
}

impl<T: Ord> GSet<T> {
    /// True when `x` has been inserted.
    #[must_use]
    pub fn contains(&self, x: &T) -> bool {
        self.elements.binary_search(x).is_ok()
    }

    /// Inserts `x`; returns false if it was already present.
    pub fn insert(&mut self, x: T) -> bool {
        match self.elements.binary_search(&x) {
            Ok(_) => false,
            Err(i) => {
                self.elements.insert(i, x);
                true
            }
        }
    }

    /// True when every element of `self` is in `other`.
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool {
        merge_join(&self.elements, &other.elements, |x| x).all(|s| !matches!(s, Side::Left(_)))
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
            Self { elements: vec![x] }
        }
    }

    /// Joins `other` into `self`: the union. `O(n + m)`, and no allocation when `other` brings
    /// nothing new. A small `other` (a delta: at most a few elements) is inserted element by
    /// element instead, `O(m log n)` searches and a shift per new element.
    pub fn merge(&mut self, other: &Self) {
        if other.len() <= ENTRYWISE_MERGE_MAX {
            for y in &other.elements {
                if let Err(at) = self.elements.binary_search(y) {
                    self.elements.insert(at, y.clone());
                }
            }
            return;
        }
        if other.is_subset(self) {
            return;
        }
        if self.elements.is_empty() {
            self.elements.clone_from(&other.elements);
            return;
        }
        let (mine, theirs) = (&self.elements, &other.elements);
        let mut union = Vec::with_capacity(mine.len() + theirs.len());
        let (mut i, mut j) = (0, 0);
        // Which side's element comes next is a select, not a branch: randomly interleaved
        // sides would mispredict half of the branches.
        while let (Some(x), Some(y)) = (mine.get(i), theirs.get(j)) {
            let order = x.cmp(y);
            union.push(select_unpredictable(order.is_le(), x, y).clone());
            i += usize::from(order.is_le());
            j += usize::from(order.is_ge());
        }
        union.extend_from_slice(&mine[i..]);
        union.extend_from_slice(&theirs[j..]);
        self.elements = union;
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
        let elements = merge_join(&self.elements, &remote.elements, |x| x)
            .filter_map(|side| match side {
                Side::Left(x) => Some(x.clone()),
                Side::Right(_) | Side::Both(..) => None,
            })
            .collect();
        Self { elements }
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
        f.debug_set().entries(&self.elements).finish()
    }
}

impl<T: Ord> FromIterator<T> for GSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

impl<T: Ord> Extend<T> for GSet<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        self.elements.extend(iter);
        self.elements.sort_unstable();
        self.elements.dedup();
    }
}

impl<'a, T> IntoIterator for &'a GSet<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.elements.iter()
    }
}

impl<T> IntoIterator for GSet<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.elements.into_iter()
    }
}

/// Reads the serialized form, a strictly increasing list of elements.
impl<T: Ord> TryFrom<Vec<T>> for GSet<T> {
    type Error = Error;
    fn try_from(elements: Vec<T>) -> Result<Self, Error> {
        check_strictly_increasing("GSet", &elements)?;
        Ok(Self { elements })
    }
}

/// Serializes as the list of elements in increasing order.
impl<T: Serialize> Serialize for GSet<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.elements.serialize(serializer)
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

        let side = proptest::collection::btree_set(0..40u8, 0..20);
        proptest::test_runner::TestRunner::deterministic()
            .run(&(side.clone(), side), |(x, y)| {
                let mut merged: GSet<u8> = x.iter().copied().collect();
                merged.merge(&y.iter().copied().collect());
                let union: BTreeSet<u8> = x.union(&y).copied().collect();
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
