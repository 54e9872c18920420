//! The law catalogue on the movable list's model (state-based and operation-based), and
//! scenarios of concurrent moves checked against the specification.

use crdt_laws::{Dot, History, Model, ReplicaId, StateCrdt};

use super::{MovableList, MovableListModel, MovableListOp, spec};

crdt_laws::check_state_crdt!(movable_list_state, MovableListModel::default());
crdt_laws::check_op_crdt!(movable_list_op, MovableListModel::default());

fn text(list: &MovableList<char>) -> String {
    list.iter().collect()
}

/// Kleppmann (PaPoC 2020), Figure 1: two replicas move the same element to different places
/// concurrently; with a position register it ends in one place, not two.
#[test]
fn kleppmann_2020_concurrent_moves_of_one_element() {
    let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    let mut alice = MovableList::new(a);
    let mut bob = MovableList::new(b);
    for (at, c) in "abcd".chars().enumerate() {
        bob.apply(&alice.insert(at, c)).unwrap();
    }
    let from_alice = alice.move_item(3, 0); // d to the front
    let from_bob = bob.move_item(3, 2); // d before c
    alice.apply(&from_bob).unwrap();
    bob.apply(&from_alice).unwrap();
    assert_eq!(alice, bob);
    assert_eq!(text(&alice), "abdc"); // B's move has the larger timestamp (5B > 5A)
    assert_eq!(alice.positions(), 6);
}

#[test]
fn a_move_concurrent_with_a_delete_loses() {
    let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    let mut alice = MovableList::new(a);
    let mut bob = MovableList::new(b);
    for (at, c) in "xyz".chars().enumerate() {
        bob.apply(&alice.insert(at, c)).unwrap();
    }
    let moved = alice.move_item(0, 2);
    let deleted = bob.delete(0);
    alice.apply(&deleted).unwrap();
    bob.apply(&moved).unwrap();
    assert_eq!((text(&alice), text(&bob)), ("yz".into(), "yz".into()));
    assert_eq!(alice, bob);
}

#[test]
fn merging_states_equals_applying_updates() {
    let (a, b, c) = (ReplicaId::new(0), ReplicaId::new(1), ReplicaId::new(2));
    let mut alice = MovableList::new(a);
    let mut bob = MovableList::new(b);
    for (at, ch) in "abc".chars().enumerate() {
        alice.insert(at, ch);
    }
    bob.merge(&alice);
    let mut by_updates = MovableList::new(c);
    by_updates.merge(&alice);
    let updates = [alice.move_item(0, 2), bob.move_item(0, 1), bob.delete(2)];
    let mut by_state = MovableList::new(c);
    by_state.merge(&alice);
    by_state.merge(&bob);
    for update in &updates {
        by_updates.apply(update).unwrap();
    }
    assert_eq!(by_state, by_updates);
    assert_eq!(text(&by_state), "ba");
    // Applying an update twice changes nothing.
    by_updates.apply(&updates[1]).unwrap();
    assert_eq!(by_state, by_updates);
}

#[test]
fn the_specification_agrees_on_concurrent_moves() {
    let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    let (a1, a2, a3, b1) = (
        Dot::new(a, 1),
        Dot::new(a, 2),
        Dot::new(a, 3),
        Dot::new(b, 1),
    );
    let mut history = History::new();
    history.push(a1, MovableListOp::Insert { at: 0, value: 'x' }, vec![]);
    history.push(a2, MovableListOp::Insert { at: 1, value: 'y' }, vec![a1]);
    history.push(a3, MovableListOp::Move { from: 0, to: 1 }, vec![a1, a2]);
    history.push(b1, MovableListOp::Move { from: 0, to: 1 }, vec![a1, a2]);
    let model = MovableListModel::default();
    let mut x = model.new_replica(a);
    let mut y = model.new_replica(b);
    for op in [&history.events()[0].op, &history.events()[1].op] {
        model.apply(&mut x, a, op);
    }
    model.merge(&mut y, &x);
    model.apply(&mut x, a, &history.events()[2].op);
    model.apply(&mut y, b, &history.events()[3].op);
    model.merge(&mut x, &y);
    assert_eq!(model.value(&x), spec::value(&history));
    assert_eq!(text(&x), "yx");
}

#[test]
fn serialization_round_trips_and_rejects_a_duplicate() {
    let mut list = MovableList::new(ReplicaId::new(0));
    list.insert(0, 'a');
    list.insert(1, 'b');
    list.move_item(0, 1);
    let json = serde_json::to_string(&list).unwrap();
    let back: MovableList<char> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, list);
    assert_eq!(text(&back), "ba");
    // The same JSON with the first element's register pointing elsewhere: its visible
    // position no longer matches, and decoding says so.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["elements"][0][1]["slot"]["counter"] = serde_json::json!(0);
    let error = serde_json::from_value::<MovableList<char>>(value).unwrap_err();
    assert!(error.to_string().contains("elsewhere"), "{error}");
}
