//! Proof that the default law run reaches the replica counts that fixed-size mistakes need: a
//! counter with room for four replicas passes every law on four, and the default configuration
//! (executions of up to eight replicas) catches it.

mod common;

#[path = "../../harness/tests/four_slot/mod.rs"]
mod four_slot;

use common::{SEED, assert_caught, config};
use crdt_laws::{Config, Law, check_state};
use four_slot::FourSlotCounter;

#[test]
fn four_replicas_are_not_enough_to_see_a_four_slot_counter() {
    let report = check_state(&FourSlotCounter, &config().with_max_replicas(4));
    assert!(report.all_passed(), "{report}");
}

#[test]
fn the_default_law_run_catches_a_four_slot_counter() {
    // The default configuration, only the seed fixed for a reproducible verdict.
    let report = check_state(&FourSlotCounter, &Config::default().with_seed(SEED));
    // Once five replicas have counted, a replica that hears of all of them has no slot for the
    // fifth: its value is short of the increments it has seen.
    let cx = assert_caught(&report, Law::ValueMatchesSpec, &[], 12);
    assert!(cx.execution.iter().any(|l| l.contains('E')), "{cx}");
}
