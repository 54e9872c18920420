//! `diamond-types`' `ListCRDT`: a text edited one character at a time, replicated by patches.

use std::fmt;

use crdt_impls::fugue::{FugueListModel, ListOp, RightSiblings, spec};
use crdt_laws::{Delivery, Dot, Error, History, Model, OpCrdt, ReplicaId};
use diamond_types::list::encoding::{ENCODE_FULL, ENCODE_PATCH};
use diamond_types::list::operation::OpKind;
use diamond_types::list::{Branch, ListCRDT, OpLog};
use proptest::strategy::BoxedStrategy;

/// A diamond-types document (its `OpLog` and the `Branch` checked out at its tip) and, beside
/// it, the identity of every character the branch shows.
///
/// Why a companion: the branch is a rope of characters without identities, and the sequence
/// oracles need one per element. The model keeps `(Dot, char)` per visible character, moved
/// exactly as diamond-types says the merged operations move the text
/// (`iter_xf_operations_from`), and checks after every merge that those characters spell the
/// branch's content. A character's dot is its diamond-types id: agent (the replica's letter)
/// and sequence number (from 1).
#[derive(Clone, Debug)]
pub struct Text {
    /// The library's document, unchanged.
    pub doc: ListCRDT,
    /// The visible characters with their identities, in document order.
    pub chars: Vec<(Dot, char)>,
}

/// Two texts are equal when their operation logs are (diamond-types' own equality, which
/// ignores local numbering) and they show the same characters.
impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.doc.oplog == other.doc.oplog && self.chars == other.chars
    }
}

/// A patch as diamond-types encodes it (`encode_from` the sender's version before the edit),
/// labelled with the edit for counterexamples.
#[derive(Clone)]
pub struct Patch {
    edit: String,
    bytes: Vec<u8>,
}

impl fmt::Debug for Patch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} bytes)", self.edit, self.bytes.len())
    }
}

/// The model of a diamond-types text, op-based: a local edit is made on the document with
/// `insert` or `delete` and shipped as the patch since the previous version; a patch is
/// received with `decode_and_add` and merged into the branch. Patches name their parents, so
/// delivery must be causal (`decode_and_add` rejects a patch whose parents are unknown).
///
/// What diamond-types promises is convergence: its documentation states no specification of
/// where concurrent inserts land and does not promise non-interleaving, so by default the model
/// declares neither. With `as_fugue_max` it declares both, as an experiment: the Fugue paper
/// (Weidner, Gentle, Kleppmann) relates diamond-types' YjsMod merge to FugueMax, so the model
/// then takes the FugueMax specification from `crdt_impls::fugue::spec` and asks the harness
/// to check non-interleaving.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiamondModel {
    /// Check the FugueMax specification and non-interleaving too (not promised).
    pub as_fugue_max: bool,
}

fn dot(oplog: &OpLog, time: usize) -> Dot {
    let id = oplog.local_to_remote_time(time);
    let replica = u32::from(id.agent.as_bytes()[0] - b'A');
    Dot::new(ReplicaId::new(replica), id.seq as u64 + 1)
}

/// A text holding `oplog`, its branch and identities replayed from the start.
fn replayed(oplog: OpLog) -> Text {
    let doc = ListCRDT {
        branch: Branch::new(),
        oplog,
    };
    let mut text = Text {
        doc,
        chars: Vec::new(),
    };
    catch_up(&mut text);
    text
}

/// Merges the oplog's new operations into the branch, moving the identities as diamond-types
/// reports the operations transform.
fn catch_up(text: &mut Text) {
    let Text { doc, chars } = text;
    let (from, to) = (doc.branch.local_version(), doc.oplog.local_version());
    for (times, op) in doc.oplog.iter_xf_operations_from(&from, &to) {
        match op {
            Some(op) if op.kind == OpKind::Ins => {
                let content = op.content.as_deref().expect("inserts carry their content");
                let ids = (times.start..times.end).map(|t| dot(&doc.oplog, t));
                let mut new: Vec<(Dot, char)> = ids.zip(content.chars()).collect();
                if !op.loc.fwd {
                    new.reverse();
                }
                chars.splice(op.start()..op.start(), new);
            }
            Some(op) => drop(chars.drain(op.start()..op.end())),
            None => {} // a delete of characters already deleted
        }
    }
    doc.branch.merge(&doc.oplog, &to);
    let shown: String = chars.iter().map(|(_, c)| c).collect();
    assert_eq!(
        shown,
        doc.branch.content().to_string(),
        "positions disagree with the branch"
    );
}

impl Model for DiamondModel {
    type State = Text;
    type Op = ListOp<char>;
    type Value = String;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Text {
        replayed(OpLog::new())
    }
    fn value(&self, text: &Text) -> String {
        text.doc.branch.content().to_string()
    }
    /// The edits the Fugue models make: inserts of `'a'..='z'` and deletes, at any index.
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        FugueListModel::default().ops()
    }
    /// A snapshot is the whole oplog, encoded; restoring it replays every operation into a
    /// fresh branch, so the identities are rebuilt from scratch too.
    fn round_trip(&self, text: &Text) -> Option<Result<Text, Error>> {
        let decoded = OpLog::load_from(&text.doc.oplog.encode(ENCODE_FULL));
        let message = |e| format!("{e:?}");
        Some(decoded.map(replayed).map_err(|e| Error::Codec {
            message: message(e),
        }))
    }
    fn spec(&self, history: &History<ListOp<char>>) -> Option<String> {
        let fugue_max = || spec::value(history, RightSiblings::ByRightOriginReversed);
        self.as_fugue_max.then(|| fugue_max().into_iter().collect())
    }
    fn element_ids(&self, text: &Text) -> Option<Vec<Dot>> {
        Some(text.chars.iter().map(|(dot, _)| *dot).collect())
    }
    fn non_interleaving(&self) -> crdt_laws::NonInterleaving {
        if self.as_fugue_max {
            crdt_laws::NonInterleaving::Maximal
        } else {
            crdt_laws::NonInterleaving::None
        }
    }
}

impl OpCrdt for DiamondModel {
    type Message = Patch;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, text: &Text, id: ReplicaId, op: &ListOp<char>) -> Option<Patch> {
        Some({
            let mut doc = text.doc.clone();
            let agent = doc.get_or_create_agent_id(&id.to_string());
            let len = doc.len();
            let edit = match *op {
                ListOp::Insert { at, value } => {
                    let at = at as usize % (len + 1);
                    doc.insert(agent, at, &value.to_string());
                    format!("{id} inserts {value:?} at {at}")
                }
                ListOp::Delete { at } if len > 0 => {
                    let at = at as usize % len;
                    doc.delete(agent, at..at + 1);
                    format!("{id} deletes at {at}")
                }
                ListOp::Delete { .. } => format!("{id} deletes nothing"),
            };
            let bytes = doc
                .oplog
                .encode_from(ENCODE_PATCH, text.doc.oplog.local_version_ref());
            Patch { edit, bytes }
        })
    }
    fn effect(&self, text: &mut Text, patch: &Patch) {
        text.doc
            .oplog
            .decode_and_add(&patch.bytes)
            .expect("causal delivery brings every parent");
        catch_up(text);
    }
}
