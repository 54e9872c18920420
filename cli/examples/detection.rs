//! How each gallery entry is caught: the laws that fail (fixed seed, 256 cases per law), how
//! often the default law run catches it (of 20 seeds, 256 cases per law), and how fast the
//! harness finds it (schedules until detection, median over 20 seeds, and steps before
//! and after shrinking), as a Markdown table. `docs/gallery.md` shows its output.
//!
//! Two harness runs per seed: with the entry's own shape (the faults and replicas it needs), and
//! untuned, with [`Options::default`] (the shape a user gets without configuring anything).
//!
//! ```text
//! cargo run --release -p crdt-cli --example detection
//! cargo run --release -p crdt-cli --example detection -- map-remove diff-misses  # some entries
//! ```
//!
//! Arguments, if any, keep only the entries whose name contains one of them (and skip the
//! four-slot counter that follows the table).

use crdt_cli::catalogue;
use crdt_harness::Options;
use crdt_harness::protocol::StateProtocol;
use crdt_harness::runner::search;
use crdt_harness::schedule::{Dimension, Faults, Shape};
use crdt_laws::{Config, Verdict, check_state};

#[path = "../../harness/tests/four_slot/mod.rs"]
mod four_slot;

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
        "| entry | laws that fail | laws: found (of {SEEDS} seeds) | faults | replicas | found (of {SEEDS} seeds) | schedules to detection (median) | steps before shrinking (median) | steps after (median, max) | property | defaults: found | defaults: schedules to detection (median) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let only: Vec<String> = std::env::args().skip(1).collect();
    for entry in catalogue::gallery() {
        if !only.is_empty() && !only.iter().any(|o| entry.name().contains(o.as_str())) {
            continue;
        }
        let gallery = entry
            .gallery()
            .expect("gallery entries describe themselves");
        let report = entry.check_laws(&Config::default().with_seed(LAW_SEED).with_cases(256));
        let laws: Vec<&str> = report
            .with_verdict(Verdict::Failed)
            .map(|law| law.name())
            .collect();
        // The default law run (256 cases) with other seeds: how often some law catches it.
        let laws_found = (0..SEEDS)
            .filter(|&seed| {
                let config = Config::default().with_seed(seed).with_cases(256);
                entry
                    .check_laws(&config)
                    .with_verdict(Verdict::Failed)
                    .count()
                    > 0
            })
            .count();
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
        let mut untuned = vec![];
        for seed in 0..SEEDS {
            let options = Options {
                seed,
                schedules: Some(10_000),
                ..Options::default()
            };
            if let Some(failure) = entry.run(&options).failures.first() {
                untuned.push(failure.schedules_until_detection);
            }
        }
        let untuned_found = untuned.len();
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
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {}, {} | {} | {} | {} |",
            entry.name(),
            if laws.is_empty() {
                "none".to_string()
            } else {
                laws.join(", ")
            },
            laws_found,
            shape.faults.bound(),
            shape.replicas.bound(),
            found,
            or_dash(until),
            or_dash(before),
            or_dash(after),
            max_after,
            properties.join(", "),
            untuned_found,
            or_dash(untuned),
        );
    }
    if !only.is_empty() {
        return;
    }
    // Not in the gallery (its shape would be "5 replicas"): the mistake that fixed defaults of
    // 4 replicas cannot see, found only untuned.
    let counter = four_slot::FourSlotCounter;
    let report = check_state(
        &counter,
        &Config::default().with_seed(LAW_SEED).with_cases(256),
    );
    let laws: Vec<&str> = report
        .with_verdict(Verdict::Failed)
        .map(|law| law.name())
        .collect();
    // Its "own shape" columns show the fixed defaults of earlier versions (4 replicas, up to
    // 50 steps, every fault); the last two, as for the gallery, the defaults.
    let fixed = Shape {
        replicas: Dimension::Fixed(4),
        steps: Dimension::Fixed(50),
        faults: Dimension::Fixed(Faults::ALL),
        ..Shape::default()
    };
    let (mut pinned, mut untuned) = (vec![], vec![]);
    for seed in 0..SEEDS {
        for (shape, found) in [(fixed, &mut pinned), (Shape::default(), &mut untuned)] {
            let options = Options {
                shape,
                seed,
                schedules: Some(10_000),
                ..Options::default()
            };
            if let Some(failure) = search(&StateProtocol(&counter), &options).failures.first() {
                found.push(failure.schedules_until_detection);
            }
        }
    }
    let or_dash = |xs: Vec<u64>| {
        if xs.is_empty() {
            "-".to_string()
        } else {
            median(xs).to_string()
        }
    };
    let laws_found = (0..SEEDS)
        .filter(|&seed| {
            let config = Config::default().with_seed(seed).with_cases(256);
            check_state(&counter, &config)
                .with_verdict(Verdict::Failed)
                .count()
                > 0
        })
        .count();
    println!(
        "| `four-slot-counter` (harness/tests/four_slot) | {} | {} | all | 4 | {} | {} | - | - | - | {} | {} |",
        if laws.is_empty() {
            "none".to_string()
        } else {
            laws.join(", ")
        },
        laws_found,
        pinned.len(),
        or_dash(pinned),
        untuned.len(),
        or_dash(untuned),
    );
}
