//! Broken moves: a list move done as delete + insert, and a tree move without undo and redo.

use std::collections::BTreeMap;
use std::fmt;

use crdt_laws::{History, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::fugue::FugueList;
use crate::movable_list::{self, MovableListOp, no_element_twice};
use crate::tree::{self, TreeOp, reaches_root};

/// The state of [`DeleteInsertMoveList`]: a Fugue list of items (an item's id and its letter)
/// and a Lamport clock. Its `Debug` text is the items, then the clock.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemList {
    /// The items, in list order; an item's id is its insert's timestamp.
    pub items: FugueList<(Timestamp, char)>,
    /// The largest Lamport time seen.
    pub clock: u64,
}

impl fmt::Debug for ItemList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.items.iter().map(|(id, c)| Shown(*id, *c)))
            .finish()?;
        write!(f, " clock {}", self.clock)
    }
}

/// An item as the gallery prints it: `1A 'a'`.
struct Shown(Timestamp, char);

impl fmt::Debug for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {:?}", self.0, self.1)
    }
}

/// A list whose move is a delete followed by an insert of the same item.
///
/// The story: a to-do app keeps its tasks in a list CRDT (here the crate's correct Fugue list)
/// and implements "drag a task elsewhere" the obvious way: delete it, insert it again at the
/// new place. Each task carries its own id, so the app can tell them apart. Alone, it works.
/// But when two people drag the same task concurrently, each deletes the one old copy and
/// inserts a new one: after they sync, the task is there **twice** (Kleppmann, "Moving
/// elements in list CRDTs", PaPoC 2020; Loro fixed the same issue in PR #293), and a drag
/// concurrent with a deletion brings a deleted task back. The list is a correct CRDT: every
/// lattice law holds, and replicas converge, to a list with a duplicate. Caught by the model's
/// invariant, "no element twice" (`invariant_holds`, and the harness's `invariant` oracle),
/// and by the movable list's specification (`value_matches_spec`, `specification`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteInsertMoveList;

impl Model for DeleteInsertMoveList {
    type State = ItemList;
    type Op = MovableListOp<char>;
    type Value = Vec<(Timestamp, char)>;

    fn state_eq(&self, a: &ItemList, b: &ItemList) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, replica: ReplicaId) -> ItemList {
        ItemList {
            items: FugueList::new(replica),
            clock: 0,
        }
    }
    fn value(&self, s: &ItemList) -> Self::Value {
        s.items.value()
    }
    fn ops(&self) -> BoxedStrategy<Self::Op> {
        MovableListOp::strategy(8)
    }
    fn invariant(&self, value: &Self::Value) -> Result<(), String> {
        no_element_twice(value)
    }
    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        Some(movable_list::spec::value(history))
    }
}

impl StateCrdt for DeleteInsertMoveList {
    fn apply(&self, s: &mut ItemList, replica: ReplicaId, op: &Self::Op) {
        let len = s.items.len();
        match *op {
            MovableListOp::Insert { at, value } => {
                s.clock += 1;
                let id = Timestamp::new(s.clock, replica);
                s.items.insert(at as usize % (len + 1), (id, value));
            }
            MovableListOp::Delete { at } if len > 0 => {
                s.clock += 1;
                s.items.delete(at as usize % len);
            }
            MovableListOp::Move { from, to } if len > 0 => {
                s.clock += 1;
                let from = from as usize % len;
                let item = *s.items.get(from).expect("an index below the length");
                // The mistake: a move is a delete plus a new insert of the same item.
                s.items.delete(from);
                s.items.insert(to as usize % len, item);
            }
            MovableListOp::Delete { .. } | MovableListOp::Move { .. } => {}
        }
    }
    fn merge(&self, into: &mut ItemList, from: &ItemList) {
        into.items.merge(&from.items);
        into.clock = into.clock.max(from.clock);
    }
}

/// A tree whose parents are last-writer-wins registers, without the move log.
///
/// The story: a shared outline (or a file system) stores each node's parent in a
/// last-writer-wins register, stamped with a Lamport time, and checks for cycles before each
/// local move, as any single-machine tree does. Concurrent moves of one node are settled by
/// timestamp. What it lacks is the rest of Kleppmann et al.'s algorithm (TPDS 2021): applying
/// *all* moves in timestamp order, undoing and redoing the later ones, and checking for a cycle
/// again at every replica. So when A moves `x` under `y` while B moves `y` under `x`, both
/// checks pass at their origins, both registers take their writes, and every replica ends with
/// `x` and `y` each other's parent: a **cycle**, cut off from the root. The registers form a
/// lattice and replicas converge, to something that is not a tree. Caught by the model's
/// invariant, "every node reaches the root" (`invariant_holds`, and the harness's
/// `invariant` oracle), and by the paper's sequential semantics (`value_matches_spec`).
#[derive(Clone, Copy, Debug, Default)]
pub struct LwwParentTree;

/// The state of [`LwwParentTree`]: each moved node's parent register, and a Lamport clock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentRegisters {
    /// Node → (timestamp of the winning move, parent).
    pub parents: BTreeMap<u8, (Timestamp, u8)>,
    /// The largest Lamport time seen.
    pub clock: u64,
}

/// The nodes of [`LwwParentTree`], as in the correct tree's default model.
const NODES: u8 = 4;

impl LwwParentTree {
    fn parent(s: &ParentRegisters, node: u8) -> u8 {
        s.parents.get(&node).map_or(0, |(_, parent)| *parent)
    }
}

impl Model for LwwParentTree {
    type State = ParentRegisters;
    type Op = TreeOp;
    type Value = BTreeMap<u8, u8>;

    fn state_eq(&self, a: &ParentRegisters, b: &ParentRegisters) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> ParentRegisters {
        ParentRegisters::default()
    }
    fn value(&self, s: &ParentRegisters) -> Self::Value {
        (1..=NODES).map(|n| (n, Self::parent(s, n))).collect()
    }
    fn ops(&self) -> BoxedStrategy<TreeOp> {
        TreeOp::strategy(NODES)
    }
    fn invariant(&self, value: &Self::Value) -> Result<(), String> {
        reaches_root(value, 0)
    }
    fn spec(&self, history: &History<TreeOp>) -> Option<Self::Value> {
        Some(tree::spec::tree(history, NODES))
    }
}

impl StateCrdt for LwwParentTree {
    fn apply(&self, s: &mut ParentRegisters, replica: ReplicaId, op: &TreeOp) {
        let (node, parent) = op.resolve(NODES);
        s.clock += 1;
        // The local check for a cycle: is `node` the new parent or one of its ancestors? (At
        // most `NODES` steps up: a merge may already have made a cycle here.)
        let mut up = parent;
        for _ in 0..NODES {
            if up == 0 || up == node {
                break;
            }
            up = Self::parent(s, up);
        }
        if up != node {
            s.parents
                .insert(node, (Timestamp::new(s.clock, replica), parent));
        }
    }
    fn merge(&self, into: &mut ParentRegisters, from: &ParentRegisters) {
        for (node, theirs) in &from.parents {
            let mine = into.parents.entry(*node).or_insert(*theirs);
            *mine = (*mine).max(*theirs);
        }
        into.clock = into.clock.max(from.clock);
    }
}
