//! The harness under the model contract for libraries as they are: a fork that shares state
//! is a finding that names the fix, invariants are checked after every step, and a
//! specification judges only what a replica has applied (a library that buffers messages
//! whose causal past is missing is not blamed for it).

#[path = "../../laws/tests/fixtures/mod.rs"]
mod fixtures;

use crdt_harness::{Faults, Harness, Property};
use fixtures::{BufferingModel, CounterTagged, HandleSet};

#[test]
fn a_fork_that_shares_state_is_a_finding_with_the_fix() {
    let summary = Harness::state(&HandleSet { honest: false })
        .schedules(50)
        .seed(1)
        .run();
    let failure = summary.failures.first().expect("the shared fork is found");
    assert_eq!(failure.finding.property, Property::ForkIndependent);
    assert!(
        failure.finding.message.contains("Implement Model::fork"),
        "{}",
        failure.finding
    );
}

#[test]
fn an_independent_fork_without_state_equality_passes() {
    Harness::state(&HandleSet { honest: true })
        .faults(Faults::ALL)
        .schedules(300)
        .seed(2)
        .run()
        .assert_passed();
}

#[test]
fn a_broken_invariant_is_a_finding_of_its_own() {
    let summary = Harness::op(&CounterTagged { at_most: 3 })
        .schedules(200)
        .seed(3)
        .run();
    let failure = summary.failures.first().expect("the invariant breaks");
    assert_eq!(failure.finding.property, Property::Invariant);
    assert!(
        failure.finding.message.contains("more than 3"),
        "{}",
        failure.finding
    );
    Harness::op(&CounterTagged {
        at_most: usize::MAX,
    })
    .faults(Faults::ALL)
    .schedules(300)
    .seed(3)
    .run()
    .assert_passed();
}

#[test]
fn a_buffering_library_under_unordered_delivery_meets_its_specification() {
    Harness::op(&BufferingModel)
        .faults(Faults::ALL)
        .schedules(500)
        .seed(4)
        .run()
        .assert_passed();
}
