//! A specification of the Fugue list: a deliberately naive implementation of the paper's tree,
//! and the value a replica must show given the edits visible to it.
//!
//! [`NaiveFugue`] follows the paper's pseudocode (and its authors' "Fugue Simple" reference
//! code) line by line: one node per element, explicit sorted child lists, a full traversal for
//! every query. It shares no code with [`FugueList`](super::FugueList) beyond the message types,
//! so comparing the two is a meaningful test. It is quadratic: use it on small histories only.

use std::collections::{BTreeMap, BTreeSet};

use crdt_laws::{Dot, History};

use super::message::{Id, Side};
use super::model::ListOp;
use super::order::RightSiblings;

/// One node of the naive tree; node 0 is the root.
#[derive(Clone, Debug)]
struct Node<T> {
    id: Option<Id>,
    value: Option<T>,
    deleted: bool,
    right_origin: Option<Id>,
    left: Vec<usize>,
    right: Vec<usize>,
}

/// Where an insertion goes in the tree: what the paper's insert generator computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The parent, `None` for the root.
    pub parent: Option<Id>,
    /// Which child of the parent the new node is.
    pub side: Side,
    /// The node after the insertion point (tombstones included), `None` at the end.
    pub right_origin: Option<Id>,
}

/// The Fugue tree exactly as in the paper, without any optimization.
#[derive(Clone, Debug)]
pub struct NaiveFugue<T> {
    nodes: Vec<Node<T>>,
    by_id: BTreeMap<Id, usize>,
    rule: RightSiblings,
}

impl<T: Clone> NaiveFugue<T> {
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
    pub fn ids(&self) -> Vec<Id> {
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
    pub fn origin(&self, index: usize) -> Origin {
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
    pub fn id_at(&self, index: usize) -> Id {
        let node = self.visible()[index];
        self.nodes[node].id.expect("not the root")
    }

    /// The paper's insert effector: adds node `id` where `origin` says. Ignores an id already
    /// present.
    ///
    /// # Panics
    /// If the parent or right origin is unknown.
    pub fn insert(&mut self, id: Id, origin: Origin, value: T) {
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
                let at = |o: Option<Id>| {
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
    pub fn delete(&mut self, id: Id) {
        let node = self.by_id[&id];
        self.nodes[node].deleted = true;
    }
}

/// What one edit of a [`History`] did, as the naive tree sees it.
#[derive(Clone, Copy, Debug)]
enum Effect<T> {
    Insert(Id, Origin, T),
    Delete(Id),
    Nothing,
}

/// The value a replica must show after seeing the edits of `history`, with right siblings
/// ordered by `rule`: each edit is interpreted against the list its origin saw (the edits in
/// its causal past), then all edits are applied to one naive tree.
#[must_use]
pub fn value<T: Clone>(history: &History<ListOp<T>>, rule: RightSiblings) -> Vec<T> {
    let events = history.events();
    let position: BTreeMap<Dot, usize> =
        events.iter().enumerate().map(|(i, e)| (e.dot, i)).collect();
    let mut effects: Vec<Effect<T>> = Vec::with_capacity(events.len());
    let mut inserted: BTreeMap<crdt_laws::ReplicaId, u32> = BTreeMap::new();
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
                let counter = inserted.entry(event.dot.replica).or_insert(0);
                let id = Id::new(event.dot.replica, *counter);
                *counter += 1;
                Effect::Insert(id, view.origin(index), value.clone())
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
    all.values()
}

fn apply<T: Clone>(tree: &mut NaiveFugue<T>, effect: &Effect<T>) {
    match effect {
        Effect::Insert(id, origin, value) => tree.insert(*id, *origin, value.clone()),
        Effect::Delete(id) => tree.delete(*id),
        Effect::Nothing => {}
    }
}
