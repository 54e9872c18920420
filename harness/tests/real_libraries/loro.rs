//! Loro 1.x: a `LoroDoc` and its root `LoroText`, the `LoroDoc` itself as state.

use crdt_impls::fugue::ListOp;
use crdt_laws::{Delivery, Dot, Model, OpCrdt, ReplicaId};
use loro::{ExportMode, LoroDoc};
use proptest::strategy::BoxedStrategy;

use super::{Edit, edit, ids, list_ops};

/// Loro's text as an op-based CRDT. A local edit is `insert` or `delete` (positions in code
/// points) and `commit`, shipped as the `export` of the updates since the version before it; a
/// remote update goes to `import`, which keeps changes whose dependencies are missing pending
/// and skips changes it has, so any order and duplicates are fine. The peer id is the replica's
/// index. `LoroDoc` clones as a handle to the same document: `fork` is Loro's `fork` (a
/// snapshot) with the same peer id, plus the pending changes `fork` leaves out.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoroText {
    /// Ask the harness to check non-interleaving (Loro's text is Fugue).
    pub non_interleaving: bool,
}

const TEXT: &str = "text";

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
        doc.get_text(TEXT).to_string()
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        list_ops()
    }
    fn fork(&self, doc: &LoroDoc) -> LoroDoc {
        let copy = with_peer(doc.fork(), doc.peer_id());
        let pending = doc.export_pending_updates().expect("pending changes encode");
        pending.map(|bytes| copy.import(&bytes).expect("Loro imports its own changes"));
        copy
    }
    fn element_ids(&self, doc: &LoroDoc) -> Option<Vec<Dot>> {
        ids(&self.value(doc))
    }
    fn promises_non_interleaving(&self) -> bool {
        self.non_interleaving
    }
}

impl OpCrdt for LoroText {
    type Message = Vec<u8>;

    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }
    fn local(&self, doc: &mut LoroDoc, dot: Dot, op: &ListOp<char>) -> Vec<u8> {
        let (before, text) = (doc.oplog_vv(), doc.get_text(TEXT));
        let edited = match edit(op, text.len_unicode(), dot) {
            Some(Edit::Insert(at, c)) => text.insert(at, &c.to_string()),
            Some(Edit::Delete(at)) => text.delete(at, 1),
            None => Ok(()),
        };
        edited.expect("the index is in range");
        doc.commit();
        doc.export(ExportMode::updates(&before)).expect("updates encode")
    }
    fn effect(&self, doc: &mut LoroDoc, update: &Vec<u8>) {
        doc.import(update).expect("Loro imports its own updates");
    }
}
