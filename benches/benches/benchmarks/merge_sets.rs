//! Merging two states of a set or map: every reference set type and the map, at 10^2 to 10^6
//! elements per side, disjoint and overlapping by half, beside the floor (the union of two
//! sorted `Vec<u64>` of the same elements) and, with `peers`, the `crdts` crate's `GSet`
//! (a `BTreeSet`) and `Orswot` (hash maps of version vectors), merged with `CvRDT::merge`
//! as its docs show.
//!
//! Groups `merge-<type>-<overlap>`, benches `<Type>`, `floor-vec-union` and `peer-crdts`,
//! parameter the elements per side; throughput counts the elements of both sides.

#[cfg(feature = "peers")]
use crdt_benches::inputs::crdts_peer;
use crdt_benches::inputs::{Overlap, gset_pair, lww_set_pair, map_pair, orset_pair, pair_pair};
use crdt_impls::{GSet, LwwElementSet, OrSet, Pair};
use criterion::Criterion;

use super::{MergeGroup, SET_SIZES, config};

fn merge_sets(c: &mut Criterion) {
    for overlap in Overlap::ALL {
        let o = overlap.name();
        let gset = MergeGroup::new(format!("merge-gset-{o}"), &SET_SIZES, 2)
            .floor(overlap)
            .ours("GSet", move |n| gset_pair(n, overlap), GSet::merge);
        #[cfg(feature = "peers")]
        let gset = gset.peer(move |n| crdts_peer::gset_pair(n, overlap));
        gset.run(c);

        let orset = MergeGroup::new(format!("merge-orset-{o}"), &SET_SIZES, 2)
            .floor(overlap)
            .ours("OrSet", move |n| orset_pair(n, overlap), OrSet::merge);
        #[cfg(feature = "peers")]
        let orset = orset.peer(move |n| crdts_peer::orswot_pair(n, overlap));
        orset.run(c);

        MergeGroup::new(format!("merge-lwwset-{o}"), &SET_SIZES, 2)
            .floor(overlap)
            .ours(
                "LwwElementSet",
                move |n| lww_set_pair(n, overlap),
                LwwElementSet::merge,
            )
            .run(c);

        MergeGroup::new(format!("merge-map-{o}"), &SET_SIZES, 2)
            .floor(overlap)
            .ours("Map", move |n| map_pair(n, overlap), |a, b| a.merge(b))
            .run(c);

        // A pair is its parts side by side (2 sets of `n` per side): small sizes show its
        // overhead.
        MergeGroup::new(format!("merge-pair-{o}"), &[100, 10_000], 4)
            .ours("Pair", move |n| pair_pair(n, overlap), Pair::merge)
            .run(c);
    }
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = merge_sets
}
