//! Many schedules, in parallel and deterministically.
//!
//! Schedule number `i` of a run is generated from its own seed, derived from the run's seed and
//! `i`, so it is the same schedule whichever thread runs it, on whichever machine; so is its
//! shape, when the [`Shape`] lets each schedule draw its own (swarm testing). Schedules run
//! in fixed-size batches across rayon's threads; after each batch the failures found are taken
//! in index order, so the first failure (and its shrunk counterexample) is the same with one
//! thread or many. With `--shard k/n` a run takes the schedules whose index is `k - 1` modulo
//! `n`: shards are disjoint, and together they are exactly the single-machine run.

use std::collections::BTreeMap;
use std::fmt::{self, Display};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crdt_laws::{Flavour, Model, ReplicaId, seed};
use proptest::strategy::{BoxedStrategy, Strategy};
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::protocol::Protocol;
use crate::schedule::{Schedule, Shape, schedules};
use crate::shrink::{ShrinkStats, shrink};
use crate::sim::{Event, Finding, Limits, Outcome, Property, RunConfig, run};

/// Schedules per batch: fixed, so the set of schedules run before stopping at a failure does
/// not depend on the number of threads.
pub const BATCH: u64 = 64;

/// A deterministic part of the seed space: schedules whose index is `index` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shard {
    /// This shard, counting from 0.
    pub index: u32,
    /// How many shards the run is split into.
    pub count: u32,
}

impl Shard {
    /// The whole run: one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// True when schedule `i` belongs to this shard.
    #[must_use]
    pub fn owns(self, i: u64) -> bool {
        i % u64::from(self.count) == u64::from(self.index)
    }
}

impl Default for Shard {
    fn default() -> Self {
        Shard::WHOLE
    }
}

impl FromStr for Shard {
    type Err = Error;

    /// Parses `k/n`, with `k` counting from 1 as users write it.
    ///
    /// ```
    /// use crdt_harness::runner::Shard;
    /// let shard: Shard = "2/8".parse().unwrap();
    /// assert_eq!(shard, Shard { index: 1, count: 8 });
    /// assert_eq!(shard.to_string(), "2/8");
    /// assert!("0/8".parse::<Shard>().is_err());
    /// assert!("9/8".parse::<Shard>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Shard, Error> {
        let bad = || Error::InvalidShard(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard {
            index: k - 1,
            count: n,
        })
    }
}

impl Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index + 1, self.count)
    }
}

/// Parses a duration such as `500ms`, `30s`, `5m` or `1h`.
///
/// # Errors
/// [`Error::InvalidDuration`] for anything else.
///
/// ```
/// use crdt_harness::runner::parse_duration;
/// use std::time::Duration;
/// assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
/// assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
/// assert!(parse_duration("soon").is_err());
/// ```
pub fn parse_duration(s: &str) -> Result<Duration, Error> {
    let bad = || Error::InvalidDuration(s.to_string());
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = s.split_at(split);
    let n: u64 = number.parse().map_err(|_| bad())?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(bad()),
    }
}

/// How a run searches.
#[derive(Clone, Debug)]
pub struct Options {
    /// What schedules look like. The default fixes nothing: each schedule draws its replicas,
    /// length and faults from its seed (see [`Shape`]).
    pub shape: Shape,
    /// The run's seed.
    pub seed: u64,
    /// How many schedules (across all shards); `None` with a time budget runs until time is up.
    pub schedules: Option<u64>,
    /// A time budget.
    pub time: Option<Duration>,
    /// Worker threads (`None`: rayon's default, one per core).
    pub threads: Option<usize>,
    /// The part of the seed space to run.
    pub shard: Shard,
    /// Go on after the first failure (shrinking the first failure of each property).
    pub keep_going: bool,
    /// Limits that turn misbehaviour into findings.
    pub limits: Limits,
    /// Record state size and merge time per step.
    pub measure: bool,
    /// The most schedules to run while shrinking one failure.
    pub max_shrink_attempts: u32,
    /// Incremented as schedules finish, for progress bars.
    pub progress: Option<Arc<AtomicU64>>,
    /// Set to stop early (Ctrl-C); the run returns what it has, marked incomplete.
    pub stop: Option<Arc<AtomicBool>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            shape: Shape::default(),
            seed: 0,
            schedules: Some(1000),
            time: None,
            threads: None,
            shard: Shard::WHOLE,
            keep_going: false,
            limits: Limits::default(),
            measure: false,
            max_shrink_attempts: 20_000,
            progress: None,
            stop: None,
        }
    }
}

/// A failing schedule, shrunk.
#[derive(Clone, Debug)]
pub struct Failure<Op> {
    /// The broken property, on the shrunk schedule.
    pub finding: Finding,
    /// The run's seed.
    pub seed: u64,
    /// The failing schedule's index in the run.
    pub schedule_index: u64,
    /// How many of this run's schedules it took to find the property broken: the failing
    /// schedule's position in the shard's order, counting it (`schedule_index + 1` for a whole
    /// run; 0 for a finding made before any schedule ran). The same with any number of threads.
    pub schedules_until_detection: u64,
    /// The schedule as generated.
    pub original: Schedule<Op>,
    /// The minimal schedule.
    pub shrunk: Schedule<Op>,
    /// What happened in the minimal schedule.
    pub events: Vec<Event>,
    /// The replicas' values at the end of the minimal schedule.
    pub values: Vec<(ReplicaId, String)>,
    /// What shrinking cost.
    pub shrink: ShrinkStats,
}

/// The mean of the per-step measurements over the schedules that reached a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanMeasurement {
    /// The step (1-based).
    pub step: usize,
    /// Mean `Debug` size of the state that changed, in bytes.
    pub state_bytes: f64,
    /// Mean time in merge or effect, in nanoseconds.
    pub merge_nanos: f64,
    /// How many measurements were averaged.
    pub samples: u64,
}

/// What a run found.
#[derive(Clone, Debug)]
pub struct Summary<Op> {
    /// The model's name.
    pub model: String,
    /// Its flavour.
    pub flavour: Flavour,
    /// The options' seed, shape and shard.
    pub seed: u64,
    /// What schedules looked like.
    pub shape: Shape,
    /// The part of the seed space run.
    pub shard: Shard,
    /// Threads used.
    pub threads: usize,
    /// Schedules run (not counting shrinking).
    pub schedules: u64,
    /// Steps in those schedules.
    pub steps: u64,
    /// Wall-clock time.
    pub duration: Duration,
    /// Shrunk failures: the first one, or with `keep_going` the first of each property.
    pub failures: Vec<Failure<Op>>,
    /// Failing schedules beyond those shrunk.
    pub more_failures: u64,
    /// Mean measurements per step, when asked for.
    pub measurements: Vec<MeanMeasurement>,
    /// False when the run was stopped before its budget.
    pub complete: bool,
}

impl<Op> Summary<Op> {
    /// True when no schedule broke a property.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// Schedules per second.
    #[must_use]
    pub fn throughput(&self) -> f64 {
        self.schedules as f64 / self.duration.as_secs_f64().max(1e-9)
    }
}

impl<Op: fmt::Debug> Display for Summary<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}): {} schedules of {}, seed {}, shard {}: \
             {} in {:.2?} ({:.0} schedules/s, {} threads)",
            self.model,
            self.flavour,
            self.schedules,
            self.shape,
            self.seed,
            self.shard,
            if self.passed() { "passed" } else { "FAILED" },
            self.duration,
            self.throughput(),
            self.threads,
        )?;
        for failure in &self.failures {
            writeln!(
                f,
                "  {} (schedule {}, found after {} schedules, {} steps shrunk to {}):",
                failure.finding.property,
                failure.schedule_index,
                failure.schedules_until_detection,
                failure.shrink.steps_before,
                failure.shrink.steps_after
            )?;
            writeln!(
                f,
                "    {}",
                failure.finding.to_string().replace('\n', "\n    ")
            )?;
            writeln!(
                f,
                "    minimal schedule ({} replicas):",
                failure.shrunk.replicas
            )?;
            for (k, step) in failure.shrunk.steps.iter().enumerate() {
                writeln!(f, "      {}. {step}", k + 1)?;
            }
        }
        if self.more_failures > 0 {
            writeln!(f, "  and {} more failing schedule(s)", self.more_failures)?;
        }
        Ok(())
    }
}

/// The schedule of index `i`: its value tree, from its own seed.
fn tree_for<Op: Clone + fmt::Debug + 'static>(
    strategy: &BoxedStrategy<Schedule<Op>>,
    base: u64,
    i: u64,
) -> Box<dyn proptest::strategy::ValueTree<Value = Schedule<Op>>> {
    let mut runner =
        TestRunner::new_with_rng(ProptestConfig::default(), seed::rng(seed::derive(base, i)));
    strategy
        .new_tree(&mut runner)
        .expect("schedule strategies never reject")
}

struct Ran {
    index: u64,
    steps: usize,
    finding: Option<Property>,
    measurements: Vec<crate::sim::Measurement>,
}

/// Runs schedules on `protocol` as `options` say.
///
/// # Panics
/// If a thread pool cannot be built.
pub fn search<P: Protocol>(protocol: &P, options: &Options) -> Summary<<P::Model as Model>::Op>
where
    <P::Model as Model>::Op: 'static,
{
    let pool = {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(n) = options.threads {
            builder = builder.num_threads(n.max(1));
        }
        builder.build().expect("a rayon thread pool")
    };
    search_in_pool(protocol, options, &pool)
}

fn search_in_pool<P: Protocol>(
    protocol: &P,
    options: &Options,
    pool: &rayon::ThreadPool,
) -> Summary<<P::Model as Model>::Op>
where
    <P::Model as Model>::Op: 'static,
{
    let started = Instant::now();
    let model = protocol.model();
    let config = RunConfig {
        reorder: options.shape.reorder(),
        limits: options.limits,
        measure: options.measure,
    };
    let mut shape = options.shape;
    shape.sends = protocol.flavour() != Flavour::OpBased;
    let make_strategy = || schedules(shape, model.ops());
    let mut summary = Summary {
        model: model.name(),
        flavour: protocol.flavour(),
        seed: options.seed,
        shape,
        shard: options.shard,
        threads: pool.current_num_threads(),
        schedules: 0,
        steps: 0,
        duration: Duration::ZERO,
        failures: Vec::new(),
        more_failures: 0,
        measurements: Vec::new(),
        complete: true,
    };
    // The model's operation strategy is built on every worker; a model that panics building it
    // is a finding, reported once, without a schedule.
    if let Err(panic) = crdt_laws::contain::catch_panic(|| model.ops()) {
        let empty = Schedule {
            replicas: 0,
            late: Vec::new(),
            steps: Vec::new(),
        };
        summary.failures.push(Failure {
            finding: Finding {
                property: Property::Panic,
                step: Some(0),
                message: format!("the model {panic} while building its operation strategy"),
                replicas: Vec::new(),
                values: Vec::new(),
            },
            seed: options.seed,
            schedule_index: 0,
            schedules_until_detection: 0,
            original: empty.clone(),
            shrunk: empty,
            events: Vec::new(),
            values: Vec::new(),
            shrink: ShrinkStats::default(),
        });
        summary.duration = started.elapsed();
        return summary;
    }
    let mut sums: BTreeMap<usize, (f64, f64, u64)> = BTreeMap::new();
    let mut next = u64::from(options.shard.index);
    let stride = u64::from(options.shard.count.max(1));
    let limit = options.schedules.unwrap_or(if options.time.is_some() {
        u64::MAX
    } else {
        1000
    });
    let stopped = || {
        options
            .stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
    };
    'batches: while next < limit {
        if options.time.is_some_and(|t| started.elapsed() >= t) {
            break;
        }
        if stopped() {
            summary.complete = false;
            break;
        }
        let batch: Vec<u64> = (0..BATCH)
            .map(|k| next + k * stride)
            .take_while(|&i| i < limit)
            .collect();
        next += BATCH * stride;
        let ran: Vec<Ran> = pool.install(|| {
            batch
                .par_iter()
                .map_init(make_strategy, |strategy, &index| {
                    let schedule = tree_for(strategy, options.seed, index).current();
                    let outcome = run(protocol, &schedule, config);
                    if let Some(progress) = &options.progress {
                        progress.fetch_add(1, Ordering::Relaxed);
                    }
                    Ran {
                        index,
                        steps: schedule.steps.len(),
                        finding: outcome.finding.map(|f| f.property),
                        measurements: outcome.stats.measurements,
                    }
                })
                .collect()
        });
        for r in &ran {
            summary.schedules += 1;
            summary.steps += r.steps as u64;
            for m in &r.measurements {
                let entry = sums.entry(m.step).or_default();
                entry.0 += m.state_bytes as f64;
                entry.1 += m.merge_nanos as f64;
                entry.2 += 1;
            }
        }
        for r in ran.iter().filter(|r| r.finding.is_some()) {
            let property = r.finding.expect("filtered");
            let already = summary
                .failures
                .iter()
                .any(|f| f.finding.property == property);
            if already || (!options.keep_going && !summary.failures.is_empty()) {
                summary.more_failures += 1;
                continue;
            }
            summary.failures.push(shrink_failure(
                protocol,
                &make_strategy(),
                options,
                config,
                r.index,
                property,
            ));
            if !options.keep_going {
                // The rest of this batch ran too; count its failures, then stop.
                continue;
            }
        }
        if !options.keep_going && !summary.failures.is_empty() {
            break 'batches;
        }
    }
    summary.measurements = sums
        .into_iter()
        .map(|(step, (bytes, nanos, n))| MeanMeasurement {
            step,
            state_bytes: bytes / n as f64,
            merge_nanos: nanos / n as f64,
            samples: n,
        })
        .collect();
    summary.duration = started.elapsed();
    summary
}

fn shrink_failure<P: Protocol>(
    protocol: &P,
    strategy: &BoxedStrategy<Schedule<<P::Model as Model>::Op>>,
    options: &Options,
    config: RunConfig,
    index: u64,
    property: Property,
) -> Failure<<P::Model as Model>::Op>
where
    <P::Model as Model>::Op: 'static,
{
    let tree = tree_for(strategy, options.seed, index);
    let original = tree.current();
    let fails = |s: &Schedule<_>| -> Option<Outcome> {
        if s.validate().is_err() {
            return None;
        }
        let outcome = run(protocol, s, config);
        (outcome.finding.as_ref().map(|f| f.property) == Some(property)).then_some(outcome)
    };
    let (shrunk, outcome, stats) = shrink(tree, &fails, options.max_shrink_attempts);
    Failure {
        finding: outcome.finding.expect("the shrunk schedule fails"),
        seed: options.seed,
        schedule_index: index,
        schedules_until_detection: index / u64::from(options.shard.count.max(1)) + 1,
        original,
        shrunk,
        events: outcome.events,
        values: outcome.values,
        shrink: stats,
    }
}

/// Why [`guarded`] gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hung {
    /// How long the work had gone without progress.
    pub silent_for: Duration,
}

/// Runs `work` on its own thread and waits for it, giving up when `progress` (if any) has not
/// moved, or the work has not finished, for `timeout`.
///
/// A call into a model that never returns cannot be interrupted from safe Rust; this lets the
/// caller report the hang and exit instead of waiting forever. On [`Hung`] the thread is left
/// running: end the process soon after.
///
/// # Errors
/// [`Hung`] when the work went silent for `timeout`.
///
/// ```
/// use crdt_harness::runner::guarded;
/// use std::time::Duration;
/// assert_eq!(guarded(Duration::from_secs(5), None, || 6 * 7), Ok(42));
/// let hang = guarded(Duration::from_millis(50), None, || std::thread::sleep(Duration::from_secs(1)));
/// assert!(hang.is_err());
/// ```
pub fn guarded<T: Send + 'static>(
    timeout: Duration,
    progress: Option<Arc<AtomicU64>>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Hung> {
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    let mut last = progress.as_ref().map(|p| p.load(Ordering::Relaxed));
    let mut quiet_since = Instant::now();
    loop {
        match result.recv_timeout(Duration::from_millis(50).min(timeout)) {
            Ok(value) => return Ok(value),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                // The work panicked; report it as silence rather than hang forever.
                return Err(Hung {
                    silent_for: quiet_since.elapsed(),
                });
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        let now = progress.as_ref().map(|p| p.load(Ordering::Relaxed));
        if now != last {
            last = now;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() >= timeout {
            return Err(Hung {
                silent_for: quiet_since.elapsed(),
            });
        }
    }
}
