//! Running the catalogue: a structured result per law, and the engine behind the test macros.
//!
//! [`check_state`], [`check_delta`] and [`check_op`] run every law that applies to a model, in
//! parallel (one law per rayon task, each with its own seed derived from the run's seed, so the
//! results do not depend on the number of threads), and return a [`LawReport`].
//!
//! A law with a premise counts how often the premise held; when it held in fewer than
//! [`Config::min_premise_ratio`] of the cases the law is [`Verdict::Vacuous`], never passed.

use std::cell::Cell;
use std::fmt::{self, Display};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{
    Config as ProptestConfig, RngSeed, TestCaseError, TestError, TestRunner,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::codec;
use crate::contain::{Panic, Stopped, Watchdog, catch_panic, note};
use crate::delta;
use crate::determinism::{merge_deterministic, same};
use crate::diff;
use crate::generate::{
    Execution, OpCase, PickWeights, Sample, Simplify, Size, StateCase, deliverable, op_cases,
    state_cases,
};
use crate::invariant;
use crate::law::{Binding, Flavour, Law, Outcome, Violation};
use crate::model::{DeltaCrdt, Dot, History, Model, OpCrdt, ReplicaId, StateCrdt};
use crate::monotone;
use crate::op_based;
use crate::order;
use crate::semilattice;
use crate::spec::value_matches_spec;

/// How laws are run.
#[derive(Clone, Debug)]
pub struct Config {
    /// proptest's settings: `cases` and shrinking limits. [`Config::default`] reads them from
    /// the environment like proptest does (`PROPTEST_CASES`, `PROPTEST_MAX_SHRINK_ITERS`,
    /// `PROPTEST_RNG_SEED`, ...).
    pub proptest: ProptestConfig,
    /// A conditional law whose premise held in fewer than this fraction of its cases is
    /// reported [vacuous](Verdict::Vacuous). Default 0.1.
    pub min_premise_ratio: f64,
    /// The run's seed: with the same seed, the same results. `None` takes
    /// `PROPTEST_RNG_SEED` if set, else a random seed (recorded in each [`LawResult`]).
    pub seed: Option<u64>,
    /// How large generated executions are: up to 8 replicas and 20 steps by default.
    pub size: Size,
    /// Run only these laws (all applicable laws when `None`).
    pub only: Option<Vec<Law>>,
    /// The longest one case may take. When the laws own their model ([`check_state_owned`],
    /// the test macros), a case silent for one and a half budgets is abandoned (its thread
    /// left running) and its law fails with a step-timeout counterexample. Default 5 s.
    pub step_budget: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            proptest: ProptestConfig {
                failure_persistence: None,
                ..ProptestConfig::default()
            },
            min_premise_ratio: 0.1,
            seed: None,
            size: Size::default(),
            only: None,
            step_budget: Duration::from_secs(5),
        }
    }
}

impl Config {
    /// The same configuration with `cases` cases per law.
    #[must_use]
    pub fn with_cases(mut self, cases: u32) -> Self {
        self.proptest.cases = cases;
        self
    }

    /// The same configuration with a fixed seed.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The same configuration with executions of 2 to `replicas` replicas (default
    /// [`DEFAULT_MAX_REPLICAS`](crate::generate::DEFAULT_MAX_REPLICAS), drawn biased small by
    /// [`replica_counts`](crate::generate::replica_counts)).
    #[must_use]
    pub fn with_max_replicas(mut self, replicas: u32) -> Self {
        self.size.max_replicas = replicas;
        self
    }

    /// The same configuration with another step budget.
    #[must_use]
    pub fn with_step_budget(mut self, step_budget: Duration) -> Self {
        self.step_budget = step_budget;
        self
    }

    /// The same configuration restricted to `laws`.
    #[must_use]
    pub fn only(mut self, laws: impl IntoIterator<Item = Law>) -> Self {
        self.only = Some(laws.into_iter().collect());
        self
    }

    fn base_seed(&self) -> u64 {
        match (self.seed, self.proptest.rng_seed) {
            (Some(seed), _) | (None, RngSeed::Fixed(seed)) => seed,
            (None, RngSeed::Random) => std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish(),
        }
    }

    fn premise_threshold(&self, cases: u32) -> u32 {
        (f64::from(cases) * self.min_premise_ratio).ceil() as u32
    }
}

/// A law's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every case held, and the premise (if any) held often enough.
    Passed,
    /// A case broke the law.
    Failed,
    /// No case broke the law, but its premise held too rarely for that to mean anything.
    Vacuous,
}

/// A minimal counterexample: the broken law's violation and the execution that produced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterexample {
    /// What is broken, with the minimized inputs and both sides.
    pub violation: Violation,
    /// The shrunk execution that produced the inputs, one line per step.
    pub execution: Vec<String>,
}

impl Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.violation)?;
        writeln!(f, "  execution:")?;
        for line in &self.execution {
            writeln!(f, "    {line}")?;
        }
        Ok(())
    }
}

/// The result of running one law on one model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LawResult {
    /// The law.
    pub law: Law,
    /// The verdict.
    pub verdict: Verdict,
    /// Cases run.
    pub cases: u32,
    /// For conditional laws: in how many cases the premise held.
    pub premise_hits: Option<u32>,
    /// For conditional laws: the fewest premise hits for a pass.
    pub premise_threshold: Option<u32>,
    /// The seed of this law's run (`None` for runs seeded by proptest itself).
    pub seed: Option<u64>,
    /// How long the law took.
    pub duration: Duration,
    /// The minimal counterexample, when failed.
    pub counterexample: Option<Counterexample>,
}

impl Display for LawResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = match self.verdict {
            Verdict::Passed => "passed",
            Verdict::Failed => "FAILED",
            Verdict::Vacuous => "VACUOUS",
        };
        write!(
            f,
            "{verdict:<8} {:<22} {:>5} cases",
            self.law.name(),
            self.cases
        )?;
        if let (Some(hits), Some(threshold)) = (self.premise_hits, self.premise_threshold) {
            write!(
                f,
                ", premise {} held {hits}/{} (need {threshold})",
                self.law.premise().unwrap_or("premise"),
                self.cases
            )?;
        }
        writeln!(f)?;
        if let Some(cx) = &self.counterexample {
            write!(f, "{cx}")?;
        }
        Ok(())
    }
}

/// A law that does not apply to a model, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The law.
    pub law: Law,
    /// Why it does not apply: `the model declares no bottom`.
    pub reason: String,
}

/// The results of running the catalogue on one model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LawReport {
    /// The model's [name](Model::name).
    pub model: String,
    /// Its flavour.
    pub flavour: Flavour,
    /// One result per applicable law, in catalogue order.
    pub results: Vec<LawResult>,
    /// The laws that do not apply.
    pub skipped: Vec<Skipped>,
    /// How long the whole run took.
    pub duration: Duration,
}

impl LawReport {
    /// True when every applicable law passed.
    #[must_use]
    pub fn all_passed(&self) -> bool {
        self.results.iter().all(|r| r.verdict == Verdict::Passed)
    }

    /// The result for `law`, if it ran.
    #[must_use]
    pub fn get(&self, law: Law) -> Option<&LawResult> {
        self.results.iter().find(|r| r.law == law)
    }

    /// The laws with this verdict.
    pub fn with_verdict(&self, verdict: Verdict) -> impl Iterator<Item = Law> + '_ {
        self.results
            .iter()
            .filter(move |r| r.verdict == verdict)
            .map(|r| r.law)
    }
}

impl Display for LawReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |v| self.with_verdict(v).count();
        writeln!(
            f,
            "{} ({}): {} passed, {} failed, {} vacuous, {} skipped in {:.2?}",
            self.model,
            self.flavour,
            count(Verdict::Passed),
            count(Verdict::Failed),
            count(Verdict::Vacuous),
            self.skipped.len(),
            self.duration
        )?;
        for result in &self.results {
            write!(f, "  {result}")?;
        }
        for skipped in &self.skipped {
            writeln!(
                f,
                "  skipped  {:<22} {}",
                skipped.law.name(),
                skipped.reason
            )?;
        }
        Ok(())
    }
}

/// Runs every applicable state-based law on `model`.
///
/// A panic of the model anywhere (its updates, merges, queries, specification, codec, operation
/// strategy, while generating, checking or shrinking cases) fails the law it happened in, with
/// the case as counterexample. A call that never returns hangs this function: use
/// [`check_state_owned`] to contain hangs too.
///
/// ```
/// use crdt_laws::{check_state, toys::SetUnion, Config, Verdict};
/// let report = check_state(&SetUnion::default(), &Config::default().with_seed(7));
/// assert!(report.all_passed(), "{report}");
/// assert_eq!(report.results[0].verdict, Verdict::Passed);
/// ```
pub fn check_state<M: StateCrdt + Sync>(model: &M, config: &Config) -> LawReport
where
    M::Op: 'static,
{
    run_all(&StateEngine(model), config)
}

/// Runs every applicable state-based and delta-state law on `model` (see [`check_state`]).
pub fn check_delta<M: DeltaCrdt + Sync>(model: &M, config: &Config) -> LawReport
where
    M::Op: 'static,
{
    run_all(&DeltaEngine(StateEngine(model)), config)
}

/// Runs every applicable operation-based law on `model` (see [`check_state`]).
pub fn check_op<M: OpCrdt + Sync>(model: &M, config: &Config) -> LawReport
where
    M::Op: 'static,
{
    run_all(&OpEngine(model), config)
}

/// Like [`check_state`] on a model the laws own (a value or an `Arc`), run under a
/// [`Watchdog`]: a case in which a call into the model does not return within
/// [`abandon_after`] the step budget fails its law with a step-timeout counterexample; the
/// stuck thread is abandoned and the other laws go on.
///
/// ```
/// use crdt_laws::{check_state_owned, toys::SetUnion, Config};
/// let report = check_state_owned(SetUnion::default(), &Config::default().with_seed(7));
/// assert!(report.all_passed(), "{report}");
/// ```
pub fn check_state_owned<M>(model: impl Into<Arc<M>>, config: &Config) -> LawReport
where
    M: StateCrdt + Send + Sync + 'static,
    M::Op: Send + 'static,
{
    run_all_owned::<M, StateKind>(model.into(), config)
}

/// Like [`check_delta`], owning the model, with hangs contained (see [`check_state_owned`]).
pub fn check_delta_owned<M>(model: impl Into<Arc<M>>, config: &Config) -> LawReport
where
    M: DeltaCrdt + Send + Sync + 'static,
    M::Op: Send + 'static,
{
    run_all_owned::<M, DeltaKind>(model.into(), config)
}

/// Like [`check_op`], owning the model, with hangs contained (see [`check_state_owned`]).
pub fn check_op_owned<M>(model: impl Into<Arc<M>>, config: &Config) -> LawReport
where
    M: OpCrdt + Send + Sync + 'static,
    M::Op: Send + 'static,
{
    run_all_owned::<M, OpKind>(model.into(), config)
}

/// How long a case may stay silent before the watchdog abandons it: one and a half step
/// budgets.
#[must_use]
pub fn abandon_after(step_budget: Duration) -> Duration {
    step_budget + step_budget / 2
}

/// A flavour's view of the catalogue: which laws, their cases, and how to check one case.
trait Engine: Sync {
    type Case: Clone + std::fmt::Debug + Simplify;
    fn name(&self) -> String;
    fn flavour(&self) -> Flavour;
    fn laws(&self) -> Vec<Law>;
    fn applicable(&self, law: Law) -> Result<(), String>;
    fn strategy(&self, law: Law, size: Size) -> BoxedStrategy<Self::Case>;
    fn check(&self, law: Law, case: &Self::Case) -> Outcome;
    fn story(&self, case: &Self::Case) -> Vec<String>;
}

/// The laws of `engine`'s catalogue that `config` selects.
fn selected<E: Engine>(engine: &E, config: &Config) -> Vec<Law> {
    engine
        .laws()
        .into_iter()
        .filter(|law| config.only.as_ref().is_none_or(|only| only.contains(law)))
        .collect()
}

/// One law on one model: skipped, or its result.
enum LawRun {
    Skipped(Skipped),
    Ran(Box<LawResult>),
}

/// Called with each case before it is checked (the watched path records it, in case the check
/// never returns).
type Hook<'a, Case> = Option<&'a (dyn Fn(&Case) + Sync)>;

/// Probes whether `law` applies, and runs it if so: the whole of one law's work, every call into
/// the model contained.
fn law_job<E: Engine>(
    engine: &E,
    law: Law,
    config: &Config,
    seed: Option<u64>,
    hook: Hook<'_, E::Case>,
) -> LawRun {
    // A model that panics while probed runs the law anyway: its cases report the panic.
    if let Err(reason) = catch_panic(|| engine.applicable(law)).unwrap_or(Ok(())) {
        return LawRun::Skipped(Skipped { law, reason });
    }
    let runner = match seed {
        Some(seed) => TestRunner::new_with_rng(config.proptest.clone(), crate::seed::rng(seed)),
        None => TestRunner::new(config.proptest.clone()),
    };
    let started = Instant::now();
    // Generating and shrinking cases runs the model's operation strategy outside the checks.
    let result =
        catch_panic(|| run_law(engine, law, config, runner, seed, hook)).unwrap_or_else(|panic| {
            failed(
                law,
                seed,
                started,
                panic_violation(law, &panic),
                vec!["the model panicked while cases were generated or shrunk".into()],
            )
        });
    LawRun::Ran(Box::new(result))
}

/// A failed law's result from a violation and an execution.
fn failed(
    law: Law,
    seed: Option<u64>,
    started: Instant,
    violation: Outcome,
    execution: Vec<String>,
) -> LawResult {
    let Outcome::Broken(violation) = violation else {
        unreachable!("a failure has a violation")
    };
    LawResult {
        law,
        verdict: Verdict::Failed,
        cases: 0,
        premise_hits: None,
        premise_threshold: None,
        seed,
        duration: started.elapsed(),
        counterexample: Some(Counterexample {
            violation: *violation,
            execution,
        }),
    }
}

fn contained_name<E: Engine>(engine: &E) -> String {
    catch_panic(|| engine.name()).unwrap_or_else(|panic| format!("(a model whose name {panic})"))
}

fn report(model: String, flavour: Flavour, runs: Vec<LawRun>, started: Instant) -> LawReport {
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for run in runs {
        match run {
            LawRun::Skipped(s) => skipped.push(s),
            LawRun::Ran(r) => results.push(*r),
        }
    }
    LawReport {
        model,
        flavour,
        results,
        skipped,
        duration: started.elapsed(),
    }
}

fn run_all<E: Engine>(engine: &E, config: &Config) -> LawReport {
    let started = Instant::now();
    let base = config.base_seed();
    let runs = selected(engine, config)
        .par_iter()
        .map(|&law| law_job(engine, law, config, Some(law_seed(base, law)), None))
        .collect();
    report(contained_name(engine), engine.flavour(), runs, started)
}

/// A flavour of engine over a model `M` the laws own, for jobs that must be `'static`.
trait Kind<M: 'static>: 'static {
    type Case: Clone + std::fmt::Debug + Simplify + Send + 'static;
    type Eng<'a>: Engine<Case = Self::Case>;
    fn engine(model: &M) -> Self::Eng<'_>;
}

struct StateKind;
struct DeltaKind;
struct OpKind;

impl<M: StateCrdt + Sync + 'static> Kind<M> for StateKind
where
    M::Op: Send + 'static,
{
    type Case = StateCase<M::Op>;
    type Eng<'a> = StateEngine<'a, M>;
    fn engine(model: &M) -> StateEngine<'_, M> {
        StateEngine(model)
    }
}

impl<M: DeltaCrdt + Sync + 'static> Kind<M> for DeltaKind
where
    M::Op: Send + 'static,
{
    type Case = StateCase<M::Op>;
    type Eng<'a> = DeltaEngine<'a, M>;
    fn engine(model: &M) -> DeltaEngine<'_, M> {
        DeltaEngine(StateEngine(model))
    }
}

impl<M: OpCrdt + Sync + 'static> Kind<M> for OpKind
where
    M::Op: Send + 'static,
{
    type Case = OpCase<M::Op>;
    type Eng<'a> = OpEngine<'a, M>;
    fn engine(model: &M) -> OpEngine<'_, M> {
        OpEngine(model)
    }
}

/// The laws selected by `config`, each run by a watchdog's worker.
fn run_all_owned<M, K>(model: Arc<M>, config: &Config) -> LawReport
where
    M: Send + Sync + 'static,
    K: Kind<M>,
{
    let started = Instant::now();
    let base = config.base_seed();
    let laws = selected(&K::engine(&model), config);
    let flavour = K::engine(&model).flavour();
    let mut watchdog = Watchdog::new(
        rayon::current_num_threads(),
        abandon_after(config.step_budget),
    );
    let name = {
        let model = Arc::clone(&model);
        watchdog
            .run(move || contained_name(&K::engine(&model)))
            .unwrap_or_else(|stopped| format!("(a model whose name {stopped})"))
    };
    let jobs: Vec<(Law, Option<u64>)> = laws
        .iter()
        .map(|&law| (law, Some(law_seed(base, law))))
        .collect();
    let runs = watched_laws::<M, K>(&mut watchdog, &model, config, &jobs);
    report(name, flavour, runs, started)
}

/// Runs `jobs` (law, seed) under `watchdog`; a law whose job got stuck fails with the case
/// it was checking.
fn watched_laws<M, K>(
    watchdog: &mut Watchdog,
    model: &Arc<M>,
    config: &Config,
    jobs: &[(Law, Option<u64>)],
) -> Vec<LawRun>
where
    M: Send + Sync + 'static,
    K: Kind<M>,
{
    type Slot<C> = Arc<Mutex<Option<C>>>;
    let slots: Vec<Slot<K::Case>> = jobs.iter().map(|_| Slot::default()).collect();
    let work: Vec<_> = jobs
        .iter()
        .zip(&slots)
        .map(|(&(law, seed), slot)| {
            let (model, config, slot) = (Arc::clone(model), config.clone(), Arc::clone(slot));
            move || {
                let checked = AtomicU64::new(0);
                let hook = |case: &K::Case| {
                    note(checked.fetch_add(1, Ordering::Relaxed) + 1);
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(case.clone());
                };
                law_job(&K::engine(&model), law, &config, seed, Some(&hook))
            }
        })
        .collect();
    let started = Instant::now();
    watchdog
        .run_all(work)
        .into_iter()
        .zip(jobs)
        .zip(slots)
        .map(|((result, &(law, seed)), slot)| {
            result.unwrap_or_else(|stopped| {
                let case = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
                LawRun::Ran(Box::new(stopped_law::<M, K>(
                    watchdog, model, law, seed, started, stopped, case,
                )))
            })
        })
        .collect()
}

/// The result of a law whose job did not return: the case it was checking, and that case's
/// execution when telling it does not hang too.
fn stopped_law<M, K>(
    watchdog: &mut Watchdog,
    model: &Arc<M>,
    law: Law,
    seed: Option<u64>,
    started: Instant,
    stopped: Stopped,
    case: Option<K::Case>,
) -> LawResult
where
    M: Send + Sync + 'static,
    K: Kind<M>,
{
    let violation = match &stopped {
        Stopped::Panicked(panic) => panic_violation(law, panic),
        Stopped::Stuck { silent_for, note } => Violation::new(
            law,
            "step timeout: a call into the model did not return",
            Binding::new("silent for", &format!("{silent_for:.2?}")),
            Binding::new(
                "at case",
                &note.map_or("before the first case".to_string(), |n| n.to_string()),
            ),
        )
        .broken(),
    };
    let execution = match case {
        None => vec!["no case was being checked".into()],
        Some(case) => {
            let model = Arc::clone(model);
            let shown = format!("{case:?}");
            watchdog
                .run(move || K::engine(&model).story(&case))
                .unwrap_or_else(|why| {
                    vec![format!("the case (telling its execution {why}): {shown}")]
                })
        }
    };
    failed(law, seed, started, violation, execution)
}

/// A law's own seed: independent of which thread runs it and of the catalogue's order.
fn law_seed(base: u64, law: Law) -> u64 {
    crate::seed::derive(base, crate::seed::hash_str(law.name()))
}

fn panic_violation(law: Law, panic: &Panic) -> Outcome {
    Violation::new(
        law,
        "the model panicked",
        Binding::new("panic", &panic.message),
        Binding::new("location", &panic.location.clone().unwrap_or_default()),
    )
    .broken()
}

fn check_contained<E: Engine>(engine: &E, law: Law, case: &E::Case) -> Outcome {
    catch_panic(|| engine.check(law, case)).unwrap_or_else(|p| panic_violation(law, &p))
}

/// Greedily simplifies a failing case: keeps any simpler candidate that still breaks the law.
fn minimize<E: Engine>(
    engine: &E,
    law: Law,
    mut case: E::Case,
    hook: Hook<'_, E::Case>,
) -> E::Case {
    let mut budget = 20_000u32;
    'search: loop {
        for candidate in case.simpler() {
            if budget == 0 {
                break 'search;
            }
            budget -= 1;
            if let Some(hook) = hook {
                hook(&candidate);
            }
            if !check_contained(engine, law, &candidate).is_ok() {
                case = candidate;
                continue 'search;
            }
        }
        break;
    }
    case
}

fn run_law<E: Engine>(
    engine: &E,
    law: Law,
    config: &Config,
    mut runner: TestRunner,
    seed: Option<u64>,
    hook: Hook<'_, E::Case>,
) -> LawResult {
    let started = Instant::now();
    let strategy = match catch_panic(|| engine.strategy(law, config.size)) {
        Ok(strategy) => strategy,
        Err(panic) => {
            return LawResult {
                law,
                verdict: Verdict::Failed,
                cases: 0,
                premise_hits: None,
                premise_threshold: None,
                seed,
                duration: started.elapsed(),
                counterexample: Some(Counterexample {
                    violation: match panic_violation(law, &panic) {
                        Outcome::Broken(v) => *v,
                        _ => unreachable!("panic_violation is broken"),
                    },
                    execution: vec![
                        "the model panicked while building its operation strategy".into(),
                    ],
                }),
            };
        }
    };
    let cases = Cell::new(0u32);
    let hits = Cell::new(0u32);
    // After the first failure proptest calls the test again to shrink: those calls are not cases.
    let shrinking = Cell::new(false);
    let run = runner.run(&strategy, |case| {
        if !shrinking.get() {
            cases.set(cases.get() + 1);
        }
        if let Some(hook) = hook {
            hook(&case);
        }
        match check_contained(engine, law, &case) {
            Outcome::Held => {
                hits.set(hits.get() + u32::from(!shrinking.get()));
                Ok(())
            }
            Outcome::PremiseNotMet => Ok(()),
            Outcome::Broken(v) => {
                shrinking.set(true);
                Err(TestCaseError::fail(v.to_string()))
            }
        }
    });
    let conditional = law.premise().is_some();
    let mut result = LawResult {
        law,
        verdict: Verdict::Passed,
        cases: cases.get(),
        premise_hits: conditional.then(|| hits.get()),
        premise_threshold: conditional.then(|| config.premise_threshold(cases.get())),
        seed,
        duration: Duration::ZERO,
        counterexample: None,
    };
    match run {
        Ok(()) => {
            if let (Some(hits), Some(threshold)) = (result.premise_hits, result.premise_threshold)
                && hits < threshold
            {
                result.verdict = Verdict::Vacuous;
            }
        }
        Err(TestError::Fail(reason, shrunk)) => {
            result.verdict = Verdict::Failed;
            let minimal = minimize(engine, law, shrunk, hook);
            let violation = match check_contained(engine, law, &minimal) {
                Outcome::Broken(v) => *v,
                _ => Violation::new(
                    law,
                    "failed once, but not when re-run on the same input: the model is not \
                     deterministic",
                    Binding::new("first failure", &reason.message()),
                    Binding::new("re-run", &"held"),
                ),
            };
            result.counterexample = Some(Counterexample {
                violation,
                execution: catch_panic(|| engine.story(&minimal))
                    .unwrap_or_else(|panic| vec![format!("the execution {panic}")]),
            });
        }
        Err(TestError::Abort(reason)) => {
            result.verdict = Verdict::Failed;
            result.counterexample = Some(Counterexample {
                violation: Violation::new(
                    law,
                    "proptest aborted the run",
                    Binding::new("reason", &reason.message()),
                    Binding::new("cases", &cases.get()),
                ),
                execution: Vec::new(),
            });
        }
    }
    result.duration = started.elapsed();
    result
}

/// Names the samples a violation's inputs came from.
fn with_sources<S>(outcome: Outcome, named: &[(&str, &Sample<S>)]) -> Outcome {
    let Outcome::Broken(mut v) = outcome else {
        return outcome;
    };
    let v_ref = &mut *v;
    for binding in v_ref
        .inputs
        .iter_mut()
        .chain([&mut v_ref.left, &mut v_ref.right])
    {
        if binding.source.is_none()
            && let Some((_, sample)) = named.iter().find(|(n, _)| *n == binding.name)
        {
            binding.source = Some(sample.label.clone());
        }
    }
    Outcome::Broken(v)
}

fn applicable_common<M: Model>(model: &M, law: Law) -> Result<(), String> {
    let probe = model.new_replica(ReplicaId::new(0));
    match law {
        Law::SerdeRoundTrip if model.round_trip(&probe).is_none() => {
            Err("the model declares no codec (Model::round_trip)".into())
        }
        Law::ValueMatchesSpec if model.spec(&History::new()).is_none() => {
            Err("the model declares no specification (Model::spec)".into())
        }
        _ => Ok(()),
    }
}

/// Compares a fresh replay of an execution with the original, state by state.
fn replay_matches<M: Model, Op, Msg>(
    model: &M,
    first: &Execution<M::State, Op, Msg>,
    second: &Execution<M::State, Op, Msg>,
) -> Outcome {
    for (a, b) in first.samples.iter().zip(&second.samples) {
        let outcome = same(
            model,
            Law::ReplayDeterministic,
            ("first run", &a.state),
            ("replay", &b.state),
        );
        if let Outcome::Broken(mut v) = outcome {
            v.claim = format!("{} differs between two runs of the same execution", a.label);
            return Outcome::Broken(v);
        }
    }
    Outcome::Held
}

/// True when the model's [`OpCrdt::prepare`] gives a message, judged on one operation of its
/// strategy at a fresh replica.
fn gives_prepare<M: OpCrdt>(model: &M) -> bool {
    let mut runner = TestRunner::deterministic();
    let Ok(tree) = model.ops().new_tree(&mut runner) else {
        return false;
    };
    let probe = model.new_replica(ReplicaId::new(0));
    model
        .prepare(&probe, ReplicaId::new(0), &tree.current())
        .is_some()
}

/// The specification at every sample whose applied updates are known
/// ([`applied_is_known`](crate::generate::applied_is_known)): a model may buffer a message that
/// arrived before its causal past.
fn spec_everywhere<M: Model, Msg>(model: &M, exec: &Execution<M::State, M::Op, Msg>) -> Outcome {
    for sample in &exec.samples {
        if !crate::generate::applied_is_known(&exec.updates, &sample.seen) {
            continue;
        }
        let outcome = value_matches_spec(model, &sample.state, &exec.history(&sample.seen));
        if !outcome.is_ok() {
            return with_sources(outcome, &[("s", sample), ("value(s)", sample)]);
        }
    }
    Outcome::Held
}

fn invariant_everywhere<M: Model, Msg>(
    model: &M,
    exec: &Execution<M::State, M::Op, Msg>,
) -> Outcome {
    for sample in &exec.samples {
        let outcome = invariant::invariant_holds(model, &sample.state);
        if !outcome.is_ok() {
            return with_sources(outcome, &[("s", sample)]);
        }
    }
    Outcome::Held
}

struct StateEngine<'m, M>(&'m M);

impl<M: StateCrdt + Sync> Engine for StateEngine<'_, M>
where
    M::Op: 'static,
{
    type Case = StateCase<M::Op>;

    fn name(&self) -> String {
        self.0.name()
    }

    fn flavour(&self) -> Flavour {
        Flavour::StateBased
    }

    fn laws(&self) -> Vec<Law> {
        Law::catalogue(Flavour::StateBased)
    }

    fn applicable(&self, law: Law) -> Result<(), String> {
        let m = self.0;
        let probe = m.new_replica(ReplicaId::new(0));
        let value = m.value(&probe);
        match law {
            Law::LeqAgreesWithMerge if m.leq(&probe, &probe).is_none() => {
                Err("the model declares no order; it is derived from merge".into())
            }
            Law::LeqReflexive
            | Law::LeqAntisymmetric
            | Law::LeqTransitive
            | Law::JoinUpperBound
            | Law::JoinLeast
            | Law::BottomIdentity
            | Law::UpdateInflationary
            | Law::ValueMonotone
                if m.state_eq(&probe, &probe).is_none() && m.leq(&probe, &probe).is_none() =>
            {
                Err(
                    "the model cannot compare states (Model::state_eq) and declares no order \
                     (StateCrdt::leq), so no order can be derived"
                        .into(),
                )
            }
            Law::BottomIdentity if m.bottom().is_none() => {
                Err("the model declares no bottom (StateCrdt::bottom)".into())
            }
            Law::ValueMonotone if m.value_leq(&value, &value).is_none() => {
                Err("the model declares no monotone query (StateCrdt::value_leq)".into())
            }
            Law::ValuePreservesJoin if m.value_join(&value, &value).is_none() => {
                Err("the model declares no join of values (StateCrdt::value_join)".into())
            }
            Law::DiffRestoresJoin | Law::DiffBelowLocal if m.diff(&probe, &probe).is_none() => {
                Err("the model declares no diff (StateCrdt::diff)".into())
            }
            _ => applicable_common(m, law),
        }
    }

    fn strategy(&self, law: Law, size: Size) -> BoxedStrategy<Self::Case> {
        let picks = match law {
            Law::LeqAntisymmetric => PickWeights::SAME_HISTORY,
            Law::LeqTransitive | Law::ValueMonotone => PickWeights::CHAIN,
            Law::JoinLeast => PickWeights::UPPER_BOUND,
            _ => PickWeights::MIXED,
        };
        state_cases(self.0, size, picks)
    }

    fn check(&self, law: Law, case: &Self::Case) -> Outcome {
        let m = self.0;
        let exec = case.run(m);
        let [i, j, k] = case.resolve(&exec);
        let (sa, sb, sc) = (&exec.samples[i], &exec.samples[j], &exec.samples[k]);
        let (a, b, c) = (&sa.state, &sb.state, &sc.state);
        let outcome = match law {
            Law::LeqReflexive => order::leq_reflexive(m, a),
            Law::LeqAntisymmetric => order::leq_antisymmetric(m, a, b),
            Law::LeqTransitive => order::leq_transitive(m, a, b, c),
            Law::LeqAgreesWithMerge => order::leq_agrees_with_merge(m, a, b),
            Law::JoinAssociative => semilattice::join_associative(m, a, b, c),
            Law::JoinCommutative => semilattice::join_commutative(m, a, b),
            Law::JoinIdempotent => semilattice::join_idempotent(m, a),
            Law::JoinUpperBound => semilattice::join_upper_bound(m, a, b),
            Law::JoinLeast => semilattice::join_least(m, a, b, c),
            Law::BottomIdentity => semilattice::bottom_identity(m, a),
            Law::UpdateInflationary => {
                monotone::update_inflationary(m, a, sa.replica, &case.ops[0])
            }
            Law::ValueMonotone => monotone::value_monotone(m, a, b),
            Law::ValuePreservesJoin => monotone::value_preserves_join(m, a, b),
            Law::DiffRestoresJoin => diff::diff_restores_join(m, a, b),
            Law::DiffBelowLocal => diff::diff_below_local(m, a, b),
            Law::SerdeRoundTrip => codec::serde_round_trip(m, a, Some(b)),
            Law::MergeDeterministic => merge_deterministic(m, a, b),
            Law::ReplayDeterministic => replay_matches(m, &exec, &case.run(m)),
            Law::ValueMatchesSpec => spec_everywhere(m, &exec),
            Law::InvariantHolds => invariant_everywhere(m, &exec),
            Law::ForkIndependent => invariant::fork_independent(m, a, |t| {
                m.apply(t, sa.replica, &case.ops[0]);
            }),
            _ => Outcome::Held,
        };
        with_sources(
            outcome,
            &[
                ("a", sa),
                ("b", sb),
                ("c", sc),
                ("z", sc),
                ("s", sa),
                ("t", sb),
                ("local", sa),
                ("remote", sb),
            ],
        )
    }

    fn story(&self, case: &Self::Case) -> Vec<String> {
        case.run(self.0).story
    }
}

struct DeltaEngine<'m, M>(StateEngine<'m, M>);

impl<M: DeltaCrdt + Sync> Engine for DeltaEngine<'_, M>
where
    M::Op: 'static,
{
    type Case = StateCase<M::Op>;

    fn name(&self) -> String {
        self.0.name()
    }

    fn flavour(&self) -> Flavour {
        Flavour::DeltaState
    }

    fn laws(&self) -> Vec<Law> {
        Law::catalogue(Flavour::DeltaState)
    }

    fn applicable(&self, law: Law) -> Result<(), String> {
        self.0.applicable(law)
    }

    fn strategy(&self, law: Law, size: Size) -> BoxedStrategy<Self::Case> {
        self.0.strategy(law, size)
    }

    fn check(&self, law: Law, case: &Self::Case) -> Outcome {
        let m = self.0.0;
        match law {
            Law::DeltaMatchesUpdate | Law::DeltaGrouping => {
                let exec = case.run(m);
                let [i, j, _] = case.resolve(&exec);
                let (s, t) = (&exec.samples[i], &exec.samples[j]);
                let ops = [&case.ops[0], &case.ops[1]];
                let outcome = if law == Law::DeltaMatchesUpdate {
                    delta::delta_matches_update(m, &s.state, s.replica, ops[0])
                } else {
                    delta::delta_grouping(m, &s.state, s.replica, ops, &s.state)
                        .and(|| delta::delta_grouping(m, &s.state, s.replica, ops, &t.state))
                };
                with_sources(outcome, &[("s", s), ("t", t)])
            }
            _ => self.0.check(law, case),
        }
    }

    fn story(&self, case: &Self::Case) -> Vec<String> {
        self.0.story(case)
    }
}

struct OpEngine<'m, M>(&'m M);

impl<M: OpCrdt + Sync> Engine for OpEngine<'_, M>
where
    M::Op: 'static,
{
    type Case = OpCase<M::Op>;

    fn name(&self) -> String {
        self.0.name()
    }

    fn flavour(&self) -> Flavour {
        Flavour::OpBased
    }

    fn laws(&self) -> Vec<Law> {
        Law::catalogue(Flavour::OpBased)
    }

    fn applicable(&self, law: Law) -> Result<(), String> {
        match law {
            Law::EffectIdempotent if !self.0.delivery().duplicates() => Err(format!(
                "the declared delivery ({:?}) never duplicates",
                self.0.delivery()
            )),
            Law::PreparePure if !gives_prepare(self.0) => Err(
                "the model gives no pure prepare (it produces messages with OpCrdt::local)".into(),
            ),
            _ => applicable_common(self.0, law),
        }
    }

    fn strategy(&self, _: Law, size: Size) -> BoxedStrategy<Self::Case> {
        op_cases(self.0, size)
    }

    fn check(&self, law: Law, case: &Self::Case) -> Outcome {
        let m = self.0;
        let exec = case.run(m);
        let [s0, s1, s2] = case.sel.map(|s| s as usize);
        let sample = &exec.samples[exec.samples.len() - 1 - s0 % exec.samples.len()];
        let message_source =
            |i: usize| format!("message {} ({:?})", exec.updates[i].dot, exec.updates[i].op);
        let outcome = match law {
            Law::PreparePure => op_based::prepare_pure(m, &sample.state, sample.replica, &case.op),
            Law::EffectsCommute => {
                let ready: Vec<usize> = (0..exec.messages.len())
                    .filter(|&i| deliverable(&exec, m.delivery(), &sample.seen, i))
                    .collect();
                if ready.len() < 2 {
                    return Outcome::PremiseNotMet;
                }
                let first = s1 % ready.len();
                let second = (first + 1 + s2 % (ready.len() - 1)) % ready.len();
                let (i1, i2) = (ready[first], ready[second]);
                let mut outcome = op_based::effects_commute(
                    m,
                    &sample.state,
                    &exec.messages[i1],
                    &exec.messages[i2],
                );
                if let Outcome::Broken(v) = &mut outcome {
                    for b in &mut v.inputs {
                        match b.name.as_str() {
                            "m₁" => b.source = Some(message_source(i1)),
                            "m₂" => b.source = Some(message_source(i2)),
                            _ => {}
                        }
                    }
                }
                outcome
            }
            Law::EffectIdempotent => {
                if exec.messages.is_empty() {
                    return Outcome::PremiseNotMet;
                }
                let i = s1 % exec.messages.len();
                let received = sample.seen.contains(i);
                if !received && !deliverable(&exec, m.delivery(), &sample.seen, i) {
                    return Outcome::PremiseNotMet;
                }
                let mut outcome =
                    op_based::effect_idempotent(m, &sample.state, &exec.messages[i], received);
                if let Outcome::Broken(v) = &mut outcome {
                    for b in &mut v.inputs {
                        if b.name == "m" {
                            b.source = Some(message_source(i));
                        }
                    }
                }
                outcome
            }
            Law::SerdeRoundTrip => codec::round_trip(m, &sample.state),
            Law::ReplayDeterministic => replay_matches(m, &exec, &case.run(m)),
            Law::ValueMatchesSpec => spec_everywhere(m, &exec),
            Law::InvariantHolds => invariant_everywhere(m, &exec),
            Law::ForkIndependent => {
                // The replica's next update, counting those it has applied by then.
                let seq = sample
                    .seen
                    .iter()
                    .filter(|&u| exec.updates[u].dot.replica == sample.replica)
                    .count() as u64
                    + 1;
                invariant::fork_independent(m, &sample.state, |t| {
                    m.local(t, Dot::new(sample.replica, seq), &case.op);
                })
            }
            _ => Outcome::Held,
        };
        with_sources(outcome, &[("s", sample), ("a", sample)])
    }

    fn story(&self, case: &Self::Case) -> Vec<String> {
        case.run(self.0).story
    }
}

/// The engine behind the test macros; not part of the public API.
#[doc(hidden)]
pub mod macro_support {
    use super::*;

    /// Runs one law as a test on a model it owns, under a watchdog; panics unless it passes.
    fn test_law<M, K>(
        model: M,
        law: Law,
        mut config: Config,
        source_file: &'static str,
        test_name: &'static str,
    ) where
        M: Send + Sync + 'static,
        K: Kind<M>,
    {
        let model = Arc::new(model);
        config.proptest.failure_persistence = ProptestConfig::default().failure_persistence;
        config.proptest.source_file = Some(source_file);
        config.proptest.test_name = Some(test_name);
        let seed = config
            .seed
            .or(match config.proptest.rng_seed {
                RngSeed::Fixed(seed) => Some(seed),
                RngSeed::Random => None,
            })
            .map(|base| law_seed(base, law));
        let mut watchdog = Watchdog::new(1, abandon_after(config.step_budget));
        let run = watched_laws::<M, K>(&mut watchdog, &model, &config, &[(law, seed)])
            .pop()
            .expect("one law, one run");
        let name = {
            let model = Arc::clone(&model);
            watchdog
                .run(move || contained_name(&K::engine(&model)))
                .unwrap_or_else(|stopped| format!("(a model whose name {stopped})"))
        };
        match run {
            LawRun::Skipped(skipped) => {
                eprintln!("{test_name}: not applicable: {}", skipped.reason);
            }
            LawRun::Ran(result) => assert!(
                result.verdict == Verdict::Passed,
                "{name} ({}): {result}",
                law.formula()
            ),
        }
    }

    /// Runs one state-based law as a test; panics unless it passes.
    pub fn state<M>(
        model: M,
        law: Law,
        config: Config,
        source_file: &'static str,
        test_name: &'static str,
    ) where
        M: StateCrdt + Send + Sync + 'static,
        M::Op: Send + 'static,
    {
        test_law::<M, StateKind>(model, law, config, source_file, test_name);
    }

    /// Runs one state-based or delta-state law as a test; panics unless it passes.
    pub fn delta<M>(
        model: M,
        law: Law,
        config: Config,
        source_file: &'static str,
        test_name: &'static str,
    ) where
        M: DeltaCrdt + Send + Sync + 'static,
        M::Op: Send + 'static,
    {
        test_law::<M, DeltaKind>(model, law, config, source_file, test_name);
    }

    /// Runs one op-based law as a test; panics unless it passes.
    pub fn op<M>(
        model: M,
        law: Law,
        config: Config,
        source_file: &'static str,
        test_name: &'static str,
    ) where
        M: OpCrdt + Send + Sync + 'static,
        M::Op: Send + 'static,
    {
        test_law::<M, OpKind>(model, law, config, source_file, test_name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn law_seeds_differ_per_law_and_repeat() {
        assert_eq!(law_seed(1, Law::JoinLeast), law_seed(1, Law::JoinLeast));
        assert_ne!(
            law_seed(1, Law::JoinLeast),
            law_seed(1, Law::JoinIdempotent)
        );
        assert_ne!(law_seed(1, Law::JoinLeast), law_seed(2, Law::JoinLeast));
    }

    #[test]
    fn premise_threshold_rounds_up() {
        let config = Config::default();
        assert_eq!(config.premise_threshold(256), 26);
        assert_eq!(config.premise_threshold(0), 0);
    }
}
