//! Causal contexts and dot stores: the machinery shared by [`OrSet`](crate::OrSet) and
//! [`MvRegister`](crate::MvRegister).
//!
//! Each update gets a unique [`Dot`] (its replica and sequence number there). A state keeps
//! its *live* entries, each tagged with the dot of the update that wrote it, and a *causal
//! context*: the dots of every update it has seen. An entry missing from a state whose context
//! contains its dot was removed (or overwritten) there, so the state needs no tombstone:
//! the context, a version vector, remembers the removal.

use std::cmp::Ordering;
use std::fmt;
use std::hint::select_unpredictable;

use serde::{Deserialize, Serialize};

use crate::sorted::{
    Chunks, ENTRYWISE_MERGE_MAX, Side, check_strictly_increasing, merge_join, merge_join_by,
};
use crate::{Dot, Error, ReplicaId, VersionVector};

/// The set of dots a state has seen: a version vector plus the dots seen out of order.
///
/// Full-state merges only ever produce contexts without gaps (every replica's updates are seen
/// as a prefix `1..=n`), which the version vector holds exactly. A delta carries only the dots of
/// one update, so merging a delta ahead of its predecessors leaves a gap; those dots wait in the
/// *cloud* until the gap fills, when they are folded into the vector. The representation is
/// canonical: a cloud dot is never covered by the vector nor next in line after it.
///
/// ```
/// use crdt_impls::{CausalContext, Dot, ReplicaId};
///
/// let a = ReplicaId::new(0);
/// let mut ctx = CausalContext::new();
/// ctx.insert(Dot::new(a, 1));
/// ctx.insert(Dot::new(a, 3)); // a gap: A2 not seen yet
/// assert!(ctx.contains(Dot::new(a, 3)) && !ctx.contains(Dot::new(a, 2)));
/// ctx.insert(Dot::new(a, 2)); // the gap fills
/// assert_eq!(ctx.version_vector().get(a), 3);
/// assert_eq!(ctx.next_dot(a), Dot::new(a, 4));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawContext")]
pub struct CausalContext {
    vv: VersionVector,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cloud: Vec<Dot>,
}

#[derive(Deserialize)]
struct RawContext {
    vv: VersionVector,
    #[serde(default)]
    cloud: Vec<Dot>,
}

impl TryFrom<RawContext> for CausalContext {
    type Error = Error;

    fn try_from(raw: RawContext) -> Result<Self, Error> {
        check_strictly_increasing("CausalContext", raw.cloud.iter())?;
        if let Some(dot) = raw
            .cloud
            .iter()
            .find(|d| d.seq <= raw.vv.get(d.replica).saturating_add(1))
        {
            return Err(Error::invalid(
                "CausalContext",
                "cloud dots beyond the version vector's next dot",
                format!("{dot} next to {}", raw.vv.get(dot.replica)),
            ));
        }
        Ok(Self {
            vv: raw.vv,
            cloud: raw.cloud,
        })
    }
}

impl CausalContext {
    /// The empty context.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            vv: VersionVector::new(),
            cloud: Vec::new(),
        }
    }

    /// True when `dot` has been seen.
    #[must_use]
    #[inline]
    pub fn contains(&self, dot: Dot) -> bool {
        self.vv.contains(dot) || (!self.cloud.is_empty() && self.cloud.binary_search(&dot).is_ok())
    }

    /// The dot of the next update of `replica`: one past every dot of `replica` seen so far.
    #[must_use]
    pub fn next_dot(&self, replica: ReplicaId) -> Dot {
        let beyond = self
            .cloud
            .iter()
            .filter(|d| d.replica == replica)
            .map(|d| d.seq)
            .max();
        let last = beyond.unwrap_or(0).max(self.vv.get(replica));
        Dot::new(replica, last.saturating_add(1))
    }

    /// Records `dot` as seen.
    pub fn insert(&mut self, dot: Dot) {
        let next = self.vv.get(dot.replica).saturating_add(1);
        if dot.seq < next {
            return;
        }
        if dot.seq == next {
            self.vv.raise(dot.replica, dot.seq);
            self.compact();
        } else if let Err(i) = self.cloud.binary_search(&dot) {
            self.cloud.insert(i, dot);
        }
    }

    /// Joins `other` into `self`: the union of the seen dots.
    pub fn merge(&mut self, other: &Self) {
        self.vv.merge(&other.vv);
        if !other.cloud.is_empty() {
            self.cloud = merge_join(&self.cloud, &other.cloud, |d| *d)
                .map(|side| match side {
                    Side::Left(&d) | Side::Right(&d) | Side::Both(&d, _) => d,
                })
                .collect();
        }
        self.compact();
    }

    /// Folds into the vector the cloud dots that extend it, and drops those it covers.
    fn compact(&mut self) {
        if self.cloud.is_empty() {
            return;
        }
        let vv = &mut self.vv;
        // The cloud is sorted by replica, then sequence number: each replica's run of dots is
        // folded in order, so a chain A3, A4, A5 after A2 is absorbed in one pass.
        self.cloud.retain(|d| {
            let next = vv.get(d.replica).saturating_add(1);
            if d.seq == next {
                vv.raise(d.replica, d.seq);
            }
            d.seq > next
        });
    }

    /// True when `self` has seen no dot of any replica that `other` has seen a dot of: then
    /// `self` has seen no entry of a dot store whose context is `other`. `O((r + c) log (r' +
    /// c'))` for `r` replicas and `c` cloud dots in `other`, `r'` and `c'` in `self`, without
    /// allocating (it runs before every merge of chunked dot stores, small ones included).
    pub(crate) fn sees_no_replica_of(&self, other: &Self) -> bool {
        let sees = |replica: ReplicaId| {
            // The cloud is sorted by dot, so by replica first.
            let at = self.cloud.partition_point(|d| d.replica < replica);
            self.vv.get(replica) > 0 || self.cloud.get(at).is_some_and(|d| d.replica == replica)
        };
        !other.vv.iter().any(|(r, _)| sees(r)) && !other.cloud.iter().any(|d| sees(d.replica))
    }

    /// The dots that both `self` and `other` have seen, in no particular order, or `None`
    /// when there are more than `max` of them. `O(r + c log c')` for `r` replicas in `self`'s
    /// vector and clouds of `c` and `c'` dots: it never enumerates more than `max` dots.
    pub(crate) fn seen_by_both(&self, other: &Self, max: usize) -> Option<Vec<Dot>> {
        let mut both = Vec::new();
        for (replica, counter) in self.vv.iter() {
            // `1..=below` is in both vectors; beyond it, `other` has seen only its cloud dots.
            let below = counter.min(other.vv.get(replica));
            if below > (max - both.len()) as u64 {
                return None;
            }
            both.extend((1..=below).map(|seq| Dot::new(replica, seq)));
            let from = other
                .cloud
                .partition_point(|d| *d <= Dot::new(replica, below));
            let to = other
                .cloud
                .partition_point(|d| *d <= Dot::new(replica, counter));
            both.extend_from_slice(&other.cloud[from..to]);
            if both.len() > max {
                return None;
            }
        }
        for &d in &self.cloud {
            if other.contains(d) {
                both.push(d);
                if both.len() > max {
                    return None;
                }
            }
        }
        Some(both)
    }

    /// The dots `self` has seen and `other` has not, as a context (gaps and all). `O(d)` for
    /// `d` such dots, plus the replicas and clouds of both.
    ///
    /// ```
    /// use crdt_impls::{CausalContext, Dot, ReplicaId};
    ///
    /// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    /// let mut mine = CausalContext::new();
    /// let mut theirs = CausalContext::new();
    /// for seq in 1..=3 {
    ///     mine.insert(Dot::new(a, seq));
    /// }
    /// mine.insert(Dot::new(b, 1));
    /// theirs.insert(Dot::new(a, 1));
    /// let missing = mine.difference(&theirs);
    /// assert!(!missing.contains(Dot::new(a, 1)));
    /// assert!(missing.contains(Dot::new(a, 2)) && missing.contains(Dot::new(b, 1)));
    /// ```
    #[must_use]
    pub fn difference(&self, other: &Self) -> Self {
        let mut missing = Self::new();
        for (replica, counter) in self.vv.iter() {
            let from = other.vv.get(replica).saturating_add(1);
            for seq in from..=counter {
                let dot = Dot::new(replica, seq);
                if !other.contains(dot) {
                    missing.insert(dot);
                }
            }
        }
        for &dot in &self.cloud {
            if !other.contains(dot) {
                missing.insert(dot);
            }
        }
        missing
    }

    /// True when every dot of `self` is in `other`.
    #[must_use]
    pub fn is_subset(&self, other: &Self) -> bool {
        // A dot `n + 1` past `other`'s vector is never in its cloud (the cloud is canonical), so
        // the vectors must compare pointwise.
        self.vv.leq(&other.vv) && self.cloud.iter().all(|&d| other.contains(d))
    }

    /// The contiguous part of the context: for each replica, the prefix of its updates seen.
    #[must_use]
    pub fn version_vector(&self) -> &VersionVector {
        &self.vv
    }

    /// The dots seen out of order, beyond the [version vector](Self::version_vector).
    #[must_use]
    pub fn cloud(&self) -> &[Dot] {
        &self.cloud
    }
}

impl CausalContext {
    /// The length of this context's `Debug` text, counted without formatting it.
    pub(crate) fn debug_len(&self) -> usize {
        let vv = self.vv.debug_len();
        if self.cloud.is_empty() {
            vv
        } else {
            vv + " + ".len() + debug_list_len(self.cloud.iter().map(|&d| dot_len(d)))
        }
    }
}

impl fmt::Debug for CausalContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.cloud.is_empty() {
            write!(f, "{:?}", self.vv)
        } else {
            write!(f, "{:?} + {:?}", self.vv, self.cloud)
        }
    }
}

/// A context's membership test, as a merge's inner loop sees it.
trait Seen {
    /// Same as [`CausalContext::contains`].
    fn seen(&self, dot: Dot) -> bool;
}

impl Seen for CausalContext {
    #[inline]
    fn seen(&self, dot: Dot) -> bool {
        self.contains(dot)
    }
}

/// A context without cloud whose replicas all have small indices, spread into a table indexed
/// by replica: a lookup is one load and one comparison instead of a binary search. Full-state
/// merges mostly see such contexts.
struct SeenTable([u64; SeenTable::LEN]);

impl SeenTable {
    /// Replica indices below this fit in the table.
    const LEN: usize = 32;

    fn new(ctx: &CausalContext) -> Option<Self> {
        if !ctx.cloud.is_empty() || ctx.vv.iter().any(|(r, _)| r.index() >= Self::LEN) {
            return None;
        }
        let mut table = [0; Self::LEN];
        for (replica, counter) in ctx.vv.iter() {
            table[replica.index()] = counter;
        }
        Some(Self(table))
    }
}

impl Seen for SeenTable {
    #[inline]
    fn seen(&self, dot: Dot) -> bool {
        dot.seq <= self.0.get(dot.replica.index()).copied().unwrap_or(0)
    }
}

/// Joins the dot store `right` into `left`: sequences of entries sorted strictly by `cmp`,
/// each tagged by `dot`, with the contexts of their states.
///
/// An entry survives if both sides have it, or if one side has it and the other side has not
/// seen its dot (so has not removed it). An entry one side lacks although it has seen its dot
/// was removed there, and the removal wins. This is the whole conflict rule of the OR-Set and
/// the MV-register; it must be applied entry by entry even when one context covers the other
/// (see `riak_dt_pr_78` in the OR-Set tests).
///
/// `O(n + m)`. A small `right` whose context shares few dots with `left`'s (a delta) is
/// joined entry by entry (see [`join_entrywise`]). When `right` brings no new entry (it is
/// older, or equal), `left` is filtered in place without allocating; otherwise the join is
/// built in a new vector (see [`join_into`]).
pub(crate) fn join_dot_stores<E: Clone>(
    (left, left_ctx): (&mut Vec<E>, &CausalContext),
    (right, right_ctx): (&[E], &CausalContext),
    cmp: impl Fn(&E, &E) -> Ordering,
    dot: impl Fn(&E) -> Dot,
) {
    if right.len() <= ENTRYWISE_MERGE_MAX
        && join_entrywise((left, left_ctx), (right, right_ctx), &cmp, &dot)
    {
        return;
    }
    join_whole((left, left_ctx), (right, right_ctx), cmp, dot);
}

/// The join of [`join_dot_stores`] for a `right` of a few entries, such as a delta: returns
/// false, doing nothing, when the contexts share more than [`ENTRYWISE_MERGE_MAX`] dots.
///
/// The entries `right` removed are those of `left` whose dot `right` has seen but which
/// `right` lacks. An entry's dot is always in its own state's context, so their dots are among
/// the dots both contexts have seen: when there are none (a delta of a new insertion), `left`
/// is not even scanned. Then each entry of `right` that `left` lacks and has not seen is
/// inserted in place: `O(m log n)` searches and a shift per insertion, no allocation.
fn join_entrywise<E: Clone>(
    (left, left_ctx): (&mut Vec<E>, &CausalContext),
    (right, right_ctx): (&[E], &CausalContext),
    cmp: &impl Fn(&E, &E) -> Ordering,
    dot: &impl Fn(&E) -> Dot,
) -> bool {
    let Some(mut removable) = right_ctx.seen_by_both(left_ctx, ENTRYWISE_MERGE_MAX) else {
        return false;
    };
    if !removable.is_empty() {
        removable.sort_unstable();
        left.retain(|e| {
            removable.binary_search(&dot(e)).is_err()
                || right.binary_search_by(|r| cmp(r, e)).is_ok()
        });
    }
    for r in right {
        if let Err(at) = left.binary_search_by(|e| cmp(e, r))
            && !left_ctx.contains(dot(r))
        {
            left.insert(at, r.clone());
        }
    }
    true
}

/// [`join_dot_stores`] on chunked dot stores (the OR-Set's): the same rule, with
/// [`Chunks::join`] for the one-pass join, which moves whole chunks and reuses the buffers it
/// consumes instead of building a new vector.
pub(crate) fn join_chunked_dot_stores<E: Clone>(
    (left, left_ctx): (&mut Chunks<E>, &CausalContext),
    (right, right_ctx): (&Chunks<E>, &CausalContext),
    cmp: impl Fn(&E, &E) -> Ordering,
    dot: impl Fn(&E) -> Dot,
) {
    if right.len() <= ENTRYWISE_MERGE_MAX
        && let Some(mut removable) = right_ctx.seen_by_both(left_ctx, ENTRYWISE_MERGE_MAX)
    {
        // As `join_entrywise`: drop what `right` removed, then insert what it brings.
        if !removable.is_empty() {
            removable.sort_unstable();
            left.retain(|e| {
                removable.binary_search(&dot(e)).is_err() || right.search(|r| cmp(r, e)).is_ok()
            });
        }
        for r in right.iter() {
            if let Err(at) = left.search(|e| cmp(e, r))
                && !left_ctx.contains(dot(r))
            {
                left.insert(at, r.clone());
            }
        }
        return;
    }
    // Whether each side is kept whole altogether: the other has seen none of its replicas.
    let whole = (
        right_ctx.sees_no_replica_of(left_ctx),
        left_ctx.sees_no_replica_of(right_ctx),
    );
    match (SeenTable::new(left_ctx), SeenTable::new(right_ctx)) {
        (Some(l), Some(r)) => join_chunks_with(left, right, cmp, &dot, (&l, &r), whole),
        _ => join_chunks_with(left, right, cmp, &dot, (left_ctx, right_ctx), whole),
    }
}

/// [`Chunks::join`] with the dot-store rule, the contexts seen through `S`. A chunk is kept
/// whole when the other side has seen none of its dots: then no entry of it is on the other
/// side either (an entry's dot is in its own side's context), and each survives. `whole`
/// says, for the left and the right side, that every chunk of it is (the other side has seen
/// none of its replicas), which spares a lookup per entry. Disjoint states, such as two
/// replicas' own insertions, merge as a plain union.
fn join_chunks_with<E: Clone, S: Seen>(
    left: &mut Chunks<E>,
    right: &Chunks<E>,
    cmp: impl Fn(&E, &E) -> Ordering,
    dot: &impl Fn(&E) -> Dot,
    (left_seen, right_seen): (&S, &S),
    (left_whole, right_whole): (bool, bool),
) {
    left.join(
        right,
        cmp,
        |e, from_left| !select_unpredictable(from_left, right_seen, left_seen).seen(dot(e)),
        |chunk, from_left| {
            let (whole, other) = if from_left {
                (left_whole, right_seen)
            } else {
                (right_whole, left_seen)
            };
            whole || chunk.iter().all(|e| !other.seen(dot(e)))
        },
    );
}

/// The join of [`join_dot_stores`] in one pass over both sides, `O(n + m)`.
fn join_whole<E: Clone>(
    (left, left_ctx): (&mut Vec<E>, &CausalContext),
    (right, right_ctx): (&[E], &CausalContext),
    cmp: impl Fn(&E, &E) -> Ordering,
    dot: impl Fn(&E) -> Dot,
) {
    let brings_news = merge_join_by(left.iter(), right, &cmp)
        .any(|side| matches!(side, Side::Right(e) if !left_ctx.contains(dot(e))));
    if !brings_news {
        let mut theirs = right.iter().peekable();
        left.retain(|e| {
            while theirs.next_if(|r| cmp(r, e).is_lt()).is_some() {}
            theirs.next_if(|r| cmp(r, e).is_eq()).is_some() || !right_ctx.contains(dot(e))
        });
        return;
    }
    *left = match (SeenTable::new(left_ctx), SeenTable::new(right_ctx)) {
        (Some(l), Some(r)) => join_into(left, right, &cmp, &dot, (&l, &r)),
        _ => join_into(left, right, &cmp, &dot, (left_ctx, right_ctx)),
    };
}

/// The join of [`join_dot_stores`], into a new vector, in one pass. Its data-dependent choice,
/// which side's entry comes next, is a select rather than a branch (as are the context it is
/// looked up in and, through [`Seen`]'s static dispatch, the lookup itself): randomly
/// interleaved sides would otherwise mispredict half of the branches, which more than doubles
/// the time of a large merge.
fn join_into<E: Clone, S: Seen>(
    left: &[E],
    right: &[E],
    cmp: impl Fn(&E, &E) -> Ordering,
    dot: impl Fn(&E) -> Dot,
    (left_seen, right_seen): (&S, &S),
) -> Vec<E> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(l), Some(r)) = (left.get(i), right.get(j)) {
        let order = cmp(l, r);
        let (take_left, take_right) = (order.is_le(), order.is_ge());
        // The next entry, and the context of the side that lacks it (if only one side has it).
        let entry = select_unpredictable(take_left, l, r);
        let lacking = select_unpredictable(take_left, right_seen, left_seen);
        // Both lookups are cheap: evaluate both rather than branch on the first.
        if order.is_eq() | !lacking.seen(dot(entry)) {
            out.push(entry.clone());
        }
        i += usize::from(take_left);
        j += usize::from(take_right);
    }
    out.extend(
        left[i..]
            .iter()
            .filter(|e| !right_seen.seen(dot(e)))
            .cloned(),
    );
    out.extend(
        right[j..]
            .iter()
            .filter(|e| !left_seen.seen(dot(e)))
            .cloned(),
    );
    out
}

/// The order of dot stores, `left ≤ right` iff `left ⊔ right = right`: `right` has seen every
/// dot `left` has seen, and every entry of `right` whose dot `left` has seen is still in `left`
/// (otherwise `left` removed it, and the join would remove it too).
pub(crate) fn dot_store_leq<'a, E: 'a>(
    (left, left_ctx): (impl IntoIterator<Item = &'a E>, &CausalContext),
    (right, right_ctx): (impl IntoIterator<Item = &'a E>, &CausalContext),
    cmp: impl Fn(&E, &E) -> Ordering,
    dot: impl Fn(&E) -> Dot,
) -> bool {
    // An entry only `left` has is dropped by the join, as its dot is in `left_ctx ⊆ right_ctx`.
    left_ctx.is_subset(right_ctx)
        && merge_join_by(left, right, cmp).all(|side| match side {
            Side::Right(e) => !left_ctx.contains(dot(e)),
            Side::Left(_) | Side::Both(..) => true,
        })
}

/// The diff of the dot store `local` against `remote`: what to ship so that `remote` learns
/// everything `local` knows. Its entries are `local`'s that `remote` has not seen; its context
/// the dots `remote` has not seen, plus those of `remote`'s entries that `local` has seen and
/// removed (so that the join removes them at `remote` too). It is below `local`: every entry of
/// `local` whose dot it holds in its context is among its entries.
pub(crate) fn diff_dot_stores<'a, E: Clone + 'a, L, R>(
    (local, local_ctx): (L, &CausalContext),
    (remote, remote_ctx): (R, &CausalContext),
    cmp: impl Fn(&E, &E) -> Ordering,
    dot: impl Fn(&E) -> Dot,
) -> (Vec<E>, CausalContext)
where
    L: IntoIterator<Item = &'a E> + Clone,
    R: IntoIterator<Item = &'a E>,
{
    let entries = local
        .clone()
        .into_iter()
        .filter(|e| !remote_ctx.contains(dot(e)))
        .cloned()
        .collect();
    let mut context = local_ctx.difference(remote_ctx);
    for side in merge_join_by(local, remote, cmp) {
        if let Side::Right(e) = side
            && local_ctx.contains(dot(e))
        {
            context.insert(dot(e));
        }
    }
    (entries, context)
}

/// The number of decimal digits of `n`.
pub(crate) fn decimal_len(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// The length of `r`'s `Debug` text (`A` to `Z`, then `R26`, ...).
pub(crate) fn replica_len(r: ReplicaId) -> usize {
    if r.0 < 26 {
        1
    } else {
        1 + decimal_len(u64::from(r.0))
    }
}

/// The length of `d`'s `Debug` text (`B2`).
pub(crate) fn dot_len(d: Dot) -> usize {
    replica_len(d.replica) + decimal_len(d.seq)
}

/// The length of the `Debug` text of a list or map (without `#`) whose entries' texts have
/// the lengths `entries` (a map entry's text is its key, `": "` and its value): the brackets
/// and a `", "` between entries.
pub(crate) fn debug_list_len(entries: impl Iterator<Item = usize>) -> usize {
    let (mut total, mut count) = (2, 0usize);
    for len in entries {
        total += len;
        count += 1;
    }
    total + 2 * count.saturating_sub(1)
}

/// Formats a dot store as `Name{entries} seen context`.
pub(crate) fn fmt_dot_store<K: fmt::Debug, V: fmt::Debug>(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    entries: impl IntoIterator<Item = (K, V)>,
    context: &CausalContext,
) -> fmt::Result {
    f.write_str(name)?;
    f.debug_map().entries(entries).finish()?;
    write!(f, " seen {context:?}")
}

/// Checks that every entry's dot is a real dot (sequence numbers start at 1) in the context: a
/// state cannot hold an update it has not seen.
pub(crate) fn check_dots_seen<'a, E: 'a>(
    type_name: &'static str,
    entries: impl IntoIterator<Item = &'a E>,
    ctx: &CausalContext,
    dot: impl Fn(&E) -> Dot,
) -> Result<(), Error> {
    match entries
        .into_iter()
        .map(dot)
        .find(|&d| d.seq == 0 || !ctx.contains(d))
    {
        None => Ok(()),
        Some(d) => Err(Error::invalid(
            type_name,
            "every entry's dot in the causal context",
            format!("{d} outside {ctx:?}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(r: u32, seq: u64) -> Dot {
        Dot::new(ReplicaId::new(r), seq)
    }

    fn ctx(dots: &[(u32, u64)]) -> CausalContext {
        let mut c = CausalContext::new();
        for &(r, s) in dots {
            c.insert(dot(r, s));
        }
        c
    }

    #[test]
    fn insertion_order_does_not_matter() {
        let a = ctx(&[(0, 1), (0, 2), (0, 3), (1, 2)]);
        let b = ctx(&[(1, 2), (0, 3), (0, 1), (0, 2)]);
        assert_eq!(a, b);
        assert_eq!(a.version_vector().get(ReplicaId::new(0)), 3);
        assert_eq!(a.cloud(), &[dot(1, 2)]);
        assert_eq!(format!("{a:?}"), "{A: 3} + [B2]");
    }

    #[test]
    fn merge_fills_gaps_and_compacts() {
        let mut a = ctx(&[(0, 1), (0, 3), (0, 5)]);
        let b = ctx(&[(0, 1), (0, 2), (0, 4)]);
        a.merge(&b);
        assert_eq!(a, ctx(&[(0, 1), (0, 2), (0, 3), (0, 4), (0, 5)]));
        assert!(a.cloud().is_empty());
        assert_eq!(a.next_dot(ReplicaId::new(0)), dot(0, 6));
        assert_eq!(ctx(&[(1, 4)]).next_dot(ReplicaId::new(1)), dot(1, 5));
    }

    #[test]
    fn seeing_no_replica_of_another_context() {
        let a = ctx(&[(0, 1), (0, 2), (2, 5)]);
        assert!(ctx(&[(1, 4)]).sees_no_replica_of(&a));
        assert!(a.sees_no_replica_of(&ctx(&[(1, 4), (3, 2)])));
        assert!(CausalContext::new().sees_no_replica_of(&a));
        assert!(a.sees_no_replica_of(&CausalContext::new()));
        // One dot of one of the replicas, in the vector or in the cloud, is enough.
        assert!(!ctx(&[(1, 4), (0, 1)]).sees_no_replica_of(&a));
        assert!(!ctx(&[(1, 4), (2, 9)]).sees_no_replica_of(&a));
        assert!(!a.sees_no_replica_of(&ctx(&[(1, 1), (2, 1)])));
    }

    #[test]
    fn join_keeps_common_and_unseen_entries() {
        let left = ctx(&[(0, 1), (0, 2)]);
        let right = ctx(&[(0, 1), (1, 1)]);
        let l = [dot(0, 1), dot(0, 2)];
        let r = [dot(0, 1), dot(1, 1)];
        // Sides this small are joined entry by entry; the one-pass join must agree.
        let join = |l: &[Dot], r: &[Dot]| {
            let mut joined = l.to_vec();
            join_dot_stores((&mut joined, &left), (r, &right), Ord::cmp, |d| *d);
            let mut whole = l.to_vec();
            join_whole((&mut whole, &left), (r, &right), Ord::cmp, |d| *d);
            assert_eq!(joined, whole);
            joined
        };
        assert_eq!(join(&l, &r), vec![dot(0, 1), dot(0, 2), dot(1, 1)]);
        // Right has seen A1 but lacks it: removed there, so it is removed in the join.
        assert_eq!(join(&l, &r[1..]), vec![dot(0, 2), dot(1, 1)]);
        // Nothing new on the right: the one-pass join filters the left side in place.
        assert_eq!(join(&l, &[]), vec![dot(0, 2)]);
        assert_eq!(join(&l, &l), l.to_vec());
    }

    /// The join against its definition, on each of its paths: entry by entry (small sides
    /// sharing few seen dots) and in one pass, where `join_into` looks dots up in a table
    /// (contexts of replicas with small indices and no cloud) or in the context itself
    /// (replica 40, or dots seen out of order). Also `seen_by_both` against its definition.
    #[test]
    fn join_matches_its_definition_on_every_path() {
        use proptest::prelude::*;
        use std::collections::BTreeSet;

        // Prefixes of replicas 0 and 1 (long enough that two states often share more dots than
        // an entry-by-entry join takes), now and then of replica 40, now and then a dot out of
        // order (a cloud).
        let dots = (
            0..10u64,
            0..10u64,
            prop_oneof![3 => Just(0u64), 1 => 1..3u64],
            proptest::option::weighted(0.25, (0..2u32, 5..7u64)),
        )
            .prop_map(|(a, b, c, extra)| {
                let prefix = |r: u32, n: u64| (1..=n).map(move |s| dot(r, s));
                let mut seen: BTreeSet<Dot> = prefix(0, a)
                    .chain(prefix(1, b))
                    .chain(prefix(40, c))
                    .collect();
                seen.extend(extra.map(|(r, s)| dot(r, s)));
                seen
            });
        // A state: the dots it has seen, and the subset still live in it.
        let state = dots.prop_flat_map(|seen| {
            let seen: Vec<Dot> = seen.into_iter().collect();
            let n = seen.len();
            (Just(seen), proptest::collection::vec(any::<bool>(), n))
        });
        let entrywise_cases = std::cell::Cell::new(0);
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        runner
            .run(
                &(state.clone(), state),
                |((l_seen, l_live), (r_seen, r_live))| {
                    let context = |seen: &[Dot]| {
                        let mut c = CausalContext::new();
                        for &d in seen {
                            c.insert(d);
                        }
                        c
                    };
                    let (l_ctx, r_ctx) = (context(&l_seen), context(&r_seen));
                    let live = |seen: &[Dot], keep: &[bool]| -> Vec<Dot> {
                        seen.iter()
                            .zip(keep)
                            .filter(|(_, k)| **k)
                            .map(|(d, _)| *d)
                            .collect()
                    };
                    let (l, r) = (live(&l_seen, &l_live), live(&r_seen, &r_live));
                    let both: Vec<Dot> = r_seen
                        .iter()
                        .copied()
                        .filter(|d| l_ctx.contains(*d))
                        .collect();
                    for max in [0, 2, 8, 100] {
                        let mut found = r_ctx.seen_by_both(&l_ctx, max);
                        if let Some(found) = &mut found {
                            found.sort_unstable();
                        }
                        prop_assert_eq!(found, (both.len() <= max).then(|| both.clone()));
                    }
                    let mut joined = l.clone();
                    join_dot_stores((&mut joined, &l_ctx), (&r, &r_ctx), Ord::cmp, |d| *d);
                    let mut whole = l.clone();
                    join_whole((&mut whole, &l_ctx), (&r, &r_ctx), Ord::cmp, |d| *d);
                    let mut entrywise = l.clone();
                    let took = join_entrywise(
                        (&mut entrywise, &l_ctx),
                        (&r, &r_ctx),
                        &Ord::cmp,
                        &|d: &Dot| *d,
                    );
                    prop_assert_eq!(took, both.len() <= ENTRYWISE_MERGE_MAX);
                    if !took {
                        prop_assert_eq!(&entrywise, &l);
                    }
                    entrywise_cases.set(entrywise_cases.get() + usize::from(took));
                    let (ls, rs): (BTreeSet<Dot>, BTreeSet<Dot>) =
                        (l.iter().copied().collect(), r.iter().copied().collect());
                    let expected: Vec<Dot> = ls
                        .union(&rs)
                        .copied()
                        .filter(|d| {
                            (ls.contains(d) && rs.contains(d))
                                || (ls.contains(d) && !r_ctx.contains(*d))
                                || (rs.contains(d) && !l_ctx.contains(*d))
                        })
                        .collect();
                    prop_assert_eq!(&whole, &expected);
                    let mut chunked = Chunks::from_sorted(l.clone());
                    join_chunked_dot_stores(
                        (&mut chunked, &l_ctx),
                        (&Chunks::from_sorted(r.clone()), &r_ctx),
                        Ord::cmp,
                        |d| *d,
                    );
                    prop_assert_eq!(&chunked.into_vec(), &expected);
                    if took {
                        prop_assert_eq!(&entrywise, &expected);
                    }
                    prop_assert_eq!(joined, expected);
                    Ok(())
                },
            )
            .unwrap();
        // Both paths ran often (256 cases).
        assert!(
            (32..=224).contains(&entrywise_cases.get()),
            "{} of 256 cases joined entry by entry",
            entrywise_cases.get()
        );
    }

    #[test]
    fn serde_checks_canonical_form() {
        let c = ctx(&[(0, 1), (0, 3)]);
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"vv":[[0,1]],"cloud":[{"replica":0,"seq":3}]}"#);
        assert_eq!(serde_json::from_str::<CausalContext>(&text).unwrap(), c);
        let not_canonical = r#"{"vv":[[0,1]],"cloud":[{"replica":0,"seq":2}]}"#;
        assert!(serde_json::from_str::<CausalContext>(not_canonical).is_err());
        assert_eq!(
            serde_json::from_str::<CausalContext>(r#"{"vv":[]}"#).unwrap(),
            CausalContext::new()
        );
    }
}
