//! Where a report came from: the tool, the machine and the command that produced it.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// One run of a tool that contributed to a report: a single-machine run has one, a report merged
/// from `n` shards has (at least) `n`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Invocation {
    /// The program that wrote the report.
    pub tool: Tool,
    /// The machine it ran on.
    pub environment: Environment,
    /// How it was run.
    pub run: RunMeta,
}

/// The program that wrote a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Tool {
    /// Its name, e.g. `crdt-harness`.
    pub name: String,
    /// Its version, e.g. `0.1.0`.
    pub version: String,
}

/// The machine a run happened on.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Environment {
    /// The operating system, as `std::env::consts::OS` names it (`linux`, `macos`, ...).
    pub os: String,
    /// The CPU architecture, as `std::env::consts::ARCH` names it (`x86_64`, `aarch64`, ...).
    pub arch: String,
    /// The number of CPUs available to the run.
    pub cpus: u32,
    /// Versions of the crates that matter to the result: the checker's and the checked ones'.
    #[serde(default)]
    pub crate_versions: BTreeMap<String, String>,
}

impl Environment {
    /// The current machine, with the given crate versions.
    ///
    /// ```
    /// let env = crdt_reports::Environment::current([("crdt-reports", env!("CARGO_PKG_VERSION"))]);
    /// assert_eq!(env.os, std::env::consts::OS);
    /// assert!(env.cpus >= 1);
    /// assert_eq!(env.crate_versions["crdt-reports"], env!("CARGO_PKG_VERSION"));
    /// ```
    #[must_use]
    pub fn current<'a>(crate_versions: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            os: std::env::consts::OS.to_owned(),
            arch: std::env::consts::ARCH.to_owned(),
            cpus: std::thread::available_parallelism()
                .map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX)),
            crate_versions: crate_versions
                .into_iter()
                .map(|(name, version)| (name.to_owned(), version.to_owned()))
                .collect(),
        }
    }
}

/// How a run was started, and whether it finished.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RunMeta {
    /// The command line, one argument per element.
    pub command: Vec<String>,
    /// The run's base seed.
    pub seed: u64,
    /// Worker threads used.
    pub threads: u32,
    /// Which part of the seed space this run covered.
    pub shard: Shard,
    /// When the run started, in RFC 3339 (UTC), e.g. `2025-01-31T12:00:00Z`; see [`rfc3339`].
    pub started_at: String,
    /// Wall-clock time of the whole run, in microseconds.
    pub duration_us: u64,
    /// False when the run was interrupted (Ctrl-C, a time limit) and wrote what it had.
    pub complete: bool,
}

/// A deterministic part of a run's seed space: shard `index` of `count`, counted from 0.
///
/// It prints counted from 1, as command lines spell it: the first of four shards is `1/4`.
///
/// ```
/// use crdt_reports::Shard;
/// assert_eq!(Shard { index: 0, count: 4 }.to_string(), "1/4");
/// assert_eq!(Shard::default().to_string(), "1/1");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// This shard, in `0..count`.
    pub index: u32,
    /// How many shards the run was split into; 1 for an unsplit run.
    pub count: u32,
}

impl Default for Shard {
    /// The whole run: shard 0 of 1.
    fn default() -> Self {
        Self { index: 0, count: 1 }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", u64::from(self.index) + 1, self.count)
    }
}

/// A time in RFC 3339 (UTC, whole seconds), the format of [`RunMeta::started_at`].
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(crdt_reports::rfc3339(t), "2023-11-14T22:13:20Z");
/// ```
#[must_use]
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}
