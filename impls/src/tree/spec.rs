//! The specification of [`MoveTree`](super::MoveTree): the paper's sequential semantics.
//!
//! Kleppmann et al. define the replicated tree by what one machine would do with all the
//! moves: start from the initial tree, take the moves in timestamp order, and perform each one
//! unless its node is its new parent or an ancestor of it. A move's timestamp is
//! `(Lamport time, replica)`, the Lamport time computed from the history's happens-before order
//! ([`History::lamports`]). This function does exactly that, with none of the log, undo or redo
//! of the implementation.
//!
//! ```
//! use crdt_impls::tree::{TreeOp, spec};
//! use crdt_laws::{Dot, History, ReplicaId};
//!
//! // Concurrently, A moves 1 under 2 and B moves 2 under 1: B's is later, and skipped.
//! let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
//! let mut history = History::new();
//! history.push(Dot::new(a, 1), TreeOp { node: 1, parent: 2 }, vec![]);
//! history.push(Dot::new(b, 1), TreeOp { node: 2, parent: 1 }, vec![]);
//! let tree = spec::tree(&history, 4);
//! assert_eq!((tree[&1], tree[&2]), (2, 0));
//! ```

use std::collections::BTreeMap;

use crdt_laws::History;

use super::TreeOp;

/// The tree a replica must show after applying the moves of `history`, on nodes
/// `1..=nodes` that start under the root `0`: every node mapped to its parent.
#[must_use]
pub fn tree(history: &History<TreeOp>, nodes: u8) -> BTreeMap<u8, u8> {
    let nodes = nodes.max(1);
    let lamports = history.lamports();
    let mut moves: Vec<(u64, u32, TreeOp)> = history
        .events()
        .iter()
        .zip(lamports)
        .map(|(event, lamport)| (lamport, event.dot.replica.0, event.op))
        .collect();
    moves.sort_by_key(|(lamport, replica, _)| (*lamport, *replica));
    let mut parent: BTreeMap<u8, u8> = (1..=nodes).map(|n| (n, 0)).collect();
    for (_, _, op) in moves {
        let (node, new_parent) = op.resolve(nodes);
        // Is `node` the new parent or one of its ancestors? Walk up from the new parent.
        let mut up = new_parent;
        let mut cycle = up == node;
        while up != 0 && !cycle {
            up = parent[&up];
            cycle = up == node;
        }
        if !cycle {
            parent.insert(node, new_parent);
        }
    }
    parent
}
