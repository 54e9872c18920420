//! Integrating remote edits: messages (operation-based) and whole states (state-based).
//!
//! Both come down to inserting a node with a known parent and side into the Fugue tree, and
//! finding where its in-order traversal puts it in the document-order index. The common cases
//! are immediate: a right child of a node without right children goes right after it, a left
//! child of a node without left children right before it. Otherwise the node has concurrent
//! siblings, and [`List::place`] scans the siblings' subtrees in document order to find its
//! rank among them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use super::error::Error;
use super::index::{Place, Pos};
use super::list::List;
use super::message::{Deletion, Id, Insertion, Message, Side};
use super::order::{RightSiblings, SiblingOrder};
use super::tree::Lid;
use super::values::Values;

/// A run of new elements to integrate, with ids already mapped to local agents.
pub(crate) struct PendingRun<'a, T> {
    pub agent: u32,
    pub start: u32,
    pub parent: Option<Lid>,
    pub side: Side,
    pub right_origin: Option<Lid>,
    pub values: &'a [T],
}

/// Memoized climbs up the tree during one scan of [`List::place`].
///
/// A scan classifies many elements by the ancestor that a chain of links of one kind leads to,
/// and consecutive elements often share most of their chain (a run typed backwards is a chain
/// of left children, each the next element of the scan): remembering the top of every node
/// visited makes a whole scan linear instead of quadratic.
#[derive(Default)]
struct Climbs {
    top: HashMap<Lid, Lid>,
}

impl Climbs {
    /// Follows `up` from `start` while it returns a parent, and returns where it stops.
    fn climb(&mut self, start: Lid, up: impl Fn(Lid) -> Option<Lid>) -> Lid {
        let mut path = Vec::new();
        let mut node = start;
        let top = loop {
            if let Some(&top) = self.top.get(&node) {
                break top;
            }
            match up(node) {
                Some(parent) => {
                    path.push(node);
                    node = parent;
                }
                None => break node,
            }
        };
        self.top.extend(path.into_iter().map(|node| (node, top)));
        self.top.insert(start, top);
        top
    }
}

/// How an element scanned during [`List::place`] relates to the new node's parent `P`.
enum Relation {
    /// The element starts (right side) or ends (left side) the subtree of this sibling of the
    /// new node.
    Sibling(Lid),
    /// The element is inside the subtree of a sibling already passed.
    Inside,
    /// The element is outside `P`'s subtree on that side: the scan is over.
    Outside,
}

impl<T: Clone, O: SiblingOrder, V: Values<Item = T>> List<T, O, V> {
    /// Applies a message from any replica (this one included).
    ///
    /// Messages must be delivered in causal order: after every message their origin had
    /// integrated. Integrating a message twice is harmless.
    ///
    /// # Errors
    /// [`Error::MissingDependency`] when the message refers to an element not integrated yet,
    /// [`Error::Invalid`] when it is malformed. The list is unchanged in both cases.
    pub fn integrate(&mut self, message: &Message<T>) -> Result<(), Error> {
        match message {
            Message::Insert(insertion) => self.integrate_insertion(insertion),
            Message::Delete(deletion) => self.integrate_deletion(deletion),
        }
    }

    /// Applies an insertion from any replica. See [`integrate`](Self::integrate).
    ///
    /// # Errors
    /// As for [`integrate`](Self::integrate).
    pub fn integrate_insertion(&mut self, insertion: &Insertion<T>) -> Result<(), Error> {
        let len = u32::try_from(insertion.values().len())
            .map_err(|_| Error::Invalid("an insertion of more than 2^32 elements".into()))?;
        let Id { replica, counter } = insertion.id;
        let end = counter.checked_add(len).ok_or_else(|| {
            Error::Invalid(format!("the ids of insertion {} overflow", insertion.id))
        })?;
        let have = self
            .tree
            .agent(replica)
            .map_or(0, |a| self.tree.next_counter(a));
        if end <= have {
            return Ok(()); // Already integrated (or empty).
        }
        if counter > have {
            return Err(Error::MissingDependency {
                id: Id::new(replica, have),
            });
        }
        let right_origin = self.resolve(insertion.right_origin)?;
        let skip = have - counter;
        let parent = if skip == 0 {
            let parent = self.resolve(insertion.parent)?;
            if parent.is_none() && insertion.side == Side::Left {
                return Err(Error::Invalid(format!(
                    "insertion {} is a left child of the root",
                    insertion.id
                )));
            }
            parent
        } else {
            None // Unused: `integrate_run` continues the run from the last element we have.
        };
        let run = PendingRun {
            agent: self.tree.agent_or_insert(replica),
            start: counter,
            parent,
            side: insertion.side,
            right_origin,
            values: insertion.values(),
        };
        self.integrate_run(&run);
        self.cursor = None;
        Ok(())
    }

    /// Applies a deletion from any replica. See [`integrate`](Self::integrate).
    ///
    /// # Errors
    /// As for [`integrate`](Self::integrate).
    pub fn integrate_deletion(&mut self, deletion: &Deletion) -> Result<(), Error> {
        let mut ranges = Vec::with_capacity(deletion.ranges().len());
        for range in deletion.ranges() {
            let start = range.start;
            let last = start
                .counter
                .checked_add(range.len)
                .and_then(|end| end.checked_sub(1));
            let Some(last) = last else {
                continue; // An empty range.
            };
            let last = Id::new(start.replica, last);
            let lid = self.resolve(Some(last))?.expect("resolved a present id");
            ranges.push((lid.agent, start.counter, range.len));
        }
        for (agent, start, len) in ranges {
            self.delete_ids(agent, start, len);
        }
        self.cursor = None;
        Ok(())
    }

    /// Merges another replica's state into this one: the union of their elements and of their
    /// tombstones. Merging is commutative, associative and idempotent, and `a.merge(&b)` equals
    /// integrating, in causal order, every message `b` has seen and `a` has not.
    pub fn merge(&mut self, other: &Self) {
        let agents: Vec<u32> = other
            .tree
            .agents
            .iter()
            .map(|a| self.tree.agent_or_insert(a.replica))
            .collect();
        let map = |lid: Lid| Lid::new(agents[lid.agent as usize], lid.counter);
        // The values this list lacks, agent by agent, from `have` on.
        let missing: Vec<(u32, Vec<T>)> = other
            .tree
            .agents
            .iter()
            .zip(&agents)
            .map(|(theirs, &agent)| {
                let have = self.tree.next_counter(agent);
                let len = theirs.values.len();
                let values = theirs.values.range((have as usize).min(len), len).collect();
                (have, values)
            })
            .collect();
        let mut batch = Vec::new();
        for ((theirs, &agent), (have, values)) in
            other.tree.agents.iter().zip(&agents).zip(&missing)
        {
            let have = *have;
            for (i, run) in theirs.runs.iter().enumerate() {
                let end = theirs.run_end(i);
                if end <= have {
                    continue;
                }
                let start = run.start.max(have);
                let (parent, side) = if start == run.start {
                    (run.parent.map(map), run.side)
                } else {
                    (Some(Lid::new(agent, start - 1)), Side::Right)
                };
                batch.push(PendingRun {
                    agent,
                    start,
                    parent,
                    side,
                    right_origin: run.right_origin.map(map),
                    values: &values[(start - have) as usize..(end - have) as usize],
                });
            }
        }
        self.integrate_batch(&batch)
            .expect("a list holds every dependency of its elements");
        for (theirs, &agent) in other.tree.agents.iter().zip(&agents) {
            for (start, len) in theirs.deleted_ranges() {
                self.delete_ids(agent, start, len);
            }
        }
        self.cursor = None;
    }

    /// Integrates runs given in any order, each after the runs it depends on (its parent, its
    /// right origin and the agent's previous element).
    ///
    /// # Errors
    /// [`Error::MissingDependency`] when a run depends on an element that is neither present
    /// nor in the batch, [`Error::Invalid`] on a dependency cycle.
    pub(crate) fn integrate_batch(&mut self, batch: &[PendingRun<'_, T>]) -> Result<(), Error> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Waiting,
            OnStack,
            Done,
        }
        let by_start: BTreeMap<(u32, u32), usize> = batch
            .iter()
            .enumerate()
            .map(|(i, run)| ((run.agent, run.start), i))
            .collect();
        let mut state = vec![State::Waiting; batch.len()];
        let mut stack = Vec::new();
        for first in 0..batch.len() {
            if state[first] == State::Done {
                continue;
            }
            stack.push(first);
            while let Some(&top) = stack.last() {
                state[top] = State::OnStack;
                let Some(dep) = self.missing_dependency(&batch[top]) else {
                    self.integrate_run(&batch[top]);
                    state[top] = State::Done;
                    stack.pop();
                    continue;
                };
                let provider = by_start
                    .range(..=(dep.agent, dep.counter))
                    .next_back()
                    .map(|(_, &i)| i)
                    .filter(|&i| {
                        let run = &batch[i];
                        run.agent == dep.agent && dep.counter < run.start + run.values.len() as u32
                    });
                match provider {
                    None => {
                        let id = self.tree.to_id(dep);
                        return Err(Error::MissingDependency { id });
                    }
                    Some(i) if state[i] == State::Waiting => stack.push(i),
                    Some(_) => {
                        return Err(Error::Invalid(format!(
                            "insertion {} depends on itself",
                            self.tree
                                .to_id(Lid::new(batch[top].agent, batch[top].start))
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// A dependency of `run` that is not integrated yet, if any.
    fn missing_dependency(&self, run: &PendingRun<'_, T>) -> Option<Lid> {
        let previous = run.start.checked_sub(1).map(|c| Lid::new(run.agent, c));
        [previous, run.parent, run.right_origin]
            .into_iter()
            .flatten()
            .find(|&lid| !self.tree.contains(lid))
    }

    /// Inserts a run whose dependencies are all present. Elements already present are skipped.
    fn integrate_run(&mut self, run: &PendingRun<'_, T>) {
        let have = self.tree.next_counter(run.agent);
        let end = run.start + run.values.len() as u32;
        if end <= have {
            return;
        }
        debug_assert!(run.start <= have, "the previous element is a dependency");
        let skip = have - run.start;
        let (parent, side) = if skip == 0 {
            (run.parent, run.side)
        } else {
            (Some(Lid::new(run.agent, have - 1)), Side::Right)
        };
        let new = Lid::new(run.agent, have);
        let place = self.place(new, parent, side, run.right_origin);
        let values = &run.values[skip as usize..];
        let continues = self
            .tree
            .push_run(run.agent, parent, side, run.right_origin, values);
        self.index
            .insert(place, run.agent, have, values.len() as u32, continues);
    }

    /// The local id of `id`, which must be present.
    fn resolve(&self, id: Option<Id>) -> Result<Option<Lid>, Error> {
        id.map(|id| self.tree.to_lid(id).ok_or(Error::MissingDependency { id }))
            .transpose()
    }

    /// Where the new node `new`, the `side` child of `parent` with right origin
    /// `right_origin`, goes in document order (the paper's insert effector).
    fn place(&self, new: Lid, parent: Option<Lid>, side: Side, right_origin: Option<Lid>) -> Place {
        match (side, parent) {
            (Side::Right, None) if self.index.is_empty() => Place::Start,
            (Side::Right, None) => self.scan_right(new, None, right_origin),
            (Side::Right, Some(p)) if !self.tree.has_child(p, Side::Right) => {
                Place::After(self.pos(p))
            }
            (Side::Right, Some(p)) => self.scan_right(new, Some(p), right_origin),
            (Side::Left, None) => unreachable!("integration rejects left children of the root"),
            (Side::Left, Some(p)) if !self.tree.has_child(p, Side::Left) => {
                self.index.place_before(self.pos(p))
            }
            (Side::Left, Some(p)) => self.scan_left(new, p),
        }
    }

    /// Places right child `new` of `parent` (`None`: the root), which has right children
    /// already. Its right subtree follows it in document order: the siblings' subtrees in
    /// sibling order. Scan forward; the first element of each sibling's subtree is its
    /// leftmost descendant, from which a chain of left-child links climbs to the sibling.
    fn scan_right(&self, new: Lid, parent: Option<Lid>, right_origin: Option<Lid>) -> Place {
        let parent_pos = parent.map(|p| self.pos(p));
        let mut next = match parent_pos {
            Some(pos) => self.index.next_pos(pos),
            None => self.index.first_piece().map(|slot| Pos { slot, offset: 0 }),
        };
        let mut climbs = Climbs::default();
        while let Some(at) = next {
            // Climb left-child links to the first ancestor-or-self that is a right child.
            let top = climbs.climb(self.lid_at(at), |lid| {
                let info = self.tree.node(lid);
                (info.side == Side::Left).then(|| info.parent.expect("left children have a parent"))
            });
            let info = self.tree.node(top);
            let relation = if info.parent == parent {
                Relation::Sibling(top)
            } else {
                match (info.parent, parent_pos) {
                    // Everything is in the root's subtree.
                    (_, None) => Relation::Inside,
                    (None, Some(_)) => Relation::Outside,
                    // `top`'s parent precedes `at`: inside iff it follows `parent`.
                    (Some(g), Some(p)) => match self.index.cmp_pos(self.pos(g), p) {
                        Ordering::Greater => Relation::Inside,
                        _ => Relation::Outside,
                    },
                }
            };
            match relation {
                Relation::Sibling(sibling)
                    if self.right_sibling_first(new, right_origin, sibling) =>
                {
                    return self.index.place_before(at);
                }
                Relation::Sibling(_) | Relation::Inside => {}
                Relation::Outside => return self.index.place_before(at),
            }
            // The rest of the piece is a chain of right children: same subtree.
            next = self
                .index
                .next_piece(at.slot)
                .map(|slot| Pos { slot, offset: 0 });
        }
        self.index.place_at_end()
    }

    /// Places left child `new` of `parent`, which has left children already. Its left subtree
    /// precedes it in document order. Scan backward; the last element of each sibling's subtree
    /// is its rightmost descendant, from which a chain of right-child links (whole insertion
    /// runs at a time) climbs to the sibling.
    fn scan_left(&self, new: Lid, parent: Lid) -> Place {
        let parent_pos = self.pos(parent);
        let mut prev = self.index.prev_pos(parent_pos);
        let mut climbs = Climbs::default();
        while let Some(at) = prev {
            // Climb right-child links, a whole insertion run at a time, to the first
            // ancestor-or-self that is a left child (or a child of the root).
            let top = climbs.climb(self.tree.run_start(self.lid_at(at)), |lid| {
                let info = self.tree.node(lid);
                match (info.side, info.parent) {
                    (Side::Right, Some(g)) => Some(self.tree.run_start(g)),
                    _ => None,
                }
            });
            let relation = match self.tree.node(top).parent {
                Some(g) if g == parent => Relation::Sibling(top),
                // `top` is a left child of `g`, which follows `at`: inside iff it precedes
                // `parent`.
                Some(g) => match self.index.cmp_pos(self.pos(g), parent_pos) {
                    Ordering::Less => Relation::Inside,
                    _ => Relation::Outside,
                },
                // A right child of the root, in no left subtree.
                None => Relation::Outside,
            };
            match relation {
                Relation::Sibling(sibling) if self.id_less(sibling, new) => {
                    return Place::After(at);
                }
                Relation::Sibling(_) | Relation::Inside => {}
                Relation::Outside => return Place::After(at),
            }
            // The rest of the piece is made of `at`'s ancestors through right-child links.
            prev = self.index.prev_piece(at.slot).map(|slot| Pos {
                slot,
                offset: self.index.piece(slot).len - 1,
            });
        }
        Place::Start
    }

    /// Whether right child `new` (with right origin `new_origin`) comes before its sibling
    /// `sibling`.
    fn right_sibling_first(&self, new: Lid, new_origin: Option<Lid>, sibling: Lid) -> bool {
        match O::RIGHT_SIBLINGS {
            RightSiblings::ById => self.id_less(new, sibling),
            RightSiblings::ByRightOriginReversed => {
                let sibling_origin = self.tree.node(sibling).right_origin;
                match (new_origin, sibling_origin) {
                    _ if new_origin == sibling_origin => self.id_less(new, sibling),
                    // The end of the list is the greatest right origin.
                    (None, _) => true,
                    (_, None) => false,
                    (Some(a), Some(b)) => {
                        self.index.cmp_pos(self.pos(a), self.pos(b)) == Ordering::Greater
                    }
                }
            }
        }
    }

    /// The id order (replica, then counter) on local ids.
    fn id_less(&self, a: Lid, b: Lid) -> bool {
        self.tree.to_id(a) < self.tree.to_id(b)
    }
}
