//! Harness throughput on the standard workload: the delta OR-Set model, 4 replicas, 50 steps
//! per schedule, every fault (drops, duplicates, reordering, partitions, crashes), run with 1
//! and 2 worker threads. Throughput counts schedules, so criterion reports schedules per
//! second; `bench-report` adds the speedup from 1 to 2 threads and the rate per thread.
//!
//! Group `harness`: bench `orset-delta` (256 schedules an iteration) and `orset-delta-10k`
//! (10,000 schedules an iteration, so that starting the workers and the last batch's tail do
//! not dominate), parameter `1-thread` or `2-threads`.

use crdt_harness::{Faults, Harness};
use crdt_impls::models::OrSetModel;
use criterion::{BenchmarkId, Criterion, Throughput};

use super::config;

/// The workloads: (bench, schedules per iteration).
const WORKLOADS: [(&str, u64); 2] = [("orset-delta", 256), ("orset-delta-10k", 10_000)];

fn harness(c: &mut Criterion) {
    let model = OrSetModel::default();
    let mut group = c.benchmark_group("harness");
    group.sample_size(10);
    for (bench, schedules) in WORKLOADS {
        group.throughput(Throughput::Elements(schedules));
        for threads in [1, 2] {
            let harness = Harness::delta(&model)
                .replicas(4)
                .steps(50)
                .faults(Faults::ALL)
                .schedules(schedules)
                .seed(6)
                .threads(threads);
            let param = if threads == 1 {
                "1-thread".to_owned()
            } else {
                format!("{threads}-threads")
            };
            group.bench_function(BenchmarkId::new(bench, param), |b| {
                b.iter(|| {
                    let summary = harness.run();
                    assert_eq!(summary.schedules, schedules);
                    assert!(summary.passed(), "the reference OR-Set broke a property");
                    summary
                });
            });
        }
    }
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = harness
}
