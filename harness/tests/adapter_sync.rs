//! The adapter protocol's sync flavour over real processes: a small Python adapter
//! (`tests/adapters/sync_toy.py`) with a correct sync and broken ones, the sync simulator's
//! oracles on it, the same findings with any thread count, and containment of a crash.

use std::time::Duration;

use crdt_harness::adapter::{AdapterSync, DEFAULT_TIMEOUT, Json};
use crdt_harness::runner::Summary;
use crdt_harness::sync::{Silence, Transport};
use crdt_harness::{Faults, Harness, Property};
use crdt_laws::Flavour;

fn start(mode: &str) -> AdapterSync {
    let command = format!(
        "python3 {}/tests/adapters/sync_toy.py {mode}",
        env!("CARGO_MANIFEST_DIR")
    );
    AdapterSync::start(&command, DEFAULT_TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}

fn run(mode: &str, schedules: u64, threads: usize) -> Summary<Json> {
    Harness::sync(&start(mode))
        .faults(Faults::ALL)
        .schedules(schedules)
        .threads(threads)
        .seed(7)
        .run()
}

#[test]
fn the_handshake_declares_the_sync_terms() {
    let model = start("correct");
    assert_eq!(model.model().flavour(), Flavour::Sync);
    let terms = model.terms();
    assert!(!terms.durable);
    assert_eq!(terms.silence, Silence::Rounds(4));
    assert_eq!(terms.transport, Transport::Datagram);
}

#[test]
fn a_handshake_without_the_sync_terms_is_refused() {
    let command = format!(
        "python3 {}/tests/adapters/sync_toy.py no-terms",
        env!("CARGO_MANIFEST_DIR")
    );
    let error = AdapterSync::start(&command, DEFAULT_TIMEOUT).unwrap_err();
    assert!(error.to_string().contains("must give `sync`"), "{error}");
}

#[test]
fn a_correct_sync_converges_and_falls_silent_under_every_fault() {
    let summary = run("correct", 150, 1);
    summary.assert_passed();
    assert_eq!(summary.flavour, Flavour::Sync);
    let cost = summary.sync.expect("a sync run reports its cost");
    assert!(cost.messages > 0 && cost.bytes > 0, "{cost:?}");
}

#[test]
fn a_sync_that_forgets_a_lost_message_is_caught_alike_with_any_thread_count() {
    let one = run("forgetful", 2_000, 1);
    let failure = one
        .failure_of(Property::SilentDisagreement)
        .unwrap_or_else(|| panic!("not caught:\n{one}"));
    let two = run("forgetful", 2_000, 2);
    let again = two
        .failure_of(Property::SilentDisagreement)
        .unwrap_or_else(|| panic!("not caught with two threads:\n{two}"));
    assert_eq!(failure.shrunk.steps, again.shrunk.steps);
}

/// Over connections the harness tells both ends of a broken one (`sync_reconnect`): a sync that
/// forgets what it sent a peer then is correct; the same sync deaf to it is caught.
#[test]
fn a_sync_over_connections_is_told_of_a_broken_one() {
    let model = start("connected");
    assert_eq!(model.terms().transport, Transport::Connection);
    run("connected", 150, 1).assert_passed();
    let deaf = run("deaf", 150, 1);
    assert!(
        deaf.failure_of(Property::SilentDisagreement).is_some(),
        "{deaf}"
    );
}

#[test]
fn a_sync_that_never_falls_silent_is_caught() {
    let summary = run("chatty", 50, 1);
    assert!(summary.failure_of(Property::Silence).is_some(), "{summary}");
}

#[test]
fn a_sync_adapter_that_crashes_hangs_or_answers_nothing_is_a_finding_with_its_stderr() {
    for (mode, what) in [
        ("crash", "adapter crashed"),
        ("hang", "adapter timed out"),
        ("mute", "no `value`"),
    ] {
        let command = format!(
            "python3 {}/tests/adapters/sync_toy.py {mode}",
            env!("CARGO_MANIFEST_DIR")
        );
        let model = AdapterSync::start(&command, Duration::from_millis(500))
            .unwrap_or_else(|e| panic!("{e}"));
        let summary = Harness::sync(&model)
            .replicas(2)
            .steps(4)
            .schedules(1)
            .seed(7)
            .run();
        let failure = summary
            .failures
            .first()
            .unwrap_or_else(|| panic!("{mode}: no finding:\n{summary}"));
        let message = &failure.finding.message;
        assert_eq!(
            failure.finding.property,
            Property::Panic,
            "{mode}: {message}"
        );
        assert!(message.contains(what), "{mode}: {message}");
        assert!(
            message.contains(&format!("{mode} on purpose")),
            "{mode}: {message}"
        );
    }
}
