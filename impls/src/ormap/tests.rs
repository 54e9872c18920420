//! The law catalogue on the OR-Map's model, over counters, OR-Sets, registers and a nested
//! OR-Map, and scenarios of removals concurrent with nested updates.

use std::collections::BTreeMap;

use crdt_laws::vocab::map::OrMapOp;
use crdt_laws::{Model, ReplicaId, StateCrdt};

use super::{OrMap, OrMapModel};
use crate::models::{GCounterModel, LwwRegisterModel, MvRegisterModel, OrSetModel, PnCounterModel};
use crate::ops::{CounterOp, SetOp};
use crate::{GCounter, Lattice, OrSet, PnCounter};

crdt_laws::check_delta_crdt!(
    or_map_of_pn_counters,
    OrMapModel::<PnCounterModel>::default()
);
crdt_laws::check_delta_crdt!(or_map_of_or_sets, OrMapModel::<OrSetModel>::default());
crdt_laws::check_delta_crdt!(or_map_of_g_counters, OrMapModel::<GCounterModel>::default());
crdt_laws::check_state_crdt!(
    or_map_of_lww_registers,
    OrMapModel::<LwwRegisterModel>::default()
);
crdt_laws::check_state_crdt!(
    or_map_of_mv_registers,
    OrMapModel::<MvRegisterModel>::default()
);
crdt_laws::check_state_crdt!(
    or_map_of_or_maps,
    OrMapModel {
        keys: 2,
        values: OrMapModel::inside_or_map(2, PnCounterModel::default()),
        nested_in_map: false,
    }
);

fn ids() -> (ReplicaId, ReplicaId) {
    (ReplicaId::new(0), ReplicaId::new(1))
}

/// riak_kv issue #761: a map removal concurrent with a nested update must not drop the update.
/// Alice removes the key; Bob, concurrently, increments the counter in it: the key survives,
/// with Bob's value (what he had seen, 5, plus his 1).
#[test]
fn riak_kv_761_a_nested_update_concurrent_with_a_removal_survives() {
    let (a, b) = ids();
    let mut alice: OrMap<&str, PnCounter> = OrMap::new();
    alice.update(a, "likes", |c| c.increment(a, 5)).unwrap();
    let mut bob = alice.clone();
    assert!(alice.remove(&"likes"));
    bob.update(b, "likes", |c| c.increment(b, 1)).unwrap();
    let (mut ab, mut ba) = (alice.clone(), bob.clone());
    ab.merge(&bob);
    ba.merge(&alice);
    assert_eq!(ab, ba);
    assert_eq!(ab.get(&"likes").map(|c| c.value()), Some(6));
    // A removal that saw Bob's update removes the key everywhere.
    ab.remove(&"likes");
    ba.merge(&ab);
    assert!(ba.is_empty() && ba.context() == ab.context());
}

#[test]
fn concurrent_updates_of_one_key_are_joined() {
    let (a, b) = ids();
    let mut alice: OrMap<u8, OrSet<char>> = OrMap::new();
    let mut bob = alice.clone();
    alice.update(a, 1, |s| s.insert(a, 'x'));
    bob.update(b, 1, |s| s.insert(b, 'y'));
    alice.merge(&bob);
    assert_eq!(alice.entries().count(), 2);
    let joined = alice.get(&1).unwrap();
    assert_eq!(joined.iter().collect::<Vec<_>>(), [&'x', &'y']);
    // The next update replaces both tagged values with one.
    alice.update(a, 1, |s| s.remove(&'x'));
    assert_eq!(alice.entries().count(), 1);
    bob.merge(&alice);
    assert_eq!(bob, alice);
    assert_eq!(bob.get(&1).unwrap().iter().collect::<Vec<_>>(), [&'y']);
}

/// Through the model: a replica that removes a key and updates it again stamps the new nested
/// update with a new nested id, so a concurrent survivor of the old value does not swallow it
/// (with the replica's own id, the counter's maximum would keep 5 and lose the 1).
#[test]
fn a_key_re_created_after_its_removal_keeps_both_values_apart() {
    let (a, b) = ids();
    let model = OrMapModel::<GCounterModel>::default();
    let (mut alice, mut bob) = (model.new_replica(a), model.new_replica(b));
    let inc = |n| OrMapOp::Update(0, CounterOp::Increment(n));
    model.apply(&mut alice, a, &inc(5));
    model.merge(&mut bob, &alice);
    model.apply(&mut bob, b, &inc(2)); // concurrent with what follows
    model.apply(&mut alice, a, &OrMapOp::Remove(0));
    model.apply(&mut alice, a, &inc(1));
    assert_eq!(model.value(&alice), BTreeMap::from([(0, 1)]));
    model.merge(&mut alice, &bob);
    assert_eq!(model.value(&alice), BTreeMap::from([(0, 8)]));
}

#[test]
fn the_order_follows_merge_and_removals_leave_no_tombstone() {
    let (a, b) = ids();
    let mut x: OrMap<u8, GCounter> = OrMap::new();
    x.update(a, 1, |c| c.increment(a, 1)).unwrap();
    let mut y = x.clone();
    y.remove(&1);
    y.update(b, 2, |c| c.increment(b, 1)).unwrap();
    assert!(x.leq(&y) && !y.leq(&x));
    assert_eq!(y.entries().count(), 1);
    assert_eq!(y.keys().collect::<Vec<_>>(), [&2]);
    let mut z = x.clone();
    z.update(a, 3, |c| c.increment(a, 1)).unwrap();
    assert!(!z.leq(&y) && !y.leq(&z));
    assert!(OrMap::<u8, GCounter>::bottom().leq(&z));
}

#[test]
fn diff_ships_unseen_values_and_removals() {
    let (a, b) = ids();
    let mut here: OrMap<u8, GCounter> = OrMap::new();
    for k in 0..3 {
        here.update(a, k, |c| c.increment(a, 1)).unwrap();
    }
    let mut there = here.clone();
    there.update(b, 9, |c| c.increment(b, 1)).unwrap();
    here.remove(&0);
    here.update(a, 1, |c| c.increment(a, 1)).unwrap();
    let diff = here.diff(&there);
    assert_eq!(diff.keys().collect::<Vec<_>>(), [&1]);
    assert!(diff.leq(&here));
    let mut synced = there.clone();
    synced.merge(&diff);
    assert_eq!(synced, there.join(&here));
    assert!(!synced.contains_key(&0));
}

#[test]
fn serde_round_trips_and_checks_invariants() {
    let a = ReplicaId::new(0);
    let mut x: OrMap<u8, GCounter> = OrMap::new();
    x.update(a, 5, |c| c.increment(a, 2)).unwrap();
    x.update(a, 6, |c| c.increment(a, 1)).unwrap();
    x.remove(&5);
    let text = serde_json::to_string(&x).unwrap();
    assert_eq!(
        text,
        r#"{"entries":[[6,{"replica":0,"seq":2},[[0,1]]]],"context":{"vv":[[0,2]]}}"#
    );
    assert_eq!(
        serde_json::from_str::<OrMap<u8, GCounter>>(&text).unwrap(),
        x
    );
    let unseen = text.replace(r#""vv":[[0,2]]"#, r#""vv":[[0,1]]"#);
    assert!(serde_json::from_str::<OrMap<u8, GCounter>>(&unseen).is_err());
    assert_eq!(format!("{x:?}"), "OrMap{6@A2: GCounter{A: 1}} seen {A: 2}");
}

#[test]
fn the_model_removes_what_it_saw() {
    let (a, b) = ids();
    let model = OrMapModel::<OrSetModel>::default();
    let (mut alice, mut bob) = (model.new_replica(a), model.new_replica(b));
    model.apply(&mut alice, a, &OrMapOp::Update(1, SetOp::Add(3)));
    model.merge(&mut bob, &alice);
    model.apply(&mut bob, b, &OrMapOp::Remove(1));
    model.merge(&mut alice, &bob);
    assert!(model.value(&alice).is_empty());
}
