//! The fuzzing entry point (schedules read from raw bytes), as a pair: a quick `fuzz_once` in
//! the normal suite and an ignored `fuzz_forever` for long runs:
//!
//! ```text
//! CRDT_FUZZ_SECONDS=600 cargo test --release -p crdt-cli --test fuzz -- --ignored
//! ```

use std::time::{Duration, Instant};

use crdt_cli::catalogue;
use crdt_harness::Options;
use crdt_laws::seed::splitmix64;

fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = splitmix64(state);
            state as u8
        })
        .collect()
}

/// Runs `inputs` byte strings through every reference model; returns the first finding.
fn fuzz(inputs: u64, first_seed: u64, deadline: Option<Instant>) -> Option<String> {
    let options = Options::default();
    for entry in catalogue::builtin() {
        for i in 0..inputs {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return None;
            }
            let input = bytes(first_seed + i, 64 + (i as usize * 37) % 700);
            if let Some(outcome) = entry.run_bytes(&input, &options)
                && let Some(finding) = outcome.finding
            {
                return Some(format!(
                    "{} on input seed {}: {finding}",
                    entry.name(),
                    first_seed + i
                ));
            }
        }
    }
    None
}

#[test]
fn fuzz_once() {
    assert_eq!(fuzz(20, 0, None), None);
    // The same bytes make the same run.
    let entry = catalogue::find("or-set").unwrap();
    let input = bytes(99, 600);
    let a = entry.run_bytes(&input, &Options::default()).unwrap();
    let b = entry.run_bytes(&input, &Options::default()).unwrap();
    assert_eq!(a.events, b.events);
    // Too few bytes make no schedule, never a panic.
    assert!(entry.run_bytes(&[], &Options::default()).is_none());
}

#[test]
#[ignore = "long-running; set CRDT_FUZZ_SECONDS (default 600)"]
fn fuzz_forever() {
    let seconds: u64 = std::env::var("CRDT_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut seed = 1_000_000;
    while Instant::now() < deadline {
        assert_eq!(fuzz(500, seed, Some(deadline)), None);
        seed += 500;
    }
}
