//! Merging two counters with 2 to 1,000 replica entries each, disjoint and overlapping by
//! half, beside (with `peers`) the `crdts` crate's `GCounter` and `PNCounter` (version vectors
//! in a `BTreeMap`), merged with `CvRDT::merge`.
//!
//! Groups `merge-<type>-<overlap>`, benches `<Type>` and `peer-crdts`, parameter the replica
//! entries per side; throughput counts the entries of both sides (a PN-Counter has two per
//! replica).

#[cfg(feature = "peers")]
use crdt_benches::inputs::crdts_peer;
use crdt_benches::inputs::{Overlap, gcounter_pair, pncounter_pair};
use crdt_impls::{GCounter, PnCounter};
use criterion::Criterion;

use super::{MergeGroup, REPLICAS, config};

fn merge_counters(c: &mut Criterion) {
    for overlap in Overlap::ALL {
        let o = overlap.name();
        let g = MergeGroup::new(format!("merge-gcounter-{o}"), &REPLICAS, 2).ours(
            "GCounter",
            move |r| gcounter_pair(r, overlap),
            GCounter::merge,
        );
        #[cfg(feature = "peers")]
        let g = g.peer(move |r| crdts_peer::gcounter_pair(r, overlap));
        g.run(c);

        let pn = MergeGroup::new(format!("merge-pncounter-{o}"), &REPLICAS, 4).ours(
            "PnCounter",
            move |r| pncounter_pair(r, overlap),
            PnCounter::merge,
        );
        #[cfg(feature = "peers")]
        let pn = pn.peer(move |r| crdts_peer::pncounter_pair(r, overlap));
        pn.run(c);
    }
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = merge_counters
}
