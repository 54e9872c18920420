//! The results of running randomized schedules against one model.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Finding, Property, SyncTotals};

/// What identifies a harness run: the same configuration and seed on any machine, split into any
/// shards, is one run. [`ModelReport::runs`](crate::ModelReport::runs) is keyed by it.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RunConfig {
    /// The run's base seed.
    pub seed: u64,
    /// Replicas per schedule.
    pub replicas: u32,
    /// Steps per generated schedule.
    pub steps_per_schedule: u32,
    /// Network and process faults the schedules may contain.
    #[serde(default)]
    pub faults: BTreeSet<Fault>,
    /// How many shards the seed space was split into (1: not split).
    pub shards: u32,
    /// The oracles checked, so that a property with no finding shows as passed.
    #[serde(default)]
    pub oracles: BTreeSet<Property>,
}

impl fmt::Display for RunConfig {
    /// A one-line description: `3 replicas × 50 steps, faults drop+duplicate, seed 42`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} × {} {}, ",
            self.replicas,
            if self.replicas == 1 {
                "replica"
            } else {
                "replicas"
            },
            self.steps_per_schedule,
            if self.steps_per_schedule == 1 {
                "step"
            } else {
                "steps"
            },
        )?;
        if self.faults.is_empty() {
            f.write_str("no faults")?;
        } else {
            f.write_str("faults ")?;
            for (i, fault) in self.faults.iter().enumerate() {
                if i > 0 {
                    f.write_str("+")?;
                }
                f.write_str(fault.name())?;
            }
        }
        write!(f, ", seed {}", self.seed)?;
        if self.shards > 1 {
            write!(f, ", {} shards", self.shards)?;
        }
        Ok(())
    }
}

/// A fault the harness may inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Messages may be lost.
    Drop,
    /// Messages may arrive more than once.
    Duplicate,
    /// Messages may arrive out of order (beyond what the model's delivery allows).
    Reorder,
    /// The network may split into groups.
    Partition,
    /// Replicas may crash and restart from their last snapshot.
    Crash,
    /// Replicas' physical clocks may jump and drift.
    ClockSkew,
}

impl Fault {
    /// The snake_case name, as in JSON.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Drop => "drop",
            Self::Duplicate => "duplicate",
            Self::Reorder => "reorder",
            Self::Partition => "partition",
            Self::Crash => "crash",
            Self::ClockSkew => "clock_skew",
        }
    }
}

/// One harness run: its shards' results, keyed by shard index (`0..RunConfig::shards`).
///
/// Totals are sums over the shards, so merging reports that hold the same shard twice does not
/// count it twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HarnessRun {
    /// Each shard's result.
    pub shards: BTreeMap<u32, ShardResult>,
}

impl HarnessRun {
    /// A run of one shard.
    #[must_use]
    pub fn single(index: u32, result: ShardResult) -> Self {
        Self {
            shards: BTreeMap::from([(index, result)]),
        }
    }

    /// Schedules run, over all shards.
    #[must_use]
    pub fn schedules(&self) -> u64 {
        self.shards.values().map(|s| s.schedules).sum()
    }

    /// Steps executed, over all shards.
    #[must_use]
    pub fn steps(&self) -> u64 {
        self.shards.values().map(|s| s.steps).sum()
    }

    /// Machine time: the shards' durations added up, in microseconds.
    #[must_use]
    pub fn duration_us(&self) -> u64 {
        self.shards.values().map(|s| s.duration_us).sum()
    }

    /// Schedules per second of machine time, or `None` when no time was measured. Split into
    /// shards, a run reports the same throughput as on one machine with the same threads.
    #[must_use]
    pub fn throughput(&self) -> Option<f64> {
        per_second(self.schedules(), self.duration_us())
    }

    /// The findings of every shard, in shard order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.shards.values().flat_map(|s| &s.findings)
    }

    /// What the model's own sync protocol cost, over all shards; `None` unless a shard
    /// recorded it (runs of the sync flavour).
    #[must_use]
    pub fn sync(&self) -> Option<SyncTotals> {
        self.shards
            .values()
            .filter_map(|s| s.sync.as_ref())
            .fold(None, |total, shard| {
                let mut total: SyncTotals = total.unwrap_or_default();
                total.add(shard);
                Some(total)
            })
    }

    /// The metric samples of every shard.
    pub fn samples(&self) -> impl Iterator<Item = &Sample> {
        self.shards.values().flat_map(|s| &s.metrics)
    }

    /// True when every shard `0..shards` is present and complete.
    #[must_use]
    pub fn is_complete(&self, config: &RunConfig) -> bool {
        (0..config.shards).all(|i| self.shards.get(&i).is_some_and(|s| s.complete))
    }
}

/// What one shard of a harness run did.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ShardResult {
    /// Worker threads used.
    pub threads: u32,
    /// Schedules run.
    pub schedules: u64,
    /// Steps executed, over all schedules.
    pub steps: u64,
    /// Time spent, in microseconds.
    pub duration_us: u64,
    /// False when the shard was interrupted before its budget was spent.
    pub complete: bool,
    /// Measurements taken during the run, for charts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Sample>,
    /// Properties broken, each with its minimal schedule.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// What the model's own sync protocol cost (runs of the sync flavour only; absent in
    /// reports written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncTotals>,
}

impl ShardResult {
    /// Schedules per second, or `None` when no time was measured.
    #[must_use]
    pub fn throughput(&self) -> Option<f64> {
        per_second(self.schedules, self.duration_us)
    }
}

/// One measurement at a step of a schedule.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Sample {
    /// The step's index in its schedule.
    pub step: u64,
    /// The size of a replica's serialized state, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_bytes: Option<u64>,
    /// The time one merge took, in nanoseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_ns: Option<u64>,
}

pub(crate) fn per_second(count: u64, duration_us: u64) -> Option<f64> {
    (duration_us > 0).then(|| count as f64 * 1e6 / duration_us as f64)
}

/// Serializes [`ModelReport::runs`](crate::ModelReport::runs) as a JSON list of
/// `{"config": ..., "shards": ...}` (a JSON object cannot have a structured key), and reads it
/// back joining entries with equal configurations.
pub(crate) mod as_list {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{HarnessRun, RunConfig, ShardResult};
    use crate::merge::JoinEntry;

    #[derive(Serialize)]
    struct Entry<'a> {
        config: &'a RunConfig,
        shards: &'a BTreeMap<u32, ShardResult>,
    }

    #[derive(Deserialize)]
    struct OwnedEntry {
        config: RunConfig,
        shards: BTreeMap<u32, ShardResult>,
    }

    pub(crate) fn serialize<S: Serializer>(
        runs: &BTreeMap<RunConfig, HarnessRun>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(runs.iter().map(|(config, run)| Entry {
            config,
            shards: &run.shards,
        }))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<RunConfig, HarnessRun>, D::Error> {
        let mut runs = BTreeMap::new();
        for entry in Vec::<OwnedEntry>::deserialize(deserializer)? {
            let run = HarnessRun {
                shards: entry.shards,
            };
            runs.join_entry(entry.config, run);
        }
        Ok(runs)
    }
}
