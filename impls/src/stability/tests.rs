//! The law catalogue on the model, and collection scenarios: a replica that was away returns
//! to replicas that collected.

use crdt_laws::ReplicaId;
use crdt_laws::vocab::set::SetOp;

use super::{StableSet, StableSetModel};

crdt_laws::check_op_crdt!(stable_set, StableSetModel::default());

const N: Option<u32> = Some(3);

fn ids() -> (ReplicaId, ReplicaId, ReplicaId) {
    (ReplicaId::new(0), ReplicaId::new(1), ReplicaId::new(2))
}

/// C is partitioned away and removes `x` without having seen A's add; A and B keep working.
/// They cannot call the add stable (nothing heard from C), so when C returns its removal is
/// still recognisably concurrent with the add, and the add wins everywhere.
#[test]
fn a_returning_replica_converges_with_the_ones_that_collected() {
    let (a, b, c) = ids();
    let (mut x, mut y, mut z) = (StableSet::new(a), StableSet::new(b), StableSet::new(c));
    let add = x.local(SetOp::Add(1), N);
    y.effect(&add, N);
    let other = y.local(SetOp::Add(2), N);
    x.effect(&other, N);
    assert_eq!(
        (x.logged(), y.logged()),
        (2, 2),
        "C unheard: nothing stable"
    );
    // C, partitioned, removes 1 (it has not seen the add) and adds 3.
    let remove = z.local(SetOp::Remove(1), N);
    let three = z.local(SetOp::Add(3), N);
    // C returns: everything is delivered, causally.
    for m in [&remove, &three] {
        x.effect(m, N);
        y.effect(m, N);
    }
    z.effect(&add, N);
    z.effect(&other, N);
    let expected: std::collections::BTreeSet<u8> = [1, 2, 3].into();
    assert_eq!(x.value(), expected);
    assert_eq!(y.value(), expected);
    assert_eq!(z.value(), expected);
    // Once C speaks after seeing everything, A's and B's adds are stable at A and B.
    let ack = z.local(SetOp::Add(0), N);
    x.effect(&ack, N);
    y.effect(&ack, N);
    assert!(x.stable().contains(&1) && x.stable().contains(&2));
    assert!(x.logged() < 4);
    assert_eq!(x.value(), [0, 1, 2, 3].into());
}

/// A removal that saw a stable element takes it out of the snapshot.
#[test]
fn a_removal_takes_a_stable_element_out_of_the_snapshot() {
    let (a, b, _) = ids();
    let two = Some(2);
    let (mut x, mut y) = (StableSet::new(a), StableSet::new(b));
    let add = x.local(SetOp::Add(5), two);
    y.effect(&add, two);
    let remove = y.local(SetOp::Remove(5), two);
    assert!(y.value().is_empty());
    x.effect(&remove, two);
    assert!(x.value().is_empty() && x.logged() == 0);
    // Without knowing the membership, nothing is ever stable.
    let mut z = StableSet::new(a);
    z.local(SetOp::Add(1), None);
    assert_eq!((z.logged(), z.stable().len()), (1, 0));
}

#[test]
fn states_round_trip_through_json() {
    let (a, _, _) = ids();
    let mut x = StableSet::new(a);
    x.local(SetOp::Add(1), Some(1));
    x.local(SetOp::Add(2), None);
    let json = serde_json::to_string(&x).unwrap();
    assert_eq!(serde_json::from_str::<StableSet>(&json).unwrap(), x);
}
