//! The entries of an OR-Set: `(element, dot)` pairs sorted by element then dot, in
//! [`Chunks`], each dot packed into one word ([`Tag`]) while every dot of the set fits.
//!
//! A [`Dot`] is a 32-bit replica and a 64-bit counter, 16 bytes with its padding: with a
//! `u64` element, an entry of 24 bytes, three times the element. A merge of large sets moves
//! every entry, so its time follows the entry's size (at 10^6 disjoint `u64` elements per
//! side, 15 ms with 24-byte entries against 11 ms with 16-byte ones, same code). A dot whose
//! replica is below 2^16 and whose counter is below 2^48 (every dot of every test, trace and
//! deployment this crate has seen) packs into a `u64` that orders as the dot does. A set
//! holding a dot that does not fit keeps its entries wide, as they were, from then on: the
//! representation never changes what a set is, only how it is stored.

use std::cmp::Ordering;

use super::{Chunks, Iter, Pos};
use crate::causal::{diff_dot_stores, dot_store_leq, join_chunked_dot_stores};
use crate::{CausalContext, Dot, ReplicaId};

/// A [`Dot`] in one word: the replica in the top 16 bits, the counter in the other 48, so
/// that tags order as their dots do.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub(crate) struct Tag(u64);

impl Tag {
    /// The bits of the counter.
    const SEQ_BITS: u32 = 48;

    /// `dot` packed, or `None` when it does not fit.
    pub(crate) fn pack(dot: Dot) -> Option<Self> {
        let replica = u64::from(dot.replica.0);
        (replica < 1 << (64 - Self::SEQ_BITS) && dot.seq < 1 << Self::SEQ_BITS)
            .then_some(Self(replica << Self::SEQ_BITS | dot.seq))
    }

    /// The dot this tag packs.
    pub(crate) fn dot(self) -> Dot {
        // The top 16 bits fit a `u32`.
        #[allow(clippy::cast_possible_truncation)]
        let replica = (self.0 >> Self::SEQ_BITS) as u32;
        Dot::new(
            ReplicaId::new(replica),
            self.0 & ((1 << Self::SEQ_BITS) - 1),
        )
    }
}

/// An entry of either representation.
trait Entry<T> {
    fn element(&self) -> &T;
    fn dot(&self) -> Dot;
    /// The order of entries: by element, then by dot.
    fn order(&self, other: &Self) -> Ordering
    where
        T: Ord;
}

impl<T> Entry<T> for (T, Dot) {
    fn element(&self) -> &T {
        &self.0
    }
    fn dot(&self) -> Dot {
        self.1
    }
    fn order(&self, other: &Self) -> Ordering
    where
        T: Ord,
    {
        // The dots compared only on equal elements: the compiler branches on equal elements
        // either way (and, comparing the dots first, on equal replicas too), and disjoint
        // sides never take that branch.
        self.0.cmp(&other.0).then_with(|| self.1.cmp(&other.1))
    }
}

impl<T> Entry<T> for (T, Tag) {
    fn element(&self) -> &T {
        &self.0
    }
    fn dot(&self) -> Dot {
        self.1.dot()
    }
    fn order(&self, other: &Self) -> Ordering
    where
        T: Ord,
    {
        self.0.cmp(&other.0).then_with(|| self.1.cmp(&other.1))
    }
}

/// The entries of an OR-Set, sorted strictly by element then dot.
#[derive(Clone)]
pub(crate) enum Tagged<T> {
    /// Every dot fits a [`Tag`].
    Packed(Chunks<(T, Tag)>),
    /// Some dot did not fit, once.
    Wide(Chunks<(T, Dot)>),
}

/// Runs `$body` on the chunks of either representation, named `$chunks`.
macro_rules! each {
    ($tagged:expr, $chunks:ident => $body:expr) => {
        match $tagged {
            Tagged::Packed($chunks) => $body,
            Tagged::Wide($chunks) => $body,
        }
    };
}

/// Where `x`'s entries start in `chunks` (or would): the first entry not below `x`.
fn start<T: Ord, E: Entry<T>>(chunks: &Chunks<E>, x: &T) -> Pos {
    let (Ok(at) | Err(at)) = chunks.search(|e| match e.element().cmp(x) {
        Ordering::Less => Ordering::Less,
        Ordering::Equal | Ordering::Greater => Ordering::Greater,
    });
    at
}

impl<T> Tagged<T> {
    /// No entry.
    pub(crate) const fn new() -> Self {
        Self::Packed(Chunks::new())
    }

    /// The entries of `sorted`, which must be sorted strictly by element then dot.
    pub(crate) fn from_sorted(sorted: Vec<(T, Dot)>) -> Self {
        if sorted.iter().all(|e| Tag::pack(e.1).is_some()) {
            Self::Packed(Chunks::from_sorted(
                sorted
                    .into_iter()
                    .map(|(x, d)| (x, Tag::pack(d).expect("every dot fits")))
                    .collect(),
            ))
        } else {
            Self::Wide(Chunks::from_sorted(sorted))
        }
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        each!(self, c => c.len())
    }

    /// True when there is no entry.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries in order.
    pub(crate) fn iter(&self) -> Entries<'_, T> {
        match self {
            Self::Packed(c) => Entries::Packed(c.iter()),
            Self::Wide(c) => Entries::Wide(c.iter()),
        }
    }

    /// True when the entries are packed: for the tests.
    #[cfg(test)]
    pub(crate) fn is_packed(&self) -> bool {
        matches!(self, Self::Packed(_))
    }

    /// The entries, wide from now on.
    fn widen(&mut self) -> &mut Chunks<(T, Dot)> {
        if let Self::Packed(packed) = self {
            let entries = std::mem::replace(packed, Chunks::new()).into_vec();
            *self = Self::Wide(Chunks::from_sorted(
                entries.into_iter().map(|(x, t)| (x, t.dot())).collect(),
            ));
        }
        match self {
            Self::Wide(wide) => wide,
            Self::Packed(_) => unreachable!("widened above"),
        }
    }
}

impl<T: Clone> Tagged<T> {
    /// A wide copy of the entries.
    fn wide_copy(&self) -> Chunks<(T, Dot)> {
        match self {
            Self::Packed(c) => {
                Chunks::from_sorted(c.iter().map(|(x, t)| (x.clone(), t.dot())).collect())
            }
            Self::Wide(c) => c.clone(),
        }
    }
}

impl<T: Ord> Tagged<T> {
    /// The dots of `x`'s entries, in order.
    pub(crate) fn dots<'a>(&'a self, x: &'a T) -> impl Iterator<Item = Dot> + 'a {
        fn of<'a, T: Ord, E: Entry<T>>(
            c: &'a Chunks<E>,
            x: &'a T,
        ) -> impl Iterator<Item = Dot> + 'a {
            c.iter_from(start(c, x))
                .take_while(move |e| e.element() == x)
                .map(Entry::dot)
        }
        match self {
            Self::Packed(c) => Either::Left(of(c, x)),
            Self::Wide(c) => Either::Right(of(c, x)),
        }
    }

    /// True when some entry holds `x`.
    pub(crate) fn contains(&self, x: &T) -> bool {
        each!(self, c => c.iter_from(start(c, x)).next().is_some_and(|e| e.element() == x))
    }

    /// Removes `x`'s entries; returns whether there were any.
    pub(crate) fn remove(&mut self, x: &T) -> bool {
        each!(self, c => {
            let at = start(c, x);
            c.remove_run(at, |e| e.element() == x) > 0
        })
    }

    /// Adds the entry `(x, dot)`, where `x` has no entry.
    pub(crate) fn insert_new(&mut self, x: T, dot: Dot) {
        if let (Self::Packed(c), Some(tag)) = (&mut *self, Tag::pack(dot)) {
            let at = start(c, &x);
            c.insert(at, (x, tag));
            return;
        }
        let c = self.widen();
        let at = start(c, &x);
        c.insert(at, (x, dot));
    }

    /// The dot-store order: see [`dot_store_leq`].
    pub(crate) fn leq(
        &self,
        context: &CausalContext,
        other: &Self,
        other_context: &CausalContext,
    ) -> bool {
        fn leq<T: Ord, E: Entry<T>>(
            (left, left_ctx): (&Chunks<E>, &CausalContext),
            (right, right_ctx): (&Chunks<E>, &CausalContext),
        ) -> bool {
            dot_store_leq(
                (left.iter(), left_ctx),
                (right.iter(), right_ctx),
                E::order,
                E::dot,
            )
        }
        match (self, other) {
            (Self::Packed(l), Self::Packed(r)) => leq((l, context), (r, other_context)),
            (Self::Wide(l), Self::Wide(r)) => leq((l, context), (r, other_context)),
            // Rare (one side holds a dot beyond a tag): both sides as `(&element, dot)`.
            _ => {
                let (l, r): (Vec<_>, Vec<_>) = (self.iter().collect(), other.iter().collect());
                dot_store_leq((&l, context), (&r, other_context), Ord::cmp, |e| e.1)
            }
        }
    }
}

impl<T: Ord + Clone> Tagged<T> {
    /// The dot-store join of `other` into `self`: see [`join_chunked_dot_stores`].
    pub(crate) fn join(
        &mut self,
        context: &CausalContext,
        other: &Self,
        other_context: &CausalContext,
    ) {
        fn join<T: Ord + Clone, E: Entry<T> + Clone>(
            left: (&mut Chunks<E>, &CausalContext),
            right: (&Chunks<E>, &CausalContext),
        ) {
            join_chunked_dot_stores(left, right, E::order, E::dot);
        }
        match (&mut *self, other) {
            (Self::Packed(l), Self::Packed(r)) => join((l, context), (r, other_context)),
            (Self::Wide(l), Self::Wide(r)) => join((l, context), (r, other_context)),
            (Self::Wide(l), Self::Packed(_)) => {
                join((l, context), (&other.wide_copy(), other_context));
            }
            (Self::Packed(_), Self::Wide(r)) => join((self.widen(), context), (r, other_context)),
        }
    }

    /// The entries and context of `self`'s diff against `remote`: see [`diff_dot_stores`].
    pub(crate) fn diff(
        &self,
        context: &CausalContext,
        remote: &Self,
        remote_context: &CausalContext,
    ) -> (Self, CausalContext) {
        fn diff<T: Ord + Clone, E: Entry<T> + Clone>(
            (local, local_ctx): (&Chunks<E>, &CausalContext),
            (remote, remote_ctx): (&Chunks<E>, &CausalContext),
        ) -> (Vec<E>, CausalContext) {
            diff_dot_stores(
                (local.iter(), local_ctx),
                (remote.iter(), remote_ctx),
                E::order,
                E::dot,
            )
        }
        let wide = |(entries, context): (Vec<(T, Dot)>, CausalContext)| {
            (Self::from_sorted(entries), context)
        };
        match (self, remote) {
            (Self::Packed(l), Self::Packed(r)) => {
                let (entries, context) = diff((l, context), (r, remote_context));
                (Self::Packed(Chunks::from_sorted(entries)), context)
            }
            (Self::Wide(l), Self::Wide(r)) => wide(diff((l, context), (r, remote_context))),
            (Self::Wide(l), Self::Packed(_)) => {
                wide(diff((l, context), (&remote.wide_copy(), remote_context)))
            }
            (Self::Packed(_), Self::Wide(r)) => {
                wide(diff((&self.wide_copy(), context), (r, remote_context)))
            }
        }
    }
}

/// The iterator of [`Tagged::iter`]: each entry's element and dot.
#[derive(Clone)]
pub(crate) enum Entries<'a, T> {
    Packed(Iter<'a, (T, Tag)>),
    Wide(Iter<'a, (T, Dot)>),
}

impl<'a, T> Iterator for Entries<'a, T> {
    type Item = (&'a T, Dot);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Packed(it) => it.next().map(|(x, t)| (x, t.dot())),
            Self::Wide(it) => it.next().map(|(x, d)| (x, *d)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Self::Packed(it) => it.size_hint(),
            Self::Wide(it) => it.size_hint(),
        }
    }
}

impl<T> ExactSizeIterator for Entries<'_, T> {}

/// One iterator or the other, for [`Tagged::dots`].
enum Either<L, R> {
    Left(L),
    Right(R),
}

impl<I, L: Iterator<Item = I>, R: Iterator<Item = I>> Iterator for Either<L, R> {
    type Item = I;

    #[inline]
    fn next(&mut self) -> Option<I> {
        match self {
            Self::Left(it) => it.next(),
            Self::Right(it) => it.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dot(replica: u32, seq: u64) -> Dot {
        Dot::new(ReplicaId::new(replica), seq)
    }

    /// A tag unpacks to its dot, and tags order as their dots, up to the limits; beyond them
    /// a dot does not pack.
    #[test]
    fn a_tag_is_its_dot_in_the_same_order() {
        let edges = [0, 1, 2, (1 << 16) - 1];
        let seqs = [0, 1, 2, (1 << 48) - 2, (1 << 48) - 1];
        let mut dots = Vec::new();
        for r in edges {
            for s in seqs {
                dots.push(dot(r, s));
            }
        }
        for a in &dots {
            let ta = Tag::pack(*a).expect("fits");
            assert_eq!(ta.dot(), *a);
            for b in &dots {
                assert_eq!(ta.cmp(&Tag::pack(*b).unwrap()), a.cmp(b), "{a:?} {b:?}");
            }
        }
        for wide in [
            dot(1 << 16, 0),
            dot(u32::MAX, 1),
            dot(0, 1 << 48),
            dot(3, u64::MAX),
        ] {
            assert_eq!(Tag::pack(wide), None, "{wide:?}");
        }
    }

    /// Entries that fit are packed, and stay so until a dot does not fit; then they are wide
    /// and the same entries.
    #[test]
    fn entries_widen_when_a_dot_does_not_fit() {
        let mut t = Tagged::from_sorted(vec![(1u64, dot(0, 1)), (2, dot(1, 7))]);
        assert!(t.is_packed());
        t.insert_new(3, dot(2, 1));
        assert!(t.is_packed());
        t.insert_new(0, dot(70_000, 1));
        assert!(!t.is_packed());
        let entries: Vec<_> = t.iter().map(|(x, d)| (*x, d)).collect();
        assert_eq!(
            entries,
            [
                (0, dot(70_000, 1)),
                (1, dot(0, 1)),
                (2, dot(1, 7)),
                (3, dot(2, 1))
            ]
        );
        assert!(!Tagged::from_sorted(vec![(1u64, dot(0, 1 << 50))]).is_packed());
    }
}
