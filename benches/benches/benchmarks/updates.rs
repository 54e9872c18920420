//! Update throughput: batches of 100 updates on a state that already holds 10^3 or 10^5
//! elements (sets, map) or 10 or 1,000 replica entries (counters, MV-register).
//!
//! Three costs of an update, each in its own group:
//! - `local`: the replica's own mutator (`insert`, `increment`, `set`, ...);
//! - `delta`: creating the delta of the update (`insert_delta`, ...) without applying it;
//! - `effect`: what a remote replica does with the update: merging the delta.
//!
//! With `peers`, the `crdts` crate does the same, the way its docs show: an `Op` derived from
//! the replica's read context (`add(x, read_ctx().derive_add_ctx(actor))`, `inc(actor)`) and
//! applied with `CmRDT::apply`, locally in `local`, at another replica in `effect`.
//!
//! Groups `update-<type>-<kind>`, benches `<Type>` and `peer-crdts`, parameter the state's
//! size; throughput counts the updates.

use std::hint::black_box;

use crdt_benches::inputs::{Overlap, RegisterMap, key, mvregister_pair};
use crdt_impls::{
    GCounter, GSet, LwwElementSet, LwwRegister, MvRegister, OrSet, PnCounter, ReplicaId,
};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};

use super::{batch_for, config};

/// Updates per iteration.
const BATCH: usize = 100;
/// The sizes of the sets and the map updated.
const SIZES: [usize; 2] = [1_000, 100_000];
/// The replica entries of the counters and registers updated.
const REPLICAS: [usize; 2] = [10, 1_000];

const HERE: ReplicaId = ReplicaId::new(0);
const THERE: ReplicaId = ReplicaId::new(1);

/// The elements of a state of size `n`: keys `0..n`, sorted.
fn elements(n: usize) -> Vec<u64> {
    let mut keys: Vec<u64> = (0..n as u64).map(key).collect();
    keys.sort_unstable();
    keys
}

/// `BATCH` elements not in a state of size `n`, in no particular order.
fn fresh(n: usize) -> Vec<u64> {
    (n as u64..(n + BATCH) as u64).map(key).collect()
}

/// Times `update` on a copy of `state` made outside the timing.
fn bench<S: Clone, R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    param: usize,
    state: &S,
    update: impl Fn(&mut S) -> R,
) {
    group.bench_function(BenchmarkId::new(name, param), |b| {
        b.iter_batched(
            || state.clone(),
            |mut s| {
                let r = update(&mut s);
                (s, r)
            },
            batch_for(param),
        );
    });
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(BATCH as u64));
    group
}

fn orset_of(replica: ReplicaId, keys: &[u64]) -> OrSet<u64> {
    let mut set = OrSet::new();
    for &k in keys {
        set.insert(replica, k);
    }
    set
}

/// A G-Set of size `n` and `BATCH` elements it lacks.
fn gset(n: usize) -> (GSet<u64>, Vec<u64>) {
    (elements(n).into_iter().collect(), fresh(n))
}

/// An OR-Set of size `n` inserted at `HERE`, `BATCH` elements it lacks and `BATCH` it holds.
fn orset(n: usize) -> (OrSet<u64>, Vec<u64>, Vec<u64>) {
    let keys = elements(n);
    let present = keys.iter().step_by(n / BATCH).copied().collect();
    (orset_of(HERE, &keys), fresh(n), present)
}

#[cfg(feature = "peers")]
fn orswot(n: usize) -> crdts::Orswot<u64, u32> {
    use crdts::CmRDT;
    let mut theirs = crdts::Orswot::new();
    for x in elements(n) {
        theirs.apply(theirs.add(x, theirs.read_ctx().derive_add_ctx(0)));
    }
    theirs
}

fn gset_local(c: &mut Criterion) {
    let mut group = group(c, "update-gset-local");
    for n in SIZES {
        let (state, new) = gset(n);
        bench(&mut group, "GSet", n, &state, |s| {
            for &x in &new {
                s.insert(black_box(x));
            }
        });
        #[cfg(feature = "peers")]
        {
            let mut theirs = crdts::GSet::new();
            for x in elements(n) {
                theirs.insert(x);
            }
            bench(&mut group, "peer-crdts", n, &theirs, |s| {
                for &x in &new {
                    s.insert(black_box(x));
                }
            });
        }
    }
    group.finish();
}

fn gset_delta(c: &mut Criterion) {
    let mut group = group(c, "update-gset-delta");
    for n in SIZES {
        let (state, new) = gset(n);
        bench(&mut group, "GSet", n, &state, |s| {
            new.iter()
                .map(|&x| s.insert_delta(black_box(x)))
                .collect::<Vec<_>>()
        });
    }
    group.finish();
}

fn gset_effect(c: &mut Criterion) {
    let mut group = group(c, "update-gset-effect");
    for n in SIZES {
        let (state, new) = gset(n);
        let deltas: Vec<GSet<u64>> = new.iter().map(|&x| state.insert_delta(x)).collect();
        bench(&mut group, "GSet", n, &state, |s| {
            for d in &deltas {
                s.merge(black_box(d));
            }
        });
    }
    group.finish();
}

fn orset_local(c: &mut Criterion) {
    let mut group = group(c, "update-orset-local");
    for n in SIZES {
        let (state, new, _) = orset(n);
        bench(&mut group, "OrSet", n, &state, |s| {
            for &x in &new {
                s.insert(HERE, black_box(x));
            }
        });
        #[cfg(feature = "peers")]
        bench(&mut group, "peer-crdts", n, &orswot(n), |s| {
            use crdts::CmRDT;
            for &x in &new {
                s.apply(s.add(black_box(x), s.read_ctx().derive_add_ctx(0)));
            }
        });
    }
    group.finish();
}

fn orset_remove(c: &mut Criterion) {
    let mut group = group(c, "update-orset-remove");
    for n in SIZES {
        let (state, _, present) = orset(n);
        bench(&mut group, "OrSet", n, &state, |s| {
            for x in &present {
                s.remove(black_box(x));
            }
        });
        #[cfg(feature = "peers")]
        bench(&mut group, "peer-crdts", n, &orswot(n), |s| {
            use crdts::CmRDT;
            for &x in &present {
                s.apply(s.rm(black_box(x), s.contains(&x).derive_rm_ctx()));
            }
        });
    }
    group.finish();
}

fn orset_delta(c: &mut Criterion) {
    let mut group = group(c, "update-orset-delta");
    for n in SIZES {
        let (state, new, _) = orset(n);
        bench(&mut group, "OrSet", n, &state, |s| {
            new.iter()
                .map(|&x| s.insert_delta(HERE, black_box(x)))
                .collect::<Vec<_>>()
        });
        #[cfg(feature = "peers")]
        bench(&mut group, "peer-crdts", n, &orswot(n), |s| {
            new.iter()
                .map(|&x| s.add(black_box(x), s.read_ctx().derive_add_ctx(0)))
                .collect::<Vec<_>>()
        });
    }
    group.finish();
}

fn orset_effect(c: &mut Criterion) {
    let mut group = group(c, "update-orset-effect");
    for n in SIZES {
        let (state, new, _) = orset(n);
        // The deltas of a run of insertions at HERE, merged at a replica holding HERE's state.
        let mut source = state.clone();
        let deltas: Vec<OrSet<u64>> = new
            .iter()
            .map(|&x| {
                let d = source.insert_delta(HERE, x);
                source.merge(&d);
                d
            })
            .collect();
        bench(&mut group, "OrSet", n, &state, |s| {
            for d in &deltas {
                s.merge(black_box(d));
            }
        });
        #[cfg(feature = "peers")]
        {
            use crdts::CmRDT;
            let theirs = orswot(n);
            let mut source = theirs.clone();
            let ops: Vec<_> = new
                .iter()
                .map(|&x| {
                    let op = source.add(x, source.read_ctx().derive_add_ctx(0));
                    source.apply(op.clone());
                    op
                })
                .collect();
            bench(&mut group, "peer-crdts", n, &theirs, |s| {
                for op in &ops {
                    s.apply(black_box(op.clone()));
                }
            });
        }
    }
    group.finish();
}

fn lww_set_local(c: &mut Criterion) {
    let mut group = group(c, "update-lwwset-local");
    for n in SIZES {
        let mut state = LwwElementSet::<u64>::new();
        for x in elements(n) {
            state.insert(x);
        }
        let new = fresh(n);
        bench(&mut group, "LwwElementSet", n, &state, |s| {
            for &x in &new {
                s.insert(black_box(x));
            }
        });
    }
    group.finish();
}

fn map_local(c: &mut Criterion) {
    let mut group = group(c, "update-map-local");
    for n in SIZES {
        let state: RegisterMap = elements(n)
            .into_iter()
            .map(|k| (k, LwwRegister::new()))
            .collect();
        let new = fresh(n);
        bench(&mut group, "Map", n, &state, |s| {
            for &x in &new {
                s.update(black_box(x), |r| r.set(HERE, x));
            }
        });
    }
    group.finish();
}

/// A G-Counter with `r` entries, and the replica in the middle, which increments.
fn gcounter(r: usize) -> (GCounter, ReplicaId) {
    let mut state = GCounter::new();
    for i in 0..r as u32 {
        state.increment(ReplicaId::new(i), 1).expect("small counts");
    }
    (state, ReplicaId::new(r as u32 / 2))
}

#[cfg(feature = "peers")]
fn crdts_gcounter(r: usize) -> (crdts::GCounter<u32>, u32) {
    use crdts::CmRDT;
    let mut theirs = crdts::GCounter::new();
    for i in 0..r as u32 {
        theirs.apply(theirs.inc(i));
    }
    (theirs, r as u32 / 2)
}

fn gcounter_local(c: &mut Criterion) {
    let mut group = group(c, "update-gcounter-local");
    for r in REPLICAS {
        let (state, me) = gcounter(r);
        bench(&mut group, "GCounter", r, &state, |s| {
            for _ in 0..BATCH {
                s.increment(me, black_box(1)).expect("small counts");
            }
        });
        #[cfg(feature = "peers")]
        {
            use crdts::CmRDT;
            let (theirs, me) = crdts_gcounter(r);
            bench(&mut group, "peer-crdts", r, &theirs, |s| {
                for _ in 0..BATCH {
                    s.apply(s.inc(black_box(me)));
                }
            });
        }
    }
    group.finish();
}

fn gcounter_delta(c: &mut Criterion) {
    let mut group = group(c, "update-gcounter-delta");
    for r in REPLICAS {
        let (state, me) = gcounter(r);
        bench(&mut group, "GCounter", r, &state, |s| {
            (0..BATCH)
                .map(|_| s.increment_delta(me, black_box(1)).expect("small counts"))
                .collect::<Vec<_>>()
        });
        #[cfg(feature = "peers")]
        {
            let (theirs, me) = crdts_gcounter(r);
            bench(&mut group, "peer-crdts", r, &theirs, |s| {
                (0..BATCH).map(|_| s.inc(black_box(me))).collect::<Vec<_>>()
            });
        }
    }
    group.finish();
}

fn gcounter_effect(c: &mut Criterion) {
    let mut group = group(c, "update-gcounter-effect");
    for r in REPLICAS {
        let (state, me) = gcounter(r);
        let mut source = state.clone();
        let deltas: Vec<GCounter> = (0..BATCH)
            .map(|_| {
                let d = source.increment_delta(me, 1).expect("small counts");
                source.merge(&d);
                d
            })
            .collect();
        bench(&mut group, "GCounter", r, &state, |s| {
            for d in &deltas {
                s.merge(black_box(d));
            }
        });
        #[cfg(feature = "peers")]
        {
            use crdts::CmRDT;
            let (theirs, me) = crdts_gcounter(r);
            let mut source = theirs.clone();
            let ops: Vec<_> = (0..BATCH)
                .map(|_| {
                    let op = source.inc(me);
                    source.apply(op);
                    op
                })
                .collect();
            bench(&mut group, "peer-crdts", r, &theirs, |s| {
                for &op in &ops {
                    s.apply(black_box(op));
                }
            });
        }
    }
    group.finish();
}

fn pncounter_local(c: &mut Criterion) {
    let mut group = group(c, "update-pncounter-local");
    for r in REPLICAS {
        let mut state = PnCounter::new();
        for i in 0..r as u32 {
            state.increment(ReplicaId::new(i), 2).expect("small counts");
            state.decrement(ReplicaId::new(i), 1).expect("small counts");
        }
        let me = ReplicaId::new(r as u32 / 2);
        bench(&mut group, "PnCounter", r, &state, |s| {
            for _ in 0..BATCH / 2 {
                s.increment(me, black_box(1)).expect("small counts");
                s.decrement(me, black_box(1)).expect("small counts");
            }
        });
        #[cfg(feature = "peers")]
        {
            use crdts::CmRDT;
            let mut theirs = crdts::PNCounter::<u32>::new();
            for i in 0..r as u32 {
                theirs.apply(theirs.inc_many(i, 2));
                theirs.apply(theirs.dec(i));
            }
            let me = r as u32 / 2;
            bench(&mut group, "peer-crdts", r, &theirs, |s| {
                for _ in 0..BATCH / 2 {
                    s.apply(s.inc(black_box(me)));
                    s.apply(s.dec(black_box(me)));
                }
            });
        }
    }
    group.finish();
}

fn lww_register_local(c: &mut Criterion) {
    let mut group = group(c, "update-lwwregister-local");
    let mut state = LwwRegister::new();
    state.set(THERE, 0u64);
    bench(&mut group, "LwwRegister", 1, &state, |s| {
        for i in 0..BATCH as u64 {
            s.set(HERE, black_box(i));
        }
    });
    #[cfg(feature = "peers")]
    {
        // A Lamport clock and the actor as the marker, like ours.
        let theirs = crdts::LWWReg {
            val: 0u64,
            marker: (1u64, 1u32),
        };
        bench(&mut group, "peer-crdts", 1, &theirs, |s| {
            for i in 0..BATCH as u64 {
                let marker = (s.marker.0 + 1, 0);
                s.update(black_box(i), marker);
            }
        });
    }
    group.finish();
}

fn mvregister_local(c: &mut Criterion) {
    let mut group = group(c, "update-mvregister-local");
    for r in REPLICAS {
        // `r` concurrent values, then one replica keeps overwriting them.
        let (state, _): (MvRegister<u64>, _) = mvregister_pair(r, Overlap::Disjoint);
        bench(&mut group, "MvRegister", r, &state, |s| {
            for i in 0..BATCH as u64 {
                s.set(HERE, black_box(i));
            }
        });
        #[cfg(feature = "peers")]
        {
            use crdts::CmRDT;
            let (theirs, _) = crdt_benches::inputs::crdts_peer::mvreg_pair(r, Overlap::Disjoint);
            bench(&mut group, "peer-crdts", r, &theirs, |s| {
                for i in 0..BATCH as u64 {
                    s.apply(s.write(black_box(i), s.read_ctx().derive_add_ctx(0)));
                }
            });
        }
    }
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = gset_local, gset_delta, gset_effect, orset_local, orset_remove, orset_delta,
        orset_effect, lww_set_local, map_local, gcounter_local, gcounter_delta, gcounter_effect,
        pncounter_local, lww_register_local, mvregister_local
}
