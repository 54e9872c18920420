//! yrs 0.28 (the Rust port of Yjs): a `Doc` and its root `TextRef`, the `Doc` itself as state.

use crdt_laws::proptest::strategy::BoxedStrategy;
use crdt_laws::vocab::list::ListOp;
use crdt_laws::{Delivery, Dot, Model, NonInterleaving, OpCrdt, ReplicaId};
use yrs::updates::{decoder::Decode, encoder::Encoder, encoder::EncoderV1};
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

use super::{ids, list_ops, splice};

/// yrs' text as an op-based CRDT. A local edit is one transaction (`insert` or `remove_range`,
/// at UTF-8 byte offsets, yrs' default), shipped as `encode_update_v1`; a remote update goes to
/// `apply_update`, which stashes blocks whose predecessors have not arrived and skips blocks it
/// already has, so any order and duplicates are fine. The client id is the replica's index.
/// `Doc` clones as a handle to the same store: `fork` loads the integrated blocks into a new `Doc`
/// with the same client id, then the whole state with the pending updates. (Loading only the
/// latter, `encode_state_as_update_v1`, can hide an insert: see `yrs_snapshot_with_pending_*`.)
#[derive(Clone, Copy, Debug)]
pub struct YrsText {
    /// The non-interleaving checked: YATA keeps forward runs together (the paper's Table 1).
    pub non_interleaving: NonInterleaving,
}

fn apply(doc: &Doc, update: &[u8]) {
    let update = Update::decode_v1(update).expect("yrs decodes its own updates");
    doc.transact_mut().apply_update(update).expect("applies");
}

impl Model for YrsText {
    type State = Doc;
    type Op = ListOp<char>;
    type Value = String;

    fn new_replica(&self, id: ReplicaId) -> Doc {
        Doc::with_client_id(id.0.into())
    }
    fn value(&self, doc: &Doc) -> String {
        doc.get_or_insert_text("text").get_string(&doc.transact())
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        list_ops()
    }
    fn fork(&self, doc: &Doc) -> Doc {
        let (txn, all) = (doc.transact(), StateVector::default());
        let mut integrated = EncoderV1::new();
        txn.encode_state_as_update(&all, &mut integrated);
        let copy = Doc::with_client_id(doc.client_id().get());
        apply(&copy, &integrated.to_vec());
        apply(&copy, &txn.encode_state_as_update_v1(&all));
        copy
    }
    fn element_ids(&self, doc: &Doc) -> Option<Vec<Dot>> {
        ids(&self.value(doc))
    }
    fn non_interleaving(&self) -> NonInterleaving {
        self.non_interleaving
    }
}

impl OpCrdt for YrsText {
    type Message = Vec<u8>;

    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }
    fn local(&self, doc: &mut Doc, dot: Dot, op: &ListOp<char>) -> Vec<u8> {
        let (at, delete, insert) = splice(op, &self.value(doc), dot, char::len_utf8);
        let text = doc.get_or_insert_text("text");
        let mut txn = doc.transact_mut();
        text.remove_range(&mut txn, at as u32, delete as u32);
        text.insert(&mut txn, at as u32, &insert);
        txn.encode_update_v1()
    }
    fn effect(&self, doc: &mut Doc, update: &Vec<u8>) {
        apply(doc, update);
    }
}
