//! Many schedules, in parallel and deterministically.
//!
//! Schedule number `i` of a run is generated from its own seed, derived from the run's seed and
//! `i`, so it is the same schedule whichever thread runs it, on whichever machine; so is its
//! shape, when the [`Shape`] lets each schedule draw its own (swarm testing). Schedules run
//! in fixed-size batches ([`BATCH`]); each worker thread takes the next batch (or, when a run
//! has too few batches to keep every thread busy, the next piece of one) from a shared cursor
//! as soon as it is free, with no barrier between batches, and the results are taken in batch
//! order, so the first failure (and its shrunk counterexample) is the same with one thread or
//! many. With `--shard k/n` a run takes the schedules whose index is `k - 1` modulo
//! `n`: shards are disjoint, and together they are exactly the single-machine run.
//!
//! A run stops after the batch holding its first failure (unless `keep_going`), and reports the
//! first failure of each property found by then, shrunk (after the search), up to
//! [`Options::max_properties`].
//!
//! # Checkpoints
//! With [`Options::checkpoint`] a run hands its [`Progress`] to a callback now and then (after
//! a batch, at most once per interval); a run given that progress back in
//! [`Options::resume`] goes on from there, and ends with the summary an uninterrupted run
//! would have given (the duration aside).
//!
//! # Containment
//! Every call into the model runs inside the containment of [`crdt_laws::contain`]: a panic
//! anywhere (updates, merges, queries, specification, operation strategy, `Clone`, `Debug`,
//! while searching or shrinking) is a [`Property::Panic`] finding with its execution.
//! [`search_watched`] (behind [`Harness`](crate::Harness)) also runs every schedule under a
//! [`Watchdog`]: a call that does not return is a [`Property::StepTimeout`] finding, its thread
//! is abandoned and the run goes on.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt::{self, Display};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crdt_laws::contain::{Panic, Stopped, Watchdog, catch_panic, note};
use crdt_laws::{Flavour, Model, ReplicaId, seed};
use crdt_reports::SyncTotals;
use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde::{Deserialize, Serialize};

mod sweep;

use crate::Error;
use crate::protocol::Protocol;
use crate::schedule::{Generator, Schedule, Shape};
use crate::shrink::{ShrinkStats, shrink};
use crate::sim::{
    Event, Finding, Limits, Outcome, Property, QUIESCENCE_NOTE, RunConfig, run, run_steps,
    run_unrecorded,
};

/// Schedules per batch: fixed, so the set of schedules run before stopping at a failure does
/// not depend on the number of threads. A worker takes a whole batch at a time, or an equal
/// piece of one when the run is too short to give every worker several batches (16
/// schedules on two threads: 8 and 8, not 16 and 0).
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
    /// Go on after the batch of the first failure, to the end of the budget (shrinking the
    /// first failure of each property).
    pub keep_going: bool,
    /// The most distinct properties whose first failure is shrunk and reported (default 8);
    /// further failures are counted in [`Summary::more_failures`].
    pub max_properties: usize,
    /// While shrinking, the most candidates that may hang (each costs an abandoned thread and
    /// one and a half step budgets) before shrinking stops (default 3).
    pub max_stuck_shrinks: u32,
    /// In a batch under a watchdog, once this many schedules have hung (counting in index
    /// order), the later schedules of the batch are not run (default 4): each hang costs one
    /// and a half step budgets. Which schedules run stays the same with any number of threads.
    pub max_stuck_per_batch: usize,
    /// A run under a watchdog stops, marked incomplete, after the batch in which its search
    /// has abandoned this many stuck threads, counting batches in order (default 64): a model
    /// that hangs in every schedule would otherwise cost a thread and a budget per schedule.
    pub max_abandoned: usize,
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
    /// Where the run goes on from: a [`Progress`] a run of the same options handed to its
    /// checkpoint. Ignored (the run starts afresh) when it was made with other options.
    pub resume: Option<Progress>,
    /// Called with the run's [`Progress`] after a batch, at most once per interval.
    pub checkpoint: Option<Checkpoint>,
}

/// A callback that keeps a run's [`Progress`] (to a file, for a run that may be killed), and
/// how often to call it.
#[derive(Clone)]
pub struct Checkpoint {
    /// The least time between two calls.
    pub every: Duration,
    /// Keeps the progress.
    pub save: Arc<dyn Fn(&Progress) + Send + Sync>,
}

impl fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checkpoint")
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

/// How far a run has gone: everything its summary needs from the batches taken so far.
///
/// Hand it back in [`Options::resume`] to go on from there; the summary at the end is the
/// uninterrupted run's. The first failure of each property is kept as found, and shrunk again
/// at the end (shrinking is deterministic).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// What the options that made it say about which schedules run; a run with other options
    /// does not resume from it.
    pub run: String,
    /// Batches taken, from the first.
    pub batches: u64,
    /// Schedules run.
    pub schedules: u64,
    /// Steps in those schedules.
    pub steps: u64,
    /// Wall-clock time spent so far, in seconds.
    pub seconds: f64,
    /// The first failing schedule of each property, as found.
    pub found: Vec<Found>,
    /// Failing schedules beyond those.
    pub more_failures: u64,
    /// Schedules abandoned because they hung.
    pub abandoned: u64,
    /// Per step: the sums of state sizes and merge times, and how many were summed.
    pub sums: BTreeMap<usize, (f64, f64, u64)>,
    /// What the model's own sync protocol cost in the passing schedules (sync flavour only).
    #[serde(default)]
    pub sync: Option<SyncTotals>,
}

/// A failing schedule as the search found it, before shrinking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Found {
    /// Its index in the run.
    pub index: u64,
    /// Its steps.
    pub steps: usize,
    /// What broke.
    pub finding: Finding,
    /// False when no schedule could be generated (nothing to shrink).
    pub generated: bool,
    /// True when its run hung and was abandoned.
    pub stuck: bool,
}

impl Options {
    /// What these options say about which schedules run and what counts: runs that agree on
    /// it take the same schedules, so one may resume the other's [`Progress`].
    #[must_use]
    pub fn identity(&self) -> String {
        format!(
            "seed {} shape {:?} shard {} schedules {:?} keep_going {} max_properties {} \
             max_stuck_per_batch {} max_abandoned {} limits {:?} measure {}",
            self.seed,
            self.shape,
            self.shard,
            self.schedules,
            self.keep_going,
            self.max_properties,
            self.max_stuck_per_batch,
            self.max_abandoned,
            self.limits,
            self.measure
        )
    }
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
            max_properties: 8,
            max_stuck_shrinks: 3,
            max_stuck_per_batch: 4,
            max_abandoned: 64,
            limits: Limits::default(),
            measure: false,
            max_shrink_attempts: 20_000,
            progress: None,
            stop: None,
            resume: None,
            checkpoint: None,
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
    /// Shrunk failures, in the order found: the first failure of each property (up to
    /// [`Options::max_properties`]).
    pub failures: Vec<Failure<Op>>,
    /// Failing schedules beyond those shrunk.
    pub more_failures: u64,
    /// Mean measurements per step, when asked for.
    pub measurements: Vec<MeanMeasurement>,
    /// What the model's own sync protocol cost in the passing schedules (sync flavour only;
    /// [`SyncCost`](crate::sync::SyncCost) is one schedule's).
    pub sync: Option<SyncTotals>,
    /// False when the run was stopped before its budget.
    pub complete: bool,
}

impl<Op> Summary<Op> {
    /// True when no schedule broke a property.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    /// The first failure found (the lowest schedule index), if any.
    #[must_use]
    pub fn failure(&self) -> Option<&Failure<Op>> {
        self.failures.first()
    }

    /// The failure of `property`, if the run found one.
    #[must_use]
    pub fn failure_of(&self, property: Property) -> Option<&Failure<Op>> {
        self.failures
            .iter()
            .find(|f| f.finding.property == property)
    }

    /// The properties broken, in the order found.
    pub fn properties(&self) -> impl Iterator<Item = Property> + '_ {
        self.failures.iter().map(|f| f.finding.property)
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
        if let Some(t) = &self.sync {
            let per = |total| t.per_schedule(total).unwrap_or(0.0);
            writeln!(
                f,
                "  sync cost per passing schedule: {:.1} messages, {:.0} bytes; final sync {:.1} \
                 messages, {:.0} bytes in {:.2} rounds; state {:.0} bytes",
                per(t.messages),
                per(t.bytes),
                per(t.final_messages),
                per(t.final_bytes),
                per(t.final_rounds),
                per(t.state_bytes)
            )?;
        }
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
            let replicas = failure.shrunk.replicas;
            let noun = if replicas == 1 { "replica" } else { "replicas" };
            writeln!(f, "    minimal schedule ({replicas} {noun}):")?;
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

/// The configuration schedules are generated with: proptest's default without failure
/// persistence, which generation never consults but every choice of a union arm would clone
/// (a boxed value) into the runner it forks for that arm. The choices, and so the schedules,
/// are the same.
fn generating() -> ProptestConfig {
    static CONFIG: std::sync::LazyLock<ProptestConfig> =
        std::sync::LazyLock::new(|| ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        });
    CONFIG.clone()
}

/// The schedule of index `i`: its value tree, from its own seed.
fn tree_for<Op: Clone + fmt::Debug + 'static>(
    strategy: &BoxedStrategy<Schedule<Op>>,
    base: u64,
    i: u64,
) -> Box<dyn ValueTree<Value = Schedule<Op>>> {
    let mut runner = TestRunner::new_with_rng(generating(), seed::rng(seed::derive(base, i)));
    strategy
        .new_tree(&mut runner)
        .expect("schedule strategies never reject")
}

/// The schedule of index `i`, as the value tree of [`tree_for`] shows it first, without
/// building the tree.
fn generate<Op: Clone + fmt::Debug + 'static>(
    generator: &Generator<Op>,
    base: u64,
    i: u64,
) -> Schedule<Op> {
    let mut runner = TestRunner::new_with_rng(generating(), seed::rng(seed::derive(base, i)));
    generator
        .generate(&mut runner)
        .expect("schedule strategies never reject")
}

type Op<P> = <<P as Protocol>::Model as Model>::Op;
type Schedules<P> = Generator<Op<P>>;

/// Notes a watched schedule makes before the simulator's step notes, so that a schedule whose
/// thread is abandoned says where it was.
const NOTE_GENERATING: u64 = u64::MAX - 2;
const NOTE_STARTING: u64 = u64::MAX - 1;

/// The schedules' generator, built from the model's operation strategy (which may panic).
fn make_strategy<P: Protocol>(protocol: &P, shape: Shape) -> Result<Schedules<P>, Panic>
where
    Op<P>: 'static,
{
    catch_panic(|| Generator::new(shape, protocol.model().ops()))
}

/// What the search loop needs from one schedule.
#[derive(Clone)]
struct Ran {
    index: u64,
    steps: usize,
    finding: Option<Finding>,
    /// False when no schedule could be generated (the operation strategy panicked or hung):
    /// there is nothing to shrink or replay.
    generated: bool,
    /// True when the run was abandoned in a step: a call into the model never returned.
    stuck: bool,
    /// True when its thread was abandoned (in a step or before).
    abandoned: bool,
    measurements: Vec<crate::sim::Measurement>,
    /// A passing sync run's cost.
    sync: Option<SyncTotals>,
}

impl Ran {
    fn ungenerated(index: u64, finding: Finding) -> Ran {
        Ran {
            index,
            steps: 0,
            finding: Some(finding),
            generated: false,
            stuck: false,
            abandoned: false,
            measurements: Vec::new(),
            sync: None,
        }
    }

    /// The schedule as [`Progress`] keeps it (a failing one).
    fn found(&self) -> Option<Found> {
        Some(Found {
            index: self.index,
            steps: self.steps,
            finding: self.finding.clone()?,
            generated: self.generated,
            stuck: self.stuck,
        })
    }

    /// A schedule whose job did not return a value.
    fn stopped(index: u64, stopped: Stopped, limits: Limits) -> Ran {
        match stopped {
            Stopped::Panicked(panic) => Ran::ungenerated(
                index,
                panic_finding(format!("the model {panic} while a schedule ran")),
            ),
            Stopped::Stuck { silent_for, note } => {
                let finding = stuck_finding(silent_for, note, limits);
                let generated = note.is_some_and(|n| n != NOTE_GENERATING);
                Ran {
                    index,
                    steps: 0,
                    finding: Some(finding),
                    generated,
                    stuck: generated,
                    abandoned: true,
                    measurements: Vec::new(),
                    sync: None,
                }
            }
        }
    }
}

fn panic_finding(message: String) -> Finding {
    Finding {
        property: Property::Panic,
        step: Some(0),
        message,
        replicas: Vec::new(),
        values: Vec::new(),
    }
}

/// The finding for a run abandoned after `silent_for` without a sign of life, at `note`.
fn stuck_finding(silent_for: Duration, note: Option<u64>, limits: Limits) -> Finding {
    let (step, at) = match note {
        None | Some(NOTE_GENERATING) => (
            Some(0),
            "while a schedule was generated from its operation strategy".to_string(),
        ),
        Some(NOTE_STARTING) => (Some(0), "while the replicas started".to_string()),
        Some(QUIESCENCE_NOTE) => (None, "at quiescence".to_string()),
        Some(k) => (usize::try_from(k).ok(), format!("in step {k}")),
    };
    Finding {
        property: Property::StepTimeout,
        step,
        message: format!(
            "a call into the model did not return {at}: silent for {silent_for:.2?}, over the \
             step budget of {:.2?}; its thread was abandoned",
            limits.step_budget
        ),
        replicas: Vec::new(),
        values: Vec::new(),
    }
}

/// Generates schedule `index` and runs it, containing panics (the job of one worker).
fn run_index<P: Protocol>(
    protocol: &P,
    strategy: &Result<Schedules<P>, Panic>,
    work: &Work,
    index: u64,
) -> Ran
where
    Op<P>: 'static,
{
    note(NOTE_GENERATING);
    let strategy = match strategy {
        Ok(strategy) => strategy,
        Err(panic) => {
            return Ran::ungenerated(
                index,
                panic_finding(format!(
                    "the model {panic} while building its operation strategy"
                )),
            );
        }
    };
    let schedule = match catch_panic(|| generate(strategy, work.seed, index)) {
        Ok(schedule) => schedule,
        Err(panic) => {
            return Ran::ungenerated(
                index,
                panic_finding(format!(
                    "the model {panic} while a schedule was generated from its operation \
                     strategy"
                )),
            );
        }
    };
    note(NOTE_STARTING);
    let outcome = run_unrecorded(protocol, &schedule, work.config);
    let sync = outcome.stats.sync.filter(|_| outcome.finding.is_none());
    Ran {
        index,
        steps: schedule.steps.len(),
        finding: outcome.finding,
        generated: true,
        stuck: false,
        abandoned: false,
        measurements: outcome.stats.measurements,
        sync: sync.as_ref().map(crate::sync::SyncCost::totals),
    }
}

/// What every schedule of a run shares.
#[derive(Clone)]
struct Work {
    shape: Shape,
    seed: u64,
    config: RunConfig,
}

/// Where schedules run: on rayon's threads over a borrowed protocol ([`Inline`]: panics
/// contained), or on a watchdog's threads over an owned one ([`Watched`]: panics and hangs
/// contained). The search, the collection of failures and shrinking are the same for both.
trait Executor<P: Protocol> {
    fn protocol(&self) -> &P;
    fn threads(&self) -> usize;
    /// The model's name (user code, contained).
    fn name(&mut self) -> String;
    /// True when its workers may run parts of a batch ([`sweep::chunk_size`]); false when
    /// each must run whole batches.
    fn splits_batches(&self) -> bool;
    /// Runs the batches `shared` hands out on this executor's workers, giving each batch's
    /// results to `on_batch` in batch order.
    fn sweep(&mut self, work: &Work, shared: &Arc<sweep::Shared>, on_batch: sweep::OnBatch<'_>);
    /// Runs one given schedule, with quiescence or only its steps.
    fn one(
        &mut self,
        schedule: &Schedule<Op<P>>,
        config: RunConfig,
        quiesce: bool,
    ) -> Result<Outcome, Stopped>;
}

fn run_or_steps<P: Protocol>(
    protocol: &P,
    schedule: &Schedule<Op<P>>,
    config: RunConfig,
    quiesce: bool,
) -> Outcome {
    if quiesce {
        run(protocol, schedule, config)
    } else {
        run_steps(protocol, schedule, config)
    }
}

fn model_name<P: Protocol>(protocol: &P) -> String {
    catch_panic(|| protocol.model().name())
        .unwrap_or_else(|panic| format!("(a model whose name {panic})"))
}

struct Inline<'a, P> {
    protocol: &'a P,
    threads: usize,
}

impl<P: Protocol> Executor<P> for Inline<'_, P>
where
    Op<P>: 'static,
{
    fn protocol(&self) -> &P {
        self.protocol
    }

    fn threads(&self) -> usize {
        self.threads
    }

    fn name(&mut self) -> String {
        model_name(self.protocol)
    }

    fn splits_batches(&self) -> bool {
        true
    }

    fn sweep(&mut self, work: &Work, shared: &Arc<sweep::Shared>, on_batch: sweep::OnBatch<'_>) {
        sweep::inline(self.protocol, self.threads, work, shared, on_batch);
    }

    fn one(
        &mut self,
        schedule: &Schedule<Op<P>>,
        config: RunConfig,
        quiesce: bool,
    ) -> Result<Outcome, Stopped> {
        catch_panic(|| run_or_steps(self.protocol, schedule, config, quiesce))
            .map_err(Stopped::Panicked)
    }
}

struct Watched<P> {
    protocol: Arc<P>,
    /// Runs the shrinking's schedules (the search has its own workers).
    watchdog: Watchdog,
    limits: Limits,
    max_stuck: usize,
}

impl<P> Executor<P> for Watched<P>
where
    P: Protocol + Send + 'static,
    Op<P>: Send + 'static,
{
    fn protocol(&self) -> &P {
        &self.protocol
    }

    fn threads(&self) -> usize {
        self.watchdog.threads()
    }

    fn name(&mut self) -> String {
        let protocol = Arc::clone(&self.protocol);
        self.watchdog
            .run(move || model_name(&*protocol))
            .unwrap_or_else(|stopped| format!("(a model whose name {stopped})"))
    }

    fn splits_batches(&self) -> bool {
        // A batch's hangs are counted in index order by the worker that runs it.
        false
    }

    fn sweep(&mut self, work: &Work, shared: &Arc<sweep::Shared>, on_batch: sweep::OnBatch<'_>) {
        let watch = sweep::Watch {
            threads: self.watchdog.threads(),
            limit: self.watchdog.limit(),
            max_stuck: self.max_stuck,
            limits: self.limits,
        };
        sweep::watched(&self.protocol, &watch, work, shared, on_batch);
    }

    fn one(
        &mut self,
        schedule: &Schedule<Op<P>>,
        config: RunConfig,
        quiesce: bool,
    ) -> Result<Outcome, Stopped> {
        let (protocol, schedule) = (Arc::clone(&self.protocol), schedule.clone());
        self.watchdog
            .run(move || run_or_steps(&*protocol, &schedule, config, quiesce))
    }
}

/// Worker threads: as many as asked, else one per core.
fn threads(options: &Options) -> usize {
    options
        .threads
        .unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        })
        .max(1)
}

/// How long a call into the model may stay silent before its thread is abandoned: one and a
/// half step budgets, so that a call just over the budget is reported by the simulator, with
/// its execution, rather than abandoned.
#[must_use]
pub fn abandon_after(limits: Limits) -> Duration {
    limits.step_budget + limits.step_budget / 2
}

/// Runs schedules on a borrowed `protocol` as `options` say, on rayon's threads.
///
/// Every panic of the model (in its updates, merges, queries, specification, operation
/// strategy, `Clone`, `Debug`, ...) is a [`Property::Panic`] finding; a call over the step
/// budget is a [`Property::StepTimeout`] finding once it returns. A call that never returns
/// hangs this function: use [`search_watched`] (or [`Harness`](crate::Harness), which owns its
/// model) to contain hangs too.
///
/// # Panics
/// If a thread pool cannot be built.
pub fn search<P: Protocol>(protocol: &P, options: &Options) -> Summary<Op<P>>
where
    Op<P>: 'static,
{
    let mut exec = Inline {
        protocol,
        threads: threads(options),
    };
    drive(&mut exec, options)
}

/// Like [`search`], with every schedule run under a watchdog: a call into the model that
/// shows no sign of life for [`abandon_after`] the step budget is a
/// [`Property::StepTimeout`] finding, its thread is abandoned (left running) and the run goes
/// on with a fresh one. The same seed gives the same findings with any number of threads.
pub fn search_watched<P>(protocol: &P, options: &Options) -> Summary<Op<P>>
where
    P: Protocol + Clone + Send + 'static,
    Op<P>: Send + 'static,
{
    let mut exec = Watched {
        protocol: Arc::new(protocol.clone()),
        watchdog: Watchdog::new(threads(options), abandon_after(options.limits)),
        limits: options.limits,
        max_stuck: options.max_stuck_per_batch,
    };
    drive(&mut exec, options)
}

/// Runs one schedule under a watchdog: like [`run`], and a call that never returns is a
/// [`Property::StepTimeout`] finding.
pub fn run_watched<P>(protocol: &P, schedule: &Schedule<Op<P>>, config: RunConfig) -> Outcome
where
    P: Protocol + Clone + Send + 'static,
    Op<P>: Send + 'static,
{
    let mut exec = Watched {
        protocol: Arc::new(protocol.clone()),
        watchdog: Watchdog::new(1, abandon_after(config.limits)),
        limits: config.limits,
        max_stuck: 1,
    };
    let outcome = exec.one(schedule, config, true);
    settle(&mut exec, schedule, config, outcome)
}

/// An outcome whatever happened: a stopped run becomes a finding, and a hung run gets the
/// execution up to the step that hung.
fn settle<P: Protocol, E: Executor<P>>(
    exec: &mut E,
    schedule: &Schedule<Op<P>>,
    config: RunConfig,
    outcome: Result<Outcome, Stopped>,
) -> Outcome {
    let mut outcome = outcome.unwrap_or_else(|stopped| stopped_outcome(stopped, config.limits));
    hung_execution(exec, schedule, config, &mut outcome);
    outcome
}

/// The outcome of a run that did not return.
fn stopped_outcome(stopped: Stopped, limits: Limits) -> Outcome {
    let finding = match stopped {
        Stopped::Panicked(panic) => panic_finding(format!("the model {panic}")),
        Stopped::Stuck { silent_for, note } => stuck_finding(silent_for, note, limits),
    };
    Outcome {
        finding: Some(finding),
        events: Vec::new(),
        stats: crate::sim::RunStats::default(),
        values: Vec::new(),
    }
}

/// For a run abandoned in a step: the events and values up to that step, from a run of the
/// steps before it.
fn hung_execution<P: Protocol, E: Executor<P>>(
    exec: &mut E,
    schedule: &Schedule<Op<P>>,
    config: RunConfig,
    outcome: &mut Outcome,
) {
    let Some(finding) = &outcome.finding else {
        return;
    };
    if finding.property != Property::StepTimeout || !outcome.events.is_empty() {
        return;
    }
    let upto = finding
        .step
        .map_or(schedule.steps.len(), |k| k.saturating_sub(1))
        .min(schedule.steps.len());
    let before = Schedule {
        replicas: schedule.replicas,
        late: schedule.late.clone(),
        steps: schedule.steps[..upto].to_vec(),
    };
    if let Ok(ran) = exec.one(&before, config, false) {
        outcome.events = ran.events;
        outcome.values = ran.values;
        outcome.stats = ran.stats;
    }
}

/// The search: batches of schedules, taken in index order, until the budget is spent or
/// (unless `keep_going`) a batch has a failure; then the first failure of each property is
/// shrunk.
fn drive<P: Protocol, E: Executor<P>>(exec: &mut E, options: &Options) -> Summary<Op<P>>
where
    Op<P>: 'static,
{
    let started = Instant::now();
    let flavour = exec.protocol().flavour();
    let mut shape = options.shape;
    shape.sends = flavour != Flavour::OpBased;
    let work = Work {
        shape,
        seed: options.seed,
        config: RunConfig {
            reorder: options.shape.reorder(),
            limits: options.limits,
            measure: options.measure,
        },
    };
    let identity = options.identity();
    let mut progress = options
        .resume
        .clone()
        .filter(|p| p.run == identity)
        .unwrap_or_else(|| Progress {
            run: identity,
            ..Progress::default()
        });
    let before = Duration::from_secs_f64(progress.seconds.max(0.0));
    let limit = options.schedules.unwrap_or(if options.time.is_some() {
        u64::MAX
    } else {
        1000
    });
    let plan = sweep::Plan {
        first: u64::from(options.shard.index),
        stride: u64::from(options.shard.count.max(1)),
        limit,
    };
    let chunk = if exec.splits_batches() {
        sweep::chunk_size(&plan, progress.batches, exec.threads())
    } else {
        BATCH
    };
    let shared = Arc::new(sweep::Shared::new(
        plan,
        progress.batches,
        chunk,
        options.time.map(|t| started + t.saturating_sub(before)),
        options.stop.clone(),
        options.progress.clone(),
    ));
    let mut complete = true;
    let mut saved = Instant::now();
    let mut on_batch = |ran: Vec<Ran>| -> bool {
        let failed = take_batch(&mut progress, options, ran);
        let abandoned = progress.abandoned >= options.max_abandoned as u64;
        complete &= !abandoned;
        let end = abandoned || (failed && !options.keep_going);
        if let Some(checkpoint) = &options.checkpoint
            && !end
            && saved.elapsed() >= checkpoint.every
        {
            let mut now = progress.clone();
            now.seconds = (before + started.elapsed()).as_secs_f64();
            (checkpoint.save)(&now);
            saved = Instant::now();
        }
        end
    };
    exec.sweep(&work, &shared, &mut on_batch);
    let mut summary = Summary {
        model: exec.name(),
        flavour,
        seed: options.seed,
        shape,
        shard: options.shard,
        threads: exec.threads(),
        schedules: progress.schedules,
        steps: progress.steps,
        duration: Duration::ZERO,
        failures: Vec::new(),
        more_failures: progress.more_failures,
        measurements: progress
            .sums
            .iter()
            .map(|(&step, &(bytes, nanos, n))| MeanMeasurement {
                step,
                state_bytes: bytes / n as f64,
                merge_nanos: nanos / n as f64,
                samples: n,
            })
            .collect(),
        sync: progress.sync,
        complete: complete && !shared.interrupted(),
    };
    for found in &progress.found {
        let failure = if found.generated {
            shrink_failure(exec, &work, options, found)
        } else {
            unshrunk(
                options,
                found.index,
                found.finding.clone(),
                empty_schedule(),
            )
        };
        summary.failures.push(failure);
    }
    summary.duration = before + started.elapsed();
    summary
}

/// Takes one batch's results into `progress`: counts its schedules, steps and measurements,
/// keeps the first failure of each property not seen yet (up to `options.max_properties`
/// properties) and counts the others. True when the batch has a failure.
fn take_batch(progress: &mut Progress, options: &Options, ran: Vec<Ran>) -> bool {
    let mut failed = false;
    progress.batches += 1;
    for r in ran {
        progress.schedules += 1;
        progress.steps += r.steps as u64;
        progress.abandoned += u64::from(r.abandoned);
        if let Some(cost) = &r.sync {
            progress.sync.get_or_insert_default().add(cost);
        }
        for m in &r.measurements {
            let entry = progress.sums.entry(m.step).or_default();
            entry.0 += m.state_bytes as f64;
            entry.1 += m.merge_nanos as f64;
            entry.2 += 1;
        }
        let Some(found) = r.found() else {
            continue;
        };
        failed = true;
        let known = progress
            .found
            .iter()
            .any(|f| f.finding.property == found.finding.property);
        if known || progress.found.len() >= options.max_properties.max(1) {
            progress.more_failures += 1;
        } else {
            progress.found.push(found);
        }
    }
    failed
}

fn empty_schedule<Op>() -> Schedule<Op> {
    Schedule {
        replicas: 0,
        late: Vec::new(),
        steps: Vec::new(),
    }
}

/// How many schedules its shard ran until the one with index `index` (1 for the first).
fn until_detection(options: &Options, index: u64) -> u64 {
    index / u64::from(options.shard.count.max(1)) + 1
}

/// A failure reported as found, without shrinking.
fn unshrunk<Op: Clone>(
    options: &Options,
    index: u64,
    finding: Finding,
    schedule: Schedule<Op>,
) -> Failure<Op> {
    let steps = schedule.steps.len();
    Failure {
        finding,
        seed: options.seed,
        schedule_index: index,
        schedules_until_detection: until_detection(options, index),
        original: schedule.clone(),
        shrunk: schedule,
        events: Vec::new(),
        values: Vec::new(),
        shrink: ShrinkStats {
            attempts: 0,
            steps_before: steps,
            steps_after: steps,
        },
    }
}

/// Shrinks the failure `found` of schedule `ran`. Every run while shrinking is contained like
/// the search's; a candidate that hangs costs a thread and a budget, so after
/// `options.max_stuck_shrinks` of them no further candidate is tried.
fn shrink_failure<P: Protocol, E: Executor<P>>(
    exec: &mut E,
    work: &Work,
    options: &Options,
    ran: &Found,
) -> Failure<Op<P>>
where
    Op<P>: 'static,
{
    let found = &ran.finding;
    let property = found.property;
    let config = work.config;
    let tree = make_strategy(exec.protocol(), work.shape)
        .ok()
        .and_then(|generator| {
            catch_panic(|| tree_for(&generator.strategy(), work.seed, ran.index)).ok()
        });
    let Some(tree) = tree else {
        return unshrunk(options, ran.index, found.clone(), empty_schedule());
    };
    let Ok(original) = catch_panic(|| tree.current()) else {
        return unshrunk(options, ran.index, found.clone(), empty_schedule());
    };
    // A hang: every simplification that still hangs costs a thread and a budget, so skip
    // proptest's step-by-step simplification for the greedy pass, which first cuts the
    // schedule after the step that hung.
    let tree: Box<dyn ValueTree<Value = Schedule<Op<P>>>> = if ran.stuck {
        Box::new(Fixed(original.clone()))
    } else {
        tree
    };
    let exec = RefCell::new(exec);
    let stuck = Cell::new(0u32);
    let first = Cell::new(true);
    let fails = |s: &Schedule<Op<P>>| -> Option<Outcome> {
        if s.validate().is_err() {
            return None;
        }
        if first.replace(false) && ran.stuck {
            // The schedule as found: known to hang; do not pay for it twice.
            return Some(stopped_outcome_for(found));
        }
        if stuck.get() >= options.max_stuck_shrinks {
            return None;
        }
        let outcome = exec
            .borrow_mut()
            .one(s, config, true)
            .unwrap_or_else(|stopped| {
                if matches!(stopped, Stopped::Stuck { .. }) {
                    stuck.set(stuck.get() + 1);
                }
                stopped_outcome(stopped, config.limits)
            });
        (outcome.finding.as_ref().map(|f| f.property) == Some(property)).then_some(outcome)
    };
    let shrunk = catch_panic(|| shrink(tree, &fails, options.max_shrink_attempts));
    let exec = exec.into_inner();
    let Ok((shrunk, mut outcome, stats)) = shrunk else {
        // The operation strategy panicked while simplifying, or the failure did not repeat.
        return unshrunk(options, ran.index, found.clone(), original);
    };
    hung_execution(exec, &shrunk, config, &mut outcome);
    Failure {
        finding: outcome.finding.unwrap_or_else(|| found.clone()),
        seed: options.seed,
        schedule_index: ran.index,
        schedules_until_detection: until_detection(options, ran.index),
        original,
        shrunk,
        events: outcome.events,
        values: outcome.values,
        shrink: stats,
    }
}

/// A value tree that never simplifies.
struct Fixed<T>(T);

impl<T: Clone + fmt::Debug> ValueTree for Fixed<T> {
    type Value = T;

    fn current(&self) -> T {
        self.0.clone()
    }

    fn simplify(&mut self) -> bool {
        false
    }

    fn complicate(&mut self) -> bool {
        false
    }
}

fn stopped_outcome_for(found: &Finding) -> Outcome {
    Outcome {
        finding: Some(found.clone()),
        events: Vec::new(),
        stats: crate::sim::RunStats::default(),
        values: Vec::new(),
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
