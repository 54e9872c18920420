//! The counting allocator, installed as this test binary's global allocator.

use std::hint::black_box;

use crdt_benches::alloc::CountingAlloc;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc::new();

const MB: usize = 1 << 20;

fn measures_peak_and_retained_bytes() {
    // A transient megabyte, then a kept half megabyte.
    let (kept, usage) = ALLOC.measure(|| {
        drop(black_box(vec![1u8; MB]));
        black_box(Vec::<u8>::with_capacity(MB / 2))
    });
    assert!(usage.peak >= MB, "{usage:?}");
    assert!(usage.peak < MB + MB / 2 + 4096, "{usage:?}");
    assert!(usage.retained >= (MB / 2) as isize, "{usage:?}");
    assert!(usage.retained < (MB / 2 + 4096) as isize, "{usage:?}");
    drop(kept);
    assert!(!ALLOC.is_counting());
}

fn growth_by_realloc_counts_the_final_size_and_frees_count_negative() {
    let before = black_box(vec![0u64; MB / 8]);
    let (_, usage) = ALLOC.measure(|| {
        let mut v: Vec<u64> = Vec::new();
        for i in 0..(MB / 8) as u64 {
            v.push(i);
        }
        drop(black_box(v));
        drop(before);
    });
    assert!(usage.peak >= MB, "{usage:?}");
    // The vector allocated before the measurement was freed during it.
    assert!(usage.retained <= -(MB as isize) + 4096, "{usage:?}");
}

fn nothing_is_counted_outside_a_measurement() {
    let (_, first) = ALLOC.measure(|| ());
    let big = black_box(vec![0u8; 4 * MB]);
    let (_, second) = ALLOC.measure(|| ());
    drop(big);
    assert!(
        first.peak < 4096 && second.peak < 4096,
        "{first:?} {second:?}"
    );
}

/// One test: the counters are global, so measurements must not overlap with another test's
/// allocations.
#[test]
fn counting_allocator() {
    measures_peak_and_retained_bytes();
    growth_by_realloc_counts_the_final_size_and_frees_count_negative();
    nothing_is_counted_outside_a_measurement();
}
