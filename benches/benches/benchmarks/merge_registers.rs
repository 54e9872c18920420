//! Merging two registers: LWW registers written concurrently, and MV-registers holding 2 to
//! 1,000 concurrent values each (disjoint, or half of them known to both sides), beside (with
//! `peers`) the `crdts` crate's `LWWReg` and `MVReg`, merged with `CvRDT::merge`.
//!
//! Groups `merge-lwwregister` and `merge-mvregister-<overlap>`, benches `<Type>` and
//! `peer-crdts`; throughput counts the values of both sides.

#[cfg(feature = "peers")]
use crdt_benches::inputs::crdts_peer;
use crdt_benches::inputs::{Overlap, lww_register_pair, mvregister_pair};
use crdt_impls::{LwwRegister, MvRegister};
use criterion::Criterion;

use super::{MergeGroup, REPLICAS, config};

fn merge_registers(c: &mut Criterion) {
    let lww = MergeGroup::new("merge-lwwregister".into(), &[1], 2).ours(
        "LwwRegister",
        |_| lww_register_pair(),
        LwwRegister::merge,
    );
    #[cfg(feature = "peers")]
    let lww = lww.peer(|_| crdts_peer::lwwreg_pair());
    lww.run(c);

    for overlap in Overlap::ALL {
        let mv = MergeGroup::new(format!("merge-mvregister-{}", overlap.name()), &REPLICAS, 2)
            .ours(
                "MvRegister",
                move |r| mvregister_pair(r, overlap),
                MvRegister::merge,
            );
        #[cfg(feature = "peers")]
        let mv = mv.peer(move |r| crdts_peer::mvreg_pair(r, overlap));
        mv.run(c);
    }
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = merge_registers
}
