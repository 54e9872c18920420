//! Swarm shapes: the default run draws each schedule's replicas, length and faults from its
//! seed. Proof that an untuned run reaches the mistakes that need many replicas, that what the
//! user fixes stays fixed, and that the draw is deterministic whatever the threads and shards.

mod four_slot;

use crdt_harness::protocol::{OpProtocol, StateProtocol};
use crdt_harness::runner::{Options, Shard, Summary, search};
use crdt_harness::schedule::{Dimension, Faults, Shape};
use crdt_harness::sim::Property;
use crdt_harness::{Harness, Step};
use crdt_impls::broken::DuplicatedCounter;
use crdt_laws::toys::SetUnion;
use four_slot::FourSlotCounter;

#[test]
fn the_default_run_catches_a_four_slot_counter() {
    // The defaults of earlier versions (4 replicas, up to 50 steps, every fault) pass it.
    Harness::state(&FourSlotCounter)
        .replicas(4)
        .steps(50)
        .faults(Faults::ALL)
        .schedules(1000)
        .run()
        .assert_passed();
    // The default run, untuned.
    let summary = Harness::state(&FourSlotCounter).run();
    assert!(!summary.passed(), "{summary}");
    let failure = &summary.failures[0];
    // The schedule carries its drawn shape: shrinking keeps the five replicas the mistake needs.
    assert!(failure.original.replicas >= 5, "{summary}");
    assert_eq!(failure.shrunk.replicas, 5, "{summary}");
    let updates = failure
        .shrunk
        .steps
        .iter()
        .filter(|s| matches!(s, Step::Update { .. }))
        .count();
    assert_eq!(updates, 5, "one increment per replica:\n{summary}");
    assert!(
        matches!(
            failure.finding.property,
            Property::Convergence | Property::Specification
        ),
        "{summary}"
    );
    assert_eq!(
        failure.schedules_until_detection,
        failure.schedule_index + 1
    );
    assert!(summary.to_string().contains(&format!(
        "found after {} schedules",
        failure.schedules_until_detection
    )));
    assert!(summary.to_string().contains("2 to 8 replicas"), "{summary}");
}

fn fingerprint<Op: std::fmt::Debug>(s: &Summary<Op>) -> String {
    let failures: Vec<String> = s
        .failures
        .iter()
        .map(|f| format!("{} {} {:?}", f.schedule_index, f.finding, f.shrunk))
        .collect();
    format!(
        "{} {} {:?} {}",
        s.schedules, s.steps, failures, s.more_failures
    )
}

fn swarm(schedules: u64) -> Options {
    Options {
        schedules: Some(schedules),
        seed: 7,
        ..Options::default()
    }
}

#[test]
fn swarm_schedules_are_the_same_with_any_number_of_threads() {
    let state = |threads| {
        let opts = Options {
            threads: Some(threads),
            ..swarm(300)
        };
        fingerprint(&search(&StateProtocol(&SetUnion::default()), &opts))
    };
    let broken = |threads| {
        let opts = Options {
            threads: Some(threads),
            ..swarm(300)
        };
        fingerprint(&search(&StateProtocol(&FourSlotCounter), &opts))
    };
    for run in [state, broken] {
        assert_eq!(run(1), run(2));
        assert_eq!(run(1), run(3));
    }
}

#[test]
fn swarm_shards_split_the_run_exactly() {
    let whole = search(&StateProtocol(&SetUnion::default()), &swarm(200));
    let parts: Vec<_> = (1..=3)
        .map(|k| {
            let opts = Options {
                shard: format!("{k}/3").parse::<Shard>().unwrap(),
                ..swarm(200)
            };
            search(&StateProtocol(&SetUnion::default()), &opts)
        })
        .collect();
    assert_eq!(
        parts.iter().map(|p| p.schedules).sum::<u64>(),
        whole.schedules
    );
    assert_eq!(parts.iter().map(|p| p.steps).sum::<u64>(), whole.steps);
    // A failure is found by the shard that owns its schedule, at the same index, with the same
    // drawn shape; its schedules until detection count that shard's schedules.
    let broken = search(&StateProtocol(&FourSlotCounter), &swarm(1000));
    let index = broken.failures[0].schedule_index;
    let owner = Shard {
        index: (index % 3) as u32,
        count: 3,
    };
    let sharded = search(
        &StateProtocol(&FourSlotCounter),
        &Options {
            shard: owner,
            ..swarm(1000)
        },
    );
    assert_eq!(sharded.failures[0].schedule_index, index);
    assert_eq!(sharded.failures[0].original, broken.failures[0].original);
    assert_eq!(sharded.failures[0].shrunk, broken.failures[0].shrunk);
    assert_eq!(sharded.failures[0].schedules_until_detection, index / 3 + 1);
}

#[test]
fn what_the_user_fixes_stays_fixed() {
    // Fixed faults: a duplicating network in every schedule finds the counter that counts
    // duplicates, with the other dimensions still drawn.
    let shape = Shape {
        faults: Dimension::Fixed(Faults::parse("dup").unwrap()),
        ..Shape::default()
    };
    let summary = search(
        &OpProtocol(&DuplicatedCounter),
        &Options {
            shape,
            ..swarm(1000)
        },
    );
    let failure = &summary.failures[0];
    assert_eq!(failure.finding.property, Property::Convergence, "{summary}");
    assert!(failure.original.steps.iter().all(|s| !matches!(
        s,
        Step::Drop { .. } | Step::Partition { .. } | Step::Crash { .. }
    )));
    // Fixed replicas: every schedule has exactly that many, so four never show the fifth
    // replica's loss.
    let four = search(
        &StateProtocol(&FourSlotCounter),
        &Options {
            shape: Shape {
                replicas: Dimension::Fixed(4),
                ..Shape::default()
            },
            ..swarm(1000)
        },
    );
    assert!(four.passed(), "{four}");
    assert!(
        four.to_string()
            .contains("4 replicas, up to 100 steps (swarm)")
    );
}
