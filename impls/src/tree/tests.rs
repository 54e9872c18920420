//! The law catalogue on the tree's model (state-based, and operation-based on a network that
//! reorders and duplicates), and the paper's scenarios.

use crdt_laws::ReplicaId;

use super::{MoveTree, MoveTreeModel};

crdt_laws::check_state_crdt!(move_tree_state, MoveTreeModel::default());
crdt_laws::check_op_crdt!(move_tree_op, MoveTreeModel::default());

const ROOT: u32 = 0;

/// Kleppmann et al. 2021, Figure 1 (moving a node under its own descendant, concurrently): A
/// moves B under A's child, B moves A under B's child; the later move is skipped everywhere.
#[test]
fn kleppmann_2021_concurrent_moves_that_would_make_a_cycle() {
    let (r1, r2) = (ReplicaId::new(0), ReplicaId::new(1));
    let mut one = MoveTree::new(r1);
    let mut two = MoveTree::new(r2);
    // root ─ a(1) ─ c(3);  root ─ b(2)
    for (node, parent) in [(1, ROOT), (2, ROOT), (3, 1)] {
        two.apply(&one.move_node(node, parent));
    }
    let from_one = one.move_node(1, 2); // a under b
    let from_two = two.move_node(2, 3); // b under c, a descendant of a
    one.apply(&from_two);
    two.apply(&from_one);
    assert_eq!(one, two);
    // 4A < 4B: a goes under b; then b under c would make b → c → a → b: skipped.
    assert_eq!(
        (one.parent(1), one.parent(2), one.parent(3)),
        (Some(2), Some(ROOT), Some(1))
    );
}

/// A move older than the log's newest is put in its place: the later moves are undone and
/// redone, and a redone move that now makes a cycle is skipped.
#[test]
fn a_late_move_undoes_and_redoes_the_later_ones() {
    let (r1, r2) = (ReplicaId::new(0), ReplicaId::new(1));
    let mut one = MoveTree::new(r1);
    let mut two = MoveTree::new(r2);
    let early = two.move_node(1, 2); // time 1 (B)
    one.move_node(2, ROOT); // time 1 (A)
    one.move_node(1, ROOT); // time 2
    let late = one.move_node(2, 1); // time 3: 2 under 1
    assert_eq!(one.parent(2), Some(1));
    one.apply(&early); // time 1, B: 1 under 2, between A's first and second moves
    // In timestamp order: 2 under root (1A), 1 under 2 (1B), 1 under root (2A), 2 under 1 (3A).
    assert_eq!((one.parent(1), one.parent(2)), (Some(ROOT), Some(1)));
    two.apply(&late);
    two.merge(&one);
    assert_eq!(one, two);
    assert_eq!(one.log_len(), 4);
    // Applying a move twice changes nothing.
    one.apply(&early);
    assert_eq!(one, two);
}

#[test]
fn serialization_replays_the_log_and_rejects_disorder() {
    let mut tree = MoveTree::new(ReplicaId::new(0));
    tree.move_node(1u8, 0);
    tree.move_node(2, 1);
    let json = serde_json::to_string(&tree).unwrap();
    let back: MoveTree<u8> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, tree);
    assert_eq!(back.parent(2), Some(1));
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["moves"].as_array_mut().unwrap().reverse();
    let error = serde_json::from_value::<MoveTree<u8>>(value).unwrap_err();
    assert!(error.to_string().contains("increasing"), "{error}");
}
