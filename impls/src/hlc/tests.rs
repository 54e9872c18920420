//! The law catalogue on both models, the clock's rules, and skew scenarios.

use crdt_laws::ReplicaId;
use crdt_laws::env::{Environment, with};

use super::{Hlc, HlcMap, HlcMapModel, HlcRegister, HlcRegisterModel};

crdt_laws::check_state_crdt!(hlc_register, HlcRegisterModel::default());
crdt_laws::check_state_crdt!(hlc_map, HlcMapModel::default());

fn ids() -> (ReplicaId, ReplicaId) {
    (ReplicaId::new(0), ReplicaId::new(1))
}

/// Kulkarni et al. 2014, Figure 5's receive cases: each of the four counter rules.
#[test]
fn receive_follows_the_papers_counter_rules() {
    let at = |wall, logical| Hlc { wall, logical };
    // l' = l = l_m: max of the counters, plus one.
    assert_eq!(at(10, 2).clone().receive((10, 5), 3), (10, 6));
    // l' = l only.
    assert_eq!(at(10, 2).clone().receive((4, 9), 3), (10, 3));
    // l' = l_m only.
    assert_eq!(at(10, 2).clone().receive((20, 9), 3), (20, 10));
    // The physical clock is ahead of both.
    assert_eq!(at(10, 2).clone().receive((20, 9), 30), (30, 0));
}

/// The clock never goes back, and every event is after the message it received, whatever the
/// physical clock does.
#[test]
fn events_are_ordered_after_what_they_saw_under_any_physical_clock() {
    let mut clock = Hlc::new();
    let mut last = clock.now();
    for (k, physical) in [5u64, 3, 3, 100, 2, 0, 100, 101].into_iter().enumerate() {
        let now = if k % 3 == 0 {
            let message = (physical * 2, k as u32);
            let t = clock.receive(message, physical);
            assert!(t > message);
            t
        } else {
            clock.tick(physical)
        };
        assert!(
            now > last && now.0 >= physical,
            "{now:?} after {last:?} at {physical}"
        );
        last = now;
    }
}

#[test]
fn observe_is_a_join() {
    let mut clock = Hlc {
        wall: 10,
        logical: 1,
    };
    clock.observe((9, 7));
    assert_eq!(clock.now(), (10, 1));
    clock.observe((10, 4));
    assert_eq!(clock.now(), (10, 4));
    clock.observe((10, 4));
    assert_eq!(clock.now(), (10, 4));
}

/// The register reads the physical clock the driver sets: with a fast clock at A and a slow
/// one at B, B's write that saw A's still wins.
#[test]
fn a_slow_clock_cannot_lose_a_causally_later_write() {
    let (a, b) = ids();
    let env = |t| Environment {
        physical_time: t,
        replicas: None,
    };
    let mut alice = HlcRegister::new();
    let mut bob = HlcRegister::new();
    with(env(60_000), || alice.set(a, 1));
    bob.merge(&alice);
    let stamp = with(env(1_000), || bob.set(b, 2));
    assert_eq!(stamp.time(), (60_000, 1));
    alice.merge(&bob);
    assert_eq!((alice.get(), bob.get()), (Some(&2), Some(&2)));
    // Concurrent writes: the later wall time wins, here B's clock is ahead.
    let mut carol = HlcRegister::new();
    with(env(70_000), || carol.set(a, 3));
    with(env(80_000), || bob.set(b, 4));
    carol.merge(&bob);
    assert_eq!(carol.get(), Some(&4));
}

#[test]
fn a_removal_that_saw_a_write_wins_over_it_and_tombstones_stay() {
    let (a, b) = ids();
    let mut alice: HlcMap<u8, u8> = HlcMap::new();
    let mut bob = HlcMap::new();
    alice.insert_at(a, 1, 10, 500);
    bob.merge(&alice);
    bob.remove_at(b, 1, 100);
    let old = alice.clone();
    alice.merge(&bob);
    alice.merge(&old); // the older write arrives again: the tombstone keeps it out
    assert_eq!(alice.get(&1), None);
    assert!(old.leq(&alice) && bob.leq(&alice));
    assert!(!alice.leq(&old));
}

#[test]
fn states_round_trip_through_json() {
    let (a, _) = ids();
    let mut map: HlcMap<u8, u8> = HlcMap::new();
    map.insert_at(a, 2, 7, 40);
    map.remove_at(a, 3, 41);
    let json = serde_json::to_string(&map).unwrap();
    assert_eq!(serde_json::from_str::<HlcMap<u8, u8>>(&json).unwrap(), map);
}
