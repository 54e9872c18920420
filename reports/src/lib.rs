//! A versioned JSON schema for the results of CRDT verification runs, and its renderers:
//! terminal, Markdown, JUnit XML and self-contained HTML with SVG diagrams.
//!
//! This crate depends on no checker code: the law runner (`crdt-laws`) and the harness
//! (`crdt-harness`) fill in a [`Report`]; this crate stores, merges and draws it.
//!
//! ```
//! use crdt_reports::{Flavour, Format, Invocation, LawResult, ModelReport, Report};
//!
//! let law = LawResult { formula: "a ⊔ b = b ⊔ a".into(), cases: 256, ..LawResult::default() };
//! let report = Report::new(Invocation::default())
//!     .with_model("g_set", ModelReport::new(Flavour::StateBased).with_law("join_commutative", law));
//!
//! // JSON is the interchange format: it round-trips, and shard reports merge.
//! let json = report.to_json();
//! let mut merged = Report::from_json(&json)?;
//! merged.merge(report.clone());
//! assert_eq!(merged, report);
//!
//! // Renderers turn it into text for people and CI systems.
//! let table = crdt_reports::render(&report, Format::Terminal { colour: false });
//! assert!(table.contains("g_set"));
//! let dir = std::env::temp_dir().join(format!("crdt-reports-example-{}", std::process::id()));
//! report.write(dir.join("report.html"), Format::Html)?;
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), crdt_reports::Error>(())
//! ```
//!
//! The schema, with a complete example, is documented in [`schema`]; merging in [`merge`].
//!
//! # What each renderer shows
//! - [`terminal`]: a header line (tool, seed, threads, shards, time, completeness), one row per
//!   model (law verdict counts, schedules, steps, throughput, findings, status), then one short
//!   block per failed law (formula, inputs, the two sides) and per finding (the story, the replay
//!   file), a line per vacuous law, and one line for all skipped laws ([`terminal_verbose`]
//!   gives each with its reason).
//! - [`markdown`]: the same summary as a table, then per failure a section with the inputs, the
//!   sides, the execution, the story and the minimal schedule (folded in `<details>`).
//! - [`junit`]: one `<testsuite>` per model; one `<testcase>` per law and per harness oracle;
//!   failures carry the counterexample, vacuous and skipped laws are `<skipped>`.
//! - [`html`]: one self-contained page (inline CSS and SVG, no scripts, no external assets) with
//!   the summary, law tables, per failed law a Hasse diagram of the states involved, per finding
//!   a space-time diagram of the minimal schedule and its story, and charts of state size and
//!   merge time against steps where the run measured them.
#![deny(missing_docs)]

mod error;
mod example;
mod io;
pub mod merge;
mod render;
pub mod schema;
mod summary;

pub use error::Error;
pub use example::example_report;
pub use io::{default_output_dir, default_output_path, write_atomic};
pub use render::story::story;
pub use render::{
    Format, colour_wanted, colour_wanted_with, hasse_svg, html, junit, markdown, render,
    spacetime_svg, terminal, terminal_verbose,
};
pub use schema::{
    Counterexample, Environment, Event, Fault, Finding, Flavour, HarnessRun, Invocation, Lattice,
    LawResult, ModelReport, Outcome, Premise, Property, Report, RunConfig, RunMeta, SCHEMA_VERSION,
    Sample, SchemaVersion, Shard, ShardResult, SyncTotals, Term, Tool, rfc3339,
};
pub use summary::{LawCounts, Status, Summary};
