//! Shared helpers for the law crate's integration tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeSet;

use crdt_laws::{Config, Counterexample, Law, LawReport};

/// The seed every broken-model test uses, so verdicts are reproducible.
pub const SEED: u64 = 0x5eed;

/// The default configuration of these tests: fixed seed, proptest's default 256 cases.
pub fn config() -> Config {
    Config::default().with_seed(SEED).with_cases(256)
}

/// Asserts that `law` failed with a shrunk counterexample, and that the laws failing are exactly
/// `law` and `also` (a mistake often breaks several laws; the test documents which). Returns the
/// counterexample.
#[track_caller]
pub fn assert_caught(
    report: &LawReport,
    law: Law,
    also: &[Law],
    max_steps: usize,
) -> Counterexample {
    let cx = crdt_laws::testing::assert_caught(report, law);
    let failed: BTreeSet<Law> = crdt_laws::testing::failed(report).into_iter().collect();
    let expected: BTreeSet<Law> = also.iter().copied().chain([law]).collect();
    assert_eq!(failed, expected, "unexpected set of failed laws:\n{report}");
    // The execution ends with the final all-merge line; the steps before it are the script.
    let steps = cx
        .execution
        .iter()
        .filter(|l| l.starts_with("step"))
        .count();
    assert!(
        steps <= max_steps,
        "counterexample not shrunk: {steps} steps > {max_steps}\n{cx}"
    );
    let text = cx.to_string();
    assert!(text.starts_with(&format!("{law} failed: ")), "{text}");
    assert!(text.contains(law.formula()), "{text}");
    eprintln!("{text}");
    cx
}
