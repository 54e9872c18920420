//! Merging two OR-Maps of G-Counters at 10^2 to 10^4 keys per side, disjoint and overlapping
//! by half, beside the floor (the union of two sorted `Vec<u64>` of the keys) and, with
//! `peers`, the `crdts` crate's `Map` of `GCounter`s (a `BTreeMap` of entries, each with its
//! own version vector, and deferred removals), merged with `CvRDT::merge`.
//!
//! Groups `merge-ormap-<overlap>`, benches `OrMap`, `floor-vec-union` and `peer-crdts`,
//! parameter the keys per side; throughput counts the keys of both sides.

#[cfg(feature = "peers")]
use crdt_benches::inputs::crdts_peer;
use crdt_benches::inputs::{Overlap, ormap_pair};
use criterion::Criterion;

use super::{MergeGroup, config};

/// The keys per side.
const KEYS: [usize; 3] = [100, 1_000, 10_000];

fn merge_ormap(c: &mut Criterion) {
    for overlap in Overlap::ALL {
        let group = MergeGroup::new(format!("merge-ormap-{}", overlap.name()), &KEYS, 2)
            .floor(overlap)
            .ours("OrMap", move |n| ormap_pair(n, overlap), |a, b| a.merge(b));
        #[cfg(feature = "peers")]
        let group = group.peer(move |n| crdts_peer::map_pair(n, overlap));
        group.run(c);
    }
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = merge_ormap
}
