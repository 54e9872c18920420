//! The observed-remove set, without tombstones.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::causal::{check_dots_seen, debug_list_len, dot_len, fmt_dot_store};
use crate::sorted::{Tagged, check_strictly_increasing};
use crate::{CausalContext, Dot, Error, ReplicaId};

/// An observed-remove set with add-wins semantics and no tombstones (OR-Set, in the ORSWOT
/// style of `riak_dt`).
///
/// Every insertion tags its element with a fresh [`Dot`]; a removal removes the tags it has
/// *observed*, nothing else. An insertion concurrent with a removal carries a tag the removal
/// never saw, so it survives: add wins.
///
/// # Conflict rule
/// Add wins: `x` is present when some insertion of `x` was not seen by any removal of `x`.
/// Formally, at a replica that has seen a set of updates, `x` is present iff some `add(x)`
/// does not happen-before any `remove(x)`.
///
/// # Metadata cost
/// Each present element carries one dot per replica that inserted it concurrently (usually
/// one: an insertion replaces the tags it observed). Removed elements leave nothing behind:
/// instead of tombstones the state keeps a [`CausalContext`], a version vector with one
/// counter per replica that ever inserted, plus the dots of deltas received out of order until
/// their gap fills. So the state grows with the number of present elements and of replicas,
/// never with the number of removals.
///
/// # Representation
/// The `(element, dot)` pairs sorted by element then dot, in chunks of at most 2 KiB, and the
/// context. While every dot's replica is below 2^16 and its counter below 2^48, a dot is
/// kept in one word, 8 bytes instead of 16: a `u64` element's entry takes 16 bytes, and a
/// merge, which moves every entry, goes about a quarter faster. A set given a dot beyond that
/// keeps 16-byte dots from then on; it is the same set either way. `contains`, `insert` and
/// `remove` are two binary searches (`O(log n)`) and a shift within a chunk; merging walks
/// both sides once (`O(n + m)`, a context lookup per pair only one side has) chunk by chunk,
/// moving this side's chunks that the other side has nothing within and reusing the buffers
/// of those it consumed, so it allocates only for the growth; [`len`](Self::len) counts
/// distinct elements (`O(n)`). Merging a delta of a few entries inserts them one by one: a
/// delta of a new insertion costs what the local insert costs; one that removes tags also
/// scans the entries once for them. The buffers of a dropped large set's full chunks are kept,
/// up to 64 MiB a thread, for the next large sets and merges to reuse
/// ([`release_spare_chunks`](crate::release_spare_chunks) hands them back).
///
/// ```
/// use crdt_impls::{OrSet, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut alice = OrSet::new();
/// alice.insert(a, "milk");
/// let mut bob = alice.clone();
///
/// alice.remove(&"milk"); // removes the tag alice has seen
/// bob.insert(b, "milk"); // a new tag, concurrent with the removal
///
/// alice.merge(&bob);
/// bob.merge(&alice);
/// assert!(alice.contains(&"milk") && bob.contains(&"milk")); // add wins
/// assert_eq!(alice, bob);
/// ```
#[derive(Clone, Deserialize)]
#[serde(
    try_from = "RawOrSet<T>",
    bound(deserialize = "T: Ord + Deserialize<'de>")
)]
pub struct OrSet<T> {
    entries: Tagged<T>,
    context: CausalContext,
}

impl<T: PartialEq> PartialEq for OrSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.context == other.context
            && self.entries.len() == other.entries.len()
            && self.entries.iter().eq(other.entries.iter())
    }
}

impl<T: Eq> Eq for OrSet<T> {}

impl<T: Hash> Hash for OrSet<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.entries.len().hash(state);
        for entry in self.entries.iter() {
            entry.hash(state);
        }
        self.context.hash(state);
    }
}

/// Serializes as `{"entries": [[element, dot], ...], "context": ...}`.
impl<T: Serialize> Serialize for OrSet<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Entries<'a, T>(&'a Tagged<T>);
        impl<T: Serialize> Serialize for Entries<'_, T> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter())
            }
        }
        let mut state = serializer.serialize_struct("OrSet", 2)?;
        state.serialize_field("entries", &Entries(&self.entries))?;
        state.serialize_field("context", &self.context)?;
        state.end()
    }
}

#[derive(Deserialize)]
struct RawOrSet<T> {
    entries: Vec<(T, Dot)>,
    context: CausalContext,
}

impl<T: Ord> TryFrom<RawOrSet<T>> for OrSet<T> {
    type Error = Error;

    fn try_from(raw: RawOrSet<T>) -> Result<Self, Error> {
        check_strictly_increasing("OrSet", raw.entries.iter().map(|(x, d)| (x, *d)))?;
        let mut dots: Vec<Dot> = raw.entries.iter().map(|e| e.1).collect();
        dots.sort_unstable();
        check_strictly_increasing("OrSet", &dots)?;
        check_dots_seen("OrSet", &raw.entries, &raw.context, |e| e.1)?;
        Ok(Self {
            entries: Tagged::from_sorted(raw.entries),
            context: raw.context,
        })
    }
}

impl<T> OrSet<T> {
    /// A set of these entries and this context, unchecked: for the gallery's broken diffs.
    pub(crate) fn from_parts(entries: Vec<(T, Dot)>, context: CausalContext) -> Self {
        Self {
            entries: Tagged::from_sorted(entries),
            context,
        }
    }

    /// An empty set.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: Tagged::new(),
            context: CausalContext::new(),
        }
    }

    /// True when no element is present.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The dots of every update this state has seen.
    #[must_use]
    pub fn context(&self) -> &CausalContext {
        &self.context
    }

    /// The present elements with their tags, sorted by element then dot: the live part of the
    /// state.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&T, Dot)> + '_ {
        self.entries.iter()
    }
}

impl<T: Ord> OrSet<T> {
    /// True when `x` is present.
    #[must_use]
    pub fn contains(&self, x: &T) -> bool {
        self.entries.contains(x)
    }

    /// The tags of `x`: the dots of the insertions of `x` that no removal has seen.
    pub fn dots<'a>(&'a self, x: &'a T) -> impl Iterator<Item = Dot> + 'a {
        self.entries.dots(x)
    }

    /// The present elements, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        let mut previous: Option<&T> = None;
        self.entries.iter().filter_map(move |(x, _)| {
            let new = previous != Some(x);
            previous = Some(x);
            new.then_some(x)
        })
    }

    /// The number of present elements. `O(n)`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Inserts `x` at `replica`, which must be the replica this state belongs to, and returns
    /// the new tag. The tags of `x` seen so far are replaced by the new one.
    pub fn insert(&mut self, replica: ReplicaId, x: T) -> Dot {
        let dot = self.context.next_dot(replica);
        self.context.insert(dot);
        self.remove(&x);
        // The new dot is above every dot of `x` seen: `x`'s only tag.
        self.entries.insert_new(x, dot);
        dot
    }

    /// Removes `x`: drops the tags this state has seen. Returns whether `x` was present.
    /// `O(log n)`.
    pub fn remove(&mut self, x: &T) -> bool {
        self.entries.remove(x)
    }

    /// The lattice order: `other` has seen every update `self` has seen, and holds no tag
    /// `self` has seen but removed.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.entries
            .leq(&self.context, &other.entries, &other.context)
    }
}

impl<T: Ord + Clone> OrSet<T> {
    /// The delta of [`insert`](Self::insert): a state holding just the new tag, and, in its
    /// context, the tags it replaces.
    ///
    /// ```
    /// use crdt_impls::{OrSet, ReplicaId};
    ///
    /// let a = ReplicaId::new(0);
    /// let mut here = OrSet::new();
    /// let mut there = OrSet::new();
    /// for x in ["x", "y"] {
    ///     let delta = here.insert_delta(a, x);
    ///     here.merge(&delta);
    ///     there.merge(&delta);
    /// }
    /// let delta = here.remove_delta(&"x");
    /// assert!(delta.is_empty()); // a removal ships only the tags it removes
    /// here.merge(&delta);
    /// there.merge(&delta);
    /// assert_eq!(here, there);
    /// assert_eq!(there.iter().collect::<Vec<_>>(), [&"y"]);
    /// ```
    #[must_use]
    pub fn insert_delta(&self, replica: ReplicaId, x: T) -> Self {
        let dot = self.context.next_dot(replica);
        let mut delta = self.remove_delta(&x);
        delta.context.insert(dot);
        delta.entries = Tagged::from_sorted(vec![(x, dot)]);
        delta
    }

    /// The delta of [`remove`](Self::remove): no entries, and the removed tags as context.
    #[must_use]
    pub fn remove_delta(&self, x: &T) -> Self {
        let mut delta = Self::new();
        for dot in self.dots(x) {
            delta.context.insert(dot);
        }
        delta
    }

    /// Joins `other` into `self`. A tag survives if both sides have it, or if one side has it
    /// and the other has not seen it; the contexts are united. `O(n + m)`; for a delta of a
    /// few entries, `O(m log n)` searches and a shift per new entry (plus one scan when it
    /// removes tags).
    pub fn merge(&mut self, other: &Self) {
        self.entries
            .join(&self.context, &other.entries, &other.context);
        self.context.merge(&other.context);
    }

    /// The diff of `self` against `remote`: the tags `remote` has not seen, and the removals
    /// of tags `remote` still holds. `remote ⊔ self.diff(remote) = remote ⊔ self`, and the diff
    /// is below `self`; ship it instead of `self` to a replica whose state is `remote`.
    ///
    /// ```
    /// use crdt_impls::{OrSet, ReplicaId};
    ///
    /// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    /// let mut here = OrSet::new();
    /// here.insert(a, "x");
    /// here.insert(a, "y");
    /// let mut there = here.clone();
    /// there.insert(b, "z"); // concurrent with what follows
    /// here.remove(&"x");
    /// here.insert(a, "w");
    /// let diff = here.diff(&there);
    /// assert_eq!(diff.iter().collect::<Vec<_>>(), [&"w"]); // not y: there has it
    /// there.merge(&diff);
    /// assert_eq!(there.iter().collect::<Vec<_>>(), [&"w", &"y", &"z"]);
    /// ```
    #[must_use]
    pub fn diff(&self, remote: &Self) -> Self {
        let (entries, context) = self
            .entries
            .diff(&self.context, &remote.entries, &remote.context);
        Self { entries, context }
    }

    /// The present elements, as a `BTreeSet`.
    #[must_use]
    pub fn value(&self) -> std::collections::BTreeSet<T> {
        // Inserted one by one rather than collected: `collect` buffers, sorts and dedups into
        // a `Vec` first, an allocation and a sort more than a small set needs (the harness
        // reads every replica's value after every change).
        let mut value = std::collections::BTreeSet::new();
        for x in self.iter() {
            value.insert(x.clone());
        }
        value
    }
}

impl_lattice!(OrSet<T> where T: Ord + Clone);

impl<T: fmt::Debug> OrSet<T> {
    /// The length of this set's `Debug` text, counted without formatting the set (each
    /// element is formatted alone): what the harness's state-explosion oracle measures after
    /// every step, several times faster.
    ///
    /// ```
    /// use crdt_impls::OrSet;
    /// use crdt_laws::ReplicaId;
    /// let mut set = OrSet::new();
    /// set.insert(ReplicaId::new(0), "x");
    /// set.insert(ReplicaId::new(30), "yz");
    /// assert_eq!(set.debug_len(), format!("{set:?}").len());
    /// ```
    #[must_use]
    pub fn debug_len(&self) -> usize {
        self.debug_len_with(crdt_laws::sync::debug_len)
    }

    /// [`debug_len`](Self::debug_len), with the length of each element's `Debug` text
    /// given by `element`.
    pub(crate) fn debug_len_with(&self, element: impl Fn(&T) -> usize) -> usize {
        "OrSet".len()
            + debug_list_len(
                self.entries
                    .iter()
                    .map(|(x, d)| element(x) + ": ".len() + dot_len(d)),
            )
            + " seen ".len()
            + self.context.debug_len()
    }
}

impl<T: fmt::Debug> fmt::Debug for OrSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_dot_store(f, "OrSet", self.entries.iter(), &self.context)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> (ReplicaId, ReplicaId) {
        (ReplicaId::new(0), ReplicaId::new(1))
    }

    #[test]
    fn concurrent_add_and_remove_keep_the_add() {
        let (a, b) = ids();
        let mut x = OrSet::new();
        x.insert(a, 7);
        let mut y = x.clone();
        assert!(x.remove(&7));
        y.insert(b, 7);
        let (mut xy, mut yx) = (x.clone(), y.clone());
        xy.merge(&y);
        yx.merge(&x);
        assert_eq!(xy, yx);
        assert!(xy.contains(&7));
        assert_eq!(xy.dots(&7).collect::<Vec<_>>(), [Dot::new(b, 1)]);
    }

    #[test]
    fn a_remove_removes_only_what_it_has_seen() {
        let (a, b) = ids();
        let mut x = OrSet::new();
        let mut y = OrSet::new();
        x.insert(a, 1);
        y.insert(b, 1);
        x.merge(&y);
        assert_eq!(x.dots(&1).count(), 2);
        assert!(x.remove(&1));
        y.merge(&x);
        assert!(!y.contains(&1));
        assert!(!y.remove(&1));
    }

    /// riak_dt pull request #78: an "optimised" merge returned the state whose clock dominated
    /// the other's. But a removal does not advance the clock, so `C` below dominates `A3`
    /// although `A3` removed `bar`: the shortcut resurrected `bar`. Merging entry by entry
    /// against the other side's context keeps the removal.
    #[test]
    fn riak_dt_pr_78() {
        let (a, b) = ids();
        let mut a2 = OrSet::new();
        a2.insert(a, "foo");
        a2.insert(a, "bar");
        let mut b1 = OrSet::new();
        b1.insert(b, "baz");
        let mut c = a2.clone();
        c.merge(&b1);
        let mut a3 = a2.clone();
        a3.remove(&"bar");
        assert!(
            a3.context()
                .version_vector()
                .leq(c.context().version_vector())
        );
        let mut d = a3.clone();
        d.merge(&c);
        assert_eq!(d.iter().copied().collect::<Vec<_>>(), ["baz", "foo"]);
        let mut d2 = c;
        d2.merge(&a3);
        assert_eq!(d, d2);
    }

    #[test]
    fn insert_replaces_observed_tags() {
        let (a, b) = ids();
        let mut x = OrSet::new();
        let mut y = OrSet::new();
        x.insert(a, 'k');
        y.insert(b, 'k');
        x.merge(&y);
        x.insert(a, 'k');
        assert_eq!(x.dots(&'k').collect::<Vec<_>>(), [Dot::new(a, 2)]);
        // B's old tag is gone at B too once it merges: the newer insert saw it.
        y.merge(&x);
        assert_eq!(y, x);
        assert_eq!(x.len(), 1);
        assert!(y.leq(&x) && x.leq(&y));
    }

    #[test]
    fn the_order_follows_merge() {
        let (a, b) = ids();
        let mut x = OrSet::new();
        x.insert(a, 1);
        let mut y = x.clone();
        y.remove(&1);
        y.insert(b, 2);
        assert!(x.leq(&y) && !y.leq(&x));
        let mut z = x.clone();
        z.insert(a, 3);
        assert!(!z.leq(&y) && !y.leq(&z));
    }

    /// The merge of states of many chunks against its definition over `BTreeSet`s: an entry
    /// survives when both sides hold it, or when one does and the other has not seen its dot.
    /// The two sides grow from a common ancestor (none, for disjoint sides) by insertions and
    /// removals at their own replicas, in interleaved or separate ranges of elements, so the
    /// join takes each of its paths: chunks moved or copied whole, the plain union of chunks
    /// the other side has seen nothing of, and the filtered merge (removals, shared entries).
    #[test]
    fn merge_of_large_states_matches_its_definition() {
        use proptest::prelude::*;
        use std::collections::BTreeSet;

        /// Inserts (`true`) or removes `x` at `replica`.
        fn apply(set: &mut OrSet<u64>, replica: ReplicaId, ops: &[(bool, u64)]) {
            for &(insert, x) in ops {
                if insert {
                    set.insert(replica, x);
                } else {
                    set.remove(&x);
                }
            }
        }
        let ops = |n| proptest::collection::vec((prop::bool::weighted(0.8), 0..3000u64), 0..n);
        // Each replica's dots are packed or, from a replica beyond 2^16, wide: merges of packed
        // with packed, wide with wide, and each with the other.
        let wide = prop::bool::weighted(0.3);
        let case = (
            (ops(400), ops(700), ops(700), 0..3u64, 0..3u64),
            (wide, wide, wide),
        );
        proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64))
            .run(
                &case,
                |((common, left_ops, right_ops, lshift, rshift), wide)| {
                    let id = |i: u32, wide: bool| ReplicaId::new(if wide { 70_000 + i } else { i });
                    let mut base = OrSet::new();
                    apply(&mut base, id(2, wide.0), &common);
                    let (mut left, mut right) = (base.clone(), base);
                    // Shifted sides lie partly or wholly apart: whole chunks on one side only.
                    let shift = |ops: &[(bool, u64)], by: u64| -> Vec<(bool, u64)> {
                        ops.iter().map(|&(i, x)| (i, x + by * 2000)).collect()
                    };
                    apply(&mut left, id(0, wide.1), &shift(&left_ops, lshift));
                    apply(&mut right, id(1, wide.2), &shift(&right_ops, rshift));
                    let entries = |s: &OrSet<u64>| -> BTreeSet<(u64, Dot)> {
                        s.entries().map(|(x, d)| (*x, d)).collect()
                    };
                    let (l, r) = (entries(&left), entries(&right));
                    // Each entry's dot is one its side made or received (a tag unpacked wrongly
                    // would name another replica or counter).
                    for (side, entries) in [(&left, &l), (&right, &r)] {
                        prop_assert!(entries.iter().all(|e| side.context().contains(e.1)));
                    }
                    let expected: Vec<(u64, Dot)> = l
                        .union(&r)
                        .copied()
                        .filter(|e| {
                            (l.contains(e) && r.contains(e))
                                || (l.contains(e) && !right.context().contains(e.1))
                                || (r.contains(e) && !left.context().contains(e.1))
                        })
                        .collect();
                    let mut context = left.context().clone();
                    context.merge(right.context());
                    for (into, from) in [(&left, &right), (&right, &left)] {
                        let mut merged = into.clone();
                        merged.merge(from);
                        prop_assert_eq!(
                            merged.entries().map(|(x, d)| (*x, d)).collect::<Vec<_>>(),
                            expected.clone()
                        );
                        prop_assert_eq!(merged.context(), &context);
                        prop_assert!(into.leq(&merged) && from.leq(&merged));
                        prop_assert_eq!(merged.leq(into), merged == *into);
                        // The diff brings `into` to the merge.
                        let mut caught_up = into.clone();
                        caught_up.merge(&from.diff(into));
                        prop_assert_eq!(&caught_up, &merged);
                    }
                    Ok(())
                },
            )
            .unwrap();
    }

    #[test]
    fn serde_round_trips_and_checks_invariants() {
        let (a, _) = ids();
        let mut x = OrSet::new();
        x.insert(a, 5u8);
        x.insert(a, 6);
        x.remove(&5);
        let text = serde_json::to_string(&x).unwrap();
        assert_eq!(
            text,
            r#"{"entries":[[6,{"replica":0,"seq":2}]],"context":{"vv":[[0,2]]}}"#
        );
        assert_eq!(serde_json::from_str::<OrSet<u8>>(&text).unwrap(), x);
        let unseen = text.replace(r#""vv":[[0,2]]"#, r#""vv":[[0,1]]"#);
        assert!(serde_json::from_str::<OrSet<u8>>(&unseen).is_err());
        let shared_dot = r#"{"entries":[[1,{"replica":0,"seq":1}],[2,{"replica":0,"seq":1}]],"context":{"vv":[[0,1]]}}"#;
        assert!(serde_json::from_str::<OrSet<u8>>(shared_dot).is_err());
        assert_eq!(format!("{x:?}"), "OrSet{6: A2} seen {A: 2}");
    }

    /// The counted `Debug` length is the formatted text's, for states with clouds, replicas
    /// past `Z`, long sequence numbers and several digits per element.
    #[test]
    fn debug_len_counts_the_debug_text() {
        use proptest::prelude::*;
        use proptest::strategy::ValueTree;
        let step = (0..3u8, prop_oneof![0..3u32, 24..40u32], 0..300u16);
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        for _ in 0..300 {
            let steps = proptest::collection::vec(step.clone(), 0..40)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let mut replicas: Vec<OrSet<u16>> = vec![OrSet::new(); 3];
            let mut deltas = Vec::new();
            for (kind, r, x) in steps {
                let at = (r % 3) as usize;
                match kind {
                    0 => {
                        let delta = replicas[at].insert_delta(ReplicaId::new(r), x * 37);
                        replicas[at].merge(&delta);
                        deltas.push(delta);
                    }
                    1 => {
                        let delta = replicas[at].remove_delta(&(x * 37));
                        replicas[at].merge(&delta);
                        deltas.push(delta);
                    }
                    // Deltas out of order leave gaps: contexts with clouds.
                    _ => {
                        if let Some(delta) = deltas.get(usize::from(x) % deltas.len().max(1)) {
                            let delta = delta.clone();
                            replicas[(at + 1) % 3].merge(&delta);
                        }
                    }
                }
            }
            for state in replicas.iter().chain(&deltas) {
                assert_eq!(state.debug_len(), format!("{state:?}").len(), "{state:?}");
                // The model's count, for elements of one to three digits.
                let small = OrSet::from_parts(
                    state
                        .entries
                        .iter()
                        .map(|(x, d)| ((*x % 256) as u8, d))
                        .collect(),
                    state.context.clone(),
                );
                use crdt_laws::Model;
                let model = crate::models::OrSetModel::default();
                assert_eq!(model.debug_len(&small), format!("{small:?}").len());
            }
        }
        let mut big = OrSet::new();
        big.insert(ReplicaId::new(123_456), u64::MAX);
        assert_eq!(big.debug_len(), format!("{big:?}").len());
    }
}
