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
use crdt_impls::fugue::{FugueListModel, ListOp};
use crdt_laws::{Config, Dot, Model, OpCrdt, ReplicaId};
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
    assert!(seq < 1 << SEQ_BITS, "{dot}: sequence number too large for a tag");
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

/// The harness's default run of `model`, then `schedules` schedules with every fault.
pub fn runs<M: OpCrdt + Sync>(model: &M, schedules: u64, seed: u64) -> [Summary<M::Op>; 2]
where
    M::Op: 'static,
{
    let defaults = Harness::op(model).seed(seed).run();
    let faulty = Harness::op(model)
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

/// Every model's source, by file name, for counting lines.
pub const SOURCES: [(&str, &str); 4] = [
    ("yrs.rs", include_str!("yrs.rs")),
    ("automerge.rs", include_str!("automerge.rs")),
    ("diamond.rs", include_str!("diamond.rs")),
    ("loro.rs", include_str!("loro.rs")),
];
