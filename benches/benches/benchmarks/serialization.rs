//! Serialization with `serde_json`: encoding each reference CRDT's state, and decoding it
//! (which checks the type's invariants), for sets and the map at 10^3 and 10^5 elements and
//! counters and the MV-register at 1,000 replica entries. The encoded size per element is saved
//! as the `json_bytes_per_element` metric.
//!
//! Groups `serde-json-encode` and `serde-json-decode`, benches `<Type>`, parameter the size;
//! throughput counts elements (or replica entries).

use std::hint::black_box;

use crdt_benches::inputs::{
    Overlap, gcounter_pair, gset_pair, lww_set_pair, map_pair, mvregister_pair, orset_pair,
    pncounter_pair,
};
use crdt_benches::metrics::{self, Metrics};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::config;

const SIZES: [usize; 2] = [1_000, 100_000];
const REPLICAS: usize = 1_000;

fn encode<T: Serialize>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, n: usize, state: &T) {
    let json = serde_json::to_vec(state).expect("the reference types serialize");
    let per_element = json.len() as f64 / n as f64;
    let mut m = Metrics::new();
    m.insert("json_bytes_per_element".into(), per_element);
    if let Err(e) = metrics::write("serde-json-encode", name, &n.to_string(), &m) {
        eprintln!("serde-json-encode/{name}/{n}: could not save the size metric: {e}");
    }
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter(|| serde_json::to_vec(black_box(state)).expect("serializes"));
    });
}

fn decode<T: Serialize + DeserializeOwned>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    n: usize,
    state: &T,
) {
    let json = serde_json::to_vec(state).expect("the reference types serialize");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(&json)).expect("round trips"));
    });
}

/// Runs `each` on every type's state, named as its bench.
fn for_each_state(mut each: impl FnMut(&str, usize, &dyn ErasedState)) {
    for n in SIZES {
        each("GSet", n, &gset_pair(n, Overlap::Disjoint).0);
        each("OrSet", n, &orset_pair(n, Overlap::Disjoint).0);
        each("LwwElementSet", n, &lww_set_pair(n, Overlap::Disjoint).0);
        each("Map", n, &map_pair(n, Overlap::Disjoint).0);
    }
    each(
        "GCounter",
        REPLICAS,
        &gcounter_pair(REPLICAS, Overlap::Disjoint).0,
    );
    each(
        "PnCounter",
        REPLICAS,
        &pncounter_pair(REPLICAS, Overlap::Disjoint).0,
    );
    each(
        "MvRegister",
        REPLICAS,
        &mvregister_pair(REPLICAS, Overlap::Disjoint).0,
    );
}

/// The two benches of a state, behind one object-safe trait so one loop lists the types.
trait ErasedState {
    fn encode(&self, group: &mut BenchmarkGroup<'_, WallTime>, name: &str, n: usize);
    fn decode(&self, group: &mut BenchmarkGroup<'_, WallTime>, name: &str, n: usize);
}

impl<T: Serialize + DeserializeOwned> ErasedState for T {
    fn encode(&self, group: &mut BenchmarkGroup<'_, WallTime>, name: &str, n: usize) {
        encode(group, name, n, self);
    }
    fn decode(&self, group: &mut BenchmarkGroup<'_, WallTime>, name: &str, n: usize) {
        decode(group, name, n, self);
    }
}

fn serialization(c: &mut Criterion) {
    let mut group = c.benchmark_group("serde-json-encode");
    for_each_state(|name, n, state| state.encode(&mut group, name, n));
    group.finish();
    let mut group = c.benchmark_group("serde-json-decode");
    for_each_state(|name, n, state| state.decode(&mut group, name, n));
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = serialization
}
