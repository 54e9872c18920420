//! The command line over a [`Catalogue`]: parsing, running, reporting.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::catalogue::{Catalogue, Entry, ErasedOp};
use crate::shard::{self, ShardArg};
use crdt_harness::explore::{Check, ExploreOptions, FaultBounds};
use crdt_harness::replay::{self, ReplayFile};
use crdt_harness::runner::{self, Checkpoint, Hung, Options, Progress, Summary, guarded};
use crdt_harness::schedule::{Dimension, Faults, Shape};
use crdt_harness::sim::Limits;
use crdt_harness::{Property, report};
use crdt_laws::{Config, Verdict};
use crdt_reports::{Format, Report};
use indicatif::{ProgressBar, ProgressStyle};

/// Property-based verification of CRDTs: the law catalogue and randomized multi-replica
/// schedules over a faulty network, with minimal, replayable counterexamples.
#[derive(Parser)]
#[command(name = "crdt-harness", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the models (with --broken, the broken ones: the gallery of broken CRDTs).
    List {
        /// List the broken models instead.
        #[arg(long)]
        broken: bool,
    },
    /// Check models, `all` models, or `broken` (every broken model): laws, then schedules.
    /// With --adapter, a CRDT in another process (any language; see docs/protocol.md).
    Check(Box<CheckArgs>),
    /// Serve a built-in model over the adapter protocol on stdin and stdout (docs/protocol.md):
    /// or-set, pn-counter, fugue-text, broken/remove-wins-sold-as-add-wins.
    #[command(hide = true)]
    Serve {
        /// The model.
        model: String,
    },
    /// Re-run a saved failure and report whether it still fails.
    Replay {
        /// A replay file written by `check`.
        file: PathBuf,
    },
    /// Combine reports (e.g. of shards) into one.
    MergeReports {
        /// JSON reports to merge.
        #[arg(required = true)]
        reports: Vec<PathBuf>,
        /// Print every skipped law with its reason.
        #[arg(short, long)]
        verbose: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Render a JSON report in another format.
    Render {
        /// A JSON report.
        input: PathBuf,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Explore every schedule within bounds (breadth-first, so a counterexample is a shortest
    /// one), and say exactly what was covered.
    Explore(ExploreArgs),
    /// Feed pseudo-random bytes through the fuzzing entry point (schedules read from raw bytes,
    /// as a coverage-guided fuzzer would supply them).
    Fuzz {
        /// A model name from `list`.
        model: String,
        /// How many inputs to try.
        #[arg(long, default_value_t = 10_000)]
        iterations: u64,
        /// Bytes per input.
        #[arg(long, default_value_t = 512)]
        len: usize,
        /// Seed of the byte stream.
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

#[derive(Args)]
struct CheckArgs {
    /// Models from `list`, `all` models, or `broken` for the broken ones.
    #[arg(required_unless_present = "adapter")]
    models: Vec<String>,
    /// Also check the CRDT served by this command over the adapter protocol (docs/protocol.md),
    /// run with `sh -c`, e.g. 'node my-adapter.js'. One process per worker thread.
    #[arg(long, value_name = "COMMAND")]
    adapter: Option<String>,
    /// The longest an adapter may take to answer one request before it is a finding (and is
    /// restarted).
    #[arg(long, default_value = "10s", value_parser = parse_positive_duration)]
    adapter_timeout: Duration,
    /// Replicas per schedule [default: each schedule draws 2 to 8, biased small].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=16))]
    replicas: Option<u32>,
    /// Most steps per schedule [default: each schedule draws its own most, up to 100].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    steps: Option<u32>,
    /// Faults: a comma-separated list of drop, dup, reorder, partition, crash; or all, none
    /// [default: each schedule draws its own subset of all].
    #[arg(long, value_parser = parse_faults)]
    faults: Option<Faults>,
    /// Schedules per model (default 1000).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), conflicts_with = "time")]
    schedules: Option<u64>,
    /// A time budget per model instead of a number of schedules (e.g. 30s, 5m).
    #[arg(long, value_parser = parse_positive_duration)]
    time: Option<Duration>,
    /// The run's seed: the same seed gives the same results with any number of threads.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Run a deterministic part of the seed space: shard k of n (e.g. 2/8), or `auto`: the
    /// shard of this Slurm array task (SLURM_ARRAY_TASK_ID), Kubernetes Indexed Job pod
    /// (JOB_COMPLETION_INDEX, with --shard-count or CRDT_SHARD_COUNT) or CRDT_SHARD=k/n.
    #[arg(long, default_value = "1/1", value_parser = shard::parse)]
    shard: ShardArg,
    /// With --shard auto: the number of shards of a Kubernetes Indexed Job (its completions).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    shard_count: Option<u32>,
    /// Keep a checkpoint beside the report (`<report>.checkpoint`) as the run goes, and go on
    /// from it if it is there: a run killed midway and started again with the same arguments
    /// ends with the report of an uninterrupted run. The checkpoint is removed at the end.
    #[arg(long)]
    resume: bool,
    /// With --resume: the least time between two checkpoints.
    #[arg(long, default_value = "5s", value_parser = parse_positive_duration)]
    checkpoint_interval: Duration,
    /// Go on after the first failure (shrinking the first of each property).
    #[arg(long)]
    keep_going: bool,
    /// Cases per law.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    cases: u32,
    /// Skip the laws.
    #[arg(long)]
    no_laws: bool,
    /// Skip the schedules.
    #[arg(long)]
    no_schedules: bool,
    /// Record state size and merge time per step (for the HTML report's charts).
    #[arg(long)]
    measure: bool,
    /// The longest one step may take before it is a finding (e.g. 5s).
    #[arg(long, default_value = "5s", value_parser = parse_positive_duration)]
    step_budget: Duration,
    /// Give up and report a hang when no schedule finishes (or the laws do not) for this long.
    #[arg(long, default_value = "120s", value_parser = parse_positive_duration)]
    hang_timeout: Duration,
    /// Where to write replay files of failures.
    #[arg(long)]
    replay_dir: Option<PathBuf>,
    /// Also write the JSON report here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Print every skipped law with its reason (by default, one line for all of them).
    #[arg(short, long)]
    verbose: bool,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Args)]
struct ExploreArgs {
    /// Models from `list`, `all` models, or `broken` for the broken ones.
    #[arg(required = true)]
    models: Vec<String>,
    /// Replicas.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(2..=8))]
    replicas: u32,
    /// The most steps per schedule.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u64).range(0..=64))]
    depth: u64,
    /// Distinct operations sampled from each model's generator (with a fixed seed): the
    /// operation alphabet.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=16))]
    ops: u64,
    /// Faults: a comma-separated list of drop, dup, reorder, partition, crash; or all, none
    /// [default: none; for a broken model, the faults its mistake needs].
    #[arg(long, value_parser = parse_faults)]
    faults: Option<Faults>,
    /// How many faults of each kind one schedule may contain.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..))]
    fault_bound: u8,
    /// Judge states by the explorer's own checks (confirmed by replay) instead of replaying
    /// every new state's schedule through the simulator: much faster, finds convergence bugs a
    /// few steps deeper.
    #[arg(long)]
    fast: bool,
    /// No symmetry reduction, even for models that declare their replicas interchangeable.
    #[arg(long)]
    no_symmetry: bool,
    /// No sleep sets.
    #[arg(long)]
    no_sleep_sets: bool,
    /// No depth pruning (with `--fast`: states holding more sent messages than steps are left
    /// are checked but not expanded).
    #[arg(long)]
    no_depth_pruning: bool,
    /// Stop cleanly after this many states and say which depth was completed.
    #[arg(long, default_value_t = 10_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    max_states: u64,
    /// Worker threads (the result is the same for any number; default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Where to write replay files of counterexamples [default: target/crdt-reports/replays].
    #[arg(long)]
    replay_dir: Option<PathBuf>,
    /// Also write what was covered, and the counterexamples, as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Args)]
struct OutputArgs {
    /// Report format: json, md, junit, html or terminal.
    #[arg(long, default_value = "json")]
    report: String,
    /// Where to write the report (default: target/crdt-reports/report.<ext>).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn parse_faults(s: &str) -> Result<Faults, String> {
    if s.split(',').all(|name| name.trim().is_empty()) {
        return Err("no fault named; for none, say `none`".into());
    }
    Faults::parse(s).map_err(|e| e.to_string())
}

fn parse_positive_duration(s: &str) -> Result<Duration, String> {
    match runner::parse_duration(s) {
        Ok(d) if d.is_zero() => Err("must be longer than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

/// The most shrinking steps for one failed law.
const MAX_LAW_SHRINK_STEPS: u32 = 100_000;

/// The program's name, for messages: the file name it was run as.
static PROGRAM: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn program() -> &'static str {
    PROGRAM.get().map_or("crdt-harness", String::as_str)
}

/// An error with its causes, each said once: a cause whose text the message already holds is
/// left out, and a cause that repeats the context it is given in replaces it.
fn error_text(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if parts.iter().any(|p| p.contains(&part)) {
            continue;
        }
        match parts.last_mut() {
            Some(last) if part.contains(last.as_str()) => *last = part,
            _ => parts.push(part),
        }
    }
    parts.join(": ")
}

/// How a command ended.
enum Ended {
    /// Everything held: exit 0.
    Held,
    /// A finding: exit 1.
    Finding,
    /// Stopped by Ctrl-C, report written and marked incomplete: exit 130.
    Interrupted,
}

impl From<bool> for Ended {
    fn from(held: bool) -> Self {
        if held { Ended::Held } else { Ended::Finding }
    }
}

/// Parses `args` (the program's name first) and runs the command over `catalogue`.
pub(crate) fn main_with_args<I, T>(catalogue: &Catalogue, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
    let program = args
        .first()
        .and_then(|a| Path::new(a).file_stem())
        .map_or_else(
            || "crdt-harness".to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
    let _ = PROGRAM.set(program.clone());
    // Once per process: clap names commands by `&'static str` without its `string` feature.
    let name: &'static str = program.clone().leak();
    let command = Cli::command().name(name).bin_name(name);
    let cli = match command
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            // One line: clap's first, without its usage and tips.
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or_default();
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("{program}: error: {first} (see --help)");
            return ExitCode::from(2);
        }
    };
    match run(catalogue, cli) {
        Ok(Ended::Held) => ExitCode::SUCCESS,
        Ok(Ended::Finding) => ExitCode::from(1),
        Ok(Ended::Interrupted) => ExitCode::from(130),
        Err(e) => {
            eprintln!("{program}: error: {}", error_text(&e));
            ExitCode::from(2)
        }
    }
}

/// Runs a command.
fn run(catalogue: &Catalogue, cli: Cli) -> Result<Ended> {
    match cli.command {
        Command::List { broken } => {
            list(catalogue, broken);
            Ok(Ended::Held)
        }
        Command::Check(args) => check(catalogue, &args),
        Command::Serve { model } => crate::adapter::serve_builtin(&model).map(|()| Ended::Held),
        Command::Replay { file } => replay_file(catalogue, &file).map(Ended::from),
        Command::MergeReports {
            reports,
            verbose,
            output,
        } => {
            refuse_directories([&output.out])?;
            let mut merged = Report::default();
            for path in &reports {
                let report = Report::read(path).with_context(|| path.display().to_string())?;
                merged.merge(report);
            }
            let passed = merged.summary().passed();
            print!("{}", terminal_text(&merged, verbose));
            write_report(&merged, &output)?;
            Ok(passed.into())
        }
        Command::Render { input, output } => {
            refuse_directories([&output.out])?;
            let report = Report::read(&input).with_context(|| input.display().to_string())?;
            write_report(&report, &output)?;
            Ok(Ended::Held)
        }
        Command::Explore(args) => explore(catalogue, &args),
        Command::Fuzz {
            model,
            iterations,
            len,
            seed,
        } => fuzz(catalogue, &model, iterations, len, seed).map(Ended::from),
    }
}

fn list(catalogue: &Catalogue, broken: bool) {
    if broken {
        for entry in catalogue.broken() {
            let g = entry.gallery().expect("broken entries describe themselves");
            let caught: Vec<String> = g
                .caught_by
                .iter()
                .map(|c| match c {
                    crdt_impls::broken::Catcher::Law(law) => format!("law {law}"),
                    crdt_impls::broken::Catcher::Oracle(p) => format!("oracle {p}"),
                })
                .collect();
            println!(
                "{:<42} {:<12} {}",
                entry.name(),
                entry.flavour().to_string(),
                g.mistake
            );
            println!(
                "{:<42} caught by {}; shows with {}",
                "",
                caught.join(", "),
                g.needs
            );
        }
    } else {
        for entry in catalogue.models() {
            println!(
                "{:<28} {:<12} {}",
                entry.name(),
                entry.flavour().to_string(),
                entry.description()
            );
        }
    }
}

/// The report as the terminal shows it: skipped laws in one line, or each with `verbose`.
fn terminal_text(report: &Report, verbose: bool) -> String {
    let colour = crdt_reports::colour_wanted(std::io::stdout().is_terminal());
    if verbose {
        crdt_reports::terminal_verbose(report, colour)
    } else {
        crdt_reports::terminal(report, colour)
    }
}

fn terminal_format() -> Format {
    Format::Terminal {
        colour: crdt_reports::colour_wanted(std::io::stdout().is_terminal()),
    }
}

fn entries(catalogue: &Catalogue, name: &str) -> Result<Vec<Arc<dyn Entry>>> {
    Ok(match name {
        "all" => catalogue.models().to_vec(),
        "broken" => catalogue.broken().to_vec(),
        _ => match catalogue.find(name) {
            Some(entry) => vec![Arc::clone(entry)],
            None => return Err(unknown_model(name)),
        },
    })
}

fn unknown_model(name: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "unknown model {name:?}; `{} list` shows the models",
        program()
    )
}

/// Stops runs between batches on Ctrl-C; a second Ctrl-C exits at once.
fn interrupt_flag() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // Installing a handler fails only if one is installed already; then Ctrl-C just exits.
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: finishing the current batch and writing the report");
    });
    stop
}

/// Refuses, before any work, report paths that are directories.
fn refuse_directories<'a>(paths: impl IntoIterator<Item = &'a Option<PathBuf>>) -> Result<()> {
    for path in paths.into_iter().flatten() {
        if path.is_dir() {
            bail!(
                "{} is a directory: give a file name for the report",
                path.display()
            );
        }
    }
    Ok(())
}

fn check(catalogue: &Catalogue, args: &CheckArgs) -> Result<Ended> {
    if args.no_laws && args.no_schedules {
        bail!("--no-laws with --no-schedules leaves nothing to check");
    }
    refuse_directories([&args.output.out, &args.json])?;
    let started = SystemTime::now();
    let clock = Instant::now();
    let mut entries = Vec::new();
    for name in &args.models {
        entries.extend(self::entries(catalogue, name)?);
    }
    let shard = args
        .shard
        .resolve(args.shard_count, &|name| std::env::var(name).ok())
        .map_err(anyhow::Error::msg)?;
    let mut adapter = None;
    if let Some(command) = &args.adapter {
        if command.trim().is_empty() {
            bail!("--adapter needs a command");
        }
        let entry = crate::adapter::entry(command, args.adapter_timeout)?;
        adapter = Some(Arc::clone(&entry));
        entries.push(entry);
    }
    let stop = interrupt_flag();
    let threads = args.threads.map(|t| t as usize);
    let options = Options {
        shape: {
            // What the user names is fixed; the rest each schedule draws (swarm testing).
            let swarm = Shape::default();
            Shape {
                replicas: args.replicas.map_or(swarm.replicas, Dimension::Fixed),
                steps: args
                    .steps
                    .map_or(swarm.steps, |s| Dimension::Fixed(s as usize)),
                faults: args.faults.map_or(swarm.faults, Dimension::Fixed),
                ..swarm
            }
        },
        seed: args.seed,
        schedules: args.schedules.or(if args.time.is_some() {
            None
        } else {
            Some(1000)
        }),
        time: args.time,
        threads,
        shard,
        keep_going: args.keep_going,
        limits: Limits {
            step_budget: args.step_budget,
            ..Limits::default()
        },
        measure: args.measure,
        stop: Some(Arc::clone(&stop)),
        ..Options::default()
    };
    let mut laws_config = Config::default()
        .with_seed(args.seed)
        .with_cases(args.cases);
    // proptest stops shrinking a failed law after 4 × cases steps by default and says so on
    // stderr, whatever its verbosity; the gallery's law failures need up to a few thousand.
    // A bound the laws do not reach keeps stderr clean; PROPTEST_MAX_SHRINK_ITERS still wins.
    if std::env::var_os("PROPTEST_MAX_SHRINK_ITERS").is_none() {
        laws_config.proptest.max_shrink_iters = MAX_LAW_SHRINK_STEPS;
    }
    // Replay files go beside the report: `replays/` next to --out (or --json), else the
    // default report directory's.
    let replay_dir = args.replay_dir.clone().unwrap_or_else(|| {
        match args.output.out.as_ref().or(args.json.as_ref()) {
            Some(out) => out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .join("replays"),
            None => crdt_reports::default_output_dir().join("replays"),
        }
    });
    let saved = if args.resume {
        Some(Saved::open(args, &options)?)
    } else {
        None
    };
    let mut unsaved = 0usize;
    let mut passed = true;
    let mut complete = true;
    let mut models = Vec::new();
    let mut used_threads = threads.unwrap_or_else(rayon::current_num_threads);
    for (position, entry) in entries.iter().enumerate() {
        if stop.load(Ordering::Relaxed) {
            complete = false;
            break;
        }
        if let Some(done) = saved.as_ref().and_then(|s| s.done(position, entry.name())) {
            passed &= done.passed;
            unsaved += done.unsaved;
            models.push((done.name, done.report));
            continue;
        }
        let options = match &saved {
            Some(saved) => saved.options_for(entry.name(), &options),
            None => options.clone(),
        };
        let unsaved_before = unsaved;
        let mut held = true;
        let mut model = crdt_reports::ModelReport::new(report::flavour(entry.flavour()));
        if !args.no_laws {
            let work = {
                let (entry, mut config) = (Arc::clone(entry), laws_config.clone());
                if adapter.as_ref().is_some_and(|a| Arc::ptr_eq(a, &entry)) {
                    // A failing case that crashes the adapter costs a process start.
                    config.proptest.max_shrink_iters = crate::adapter::LAW_SHRINK_STEPS;
                }
                move || entry.check_laws(&config)
            };
            match guarded(args.hang_timeout, None, work) {
                Ok(laws) => {
                    held &= laws.all_passed();
                    for law in laws.results.iter().filter(|r| r.verdict != Verdict::Passed) {
                        eprint!("{}: {law}", entry.name());
                    }
                    model = report::laws(&laws);
                    // The laws of a sync model are its CRDT's; the model replicates by its sync.
                    model.flavour = report::flavour(entry.flavour());
                }
                Err(hung) => {
                    models.push((
                        entry.name().to_string(),
                        hang_report(model, &options, hung, "the laws"),
                    ));
                    passed = false;
                    complete = false;
                    break;
                }
            }
        }
        if !args.no_schedules {
            let options = with_needed_clock_skew(entry.as_ref(), &options);
            match run_with_progress(entry, &options, args.hang_timeout) {
                Ok(summary) => {
                    used_threads = summary.threads;
                    complete &= summary.complete;
                    held &= summary.passed();
                    let extras = save_failures(entry.as_ref(), &summary, &options, &replay_dir);
                    unsaved += extras.iter().filter(|(file, _)| file.is_none()).count();
                    let (config, run) = report::run(&summary, &extras);
                    model = model.with_run(config, run);
                }
                Err(hung) => {
                    models.push((
                        entry.name().to_string(),
                        hang_report(model, &options, hung, "a schedule"),
                    ));
                    passed = false;
                    complete = false;
                    break;
                }
            }
        }
        passed &= held;
        if let Some(saved) = &saved
            && complete
        {
            saved.finish(SavedModel {
                name: entry.name().to_string(),
                report: model.clone(),
                passed: held,
                unsaved: unsaved - unsaved_before,
            });
        }
        models.push((entry.name().to_string(), model));
    }
    let invocation = report::invocation(
        std::env::args().collect(),
        args.seed,
        used_threads,
        shard,
        started,
        clock.elapsed(),
        complete,
    );
    let mut report = Report::new(invocation);
    for (name, model) in models {
        report = report.with_model(name, model);
    }
    print!("{}", terminal_text(&report, args.verbose));
    let written = args
        .json
        .as_ref()
        .map_or(Ok(()), |json| write_to(&report, Format::Json, json))
        .and_then(|()| write_report(&report, &args.output));
    match written {
        // A finding outranks a report that could not be written: both are said, and the exit
        // status is the finding's.
        Err(e) if !passed => {
            eprintln!("{}: error: {}", program(), error_text(&e));
            eprintln!(
                "{}: the run found a failure (above): exit status 1",
                program()
            );
            return Ok(Ended::Finding);
        }
        Err(e) => return Err(e),
        Ok(()) => {}
    }
    if let Some(saved) = &saved
        && complete
    {
        saved.remove();
    }
    if unsaved > 0 {
        eprintln!(
            "{}: {unsaved} replay file(s) could not be written (above)",
            program()
        );
    }
    if stop.load(Ordering::Relaxed) {
        eprintln!("the run was interrupted: the report is marked incomplete");
        return Ok(Ended::Interrupted);
    }
    Ok(passed.into())
}

/// A `check --resume` run's checkpoint, beside its report: the models finished, and the
/// progress of the one under way. Written atomically, so a run killed at any point leaves
/// the last whole one.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct SavedRun {
    /// The arguments that decide the results: only a run that agrees resumes.
    run: String,
    done: Vec<SavedModel>,
    current: Option<(String, Progress)>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct SavedModel {
    name: String,
    report: crdt_reports::ModelReport,
    passed: bool,
    unsaved: usize,
}

/// The checkpoint file and what it holds, shared with the runs' checkpoint callbacks.
struct Saved {
    path: PathBuf,
    every: Duration,
    state: Arc<std::sync::Mutex<SavedRun>>,
}

impl Saved {
    /// Reads the checkpoint beside the report if there is one (it must be this run's), or
    /// starts one.
    fn open(args: &CheckArgs, options: &Options) -> Result<Saved> {
        let report = args
            .json
            .clone()
            .or_else(|| args.output.out.clone())
            .unwrap_or_else(|| crdt_reports::default_output_dir().join("report"));
        let mut name = report.file_name().unwrap_or_default().to_os_string();
        name.push(".checkpoint");
        let path = report.with_file_name(name);
        let run = format!(
            "models {:?} laws {} cases {} schedules {} {}",
            args.models,
            !args.no_laws,
            args.cases,
            !args.no_schedules,
            options.identity()
        );
        let state = match std::fs::read(&path) {
            Ok(bytes) => {
                let state: SavedRun = serde_json::from_slice(&bytes).with_context(|| {
                    format!(
                        "checkpoint {} is unreadable (delete it to start afresh)",
                        path.display()
                    )
                })?;
                if state.run != run {
                    bail!(
                        "checkpoint {} is another run's (other models, seed, shard or \
                         budget): delete it or give another --out",
                        path.display()
                    );
                }
                eprintln!("resuming from {}", path.display());
                state
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => SavedRun {
                run,
                ..SavedRun::default()
            },
            Err(e) => bail!("reading checkpoint {}: {e}", path.display()),
        };
        Ok(Saved {
            path,
            every: args.checkpoint_interval,
            state: Arc::new(std::sync::Mutex::new(state)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SavedRun> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The model at `position` of the run, if the checkpoint has it finished.
    fn done(&self, position: usize, name: &str) -> Option<SavedModel> {
        self.lock()
            .done
            .get(position)
            .filter(|done| done.name == name)
            .cloned()
    }

    /// `options` for the model `name`: resuming its progress, and checkpointing it.
    fn options_for(&self, name: &str, options: &Options) -> Options {
        let resume = self
            .lock()
            .current
            .as_ref()
            .filter(|(current, _)| current == name)
            .map(|(_, progress)| progress.clone());
        let (state, path, name) = (Arc::clone(&self.state), self.path.clone(), name.to_string());
        let save = move |progress: &Progress| {
            let mut state = state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            state.current = Some((name.clone(), progress.clone()));
            write_checkpoint(&path, &state);
        };
        Options {
            resume,
            checkpoint: Some(Checkpoint {
                every: self.every,
                save: Arc::new(save),
            }),
            ..options.clone()
        }
    }

    /// Records a finished model.
    fn finish(&self, model: SavedModel) {
        let mut state = self.lock();
        state.done.push(model);
        state.current = None;
        write_checkpoint(&self.path, &state);
    }

    /// Removes the checkpoint: the run is over.
    fn remove(&self) {
        if let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            eprintln!("{}: removing {}: {e}", program(), self.path.display());
        }
    }
}

fn write_checkpoint(path: &Path, state: &SavedRun) {
    let written = serde_json::to_vec(state)
        .map_err(anyhow::Error::from)
        .and_then(|bytes| {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            crdt_reports::write_atomic(path, &bytes).map_err(anyhow::Error::from)
        });
    if let Err(e) = written {
        eprintln!(
            "{}: checkpoint {} not written: {}",
            program(),
            path.display(),
            error_text(&e)
        );
    }
}

/// Adds a step-timeout finding for a hang to a model's report: the harness gave up waiting.
fn hang_report(
    model: crdt_reports::ModelReport,
    options: &Options,
    hung: Hung,
    what: &str,
) -> crdt_reports::ModelReport {
    let message = format!(
        "{what} made no progress for {:.0?}: a call into the model may never return \
         (the run stopped here; rerun with a larger --hang-timeout if it is only slow)",
        hung.silent_for
    );
    eprintln!("crdt-harness: {message}");
    let summary: Summary<ErasedOp> = Summary {
        model: String::new(),
        flavour: crdt_laws::Flavour::StateBased,
        seed: options.seed,
        shape: options.shape,
        shard: options.shard,
        threads: options.threads.unwrap_or(1),
        schedules: 0,
        steps: 0,
        duration: hung.silent_for,
        failures: Vec::new(),
        more_failures: 0,
        measurements: Vec::new(),
        sync: None,
        complete: false,
    };
    let (config, mut run) = report::run(&summary, &[]);
    for shard in run.shards.values_mut() {
        shard.findings.push(crdt_reports::Finding {
            property: report::property(Property::StepTimeout),
            message: message.clone(),
            seed: options.seed,
            ..crdt_reports::Finding::default()
        });
    }
    model.with_run(config, run)
}

/// `options` for `entry`: a gallery entry whose mistake needs clock skew (no part of `all`)
/// gets it when the user left the faults to the swarm, like every other entry gets the network
/// faults it needs from the default.
fn with_needed_clock_skew(entry: &dyn Entry, options: &Options) -> Options {
    let mut options = options.clone();
    let needs_skew = entry
        .gallery()
        .is_some_and(|g| Faults::parse(g.faults()).is_ok_and(|f| f.clock_skew));
    if needs_skew && let Dimension::Swarm(faults) = options.shape.faults {
        options.shape.faults = Dimension::Swarm(Faults {
            clock_skew: true,
            ..faults
        });
    }
    options
}

fn run_with_progress(
    entry: &Arc<dyn Entry>,
    options: &Options,
    hang_timeout: Duration,
) -> Result<Summary<ErasedOp>, Hung> {
    let progress = Arc::new(AtomicU64::new(0));
    let options = Options {
        progress: Some(Arc::clone(&progress)),
        ..options.clone()
    };
    let bar = if std::io::stderr().is_terminal() {
        match options.schedules {
            Some(n) => ProgressBar::new(n / u64::from(options.shard.count.max(1))),
            None => ProgressBar::new_spinner(),
        }
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix} {bar:30} {pos}/{len} schedules, {per_sec}, {elapsed_precise}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(entry.name().to_string());
    let done = Arc::new(AtomicBool::new(false));
    let ticker = {
        let (bar, done, progress) = (bar.clone(), Arc::clone(&done), Arc::clone(&progress));
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                bar.set_position(progress.load(Ordering::Relaxed));
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let work = {
        let entry = Arc::clone(entry);
        move || entry.run(&options)
    };
    let summary = guarded(hang_timeout, Some(progress), work);
    done.store(true, Ordering::Relaxed);
    let _ = ticker.join();
    bar.finish_and_clear();
    summary
}

/// Writes each failure's replay file and prints its regression test; returns both per failure
/// (no file when it could not be written: the error is printed, the finding stands).
fn save_failures(
    entry: &dyn Entry,
    summary: &Summary<ErasedOp>,
    options: &Options,
    dir: &Path,
) -> Vec<(Option<String>, Option<String>)> {
    let mut extras = Vec::new();
    for failure in &summary.failures {
        let saved = save_failure(
            entry,
            failure,
            options.shape.faults.bound(),
            options.limits,
            dir,
        );
        let name = format!(
            "{}_{}_seed_{}_schedule_{}",
            entry.name(),
            failure.finding.property,
            failure.seed,
            failure.schedule_index
        );
        let test = regression_test(entry, &name, failure, options.shape.faults.bound());
        eprintln!(
            "{}: {} (schedule {}, {} steps shrunk to {})\n{}",
            entry.name(),
            failure.finding.property,
            failure.schedule_index,
            failure.shrink.steps_before,
            failure.shrink.steps_after,
            replay_and_test(&saved, &test)
        );
        extras.push((saved.ok().map(|p| p.display().to_string()), Some(test)));
    }
    extras
}

/// A failure as a `#[test]` of the entry's model.
fn regression_test(
    entry: &dyn Entry,
    name: &str,
    failure: &crdt_harness::Failure<ErasedOp>,
    faults: Faults,
) -> String {
    let flavour = match entry.flavour() {
        crdt_laws::Flavour::StateBased => "state",
        crdt_laws::Flavour::DeltaState => "delta",
        crdt_laws::Flavour::OpBased => "op",
        crdt_laws::Flavour::Sync => "sync",
    };
    replay::regression_test(name, entry.constructor(), flavour, failure, faults)
}

/// How to replay a saved failure (or why it was not saved), then its regression test,
/// indented for the terminal.
fn replay_and_test(saved: &Result<PathBuf>, test: &str) -> String {
    let replay = match saved {
        Ok(path) => format!("replay: {}", replay_command(path)),
        Err(e) => format!("no replay file: {}", error_text(e)),
    };
    format!(
        "  {replay}\n  as a test:\n{}",
        test.lines()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// Writes one failure's replay file into `dir`; returns its path.
fn save_failure(
    entry: &dyn Entry,
    failure: &crdt_harness::Failure<ErasedOp>,
    faults: Faults,
    limits: Limits,
    dir: &Path,
) -> Result<PathBuf> {
    let file = ReplayFile::new(entry.name(), failure, faults, limits)?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(replay::file_name(
        entry.name(),
        failure.finding.property,
        failure.seed,
        failure.schedule_index,
    ));
    crdt_reports::write_atomic(&path, file.to_json().as_bytes())
        .with_context(|| format!("writing replay file {}", path.display()))?;
    Ok(path)
}

/// The command that replays `file` as this program was run: its real path (the same binary,
/// wherever the shell's PATH points) and the file's absolute path, quoted for a POSIX shell.
fn replay_command(file: &Path) -> String {
    let exe =
        std::env::current_exe().map_or_else(|_| program().to_string(), |p| p.display().to_string());
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    format!(
        "{} replay {}",
        shell_quote(&exe),
        shell_quote(&file.display().to_string())
    )
}

/// `word` as one word of a POSIX shell command.
fn shell_quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._+-:=@,%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn write_to(report: &Report, format: Format, path: &Path) -> Result<()> {
    // The error names the path and what was being done.
    report
        .write(path, format)
        .context("the report could not be written")?;
    eprintln!("report: {}", path.display());
    Ok(())
}

fn write_report(report: &Report, output: &OutputArgs) -> Result<()> {
    let format = match output.report.as_str() {
        "terminal" => terminal_format(),
        other => other
            .parse::<Format>()
            .with_context(|| format!("--report {other:?}"))?,
    };
    let path = output
        .out
        .clone()
        .unwrap_or_else(|| crdt_reports::default_output_path(format));
    write_to(report, format, &path)
}

fn replay_file(catalogue: &Catalogue, path: &Path) -> Result<bool> {
    let file = ReplayFile::read(path).with_context(|| path.display().to_string())?;
    let entry = catalogue
        .find(&file.model)
        .ok_or_else(|| unknown_model(&file.model))?;
    let outcome = entry.replay(&file)?;
    match outcome.finding {
        Some(finding) if finding.property == file.property => {
            println!("{}: reproduced\n{finding}", file.model);
            Ok(false)
        }
        Some(finding) => {
            println!(
                "{}: the saved {} no longer reproduces, but another property breaks:\n{finding}",
                file.model, file.property
            );
            Ok(false)
        }
        None => {
            println!(
                "{}: the saved {} no longer reproduces ({} steps replayed)",
                file.model, file.property, outcome.stats.effective_steps
            );
            Ok(true)
        }
    }
}

/// The JSON `explore --json` writes: what each exploration covered, and its counterexample.
#[derive(serde::Serialize)]
struct ExploreJson {
    /// The format's version.
    version: u32,
    explorations: Vec<ExplorationJson>,
}

#[derive(serde::Serialize)]
struct ExplorationJson {
    coverage: crdt_harness::explore::Coverage,
    /// The coverage in one sentence.
    statement: String,
    counterexample: Option<CounterexampleJson>,
}

#[derive(serde::Serialize)]
struct CounterexampleJson {
    property: String,
    message: String,
    schedule: crdt_harness::Schedule<ErasedOp>,
    replay_file: Option<String>,
    test: String,
}

fn explore(catalogue: &Catalogue, args: &ExploreArgs) -> Result<Ended> {
    refuse_directories([&args.json])?;
    let mut entries = Vec::new();
    for name in &args.models {
        entries.extend(self::entries(catalogue, name)?);
    }
    let replay_dir = args
        .replay_dir
        .clone()
        .unwrap_or_else(|| crdt_reports::default_output_dir().join("replays"));
    let depth = usize::try_from(args.depth).context("--depth")?;
    let sample = usize::try_from(args.ops).context("--ops")?;
    let mut passed = true;
    let mut explorations = Vec::new();
    for entry in &entries {
        if entry.flavour() == crdt_laws::Flavour::Sync {
            // The explorer drives the harness's own transports, not a model's sync protocol.
            println!(
                "{}: unsupported for sync (check it with `check`)",
                entry.name()
            );
            continue;
        }
        // A broken model is explored under the faults its mistake needs, unless told.
        let faults = args.faults.unwrap_or_else(|| {
            entry.gallery().map_or(Faults::NONE, |g| {
                Faults::parse(g.faults()).expect("a gallery entry names known faults")
            })
        });
        let options = ExploreOptions {
            replicas: args.replicas,
            depth,
            sample,
            faults,
            bounds: FaultBounds::each(args.fault_bound),
            symmetric: !args.no_symmetry,
            sleep_sets: !args.no_sleep_sets,
            depth_pruning: !args.no_depth_pruning,
            max_states: args.max_states,
            threads: args.threads.map(|t| t as usize),
            check: if args.fast {
                Check::Fast
            } else {
                Check::Replay
            },
        };
        let exploration = entry
            .explore(&options)
            .with_context(|| format!("exploring {}", entry.name()))?;
        let statement = exploration.coverage.to_string();
        let counterexample = exploration.counterexample.as_ref().map(|c| {
            passed = false;
            let failure = c.failure();
            let saved = save_failure(
                entry.as_ref(),
                &failure,
                faults,
                Limits::default(),
                &replay_dir,
            );
            let name = format!("{}_{}_explored", entry.name(), failure.finding.property);
            let test = regression_test(entry.as_ref(), &name, &failure, faults);
            println!("{exploration}");
            eprintln!("{}", replay_and_test(&saved, &test));
            CounterexampleJson {
                property: c.finding.property.to_string(),
                message: c.finding.to_string(),
                schedule: c.schedule.clone(),
                replay_file: saved.ok().map(|p| p.display().to_string()),
                test,
            }
        });
        if counterexample.is_none() {
            println!("{statement}");
        }
        explorations.push(ExplorationJson {
            coverage: exploration.coverage,
            statement,
            counterexample,
        });
    }
    if let Some(path) = &args.json {
        let json = ExploreJson {
            version: 1,
            explorations,
        };
        let text = serde_json::to_string_pretty(&json).context("serializing the explorations")?;
        crdt_reports::write_atomic(path, text.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("report: {}", path.display());
    }
    Ok(passed.into())
}

fn fuzz(
    catalogue: &Catalogue,
    model: &str,
    iterations: u64,
    len: usize,
    seed: u64,
) -> Result<bool> {
    let entry = catalogue.find(model).ok_or_else(|| unknown_model(model))?;
    let options = Options::default();
    let mut state = seed;
    let mut ran = 0u64;
    for i in 0..iterations {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state = crdt_laws::seed::splitmix64(state);
                state as u8
            })
            .collect();
        let Some(outcome) = entry.run_bytes(&bytes, &options) else {
            continue;
        };
        ran += 1;
        if let Some(finding) = outcome.finding {
            println!("{model}: input {i} breaks {}:\n{finding}", finding.property);
            return Ok(false);
        }
    }
    println!("{model}: {ran} fuzz inputs ran, no finding");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
