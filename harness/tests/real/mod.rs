//! Real text CRDTs verified as they are: the library's own document type is each model's state,
//! with no wrapper and no companion structure.
//!
//! Every model drives its library the way the library's documentation tells an application to:
//! a local edit mutates the document and yields the bytes to broadcast (`local`), a remote
//! update is handed to the library's import (`effect`), and a replica is copied through the
//! library's own encoding (`fork`) where its document type clones as a shared handle.
//!
//! The element identities the sequence oracles need are carried by the text itself: each
//! insert writes one character that encodes the update's dot (`crdt_laws::vocab::list::tag_char`),
//! so `element_ids` reads them back from the value (`char_dot`) whatever ids the library uses
//! inside. The op's own letter is not written: the value is the text of tags.
//!
//! One file per library, so [`code_lines`] counts each model.

pub mod automerge;
pub mod cost;
pub mod diamond;
#[cfg(feature = "real-loro")]
pub mod loro;
pub mod yrs;

use crdt_harness::{Faults, Harness, Property, Summary};
use crdt_laws::proptest::strategy::BoxedStrategy;
use crdt_laws::vocab::list::{self, ListOp, RightSiblings, char_dot, tag_char};
use crdt_laws::{Config, Delivery, Dot, History, Model, NonInterleaving, OpCrdt, ReplicaId};

/// The identity of every character of `text`, in order; `None` if one is not a tag.
pub fn ids(text: &str) -> Option<Vec<Dot>> {
    text.chars().map(char_dot).collect()
}

/// The edits of the list vocabulary: inserts and deletes at any index (taken modulo the
/// length), three inserts for a delete, as the reference lists are checked with.
pub fn list_ops() -> BoxedStrategy<ListOp<char>> {
    ListOp::strategy(26, 3)
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

/// The text a Fugue list shows after the edits of `history` (`crdt_laws::vocab::list::value`, right
/// siblings ordered by `rule`), each insert writing its update's tag; `None`, no opinion,
/// unless every edit was made on a causally closed view. The laws and the harness ask only
/// replicas whose applied updates are causally closed, but an edit may have been made earlier,
/// at a replica that had applied an update without its past: the library kept that update out
/// of its text, so the edit was made on a smaller text than the causal past the specification
/// replays. (An event's `deps` are all the updates its origin had applied, so a closed view is
/// one where each of them has its own `deps` among them.)
pub fn fugue_spec(history: &History<ListOp<char>>, rule: RightSiblings) -> Option<String> {
    let events = history.events();
    let closed = |deps: &[Dot]| {
        let past = |d: &Dot| {
            history
                .get(*d)
                .map(|e| e.deps.iter().all(|p| deps.contains(p)))
        };
        deps.iter().all(|d| past(d) == Some(true))
    };
    events.iter().all(|e| closed(&e.deps)).then(|| {
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
        list::value(&tagged, rule).into_iter().collect()
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

/// How much to run: laws' cases, schedules of the default shape (`None`: the harness's
/// default count), and schedules with every fault.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Cases per law.
    pub cases: u32,
    /// Schedules of the harness's default shape, or `None` for its default count (1,000).
    pub defaults: Option<u64>,
    /// Schedules with every fault.
    pub faulty: u64,
    /// Shrinking attempts per failure, or `None` for the harness's default.
    pub shrink_attempts: Option<u32>,
}

/// Sized for the default `cargo test` in debug (a few seconds per model).
pub const QUICK: Scale = Scale {
    cases: 32,
    defaults: Some(20),
    faulty: 30,
    shrink_attempts: None,
};

/// The whole check: the laws' default cases, the harness's default run and 300 schedules with
/// every fault (`#[ignore]`d tests; minutes per model in debug).
pub const FULL: Scale = Scale {
    cases: 256,
    defaults: None,
    faulty: 300,
    shrink_attempts: None,
};

/// The laws of an op-based model, with a fixed seed; panics with the report unless every law
/// that applies passed.
pub fn assert_laws_pass<M: OpCrdt + Sync>(model: &M, scale: Scale, seed: u64)
where
    M::Op: 'static,
{
    let started = std::time::Instant::now();
    let config = Config::default().with_seed(seed).with_cases(scale.cases);
    let report = crdt_laws::check_op(model, &config);
    println!(
        "{report}\nlaws of {} in {:.1?}",
        model.name(),
        started.elapsed()
    );
    assert!(report.all_passed(), "{report}");
}

/// The harness's runs of `model`: schedules of the default shape, then schedules with every
/// fault; both keep going after a failure, to report the first failure of each property.
pub fn runs<M: OpCrdt + Clone + Send + Sync + 'static>(
    model: &M,
    scale: Scale,
    seed: u64,
) -> [Summary<M::Op>; 2]
where
    M::Op: Send + 'static,
{
    let harness = || {
        let harness = Harness::op(model).keep_going(true);
        let mut options = harness.current_options().clone();
        options.max_shrink_attempts = scale.shrink_attempts.unwrap_or(options.max_shrink_attempts);
        harness.options(options)
    };
    let mut defaults = harness().seed(seed);
    if let Some(schedules) = scale.defaults {
        defaults = defaults.schedules(schedules);
    }
    let faulty = harness()
        .faults(Faults::ALL)
        .schedules(scale.faulty)
        .seed(seed + 1);
    let summaries = [defaults.run(), faulty.run()];
    println!("{}\n{}", summaries[0], summaries[1]);
    summaries
}

/// Checks one model at `scale`: the laws pass, and the runs find exactly the properties in
/// `expected` broken (nothing else: in particular no divergence unless expected).
pub fn verify<M: OpCrdt + Clone + Send + Sync + 'static>(
    model: &M,
    scale: Scale,
    seed: u64,
    expected: &[Property],
) where
    M::Op: Send + 'static,
{
    assert_laws_pass(model, scale, seed);
    let summaries = runs(model, scale, seed);
    assert_eq!(
        broken(&summaries),
        expected,
        "{}\n{}",
        summaries[0],
        summaries[1]
    );
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

/// A text model with another delivery or specification than its own: to show which delivery a
/// library really needs (diamond-types under `Unordered` rejects a patch whose parents are
/// missing; yrs 0.28 under `Causal` never has to buffer an update), and that a specification
/// check is not vacuous (plain Fugue's specification where the library is FugueMax).
/// Everything else is the model's own.
#[derive(Clone, Copy, Debug)]
pub struct Variant<M> {
    /// The model.
    pub model: M,
    /// The delivery declared instead of the model's.
    pub delivery: Option<Delivery>,
    /// The Fugue specification declared instead of the model's.
    pub fugue: Option<RightSiblings>,
}

impl<M: OpCrdt> Variant<M> {
    /// `model` as it is.
    pub const fn of(model: M) -> Self {
        Self {
            model,
            delivery: None,
            fugue: None,
        }
    }
}

impl<M: Model<Op = ListOp<char>, Value = String>> Model for Variant<M> {
    type State = M::State;
    type Op = ListOp<char>;
    type Value = String;

    fn name(&self) -> String {
        let delivery = self.delivery.map(|d| format!(" under {d:?} delivery"));
        let fugue = self.fugue.map(|rule| format!(" specified as {rule:?}"));
        let variant = [delivery, fugue].into_iter().flatten().collect::<String>();
        format!("{}{variant}", self.model.name())
    }
    fn new_replica(&self, id: ReplicaId) -> M::State {
        self.model.new_replica(id)
    }
    fn value(&self, state: &M::State) -> String {
        self.model.value(state)
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        self.model.ops()
    }
    fn state_eq(&self, a: &M::State, b: &M::State) -> Option<bool> {
        self.model.state_eq(a, b)
    }
    fn fork(&self, state: &M::State) -> M::State {
        self.model.fork(state)
    }
    fn spec(&self, history: &History<ListOp<char>>) -> Option<String> {
        match self.fugue {
            Some(rule) => fugue_spec(history, rule),
            None => self.model.spec(history),
        }
    }
    fn element_ids(&self, state: &M::State) -> Option<Vec<Dot>> {
        self.model.element_ids(state)
    }
    fn non_interleaving(&self) -> NonInterleaving {
        self.model.non_interleaving()
    }
}

impl<M: OpCrdt<Op = ListOp<char>, Value = String>> OpCrdt for Variant<M> {
    type Message = M::Message;

    fn delivery(&self) -> Delivery {
        self.delivery.unwrap_or_else(|| self.model.delivery())
    }
    fn local(&self, state: &mut M::State, dot: Dot, op: &ListOp<char>) -> M::Message {
        self.model.local(state, dot, op)
    }
    fn effect(&self, state: &mut M::State, message: &M::Message) {
        self.model.effect(state, message);
    }
}

/// The property broken first in `schedules` schedules of the default shape, if any.
pub fn first_finding<M: OpCrdt + Clone + Send + Sync + 'static>(
    model: &M,
    schedules: u64,
    seed: u64,
) -> Option<Property>
where
    M::Op: Send + 'static,
{
    let summary = Harness::op(model).schedules(schedules).seed(seed).run();
    println!("{summary}");
    summary.failures.first().map(|f| f.finding.property)
}

/// Every model's source, by file name, for counting lines.
pub const SOURCES: [(&str, &str); 4] = [
    ("yrs.rs", include_str!("yrs.rs")),
    ("automerge.rs", include_str!("automerge.rs")),
    ("diamond.rs", include_str!("diamond.rs")),
    ("loro.rs", include_str!("loro.rs")),
];
