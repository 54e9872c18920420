//! Sorted vectors: the representation behind the sets, version vectors and dot stores.
//!
//! Every collection in this crate is a `Vec` kept strictly increasing by a key. Lookups are
//! binary searches, and merges walk two sorted sequences side by side ([`merge_join`]) in
//! `O(n + m)` with one allocation and no per-element allocation: the same work as the union of
//! two sorted vectors, the physical floor for a set merge.

use std::cmp::Ordering;
use std::iter::Peekable;

use crate::Error;

mod chunks;
pub(crate) mod spare;
mod tagged;

pub(crate) use chunks::{Chunks, Iter, Pos};
pub(crate) use tagged::Tagged;

/// The most entries a merge inserts one by one (a binary search and a shift each) instead of
/// rebuilding the whole vector.
///
/// A delta usually holds one entry, and a rebuild of an `n`-entry vector costs about as much
/// as ten shifts of half of it: a shift is a `memmove`, the rebuild a compare, a select and a
/// copy per entry into a new allocation. Up to this many entries, shifting is cheaper at any
/// size, and a one-element delta costs what a local insert costs instead of a full merge.
pub(crate) const ENTRYWISE_MERGE_MAX: usize = 8;

/// Where an item of a [`merge_join`] comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side<'a, T> {
    /// Only in the left sequence.
    Left(&'a T),
    /// Only in the right sequence.
    Right(&'a T),
    /// In both, with equal keys.
    Both(&'a T, &'a T),
}

/// Walks two sequences sorted strictly by `key` in key order, pairing equal keys: `O(n + m)`.
pub(crate) fn merge_join<'a, T: 'a, K: Ord, L, R>(
    left: L,
    right: R,
    key: impl Fn(&'a T) -> K,
) -> MergeJoin<L::IntoIter, R::IntoIter, impl Fn(&'a T, &'a T) -> Ordering>
where
    L: IntoIterator<Item = &'a T>,
    R: IntoIterator<Item = &'a T>,
{
    merge_join_by(left, right, move |a, b| key(a).cmp(&key(b)))
}

/// Walks two sequences sorted strictly by `cmp`, pairing equal items: `O(n + m)`.
pub(crate) fn merge_join_by<'a, T: 'a, L, R, F>(
    left: L,
    right: R,
    cmp: F,
) -> MergeJoin<L::IntoIter, R::IntoIter, F>
where
    L: IntoIterator<Item = &'a T>,
    R: IntoIterator<Item = &'a T>,
    F: Fn(&'a T, &'a T) -> Ordering,
{
    MergeJoin {
        left: left.into_iter().peekable(),
        right: right.into_iter().peekable(),
        cmp,
    }
}

/// The iterator of [`merge_join`] and [`merge_join_by`].
pub(crate) struct MergeJoin<L: Iterator, R: Iterator, F> {
    left: Peekable<L>,
    right: Peekable<R>,
    cmp: F,
}

impl<'a, T: 'a, L, R, F> Iterator for MergeJoin<L, R, F>
where
    L: Iterator<Item = &'a T>,
    R: Iterator<Item = &'a T>,
    F: Fn(&'a T, &'a T) -> Ordering,
{
    type Item = Side<'a, T>;

    #[inline]
    fn next(&mut self) -> Option<Side<'a, T>> {
        let side = match (self.left.peek(), self.right.peek()) {
            (None, None) => return None,
            (Some(&l), None) => Side::Left(l),
            (None, Some(&r)) => Side::Right(r),
            (Some(&l), Some(&r)) => match (self.cmp)(l, r) {
                Ordering::Less => Side::Left(l),
                Ordering::Greater => Side::Right(r),
                Ordering::Equal => Side::Both(l, r),
            },
        };
        match side {
            Side::Left(_) => drop(self.left.next()),
            Side::Right(_) => drop(self.right.next()),
            Side::Both(..) => drop((self.left.next(), self.right.next())),
        }
        Some(side)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let (l, r) = (self.left.size_hint(), self.right.size_hint());
        (
            l.0.max(r.0),
            l.1.zip(r.1).and_then(|(l, r)| l.checked_add(r)),
        )
    }
}

/// Checks that `keys` are strictly increasing, the invariant of every sorted vector here.
///
/// # Errors
/// [`Error::Invalid`] naming `type_name` and the first position out of order.
pub(crate) fn check_strictly_increasing<K: Ord>(
    type_name: &'static str,
    keys: impl IntoIterator<Item = K>,
) -> Result<(), Error> {
    let mut keys = keys.into_iter();
    let Some(mut previous) = keys.next() else {
        return Ok(());
    };
    for (i, key) in keys.enumerate() {
        if key <= previous {
            return Err(Error::invalid(
                type_name,
                "entries sorted by strictly increasing key",
                format!("entry {} not above entry {}", i + 1, i),
            ));
        }
        previous = key;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_join_pairs_equal_keys_in_order() {
        let (left, right) = ([1, 3, 5], [2, 3, 6, 7]);
        let sides: Vec<Side<'_, i32>> = merge_join(&left, &right, |x| *x).collect();
        assert_eq!(
            sides,
            vec![
                Side::Left(&1),
                Side::Right(&2),
                Side::Both(&3, &3),
                Side::Left(&5),
                Side::Right(&6),
                Side::Right(&7),
            ]
        );
        assert_eq!(merge_join(&left, &[], |x| *x).count(), 3);
    }

    #[test]
    fn strictly_increasing() {
        assert!(check_strictly_increasing("T", [1, 2, 3]).is_ok());
        assert!(check_strictly_increasing("T", Vec::<u8>::new()).is_ok());
        let err = check_strictly_increasing("T", [1, 3, 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid T: expected entries sorted by strictly increasing key, found entry 2 not \
             above entry 1"
        );
    }
}
