//! Combinators: CRDTs built from CRDTs. A product of lattices and a map into a lattice are
//! lattices, so a [`Pair`] or a [`Map`] of lawful CRDTs is a lawful CRDT, with no merge to
//! write by hand.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::sorted::check_strictly_increasing;
use crate::{Error, Lattice, LwwElementSet};

/// Two CRDTs side by side (the product lattice): merge merges each part with its counterpart.
///
/// # Conflict rule
/// Each part's own; the parts never interact.
///
/// # Metadata cost
/// The sum of the parts'.
///
/// ```
/// use crdt_impls::{GCounter, GSet, Pair, ReplicaId};
///
/// let a = ReplicaId::new(0);
/// let b = ReplicaId::new(1);
/// // Page views, and the set of visitors.
/// let mut alice: Pair<GCounter, GSet<&str>> = Pair::default();
/// let mut bob = alice.clone();
/// alice.first.increment(a, 1)?;
/// alice.second.insert("carol");
/// bob.first.increment(b, 2)?;
/// bob.second.insert("dave");
/// alice.merge(&bob);
/// assert_eq!(alice.first.value(), 3);
/// assert_eq!(alice.second.len(), 2);
/// # Ok::<(), crdt_impls::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Pair<A, B> {
    /// The first part.
    pub first: A,
    /// The second part.
    pub second: B,
}

impl<A, B> Pair<A, B> {
    /// The pair of `first` and `second`.
    pub const fn new(first: A, second: B) -> Self {
        Self { first, second }
    }
}

impl<A: Lattice, B: Lattice> Pair<A, B> {
    /// Joins `other` into `self`, part by part.
    pub fn merge(&mut self, other: &Self) {
        self.first.merge(&other.first);
        self.second.merge(&other.second);
    }
}

impl<A: Lattice, B: Lattice> Lattice for Pair<A, B> {
    fn merge(&mut self, other: &Self) {
        Pair::merge(self, other);
    }
    fn bottom() -> Self {
        Self::new(A::bottom(), B::bottom())
    }
    fn leq(&self, other: &Self) -> bool {
        self.first.leq(&other.first) && self.second.leq(&other.second)
    }
}

/// The compound CRDT of the "CRDT toolbox" seed: who a user follows (`first`) and who follows
/// them (`second`), two [`LwwElementSet`]s.
///
/// The seed's hand-written merge read `followers = merge(X.following, Y.following)`: a
/// copy-paste slip that silently lost followers. As a [`Pair`], the merge cannot mix up parts.
///
/// ```
/// use crdt_impls::Friendship;
///
/// let mut at_home: Friendship<&str> = Friendship::default();
/// let mut at_work = at_home.clone();
/// at_home.first.insert("glenn"); // eric follows glenn
/// at_work.second.insert("ann"); // ann follows eric
/// at_home.merge(&at_work);
/// assert!(at_home.first.contains(&"glenn") && at_home.second.contains(&"ann"));
/// ```
pub type Friendship<U> = Pair<LwwElementSet<U>, LwwElementSet<U>>;

/// A map from keys to CRDTs (the map lattice): a key's value is updated in place, created at
/// bottom on first use, and merge merges values key by key.
///
/// Keys are never removed: removing a key safely needs its own causal context, and resetting a
/// value to bottom would be undone by the next merge. For a map whose keys can be removed, the
/// map of choice, use [`OrMap`](crate::OrMap). `Map` stays as the textbook *map lattice*: the
/// pointwise join, lawful whenever its values are, with no metadata of its own (the cheapest
/// map when keys are only ever added, and what the law `join_*` checks show on combinators).
///
/// # Conflict rule
/// Each value's own; different keys never interact.
///
/// # Metadata cost
/// Every key ever updated, with its value's metadata.
///
/// # Representation
/// A `BTreeMap`: updates in `O(log n)`; merge looks up each key of the other map
/// (`O(m log n)`).
///
/// ```
/// use crdt_impls::{Map, PnCounter, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut alice: Map<&str, PnCounter> = Map::new();
/// let mut bob = alice.clone();
/// alice.update("apples", |c| c.increment(a, 3))?;
/// bob.update("apples", |c| c.decrement(b, 1))?;
/// bob.update("pears", |c| c.increment(b, 2))?;
/// alice.merge(&bob);
/// assert_eq!(alice.get(&"apples").map(PnCounter::value), Some(2));
/// assert_eq!(alice.get(&"pears").map(PnCounter::value), Some(2));
/// # Ok::<(), crdt_impls::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(
    try_from = "Vec<(K, V)>",
    bound(deserialize = "K: Ord + Deserialize<'de>, V: Deserialize<'de>")
)]
pub struct Map<K, V> {
    entries: BTreeMap<K, V>,
}

impl<K, V> Map<K, V> {
    /// An empty map.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: BTreeMap::new(),
        }
    }

    /// The number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no key was ever updated.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The keys and their values, in key order.
    pub fn iter(&self) -> std::collections::btree_map::Iter<'_, K, V> {
        self.entries.iter()
    }

    /// The keys, in order.
    pub fn keys(&self) -> std::collections::btree_map::Keys<'_, K, V> {
        self.entries.keys()
    }
}

impl<K: Ord, V> Map<K, V> {
    /// The value at `key`, if it was ever updated.
    #[must_use]
    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key)
    }

    /// True when `key` was ever updated.
    #[must_use]
    pub fn contains_key(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }
}

impl<K: Ord, V: Lattice> Map<K, V> {
    /// Updates the value at `key` with `update`, creating it at bottom first if needed, and
    /// returns what `update` returns.
    pub fn update<R>(&mut self, key: K, update: impl FnOnce(&mut V) -> R) -> R {
        update(self.entries.entry(key).or_insert_with(V::bottom))
    }
}

impl<K: Ord + Clone, V: Lattice> Map<K, V> {
    /// Joins `other` into `self`: the union of the keys, values merged key by key.
    pub fn merge(&mut self, other: &Self) {
        for (key, theirs) in &other.entries {
            match self.entries.get_mut(key) {
                Some(mine) => mine.merge(theirs),
                None => {
                    self.entries.insert(key.clone(), theirs.clone());
                }
            }
        }
    }
}

/// A map from `(key, value)` pairs; the values of a key listed twice are merged.
impl<K: Ord + Clone, V: Lattice> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (key, value) in iter {
            map.update(key, |v| v.merge(&value));
        }
        map
    }
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Ord + Clone, V: Lattice> Lattice for Map<K, V> {
    fn merge(&mut self, other: &Self) {
        Map::merge(self, other);
    }
    fn bottom() -> Self {
        Self::new()
    }
    fn leq(&self, other: &Self) -> bool {
        self.entries
            .iter()
            .all(|(k, v)| other.entries.get(k).is_some_and(|w| v.leq(w)))
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(&self.entries).finish()
    }
}

/// Reads the serialized form: `(key, value)` pairs in strictly increasing key order.
impl<K: Ord, V> TryFrom<Vec<(K, V)>> for Map<K, V> {
    type Error = Error;
    fn try_from(entries: Vec<(K, V)>) -> Result<Self, Error> {
        check_strictly_increasing("Map", entries.iter().map(|e| &e.0))?;
        Ok(Self {
            entries: entries.into_iter().collect(),
        })
    }
}

/// Serializes as a list of `(key, value)` pairs in key order, so any key type works in any
/// format (JSON maps only allow string keys).
impl<K: Serialize, V: Serialize> Serialize for Map<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GCounter, GSet, OrSet, ReplicaId};

    #[test]
    fn pair_merges_part_by_part() {
        let a = ReplicaId::new(0);
        let mut x: Pair<GCounter, GSet<u8>> = Lattice::bottom();
        let mut y = x.clone();
        x.first.increment(a, 2).unwrap();
        y.second.insert(4);
        let xy = x.clone().join(&y);
        assert_eq!(xy, y.clone().join(&x));
        assert!(x.leq(&xy) && y.leq(&xy) && !xy.leq(&x));
        assert_eq!((xy.first.value(), xy.second.len()), (2, 1));
    }

    #[test]
    fn map_merges_key_by_key_and_keeps_causal_values_lawful() {
        let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
        let mut x: Map<u8, OrSet<char>> = Map::new();
        x.update(1, |s| s.insert(a, 'p'));
        let mut y = x.clone();
        x.update(1, |s| s.remove(&'p'));
        y.update(1, |s| s.insert(b, 'p'));
        y.update(2, |s| s.insert(b, 'q'));
        let (xy, yx) = (x.clone().join(&y), y.clone().join(&x));
        assert_eq!(xy, yx);
        assert!(xy.get(&1).unwrap().contains(&'p'));
        assert_eq!(xy.keys().copied().collect::<Vec<_>>(), [1, 2]);
        assert!(x.leq(&xy) && !xy.leq(&x));
    }

    #[test]
    fn map_serializes_as_pairs() {
        let mut x: Map<(u8, u8), GSet<u8>> = Map::new();
        x.update((1, 2), |s| s.insert(3));
        let text = serde_json::to_string(&x).unwrap();
        assert_eq!(text, "[[[1,2],[3]]]");
        assert_eq!(
            serde_json::from_str::<Map<(u8, u8), GSet<u8>>>(&text).unwrap(),
            x
        );
        assert!(serde_json::from_str::<Map<u8, GSet<u8>>>("[[2,[]],[1,[]]]").is_err());
        assert_eq!(format!("{x:?}"), "{(1, 2): {3}}");
    }
}
