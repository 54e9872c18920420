//! Spare chunk buffers: a bounded store, per thread, of the full-size buffers that dropped
//! chunks leave behind, which new full-size chunks take before asking the allocator.
//!
//! A merge of two large sets writes more chunks than its left side held: at 10^6 OR-Set
//! entries a side, 10 MB of growth. Without the store, those pages came from the allocator
//! fresh on every merge: glibc hands memory freed at the top of its heap back to the kernel
//! beyond a trim threshold of 128 KiB (raised only when a large block of its own `mmap` is
//! freed), so a process that merges, drops the result and merges again faulted the growth in
//! again each time, about 2,700 page faults per merge, more than a third of its time. The
//! store keeps the buffers of dropped chunks, up to [`LIMIT_BYTES`] a thread, and a join's
//! growth, a sequence built from sorted entries and a chunk split in two reuse them, already
//! in memory. Copies do not (see `Clone for Chunks`).
//!
//! Only buffers of a full chunk ([`Chunks::max_len`](super::Chunks::max_len) entries, about
//! 2 KiB) are kept: small sets' chunks grow with their entries and are freed as usual. A
//! buffer is kept by its memory layout, not its type, so sets of different element types of
//! the same size and alignment share one shelf.

use std::alloc::Layout;
use std::cell::RefCell;
use std::mem::{self, ManuallyDrop};
use std::ptr::NonNull;

/// The most bytes of spare buffers kept by one thread: glibc's own largest trim threshold,
/// the memory it keeps at the top of its heap once a program has shown it frees large
/// blocks. A merge of two 10^6-entry OR-Sets writes 32 MB of chunks.
pub(crate) const LIMIT_BYTES: usize = 64 << 20;

/// The spare buffers of one memory layout.
struct Shelf {
    layout: Layout,
    buffers: Vec<NonNull<u8>>,
    /// Frees one buffer of this shelf: [`free`] of the element type that opened the shelf.
    free: unsafe fn(NonNull<u8>, Layout),
}

/// The spare buffers of one thread.
struct Store {
    shelves: Vec<Shelf>,
    bytes: usize,
}

impl Store {
    const fn new() -> Self {
        Self {
            shelves: Vec::new(),
            bytes: 0,
        }
    }

    /// Frees every buffer; returns how many bytes that was.
    #[allow(unsafe_code)]
    fn release(&mut self) -> usize {
        for shelf in &mut self.shelves {
            for buffer in shelf.buffers.drain(..) {
                // SAFETY: every buffer on a shelf came from a `Vec` whose allocation has the
                // shelf's layout (`keep` checks it), and is on no other shelf and in no `Vec`.
                unsafe { (shelf.free)(buffer, shelf.layout) };
            }
        }
        mem::replace(&mut self.bytes, 0)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.release();
    }
}

thread_local! {
    static STORE: RefCell<Store> = const { RefCell::new(Store::new()) };
}

/// The layout of a `Vec<E>`'s allocation of `capacity` entries, if it has one worth keeping.
fn layout_of<E>(capacity: usize) -> Option<Layout> {
    if mem::size_of::<E>() == 0 || capacity == 0 {
        return None;
    }
    Layout::array::<E>(capacity).ok()
}

/// Frees `buffer`, of `layout`, as the `Vec<E>` it was.
///
/// # Safety
/// `buffer` was allocated by the global allocator with `layout`, which is a
/// `Layout::array::<E>` of some capacity, and nothing else owns it.
#[allow(unsafe_code)]
unsafe fn free<E>(buffer: NonNull<u8>, layout: Layout) {
    let capacity = layout.size() / mem::size_of::<E>();
    // SAFETY: the caller guarantees that `buffer` was allocated by the global allocator with
    // the layout of `capacity` `E`s and that nothing else owns it; with a length of 0 no
    // entry is read or dropped, and dropping the `Vec` frees the buffer with that layout.
    drop(unsafe { Vec::<E>::from_raw_parts(buffer.as_ptr().cast::<E>(), 0, capacity) });
}

/// An empty vector with room for exactly `capacity` entries: a spare buffer of that layout
/// if this thread keeps one, else a new one.
#[allow(unsafe_code)]
pub(crate) fn take<E>(capacity: usize) -> Vec<E> {
    let spare = layout_of::<E>(capacity).and_then(|layout| {
        STORE
            .try_with(|store| {
                let mut store = store.try_borrow_mut().ok()?;
                let shelf = store.shelves.iter_mut().find(|s| s.layout == layout)?;
                let buffer = shelf.buffers.pop()?;
                store.bytes -= layout.size();
                Some(buffer)
            })
            .ok()
            .flatten()
    });
    match spare {
        // SAFETY: the buffer was allocated by the global allocator with `Layout::array::<E>
        // (capacity)` (its shelf's layout: the same size in bytes and the same alignment,
        // which is what `Vec::from_raw_parts` asks, whatever type left it there), it was
        // taken off its shelf, so nothing else owns it, and a length of 0 claims no entry.
        Some(buffer) => unsafe { Vec::from_raw_parts(buffer.as_ptr().cast::<E>(), 0, capacity) },
        None => Vec::with_capacity(capacity),
    }
}

/// Drops `buffer`'s entries and keeps its allocation for [`take`] when it holds exactly
/// `capacity` entries and this thread keeps fewer than [`LIMIT_BYTES`]; frees it otherwise.
pub(crate) fn keep<E>(mut buffer: Vec<E>, capacity: usize) {
    let Some(layout) = layout_of::<E>(buffer.capacity()).filter(|_| buffer.capacity() == capacity)
    else {
        return;
    };
    // Before the store is borrowed: an entry's drop may drop sets of its own.
    buffer.clear();
    // A buffer the closure does not keep is dropped with it, as usual.
    let _ = STORE.try_with(move |store| {
        let Ok(mut store) = store.try_borrow_mut() else {
            return;
        };
        if store.bytes + layout.size() > LIMIT_BYTES {
            return;
        }
        let Some(raw) = NonNull::new(ManuallyDrop::new(buffer).as_mut_ptr().cast::<u8>()) else {
            return;
        };
        store.bytes += layout.size();
        match store.shelves.iter_mut().find(|s| s.layout == layout) {
            Some(shelf) => shelf.buffers.push(raw),
            None => store.shelves.push(Shelf {
                layout,
                buffers: vec![raw],
                free: free::<E>,
            }),
        }
    });
}

/// Frees the spare chunk buffers this thread keeps; returns how many bytes they held.
///
/// The sets keep the buffers of large sets' dropped chunks, up to 64 MiB a thread, for the
/// next large sets and merges to reuse (a process that merges large states over and over
/// would otherwise have each merge fault its growth in again). A thread that is done with
/// large sets can hand that memory back at once; it is also freed when the thread exits.
///
/// ```
/// use crdt_impls::{release_spare_chunks, GSet};
///
/// let large: GSet<u64> = (0..100_000).collect();
/// drop(large);
/// assert!(release_spare_chunks() > 0);
/// assert_eq!(release_spare_chunks(), 0);
/// ```
pub fn release_spare_chunks() -> usize {
    STORE
        .try_with(|store| store.try_borrow_mut().map_or(0, |mut s| s.release()))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;
    use crate::sorted::Chunks;

    /// The bytes of spare buffers this thread keeps (each test runs on a thread of its own).
    fn kept() -> usize {
        STORE.with(|store| store.borrow().bytes)
    }

    #[test]
    fn a_kept_buffer_is_taken_again_empty_by_any_type_of_its_layout() {
        let mut buffer: Vec<u64> = Vec::with_capacity(256);
        buffer.extend(0..200);
        let address = buffer.as_ptr() as usize;
        keep(buffer, 256);
        assert_eq!(kept(), 2048);
        let floats: Vec<f64> = take(256);
        assert_eq!(floats.as_ptr() as usize, address);
        assert_eq!((floats.len(), floats.capacity()), (0, 256));
        assert_eq!(kept(), 0);
        // Back as the other type, then out as the first: the shelf is the layout's.
        keep(floats, 256);
        let again: Vec<u64> = take(256);
        assert_eq!(again.as_ptr() as usize, address);
    }

    #[test]
    fn another_alignment_or_size_is_another_shelf() {
        keep(Vec::<u64>::with_capacity(256), 256);
        // 2048 bytes too, but aligned to 2 or 4: not the u64s' buffer.
        let pairs: Vec<(u32, u32)> = take(256);
        assert_eq!(pairs.capacity(), 256);
        assert_eq!(kept(), 2048);
        let shorts: Vec<u16> = take(1024);
        assert_eq!(shorts.capacity(), 1024);
        assert_eq!(kept(), 2048);
        let fewer: Vec<u64> = take(128);
        assert_eq!(fewer.capacity(), 128);
        assert_eq!(kept(), 2048);
    }

    #[test]
    fn only_buffers_of_the_given_capacity_are_kept() {
        let mut grown: Vec<u64> = Vec::with_capacity(10);
        grown.push(1);
        keep(grown, 256);
        keep(Vec::<u64>::new(), 0);
        keep(Vec::<()>::with_capacity(256), 256);
        keep(vec![(); 300], 256);
        assert_eq!(kept(), 0);
        let units: Vec<()> = take(256);
        assert!(units.is_empty());
    }

    #[test]
    fn entries_are_dropped_when_their_buffer_is_kept() {
        let count = Rc::new(());
        let mut buffer = Vec::with_capacity(64);
        buffer.extend((0..40).map(|_| Rc::clone(&count)));
        assert_eq!(Rc::strong_count(&count), 41);
        keep(buffer, 64);
        assert_eq!(Rc::strong_count(&count), 1);
        assert_eq!(kept(), 64 * mem::size_of::<Rc<()>>());
    }

    #[test]
    fn the_store_keeps_at_most_its_limit() {
        let per = 2048;
        for _ in 0..LIMIT_BYTES / per + 10 {
            keep(Vec::<u64>::with_capacity(256), 256);
        }
        assert_eq!(kept(), LIMIT_BYTES);
        assert_eq!(release_spare_chunks(), LIMIT_BYTES);
        assert_eq!(kept(), 0);
        assert_eq!(release_spare_chunks(), 0);
    }

    /// An entry whose drop keeps a buffer of its own, as a set of sets does: the inner keep
    /// runs while the outer one clears its buffer, before it borrows the store.
    struct Nested(Vec<u64>, Rc<Cell<usize>>);

    impl Drop for Nested {
        fn drop(&mut self) {
            self.1.set(self.1.get() + 1);
            keep(mem::take(&mut self.0), 256);
        }
    }

    #[test]
    fn a_drop_that_keeps_a_buffer_inside_keep_is_kept_too() {
        let drops = Rc::new(Cell::new(0));
        let mut outer = Vec::with_capacity(4);
        outer.extend((0..3).map(|_| Nested(Vec::with_capacity(256), Rc::clone(&drops))));
        keep(outer, 4);
        assert_eq!(drops.get(), 3);
        assert_eq!(kept(), 3 * 2048 + 4 * mem::size_of::<Nested>());
    }

    #[test]
    fn buffers_kept_on_a_thread_that_ends_are_freed_with_it() {
        let kept_there = std::thread::spawn(|| {
            for _ in 0..100 {
                keep(Vec::<u64>::with_capacity(256), 256);
            }
            kept()
        })
        .join()
        .unwrap();
        assert_eq!(kept_there, 100 * 2048);
        assert_eq!(kept(), 0);
    }

    #[test]
    fn a_dropped_large_sequence_gives_the_next_its_buffers() {
        let max = Chunks::<u64>::max_len();
        let large = Chunks::from_sorted((0..100 * max as u64).collect());
        let addresses: std::collections::BTreeSet<usize> = large
            .chunks_for_tests()
            .map(|c| c.as_ptr() as usize)
            .collect();
        drop(large);
        assert!(kept() >= addresses.len() * 2048);
        let next = Chunks::from_sorted((0..100 * max as u64).map(|x| x * 3).collect());
        assert!(
            next.chunks_for_tests()
                .all(|c| addresses.contains(&(c.as_ptr() as usize)))
        );
        assert!(
            next.iter()
                .copied()
                .eq((0..100 * max as u64).map(|x| x * 3))
        );
        assert_eq!(kept(), 0);
        // A copy allocates afresh, and leaves the spares it finds.
        drop(Chunks::from_sorted((0..100 * max as u64).collect()));
        let spares = kept();
        let copy = next.clone();
        assert!(copy.iter().eq(next.iter()));
        assert_eq!(kept(), spares);
    }
}
