//! Compact storage for the per-element state of a Fugue list: growable bit vectors, and vector
//! growth by a quarter instead of doubling.
//!
//! Per-element arrays dominate the memory of a list (every element ever inserted stays, as a
//! tombstone if deleted), so their slack matters: `Vec`'s doubling leaves up to half of a large
//! array unused, growing by a quarter at most a fifth (reallocating a large block is a remap, not
//! a copy, with the usual allocators).

/// Makes room in `v` for `extra` more items, growing its capacity by at least a quarter when it
/// must grow, so that pushing `n` items one at a time still costs amortized `O(n)`.
pub(crate) fn reserve<T>(v: &mut Vec<T>, extra: usize) {
    if v.capacity() - v.len() < extra {
        let grow = extra.max(v.capacity() / 4).max(8);
        v.reserve_exact(grow);
    }
}

/// Pushes `item` onto `v`, growing as [`reserve`] does.
pub(crate) fn push<T>(v: &mut Vec<T>, item: T) {
    reserve(v, 1);
    v.push(item);
}

/// The plane of [`Flags`] that marks tombstones.
pub(crate) const DELETED: usize = 0;
/// The element has at least one left child.
pub(crate) const LEFT_CHILD: usize = 1;
/// The element has at least one right child.
pub(crate) const RIGHT_CHILD: usize = 2;
/// The element starts an insertion run.
pub(crate) const RUN_START: usize = 3;

/// Four growable bit vectors (*planes*: [`DELETED`], [`LEFT_CHILD`], [`RIGHT_CHILD`],
/// [`RUN_START`]) of one length, interleaved by 64-bit word so that appending elements grows
/// one array once instead of four. Bits past `len` are always zero, so that equal planes have
/// equal words.
#[derive(Clone, Debug, Default)]
#[cfg_attr(test, derive(PartialEq, Eq))]
pub(crate) struct Flags {
    words: Vec<[u64; 4]>,
    len: u32,
}

impl Flags {
    /// The number of bits of each plane.
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// Appends `n` zero bits to every plane.
    #[inline]
    pub(crate) fn grow(&mut self, n: u32) {
        let len = self.len + n;
        if len as usize > self.words.len() * 64 {
            self.grow_words(len);
        }
        self.len = len;
    }

    /// Adds the zero words that `len` bits need.
    #[cold]
    fn grow_words(&mut self, len: u32) {
        let words = len.div_ceil(64) as usize;
        let extra = words - self.words.len();
        reserve(&mut self.words, extra);
        self.words.resize(words, [0; 4]);
    }

    /// The bit at `i` (`i < len`) of `plane`.
    #[inline]
    pub(crate) fn get(&self, plane: usize, i: u32) -> bool {
        debug_assert!(i < self.len);
        self.words[(i / 64) as usize][plane] >> (i % 64) & 1 != 0
    }

    /// Sets the bit at `i` (`i < len`) of `plane`.
    #[inline]
    pub(crate) fn set(&mut self, plane: usize, i: u32) {
        debug_assert!(i < self.len);
        self.words[(i / 64) as usize][plane] |= 1 << (i % 64);
    }

    /// Sets the bits `start..end` (`end <= len`) of `plane`.
    #[inline]
    pub(crate) fn set_range(&mut self, plane: usize, start: u32, end: u32) {
        debug_assert!(start <= end && end <= self.len);
        let mut i = start;
        while i < end {
            let bit = i % 64;
            let n = (64 - bit).min(end - i);
            let mask = if n == 64 {
                u64::MAX
            } else {
                ((1u64 << n) - 1) << bit
            };
            self.words[(i / 64) as usize][plane] |= mask;
            i += n;
        }
    }

    /// The first index `>= from` whose bit of `plane` equals `value`, or `len` if none.
    pub(crate) fn find(&self, plane: usize, from: u32, value: bool) -> u32 {
        let mut i = from;
        while i < self.len {
            let word = self.words[(i / 64) as usize][plane];
            let word = if value { word } else { !word };
            let rest = word >> (i % 64);
            if rest != 0 {
                return (i + rest.trailing_zeros()).min(self.len);
            }
            i = (i / 64 + 1) * 64;
        }
        self.len
    }

    /// True when `plane` holds the same bits in `self` and `other` (lengths included).
    pub(crate) fn plane_eq(&self, other: &Self, plane: usize) -> bool {
        self.len == other.len
            && self
                .words
                .iter()
                .zip(&other.words)
                .all(|(a, b)| a[plane] == b[plane])
    }

    /// True when every bit set in `plane` of `self` is set in `plane` of `other` (bits past
    /// `other.len()` count as unset).
    pub(crate) fn is_subset(&self, other: &Self, plane: usize) -> bool {
        self.words
            .iter()
            .enumerate()
            .all(|(i, w)| w[plane] & !other.words.get(i).map_or(0, |o| o[plane]) == 0)
    }

    /// Memory held, in bytes (capacity, not just length).
    pub(crate) fn heap_size(&self) -> usize {
        self.words.capacity() * size_of::<[u64; 4]>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference: one `bool` per bit of `plane`.
    fn bools(flags: &Flags, plane: usize) -> Vec<bool> {
        (0..flags.len()).map(|i| flags.get(plane, i)).collect()
    }

    #[test]
    fn ranges_and_search_agree_with_vectors_of_bools() {
        let mut flags = Flags::default();
        let mut model = vec![Vec::new(); 4];
        // Ranges within a word, across words, whole words, ending at the end, on every plane.
        for (k, &(grow, start, end)) in [
            (10u32, 2u32, 5u32),
            (100, 60, 70),
            (200, 64, 192),
            (3, 309, 313),
            (1, 313, 314),
        ]
        .iter()
        .enumerate()
        {
            flags.grow(grow);
            for plane in &mut model {
                plane.resize(flags.len() as usize, false);
            }
            let plane = k % 4;
            flags.set_range(plane, start, end);
            model[plane][start as usize..end as usize].fill(true);
            flags.set(3 - plane, start);
            model[3 - plane][start as usize] = true;
            for (p, expected) in model.iter().enumerate() {
                assert_eq!(&bools(&flags, p), expected, "plane {p}");
            }
        }
        for (plane, model) in model.iter().enumerate() {
            for from in 0..=flags.len() {
                for value in [false, true] {
                    let expected = (from as usize..model.len())
                        .find(|&i| model[i] == value)
                        .map_or(flags.len(), |i| i as u32);
                    assert_eq!(
                        flags.find(plane, from, value),
                        expected,
                        "find({from}, {value})"
                    );
                }
            }
        }
    }

    #[test]
    fn subsets_and_equality_are_per_plane() {
        let mut a = Flags::default();
        a.grow(130);
        let mut b = a.clone();
        a.set(DELETED, 129);
        assert!(!a.is_subset(&b, DELETED) && b.is_subset(&a, DELETED));
        assert!(!a.plane_eq(&b, DELETED) && a.plane_eq(&b, RUN_START));
        b.set(DELETED, 129);
        b.set(DELETED, 3);
        b.set(RUN_START, 5);
        assert!(a.is_subset(&b, DELETED) && !b.is_subset(&a, DELETED));
        assert!(!a.plane_eq(&b, RUN_START) && a.plane_eq(&b, LEFT_CHILD));
        // A shorter vector is a subset of a longer one holding its bits, never equal to it.
        let mut short = Flags::default();
        short.grow(4);
        short.set(DELETED, 3);
        assert!(short.is_subset(&b, DELETED) && !short.is_subset(&a, DELETED));
        let mut long = Flags::default();
        long.grow(4);
        assert!(long.plane_eq(&short, LEFT_CHILD) && !long.plane_eq(&short, DELETED));
        long.grow(1);
        assert!(!long.plane_eq(&short, LEFT_CHILD));
    }

    #[test]
    fn reserve_grows_by_at_least_a_quarter() {
        let mut v: Vec<u32> = Vec::new();
        let mut reallocations = 0;
        for i in 0..100_000 {
            let capacity = v.capacity();
            push(&mut v, i);
            if v.capacity() != capacity {
                reallocations += 1;
                assert!(v.capacity() >= capacity + capacity / 4);
            }
        }
        // Geometric growth: about log(100000 / 8) / log(1.25) reallocations, not thousands.
        assert!(reallocations < 60, "{reallocations} reallocations");
        assert!(v.capacity() <= 100_000 + 100_000 / 4 + 8);
    }
}
