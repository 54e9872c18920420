//! Loro 1.x: a `LoroDoc` and its root `LoroText`, the `LoroDoc` itself as state.

use crdt_laws::proptest::strategy::BoxedStrategy;
use crdt_laws::vocab::list::{ListOp, RightSiblings};
use crdt_laws::{Delivery, Dot, History, Model, NonInterleaving, OpCrdt, ReplicaId};
use loro::{ExportMode, LoroDoc};

use super::{fugue_spec, ids, list_ops, splice};

/// Loro's text as an op-based CRDT. A local edit is `insert` or `delete` (positions in code
/// points) and `commit`, shipped as the `export` of the updates since the version before it; a
/// remote update goes to `import`, which keeps changes whose dependencies are missing pending
/// and skips changes it has, so any order and duplicates are fine. The peer id is the replica's
/// index. `LoroDoc` clones as a handle to the same document: `fork` is Loro's `fork` (a
/// snapshot) with the same peer id, plus the pending changes `fork` leaves out.
#[derive(Clone, Copy, Debug)]
pub struct LoroText {
    /// The non-interleaving checked: Loro's text is Fugue (backward, not maximal).
    pub non_interleaving: NonInterleaving,
}

fn with_peer(doc: LoroDoc, peer: u64) -> LoroDoc {
    doc.set_peer_id(peer).expect("any peer id but u64::MAX");
    doc
}

impl Model for LoroText {
    type State = LoroDoc;
    type Op = ListOp<char>;
    type Value = String;

    fn new_replica(&self, id: ReplicaId) -> LoroDoc {
        with_peer(LoroDoc::new(), id.0.into())
    }
    fn value(&self, doc: &LoroDoc) -> String {
        doc.get_text("text").to_string()
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        list_ops()
    }
    fn fork(&self, doc: &LoroDoc) -> LoroDoc {
        let copy = with_peer(doc.fork(), doc.peer_id());
        if let Some(pending) = doc.export_pending_updates().expect("encodes") {
            copy.import(&pending).expect("Loro imports its own changes");
        }
        copy
    }
    fn spec(&self, history: &History<ListOp<char>>) -> Option<String> {
        fugue_spec(history, RightSiblings::ById)
    }
    fn element_ids(&self, doc: &LoroDoc) -> Option<Vec<Dot>> {
        ids(&self.value(doc))
    }
    fn non_interleaving(&self) -> NonInterleaving {
        self.non_interleaving
    }
}

impl OpCrdt for LoroText {
    type Message = Vec<u8>;

    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }
    fn local(&self, doc: &mut LoroDoc, dot: Dot, op: &ListOp<char>) -> Vec<u8> {
        let (at, delete, insert) = splice(op, &self.value(doc), dot, |_| 1);
        let before = doc.oplog_vv();
        let spliced = doc.get_text("text").splice(at, delete, &insert);
        spliced.expect("the index is in range");
        doc.commit();
        doc.export(ExportMode::updates(&before)).expect("encodes")
    }
    fn effect(&self, doc: &mut LoroDoc, update: &Vec<u8>) {
        doc.import(update).expect("Loro imports its own updates");
    }
}
