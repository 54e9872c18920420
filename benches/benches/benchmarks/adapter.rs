//! The adapter protocol's overhead: the same CRDT (the reference OR-Set, state-based, 3
//! replicas, 50 steps per schedule, every fault) checked natively and served by the Rust
//! adapter ([`crdt_harness::adapter::serve`]) in a child process over the protocol, its
//! requests batched between the queries. Throughput counts schedules; the per-schedule cost
//! ratio served/native is the overhead (the target: at most 3x). One thread, so both
//! sides run the same schedules in the same order.
//!
//! The child is this bench binary itself, started with [`SERVE_ENV`] set.
//!
//! Group `adapter`, benches `orset-native` and `orset-served`.

use crdt_harness::adapter::{AdapterModel, DEFAULT_TIMEOUT, Vocabulary, serve};
use crdt_harness::protocol::StateProtocol;
use crdt_harness::runner::{Options, search};
use crdt_harness::{Dimension, Faults, Shape};
use crdt_impls::models::OrSetModel;
use criterion::{BenchmarkId, Criterion, Throughput};

use super::config;

/// Set in the child process: it serves the OR-Set on stdin and stdout instead of benchmarking.
pub(crate) const SERVE_ENV: &str = "CRDT_BENCH_SERVE_ORSET";

/// Schedules per iteration.
const SCHEDULES: u64 = 64;

fn vocabulary(model: &OrSetModel) -> Vocabulary {
    let v =
        serde_json::json!({"kind": "set", "wins": "add", "domain": model.domain, "add_weight": 2});
    Vocabulary::parse(&v).expect("a valid vocabulary")
}

/// The child's `main`: serves the OR-Set until stdin ends.
pub(crate) fn serve_child() {
    let model = OrSetModel::default();
    serve(&StateProtocol(&model), &vocabulary(&model)).expect("stdin and stdout work");
}

fn options() -> Options {
    Options {
        seed: 6,
        schedules: Some(SCHEDULES),
        threads: Some(1),
        shape: Shape {
            replicas: Dimension::Fixed(3),
            steps: Dimension::Fixed(50),
            faults: Dimension::Fixed(Faults::ALL),
            ..Shape::default()
        },
        ..Options::default()
    }
}

fn adapter(c: &mut Criterion) {
    let model = OrSetModel::default();
    let exe = std::env::current_exe().expect("the bench binary's path");
    let command = format!("{SERVE_ENV}=1 '{}'", exe.display());
    let served = AdapterModel::start(&command, DEFAULT_TIMEOUT).expect("the served OR-Set starts");
    let opts = options();
    let mut group = c.benchmark_group("adapter");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SCHEDULES));
    group.bench_function(BenchmarkId::new("orset-native", "3x50"), |b| {
        b.iter(|| {
            let summary = search(&StateProtocol(&model), &opts);
            assert!(summary.passed() && summary.schedules == SCHEDULES);
            summary
        });
    });
    group.bench_function(BenchmarkId::new("orset-served", "3x50"), |b| {
        b.iter(|| {
            let summary = search(&StateProtocol(&served), &opts);
            assert!(
                summary.passed() && summary.schedules == SCHEDULES,
                "{:?}",
                summary.failure()
            );
            summary
        });
    });
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = adapter
}
