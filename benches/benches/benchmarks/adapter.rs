//! The adapter protocol's overhead: the same CRDT (the reference OR-Set, state-based, 3
//! replicas, 50 steps per schedule, every fault) checked natively and served by the Rust
//! adapter ([`crdt_harness::adapter::serve`]) in a child process over the protocol, each
//! schedule recorded on the answers a correct adapter gives and sent as one batch, which the
//! child runs while the next schedule is recorded (`docs/protocol.md`, "Batches"). Throughput
//! counts schedules; the per-schedule cost ratio served/native is the overhead (the issue's
//! target: at most 3x). One thread, so both sides run the same schedules in the same order.
//!
//! The child is this bench binary itself, started with [`SERVE_ENV`] set.
//!
//! Group `adapter`, benches `orset-native` and `orset-served`; and a JavaScript adapter's
//! throughput with one and two processes, `yjs-text-1-process` and `yjs-text-2-processes`
//! (skipped without node and `npm ci` in `adapters/real/js`).

use crdt_harness::adapter::{AdapterModel, DEFAULT_TIMEOUT, Vocabulary, serve};
use crdt_harness::protocol::{OpProtocol, StateProtocol};
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

/// `schedules` schedules of `replicas` replicas, 50 steps, every fault, on `threads` threads.
fn options(replicas: u32, schedules: u64, threads: usize) -> Options {
    Options {
        seed: 6,
        schedules: Some(schedules),
        threads: Some(threads),
        keep_going: true,
        shape: Shape {
            replicas: Dimension::Fixed(replicas),
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
    let opts = options(3, SCHEDULES, 1);
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

/// The Yjs text adapter of `adapters/real/js` (`node yjs.js text`), when its packages are
/// installed (`npm ci` there) and `node` runs.
fn yjs_command() -> Option<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../adapters/real/js");
    let installed = dir.join("node_modules/yjs").is_dir();
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    (installed && node).then(|| format!("node '{}' text", dir.join("yjs.js").display()))
}

/// Schedules per iteration of the Yjs benches.
const YJS_SCHEDULES: u64 = 16;

/// A JavaScript adapter's throughput: Yjs' Y.Text over the protocol, 4 replicas, 50 steps per
/// schedule, with one adapter process (`--threads 1`) and with two (`--threads 2`, a process
/// per worker thread). The ratio of the two is the parallel speedup (target: at least 1.7x on
/// two free cores).
fn yjs(c: &mut Criterion) {
    let Some(command) = yjs_command() else {
        eprintln!("adapter/yjs-text: skipped: needs node and `npm ci` in adapters/real/js");
        return;
    };
    let model = AdapterModel::start(&command, DEFAULT_TIMEOUT).expect("the Yjs adapter starts");
    let mut group = c.benchmark_group("adapter");
    group.sample_size(10);
    group.throughput(Throughput::Elements(YJS_SCHEDULES));
    for (threads, name) in [(1, "yjs-text-1-process"), (2, "yjs-text-2-processes")] {
        let opts = options(4, YJS_SCHEDULES, threads);
        group.bench_function(BenchmarkId::new(name, "4x50"), |b| {
            b.iter(|| {
                let summary = search(&OpProtocol(&model), &opts);
                assert_eq!(summary.schedules, YJS_SCHEDULES, "{:?}", summary.failure());
                summary
            });
        });
    }
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = adapter, yjs
}
