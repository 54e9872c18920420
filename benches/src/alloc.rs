//! A counting global allocator, to measure the peak memory of a piece of code.
//!
//! Install it in a binary, then wrap the code to measure in [`CountingAlloc::measure`]:
//!
//! ```
//! use crdt_benches::alloc::CountingAlloc;
//!
//! #[global_allocator]
//! static ALLOC: CountingAlloc = CountingAlloc::new();
//!
//! let (text, usage) = ALLOC.measure(|| "x".repeat(1 << 20));
//! assert!(usage.peak >= 1 << 20);
//! assert_eq!(usage.retained, text.capacity() as isize);
//! ```
//!
//! Counting is off outside [`measure`](CountingAlloc::measure): then each allocation pays one
//! relaxed load, so the timings of the other benchmarks in the same binary are not disturbed.
//! While measuring it counts the bytes requested (`Layout::size`), not the allocator's own
//! rounding and bookkeeping, from every thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};

/// A [`GlobalAlloc`] that forwards to [`System`] and, while a measurement runs, counts the bytes
/// allocated and freed and the peak of their difference.
#[derive(Debug)]
pub struct CountingAlloc {
    counting: AtomicBool,
    /// Bytes allocated minus bytes freed since the measurement started.
    net: AtomicIsize,
    /// The largest value `net` reached.
    peak: AtomicIsize,
    /// Serializes measurements: the counters are global.
    one_at_a_time: Mutex<()>,
}

/// What a measured closure allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    /// The most bytes held at once beyond what was held when the measurement started.
    pub peak: usize,
    /// Bytes still held when the closure returned, its result included (negative if the
    /// closure freed more than it allocated).
    pub retained: isize,
}

impl CountingAlloc {
    /// An allocator that is not counting yet.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            counting: AtomicBool::new(false),
            net: AtomicIsize::new(0),
            peak: AtomicIsize::new(0),
            one_at_a_time: Mutex::new(()),
        }
    }

    /// Runs `f` and returns its result with what it allocated. Measurements run one at a time
    /// (a second caller waits); allocations made meanwhile by other threads are counted too.
    pub fn measure<R>(&self, f: impl FnOnce() -> R) -> (R, Usage) {
        let _guard = self
            .one_at_a_time
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.net.store(0, Relaxed);
        self.peak.store(0, Relaxed);
        self.counting.store(true, Relaxed);
        let result = f();
        self.counting.store(false, Relaxed);
        let usage = Usage {
            peak: usize::try_from(self.peak.load(Relaxed)).unwrap_or(0),
            retained: self.net.load(Relaxed),
        };
        (result, usage)
    }

    /// True while a measurement runs.
    #[must_use]
    pub fn is_counting(&self) -> bool {
        self.counting.load(Relaxed)
    }

    #[inline]
    fn grow(&self, bytes: usize) {
        if self.counting.load(Relaxed) {
            let bytes = isize::try_from(bytes).unwrap_or(isize::MAX);
            let now = self.net.fetch_add(bytes, Relaxed).saturating_add(bytes);
            self.peak.fetch_max(now, Relaxed);
        }
    }

    #[inline]
    fn shrink(&self, bytes: usize) {
        if self.counting.load(Relaxed) {
            let bytes = isize::try_from(bytes).unwrap_or(isize::MAX);
            self.net.fetch_sub(bytes, Relaxed);
        }
    }
}

impl Default for CountingAlloc {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so it
// upholds `GlobalAlloc`'s contract exactly as `System` does; the bookkeeping around the calls
// only touches atomics and never allocates (which would recurse into this allocator).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` (a non-zero size) is `System`'s.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            self.grow(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            self.grow(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees `ptr` came from this allocator, i.e. from `System`,
        // with this `layout`.
        unsafe { System.dealloc(ptr, layout) };
        self.shrink(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `ptr` came from `System` with `layout`, and that
        // `new_size` is valid for its alignment.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            self.shrink(layout.size());
            self.grow(new_size);
        }
        new
    }
}
