//! diamond-types 1.0: a `ListCRDT` (its operation log and the branch at its tip) as state.

use crdt_laws::proptest::strategy::BoxedStrategy;
use crdt_laws::vocab::list::{ListOp, RightSiblings};
use crdt_laws::{Delivery, Dot, History, Model, NonInterleaving, OpCrdt, ReplicaId};
use diamond_types::list::ListCRDT;
use diamond_types::list::encoding::ENCODE_PATCH;

use super::{Edit, edit, fugue_spec, ids, list_ops};

/// diamond-types' text as an op-based CRDT. A local edit is `insert` or `delete` (positions in
/// characters) by the agent named after the replica, shipped as the patch `encode_from` the
/// version before it; a remote patch goes to `merge_data_and_ff`, which skips operations it has
/// but rejects a patch whose parents it lacks, so delivery must be causal. `ListCRDT` clones
/// deeply, so `fork` is the default `clone`.
#[derive(Clone, Copy, Debug)]
pub struct DiamondText {
    /// The non-interleaving checked: diamond-types merges as FugueMax does (maximal).
    pub non_interleaving: NonInterleaving,
}

impl Model for DiamondText {
    type State = ListCRDT;
    type Op = ListOp<char>;
    type Value = String;

    fn new_replica(&self, _: ReplicaId) -> ListCRDT {
        ListCRDT::new()
    }
    fn value(&self, doc: &ListCRDT) -> String {
        doc.branch.content().to_string()
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        list_ops()
    }
    fn spec(&self, history: &History<ListOp<char>>) -> Option<String> {
        fugue_spec(history, RightSiblings::ByRightOriginReversed)
    }
    fn element_ids(&self, doc: &ListCRDT) -> Option<Vec<Dot>> {
        ids(&self.value(doc))
    }
    fn non_interleaving(&self) -> NonInterleaving {
        self.non_interleaving
    }
}

impl OpCrdt for DiamondText {
    type Message = Vec<u8>;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn local(&self, doc: &mut ListCRDT, dot: Dot, op: &ListOp<char>) -> Vec<u8> {
        let before = doc.oplog.local_version();
        let agent = doc.get_or_create_agent_id(&dot.replica.to_string());
        match edit(op, doc.len(), dot) {
            Some(Edit::Insert(at, c)) => _ = doc.insert(agent, at, &c.to_string()),
            Some(Edit::Delete(at)) => _ = doc.delete(agent, at..at + 1),
            None => {}
        }
        doc.oplog.encode_from(ENCODE_PATCH, &before)
    }
    fn effect(&self, doc: &mut ListCRDT, patch: &Vec<u8>) {
        doc.merge_data_and_ff(patch)
            .expect("causal delivery brings every parent");
    }
}
