//! Harness throughput on the standard workload: the delta OR-Set model, 4 replicas, 50 steps
//! per schedule, every fault (drops, duplicates, reordering, partitions, crashes), run with 1
//! and 2 worker threads. Throughput counts schedules, so criterion reports schedules per
//! second; `bench-report` adds the speedup from 1 to 2 threads and the rate per thread.
//!
//! Group `harness`, bench `orset-delta`, parameter `1-thread` or `2-threads`.

use crdt_harness::{Faults, Harness};
use crdt_impls::models::OrSetModel;
use criterion::{BenchmarkId, Criterion, Throughput};

use super::config;

/// Schedules per iteration: enough that the thread pool's start-up is negligible.
const SCHEDULES: u64 = 256;

fn harness(c: &mut Criterion) {
    let model = OrSetModel::default();
    let mut group = c.benchmark_group("harness");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SCHEDULES));
    for threads in [1, 2] {
        let harness = Harness::delta(&model)
            .replicas(4)
            .steps(50)
            .faults(Faults::ALL)
            .schedules(SCHEDULES)
            .seed(6)
            .threads(threads);
        let param = if threads == 1 {
            "1-thread".to_owned()
        } else {
            format!("{threads}-threads")
        };
        group.bench_function(BenchmarkId::new("orset-delta", param), |b| {
            b.iter(|| {
                let summary = harness.run();
                assert_eq!(summary.schedules, SCHEDULES);
                assert!(summary.passed(), "the reference OR-Set broke a property");
                summary
            });
        });
    }
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = harness
}
