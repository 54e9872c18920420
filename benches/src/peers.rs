//! Other list CRDTs replaying the traces, each driven the way its own documentation and
//! benchmarks recommend for bulk replay (only with the `peers` feature).
//!
//! - [cola](https://docs.rs/cola-crdt) tracks positions only and stores no text; it is driven
//!   as its own `traces` benchmark does (`deleted(range)` then `inserted(at, len)` per patch),
//!   with `char`s as its unit, and remote edits are `integrate_*`d.
//! - [diamond-types](https://docs.rs/diamond-types) as its own `local` benchmark does:
//!   `delete_without_content` then `insert` on a `ListCRDT`; remote edits travel as
//!   `encode_from(ENCODE_PATCH, version)` and are merged with `merge_data_and_ff`.
//! - [yrs](https://docs.rs/yrs) as its own B4 editing-trace benchmark does: one transaction per
//!   patch (`transact_mut`, `remove_range`, `insert`), with UTF-8 byte offsets (its default
//!   offset kind); remote edits travel as the transaction's `encode_update_v1`.
//! - [automerge](https://docs.rs/automerge) as its own `edit-trace` benchmark does: one
//!   transaction for a whole sequential trace (`splice_text` per patch, one `commit`), and one
//!   per trace transaction in a concurrent trace, whose change is sent with
//!   `get_change_by_hash` and received with `apply_changes`. Positions are `char`s (Unicode
//!   code points, its default).
//!
//! ```
//! use crdt_benches::peers;
//! use crdt_benches::text::{Edit, to_bytes};
//!
//! let edits = [Edit::new(0, 0, "hello"), Edit::new(0, 1, "j")];
//! assert_eq!(peers::cola_replay(&edits).len(), 5);
//! assert_eq!(peers::diamond_string(&peers::diamond_replay(&edits)), "jello");
//! assert_eq!(peers::yrs_string(&peers::yrs_replay(&to_bytes(&edits))), "jello");
//! assert_eq!(peers::automerge_string(&peers::automerge_replay(&edits)), "jello");
//! ```

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjId, ObjType, ROOT, ReadDoc};
use diamond_types::list::ListCRDT;
use diamond_types::list::encoding::ENCODE_PATCH;
use yrs::updates::decoder::Decode;
use yrs::{Doc, GetString, Text, TextRef, Transact, Update};

use crate::text::{Concurrent, Edit, Step};

/// Replays sequential edits on a cola replica (positions only, no text).
#[must_use]
pub fn cola_replay(edits: &[Edit<'_>]) -> cola::Replica {
    let mut replica = cola::Replica::new(1, 0);
    for e in edits {
        if e.delete > 0 {
            let _ = replica.deleted(e.pos..e.pos + e.delete);
        }
        if !e.insert.is_empty() {
            let _ = replica.inserted(e.pos, e.insert_chars());
        }
    }
    replica
}

/// Replays sequential edits on a diamond-types list.
#[must_use]
pub fn diamond_replay(edits: &[Edit<'_>]) -> ListCRDT {
    let mut doc = ListCRDT::new();
    let agent = doc.get_or_create_agent_id("bench");
    for e in edits {
        if e.delete > 0 {
            doc.delete_without_content(agent, e.pos..e.pos + e.delete);
        }
        if !e.insert.is_empty() {
            doc.insert(agent, e.pos, e.insert);
        }
    }
    doc
}

/// A diamond-types list's text.
#[must_use]
pub fn diamond_string(doc: &ListCRDT) -> String {
    doc.branch.content().to_string()
}

/// A yrs document and its text.
pub type YrsText = (Doc, TextRef);

/// Replays sequential edits, with byte offsets (see [`crate::text::to_bytes`]), on a yrs
/// text, one transaction per edit.
///
/// # Panics
/// If an offset does not fit in a `u32`, yrs's offset type.
#[must_use]
pub fn yrs_replay(byte_edits: &[Edit<'_>]) -> YrsText {
    let doc = Doc::with_client_id(1);
    let text = doc.get_or_insert_text("text");
    for e in byte_edits {
        let mut txn = doc.transact_mut();
        yrs_apply(&text, &mut txn, e);
    }
    (doc, text)
}

fn yrs_apply(text: &TextRef, txn: &mut yrs::TransactionMut<'_>, e: &Edit<'_>) {
    let offset = |n: usize| u32::try_from(n).expect("offsets fit in u32");
    if e.delete > 0 {
        text.remove_range(txn, offset(e.pos), offset(e.delete));
    }
    if !e.insert.is_empty() {
        text.insert(txn, offset(e.pos), e.insert);
    }
}

/// A yrs text's content.
#[must_use]
pub fn yrs_string((doc, text): &YrsText) -> String {
    text.get_string(&doc.transact())
}

/// An automerge document and its text object.
pub type AutomergeText = (Automerge, ObjId);

/// Replays sequential edits on an automerge text, in one transaction.
///
/// # Panics
/// If automerge refuses an edit (the edits are out of range).
#[must_use]
pub fn automerge_replay(edits: &[Edit<'_>]) -> AutomergeText {
    let mut doc = Automerge::new();
    let mut tx = doc.transaction();
    let text = tx
        .put_object(ROOT, "text", ObjType::Text)
        .expect("a new text object");
    for e in edits {
        splice(&mut tx, &text, e);
    }
    tx.commit();
    (doc, text)
}

fn splice(tx: &mut impl Transactable, text: &ObjId, e: &Edit<'_>) {
    let delete = isize::try_from(e.delete).expect("deletions fit in isize");
    tx.splice_text(text, e.pos, delete, e.insert)
        .expect("edits in range");
}

/// An automerge text's content.
///
/// # Panics
/// If the object is not a text of the document.
#[must_use]
pub fn automerge_string((doc, text): &AutomergeText) -> String {
    doc.text(text).expect("a text object")
}

/// The edits of one transaction of a concurrent trace, as one peer sends them.
enum ColaEdit {
    Insertion(cola::Insertion),
    Deletion(cola::Deletion),
}

/// Replays a concurrent trace on cola replicas forked from one empty replica, one per agent.
/// Returns each agent's replica.
#[must_use]
pub fn cola_concurrent(trace: &Concurrent<'_>) -> Vec<cola::Replica> {
    // cola's replica ids start at 1.
    let origin = cola::Replica::new(1, 0);
    let mut replicas: Vec<cola::Replica> = (0..trace.agents)
        .map(|a| origin.fork(a as u64 + 2))
        .collect();
    let mut sent: Vec<Vec<ColaEdit>> = Vec::new();
    sent.resize_with(trace.txns.len(), Vec::new);
    for step in &trace.steps {
        match *step {
            Step::Edit { agent, txn } => {
                let replica = &mut replicas[agent];
                for e in &trace.txns[txn].edits {
                    if e.delete > 0 {
                        sent[txn]
                            .push(ColaEdit::Deletion(replica.deleted(e.pos..e.pos + e.delete)));
                    }
                    if !e.insert.is_empty() {
                        sent[txn].push(ColaEdit::Insertion(
                            replica.inserted(e.pos, e.insert_chars()),
                        ));
                    }
                }
            }
            Step::Receive { agent, txn } => {
                for edit in &sent[txn] {
                    match edit {
                        ColaEdit::Insertion(i) => {
                            let _ = replicas[agent].integrate_insertion(i);
                        }
                        ColaEdit::Deletion(d) => {
                            let _ = replicas[agent].integrate_deletion(d);
                        }
                    }
                }
            }
        }
    }
    replicas
}

/// Replays a concurrent trace on diamond-types lists, one per agent. Returns each agent's
/// list.
///
/// # Panics
/// If diamond-types cannot decode its own patch (a bug).
#[must_use]
pub fn diamond_concurrent(trace: &Concurrent<'_>) -> Vec<ListCRDT> {
    let mut docs: Vec<ListCRDT> = (0..trace.agents).map(|_| ListCRDT::new()).collect();
    let mut sent: Vec<Vec<u8>> = vec![Vec::new(); trace.txns.len()];
    for step in &trace.steps {
        match *step {
            Step::Edit { agent, txn } => {
                let doc = &mut docs[agent];
                let id = doc.get_or_create_agent_id(&format!("agent{agent}"));
                let before = doc.oplog.local_version();
                for e in &trace.txns[txn].edits {
                    if e.delete > 0 {
                        doc.delete_without_content(id, e.pos..e.pos + e.delete);
                    }
                    if !e.insert.is_empty() {
                        doc.insert(id, e.pos, e.insert);
                    }
                }
                sent[txn] = doc.oplog.encode_from(ENCODE_PATCH, &before);
            }
            Step::Receive { agent, txn } => {
                docs[agent]
                    .merge_data_and_ff(&sent[txn])
                    .expect("diamond-types decodes its own patches");
            }
        }
    }
    docs
}

/// Replays a concurrent trace on yrs documents, one per agent. `byte_edits[txn]` are the
/// transaction's edits with byte offsets in its agent's text at that point. Returns each
/// agent's document.
///
/// # Panics
/// If yrs cannot decode its own update (a bug).
#[must_use]
pub fn yrs_concurrent(trace: &Concurrent<'_>, byte_edits: &[Vec<Edit<'_>>]) -> Vec<YrsText> {
    let docs: Vec<YrsText> = (0..trace.agents)
        .map(|a| {
            let doc = Doc::with_client_id(a as u64 + 1);
            let text = doc.get_or_insert_text("text");
            (doc, text)
        })
        .collect();
    let mut sent: Vec<Vec<u8>> = vec![Vec::new(); trace.txns.len()];
    for step in &trace.steps {
        match *step {
            Step::Edit { agent, txn } => {
                let (doc, text) = &docs[agent];
                let mut t = doc.transact_mut();
                for e in &byte_edits[txn] {
                    yrs_apply(text, &mut t, e);
                }
                sent[txn] = t.encode_update_v1();
            }
            Step::Receive { agent, txn } => {
                let update = Update::decode_v1(&sent[txn]).expect("yrs decodes its own updates");
                docs[agent]
                    .0
                    .transact_mut()
                    .apply_update(update)
                    .expect("yrs applies its own updates");
            }
        }
    }
    docs
}

/// Replays a concurrent trace on automerge documents forked from one holding the empty text,
/// one per agent. Returns each agent's document.
///
/// # Panics
/// If automerge refuses an edit or its own change (a bug).
#[must_use]
pub fn automerge_concurrent(trace: &Concurrent<'_>) -> Vec<AutomergeText> {
    let mut origin = Automerge::new().with_actor(ActorId::from(vec![0u8]));
    let mut tx = origin.transaction();
    let text = tx
        .put_object(ROOT, "text", ObjType::Text)
        .expect("a new text object");
    tx.commit();
    let mut docs: Vec<Automerge> = (0..trace.agents)
        .map(|a| {
            let actor = u8::try_from(a + 1).expect("fewer than 255 agents");
            origin.fork().with_actor(ActorId::from(vec![actor]))
        })
        .collect();
    let mut sent: Vec<Option<automerge::Change>> = vec![None; trace.txns.len()];
    for step in &trace.steps {
        match *step {
            Step::Edit { agent, txn } => {
                let doc = &mut docs[agent];
                let mut tx = doc.transaction();
                for e in &trace.txns[txn].edits {
                    splice(&mut tx, &text, e);
                }
                let (hash, _) = tx.commit();
                sent[txn] = hash.and_then(|h| doc.get_change_by_hash(&h));
            }
            Step::Receive { agent, txn } => {
                if let Some(change) = &sent[txn] {
                    docs[agent]
                        .apply_changes([change.clone()])
                        .expect("automerge applies its own changes");
                }
            }
        }
    }
    docs.into_iter().map(|doc| (doc, text.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Txn;

    /// Two agents edit concurrently at different places, then edit each other's results;
    /// everyone ends with the same text.
    fn trace() -> Concurrent<'static> {
        Concurrent {
            agents: 2,
            txns: vec![
                Txn::new(0, vec![Edit::new(0, 0, "hello world")]),
                Txn::new(0, vec![Edit::new(0, 1, "H")]),
                Txn::new(1, vec![Edit::new(11, 0, "!")]),
                Txn::new(1, vec![Edit::new(0, 0, "¡")]),
                Txn::new(0, vec![Edit::new(2, 0, "é")]),
            ],
            steps: vec![
                Step::Edit { agent: 0, txn: 0 },
                Step::Receive { agent: 1, txn: 0 },
                Step::Edit { agent: 0, txn: 1 },
                Step::Edit { agent: 1, txn: 2 },
                Step::Receive { agent: 1, txn: 1 },
                Step::Edit { agent: 1, txn: 3 },
                Step::Receive { agent: 0, txn: 2 },
                Step::Receive { agent: 0, txn: 3 },
                Step::Edit { agent: 0, txn: 4 },
                Step::Receive { agent: 1, txn: 4 },
            ],
        }
    }

    const END: &str = "¡Héello world!";

    #[test]
    fn every_peer_replays_a_small_concurrent_trace() {
        let trace = trace();
        for replica in cola_concurrent(&trace) {
            assert_eq!(replica.len(), END.chars().count());
        }
        for doc in diamond_concurrent(&trace) {
            assert_eq!(diamond_string(&doc), END);
        }
        for doc in automerge_concurrent(&trace) {
            assert_eq!(automerge_string(&doc), END);
        }
        // The same edits with byte offsets in the agent's text at the time: "é" goes after
        // "¡H", three bytes in.
        let mut byte_edits: Vec<Vec<Edit<'_>>> =
            trace.txns.iter().map(|t| t.edits.clone()).collect();
        byte_edits[4] = vec![Edit::new(3, 0, "é")];
        for doc in yrs_concurrent(&trace, &byte_edits) {
            assert_eq!(yrs_string(&doc), END);
        }
    }
}
