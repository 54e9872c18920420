//! How fast the harness finds each gallery entry: schedules until detection (median over 20
//! seeds) and steps before and after shrinking, as a Markdown table.
//!
//! ```text
//! cargo run --release -p crdt-harness --example detection
//! ```

use crdt_harness::catalogue;
use crdt_harness::{Faults, Options, Shape};

fn median(mut xs: Vec<u64>) -> u64 {
    xs.sort_unstable();
    xs[xs.len() / 2]
}

fn main() {
    println!(
        "| entry | faults | replicas | found (of 20 seeds) | schedules to detection (median) | steps before shrinking (median) | steps after (median, max) | property |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for entry in catalogue::gallery() {
        let gallery = entry
            .gallery()
            .expect("gallery entries describe themselves");
        let (faults, replicas) = match gallery.needs {
            "none" => (Faults::NONE, 4),
            "three or more replicas" => (Faults::NONE, 3),
            needs => (Faults::parse(needs).expect("a fault list"), 4),
        };
        let (mut until, mut before, mut after, mut properties) = (vec![], vec![], vec![], vec![]);
        for seed in 0..20 {
            let options = Options {
                shape: Shape {
                    replicas,
                    faults,
                    ..Shape::default()
                },
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
        println!(
            "| {} | {} | {} | {} | {} | {} | {}, {} | {} |",
            entry.name(),
            faults,
            replicas,
            found,
            if found > 0 {
                median(until).to_string()
            } else {
                "-".into()
            },
            if found > 0 {
                median(before).to_string()
            } else {
                "-".into()
            },
            if found > 0 {
                median(after).to_string()
            } else {
                "-".into()
            },
            max_after,
            properties.join(", ")
        );
    }
}
