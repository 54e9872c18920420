//! The sync flavour against the delta flavour on the same CRDT (issue 17): schedules per second
//! of a model that brings its own sync protocol (Almeida et al.'s delta intervals with
//! acknowledgements, `crdt_impls::sync::DeltaIntervals`, driven by `harness/src/sync.rs`) and of
//! the same CRDT as a delta-state model (the harness's own transport, `harness/src/sim.rs`).
//! 4 replicas, 50 steps, every fault, one thread, 256 schedules an iteration; throughput counts
//! schedules. Target: the sync flavour within 2× of the delta flavour.
//!
//! Group `sync`: benches `delta` and `sync`, parameter `gcounter` or `gset`.

use crdt_harness::{Faults, Harness, Summary};
use crdt_impls::models::{GCounterModel, GSetModel};
use crdt_impls::sync::DeltaIntervals;
use criterion::{BenchmarkId, Criterion, Throughput};

use super::config;

/// Schedules per iteration.
const SCHEDULES: u64 = 256;

fn shaped<P>(harness: Harness<P>) -> Harness<P>
where
    P: crdt_harness::protocol::Protocol + Clone + Send + 'static,
    <P::Model as crdt_harness::crdt_laws::Model>::Op: Send + 'static,
{
    harness
        .replicas(4)
        .steps(50)
        .faults(Faults::ALL)
        .schedules(SCHEDULES)
        .seed(6)
        .threads(1)
}

fn checked<Op>(summary: Summary<Op>) -> Summary<Op> {
    assert_eq!(summary.schedules, SCHEDULES);
    assert!(summary.passed(), "a reference model broke a property");
    summary
}

fn sync(c: &mut Criterion) {
    let mut group = c.benchmark_group("sync");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SCHEDULES));
    let (counter, set) = (GCounterModel::default(), GSetModel::default());
    let delta = shaped(Harness::delta(&counter));
    let own = shaped(Harness::sync(&DeltaIntervals::new(counter)));
    group.bench_function(BenchmarkId::new("delta", "gcounter"), |b| {
        b.iter(|| checked(delta.run()));
    });
    group.bench_function(BenchmarkId::new("sync", "gcounter"), |b| {
        b.iter(|| checked(own.run()));
    });
    let delta = shaped(Harness::delta(&set));
    let own = shaped(Harness::sync(&DeltaIntervals::new(set)));
    group.bench_function(BenchmarkId::new("delta", "gset"), |b| {
        b.iter(|| checked(delta.run()));
    });
    group.bench_function(BenchmarkId::new("sync", "gset"), |b| {
        b.iter(|| checked(own.run()));
    });
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = sync
}
