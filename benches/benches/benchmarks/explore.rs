//! Exhaustive exploration: states explored per second, and what the reductions save.
//!
//! Group `explore`: the G-Counter (operation `Increment(1)`) and the OR-Set (`Add(1)`,
//! `Remove(1)`), both state-based, 3 replicas, depth 8, a calm network, the explorer's fast
//! checks, sleep sets on, symmetry off (both models declare their replicas interchangeable;
//! the reduction group measures it), one thread, capped at [`CAP`] states (depth 8 is far beyond what
//! fits in memory: sends pile up messages in flight); the coverage printed on stderr says
//! which depth was completed. Throughput counts distinct states, so criterion reports states
//! per second per core.
//!
//! Group `explore-reduction`: the same G-Counter at depth 6 (the whole space: no cap) with no reduction, sleep sets,
//! symmetry, and both. Throughput counts the states of the unreduced run in every bench, so the
//! ratio of two throughputs is the speed-up; the state and transition counts of each variant,
//! and the reduction factors, are printed once on stderr.

use crdt_harness::explore::{Check, Explorer};
use crdt_impls::models::{GCounterModel, OrSetModel};
use crdt_impls::ops::{CounterOp, SetOp};
use criterion::{BenchmarkId, Criterion, Throughput};

use super::config;

const REPLICAS: u32 = 3;

/// The memory cap of the throughput benches, in states.
const CAP: u64 = 300_000;

fn throughput(c: &mut Criterion) {
    let counter = GCounterModel::default();
    let set = OrSetModel::default();
    let g = Explorer::state(&counter)
        .replicas(REPLICAS)
        .depth(8)
        .check(Check::Fast)
        .threads(1)
        .symmetric(false)
        .max_states(CAP)
        .alphabet(vec![CounterOp::Increment(1)]);
    let o = Explorer::state(&set)
        .replicas(REPLICAS)
        .depth(8)
        .check(Check::Fast)
        .threads(1)
        .symmetric(false)
        .max_states(CAP)
        .alphabet(vec![SetOp::Add(1), SetOp::Remove(1)]);
    let mut group = c.benchmark_group("explore");
    group.sample_size(10);
    let first = g.explore().expect("the G-Counter explores");
    eprintln!("explore: {}", first.coverage);
    group.throughput(Throughput::Elements(first.coverage.states));
    group.bench_function(BenchmarkId::new("gcounter-3r-d8", "1-thread"), |b| {
        b.iter(|| {
            let e = g.explore().expect("the G-Counter explores");
            assert!(e.passed(), "{e}");
            e.coverage.states
        });
    });
    let first = o.explore().expect("the OR-Set explores");
    eprintln!("explore: {}", first.coverage);
    group.throughput(Throughput::Elements(first.coverage.states));
    group.bench_function(BenchmarkId::new("orset-3r-d8", "1-thread"), |b| {
        b.iter(|| {
            let e = o.explore().expect("the OR-Set explores");
            assert!(e.passed(), "{e}");
            e.coverage.states
        });
    });
    group.finish();
}

fn reduction(c: &mut Criterion) {
    let counter = GCounterModel::default();
    let explorer = |symmetric: bool, sleep: bool| {
        Explorer::state(&counter)
            .replicas(REPLICAS)
            .depth(6)
            .check(Check::Fast)
            .threads(1)
            .symmetric(symmetric)
            .sleep_sets(sleep)
            .alphabet(vec![CounterOp::Increment(1)])
    };
    let variants = [
        ("none", false, false),
        ("sleep-sets", false, true),
        ("symmetry", true, false),
        ("symmetry+sleep-sets", true, true),
    ];
    let plain = explorer(false, false).explore().expect("explores").coverage;
    for (name, symmetric, sleep) in variants {
        let cov = explorer(symmetric, sleep)
            .explore()
            .expect("explores")
            .coverage;
        eprintln!(
            "explore-reduction {name}: {} states ({:.2}x fewer), {} transitions ({:.2}x fewer), \
             {} pruned by symmetry, {} by independence",
            cov.states,
            plain.states as f64 / cov.states as f64,
            cov.transitions,
            plain.transitions as f64 / cov.transitions as f64,
            cov.pruned_by_symmetry,
            cov.pruned_by_independence
        );
    }
    let mut group = c.benchmark_group("explore-reduction");
    group.sample_size(10);
    group.throughput(Throughput::Elements(plain.states));
    for (name, symmetric, sleep) in variants {
        let e = explorer(symmetric, sleep);
        group.bench_function(BenchmarkId::new("gcounter-3r-d6", name), |b| {
            b.iter(|| e.explore().expect("explores").coverage.states);
        });
    }
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = throughput, reduction
}
