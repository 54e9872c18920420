//! automerge 0.12: an `AutoCommit` document holding one text object, the document itself as state.

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjId, ObjType, ROOT, ReadDoc, TextEncoding};
use crdt_laws::proptest::strategy::BoxedStrategy;
use crdt_laws::vocab::list::ListOp;
use crdt_laws::{Delivery, Dot, Model, NonInterleaving, OpCrdt, ReplicaId};

use super::{ids, list_ops, splice};

/// automerge's text as an op-based CRDT. Every replica starts from the same genesis change (the
/// text object, made by one fixed actor at time 0, so its hash is the same everywhere); a local
/// edit is `splice_text` (positions in code points) and `commit`, shipped as the change's bytes;
/// a remote change goes to `load_incremental`, which queues changes whose dependencies are
/// missing and skips changes it has, so any order and duplicates are fine. The actor id is the
/// replica's index. `AutoCommit` clones deeply, so `fork` is the default `clone`.
#[derive(Clone, Copy, Debug)]
pub struct AutomergeText {
    /// The non-interleaving checked: RGA keeps forward runs together, not backward ones.
    pub non_interleaving: NonInterleaving,
}

fn text(doc: &AutoCommit) -> ObjId {
    let found = doc.get(ROOT, "text").ok().flatten();
    found.expect("the genesis text").1
}

impl Model for AutomergeText {
    type State = AutoCommit;
    type Op = ListOp<char>;
    type Value = String;

    fn new_replica(&self, id: ReplicaId) -> AutoCommit {
        let mut doc = AutoCommit::new_with_encoding(TextEncoding::UnicodeCodePoint)
            .with_actor(ActorId::from(b"genesis".as_slice()));
        doc.put_object(ROOT, "text", ObjType::Text)
            .expect("makes a text");
        doc.commit();
        doc.with_actor(ActorId::from(id.0.to_be_bytes().as_slice()))
    }
    fn value(&self, doc: &AutoCommit) -> String {
        doc.text(text(doc)).expect("the text object reads as text")
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        list_ops()
    }
    fn element_ids(&self, doc: &AutoCommit) -> Option<Vec<Dot>> {
        ids(&self.value(doc))
    }
    fn non_interleaving(&self) -> NonInterleaving {
        self.non_interleaving
    }
}

impl OpCrdt for AutomergeText {
    type Message = Vec<u8>;

    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }
    fn local(&self, doc: &mut AutoCommit, dot: Dot, op: &ListOp<char>) -> Vec<u8> {
        let (at, delete, insert) = splice(op, &self.value(doc), dot, |_| 1);
        let obj = text(doc);
        doc.splice_text(&obj, at, delete as isize, &insert)
            .expect("the index is in range");
        let change = doc.commit().and_then(|hash| doc.get_change_by_hash(&hash));
        change.map_or_else(Vec::new, |c| c.raw_bytes().to_vec())
    }
    fn effect(&self, doc: &mut AutoCommit, change: &Vec<u8>) {
        doc.load_incremental(change)
            .expect("automerge loads its own changes");
    }
}
