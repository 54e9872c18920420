//! The observed-remove map of CRDTs: keys that can be removed, values that are any CRDT of
//! this crate (counters, sets, registers, nested maps).
//!
//! [`OrMap`] is the map of choice. The older [`Map`](crate::Map) never removes a key; it stays
//! as the textbook *map lattice* (pointwise join, no metadata of its own), the simplest
//! combinator that is lawful whenever its values are, and the baseline the OR-Map's removals
//! are measured against. [`OrMapModel`] is the model for the law catalogue and the harness,
//! with the specification [`update_wins`](crdt_laws::vocab::map::update_wins).

mod model;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use model::OrMapModel;

use crate::causal::{
    check_dots_seen, diff_dot_stores, dot_store_leq, fmt_dot_store, join_dot_stores,
};
use crate::sorted::check_strictly_increasing;
use crate::{CausalContext, Dot, Error, Lattice, ReplicaId};

/// An observed-remove map from keys to CRDTs (OR-Map), with "update wins" removals.
///
/// Every update of a key tags the key's new value with a fresh [`Dot`], replacing the tagged
/// values it observed there; a removal drops the tagged values it observed, nothing else. The
/// state keeps a [`CausalContext`] of every update it has seen, so a removed entry leaves no
/// tombstone: an entry missing from a state whose context holds its dot was removed (or
/// replaced) there. This is the dot-store construction of the OR-Set (Bieniusa et al.; Almeida
/// et al., "Delta state replicated data types", 2018) with the key's value as the payload.
///
/// # Conflict rule
/// **Update wins.** A removal of a key removes the updates of that key it has seen. An update
/// concurrent with the removal carries a dot the removal never saw, so the key survives, with
/// the value its updater had: what the updater had seen of the key, plus its update. Concurrent
/// updates of one key each leave a tagged value; the key's value is their join. (Dropping the
/// concurrent update instead is the bug of riak_kv issue #761, in the gallery as
/// `map-remove-drops-concurrent-updates`.)
///
/// The surviving value is *not reset*: if the updater had seen updates the remover removed,
/// they come back with it. A nested state-based CRDT cannot forget what it merged, so a reset
/// would need the value itself to be a dot store sharing the map's context (Almeida's
/// "reset-remove" for causal CRDTs); here the value is any [`Lattice`]. The specification is
/// [`update_wins`](crdt_laws::vocab::map::update_wins).
///
/// # Metadata cost
/// Per present key, one dot per concurrent update not yet replaced (usually one), beside its
/// value's own metadata. Removed keys leave nothing; the context is a version vector with one
/// counter per replica that ever updated the map, plus the dots of deltas received out of
/// order until their gap fills. Compare [`Map`](crate::Map), which keeps every key ever
/// updated.
///
/// # Representation
/// A vector of `(key, dot, value)` sorted by key then dot, and the context. Merging walks both
/// vectors once (`O(n + m)` plus a clone of each kept entry, or no allocation at all when the
/// other side brings nothing new); it never merges values: an entry is immutable once tagged,
/// so two states holding the same `(key, dot)` hold the same value. [`get`](Self::get) joins
/// the key's tagged values (a clone when there is one); updates and removals shift the vector
/// (`O(n)`).
///
/// ```
/// use crdt_impls::{OrMap, OrSet, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut alice: OrMap<&str, OrSet<&str>> = OrMap::new();
/// alice.update(a, "cart", |s| s.insert(a, "eggs"));
/// let mut bob = alice.clone();
///
/// alice.remove(&"cart"); // alice empties the cart ...
/// bob.update(b, "cart", |s| s.insert(b, "milk")); // ... while bob adds to it
///
/// alice.merge(&bob);
/// bob.merge(&alice);
/// assert_eq!(alice, bob);
/// // Update wins, with bob's view of the cart: eggs (which bob had seen) and milk.
/// let cart = alice.get(&"cart").unwrap();
/// assert_eq!(cart.iter().collect::<Vec<_>>(), [&"eggs", &"milk"]);
///
/// // A removal that has seen every update removes the key for good.
/// alice.remove(&"cart");
/// bob.merge(&alice);
/// assert!(bob.get(&"cart").is_none() && bob.is_empty());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    try_from = "RawOrMap<K, V>",
    bound(
        serialize = "K: Serialize, V: Serialize",
        deserialize = "K: Ord + Deserialize<'de>, V: Deserialize<'de>"
    )
)]
pub struct OrMap<K, V> {
    entries: Vec<(K, Dot, V)>,
    context: CausalContext,
}

#[derive(Deserialize)]
struct RawOrMap<K, V> {
    entries: Vec<(K, Dot, V)>,
    context: CausalContext,
}

impl<K: Ord, V> TryFrom<RawOrMap<K, V>> for OrMap<K, V> {
    type Error = Error;

    fn try_from(raw: RawOrMap<K, V>) -> Result<Self, Error> {
        check_strictly_increasing("OrMap", raw.entries.iter().map(|(k, d, _)| (k, *d)))?;
        let mut dots: Vec<Dot> = raw.entries.iter().map(|e| e.1).collect();
        dots.sort_unstable();
        check_strictly_increasing("OrMap", &dots)?;
        check_dots_seen("OrMap", &raw.entries, &raw.context, |e| e.1)?;
        Ok(Self {
            entries: raw.entries,
            context: raw.context,
        })
    }
}

/// The order of entries: by key, then dot.
fn by_key_then_dot<K: Ord, V>(a: &(K, Dot, V), b: &(K, Dot, V)) -> std::cmp::Ordering {
    a.0.cmp(&b.0).then(a.1.cmp(&b.1))
}

impl<K, V> OrMap<K, V> {
    /// An empty map.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
            context: CausalContext::new(),
        }
    }

    /// True when no key is present.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The dots of every update this state has seen.
    #[must_use]
    pub fn context(&self) -> &CausalContext {
        &self.context
    }

    /// The tagged values, sorted by key then dot: the live part of the state. A key updated
    /// concurrently at several replicas has one entry per such update.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&K, Dot, &V)> + '_ {
        self.entries.iter().map(|(k, d, v)| (k, *d, v))
    }
}

impl<K: Ord, V> OrMap<K, V> {
    /// The index range of `key`'s tagged values.
    fn range(&self, key: &K) -> std::ops::Range<usize> {
        let start = self.entries.partition_point(|e| e.0 < *key);
        let len = self.entries[start..].partition_point(|e| e.0 == *key);
        start..start + len
    }

    /// True when `key` is present.
    #[must_use]
    pub fn contains_key(&self, key: &K) -> bool {
        !self.range(key).is_empty()
    }

    /// The present keys, in increasing order.
    pub fn keys(&self) -> impl Iterator<Item = &K> + '_ {
        let mut previous: Option<&K> = None;
        self.entries.iter().filter_map(move |(k, _, _)| {
            let new = previous != Some(k);
            previous = Some(k);
            new.then_some(k)
        })
    }

    /// The number of present keys. `O(n)`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys().count()
    }

    /// Removes `key`: drops its tagged values this state has seen. Returns whether it was
    /// present. An update of `key` this state has not seen survives the removal.
    pub fn remove(&mut self, key: &K) -> bool {
        let range = self.range(key);
        let present = !range.is_empty();
        self.entries.drain(range);
        present
    }

    /// The lattice order: `other` has seen every update `self` has seen, and holds no tagged
    /// value `self` has seen but removed or replaced.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        dot_store_leq(
            (&self.entries, &self.context),
            (&other.entries, &other.context),
            by_key_then_dot,
            |e| e.1,
        )
    }
}

impl<K: Ord + Clone, V: Lattice> OrMap<K, V> {
    /// The value at `key`: the join of its tagged values, or `None` when the key is absent.
    #[must_use]
    pub fn get(&self, key: &K) -> Option<V> {
        let mut values = self.entries[self.range(key)].iter().map(|e| &e.2);
        let first = values.next()?.clone();
        Some(values.fold(first, |joined, v| joined.join(v)))
    }

    /// The present keys and their values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, V)> + '_ {
        self.keys()
            .map(|k| (k, self.get(k).unwrap_or_else(V::bottom)))
    }

    /// Updates the value at `key` at `replica`, which must be the replica this state belongs
    /// to: `update` receives the key's current value (bottom if absent) and the result is
    /// tagged with a fresh dot, replacing the tagged values seen so far. Returns what `update`
    /// returns.
    pub fn update<R>(&mut self, replica: ReplicaId, key: K, update: impl FnOnce(&mut V) -> R) -> R {
        let mut value = self.get(&key).unwrap_or_else(V::bottom);
        let result = update(&mut value);
        let dot = self.context.next_dot(replica);
        self.context.insert(dot);
        let range = self.range(&key);
        self.entries.splice(range, [(key, dot, value)]);
        result
    }

    /// The delta of [`update`](Self::update): a map holding just the key's new tagged value,
    /// and, in its context, the new dot and the dots it replaces. Returns it with what
    /// `update` returns; `self` is unchanged.
    ///
    /// ```
    /// use crdt_impls::{GCounter, OrMap, ReplicaId};
    ///
    /// let a = ReplicaId::new(0);
    /// let mut here: OrMap<u8, GCounter> = OrMap::new();
    /// let mut there = here.clone();
    /// for n in [2, 3] {
    ///     let (delta, _) = here.update_delta(a, 7, |c| c.increment(a, n));
    ///     here.merge(&delta);
    ///     there.merge(&delta);
    /// }
    /// let delta = here.remove_delta(&7);
    /// assert!(delta.is_empty()); // a removal ships only the dots it removes
    /// there.merge(&delta);
    /// assert!(there.is_empty());
    /// ```
    #[must_use]
    pub fn update_delta<R>(
        &self,
        replica: ReplicaId,
        key: K,
        update: impl FnOnce(&mut V) -> R,
    ) -> (Self, R) {
        let mut value = self.get(&key).unwrap_or_else(V::bottom);
        let result = update(&mut value);
        let dot = self.context.next_dot(replica);
        let mut delta = self.remove_delta(&key);
        delta.context.insert(dot);
        delta.entries.push((key, dot, value));
        (delta, result)
    }

    /// The delta of [`remove`](Self::remove): no entries, and the removed dots as context.
    #[must_use]
    pub fn remove_delta(&self, key: &K) -> Self {
        let mut delta = Self::new();
        for entry in &self.entries[self.range(key)] {
            delta.context.insert(entry.1);
        }
        delta
    }

    /// Joins `other` into `self`. A tagged value survives if both sides have it, or if one
    /// side has it and the other has not seen its dot; the contexts are united. `O(n + m)`.
    pub fn merge(&mut self, other: &Self) {
        join_dot_stores(
            (&mut self.entries, &self.context),
            (&other.entries, &other.context),
            by_key_then_dot,
            |e| e.1,
        );
        self.context.merge(&other.context);
    }

    /// The diff of `self` against `remote`: the tagged values `remote` has not seen, and the
    /// removals (or replacements) of tagged values `remote` still holds.
    /// `remote ⊔ self.diff(remote) = remote ⊔ self`, and the diff is below `self`.
    ///
    /// ```
    /// use crdt_impls::{GCounter, OrMap, ReplicaId};
    ///
    /// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    /// let mut here: OrMap<char, GCounter> = OrMap::new();
    /// for key in ['x', 'y'] {
    ///     here.update(a, key, |c| c.increment(a, 1))?;
    /// }
    /// let mut there = here.clone();
    /// there.update(b, 'z', |c| c.increment(b, 1))?;
    /// here.remove(&'x');
    /// here.update(a, 'w', |c| c.increment(a, 4))?;
    /// let diff = here.diff(&there);
    /// assert_eq!(diff.keys().collect::<Vec<_>>(), [&'w']); // y is there already
    /// there.merge(&diff);
    /// assert_eq!(there.keys().collect::<Vec<_>>(), [&'w', &'y', &'z']);
    /// # Ok::<(), crdt_impls::Error>(())
    /// ```
    #[must_use]
    pub fn diff(&self, remote: &Self) -> Self {
        let (entries, context) = diff_dot_stores(
            (&self.entries, &self.context),
            (&remote.entries, &remote.context),
            by_key_then_dot,
            |e| e.1,
        );
        Self { entries, context }
    }
}

impl_lattice!(OrMap<K, V> where K: Ord + Clone, V: Lattice);

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for OrMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_dot_store(
            f,
            "OrMap",
            self.entries.iter().map(|(k, d, v)| (Tagged(k, *d), v)),
            &self.context,
        )
    }
}

/// A key with its dot, as the map prints it: `7@A2`.
struct Tagged<'a, K>(&'a K, Dot);

impl<K: fmt::Debug> fmt::Debug for Tagged<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}@{}", self.0, self.1)
    }
}
