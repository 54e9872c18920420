//! [`MoveTree`]: a replicated tree with a move operation that never makes a cycle.
//!
//! Moving a node under another is the one operation a replicated tree (a file system, an
//! outline, a scene graph) needs, and the dangerous one: replica A moves folder `x` into `y`
//! while replica B moves `y` into `x`. Each move is safe where it was made; applied together
//! they make `x` and `y` each other's parent, a cycle cut off from the root. Kleppmann, Mulligan,
//! Gomes and Beresford ("A highly-available move operation for replicated trees", IEEE TPDS
//! 2021) give the algorithm used here:
//!
//! - every move carries a [`Timestamp`] (Lamport time, replica), and the replicas agree to
//!   apply all moves **in timestamp order**, as if one machine had done them one after the
//!   other;
//! - a move whose node is the new parent or one of its ancestors is **skipped** (it would make
//!   a cycle), exactly as a single machine would refuse it;
//! - a move that arrives late, with a timestamp older than moves already applied, is put in
//!   its place: the later moves are **undone**, the late one is done, and the later ones are
//!   **redone** (each redo checks for cycles again, in the new context). Each replica keeps a
//!   log of the moves it applied, with each node's previous parent, to undo them.
//!
//! The module provides the tree ([`MoveTree`]), its messages ([`Move`]), a model for the law
//! catalogue and the harness ([`MoveTreeModel`], state-based and operation-based, with the
//! invariant "a tree: no cycle, every node under the root") and the paper's sequential
//! semantics as the specification ([`spec`]).

mod model;
pub mod spec;

use std::fmt;
use std::hash::Hash;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{ReplicaId, Timestamp};

pub use model::{MoveTreeModel, TreeOp, reaches_root};

/// One move: put `node` under `parent`, at time `stamp`. The message replicas exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Move<N> {
    /// The move's timestamp: moves are applied in this order at every replica.
    pub stamp: Timestamp,
    /// The node moved.
    pub node: N,
    /// Its new parent.
    pub parent: N,
}

/// A move as the log keeps it: with the node's parent before it, to undo it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Logged<N> {
    op: Move<N>,
    /// The node's parent before the move (`None`: not in the tree yet).
    before: Option<N>,
}

/// A replicated tree with moves (Kleppmann et al., "A highly-available move operation for
/// replicated trees", IEEE TPDS 2021): a timestamped log of moves, applied in timestamp order
/// by undoing and redoing the later ones.
///
/// A node is any value of `N` (a file id, say); it enters the tree with its first move, and a
/// node never moved is a root of its own (an application usually fixes one root node, never
/// moved, and moves every other node under it or its descendants). Each node has at most one
/// parent, and no move ever makes a cycle.
///
/// Replicas exchange [`Move`]s and [`apply`](Self::apply) them in **any order**, any number of
/// times (no causal delivery needed), or exchange whole states and [`merge`](Self::merge) them.
///
/// ```
/// use crdt_impls::tree::MoveTree;
/// use crdt_impls::ReplicaId;
///
/// const ROOT: u32 = 0;
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut alice = MoveTree::new(a);
/// let mut bob = MoveTree::new(b);
/// for folder in [1, 2] {
///     bob.apply(&alice.move_node(folder, ROOT));
/// }
/// // Concurrently: Alice moves folder 1 into 2, Bob moves folder 2 into 1.
/// let from_alice = alice.move_node(1, 2);
/// let from_bob = bob.move_node(2, 1);
/// alice.apply(&from_bob);
/// bob.apply(&from_alice);
/// // Same Lamport time: B's move is later, and skipped, since Alice's made 1 the child of 2.
/// assert_eq!(alice, bob);
/// assert_eq!((alice.parent(1), alice.parent(2)), (Some(2), Some(ROOT)));
/// ```
///
/// # Conflict rule
/// All moves are applied in timestamp order (Lamport time, then replica); a move that would
/// make its node an ancestor of itself is skipped. So of two concurrent moves of one node, the
/// later wins; of two concurrent moves that together would make a cycle, the later is skipped.
///
/// # Metadata cost
/// - The log: one entry per move ever applied (its timestamp, node, new and old parent),
///   skipped moves included; it is never truncated here (the paper truncates moves that are
///   causally stable, once every replica has seen them).
/// - The current parent of every node, in a hash map (an ancestor walk is one lookup per level).
/// - Applying a move older than `k` logged moves undoes and redoes those `k`; a local move is
///   always the newest, so it costs one ancestor walk (the depth of the new parent).
pub struct MoveTree<N> {
    replica: ReplicaId,
    /// Every move applied, in increasing timestamp order.
    log: Vec<Logged<N>>,
    /// The current parent of every node in the tree.
    parents: FxHashMap<N, N>,
}

impl<N: Copy + Ord + Hash> MoveTree<N> {
    /// An empty tree at replica `replica`.
    #[must_use]
    pub fn new(replica: ReplicaId) -> Self {
        Self {
            replica,
            log: Vec::new(),
            parents: FxHashMap::default(),
        }
    }

    /// The replica that owns this tree.
    #[must_use]
    pub fn replica(&self) -> ReplicaId {
        self.replica
    }

    /// The parent of `node`, or `None` when it was never moved.
    #[must_use]
    pub fn parent(&self, node: N) -> Option<N> {
        self.parents.get(&node).copied()
    }

    /// Every node that has a parent, with its parent, in node order.
    pub fn edges(&self) -> impl Iterator<Item = (N, N)> + '_ {
        let mut edges: Vec<(N, N)> = self
            .parents
            .iter()
            .map(|(child, parent)| (*child, *parent))
            .collect();
        edges.sort_unstable();
        edges.into_iter()
    }

    /// The number of moves in the log, skipped ones included.
    #[must_use]
    pub fn log_len(&self) -> usize {
        self.log.len()
    }

    /// The largest Lamport time this replica has seen: that of its newest move.
    #[must_use]
    pub fn clock(&self) -> u64 {
        self.log.last().map_or(0, |m| m.op.stamp.lamport)
    }

    /// True when `ancestor` is `node` or one of its ancestors.
    #[must_use]
    pub fn is_ancestor(&self, ancestor: N, node: N) -> bool {
        let mut current = node;
        loop {
            if current == ancestor {
                return true;
            }
            match self.parents.get(&current) {
                Some(parent) => current = *parent,
                None => return false,
            }
        }
    }

    /// Moves `node` under `parent` and returns the move for the other replicas. When `node` is
    /// `parent` or one of its ancestors, the move changes nothing here, and nowhere else (it
    /// is still logged and sent, as the paper does: it advances everyone's clock).
    pub fn move_node(&mut self, node: N, parent: N) -> Move<N> {
        let op = Move {
            stamp: Timestamp::new(self.clock() + 1, self.replica),
            node,
            parent,
        };
        let logged = self.do_op(op);
        self.log.push(logged);
        op
    }

    /// The paper's `do_op`: performs `op` unless it would make a cycle, and returns its log
    /// entry.
    fn do_op(&mut self, op: Move<N>) -> Logged<N> {
        let before = self.parents.get(&op.node).copied();
        if !self.is_ancestor(op.node, op.parent) {
            self.parents.insert(op.node, op.parent);
        }
        Logged { op, before }
    }

    /// The paper's `undo_op`: puts the node back under its parent before the move.
    fn undo_op(&mut self, logged: &Logged<N>) {
        match logged.before {
            Some(parent) => self.parents.insert(logged.op.node, parent),
            None => self.parents.remove(&logged.op.node),
        };
    }

    /// Applies moves from any replicas, in any order and any number of times: the moves not
    /// in the log are put in their place by timestamp, undoing and redoing the later ones.
    fn apply_all(&mut self, mut ops: Vec<Move<N>>) {
        ops.sort_by_key(|op| op.stamp);
        ops.dedup_by_key(|op| op.stamp);
        ops.retain(|op| {
            self.log
                .binary_search_by_key(&op.stamp, |m| m.op.stamp)
                .is_err()
        });
        let Some(first) = ops.first() else {
            return;
        };
        let from = self.log.partition_point(|m| m.op.stamp < first.stamp);
        let later = self.log.split_off(from);
        for logged in later.iter().rev() {
            self.undo_op(logged);
        }
        // Redo the undone moves and do the new ones, merged in timestamp order.
        let mut later = later.into_iter().map(|m| m.op).peekable();
        let mut ops = ops.into_iter().peekable();
        loop {
            let next = match (later.peek(), ops.peek()) {
                (Some(old), Some(new)) if old.stamp < new.stamp => later.next(),
                (Some(_), None) => later.next(),
                (_, Some(_)) => ops.next(),
                (None, None) => break,
            };
            let logged = self.do_op(next.expect("peeked"));
            self.log.push(logged);
        }
    }

    /// Applies a move from any replica (this one included), in any order, any number of times.
    pub fn apply(&mut self, op: &Move<N>) {
        self.apply_all(vec![*op]);
    }

    /// Merges another replica's state: the union of the two logs, applied in timestamp order.
    /// Commutative, associative and idempotent.
    pub fn merge(&mut self, other: &Self) {
        self.apply_all(other.log.iter().map(|m| m.op).collect());
    }

    /// The lattice order: `self ≤ other` when `other` has applied every move `self` has.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.log.iter().all(|m| {
            other
                .log
                .binary_search_by_key(&m.op.stamp, |o| o.op.stamp)
                .is_ok()
        })
    }

    /// The moves applied, in timestamp order.
    pub fn moves(&self) -> impl Iterator<Item = Move<N>> + '_ {
        self.log.iter().map(|m| m.op)
    }
}

impl<N: Clone> Clone for MoveTree<N> {
    fn clone(&self) -> Self {
        Self {
            replica: self.replica,
            log: self.log.clone(),
            parents: self.parents.clone(),
        }
    }
}

/// Equality of the replicated state (the log; the tree follows from it): the owning replica
/// is not part of it.
impl<N: PartialEq> PartialEq for MoveTree<N> {
    fn eq(&self, other: &Self) -> bool {
        self.log.len() == other.log.len()
            && self.log.iter().zip(&other.log).all(|(a, b)| a.op == b.op)
    }
}

impl<N: Eq> Eq for MoveTree<N> {}

impl<N: Copy + Ord + Hash + fmt::Debug> fmt::Debug for MoveTree<N> {
    /// The edges `child→parent` in node order, then the log's length: `{1→0, 2→1} after 3
    /// moves`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{")?;
        for (k, (child, parent)) in self.edges().enumerate() {
            if k > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{child:?}→{parent:?}")?;
        }
        write!(f, "}} after {} moves", self.log.len())
    }
}

/// The serialized form: the owning replica and the moves.
#[derive(Serialize, Deserialize)]
struct Repr<M> {
    replica: ReplicaId,
    moves: M,
}

impl<N: Serialize> Serialize for MoveTree<N> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Repr {
            replica: self.replica,
            moves: self.log.iter().map(|m| &m.op).collect::<Vec<_>>(),
        }
        .serialize(serializer)
    }
}

impl<'de, N: Copy + Ord + Hash + Deserialize<'de>> Deserialize<'de> for MoveTree<N> {
    /// Reads a tree back by replaying its moves, which must be in strictly increasing
    /// timestamp order.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let repr = Repr::<Vec<Move<N>>>::deserialize(deserializer)?;
        if let Some(k) = repr.moves.windows(2).position(|w| w[0].stamp >= w[1].stamp) {
            return Err(D::Error::custom(format!(
                "moves {k} and {} are not in increasing timestamp order",
                k + 1
            )));
        }
        let mut tree = Self::new(repr.replica);
        for op in repr.moves {
            let logged = tree.do_op(op);
            tree.log.push(logged);
        }
        Ok(tree)
    }
}

#[cfg(test)]
mod tests;
