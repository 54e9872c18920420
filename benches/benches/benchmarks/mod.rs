//! The benchmark groups, one per file, and what they share.

use std::cell::OnceCell;
use std::hint::black_box;
use std::time::Duration;

use crdt_benches::alloc::CountingAlloc;
use crdt_benches::inputs::{Overlap, vec_pair, vec_union};
use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, BenchmarkId, Criterion, Throughput};

pub(crate) mod adapter;
pub(crate) mod explore;
pub(crate) mod harness;
pub(crate) mod lists;
pub(crate) mod merge_counters;
pub(crate) mod merge_ormap;
pub(crate) mod merge_registers;
pub(crate) mod merge_sets;
pub(crate) mod moves;
pub(crate) mod serialization;
pub(crate) mod sync;
pub(crate) mod updates;

/// Counts allocations while a bench measures memory; otherwise one relaxed load per
/// allocation, so timings are not disturbed.
#[global_allocator]
pub(crate) static ALLOC: CountingAlloc = CountingAlloc::new();

/// The settings of every group: short warm-ups and measurements, so the whole default run
/// fits in 15 minutes on two cores. Groups with slow benches lower the sample size.
pub(crate) fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(20)
}

/// The set sizes of the merge benchmarks.
pub(crate) const SET_SIZES: [usize; 5] = [100, 1_000, 10_000, 100_000, 1_000_000];

/// The replica counts of the counter and register merge benchmarks.
pub(crate) const REPLICAS: [usize; 4] = [2, 10, 100, 1_000];

/// Fewer samples for benches whose inputs hold `size` elements or more: criterion's minimum
/// of 10 samples still gives a stable median there, and keeps the run short.
pub(crate) fn samples_for(group: &mut BenchmarkGroup<'_, WallTime>, size: usize) {
    group.sample_size(if size >= 100_000 { 10 } else { 20 });
}

/// How criterion batches the setup of a bench whose input holds `size` elements.
pub(crate) fn batch_for(size: usize) -> BatchSize {
    if size >= 10_000 {
        BatchSize::LargeInput
    } else {
        BatchSize::SmallInput
    }
}

/// The benches of one merge group, run parameter by parameter so that the floor, ours and the
/// peers with the same parameter are measured one after the other.
///
/// Each bench builds its inputs when criterion first runs it, once: a filtered run builds only
/// what it measures (the inputs at 10^6 take about a second each, and building and dropping
/// them would also leave the allocator's heap, which the large merges are sensitive to, in
/// another state than a run of that bench alone).
pub(crate) struct MergeGroup {
    name: String,
    params: Vec<usize>,
    /// Elements counted by the throughput, per unit of the parameter.
    per_param: u64,
    benches: Vec<Box<GroupBench>>,
}

type GroupBench = dyn Fn(&mut BenchmarkGroup<'_, WallTime>, usize);

impl MergeGroup {
    /// A group `name` over `params`, with `per_param` elements of throughput per unit.
    pub(crate) fn new(name: String, params: &[usize], per_param: u64) -> Self {
        Self {
            name,
            params: params.to_vec(),
            per_param,
            benches: Vec::new(),
        }
    }

    /// Adds `floor-vec-union`: the union of two sorted `Vec<u64>` of the same elements.
    pub(crate) fn floor(mut self, overlap: Overlap) -> Self {
        self.benches.push(Box::new(move |group, n| {
            let inputs = OnceCell::new();
            group.bench_function(BenchmarkId::new("floor-vec-union", n), |b| {
                let (left, right) = inputs.get_or_init(|| vec_pair(n, overlap));
                b.iter_batched(
                    || (),
                    |()| vec_union(black_box(left), black_box(right)),
                    batch_for(n),
                );
            });
        }));
        self
    }

    /// Adds our `name`: `merge` on the pair of states `pair(n)`.
    pub(crate) fn ours<T: Clone + 'static>(
        mut self,
        name: &'static str,
        pair: impl Fn(usize) -> (T, T) + 'static,
        merge: fn(&mut T, &T),
    ) -> Self {
        self.benches.push(Box::new(move |group, n| {
            let inputs = OnceCell::new();
            group.bench_function(BenchmarkId::new(name, n), |b| {
                let (left, right) = inputs.get_or_init(|| pair(n));
                b.iter_batched(
                    || left.clone(),
                    |mut state| {
                        merge(&mut state, black_box(right));
                        state
                    },
                    batch_for(n),
                );
            });
        }));
        self
    }

    /// Adds `peer-crdts`: `CvRDT::merge` on `pair(n)`. It takes the other state by value, so
    /// both are copied outside the timing.
    #[cfg(feature = "peers")]
    pub(crate) fn peer<T: Clone + crdts::CvRDT + 'static>(
        mut self,
        pair: impl Fn(usize) -> (T, T) + 'static,
    ) -> Self {
        self.benches.push(Box::new(move |group, n| {
            let inputs = OnceCell::new();
            group.bench_function(BenchmarkId::new("peer-crdts", n), |b| {
                let (left, right) = inputs.get_or_init(|| pair(n));
                b.iter_batched(
                    || (left.clone(), right.clone()),
                    |(mut state, other)| {
                        state.merge(black_box(other));
                        state
                    },
                    batch_for(n),
                );
            });
        }));
        self
    }

    /// Runs every bench at every parameter.
    pub(crate) fn run(self, c: &mut Criterion) {
        let mut group = c.benchmark_group(&self.name);
        for &n in &self.params {
            samples_for(&mut group, n);
            group.throughput(Throughput::Elements(self.per_param * n as u64));
            for bench in &self.benches {
                bench(&mut group, n);
            }
        }
        group.finish();
    }
}
