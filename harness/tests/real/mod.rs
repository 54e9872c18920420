//! Real text CRDTs verified as they are: the library's own document type is each model's state,
//! with no wrapper and no companion structure.
//!
//! Every model drives its library the way the library's documentation tells an application to:
//! a local edit mutates the document and yields the bytes to broadcast (`local`), a remote
//! update is handed to the library's import (`effect`), and a replica is copied through the
//! library's own encoding (`fork`) where its document type clones as a shared handle.
//!
//! The element identities the sequence oracles need are carried by the text itself: each
//! insert writes one character that encodes the update's dot ([`tag_char`]), so `element_ids`
//! reads them back from the value ([`char_dot`]) whatever ids the library uses inside.
//!
//! One file per library, so [`code_lines`] counts each model.

pub mod automerge;
pub mod diamond;
#[cfg(feature = "real-loro")]
pub mod loro;
pub mod yrs;

use crdt_harness::{Faults, Harness, Property, Summary};
use crdt_impls::fugue::{FugueListModel, ListOp, RightSiblings, spec};
use crdt_laws::{Config, Dot, History, Model, OpCrdt, ReplicaId};
use proptest::strategy::BoxedStrategy;

/// The first code point of the tags: supplementary private use area A (plane 15).
const TAG_BASE: u32 = 0xF_0000;
/// Bits of a tag for the sequence number (minus one); the replica index takes the rest.
const SEQ_BITS: u32 = 12;
/// The code points of planes 15 and 16, all of them `char`s.
const TAG_SPAN: u32 = 0x2_0000;

/// The character that stands for the element inserted by update `dot`: a private-use code point
/// (planes 15-16) holding the replica's index and the sequence number.
///
/// Local stand-in for the list vocabulary's `tag_char` (same signature), until it lands in
/// `crdt_laws::vocab::list`.
///
/// # Panics
/// If the replica index is 32 or more, or the sequence number is 0 or above 4096.
pub fn tag_char(dot: Dot) -> char {
    let seq = u32::try_from(dot.seq - 1).expect("sequence numbers start at 1");
    assert!(
        seq < 1 << SEQ_BITS,
        "{dot}: sequence number too large for a tag"
    );
    let code = (dot.replica.0 << SEQ_BITS) | seq;
    assert!(code < TAG_SPAN, "{dot}: replica index too large for a tag");
    char::from_u32(TAG_BASE + code).expect("planes 15 and 16 are all chars")
}

/// The dot a [`tag_char`] encodes, or `None` for any other character.
pub fn char_dot(c: char) -> Option<Dot> {
    let code = u32::from(c).checked_sub(TAG_BASE)?;
    (code < TAG_SPAN).then(|| {
        let seq = u64::from(code & ((1 << SEQ_BITS) - 1)) + 1;
        Dot::new(ReplicaId::new(code >> SEQ_BITS), seq)
    })
}

/// The identity of every character of `text`, in order; `None` if one is not a tag.
pub fn ids(text: &str) -> Option<Vec<Dot>> {
    text.chars().map(char_dot).collect()
}

/// The edits of the list vocabulary: inserts and deletes at any index (taken modulo the
/// length), as the reference lists are checked with.
pub fn list_ops() -> BoxedStrategy<ListOp<char>> {
    FugueListModel::default().ops()
}

/// One edit, resolved against a text of `len` characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Insert this character at this index.
    Insert(usize, char),
    /// Delete the character at this index.
    Delete(usize),
}

/// The edit `op` makes on a text of `len` characters as update `dot`: the index modulo the
/// length, the inserted character the update's tag (the op's own value is not used); `None`
/// for a delete on an empty text.
pub fn edit(op: &ListOp<char>, len: usize, dot: Dot) -> Option<Edit> {
    match *op {
        ListOp::Insert { at, .. } => Some(Edit::Insert(at as usize % (len + 1), tag_char(dot))),
        ListOp::Delete { at } => (len > 0).then(|| Edit::Delete(at as usize % len)),
    }
}

/// `op` as update `dot` on a text showing `text`, as one splice in the library's units (`width`
/// of each character): the index, how many units to delete there, and what to insert.
pub fn splice(
    op: &ListOp<char>,
    text: &str,
    dot: Dot,
    width: fn(char) -> usize,
) -> (usize, usize, String) {
    let chars: Vec<char> = text.chars().collect();
    let offset = |at: usize| chars[..at].iter().map(|&c| width(c)).sum();
    match edit(op, chars.len(), dot) {
        Some(Edit::Insert(at, c)) => (offset(at), 0, c.to_string()),
        Some(Edit::Delete(at)) => (offset(at), width(chars[at]), String::new()),
        None => (0, 0, String::new()),
    }
}

/// The text a Fugue list shows after the edits of `history` (`crdt_impls::fugue::spec`, right
/// siblings ordered by `rule`), each insert writing its update's tag; `None`, no opinion,
/// unless the history is causally closed: a library keeps an update whose dependencies have
/// not arrived out of its text, so the text then shows less than the history holds.
pub fn fugue_spec(history: &History<ListOp<char>>, rule: RightSiblings) -> Option<String> {
    let events = history.events();
    let closed = events
        .iter()
        .all(|e| e.deps.iter().all(|d| history.get(*d).is_some()));
    closed.then(|| {
        let mut tagged = History::new();
        for e in events {
            let op = match e.op {
                ListOp::Insert { at, .. } => ListOp::Insert {
                    at,
                    value: tag_char(e.dot),
                },
                ListOp::Delete { at } => ListOp::Delete { at },
            };
            tagged.push(e.dot, op, e.deps.clone());
        }
        spec::value(&tagged, rule).into_iter().collect()
    })
}

/// The lines of a model's source that are code: neither blank nor comments.
pub fn code_lines(source: &str) -> usize {
    source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .count()
}

/// The laws of an op-based model, with a fixed seed; panics with the report unless every law
/// that applies passed.
pub fn assert_laws_pass<M: OpCrdt + Sync>(model: &M, seed: u64)
where
    M::Op: 'static,
{
    let report = crdt_laws::check_op(model, &Config::default().with_seed(seed));
    assert!(report.all_passed(), "{report}");
}

/// The harness's default run of `model`, then `schedules` schedules with every fault; both keep
/// going after a failure, to report the first failure of each property.
pub fn runs<M: OpCrdt + Sync>(model: &M, schedules: u64, seed: u64) -> [Summary<M::Op>; 2]
where
    M::Op: 'static,
{
    let defaults = Harness::op(model).seed(seed).keep_going(true).run();
    let faulty = Harness::op(model)
        .keep_going(true)
        .faults(Faults::ALL)
        .schedules(schedules)
        .seed(seed + 1)
        .run();
    [defaults, faulty]
}

/// The properties the runs found broken, each once, in report order.
pub fn broken<Op: std::fmt::Debug>(summaries: &[Summary<Op>]) -> Vec<Property> {
    let mut found: Vec<Property> = summaries
        .iter()
        .flat_map(|s| s.failures.iter().map(|f| f.finding.property))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// The value every model shows after `ops` applied at one replica: the tags in index order,
/// checked against a plain `Vec` (a library that edits at the wrong index is caught here).
pub fn assert_sequential_edits<M>(model: &M, ops: &[ListOp<char>])
where
    M: OpCrdt<Op = ListOp<char>, Value = String>,
{
    let id = ReplicaId::new(1);
    let mut doc = model.new_replica(id);
    let mut expected: Vec<char> = Vec::new();
    for (seq, op) in (1..).zip(ops) {
        let dot = Dot::new(id, seq);
        match edit(op, expected.len(), dot) {
            Some(Edit::Insert(at, c)) => expected.insert(at, c),
            Some(Edit::Delete(at)) => drop(expected.remove(at)),
            None => {}
        }
        model.local(&mut doc, dot, op);
        assert_eq!(model.value(&doc), expected.iter().collect::<String>());
    }
}

/// The two-replica runs of Table 1 of "The Art of the Fugue": replicas A and B each type three
/// characters concurrently, forwards (each at the end) then, in a second document, backwards
/// (each at the start), and exchange their updates. Returns whether the merged text
/// interleaves the two runs, (forwards, backwards); panics if the replicas disagree.
pub fn runs_interleave<M>(model: &M) -> (bool, bool)
where
    M: OpCrdt<Op = ListOp<char>, Value = String>,
{
    let interleaves = |at: fn(u32) -> u32| {
        let ids: [ReplicaId; 2] = [ReplicaId::new(0), ReplicaId::new(1)];
        let mut docs = ids.map(|id| model.new_replica(id));
        let sent = [0, 1].map(|r| {
            (0..3)
                .map(|k| {
                    let op = ListOp::Insert {
                        at: at(k),
                        value: 'x',
                    };
                    model.local(&mut docs[r], Dot::new(ids[r], u64::from(k) + 1), &op)
                })
                .collect::<Vec<_>>()
        });
        for message in &sent[1] {
            model.effect(&mut docs[0], message);
        }
        for message in &sent[0] {
            model.effect(&mut docs[1], message);
        }
        let text = model.value(&docs[0]);
        assert_eq!(text, model.value(&docs[1]), "the two replicas diverge");
        let authors: Vec<ReplicaId> = ids_of(&text).into_iter().map(|d| d.replica).collect();
        assert_eq!(authors.len(), 6, "{text:?}");
        authors.windows(2).filter(|w| w[0] != w[1]).count() > 1
    };
    (interleaves(|k| k), interleaves(|_| 0))
}

fn ids_of(text: &str) -> Vec<Dot> {
    ids(text).expect("every character is a tag")
}

/// Every model's source, by file name, for counting lines.
pub const SOURCES: [(&str, &str); 4] = [
    ("yrs.rs", include_str!("yrs.rs")),
    ("automerge.rs", include_str!("automerge.rs")),
    ("diamond.rs", include_str!("diamond.rs")),
    ("loro.rs", include_str!("loro.rs")),
];
