//! Compact storage for the per-element state of a Fugue list: a growable bit vector, and vector
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

/// A growable vector of bits, one per element. Bits past `len` are always zero, so that two
/// equal bit vectors have equal words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Bits {
    words: Vec<u64>,
    len: u32,
}

impl Bits {
    /// The number of bits.
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// Appends `n` zero bits.
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
        self.words.resize(words, 0);
    }

    /// The bit at `i` (`i < len`).
    #[inline]
    pub(crate) fn get(&self, i: u32) -> bool {
        debug_assert!(i < self.len);
        self.words[(i / 64) as usize] >> (i % 64) & 1 != 0
    }

    /// Sets the bit at `i` (`i < len`).
    #[inline]
    pub(crate) fn set(&mut self, i: u32) {
        debug_assert!(i < self.len);
        self.words[(i / 64) as usize] |= 1 << (i % 64);
    }

    /// Sets the bits `start..end` (`end <= len`).
    pub(crate) fn set_range(&mut self, start: u32, end: u32) {
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
            self.words[(i / 64) as usize] |= mask;
            i += n;
        }
    }

    /// The first index `>= from` whose bit equals `value`, or `len` if none.
    pub(crate) fn find(&self, from: u32, value: bool) -> u32 {
        let mut i = from;
        while i < self.len {
            let word = self.words[(i / 64) as usize];
            let word = if value { word } else { !word };
            let rest = word >> (i % 64);
            if rest != 0 {
                return (i + rest.trailing_zeros()).min(self.len);
            }
            i = (i / 64 + 1) * 64;
        }
        self.len
    }

    /// True when every bit set in `self` is set in `other` (bits past `other.len()` count as
    /// unset).
    pub(crate) fn is_subset(&self, other: &Self) -> bool {
        self.words
            .iter()
            .enumerate()
            .all(|(i, w)| w & !other.words.get(i).copied().unwrap_or(0) == 0)
    }

    /// Memory held, in bytes (capacity, not just length).
    pub(crate) fn heap_size(&self) -> usize {
        self.words.capacity() * size_of::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reference: one `bool` per bit.
    fn bools(bits: &Bits) -> Vec<bool> {
        (0..bits.len()).map(|i| bits.get(i)).collect()
    }

    #[test]
    fn ranges_and_search_agree_with_a_vector_of_bools() {
        let mut bits = Bits::default();
        let mut model = Vec::new();
        // Ranges within a word, across words, whole words, ending at the end.
        for &(grow, start, end) in &[
            (10u32, 2u32, 5u32),
            (100, 60, 70),
            (200, 64, 192),
            (3, 309, 313),
            (1, 313, 314),
        ] {
            bits.grow(grow);
            model.resize(bits.len() as usize, false);
            bits.set_range(start, end);
            model[start as usize..end as usize].fill(true);
            assert_eq!(bools(&bits), model);
        }
        for from in 0..=bits.len() {
            for value in [false, true] {
                let expected = (from as usize..model.len())
                    .find(|&i| model[i] == value)
                    .map_or(bits.len(), |i| i as u32);
                assert_eq!(bits.find(from, value), expected, "find({from}, {value})");
            }
        }
    }

    #[test]
    fn subsets_and_equality_ignore_nothing() {
        let mut a = Bits::default();
        a.grow(130);
        let mut b = a.clone();
        a.set(129);
        assert!(!a.is_subset(&b) && b.is_subset(&a) && a != b);
        b.set(129);
        b.set(3);
        assert!(a.is_subset(&b) && !b.is_subset(&a));
        // A shorter vector is a subset of a longer one holding its bits.
        let mut short = Bits::default();
        short.grow(4);
        short.set(3);
        assert!(short.is_subset(&b) && !short.is_subset(&a));
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
