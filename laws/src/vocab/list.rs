//! Lists and texts: inserts and deletes at indices, the Fugue and FugueMax specifications, and
//! element identities for libraries whose own ids are not [`Dot`]s.
//!
//! # Specifications
//! [`fugue`] and [`fugue_max`] give the list a replica must show after the edits of a history,
//! by replaying them on [`NaiveFugue`], a deliberately naive implementation of the tree of
//! Weidner, Gentle and Kleppmann (*The Art of the Fugue: Minimizing Interleaving in
//! Collaborative Text Editing*, arXiv:2305.00583). Each edit is interpreted against the list its
//! origin saw (the edits in its causal past), so the specification needs nothing from the
//! implementation under test. An element's identity there is the [`Dot`] of the update that
//! inserted it.
//!
//! [`strong_list`] is the weaker specification every list CRDT should meet, whatever its rule
//! for concurrent inserts (RGA's as well as Fugue's): one order of all inserted elements
//! explains each edit at its origin and the list a replica shows. It is a check on a replica's
//! element ids rather than a value, for a test to call with a history and a replica's list.
//!
//! # Element identities for foreign lists
//! The harness's sequence oracles (one order of all elements at every replica, runs kept
//! together, non-interleaving) need a stable identity per visible element
//! ([`Model::element_ids`](crate::Model::element_ids)). A list from another library (yrs, Loro,
//! automerge) has ids of its own, or none that its API shows. The helpers here let a text model
//! carry the framework's ids *in the text*: with each inserted character, insert
//! [`tag_char`]`(dot)`, a character of a Unicode private-use plane that encodes the update's
//! [`Dot`] ([`tagged`] builds the pair), and read the text back with [`TaggedText`], which splits
//! it into the user-visible value and the element ids at once.
//!
//! A model of a text type written elsewhere, with element ids carried as tags and the Fugue
//! specification (here the "library" is a naive Fugue tree itself, replicated by whole
//! histories; a yrs or Loro model has the same `value`, `element_ids` and `spec`):
//!
//! ```
//! use std::collections::BTreeMap;
//!
//! use crdt_laws::proptest::prelude::*;
//! use crdt_laws::vocab::list::{self, ListOp, TaggedText};
//! use crdt_laws::{Config, Dot, History, Law, Model, ReplicaId, StateCrdt, check_state};
//!
//! /// The "library": a text that only knows how to replay edits it was given as strings.
//! #[derive(Clone, Debug, Default, PartialEq)]
//! struct Doc {
//!     edits: BTreeMap<Dot, (Vec<Dot>, ListOp<String>)>,
//! }
//!
//! impl Doc {
//!     /// The text, tags included, as the library would show it.
//!     fn text(&self) -> String {
//!         let mut history = History::new();
//!         for (dot, (deps, op)) in &self.edits {
//!             history.push(*dot, op.clone(), deps.clone());
//!         }
//!         let mut sorted = History::new(); // dependencies first, as a spec expects
//!         let mut events: Vec<_> = history.events().to_vec();
//!         events.sort_by_key(|e| e.deps.len());
//!         for e in events {
//!             sorted.push(e.dot, e.op, e.deps);
//!         }
//!         list::fugue(&sorted).concat()
//!     }
//! }
//!
//! struct TextModel;
//!
//! impl Model for TextModel {
//!     type State = Doc;
//!     type Op = ListOp<char>;
//!     type Value = String;
//!     fn new_replica(&self, _: ReplicaId) -> Doc { Doc::default() }
//!     fn value(&self, doc: &Doc) -> String {
//!         TaggedText::split(&doc.text()).value().to_owned()
//!     }
//!     fn element_ids(&self, doc: &Doc) -> Option<Vec<Dot>> {
//!         Some(TaggedText::split(&doc.text()).ids().to_vec())
//!     }
//!     fn ops(&self) -> BoxedStrategy<ListOp<char>> { ListOp::strategy(4, 3) }
//!     fn spec(&self, history: &History<ListOp<char>>) -> Option<String> {
//!         Some(list::fugue(history).into_iter().collect())
//!     }
//! }
//!
//! impl StateCrdt for TextModel {
//!     fn apply(&self, doc: &mut Doc, r: ReplicaId, op: &ListOp<char>) {
//!         let seq = doc.edits.keys().filter(|d| d.replica == r).count() as u64 + 1;
//!         let dot = Dot::new(r, seq);
//!         let deps = doc.edits.keys().copied().collect();
//!         // This "library" counts elements; one that counts characters, bytes or UTF-16
//!         // units inserts at `TaggedText::split(&text).offset(at, unit)` instead.
//!         let op = match *op {
//!             ListOp::Insert { at, value } => {
//!                 ListOp::Insert { at, value: list::tagged(value, dot) }
//!             }
//!             ListOp::Delete { at } => ListOp::Delete { at },
//!         };
//!         doc.edits.insert(dot, (deps, op));
//!     }
//!     fn merge(&self, into: &mut Doc, from: &Doc) {
//!         into.edits.extend(from.edits.iter().map(|(d, e)| (*d, e.clone())));
//!     }
//! }
//!
//! let config = Config::default().with_seed(1).with_cases(32).only([Law::ValueMatchesSpec]);
//! let report = check_state(&TextModel, &config);
//! assert!(report.all_passed(), "{report}");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::{Dot, History, ReplicaId};

/// What a user does to a list, independently of its current state: indices are taken modulo
/// the length, so every operation applies to every state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ListOp<T> {
    /// Inserts `value` at index `at % (len + 1)`.
    Insert {
        /// The index, modulo `len + 1`.
        at: u32,
        /// The inserted value.
        value: T,
    },
    /// Deletes the element at index `at % len`; does nothing on an empty list.
    Delete {
        /// The index, modulo `len`.
        at: u32,
    },
}

impl<T: fmt::Display> fmt::Display for ListOp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Insert { at, value } => write!(f, "insert {value} at {at}"),
            Self::Delete { at } => write!(f, "delete at {at}"),
        }
    }
}

impl ListOp<char> {
    /// Inserts of the first `letters` lowercase letters (`'a'`, then `'b'`, ..., at most all 26;
    /// at least `'a'`) at any index, `insert_weight` inserts for each delete at any index.
    ///
    /// `ListOp::strategy(26, 3)` is what the Fugue models of `crdt-impls` generate.
    pub fn strategy(letters: u8, insert_weight: u32) -> BoxedStrategy<Self> {
        let last = char::from(b'a' + letters.clamp(1, 26) - 1);
        prop_oneof![
            insert_weight => (any::<u32>(), proptest::char::range('a', last))
                .prop_map(|(at, value)| ListOp::Insert { at, value }),
            1 => any::<u32>().prop_map(|at| ListOp::Delete { at }),
        ]
        .boxed()
    }
}

/// Which child of its parent a node of the Fugue tree is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Side {
    /// A left child: it comes before its parent in the list.
    Left,
    /// A right child: it comes after its parent in the list.
    Right,
}

/// How a Fugue tree orders the right children of one node.
///
/// Left children are ordered by id in both variants. The two variants differ only here, and
/// only when several replicas concurrently insert at the same place (Weidner, Gentle and
/// Kleppmann, *The Art of the Fugue*, arXiv:2305.00583).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RightSiblings {
    /// By id (replica, then counter): Fugue.
    ById,
    /// By the *reverse* list order of their right origins, ties by id: FugueMax. A right origin
    /// at the end of the list counts as the greatest.
    ByRightOriginReversed,
}

/// One node of the naive tree; node 0 is the root.
#[derive(Clone, Debug)]
struct Node<T, I> {
    id: Option<I>,
    value: Option<T>,
    deleted: bool,
    right_origin: Option<I>,
    left: Vec<usize>,
    right: Vec<usize>,
}

/// Where an insertion goes in the tree: what the paper's insert generator computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin<I = Dot> {
    /// The parent, `None` for the root.
    pub parent: Option<I>,
    /// Which child of the parent the new node is.
    pub side: Side,
    /// The node after the insertion point (tombstones included), `None` at the end.
    pub right_origin: Option<I>,
}

/// The Fugue tree exactly as in the paper, without any optimization.
///
/// It follows the paper's pseudocode (and its authors' "Fugue Simple" reference code) line by
/// line: one node per element, explicit sorted child lists, a full traversal for every query.
/// It is quadratic: use it on small histories only. Element identities are of any ordered type
/// `I` (the order breaks ties between concurrent siblings); [`fugue`] uses the [`Dot`] of the
/// inserting update.
///
/// ```
/// use crdt_laws::vocab::list::{NaiveFugue, RightSiblings};
///
/// let mut tree = NaiveFugue::<char, u32>::new(RightSiblings::ById);
/// tree.insert(1, tree.origin(0), 'a');
/// tree.insert(2, tree.origin(1), 'c');
/// tree.insert(3, tree.origin(1), 'b');
/// assert_eq!(tree.values(), ['a', 'b', 'c']);
/// tree.delete(1);
/// assert_eq!(tree.ids(), [3, 2]);
/// ```
#[derive(Clone, Debug)]
pub struct NaiveFugue<T, I = Dot> {
    nodes: Vec<Node<T, I>>,
    by_id: BTreeMap<I, usize>,
    rule: RightSiblings,
}

impl<T: Clone, I: Copy + Ord> NaiveFugue<T, I> {
    /// An empty tree whose right siblings follow `rule`.
    #[must_use]
    pub fn new(rule: RightSiblings) -> Self {
        let root = Node {
            id: None,
            value: None,
            deleted: true,
            right_origin: None,
            left: Vec::new(),
            right: Vec::new(),
        };
        Self {
            nodes: vec![root],
            by_id: BTreeMap::new(),
            rule,
        }
    }

    /// All nodes but the root in traversal order, tombstones included.
    fn traversal(&self) -> Vec<usize> {
        // Iterative in-order traversal: (node, children visited so far on the left side?).
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack = vec![(0usize, false)];
        while let Some((node, visited_left)) = stack.pop() {
            let n = &self.nodes[node];
            if visited_left {
                if node != 0 {
                    out.push(node);
                }
                for &child in n.right.iter().rev() {
                    stack.push((child, false));
                }
            } else {
                stack.push((node, true));
                for &child in n.left.iter().rev() {
                    stack.push((child, false));
                }
            }
        }
        out
    }

    /// The visible nodes in list order.
    fn visible(&self) -> Vec<usize> {
        self.traversal()
            .into_iter()
            .filter(|&n| !self.nodes[n].deleted)
            .collect()
    }

    /// The values in list order.
    #[must_use]
    pub fn values(&self) -> Vec<T> {
        self.visible()
            .into_iter()
            .filter_map(|n| self.nodes[n].value.clone())
            .collect()
    }

    /// The ids of the visible elements in list order.
    #[must_use]
    pub fn ids(&self) -> Vec<I> {
        self.visible()
            .into_iter()
            .filter_map(|n| self.nodes[n].id)
            .collect()
    }

    /// The number of visible elements.
    #[must_use]
    pub fn len(&self) -> usize {
        self.visible().len()
    }

    /// True when no element is visible.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The paper's insert generator: where an insertion at visible `index` goes.
    ///
    /// # Panics
    /// If `index > len()`.
    #[must_use]
    pub fn origin(&self, index: usize) -> Origin<I> {
        let visible = self.visible();
        let left = if index == 0 { 0 } else { visible[index - 1] };
        let order = self.traversal();
        let right = if left == 0 {
            order.first().copied()
        } else {
            let at = order.iter().position(|&n| n == left).expect("visible");
            order.get(at + 1).copied()
        };
        let id = |n: usize| self.nodes[n].id;
        let right_origin = right.and_then(id);
        if self.nodes[left].right.is_empty() {
            Origin {
                parent: id(left),
                side: Side::Right,
                right_origin,
            }
        } else {
            Origin {
                parent: right_origin,
                side: Side::Left,
                right_origin,
            }
        }
    }

    /// The id of the visible element at `index`.
    ///
    /// # Panics
    /// If `index >= len()`.
    #[must_use]
    pub fn id_at(&self, index: usize) -> I {
        let node = self.visible()[index];
        self.nodes[node].id.expect("not the root")
    }

    /// The paper's insert effector: adds node `id` where `origin` says. Ignores an id already
    /// present.
    ///
    /// # Panics
    /// If the parent or right origin is unknown.
    pub fn insert(&mut self, id: I, origin: Origin<I>, value: T) {
        if self.by_id.contains_key(&id) {
            return;
        }
        let parent = origin.parent.map_or(0, |p| self.by_id[&p]);
        let node = self.nodes.len();
        self.nodes.push(Node {
            id: Some(id),
            value: Some(value),
            deleted: false,
            right_origin: origin.right_origin,
            left: Vec::new(),
            right: Vec::new(),
        });
        self.by_id.insert(id, node);
        let siblings = match origin.side {
            Side::Left => &self.nodes[parent].left,
            Side::Right => &self.nodes[parent].right,
        };
        let rank = match (origin.side, self.rule) {
            (Side::Right, RightSiblings::ByRightOriginReversed) => {
                // Reverse order of right origins (the end counts as greatest), ties by id.
                let order = self.traversal();
                let at = |o: Option<I>| {
                    o.map_or(usize::MAX, |o| {
                        order
                            .iter()
                            .position(|&n| self.nodes[n].id == Some(o))
                            .expect("known")
                    })
                };
                let mine = at(origin.right_origin);
                siblings
                    .iter()
                    .take_while(|&&s| {
                        let theirs = at(self.nodes[s].right_origin);
                        theirs > mine || (theirs == mine && self.nodes[s].id < Some(id))
                    })
                    .count()
            }
            _ => siblings
                .iter()
                .take_while(|&&s| self.nodes[s].id < Some(id))
                .count(),
        };
        match origin.side {
            Side::Left => self.nodes[parent].left.insert(rank, node),
            Side::Right => self.nodes[parent].right.insert(rank, node),
        }
    }

    /// The paper's delete effector: marks node `id` as a tombstone.
    ///
    /// # Panics
    /// If `id` is unknown.
    pub fn delete(&mut self, id: I) {
        let node = self.by_id[&id];
        self.nodes[node].deleted = true;
    }
}

/// What one edit of a [`History`] did, as the naive tree sees it.
#[derive(Clone, Copy, Debug)]
enum Effect<T> {
    Insert(Dot, Origin, T),
    Delete(Dot),
    Nothing,
}

/// The naive tree a replica must hold after seeing the edits of `history`, with right siblings
/// ordered by `rule`: each edit is interpreted against the list its origin saw (the edits in
/// its causal past), then all edits are applied to one tree. An element's id is the [`Dot`] of
/// the update that inserted it.
#[must_use]
pub fn tree<T: Clone>(history: &History<ListOp<T>>, rule: RightSiblings) -> NaiveFugue<T> {
    let events = history.events();
    let position: BTreeMap<Dot, usize> =
        events.iter().enumerate().map(|(i, e)| (e.dot, i)).collect();
    let mut effects: Vec<Effect<T>> = Vec::with_capacity(events.len());
    for event in events {
        // The causal past: the transitive closure of the dependencies.
        let mut past = BTreeSet::new();
        let mut todo: Vec<usize> = event
            .deps
            .iter()
            .filter_map(|d| position.get(d).copied())
            .collect();
        while let Some(i) = todo.pop() {
            if past.insert(i) {
                todo.extend(
                    events[i]
                        .deps
                        .iter()
                        .filter_map(|d| position.get(d).copied()),
                );
            }
        }
        let mut view = NaiveFugue::new(rule);
        for &i in &past {
            apply(&mut view, &effects[i]);
        }
        let effect = match &event.op {
            ListOp::Insert { at, value } => {
                let index = *at as usize % (view.len() + 1);
                Effect::Insert(event.dot, view.origin(index), value.clone())
            }
            ListOp::Delete { at } if !view.is_empty() => {
                Effect::Delete(view.id_at(*at as usize % view.len()))
            }
            ListOp::Delete { .. } => Effect::Nothing,
        };
        effects.push(effect);
    }
    let mut all = NaiveFugue::new(rule);
    for effect in &effects {
        apply(&mut all, effect);
    }
    all
}

/// The values a replica must show after seeing the edits of `history`, with right siblings
/// ordered by `rule`: the values of [`tree`].
#[must_use]
pub fn value<T: Clone>(history: &History<ListOp<T>>, rule: RightSiblings) -> Vec<T> {
    tree(history, rule).values()
}

/// The Fugue specification: the list a replica must show after seeing the edits of `history`
/// (concurrent siblings ordered by id).
#[must_use]
pub fn fugue<T: Clone>(history: &History<ListOp<T>>) -> Vec<T> {
    value(history, RightSiblings::ById)
}

/// The FugueMax specification: as [`fugue`], with right siblings ordered by the reverse list
/// order of their right origins, which makes it maximally non-interleaving.
#[must_use]
pub fn fugue_max<T: Clone>(history: &History<ListOp<T>>) -> Vec<T> {
    value(history, RightSiblings::ByRightOriginReversed)
}

/// Why a replica's list does not meet the strong list specification: [`strong_list`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StrongListError {
    /// The list shows an element that no insert of the history made.
    #[error("{0} is not an insert the replica has applied")]
    Unknown(Dot),
    /// The list shows one element twice.
    #[error("{0} is shown twice")]
    Twice(Dot),
    /// No total order of the inserted elements explains both every edit's index at its origin
    /// and the list shown.
    #[error(
        "no order of the inserted elements puts every insert at its index, deletes the elements \
         at the deletes' indices, and shows {shown:?}"
    )]
    NoOrder {
        /// The element ids shown.
        shown: Vec<Dot>,
    },
    /// The search gave up after `steps` placements without deciding: the history is too large
    /// for it.
    #[error("undecided after {steps} placements: the history is too large for the search")]
    Undecided {
        /// The placements tried.
        steps: usize,
    },
}

/// The strong list specification (Attiya, Burckhardt, Gotsman, Morrison, Yang and Zawirski,
/// *Specification and Complexity of Collaborative Text Editing*, PODC 2016), for one replica:
/// checks that some total order of all the elements inserted in `history` explains both the
/// edits and the list `shown` (the ids of the replica's visible elements, in list order: the
/// [`Dot`]s of the inserting updates, as [`Model::element_ids`](crate::Model::element_ids) gives
/// them). Returns such an order, the witness.
///
/// Every edit is read at its origin, against the list of its causal past in that order: an
/// insert `at` lands at index `at % (len + 1)` of it, a delete `at` removes the element at index
/// `at % len` (nothing when empty). `shown` must be the elements inserted and not deleted, in
/// that order.
///
/// Unlike [`fugue`], this does not say where concurrent inserts at one place go, only that one
/// order explains everything: Fugue, FugueMax and RGA all meet it, and a list that moves an
/// element, shows a deleted one or puts an insert at the wrong index does not. That one order
/// is shared by *all* replicas is what the harness's sequence oracle checks across replicas.
///
/// The search places each insert, in history order, in one of the gaps its index allows, and
/// prunes with the order of `shown`; it tries at most `budget` placements.
///
/// ```
/// use crdt_laws::vocab::list::{self, ListOp, StrongListError};
/// use crdt_laws::{Dot, History, ReplicaId};
///
/// // A types "ab"; B concurrently types "x" at the start.
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let (a1, a2, b1) = (Dot::new(a, 1), Dot::new(a, 2), Dot::new(b, 1));
/// let mut history = History::new();
/// history.push(a1, ListOp::Insert { at: 0, value: 'a' }, vec![]);
/// history.push(a2, ListOp::Insert { at: 1, value: 'b' }, vec![a1]);
/// history.push(b1, ListOp::Insert { at: 0, value: 'x' }, vec![]);
/// // "xab" and "abx" are both explained; "bax" moves A's second insert before its first.
/// assert!(list::strong_list(&history, &[b1, a1, a2], 10_000).is_ok());
/// assert!(list::strong_list(&history, &[a1, a2, b1], 10_000).is_ok());
/// assert!(matches!(
///     list::strong_list(&history, &[a2, a1, b1], 10_000),
///     Err(StrongListError::NoOrder { .. })
/// ));
/// ```
///
/// # Errors
/// [`StrongListError`]: an element shown that was not inserted or shown twice, no order at
/// all, or undecided within `budget`.
pub fn strong_list<T>(
    history: &History<ListOp<T>>,
    shown: &[Dot],
    budget: usize,
) -> Result<Vec<Dot>, StrongListError> {
    let events = history.events();
    let position: BTreeMap<Dot, usize> =
        events.iter().enumerate().map(|(i, e)| (e.dot, i)).collect();
    // Where each shown element is in `shown`, by event index.
    let mut rank = vec![None; events.len()];
    for (k, dot) in shown.iter().enumerate() {
        match position.get(dot) {
            Some(&i) if matches!(events[i].op, ListOp::Insert { .. }) => {
                if rank[i].replace(k).is_some() {
                    return Err(StrongListError::Twice(*dot));
                }
            }
            _ => return Err(StrongListError::Unknown(*dot)),
        }
    }
    let past: Vec<BTreeSet<usize>> = events
        .iter()
        .map(|event| {
            let mut past = BTreeSet::new();
            let mut todo: Vec<usize> = event
                .deps
                .iter()
                .filter_map(|d| position.get(d).copied())
                .collect();
            while let Some(i) = todo.pop() {
                if past.insert(i) {
                    todo.extend(
                        events[i]
                            .deps
                            .iter()
                            .filter_map(|d| position.get(d).copied()),
                    );
                }
            }
            past
        })
        .collect();
    let mut search = StrongListSearch {
        history,
        past: &past,
        rank: &rank,
        order: Vec::new(),
        target: vec![None; events.len()],
        steps: 0,
        budget,
    };
    match search.place(0) {
        Some(true) => Ok(search.order.iter().map(|&i| events[i].dot).collect()),
        Some(false) => Err(StrongListError::NoOrder {
            shown: shown.to_vec(),
        }),
        None => Err(StrongListError::Undecided {
            steps: search.steps,
        }),
    }
}

/// The depth-first search of [`strong_list`]: events are indices into the history's events.
struct StrongListSearch<'h, T> {
    history: &'h History<ListOp<T>>,
    /// Each event's causal past.
    past: &'h [BTreeSet<usize>],
    /// Each shown element's index in the list shown.
    rank: &'h [Option<usize>],
    /// The inserts placed so far, in the order being built.
    order: Vec<usize>,
    /// The element each delete placed so far removed.
    target: Vec<Option<usize>>,
    steps: usize,
    budget: usize,
}

impl<T> StrongListSearch<'_, T> {
    /// Whether the events from `k` on can be placed (`None`: out of budget).
    fn place(&mut self, k: usize) -> Option<bool> {
        let events = self.history.events();
        let Some(event) = events.get(k) else {
            // Every element shown is placed in shown order; every other one must be deleted.
            let deleted: BTreeSet<usize> = self.target.iter().flatten().copied().collect();
            return Some(
                self.order
                    .iter()
                    .all(|&i| self.rank[i].is_some() != deleted.contains(&i)),
            );
        };
        let past = &self.past[k];
        let deleted: BTreeSet<usize> = past.iter().filter_map(|&d| self.target[d]).collect();
        let view: Vec<usize> = self
            .order
            .iter()
            .enumerate()
            .filter(|&(_, i)| past.contains(i) && !deleted.contains(i))
            .map(|(at, _)| at)
            .collect();
        match event.op {
            ListOp::Insert { at, .. } => {
                let index = at as usize % (view.len() + 1);
                let first = if index == 0 { 0 } else { view[index - 1] + 1 };
                let last = view.get(index).copied().unwrap_or(self.order.len());
                for gap in first..=last {
                    if !self.fits(k, gap) {
                        continue;
                    }
                    self.steps += 1;
                    if self.steps > self.budget {
                        return None;
                    }
                    self.order.insert(gap, k);
                    let found = self.place(k + 1);
                    if found != Some(false) {
                        return found;
                    }
                    self.order.remove(gap);
                }
                Some(false)
            }
            ListOp::Delete { at } => {
                let target = (!view.is_empty()).then(|| self.order[view[at as usize % view.len()]]);
                if target.is_some_and(|t| self.rank[t].is_some()) {
                    return Some(false); // it deletes an element the list still shows
                }
                self.target[k] = target;
                let found = self.place(k + 1);
                self.target[k] = None;
                found
            }
        }
    }

    /// Whether insert `k` at `gap` keeps the shown elements in shown order.
    fn fits(&self, k: usize, gap: usize) -> bool {
        let Some(mine) = self.rank[k] else {
            return true;
        };
        let before = self.order[..gap].iter().rev().find_map(|&i| self.rank[i]);
        let after = self.order[gap..].iter().find_map(|&i| self.rank[i]);
        before.is_none_or(|b| b < mine) && after.is_none_or(|a| mine < a)
    }
}

fn apply<T: Clone>(tree: &mut NaiveFugue<T>, effect: &Effect<T>) {
    match effect {
        Effect::Insert(id, origin, value) => tree.insert(*id, *origin, value.clone()),
        Effect::Delete(id) => tree.delete(*id),
        Effect::Nothing => {}
    }
}

/// Replicas whose dots [`tag_char`] encodes: `0..TAG_REPLICAS`.
pub const TAG_REPLICAS: u32 = 32;

/// The largest sequence number [`tag_char`] encodes: dots `1..=TAG_MAX_SEQ` of each replica.
pub const TAG_MAX_SEQ: u64 = 4095;

/// The first code point of the Supplementary Private Use Area-A (plane 15).
const PLANE_15: u32 = 0xF_0000;
/// The first code point of the Supplementary Private Use Area-B (plane 16).
const PLANE_16: u32 = 0x10_0000;
/// Private-use code points per plane: the last two of each plane are noncharacters, not used.
const PER_PLANE: u32 = 0xFFFE;
/// A tag, for its width: every tag is outside the Basic Multilingual Plane.
const SOME_TAG: char = '\u{F0000}';

/// The tag of `dot`, or `None` outside the encoded range (replica below [`TAG_REPLICAS`],
/// sequence number in `1..=`[`TAG_MAX_SEQ`]).
#[must_use]
pub fn try_tag_char(dot: Dot) -> Option<char> {
    if dot.replica.0 >= TAG_REPLICAS || !(1..=TAG_MAX_SEQ).contains(&dot.seq) {
        return None;
    }
    // At most 32 * 4095 = 131_040 < 2 * PER_PLANE = 131_068 tags: both planes suffice.
    let k = dot.replica.0 * TAG_MAX_SEQ as u32 + (dot.seq as u32 - 1);
    let code = if k < PER_PLANE {
        PLANE_15 + k
    } else {
        PLANE_16 + (k - PER_PLANE)
    };
    char::from_u32(code)
}

/// The tag of an update: one character of a Unicode supplementary private-use plane (U+F0000 to
/// U+FFFFD, then U+100000 to U+10FFFD) that encodes `dot`, for a list from another library to
/// carry the framework's element ids in its content. [`char_dot`] reads it back.
///
/// Dots of replicas `0..`[`TAG_REPLICAS`] (32) with sequence numbers `1..=`[`TAG_MAX_SEQ`]
/// (4095) are encoded: enough for any schedule the harness draws. A tag is outside the Basic
/// Multilingual Plane: 4 bytes in UTF-8, 2 units in UTF-16, 1 `char`; count it so when the
/// library's indices are bytes or UTF-16 units ([`TaggedText::offset`] does).
///
/// ```
/// use crdt_laws::vocab::list::{char_dot, tag_char};
/// use crdt_laws::{Dot, ReplicaId};
///
/// let dot = Dot::new(ReplicaId::new(2), 7);
/// assert_eq!(char_dot(tag_char(dot)), Some(dot));
/// assert_eq!(char_dot('a'), None);
/// ```
///
/// # Panics
/// Outside the encoded range, naming the dot and the range ([`try_tag_char`] returns `None`
/// instead):
///
/// ```should_panic
/// use crdt_laws::vocab::list::tag_char;
/// use crdt_laws::{Dot, ReplicaId};
///
/// tag_char(Dot::new(ReplicaId::new(32), 1)); // replicas 0..32 only
/// ```
#[must_use]
pub fn tag_char(dot: Dot) -> char {
    try_tag_char(dot).unwrap_or_else(|| {
        panic!(
            "tag_char: {dot} (replica {}, seq {}) is outside the tagged range: replicas \
             0..{TAG_REPLICAS}, sequence numbers 1..={TAG_MAX_SEQ}",
            dot.replica.0, dot.seq
        )
    })
}

/// The dot a [`tag_char`] encodes, or `None` for any other character (including private-use
/// characters outside the encoded range).
#[must_use]
pub fn char_dot(c: char) -> Option<Dot> {
    let code = u32::from(c);
    let k = match code {
        _ if (PLANE_15..PLANE_15 + PER_PLANE).contains(&code) => code - PLANE_15,
        _ if (PLANE_16..PLANE_16 + PER_PLANE).contains(&code) => code - PLANE_16 + PER_PLANE,
        _ => return None,
    };
    let per_replica = TAG_MAX_SEQ as u32;
    let replica = k / per_replica;
    (replica < TAG_REPLICAS)
        .then(|| Dot::new(ReplicaId::new(replica), u64::from(k % per_replica) + 1))
}

/// What a text model inserts for one element: `value` followed by its tag, [`tag_char`]`(dot)`.
/// Inserted as one string by one edit, the two stay adjacent: every index a user sees falls
/// between pairs, so no insert that knew the pair lands inside it, and the list CRDTs in use
/// (RGA and automerge, Yjs, Fugue) keep one edit's characters together against concurrent
/// inserts too. [`TaggedText::pairs`] reports a pair split all the same.
///
/// A model can also insert the tag alone, in place of the value: the text then holds only
/// tags, [`TaggedText::split`] gives the ids and an empty value, and the model's value is the
/// text of tags itself, and its specification
/// `list::tree(history, rule).ids().into_iter().map(tag_char).collect()` (stronger: it compares
/// identities, not only characters).
///
/// # Panics
/// If `dot` is outside the tagged range, or `value` is itself a tag.
#[must_use]
pub fn tagged(value: char, dot: Dot) -> String {
    assert!(
        char_dot(value).is_none(),
        "tagged: the value {value:?} is itself a tag"
    );
    [value, tag_char(dot)].into_iter().collect()
}

/// How a library counts positions in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Unicode scalar values (`char`s): Loro's default, automerge's `TextEncoding::UnicodeCodePoint`.
    Chars,
    /// UTF-8 bytes: Rust's `str` indices, yrs's `OffsetKind::Bytes`.
    Utf8,
    /// UTF-16 code units: yrs's `OffsetKind::Utf16`, JavaScript strings.
    Utf16,
}

impl Unit {
    fn width(self, c: char) -> usize {
        match self {
            Unit::Chars => 1,
            Unit::Utf8 => c.len_utf8(),
            Unit::Utf16 => c.len_utf16(),
        }
    }
}

/// A text whose elements carry tags ([`tagged`]), split into what a user sees and the element
/// identities, in one pass.
///
/// ```
/// use crdt_laws::vocab::list::{TaggedText, Unit, tagged};
/// use crdt_laws::{Dot, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let text = format!("{}{}", tagged('h', Dot::new(a, 1)), tagged('i', Dot::new(b, 4)));
/// let shown = TaggedText::pairs(&text).unwrap();
/// assert_eq!(shown.value(), "hi");
/// assert_eq!(shown.ids(), [Dot::new(a, 1), Dot::new(b, 4)]);
/// // Where the library's indices for element 1 start: after 'h' and its tag.
/// assert_eq!(shown.offset(1, Unit::Chars), 2);
/// assert_eq!(shown.offset(1, Unit::Utf8), 5);
/// assert_eq!(shown.offset(1, Unit::Utf16), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TaggedText {
    value: String,
    ids: Vec<Dot>,
    /// For each element, the value character before its tag, if any.
    elements: Vec<Option<char>>,
}

/// Why a text is not a sequence of (value, tag) pairs: [`TaggedText::pairs`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TagError {
    /// A visible character not followed by a tag: the library split an element, or the
    /// model inserted it without its tag.
    #[error("character {found:?} at char index {at} is not followed by a tag")]
    Untagged {
        /// The character.
        found: char,
        /// Its index in the text, in `char`s.
        at: usize,
    },
    /// A tag with no visible character before it.
    #[error("tag of {dot} at char index {at} follows no value character")]
    Orphan {
        /// The dot the tag encodes.
        dot: Dot,
        /// Its index in the text, in `char`s.
        at: usize,
    },
}

impl TaggedText {
    /// Splits any text: the characters that are not tags form the value, the tags, in order,
    /// the ids. Lenient: a tag alone is an element without a visible character, and a visible
    /// character without a tag has no id (use [`pairs`](Self::pairs) to reject both).
    #[must_use]
    pub fn split(text: &str) -> Self {
        let mut shown = Self::default();
        let mut pending = None;
        for c in text.chars() {
            match char_dot(c) {
                Some(dot) => {
                    shown.ids.push(dot);
                    shown.elements.push(pending.take());
                }
                None => {
                    shown.value.push(c);
                    pending = Some(c);
                }
            }
        }
        shown
    }

    /// Reads a text made only of (value character, tag) pairs, as [`tagged`] inserts them.
    ///
    /// # Errors
    /// [`TagError`] names the first character out of place: a value with no tag after it, or a
    /// tag with no value before it.
    pub fn pairs(text: &str) -> Result<Self, TagError> {
        let mut shown = Self::default();
        let mut chars = text.chars().enumerate();
        while let Some((at, c)) = chars.next() {
            if let Some(dot) = char_dot(c) {
                return Err(TagError::Orphan { dot, at });
            }
            match chars.next().map(|(_, t)| char_dot(t)) {
                Some(Some(dot)) => {
                    shown.value.push(c);
                    shown.ids.push(dot);
                    shown.elements.push(Some(c));
                }
                _ => return Err(TagError::Untagged { found: c, at }),
            }
        }
        Ok(shown)
    }

    /// What a user sees: the text without its tags.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The element ids, in list order: one per tag.
    #[must_use]
    pub fn ids(&self) -> &[Dot] {
        &self.ids
    }

    /// The number of elements (tags).
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the text holds no tag.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The value and the ids.
    #[must_use]
    pub fn into_parts(self) -> (String, Vec<Dot>) {
        (self.value, self.ids)
    }

    /// Where element `index` (its value character, then its tag) starts in the tagged text,
    /// counted in `unit`; `offset(len(), unit)` is the end of the last element. A model inserts
    /// at `offset(at, unit)` and deletes `offset(at, unit)..offset(at + 1, unit)`.
    ///
    /// Exact for texts read by [`pairs`](Self::pairs); for [`split`](Self::split), value
    /// characters with no tag after them are not counted.
    ///
    /// # Panics
    /// If `index > len()`.
    #[must_use]
    pub fn offset(&self, index: usize, unit: Unit) -> usize {
        assert!(
            index <= self.len(),
            "offset: element {index} of a text of {} elements",
            self.len()
        );
        self.elements[..index]
            .iter()
            .map(|value| value.map_or(0, |c| unit.width(c)) + unit.width(SOME_TAG))
            .sum()
    }

    /// The range of element `index` in the tagged text, counted in `unit`: what to delete.
    ///
    /// # Panics
    /// If `index >= len()`.
    #[must_use]
    pub fn range(&self, index: usize, unit: Unit) -> Range<usize> {
        assert!(
            index < self.len(),
            "range: element {index} of a text of {} elements",
            self.len()
        );
        self.offset(index, unit)..self.offset(index + 1, unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_dot_round_trips_through_a_distinct_private_use_char() {
        let mut seen = BTreeSet::new();
        for replica in 0..TAG_REPLICAS {
            for seq in 1..=TAG_MAX_SEQ {
                let dot = Dot::new(ReplicaId::new(replica), seq);
                let c = tag_char(dot);
                let code = u32::from(c);
                assert!(
                    (0xF_0000..=0xF_FFFD).contains(&code)
                        || (0x10_0000..=0x10_FFFD).contains(&code),
                    "{dot} -> U+{code:X}"
                );
                assert_eq!(char_dot(c), Some(dot), "U+{code:X}");
                assert!(seen.insert(c), "{dot} reuses U+{code:X}");
            }
        }
        assert_eq!(seen.len(), 32 * 4095);
    }

    #[test]
    fn dots_outside_the_range_have_no_tag() {
        let r = ReplicaId::new;
        for dot in [
            Dot::new(r(0), 0),
            Dot::new(r(0), TAG_MAX_SEQ + 1),
            Dot::new(r(TAG_REPLICAS), 1),
            Dot::new(r(u32::MAX), u64::MAX),
        ] {
            assert_eq!(try_tag_char(dot), None, "{dot}");
            let panic = std::panic::catch_unwind(|| tag_char(dot)).unwrap_err();
            let message = panic.downcast_ref::<String>().unwrap();
            assert!(message.contains("outside the tagged range"), "{message}");
        }
    }

    #[test]
    fn other_chars_are_not_tags() {
        for c in [
            'a',
            '\0',
            'é',
            '\u{E000}',
            '\u{F8FF}',
            '😀',
            char::MAX,
            '\u{FFFFE}',
        ] {
            assert_eq!(char_dot(c), None, "{c:?}");
        }
        // Private-use code points past the last tag decode to nothing.
        let last = tag_char(Dot::new(ReplicaId::new(TAG_REPLICAS - 1), TAG_MAX_SEQ));
        for code in u32::from(last) + 1..=0x10_FFFD {
            assert_eq!(char_dot(char::from_u32(code).unwrap()), None, "U+{code:X}");
        }
    }

    #[test]
    fn tagged_texts_split_into_value_ids_and_offsets() {
        let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
        let text = [tagged('x', Dot::new(a, 1)), tagged('é', Dot::new(b, 2))].concat();
        let shown = TaggedText::pairs(&text).unwrap();
        assert_eq!(shown, TaggedText::split(&text));
        assert_eq!(shown.len(), 2);
        assert_eq!(shown.range(1, Unit::Utf8), 5..11);
        assert_eq!(shown.range(1, Unit::Utf16), 3..6);
        assert_eq!(shown.offset(2, Unit::Chars), 4);
        assert_eq!(
            &text[shown.range(0, Unit::Utf8)],
            tagged('x', Dot::new(a, 1))
        );
        let (value, ids) = shown.into_parts();
        assert_eq!(value, "xé");
        assert_eq!(ids, [Dot::new(a, 1), Dot::new(b, 2)]);
    }

    #[test]
    fn broken_pairs_are_named() {
        let tag = tag_char(Dot::new(ReplicaId::new(0), 3));
        assert_eq!(
            TaggedText::pairs(&format!("a{tag}b")),
            Err(TagError::Untagged { found: 'b', at: 2 })
        );
        assert_eq!(
            TaggedText::pairs(&format!("ab{tag}")),
            Err(TagError::Untagged { found: 'a', at: 0 })
        );
        assert!(matches!(
            TaggedText::pairs(&format!("{tag}a")),
            Err(TagError::Orphan { at: 0, .. })
        ));
        // Lenient splitting keeps what it can.
        let shown = TaggedText::split(&format!("{tag}ab"));
        assert_eq!((shown.value(), shown.ids().len()), ("ab", 1));
    }

    /// Random executions: each step is an edit at one of three replicas, or one replica
    /// receiving everything another has seen. Every edit is returned with what its origin had
    /// seen, in creation order (a causal order).
    fn executions() -> impl Strategy<Value = History<ListOp<char>>> {
        let step = prop_oneof![
            3 => (0..3u32, ListOp::strategy(3, 2)).prop_map(|(r, op)| (r, Some(op), 0)),
            1 => (0..3u32, 0..3u32).prop_map(|(r, from)| (r, None, from)),
        ];
        proptest::collection::vec(step, 0..14).prop_map(|steps| {
            let mut seen = vec![BTreeSet::<Dot>::new(); 3];
            let mut issued = [0u64; 3];
            let mut history = History::new();
            for (r, op, from) in steps {
                let r = r as usize;
                match op {
                    Some(op) => {
                        issued[r] += 1;
                        let dot = Dot::new(ReplicaId::new(r as u32), issued[r]);
                        history.push(dot, op, seen[r].iter().copied().collect());
                        seen[r].insert(dot);
                    }
                    None => {
                        let theirs = seen[from as usize].clone();
                        seen[r].extend(theirs);
                    }
                }
            }
            history
        })
    }

    proptest! {
        /// Fugue and FugueMax meet the strong list specification, and a list that swaps two
        /// elements whose order an insert fixed (one was in the list the other was inserted
        /// into, at its front or its end) does not.
        #[test]
        fn fugue_meets_the_strong_list_specification_and_a_forced_swap_breaks_it(
            history in executions()
        ) {
            for rule in [RightSiblings::ById, RightSiblings::ByRightOriginReversed] {
                let shown = tree(&history, rule).ids();
                let order = strong_list(&history, &shown, 1_000_000);
                prop_assert!(order.is_ok(), "{rule:?} {shown:?}: {order:?}");
                let order = order.unwrap();
                let inserts = history
                    .events()
                    .iter()
                    .filter(|e| matches!(e.op, ListOp::Insert { .. }))
                    .count();
                prop_assert_eq!(order.len(), inserts);
                // A pair of shown elements x, y where x was in y's list at y's origin and y
                // went to the front or the end of that list (its past has no delete, so the
                // list's length is known): their order is fixed.
                let forced = shown.iter().enumerate().find_map(|(i, &x)| {
                    shown.iter().enumerate().find_map(|(j, &y)| {
                        let ListOp::Insert { at, .. } = history.get(y)?.op else {
                            return None;
                        };
                        let past: Vec<_> = history
                            .events()
                            .iter()
                            .filter(|e| history.happens_before(e.dot, y))
                            .collect();
                        let len = past.len();
                        let index = at as usize % (len + 1);
                        let fixed = history.happens_before(x, y)
                            && past.iter().all(|e| matches!(e.op, ListOp::Insert { .. }))
                            && (index == 0 || index == len);
                        fixed.then_some((i, j))
                    })
                });
                if let Some((i, j)) = forced {
                    let mut swapped = shown.clone();
                    swapped.swap(i, j);
                    prop_assert!(
                        matches!(
                            strong_list(&history, &swapped, 1_000_000),
                            Err(StrongListError::NoOrder { .. })
                        ),
                        "{rule:?}: swapping {} and {} in {shown:?} was accepted",
                        shown[i],
                        shown[j]
                    );
                }
            }
        }
    }

    #[test]
    fn strong_list_rejects_wrong_indices_deleted_missing_and_unknown_elements() {
        let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
        let (a1, a2, a3, b1) = (
            Dot::new(a, 1),
            Dot::new(a, 2),
            Dot::new(a, 3),
            Dot::new(b, 1),
        );
        let mut h = History::new();
        h.push(a1, ListOp::Insert { at: 0, value: 'a' }, vec![]);
        // A inserts at the front again: "ba", not "ab".
        h.push(a2, ListOp::Insert { at: 0, value: 'b' }, vec![a1]);
        assert_eq!(strong_list(&h, &[a2, a1], 100), Ok(vec![a2, a1]));
        let no_order = |shown: &[Dot]| StrongListError::NoOrder {
            shown: shown.to_vec(),
        };
        assert_eq!(strong_list(&h, &[a1, a2], 100), Err(no_order(&[a1, a2])));
        assert_eq!(strong_list(&h, &[a2], 100), Err(no_order(&[a2])));
        assert_eq!(
            strong_list(&h, &[a2, a1, a2], 100),
            Err(StrongListError::Twice(a2))
        );
        assert_eq!(
            strong_list(&h, &[a3], 100),
            Err(StrongListError::Unknown(a3))
        );
        // A deletes index 1 of "ba": the 'a'. Showing it is wrong; showing only 'b' is right.
        h.push(a3, ListOp::Delete { at: 1 }, vec![a1, a2]);
        assert_eq!(
            strong_list(&h, &[a3], 100),
            Err(StrongListError::Unknown(a3))
        );
        assert_eq!(strong_list(&h, &[a2, a1], 100), Err(no_order(&[a2, a1])));
        assert_eq!(strong_list(&h, &[a2], 100), Ok(vec![a2, a1]));
        // B, concurrently, inserts into the empty list: anywhere is fine.
        h.push(b1, ListOp::Insert { at: 7, value: 'x' }, vec![]);
        assert!(strong_list(&h, &[b1, a2], 100).is_ok());
        assert!(strong_list(&h, &[a2, b1], 100).is_ok());
        assert_eq!(
            strong_list(&h, &[a2, b1], 0),
            Err(StrongListError::Undecided { steps: 1 })
        );
    }

    #[test]
    #[should_panic(expected = "is itself a tag")]
    fn a_tag_is_not_a_value() {
        let tag = tag_char(Dot::new(ReplicaId::new(0), 1));
        let _ = tagged(tag, Dot::new(ReplicaId::new(0), 2));
    }
}
