//! The report schema, version 1.
//!
//! A [`Report`] is one JSON document. Its parts, from the top:
//!
//! | field | type | what it holds |
//! |---|---|---|
//! | `schema_version` | integer | [`SCHEMA_VERSION`]; any other value is refused when reading |
//! | `invocations` | list of [`Invocation`] | each run that contributed: tool, machine, command, seed, shard, time, `complete` |
//! | `models` | object: model name → [`ModelReport`] | per model: `flavour`, `laws`, `runs` |
//! | `models.*.laws` | object: law name → [`LawResult`] | `formula`, `verdict`, `cases`, `premise`, `duration_us`, `seed`, and a `counterexample` when failed or a `reason` when skipped |
//! | `models.*.runs` | list of `{config, shards}` | harness runs keyed by [`RunConfig`]; `shards` maps a shard index to a [`ShardResult`] |
//! | `...shards.*.findings` | list of [`Finding`] | property broken, seeds, shrinking, the minimal schedule as [`Event`]s, final values |
//! | `...shards.*.sync` | [`SyncTotals`], optional | sync flavour only: the protocol's messages and bytes summed over the passing schedules, in their steps and in the final sync; absent in older reports |
//!
//! Conventions: durations are integers in microseconds (`duration_us`), metric times in
//! nanoseconds (`merge_ns`), sizes in bytes; replicas are indices `0, 1, 2, ...` that print as
//! `A, B, C, ...`; values of the checked CRDT appear as their `Debug` text. Optional fields are
//! left out when empty. Every collection is sorted (maps by key, sets by value), so equal
//! reports serialize to equal text.
//!
//! A complete report, the one [`example_report`](crate::example_report) builds, is kept in
//! `reports/schema/example.json` (a test checks that it is current).
//!
//! # Example
//!
//! A run of two models on one machine: `g_counter` passes its laws (one of them vacuously) and
//! its schedules; `lww_no_tiebreak` fails `join_commutative` and does not converge.
//!
//! ```
//! let json = r#"{
//!   "schema_version": 1,
//!   "invocations": [{
//!     "tool": {"name": "crdt-harness", "version": "0.1.0"},
//!     "environment": {"os": "linux", "arch": "x86_64", "cpus": 2,
//!                     "crate_versions": {"crdt-impls": "0.1.0"}},
//!     "run": {"command": ["crdt-harness", "check", "all"], "seed": 42, "threads": 2,
//!             "shard": {"index": 0, "count": 1}, "started_at": "2025-01-31T12:00:00Z",
//!             "duration_us": 2500000, "complete": true}
//!   }],
//!   "models": {
//!     "g_counter": {
//!       "flavour": "state_based",
//!       "laws": {
//!         "join_commutative": {"formula": "a ⊔ b = b ⊔ a", "verdict": "passed",
//!                              "cases": 256, "duration_us": 900},
//!         "leq_antisymmetric": {"formula": "a ≤ b ∧ b ≤ a ⇒ a = b", "verdict": "vacuous",
//!                               "cases": 256, "premise": {"hits": 3, "threshold": 10},
//!                               "duration_us": 1100}
//!       },
//!       "runs": [{
//!         "config": {"seed": 42, "replicas": 3, "steps_per_schedule": 50,
//!                    "faults": ["drop", "duplicate"], "shards": 1, "oracles": ["convergence"]},
//!         "shards": {"0": {"threads": 2, "schedules": 1000, "steps": 50000,
//!                          "duration_us": 800000, "complete": true, "findings": []}}
//!       }]
//!     },
//!     "lww_no_tiebreak": {
//!       "flavour": "state_based",
//!       "laws": {
//!         "join_commutative": {
//!           "formula": "a ⊔ b = b ⊔ a", "verdict": "failed", "cases": 12, "duration_us": 300,
//!           "counterexample": {
//!             "message": "a ⊔ b ≠ b ⊔ a",
//!             "inputs": [{"label": "a", "debug": "(1, 'x')"}, {"label": "b", "debug": "(1, 'y')"}],
//!             "sides": [{"label": "a ⊔ b", "debug": "(1, 'x')"}, {"label": "b ⊔ a", "debug": "(1, 'y')"}],
//!             "execution": ["A applies set('x')", "B applies set('y')"],
//!             "lattice": {"elements": [{"label": "a", "debug": "(1, 'x')"},
//!                                      {"label": "b", "debug": "(1, 'y')"}],
//!                         "leq": [[0, 1], [1, 0]]}
//!           }
//!         }
//!       },
//!       "runs": [{
//!         "config": {"seed": 42, "replicas": 2, "steps_per_schedule": 50, "shards": 1},
//!         "shards": {"0": {"threads": 2, "schedules": 17, "steps": 850, "duration_us": 9000,
//!                          "complete": true, "findings": [{
//!           "property": "convergence", "message": "A shows 'x' while B shows 'y'",
//!           "seed": 9017, "schedule_index": 16, "original_steps": 50, "shrunk_steps": 6,
//!           "replicas": 2,
//!           "schedule": [
//!             {"kind": "update", "replica": 0, "label": "set('x')"},
//!             {"kind": "update", "replica": 1, "label": "set('y')"},
//!             {"kind": "send", "from": 0, "to": 1, "message_id": 1, "label": "state (1, 'x')"},
//!             {"kind": "send", "from": 1, "to": 0, "message_id": 2, "label": "state (1, 'y')"},
//!             {"kind": "deliver", "to": 1, "message_id": 1},
//!             {"kind": "deliver", "to": 0, "message_id": 2}
//!           ],
//!           "final_values": ["'y'", "'x'"],
//!           "diverging": [0, 1]
//!         }]}}
//!       }]
//!     }
//!   }
//! }"#;
//! let report = crdt_reports::Report::from_json(json)?;
//! let summary = report.summary();
//! assert_eq!((summary.laws.passed, summary.laws.vacuous, summary.laws.failed), (1, 1, 1));
//! assert_eq!((summary.schedules, summary.findings), (1017, 1));
//! assert!(!summary.passed());
//! # Ok::<(), crdt_reports::Error>(())
//! ```

mod finding;
mod harness;
mod invocation;
mod law;
mod sync;
mod version;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

pub use finding::{Event, Finding, Property};
pub use harness::{Fault, HarnessRun, RunConfig, Sample, ShardResult};
pub(crate) use harness::{as_list, per_second};
pub use invocation::{Environment, Invocation, RunMeta, Shard, Tool, rfc3339};
pub use law::{Counterexample, Lattice, LawResult, Outcome, Premise, Term};
pub use sync::SyncTotals;
pub use version::{SCHEMA_VERSION, SchemaVersion};

use crate::merge::JoinEntry;

/// Everything a verification run produced: the top of the schema.
///
/// [`Report::default`] is the empty report, the identity of [`Report::merge`].
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`] in JSON.
    pub schema_version: SchemaVersion,
    /// The runs that contributed: one for a single run, one per shard (at least) when merged.
    #[serde(default)]
    pub invocations: BTreeSet<Invocation>,
    /// Results per model, keyed by model name (e.g. `or_set`).
    #[serde(default)]
    pub models: BTreeMap<String, ModelReport>,
}

impl Report {
    /// A report of one run, with no results yet.
    #[must_use]
    pub fn new(invocation: Invocation) -> Self {
        Self {
            invocations: BTreeSet::from([invocation]),
            ..Self::default()
        }
    }

    /// Adds a model's results, merging them with any already there under that name.
    #[must_use]
    pub fn with_model(mut self, name: impl Into<String>, model: ModelReport) -> Self {
        self.models.join_entry(name.into(), model);
        self
    }

    /// True when every invocation ran to the end and every harness run has all its shards, each
    /// complete.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.invocations.iter().all(|i| i.run.complete)
            && self.models.values().all(|model| {
                model
                    .runs
                    .iter()
                    .all(|(config, run)| run.is_complete(config))
            })
    }

    /// True when a run that contributed stopped before its end (Ctrl-C, a hang): an invocation
    /// or a shard present is marked incomplete. A shard that finished, merged without its sibling
    /// shards, is not interrupted; [`Report::is_complete`] is false for it all the same.
    #[must_use]
    pub fn is_interrupted(&self) -> bool {
        self.invocations.iter().any(|i| !i.run.complete)
            || self
                .models
                .values()
                .flat_map(|model| model.runs.values())
                .flat_map(|run| run.shards.values())
                .any(|shard| !shard.complete)
    }

    /// How many shards of the run are here, and how many there are: `(1, 2)` for shard 1/2 alone,
    /// `(n, n)` for a run not split or all of its shards merged.
    #[must_use]
    pub fn shards_present(&self) -> (u32, u32) {
        let count = self
            .invocations
            .iter()
            .map(|i| i.run.shard.count)
            .max()
            .unwrap_or(1)
            .max(1);
        let present: std::collections::BTreeSet<u32> = self
            .invocations
            .iter()
            .filter(|i| i.run.shard.count == count)
            .map(|i| i.run.shard.index)
            .collect();
        (u32::try_from(present.len()).unwrap_or(u32::MAX), count)
    }
}

/// One model's results: its law verdicts and its harness runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ModelReport {
    /// How the model replicates.
    pub flavour: Flavour,
    /// Law results, keyed by law name (e.g. `join_commutative`).
    #[serde(default)]
    pub laws: BTreeMap<String, LawResult>,
    /// Harness runs, keyed by their configuration. In JSON a list of `{"config", "shards"}`.
    #[serde(default, with = "as_list")]
    pub runs: BTreeMap<RunConfig, HarnessRun>,
}

impl ModelReport {
    /// An empty report for a model of this flavour.
    #[must_use]
    pub fn new(flavour: Flavour) -> Self {
        Self {
            flavour,
            ..Self::default()
        }
    }

    /// Adds a law result, keeping the more severe one if the law is already there.
    #[must_use]
    pub fn with_law(mut self, name: impl Into<String>, law: LawResult) -> Self {
        self.laws.join_entry(name.into(), law);
        self
    }

    /// Adds a harness run, merging its shards with a run of the same configuration.
    #[must_use]
    pub fn with_run(mut self, config: RunConfig, run: HarnessRun) -> Self {
        self.runs.join_entry(config, run);
        self
    }
}

/// How a CRDT replicates.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Flavour {
    /// Replicas ship whole states and merge them with a join.
    #[default]
    StateBased,
    /// Replicas ship deltas: small states that carry just a change.
    DeltaState,
    /// Replicas ship operations, which the network delivers as the model requires.
    OpBased,
    /// Replicas run their own sync protocol; the network only delivers its messages.
    Sync,
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StateBased => "state-based",
            Self::DeltaState => "delta-state",
            Self::OpBased => "op-based",
            Self::Sync => "sync",
        })
    }
}
