//! A sorted sequence stored as a vector of sorted chunks: the representation of the sets.
//!
//! One flat sorted vector merges at the speed of the floor but pays `O(n)` for each local
//! insertion (a shift of half of it); a balanced tree inserts in `O(log n)` but merges an
//! element at a time, with an allocation per node. Chunks of at most [`Chunks::max_len`]
//! entries keep both: an insertion is two binary searches and a shift within one chunk (plus,
//! once every `max_len / 2` insertions into a chunk, a split that shifts the vector of chunk
//! pointers), and a merge walks both sides chunk by chunk, as fast as two flat vectors, moving
//! whole chunks of the left side where the right side has nothing in their range and reusing
//! the buffers of the chunks it has consumed for the ones it writes, so that a merge of two
//! large states allocates only for its growth. Where neither side's chunk needs filtering (the
//! caller's `kept_whole`), two chunks merge as a plain union. Full chunks' buffers come
//! from, and go back to, this thread's [spare buffers](super::spare), so that a process that
//! merges large states over and over does not fault the growth of each merge in afresh.

use std::cmp::Ordering;
use std::hint::select_unpredictable;
use std::mem;

use super::spare;

/// Entries in one chunk, sorted strictly by some order; no chunk is empty.
///
/// Equality and hashing are not derived: two sequences with the same entries may be split
/// into chunks differently. Users compare [`iter`](Self::iter)s.
pub(crate) struct Chunks<E> {
    chunks: Vec<Vec<E>>,
    len: usize,
}

/// A copy keeps each chunk's capacity (a derived `Clone` would shrink every chunk to its
/// length): chunks of a copy take insertions without reallocating, as the original's do, and
/// a [`join`](Chunks::join) into a copy reuses its buffers as they are instead of growing
/// each one it writes into, a reallocation and a copy per chunk. A copy takes its buffers from
/// the allocator, not from the [spare buffers](spare): copied into spares, a 10^5-element set
/// then took 100 insertions in twice the time (criterion `update-gset-local`, 10 against
/// 5 µs), and a merge into a copy was no faster.
impl<E: Clone> Clone for Chunks<E> {
    fn clone(&self) -> Self {
        let chunks = self
            .chunks
            .iter()
            .map(|chunk| {
                let mut copy = Vec::with_capacity(chunk.capacity().min(Self::max_len()));
                copy.extend_from_slice(chunk);
                copy
            })
            .collect();
        Self {
            chunks,
            len: self.len,
        }
    }
}

/// A full chunk's buffer goes to this thread's [spare buffers](spare) for the next chunks.
/// Last chunk first: the spares are a stack, so the next sequence takes the buffers in the
/// order this one held them, mostly increasing addresses (taken in reverse, a merge at 10^6
/// entries was 15% slower).
impl<E> Drop for Chunks<E> {
    fn drop(&mut self) {
        for chunk in mem::take(&mut self.chunks).into_iter().rev() {
            spare::keep(chunk, Self::max_len());
        }
    }
}

/// Where an entry is, or would be inserted: a chunk and an index in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    chunk: usize,
    index: usize,
}

impl<E> Chunks<E> {
    /// The empty sequence.
    pub(crate) const fn new() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }

    /// The most entries in a chunk: about 2 KiB of entries, at least 16.
    pub(crate) const fn max_len() -> usize {
        let fit = 2048
            / if mem::size_of::<E>() == 0 {
                1
            } else {
                mem::size_of::<E>()
            };
        if fit < 16 { 16 } else { fit }
    }

    /// An empty chunk with room for [`max_len`](Self::max_len) entries: a [spare](spare)
    /// buffer if this thread keeps one.
    fn full_buffer() -> Vec<E> {
        spare::take(Self::max_len())
    }

    /// The chunks, for tests that look at the representation.
    #[cfg(test)]
    pub(crate) fn chunks_for_tests(&self) -> impl Iterator<Item = &Vec<E>> {
        self.chunks.iter()
    }

    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// True when there is no entry.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries in order.
    pub(crate) fn iter(&self) -> Iter<'_, E> {
        Iter {
            chunks: self.chunks.iter(),
            front: [].iter(),
            back: [].iter(),
            len: self.len,
        }
    }

    /// The entries from `pos` on, in order.
    pub(crate) fn iter_from(&self, pos: Pos) -> impl Iterator<Item = &E> + '_ {
        self.chunks
            .get(pos.chunk)
            .map_or(&[][..], |c| &c[pos.index..])
            .iter()
            .chain(self.chunks.iter().skip(pos.chunk + 1).flatten())
    }

    /// A sequence of `sorted`, which must be sorted strictly in the order of the sequence.
    pub(crate) fn from_sorted(sorted: Vec<E>) -> Self {
        let len = sorted.len();
        if len <= Self::max_len() {
            let chunks = if sorted.is_empty() {
                Vec::new()
            } else {
                vec![sorted]
            };
            return Self { chunks, len };
        }
        // Chunks three quarters full: room for insertions before the first splits.
        let per_chunk = Self::max_len() * 3 / 4;
        let mut chunks = Vec::with_capacity(len.div_ceil(per_chunk));
        let mut rest = sorted.into_iter();
        while rest.len() > 0 {
            let mut chunk = Self::full_buffer();
            chunk.extend(rest.by_ref().take(per_chunk));
            chunks.push(chunk);
        }
        Self { chunks, len }
    }

    /// The entries as one vector.
    pub(crate) fn into_vec(mut self) -> Vec<E> {
        let mut all = Vec::with_capacity(self.len);
        for mut chunk in mem::take(&mut self.chunks) {
            all.append(&mut chunk);
            spare::keep(chunk, Self::max_len());
        }
        all
    }

    /// Where `probe` finds its key: `Ok` at an entry equal to it, `Err` where it would be
    /// inserted. `probe` orders an entry against the key, as for `slice::binary_search_by`.
    /// Two binary searches, `O(log n)`.
    pub(crate) fn search(&self, probe: impl Fn(&E) -> Ordering) -> Result<Pos, Pos> {
        let chunk = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|last| probe(last) == Ordering::Less));
        let Some(entries) = self.chunks.get(chunk) else {
            // Past every entry: at the end of the last chunk.
            return Err(self.end());
        };
        entries
            .binary_search_by(probe)
            .map(|index| Pos { chunk, index })
            .map_err(|index| Pos { chunk, index })
    }

    /// The position after the last entry.
    fn end(&self) -> Pos {
        match self.chunks.len() {
            0 => Pos { chunk: 0, index: 0 },
            n => Pos {
                chunk: n - 1,
                index: self.chunks[n - 1].len(),
            },
        }
    }

    /// Inserts `entry` at `pos` (from [`search`](Self::search), with no change since), splitting
    /// the chunk in two when it overflows.
    pub(crate) fn insert(&mut self, pos: Pos, entry: E) {
        self.len += 1;
        let is_last = pos.chunk + 1 == self.chunks.len();
        let Some(chunk) = self.chunks.get_mut(pos.chunk) else {
            // The first chunk grows with its entries: a small set keeps a small buffer (a
            // 2 KiB one is beyond the allocator's per-thread cache, so every copy of a small
            // state would take its slow path).
            let mut first = Vec::with_capacity(Self::max_len().min(8));
            first.push(entry);
            self.chunks.push(first);
            return;
        };
        let max = Self::max_len();
        if chunk.len() < max {
            Self::reserve_one(chunk);
            chunk.insert(pos.index, entry);
            return;
        }
        // A full chunk splits before it grows, so that no chunk takes more than a full
        // chunk's room (a chunk grown past it and then halved held a quarter of its room, and
        // a large set built in order was a chunk per page, a quarter used). An entry appended
        // after the last one, as when a set is built in order, leaves the chunk three quarters
        // full, as `from_sorted` does; elsewhere the chunk splits in half.
        let appended = is_last && pos.index == max;
        let at = if appended { max * 3 / 4 } else { max / 2 };
        let mut upper = Self::full_buffer();
        upper.extend(chunk.drain(at..));
        if pos.index <= at {
            chunk.insert(pos.index, entry);
        } else {
            upper.insert(pos.index - at, entry);
        }
        self.chunks.insert(pos.chunk + 1, upper);
    }

    /// Makes room for one more entry in `chunk`, which holds fewer than
    /// [`max_len`](Self::max_len): doubling its room when it is full, but never past
    /// `max_len` entries (`Vec`'s own growth would take a chunk of 85 entries to a buffer of
    /// 128).
    fn reserve_one(chunk: &mut Vec<E>) {
        if chunk.len() == chunk.capacity() {
            chunk.reserve_exact(chunk.len().max(4).min(Self::max_len() - chunk.len()));
        }
    }

    /// Removes the entries from `pos` on for which `remove` holds, up to the first for which
    /// it does not; returns how many were removed.
    pub(crate) fn remove_run(&mut self, mut pos: Pos, remove: impl Fn(&E) -> bool) -> usize {
        let mut removed = 0;
        while let Some(chunk) = self.chunks.get_mut(pos.chunk) {
            let run = chunk[pos.index..].iter().take_while(|e| remove(e)).count();
            chunk.drain(pos.index..pos.index + run);
            removed += run;
            let reached_end = pos.index == chunk.len();
            if chunk.is_empty() {
                self.chunks.remove(pos.chunk);
            } else {
                pos.chunk += 1;
            }
            pos.index = 0;
            if !reached_end {
                break;
            }
        }
        self.len -= removed;
        removed
    }

    /// Keeps the entries for which `keep` holds.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&E) -> bool) {
        for chunk in &mut self.chunks {
            chunk.retain(&mut keep);
        }
        self.chunks.retain(|c| !c.is_empty());
        self.len = self.chunks.iter().map(Vec::len).sum();
    }
}

impl<E: Clone> Chunks<E> {
    /// Joins `right` into `self`, both sorted strictly by `cmp`, in one pass over both:
    /// an entry on both sides is kept (once, `self`'s); one on one side only is kept when
    /// `keep(entry, from_left)` holds. `O(n + m)`.
    ///
    /// A chunk of `self` that no entry of `right` falls within is moved whole (only filtered by
    /// `keep`), and a chunk of `right` below the next entry of `self` is copied whole. Elsewhere
    /// entries are merged into chunks of [`max_len`](Self::max_len), written into the buffers
    /// of `self`'s chunks already consumed, so the join allocates only for the growth. The
    /// choice of the next entry is a select, not a branch: randomly interleaved sides would
    /// mispredict half of the branches.
    ///
    /// `kept_whole(chunk, from_left)` may say that `keep` holds for every entry of a chunk
    /// (it must never say so wrongly; `false` is always safe). Where the two chunks being
    /// merged are both kept whole, their merge is a plain union that does not call `keep`,
    /// whose result would otherwise decide a branch per entry: unpredictable when the sides
    /// interleave randomly. Each chunk is asked once.
    pub(crate) fn join(
        &mut self,
        right: &Self,
        cmp: impl Fn(&E, &E) -> Ordering,
        keep: impl Fn(&E, bool) -> bool,
        kept_whole: impl Fn(&[E], bool) -> bool,
    ) {
        let mut join = Join {
            out: Vec::with_capacity(self.chunks.len() + right.chunks.len()),
            pool: Vec::new(),
            current: Vec::new(),
            len: 0,
            large: self.len + right.len >= 2 * Self::max_len(),
        };
        join.current = join.buffer();
        let mut lefts = mem::take(&mut self.chunks).into_iter();
        let mut rights = right.chunks.iter();
        let (mut left, mut right) = (advance(&mut lefts), advance(&mut rights));
        let (mut i, mut j) = (0, 0);
        // Whether `kept_whole` holds for the current chunk of each side, once asked.
        let (mut left_whole, mut right_whole): (Option<bool>, Option<bool>) = (None, None);
        loop {
            match (&mut left, right) {
                (Some(l), Some(r)) => {
                    if i == 0 && cmp(l.last().expect("chunks are not empty"), &r[j]).is_lt() {
                        // The whole left chunk comes before the next right entry.
                        l.retain(|e| keep(e, true));
                        join.flush();
                        join.push_chunk(mem::take(l));
                        left = advance(&mut lefts);
                        left_whole = None;
                        continue;
                    }
                    if j == 0 && cmp(r.last().expect("chunks are not empty"), &l[i]).is_lt() {
                        join.flush();
                        let mut copy = join.buffer();
                        copy.reserve(r.len());
                        copy.extend(r.iter().filter(|e| keep(e, false)).cloned());
                        join.push_chunk(copy);
                        right = advance(&mut rights);
                        right_whole = None;
                        continue;
                    }
                    let union = *left_whole.get_or_insert_with(|| kept_whole(l, true))
                        && *right_whole.get_or_insert_with(|| kept_whole(r, false));
                    (i, j) = if union {
                        merge_steps::<E, true>((l, i), (r, j), &mut join.current, &cmp, &|_, _| {
                            true
                        })
                    } else {
                        merge_steps::<E, false>((l, i), (r, j), &mut join.current, &cmp, &keep)
                    };
                    if join.current.len() == Self::max_len() {
                        join.flush();
                    }
                    if i == l.len() {
                        l.clear();
                        join.pool.push(mem::take(l));
                        left = advance(&mut lefts);
                        left_whole = None;
                        i = 0;
                    }
                    if j == r.len() {
                        right = advance(&mut rights);
                        right_whole = None;
                        j = 0;
                    }
                }
                (Some(l), None) => {
                    if i > 0 {
                        join.extend(l.drain(i..).filter(|e| keep(e, true)));
                        l.clear();
                        join.pool.push(mem::take(l));
                        left = advance(&mut lefts);
                        left_whole = None;
                        i = 0;
                        continue;
                    }
                    l.retain(|e| keep(e, true));
                    join.flush();
                    join.push_chunk(mem::take(l));
                    left = advance(&mut lefts);
                    left_whole = None;
                }
                (None, Some(r)) => {
                    join.extend(r[j..].iter().filter(|e| keep(e, false)).cloned());
                    right = advance(&mut rights);
                    right_whole = None;
                    j = 0;
                }
                (None, None) => break,
            }
        }
        join.flush();
        self.len = join.len;
        self.chunks = join.out;
        for unused in join.pool {
            spare::keep(unused, Self::max_len());
        }
    }
}

/// [`Chunks::join`]'s merge of `left` from `i` and `right` from `j` into `out`, until either
/// side runs out or `out` holds [`Chunks::max_len`] entries; returns the new `(i, j)`.
///
/// Not inlined, and writing into a local vector: inside the join, with its many live
/// variables, the loop's indices and the vector's length were kept on the stack, a store and
/// a reload in each step's chain of dependencies. The two sides' bounds are the loop's
/// conditions, so no step checks an index twice. `UNION`: every entry is kept (the caller's
/// `keep` is never asked).
#[inline(never)]
fn merge_steps<E: Clone, const UNION: bool>(
    (left, mut i): (&[E], usize),
    (right, mut j): (&[E], usize),
    out: &mut Vec<E>,
    cmp: &impl Fn(&E, &E) -> Ordering,
    keep: &impl Fn(&E, bool) -> bool,
) -> (usize, usize) {
    let limit = Chunks::<E>::max_len();
    let mut written = mem::take(out);
    // Room for what these two chunks can still give, up to a full chunk.
    let room = limit
        .saturating_sub(written.len())
        .min(left.len() - i + right.len() - j);
    if written.capacity() == 0 && room == limit {
        written = Chunks::full_buffer();
    } else {
        written.reserve_exact(room);
    }
    while written.len() < limit {
        let (Some(x), Some(y)) = (left.get(i), right.get(j)) else {
            break;
        };
        if UNION {
            // Two independent comparisons rather than one ordering tested twice: each index
            // then waits on one compare, not on an ordering computed and tested (10% off a
            // union of large sets; where `keep` decides, the single ordering does better).
            let (before, after) = (cmp(x, y).is_lt(), cmp(y, x).is_lt());
            written.push(select_unpredictable(!after, x, y).clone());
            i += usize::from(!after);
            j += usize::from(!before);
            continue;
        }
        let order = cmp(x, y);
        let from_left = order.is_le();
        let entry = select_unpredictable(from_left, x, y);
        if order.is_eq() | keep(entry, from_left) {
            written.push(entry.clone());
        }
        i += usize::from(from_left);
        j += usize::from(order.is_ge());
    }
    *out = written;
    (i, j)
}

/// The chunks of one side of a [`Chunks::join`], in order.
trait Side<E>: Iterator {
    /// The chunk after the one `next` returned last.
    fn following(&self) -> Option<&Vec<E>>;
}

impl<E> Side<E> for std::vec::IntoIter<Vec<E>> {
    fn following(&self) -> Option<&Vec<E>> {
        self.as_slice().first()
    }
}

impl<E> Side<E> for std::slice::Iter<'_, Vec<E>> {
    fn following(&self) -> Option<&Vec<E>> {
        self.as_slice().first()
    }
}

/// The next chunk of `side`, with the one after it [`prefetch`]ed.
fn advance<E, S: Side<E>>(side: &mut S) -> Option<S::Item> {
    let next = side.next();
    prefetch(side.following());
    next
}

/// Asks the processor to bring `chunk`'s entries into the cache: the join calls it on the
/// chunk after the one it starts, which then comes from memory while the current one is
/// merged. Chunks are separate allocations, so the processor's own prefetching, which follows
/// a sequential stream within a page, starts each chunk with misses (at 10^6 OR-Set entries
/// per side, the first pass over each chunk was a third of the merge's time).
#[allow(unsafe_code)]
fn prefetch<E>(chunk: Option<&Vec<E>>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(chunk) = chunk {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = chunk.as_ptr().cast::<i8>();
        for offset in (0..mem::size_of_val(chunk.as_slice())).step_by(64) {
            // SAFETY: `_mm_prefetch` needs SSE, which every x86-64 processor has. A prefetch
            // is a hint: it reads nothing into the program, never faults and writes nothing;
            // the addresses are within the chunk's entries anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset)) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = chunk;
}

/// The output of [`Chunks::join`]: the chunks written, the chunk being written and the
/// buffers free for the next ones.
struct Join<E> {
    out: Vec<Vec<E>>,
    pool: Vec<Vec<E>>,
    current: Vec<E>,
    len: usize,
    /// Whether the join writes at least two full chunks' worth of entries.
    large: bool,
}

impl<E> Join<E> {
    /// An empty buffer for a chunk: a consumed one if any (its capacity as it was), else, in a
    /// large join, a full chunk's ([spare](spare) if this thread keeps one), else a new one
    /// that grows with what is written into it, so that small joins allocate only what they
    /// hold. (A large join's chunks grown piecemeal were reallocated two or three times each,
    /// and a grown buffer is rarely exactly a full chunk's, so it was not kept as a spare.)
    fn buffer(&mut self) -> Vec<E> {
        match self.pool.pop() {
            Some(consumed) => consumed,
            None if self.large => Chunks::full_buffer(),
            None => Vec::new(),
        }
    }

    /// Ends the chunk being written.
    fn flush(&mut self) {
        if !self.current.is_empty() {
            let next = self.buffer();
            let full = mem::replace(&mut self.current, next);
            self.push_chunk(full);
        }
    }

    /// Appends a whole chunk, unless it is empty.
    fn push_chunk(&mut self, chunk: Vec<E>) {
        if chunk.is_empty() {
            self.pool.push(chunk);
        } else {
            self.len += chunk.len();
            self.out.push(chunk);
        }
    }

    /// Appends entries one by one.
    fn extend(&mut self, entries: impl Iterator<Item = E>) {
        for e in entries {
            if self.current.len() == Chunks::<E>::max_len() {
                self.flush();
            }
            Chunks::reserve_one(&mut self.current);
            self.current.push(e);
        }
    }
}

/// The iterator of [`Chunks::iter`].
#[derive(Clone)]
pub struct Iter<'a, E> {
    chunks: std::slice::Iter<'a, Vec<E>>,
    front: std::slice::Iter<'a, E>,
    back: std::slice::Iter<'a, E>,
    len: usize,
}

impl<'a, E> Iterator for Iter<'a, E> {
    type Item = &'a E;

    #[inline]
    fn next(&mut self) -> Option<&'a E> {
        loop {
            if let Some(e) = self.front.next() {
                self.len -= 1;
                return Some(e);
            }
            match self.chunks.next() {
                Some(chunk) => self.front = chunk.iter(),
                None => {
                    let e = self.back.next()?;
                    self.len -= 1;
                    return Some(e);
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl<E> DoubleEndedIterator for Iter<'_, E> {
    fn next_back(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.back.next_back() {
                self.len -= 1;
                return Some(e);
            }
            match self.chunks.next_back() {
                Some(chunk) => self.back = chunk.iter(),
                None => {
                    let e = self.front.next_back()?;
                    self.len -= 1;
                    return Some(e);
                }
            }
        }
    }
}

impl<E> ExactSizeIterator for Iter<'_, E> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The prefetch's `unsafe` block: on every kind of chunk (none, empty, a zero-sized or an
    /// odd-sized entry, one cache line or many, a chunk at the end of its allocation) it
    /// changes nothing and does not fault.
    #[test]
    fn prefetch_touches_nothing() {
        prefetch::<u64>(None);
        prefetch(Some(&Vec::<u64>::new()));
        let zero_sized = vec![(); 1000];
        prefetch(Some(&zero_sized));
        assert_eq!(zero_sized.len(), 1000);
        for len in [1usize, 7, 8, 9, 85, 1000] {
            let odd: Vec<[u8; 3]> = (0..len).map(|i| [i as u8; 3]).collect();
            let wide: Vec<(u64, crate::Dot)> = (0..len as u64)
                .map(|i| (i, crate::Dot::new(crate::ReplicaId::new(1), i)))
                .collect();
            let mut exact = Vec::with_capacity(len);
            exact.extend(0..len as u64);
            prefetch(Some(&odd));
            prefetch(Some(&wide));
            prefetch(Some(&exact));
            assert!(odd.iter().enumerate().all(|(i, e)| *e == [i as u8; 3]));
            assert!(wide.iter().zip(0..).all(|(e, i)| e.0 == i && e.1.seq == i));
            assert!(exact.iter().copied().eq(0..len as u64));
        }
    }

    fn of(values: &BTreeSet<u16>) -> Chunks<u16> {
        Chunks::from_sorted(values.iter().copied().collect())
    }

    fn check(chunks: &Chunks<u16>, expected: &BTreeSet<u16>) -> Result<(), TestCaseError> {
        prop_assert!(chunks.chunks.iter().all(|c| !c.is_empty()));
        prop_assert!(
            chunks
                .chunks
                .iter()
                .all(|c| c.len() <= Chunks::<u16>::max_len())
        );
        // No chunk takes more room than a full one.
        prop_assert!(
            chunks
                .chunks
                .iter()
                .all(|c| c.capacity() <= Chunks::<u16>::max_len())
        );
        prop_assert_eq!(chunks.len(), expected.len());
        prop_assert!(chunks.iter().eq(expected.iter()));
        prop_assert!(chunks.iter().rev().eq(expected.iter().rev()));
        Ok(())
    }

    /// A copy keeps the room of every chunk, so that joins into it and insertions do not
    /// reallocate.
    #[test]
    fn a_copy_keeps_the_capacity_of_its_chunks() {
        let chunks = Chunks::from_sorted((0..5000u16).collect());
        assert!(chunks.chunks.len() > 1);
        let copy = chunks.clone();
        for (original, copied) in chunks.chunks.iter().zip(&copy.chunks) {
            assert_eq!(copied, original);
            assert!(copied.capacity() >= Chunks::<u16>::max_len());
            assert!(copied.len() < Chunks::<u16>::max_len());
        }
        assert_eq!(copy.len(), chunks.len());
    }

    /// A sequence built by appending in order, as the benchmarks build their sets, fills its
    /// chunks three quarters (as `from_sorted` does), in buffers of a full chunk's room.
    #[test]
    fn appending_in_order_leaves_chunks_three_quarters_full() {
        let max = Chunks::<u16>::max_len();
        let mut chunks = Chunks::new();
        for x in 0..5000u16 {
            let pos = chunks.search(|e: &u16| e.cmp(&x)).unwrap_err();
            chunks.insert(pos, x);
        }
        let (last, full) = chunks.chunks.split_last().unwrap();
        assert!(full.iter().all(|c| c.len() == max * 3 / 4));
        assert!(last.len() <= max);
        assert!(chunks.chunks.iter().all(|c| c.capacity() <= max));
        assert!(chunks.iter().copied().eq(0..5000));
    }

    /// Insertions and removals through `search`, against a `BTreeSet`, with enough entries for
    /// many chunks (`max_len` is 1024 for `u16`).
    #[test]
    fn updates_match_a_btree_set() {
        let ops = proptest::collection::vec((any::<bool>(), 0..6000u16), 0..3000);
        proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(32))
            .run(&ops, |ops| {
                let mut chunks = Chunks::new();
                let mut expected = BTreeSet::new();
                for (insert, x) in ops {
                    match (insert, chunks.search(|e: &u16| e.cmp(&x))) {
                        (true, Err(pos)) => chunks.insert(pos, x),
                        (false, Ok(pos)) => {
                            prop_assert_eq!(chunks.remove_run(pos, |e| *e == x), 1);
                        }
                        _ => {}
                    }
                    if insert {
                        expected.insert(x);
                    } else {
                        expected.remove(&x);
                    }
                }
                check(&chunks, &expected)
            })
            .unwrap();
    }

    /// The join against the union (`keep` always true) and against the union filtered by
    /// `keep`, for sides of a few entries to many chunks, interleaved or in separate ranges
    /// (where whole chunks are moved or copied); each filtered join both without and with
    /// `kept_whole` telling which chunks `keep` keeps whole (merged by the plain union).
    #[test]
    fn join_matches_its_definition() {
        let side = (
            0..4u16,
            proptest::collection::btree_set(0..5000u16, 0..4000),
        )
            .prop_map(|(shift, xs)| xs.into_iter().map(|x| x + shift * 3000).collect());
        // Odd entries of the left only and even ones of the right only (few chunks kept
        // whole); every entry of the left and those of the right in every other block of 1500
        // values (whole chunks of either side, of up to 1024 values, kept).
        let odd_even = |e: &u16, from_left: bool| (e % 2 == 1) == from_left;
        let blocks = |e: &u16, from_left: bool| from_left || (e / 1500).is_multiple_of(2);
        proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64))
            .run(
                &(side.clone(), side),
                |(x, y): (BTreeSet<u16>, BTreeSet<u16>)| {
                    let mut union = of(&x);
                    union.join(&of(&y), Ord::cmp, |_, _| true, |_, _| true);
                    check(&union, &x.union(&y).copied().collect())?;
                    for keep in [&odd_even as &dyn Fn(&u16, bool) -> bool, &blocks] {
                        let expected = x
                            .union(&y)
                            .copied()
                            .filter(|e| match (x.contains(e), y.contains(e)) {
                                (true, true) => true,
                                (true, false) => keep(e, true),
                                (false, _) => keep(e, false),
                            })
                            .collect();
                        let mut filtered = of(&x);
                        filtered.join(&of(&y), Ord::cmp, keep, |_, _| false);
                        check(&filtered, &expected)?;
                        let mut told = of(&x);
                        told.join(&of(&y), Ord::cmp, keep, |chunk, from_left| {
                            chunk.iter().all(|e| keep(e, from_left))
                        });
                        check(&told, &expected)?;
                    }
                    let mut in_place = union.clone();
                    in_place.retain(|e| e % 3 != 0);
                    check(
                        &in_place,
                        &x.union(&y).copied().filter(|e| e % 3 != 0).collect(),
                    )
                },
            )
            .unwrap();
    }
}
