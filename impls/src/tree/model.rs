//! The ready-made model of [`MoveTree`] for the law catalogue and the harness.

use std::collections::BTreeMap;
use std::fmt;

use crdt_laws::{Delivery, Dot, Error as LawError, History, Model, OpCrdt, ReplicaId, StateCrdt};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Move, MoveTree, spec};

/// What a user does to a tree of `n` nodes `1..=n` under a root `0`, independently of its
/// state: move a node under a parent. Values out of range are taken modulo: node `k` is node
/// `1 + (k - 1) % n` (wrapping, so `0` is node `n`), parent `k` is `k % (n + 1)` (`0` is the
/// root). Its `Debug` text reads `move 1 under 4`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TreeOp {
    /// The node moved.
    pub node: u8,
    /// Its new parent (0 is the root).
    pub parent: u8,
}

impl fmt::Display for TreeOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "move {} under {}", self.node, self.parent)
    }
}

impl fmt::Debug for TreeOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl TreeOp {
    /// The node and the parent this operation names in a tree of `nodes` nodes.
    ///
    /// ```
    /// use crdt_impls::tree::TreeOp;
    /// assert_eq!(TreeOp { node: 2, parent: 4 }.resolve(4), (2, 4));
    /// assert_eq!(TreeOp { node: 0, parent: 5 }.resolve(4), (4, 0));
    /// ```
    #[must_use]
    pub fn resolve(self, nodes: u8) -> (u8, u8) {
        let nodes = nodes.max(1);
        (
            1 + self.node.wrapping_sub(1) % nodes,
            self.parent % nodes.saturating_add(1),
        )
    }

    /// Moves of nodes `1..=nodes` under parents `0..=nodes`.
    pub fn strategy(nodes: u8) -> BoxedStrategy<Self> {
        let nodes = nodes.clamp(1, 254);
        (1..=nodes, 0..=nodes)
            .prop_map(|(node, parent)| TreeOp { node, parent })
            .boxed()
    }
}

/// The model of a [`MoveTree<u8>`](MoveTree): nodes `1..=nodes` (4 by default: few, so that
/// concurrent moves of related nodes are frequent) that start under the root `0`, moved by
/// [`TreeOp`]s; state-based (whole states merged) and operation-based (moves delivered in any
/// order, possibly twice).
///
/// Its value maps every node to its parent (a node never moved is under the root), so each node
/// has exactly one parent by construction; its [invariant](Model::invariant) is that every node
/// reaches the root ([`reaches_root`]): no cycle. Its [specification](Model::spec) is the
/// paper's sequential semantics, [`spec::tree`].
///
/// ```
/// use crdt_impls::tree::{MoveTreeModel, TreeOp};
/// use crdt_laws::{Model, ReplicaId, StateCrdt};
///
/// let model = MoveTreeModel::default();
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut x = model.new_replica(a);
/// let mut y = model.new_replica(b);
/// model.apply(&mut x, a, &TreeOp { node: 1, parent: 2 });
/// model.apply(&mut y, b, &TreeOp { node: 2, parent: 1 });
/// model.merge(&mut x, &y);
/// assert!(model.invariant(&model.value(&x)).is_ok());
/// assert_eq!(model.value(&x)[&1], 2); // B's move is later, and skipped
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoveTreeModel {
    /// The number of nodes besides the root.
    pub nodes: u8,
}

impl Default for MoveTreeModel {
    fn default() -> Self {
        Self { nodes: 4 }
    }
}

/// "A tree": every node of a child-to-parent map reaches `root` by following parents, so there
/// is no cycle (each node has one parent by construction of the map).
///
/// ```
/// use std::collections::BTreeMap;
/// use crdt_impls::tree::reaches_root;
/// assert!(reaches_root(&BTreeMap::from([(1, 0), (2, 1)]), 0).is_ok());
/// assert!(reaches_root(&BTreeMap::from([(1, 2), (2, 1)]), 0).is_err());
/// ```
///
/// # Errors
/// The first node that does not reach the root, with the cycle it is caught in.
pub fn reaches_root<N: Copy + Ord + fmt::Debug>(
    parents: &BTreeMap<N, N>,
    root: N,
) -> Result<(), String> {
    for &node in parents.keys() {
        let mut path = vec![node];
        let mut current = node;
        while current != root {
            match parents.get(&current) {
                Some(&parent) if path.contains(&parent) => {
                    path.push(parent);
                    let cycle: Vec<String> = path.iter().map(|n| format!("{n:?}")).collect();
                    return Err(format!(
                        "node {node:?} does not reach the root: cycle {}",
                        cycle.join(" → ")
                    ));
                }
                Some(&parent) => {
                    path.push(parent);
                    current = parent;
                }
                None => {
                    return Err(format!(
                        "node {current:?} has no parent and is not the root"
                    ));
                }
            }
        }
    }
    Ok(())
}

impl Model for MoveTreeModel {
    type State = MoveTree<u8>;
    type Op = TreeOp;
    type Value = BTreeMap<u8, u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, id: ReplicaId) -> Self::State {
        MoveTree::new(id)
    }

    fn value(&self, state: &Self::State) -> Self::Value {
        (1..=self.nodes.max(1))
            .map(|node| (node, state.parent(node).unwrap_or(0)))
            .collect()
    }

    fn ops(&self) -> BoxedStrategy<TreeOp> {
        TreeOp::strategy(self.nodes)
    }

    fn invariant(&self, value: &Self::Value) -> Result<(), String> {
        reaches_root(value, 0)
    }

    fn round_trip(&self, state: &Self::State) -> Option<Result<Self::State, LawError>> {
        Some(crdt_laws::json_round_trip(state))
    }

    fn spec(&self, history: &History<TreeOp>) -> Option<Self::Value> {
        Some(spec::tree(history, self.nodes))
    }
}

impl StateCrdt for MoveTreeModel {
    fn apply(&self, state: &mut Self::State, _: ReplicaId, op: &TreeOp) {
        let (node, parent) = op.resolve(self.nodes);
        state.move_node(node, parent);
    }

    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        into.merge(from);
    }

    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a.leq(b))
    }

    fn bottom(&self) -> Option<Self::State> {
        Some(MoveTree::new(ReplicaId::new(0)))
    }
}

impl OpCrdt for MoveTreeModel {
    type Message = Move<u8>;

    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }

    fn local(&self, state: &mut Self::State, _: Dot, op: &TreeOp) -> Move<u8> {
        let (node, parent) = op.resolve(self.nodes);
        state.move_node(node, parent)
    }

    fn effect(&self, state: &mut Self::State, message: &Move<u8>) {
        state.apply(message);
    }
}
