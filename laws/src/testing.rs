//! Helpers for tests that plant a mistake and expect the catalogue to catch it.
//!
//! ```
//! use crdt_laws::testing::assert_caught;
//! use crdt_laws::{check_state, Config, Law, Model, ReplicaId, StateCrdt};
//! use crdt_laws::proptest::prelude::*;
//!
//! /// A counter "merged" by adding: counts a retransmitted state twice.
//! struct Summed;
//! impl Model for Summed {
//!     type State = u64;
//!     type Op = u64;
//!     type Value = u64;
//!     fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> { Some(a == b) }
//!     fn new_replica(&self, _: ReplicaId) -> u64 { 0 }
//!     fn value(&self, s: &u64) -> u64 { *s }
//!     fn ops(&self) -> BoxedStrategy<u64> { (1..5u64).boxed() }
//! }
//! impl StateCrdt for Summed {
//!     fn apply(&self, s: &mut u64, _: ReplicaId, n: &u64) { *s += n }
//!     fn merge(&self, into: &mut u64, from: &u64) { *into += from }
//! }
//!
//! let report = check_state(&Summed, &Config::default().with_seed(3).only([Law::JoinIdempotent]));
//! let counterexample = assert_caught(&report, Law::JoinIdempotent);
//! assert!(counterexample.violation.claim.contains("a ⊔ a ≠ a"));
//! ```

use crate::Law;
use crate::runner::{Counterexample, LawReport, Verdict};

/// Asserts that `report` has `law` failed with a counterexample, and returns it.
///
/// # Panics
/// With the whole report when `law` did not run or did not fail.
#[track_caller]
pub fn assert_caught(report: &LawReport, law: Law) -> Counterexample {
    let result = report
        .get(law)
        .unwrap_or_else(|| panic!("{law} did not run:\n{report}"));
    assert_eq!(
        result.verdict,
        Verdict::Failed,
        "{law} not caught:\n{report}"
    );
    let counterexample = result
        .counterexample
        .clone()
        .unwrap_or_else(|| panic!("{law} failed without a counterexample:\n{report}"));
    assert_eq!(counterexample.violation.law, law, "{counterexample}");
    counterexample
}

/// The laws `report` has failed, in catalogue order.
#[must_use]
pub fn failed(report: &LawReport) -> Vec<Law> {
    report.with_verdict(Verdict::Failed).collect()
}
