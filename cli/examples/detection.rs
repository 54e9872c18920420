//! How each gallery entry is caught: the laws that fail (fixed seed, 256 cases per law), and how
//! fast the harness finds it (schedules until detection, median over 20 seeds, and steps before
//! and after shrinking), as a Markdown table. `docs/gallery.md` shows its output.
//!
//! ```text
//! cargo run --release -p crdt-cli --example detection
//! ```

use crdt_cli::catalogue;
use crdt_harness::Options;
use crdt_laws::{Config, Verdict};

/// The seed of the law runs, as in `cli/tests/gallery.rs`.
const LAW_SEED: u64 = 0x5eed;
/// Seeds of the harness runs: `0..SEEDS`.
const SEEDS: u64 = 20;

fn median(mut xs: Vec<u64>) -> u64 {
    xs.sort_unstable();
    xs[xs.len() / 2]
}

fn main() {
    println!(
        "| entry | laws that fail | faults | replicas | found (of {SEEDS} seeds) | schedules to detection (median) | steps before shrinking (median) | steps after (median, max) | property |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for entry in catalogue::gallery() {
        let gallery = entry
            .gallery()
            .expect("gallery entries describe themselves");
        let report = entry.check_laws(&Config::default().with_seed(LAW_SEED).with_cases(256));
        let laws: Vec<&str> = report
            .with_verdict(Verdict::Failed)
            .map(|law| law.name())
            .collect();
        let shape = catalogue::gallery_shape(gallery);
        let (mut until, mut before, mut after, mut properties) = (vec![], vec![], vec![], vec![]);
        for seed in 0..SEEDS {
            let options = Options {
                shape,
                seed,
                schedules: Some(10_000),
                ..Options::default()
            };
            let summary = entry.run(&options);
            if let Some(failure) = summary.failures.first() {
                until.push(failure.schedule_index + 1);
                before.push(failure.shrink.steps_before as u64);
                after.push(failure.shrink.steps_after as u64);
                properties.push(failure.finding.property.name());
            }
        }
        properties.sort_unstable();
        properties.dedup();
        let found = until.len();
        let max_after = after.iter().copied().max().unwrap_or(0);
        let or_dash = |xs: Vec<u64>| {
            if xs.is_empty() {
                "-".to_string()
            } else {
                median(xs).to_string()
            }
        };
        println!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {}, {} | {} |",
            entry.name(),
            if laws.is_empty() {
                "none".to_string()
            } else {
                laws.join(", ")
            },
            shape.faults,
            shape.replicas,
            found,
            or_dash(until),
            or_dash(before),
            or_dash(after),
            max_after,
            properties.join(", ")
        );
    }
}
