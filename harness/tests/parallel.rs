//! The parallel search: workers take batches as they free up, with no barrier, and the run is
//! still a function of its seed: the same findings, counts and counterexamples with any number
//! of threads, inline or watched; and a run resumed from any checkpoint ends where an
//! uninterrupted run does.

use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crdt_harness::Harness;
use crdt_harness::crdt_laws::proptest::prelude::*;
use crdt_harness::crdt_laws::{Model, ReplicaId, StateCrdt};
use crdt_harness::protocol::{OpProtocol, StateProtocol};
use crdt_harness::runner::{Checkpoint, Options, Progress, Summary, search};
use crdt_harness::schedule::{Dimension, Shape};
use crdt_impls::broken::CausalOrSet;

type Op = <CausalOrSet as crdt_harness::crdt_laws::Model>::Op;

/// Everything a run decides, its time and thread count aside.
fn fingerprint(summary: &Summary<Op>) -> String {
    let failures: Vec<String> = summary
        .failures
        .iter()
        .map(|f| {
            format!(
                "{} #{} after {} {:?} -> {:?}",
                f.finding.property,
                f.schedule_index,
                f.schedules_until_detection,
                f.finding.message,
                f.shrunk.steps
            )
        })
        .collect();
    format!(
        "{} schedules, {} steps, {} more failures, complete {}: {failures:#?}",
        summary.schedules, summary.steps, summary.more_failures, summary.complete
    )
}

fn options(threads: usize, keep_going: bool) -> Options {
    Options {
        seed: 21,
        // Ten batches of short schedules: enough for batches to finish out of order.
        schedules: Some(640),
        shape: Shape {
            replicas: Dimension::Fixed(3),
            steps: Dimension::Fixed(24),
            ..Shape::default()
        },
        threads: Some(threads),
        keep_going,
        ..Options::default()
    }
}

#[test]
fn the_same_seed_gives_the_same_run_with_any_number_of_threads() {
    for keep_going in [false, true] {
        let inline = |threads| {
            fingerprint(&search(
                &OpProtocol(&CausalOrSet),
                &options(threads, keep_going),
            ))
        };
        let watched = |threads| {
            fingerprint(
                &Harness::op(&CausalOrSet)
                    .options(options(threads, keep_going))
                    .run(),
            )
        };
        let one = inline(1);
        assert!(one.contains('#'), "the broken model is caught: {one}");
        for threads in [2, 5] {
            assert_eq!(inline(threads), one, "inline, {threads} threads");
        }
        for threads in [1, 3] {
            assert_eq!(watched(threads), one, "watched, {threads} threads");
        }
    }
}

#[test]
fn a_run_shorter_than_a_batch_per_thread_gives_the_same_run_with_any_number_of_threads() {
    // 40 schedules: one batch, split into chunks of 2 (two threads) or 1 (eight threads).
    for keep_going in [false, true] {
        let run = |threads| {
            let options = Options {
                schedules: Some(40),
                ..options(threads, keep_going)
            };
            fingerprint(&search(&OpProtocol(&CausalOrSet), &options))
        };
        let one = run(1);
        assert!(one.contains('#'), "the broken model is caught: {one}");
        for threads in [2, 3, 8] {
            assert_eq!(run(threads), one, "{threads} threads");
        }
    }
}

/// A max register whose replicas, when the first worker threads create them, wait until
/// two threads have (for at most ten seconds, once): it records which threads ran schedules.
struct Rendezvous {
    caller: ThreadId,
    seen: Mutex<(HashSet<ThreadId>, bool)>,
    changed: Condvar,
}

impl Model for Rendezvous {
    type State = u8;
    type Op = u8;
    type Value = u8;

    fn new_replica(&self, _: ReplicaId) -> u8 {
        let me = std::thread::current().id();
        if me == self.caller {
            return 0;
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = self.seen.lock().unwrap();
        seen.0.insert(me);
        self.changed.notify_all();
        while seen.0.len() < 2 && !seen.1 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                // Given up: the other schedules run without waiting.
                seen.1 = true;
                break;
            }
            seen = self.changed.wait_timeout(seen, left).unwrap().0;
        }
        0
    }

    fn value(&self, state: &u8) -> u8 {
        *state
    }

    fn ops(&self) -> BoxedStrategy<u8> {
        (0..4u8).boxed()
    }
}

impl StateCrdt for Rendezvous {
    fn apply(&self, state: &mut u8, _: ReplicaId, op: &u8) {
        *state = (*state).max(*op);
    }

    fn merge(&self, into: &mut u8, from: &u8) {
        *into = (*into).max(*from);
    }
}

#[test]
fn sixteen_schedules_on_two_threads_run_on_both() {
    // One batch of 16: both workers get some of it (as single schedules), so two adapter
    // processes, one per worker, share the work rather than one doing it all.
    let model = Rendezvous {
        caller: std::thread::current().id(),
        seen: Mutex::default(),
        changed: Condvar::new(),
    };
    let summary = search(
        &StateProtocol(&model),
        &Options {
            schedules: Some(16),
            ..options(2, false)
        },
    );
    assert!(summary.passed(), "{summary}");
    assert_eq!(summary.schedules, 16);
    let (threads, gave_up) = &*model.seen.lock().unwrap();
    assert_eq!(threads.len(), 2, "both workers ran schedules");
    assert!(!gave_up, "no worker waited for the other in vain");
}

#[test]
fn a_run_resumed_from_any_checkpoint_ends_as_an_uninterrupted_run() {
    let saved: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let keep = Arc::clone(&saved);
    let checkpointed = Options {
        checkpoint: Some(Checkpoint {
            every: Duration::ZERO,
            save: Arc::new(move |p: &Progress| keep.lock().unwrap().push(p.clone())),
        }),
        ..options(2, true)
    };
    let whole = search(&OpProtocol(&CausalOrSet), &checkpointed);
    let expected = fingerprint(&whole);
    assert_eq!(
        expected,
        fingerprint(&search(&OpProtocol(&CausalOrSet), &options(2, true))),
        "checkpointing changes nothing"
    );
    let saved = saved.lock().unwrap().clone();
    assert_eq!(saved.len(), 10, "a checkpoint after each batch");
    assert!(
        saved.iter().any(|p| !p.found.is_empty()),
        "checkpoints holding failures found"
    );
    for progress in saved.iter().step_by(4) {
        for threads in [1, 3] {
            let resumed = search(
                &OpProtocol(&CausalOrSet),
                &Options {
                    resume: Some(progress.clone()),
                    ..options(threads, true)
                },
            );
            assert_eq!(
                fingerprint(&resumed),
                expected,
                "resumed after {} batches on {threads} threads",
                progress.batches
            );
        }
    }
    // A progress made with other options is not resumed: the run starts afresh.
    let mut other = saved[saved.len() / 2].clone();
    other.run = "another run".into();
    let fresh = search(
        &OpProtocol(&CausalOrSet),
        &Options {
            resume: Some(other),
            ..options(1, true)
        },
    );
    assert_eq!(fingerprint(&fresh), expected);
}
