//! yrs 0.28 (the Rust port of Yjs): a `Doc` and its root `TextRef`, the `Doc` itself as state.

use crdt_impls::fugue::ListOp;
use crdt_laws::{Delivery, Dot, Model, OpCrdt, ReplicaId};
use proptest::strategy::BoxedStrategy;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::{Encoder, EncoderV1};
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

use super::{Edit, edit, ids, list_ops};

/// yrs' text as an op-based CRDT. A local edit is one transaction (`insert` or `remove_range`,
/// at UTF-8 byte offsets, yrs' default), shipped as `encode_update_v1`; a remote update goes to
/// `apply_update`, which stashes blocks whose predecessors have not arrived and skips blocks it
/// already has, so any order and duplicates are fine. The client id is the replica's index.
/// `Doc` clones as a handle to the same store: `fork` loads the integrated blocks into a new `Doc`
/// with the same client id, then the whole state with the pending updates. (Loading only the
/// latter, `encode_state_as_update_v1`, can hide an insert: see `yrs_snapshot_with_pending_*`.)
#[derive(Clone, Copy, Debug, Default)]
pub struct YrsText {
    /// Ask the harness to check non-interleaving (Yjs does not document such a promise).
    pub non_interleaving: bool,
}

const TEXT: &str = "text";

fn apply(doc: &Doc, update: &[u8]) {
    let update = Update::decode_v1(update).expect("yrs decodes its own updates");
    doc.transact_mut().apply_update(update).expect("yrs applies its own updates");
}

impl Model for YrsText {
    type State = Doc;
    type Op = ListOp<char>;
    type Value = String;

    fn new_replica(&self, id: ReplicaId) -> Doc {
        Doc::with_client_id(id.0.into())
    }
    fn value(&self, doc: &Doc) -> String {
        doc.get_or_insert_text(TEXT).get_string(&doc.transact())
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        list_ops()
    }
    fn fork(&self, doc: &Doc) -> Doc {
        let (copy, txn, everything) = (Doc::with_client_id(doc.client_id().get()), doc.transact(), StateVector::default());
        let mut integrated = EncoderV1::new();
        txn.encode_state_as_update(&everything, &mut integrated);
        apply(&copy, &integrated.to_vec());
        apply(&copy, &txn.encode_state_as_update_v1(&everything));
        copy
    }
    fn element_ids(&self, doc: &Doc) -> Option<Vec<Dot>> {
        ids(&self.value(doc))
    }
    fn promises_non_interleaving(&self) -> bool {
        self.non_interleaving
    }
}

impl OpCrdt for YrsText {
    type Message = Vec<u8>;

    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }
    fn local(&self, doc: &mut Doc, dot: Dot, op: &ListOp<char>) -> Vec<u8> {
        let (value, text) = (self.value(doc), doc.get_or_insert_text(TEXT));
        let byte = |at: usize| value.char_indices().nth(at).map_or(value.len(), |(b, _)| b);
        let mut txn = doc.transact_mut();
        match edit(op, value.chars().count(), dot) {
            Some(Edit::Insert(at, c)) => text.insert(&mut txn, byte(at) as u32, &c.to_string()),
            Some(Edit::Delete(at)) => text.remove_range(&mut txn, byte(at) as u32, (byte(at + 1) - byte(at)) as u32),
            None => {}
        }
        txn.encode_update_v1()
    }
    fn effect(&self, doc: &mut Doc, update: &Vec<u8>) {
        apply(doc, update);
    }
}
