//! [`Values`]: how a list stores the values of one replica's elements, in counter order, and
//! [`CompactChars`], the one-byte-per-ASCII-`char` storage of [`Text`](super::Text).
//!
//! Every element ever inserted keeps its value (deleted ones too: they are tombstones), so on
//! a long editing history the values are most of a list's memory. A `Vec<char>` spends four
//! bytes per element where source code and prose need one.

use std::iter::Cloned;
use std::slice;

use super::compact;

/// Storage for the values of one replica's elements, indexed by counter. Elements are only
/// ever appended, never changed or removed.
///
/// [`List`](super::List) stores values in a `Vec<T>` unless told otherwise; [`Text`](super::Text)
/// uses [`CompactChars`].
///
/// ```
/// use crdt_impls::fugue::{CompactChars, Values};
///
/// let mut values = CompactChars::default();
/// values.extend_from_slice(&['a', 'é', 'b']);
/// assert_eq!(values.len(), 3);
/// assert_eq!(values.at(1), 'é');
/// assert_eq!(values.range(1, 3).collect::<String>(), "éb");
/// ```
pub trait Values: Default {
    /// The type of the values.
    type Item: Clone;

    /// An iterator over a range of values, in counter order.
    type Range<'a>: Iterator<Item = Self::Item>
    where
        Self: 'a;

    /// The number of values.
    fn len(&self) -> usize;

    /// True when there are no values.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `index` (`index < len()`).
    fn at(&self, index: usize) -> Self::Item;

    /// Appends `items`.
    fn extend_from_slice(&mut self, items: &[Self::Item]);

    /// The values at `start..end` (`start <= end <= len()`).
    fn range(&self, start: usize, end: usize) -> Self::Range<'_>;

    /// True when `self` holds the first values of `other`.
    fn is_prefix_of(&self, other: &Self) -> bool
    where
        Self::Item: PartialEq,
    {
        let len = self.len();
        len <= other.len() && self.range(0, len).eq(other.range(0, len))
    }

    /// Memory held, in bytes (capacity, not just length).
    fn heap_size(&self) -> usize;
}

impl<T: Clone> Values for Vec<T> {
    type Item = T;
    type Range<'a>
        = Cloned<slice::Iter<'a, T>>
    where
        T: 'a;

    fn len(&self) -> usize {
        self.len()
    }

    fn at(&self, index: usize) -> T {
        self[index].clone()
    }

    fn extend_from_slice(&mut self, items: &[T]) {
        compact::reserve(self, items.len());
        Vec::extend_from_slice(self, items);
    }

    fn range(&self, start: usize, end: usize) -> Self::Range<'_> {
        self[start..end].iter().cloned()
    }

    fn is_prefix_of(&self, other: &Self) -> bool
    where
        T: PartialEq,
    {
        other.starts_with(self)
    }

    fn heap_size(&self) -> usize {
        self.capacity() * size_of::<T>()
    }
}

/// The byte that stands for a non-ASCII `char` (found in the side table).
const WIDE: u8 = 0x80;

/// `char`s stored in one byte each when ASCII, the others in a side table: about a quarter of
/// a `Vec<char>` on text that is mostly ASCII, and never more than three bytes per `char` over
/// it (eight per non-ASCII `char`).
///
/// ```
/// use crdt_impls::fugue::{CompactChars, Values};
///
/// let mut chars = CompactChars::default();
/// chars.extend_from_slice(&"naïve ✓".chars().collect::<Vec<_>>());
/// assert_eq!(chars.range(0, chars.len()).collect::<String>(), "naïve ✓");
/// assert_eq!(chars.at(2), 'ï');
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactChars {
    /// One byte per `char`: the `char` itself when ASCII, else [`WIDE`].
    bytes: Vec<u8>,
    /// The index and value of every non-ASCII `char`, by index.
    wide: Vec<(u32, char)>,
}

impl Values for CompactChars {
    type Item = char;
    type Range<'a> = CharRange<'a>;

    fn len(&self) -> usize {
        self.bytes.len()
    }

    #[inline]
    fn at(&self, index: usize) -> char {
        let byte = self.bytes[index];
        if byte < WIDE {
            return char::from(byte);
        }
        let at = self.wide.partition_point(|&(i, _)| (i as usize) < index);
        self.wide[at].1
    }

    #[inline]
    fn extend_from_slice(&mut self, items: &[char]) {
        compact::reserve(&mut self.bytes, items.len());
        for &c in items {
            if c.is_ascii() {
                self.bytes.push(c as u8);
            } else {
                compact::push(&mut self.wide, (self.bytes.len() as u32, c));
                self.bytes.push(WIDE);
            }
        }
    }

    fn range(&self, start: usize, end: usize) -> CharRange<'_> {
        let first_wide = self.wide.partition_point(|&(i, _)| (i as usize) < start);
        CharRange {
            bytes: self.bytes[start..end].iter(),
            wide: self.wide[first_wide..].iter(),
        }
    }

    fn heap_size(&self) -> usize {
        self.bytes.capacity() + self.wide.capacity() * size_of::<(u32, char)>()
    }
}

/// The `char`s of a range of a [`CompactChars`]: see [`Values::range`].
#[derive(Clone, Debug)]
pub struct CharRange<'a> {
    bytes: slice::Iter<'a, u8>,
    /// The side table from the first non-ASCII `char` of the range on.
    wide: slice::Iter<'a, (u32, char)>,
}

impl Iterator for CharRange<'_> {
    type Item = char;

    #[inline]
    fn next(&mut self) -> Option<char> {
        let byte = *self.bytes.next()?;
        if byte < WIDE {
            Some(char::from(byte))
        } else {
            self.wide.next().map(|&(_, c)| c)
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.bytes.size_hint()
    }
}

impl ExactSizeIterator for CharRange<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_chars_agree_with_a_vector_of_chars() {
        let text: Vec<char> = "a€b\u{10348}c\u{7f}\u{80}ÿ z".chars().collect();
        let mut compact = CompactChars::default();
        let mut plain = Vec::new();
        // Appended in slices of every length, as runs are.
        for chunk in text.chunks(3) {
            compact.extend_from_slice(chunk);
            Values::extend_from_slice(&mut plain, chunk);
        }
        assert_eq!(Values::len(&compact), text.len());
        for i in 0..text.len() {
            assert_eq!(compact.at(i), text[i], "at({i})");
            for j in i..=text.len() {
                let got: Vec<char> = compact.range(i, j).collect();
                assert_eq!(got, &text[i..j], "range({i}, {j})");
            }
        }
        // Only the non-ASCII chars take the side table.
        assert_eq!(compact.wide.len(), 4);
        let mut prefix = CompactChars::default();
        prefix.extend_from_slice(&text[..4]);
        assert!(prefix.is_prefix_of(&compact) && !compact.is_prefix_of(&prefix));
        let mut other = CompactChars::default();
        other.extend_from_slice(&['a', '€', 'b', '\u{10349}']);
        assert!(!other.is_prefix_of(&compact));
        assert!(Values::is_prefix_of(&plain[..4].to_vec(), &plain));
    }
}
