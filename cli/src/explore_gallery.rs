//! Every gallery entry explored exhaustively: the fewest replicas and the least depth at which
//! breadth-first exploration finds its mistake, with the states and time it took. The table in
//! `docs/gallery.md` is this module's output (`cargo run --release -p crdt-cli --example
//! explore-gallery`), and a test asserts each entry's minimal depth.
//!
//! Generic over the catalogue: a new gallery entry gets its row without any change here.
//!
//! ```
//! use crdt_cli::catalogue;
//! use crdt_cli::explore_gallery::{MAX_DEPTH, minimal};
//!
//! let entry = catalogue::find("broken/pn-counter-merged-by-sum").unwrap();
//! let found = minimal(entry.as_ref(), MAX_DEPTH).unwrap().expect("found");
//! assert_eq!(found.replicas, 2);
//! assert_eq!(found.depth, found.length);
//! ```

use std::time::{Duration, Instant};

use crdt_harness::explore::{ExploreError, ExploreOptions};
use crdt_harness::schedule::Faults;

use crate::catalogue::Entry;

/// The deepest exploration tried per replica count.
pub const MAX_DEPTH: usize = 6;

/// The replica counts tried, fewest first.
pub const REPLICAS: [u32; 2] = [2, 3];

/// The memory cap of each exploration, in states.
pub const MAX_STATES: u64 = 2_000_000;

/// Where and how fast exploration found a gallery entry's mistake.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The fewest replicas that show it.
    pub replicas: u32,
    /// The least depth with a counterexample (breadth-first: every shorter path is clean).
    pub depth: usize,
    /// States visited, in all (through the level of the counterexample).
    pub states: u64,
    /// Time of the exploration that found it.
    pub elapsed: Duration,
    /// The counterexample's steps.
    pub length: usize,
    /// The property it breaks.
    pub property: String,
    /// The faults explored (the entry's own).
    pub faults: Faults,
}

/// The options exploring `entry` with `replicas` up to `depth`: its own faults, operations
/// sampled from its model, the simulator's checks, every reduction.
#[must_use]
pub fn options(entry: &dyn Entry, replicas: u32, depth: usize) -> ExploreOptions {
    let faults = entry.gallery().map_or(Faults::NONE, |g| {
        Faults::parse(g.faults()).expect("a gallery entry names known faults")
    });
    ExploreOptions {
        replicas,
        depth,
        faults,
        max_states: MAX_STATES,
        ..ExploreOptions::default()
    }
}

/// The first replica count of [`REPLICAS`] whose exploration to `max_depth` finds a
/// counterexample, and where; `None` when none does.
///
/// # Errors
/// When the entry's model cannot be explored (a delta-state model is explored as
/// state-based, so only an empty alphabet or a bad replica count).
pub fn minimal(entry: &dyn Entry, max_depth: usize) -> Result<Option<Found>, ExploreError> {
    for replicas in REPLICAS {
        let o = options(entry, replicas, max_depth);
        let started = Instant::now();
        let e = entry.explore(&o)?;
        let elapsed = started.elapsed();
        if let Some(c) = e.counterexample {
            return Ok(Some(Found {
                replicas,
                depth: e.coverage.states_per_depth.len() - 1,
                states: e.coverage.states,
                elapsed,
                length: c.schedule.steps.len(),
                property: c.finding.property.to_string(),
                faults: o.faults,
            }));
        }
    }
    Ok(None)
}

/// The Markdown table of every gallery entry: entry, faults, replicas, minimal depth, states,
/// time, counterexample length and property (or "not found within ...", or why the entry
/// cannot be explored: a sync protocol, a fault the explorer refuses).
#[must_use]
pub fn table(entries: &[Box<dyn Entry>], max_depth: usize) -> String {
    let mut out = String::from(
        "| entry | faults | replicas | minimal depth | states | time (ms) | counterexample steps | property |\n|---|---|---|---|---|---|---|---|\n",
    );
    for entry in entries {
        let row = match minimal(entry.as_ref(), max_depth) {
            Ok(Some(f)) => format!(
                "| `{}` | {} | {} | {} | {} | {:.1} | {} | {} |",
                entry.name(),
                f.faults,
                f.replicas,
                f.depth,
                f.states,
                f.elapsed.as_secs_f64() * 1000.0,
                f.length,
                f.property
            ),
            Err(e) => format!(
                "| `{}` | - | - | not explored: {} | - | - | - | - |",
                entry.name(),
                e.to_string().replace('|', "\\|")
            ),
            Ok(None) => format!(
                "| `{}` | - | - | not found within {} replicas, depth {max_depth} | - | - | - | - |",
                entry.name(),
                REPLICAS[REPLICAS.len() - 1]
            ),
        };
        out.push_str(&row);
        out.push('\n');
    }
    out
}
