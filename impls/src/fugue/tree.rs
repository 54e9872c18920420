//! The Fugue tree, stored as insertion runs per replica.
//!
//! Every element is a node of the Fugue tree: it has a parent (another element, or the root)
//! and a side (left or right child), and FugueMax also needs its *right origin*, the element that
//! followed the insertion point when it was inserted. Elements are grouped by the replica that
//! inserted them (an *agent*, numbered locally in order of first appearance) and stored in
//! counter order:
//!
//! - `values[counter]`: the element's value, tombstones included;
//! - four bit vectors indexed by counter, in one [`Flags`]: deleted, has a left child, has a
//!   right child, starts a run;
//! - `runs`: maximal *insertion runs*. Element `k` of a run is the right child of element
//!   `k - 1` and shares the run's right origin, so only a run's first element stores its parent.
//!   Whether an element starts a run is a property of that element alone (its parent, side and
//!   right origin), so every replica that holds the same elements holds the same runs.

use std::collections::BTreeMap;

use crdt_laws::ReplicaId;

use super::compact::{self, DELETED, Flags, LEFT_CHILD, RIGHT_CHILD, RUN_START};
use super::message::{Id, Side};
use super::values::Values;

/// A local element id: the agent's local index and the counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Lid {
    pub agent: u32,
    pub counter: u32,
}

impl Lid {
    pub(crate) const fn new(agent: u32, counter: u32) -> Self {
        Self { agent, counter }
    }
}

/// An insertion run: elements `start..` (up to the next run) of one agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Run {
    pub start: u32,
    /// The first element's parent; `None` is the root.
    pub parent: Option<Lid>,
    /// Which child of `parent` the first element is.
    pub side: Side,
    /// The right origin of every element of the run; `None` is the end of the list.
    pub right_origin: Option<Lid>,
}

/// What the tree knows about one element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NodeInfo {
    pub parent: Option<Lid>,
    pub side: Side,
    pub right_origin: Option<Lid>,
}

/// The elements inserted by one replica.
#[derive(Clone, Debug)]
#[cfg_attr(test, derive(PartialEq, Eq))]
pub(crate) struct Agent<V> {
    pub replica: ReplicaId,
    pub values: V,
    /// Per element: tombstone, has a left child, has a right child, starts a run (`runs` has
    /// its details).
    pub flags: Flags,
    pub runs: Vec<Run>,
}

impl<V: Values> Agent<V> {
    fn new(replica: ReplicaId) -> Self {
        Self {
            replica,
            values: V::default(),
            flags: Flags::default(),
            runs: Vec::new(),
        }
    }

    /// The end (exclusive) of run `i`.
    pub(crate) fn run_end(&self, i: usize) -> u32 {
        self.runs
            .get(i + 1)
            .map_or(self.values.len() as u32, |r| r.start)
    }

    /// The maximal ranges of deleted counters, as `(start, len)`.
    pub(crate) fn deleted_ranges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let mut counter = 0;
        std::iter::from_fn(move || {
            let start = self.flags.find(DELETED, counter, true);
            if start == self.flags.len() {
                return None;
            }
            counter = self.flags.find(DELETED, start, false);
            Some((start, counter - start))
        })
    }
}

/// The Fugue tree. See the module docs.
///
/// In tests, `==` compares the representation itself: agents in local order, runs and all
/// flags.
#[derive(Clone, Debug)]
#[cfg_attr(test, derive(PartialEq, Eq))]
pub(crate) struct Tree<V> {
    pub agents: Vec<Agent<V>>,
    by_replica: BTreeMap<ReplicaId, u32>,
}

impl<V> Default for Tree<V> {
    fn default() -> Self {
        Self {
            agents: Vec::new(),
            by_replica: BTreeMap::new(),
        }
    }
}

impl<V> Tree<V> {
    /// The same tree with each agent's values stored as `convert` makes them.
    pub(crate) fn map_values<W>(self, convert: impl Fn(&V) -> W) -> Tree<W> {
        let agents = self
            .agents
            .into_iter()
            .map(|a| Agent {
                replica: a.replica,
                values: convert(&a.values),
                flags: a.flags,
                runs: a.runs,
            })
            .collect();
        Tree {
            agents,
            by_replica: self.by_replica,
        }
    }
}

impl<V: Values> Tree<V> {
    pub(crate) fn agent(&self, replica: ReplicaId) -> Option<u32> {
        self.by_replica.get(&replica).copied()
    }

    pub(crate) fn agent_or_insert(&mut self, replica: ReplicaId) -> u32 {
        if let Some(agent) = self.agent(replica) {
            return agent;
        }
        let agent = self.agents.len() as u32;
        self.agents.push(Agent::new(replica));
        self.by_replica.insert(replica, agent);
        agent
    }

    /// The agents that hold at least one element, ordered by replica id.
    pub(crate) fn agents_by_replica(&self) -> impl Iterator<Item = &Agent<V>> + '_ {
        self.by_replica
            .values()
            .map(|&a| &self.agents[a as usize])
            .filter(|a| !a.values.is_empty())
    }

    pub(crate) fn next_counter(&self, agent: u32) -> u32 {
        self.agents[agent as usize].values.len() as u32
    }

    pub(crate) fn contains(&self, lid: Lid) -> bool {
        self.agents
            .get(lid.agent as usize)
            .is_some_and(|a| (lid.counter as usize) < a.values.len())
    }

    pub(crate) fn value(&self, lid: Lid) -> V::Item {
        self.agents[lid.agent as usize]
            .values
            .at(lid.counter as usize)
    }

    pub(crate) fn to_id(&self, lid: Lid) -> Id {
        Id::new(self.agents[lid.agent as usize].replica, lid.counter)
    }

    /// The local id of `id`, if that element is present.
    pub(crate) fn to_lid(&self, id: Id) -> Option<Lid> {
        let lid = Lid::new(self.agent(id.replica)?, id.counter);
        self.contains(lid).then_some(lid)
    }

    /// True when element `lid` starts an insertion run (it may not share a piece with the
    /// element before it).
    pub(crate) fn is_run_start(&self, agent: u32, counter: u32) -> bool {
        self.agents[agent as usize].flags.get(RUN_START, counter)
    }

    /// True when element `lid` has at least one child on `side`.
    pub(crate) fn has_child(&self, lid: Lid, side: Side) -> bool {
        let agent = &self.agents[lid.agent as usize];
        match side {
            Side::Left => agent.flags.get(LEFT_CHILD, lid.counter),
            Side::Right => agent.flags.get(RIGHT_CHILD, lid.counter),
        }
    }

    /// The index of the run that holds `lid`.
    fn run_index(&self, lid: Lid) -> usize {
        let runs = &self.agents[lid.agent as usize].runs;
        runs.partition_point(|r| r.start <= lid.counter) - 1
    }

    /// The first element of the run that holds `lid`.
    pub(crate) fn run_start(&self, lid: Lid) -> Lid {
        let run = &self.agents[lid.agent as usize].runs[self.run_index(lid)];
        Lid::new(lid.agent, run.start)
    }

    /// Parent, side and right origin of element `lid`.
    pub(crate) fn node(&self, lid: Lid) -> NodeInfo {
        let run = &self.agents[lid.agent as usize].runs[self.run_index(lid)];
        if run.start == lid.counter {
            NodeInfo {
                parent: run.parent,
                side: run.side,
                right_origin: run.right_origin,
            }
        } else {
            NodeInfo {
                parent: Some(Lid::new(lid.agent, lid.counter - 1)),
                side: Side::Right,
                right_origin: run.right_origin,
            }
        }
    }

    /// Appends elements to `agent`: the first is the `side` child of `parent` (`None`: the root),
    /// each further one the right child of the one before, all with right origin `right_origin`.
    /// Returns true when the first element continues the agent's last run.
    pub(crate) fn push_run(
        &mut self,
        agent: u32,
        parent: Option<Lid>,
        side: Side,
        right_origin: Option<Lid>,
        values: &[V::Item],
    ) -> bool {
        debug_assert!(!values.is_empty());
        let a = &mut self.agents[agent as usize];
        let start = a.values.len() as u32;
        let continues = start > 0
            && side == Side::Right
            && parent == Some(Lid::new(agent, start - 1))
            && a.runs
                .last()
                .is_some_and(|r| r.right_origin == right_origin);
        a.values.extend_from_slice(values);
        let len = values.len() as u32;
        a.flags.grow(len);
        // Every new element but the last has a right child: the next one.
        if len > 1 {
            a.flags.set_range(RIGHT_CHILD, start, start + len - 1);
        }
        if !continues {
            a.flags.set(RUN_START, start);
            compact::push(
                &mut a.runs,
                Run {
                    start,
                    parent,
                    side,
                    right_origin,
                },
            );
        }
        if let Some(parent) = parent {
            let p = &mut self.agents[parent.agent as usize];
            match side {
                Side::Left => p.flags.set(LEFT_CHILD, parent.counter),
                Side::Right => p.flags.set(RIGHT_CHILD, parent.counter),
            }
        }
        continues
    }

    /// Appends elements to `agent`'s last insertion run: the first is the right child of the
    /// agent's last element, each further one the right child of the one before, all with the
    /// run's right origin. The same as [`push_run`](Self::push_run) when it returns true, with
    /// nothing to check: the caller knows the run continues.
    pub(crate) fn extend_run(&mut self, agent: u32, values: &[V::Item]) {
        let a = &mut self.agents[agent as usize];
        let start = a.values.len() as u32;
        debug_assert!(start > 0 && !values.is_empty() && !a.runs.is_empty());
        a.values.extend_from_slice(values);
        let len = values.len() as u32;
        a.flags.grow(len);
        // The agent's last element and every new one but the last get a right child: the next.
        if len == 1 {
            a.flags.set(RIGHT_CHILD, start - 1);
        } else {
            a.flags.set_range(RIGHT_CHILD, start - 1, start + len - 1);
        }
    }

    /// Marks `len` elements of `agent` from `start` on as deleted.
    pub(crate) fn mark_deleted(&mut self, agent: u32, start: u32, len: u32) {
        self.agents[agent as usize]
            .flags
            .set_range(DELETED, start, start + len);
    }

    /// Memory held by the tree, in bytes (capacity, not just length).
    pub(crate) fn heap_size(&self) -> usize {
        let per_agent: usize = self
            .agents
            .iter()
            .map(|a| {
                a.values.heap_size() + a.flags.heap_size() + a.runs.capacity() * size_of::<Run>()
            })
            .sum();
        per_agent
            + self.agents.capacity() * size_of::<Agent<V>>()
            + self.by_replica.len() * (size_of::<ReplicaId>() + size_of::<u32>())
    }
}
