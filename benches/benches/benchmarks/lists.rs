//! The Fugue lists on real editing traces (Joseph Gentle's `editing-traces`, CC BY 4.0, read
//! from `../shared/traces/`; skipped with a message when the folder is absent):
//!
//! - `lists-replay`: local replay of every sequential trace on a [`FugueText`], beside the
//!   floors (a `ropey` rope and a `jumprope` rope) and, with `peers`,
//!   cola, diamond-types, yrs and automerge, each driven as its own benchmarks do (see
//!   `crdt_benches::peers`: yrs with one transaction per patch, automerge with one transaction
//!   for the whole trace, cola tracking positions only, without the text). All are fed the
//!   same edits, parsed once outside the timing (`crdt_benches::text::sequential`).
//! - `lists-concurrent`: the concurrent traces replayed with one replica per agent, each
//!   receiving the others' edits (operations) before editing the merged text, Fugue beside the
//!   same peers. automerge, which takes over a minute per concurrent replay here (one change
//!   sent and applied per transaction, as its sync recommends), runs only when the environment
//!   variable `CRDT_BENCH_SLOW_PEERS` is set.
//! - `lists-state-merge`: a fresh Fugue replica merging the agents' final states (state-based
//!   synchronisation of a whole document).
//!
//! Each implementation's result is checked against the trace's `endContent` once per bench,
//! during a first replay under the counting allocator, which also saves the peak and the kept
//! heap bytes per final character as metrics (`bench-report` shows them as notes). Throughput
//! counts the trace's patches, so criterion reports edits per second.

use std::cell::Cell;
use std::hint::black_box;

use crdt_benches::metrics::{self, Metrics};
#[cfg(feature = "peers")]
use crdt_benches::text::Concurrent;
use crdt_benches::text::{self, replay_fugue, replay_jumprope, replay_ropey};
use crdt_impls::FugueText;
use crdt_impls::fugue::Fugue;
use crdt_impls::fugue::replay::replay_schedule;
use crdt_impls::traces::{self, ConcurrentTrace, SequentialTrace};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput};

use super::{ALLOC, config};

/// Set this environment variable to also run the peers that take over a minute per replay.
#[cfg(feature = "peers")]
const SLOW_PEERS_ENV: &str = "CRDT_BENCH_SLOW_PEERS";

/// The traces folder, or a message saying the list benches are skipped.
fn traces_dir() -> Option<std::path::PathBuf> {
    let dir = traces::traces_dir();
    if dir.is_none() {
        eprintln!(
            "lists: no traces folder (../shared/traces, or ${}): skipping the list benches",
            traces::TRACES_DIR_ENV
        );
    }
    dir
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    // A replay takes milliseconds to seconds: ten samples of one replay each.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group
}

/// The benches of one trace in one group.
struct TraceBench<'g, 'a> {
    group: &'g mut BenchmarkGroup<'a, WallTime>,
    /// The group's name, for the metrics' folder.
    group_name: &'static str,
    trace: &'static str,
    /// The characters of the trace's end content.
    chars: usize,
}

impl TraceBench<'_, '_> {
    /// Benches `replay` as `function`: one replay under the counting allocator first, whose
    /// result `check` compares with the trace's end content (returning any metrics of its
    /// own) and whose peak and kept heap bytes per final character are saved as metrics; then
    /// the timed replays (their results dropped outside the timing). The first replay is
    /// done when criterion first runs the bench, so a filtered run does not replay the
    /// traces of the benches it skips (a yrs replay takes seconds).
    fn bench<R>(&mut self, function: &str, replay: impl Fn() -> R, check: impl Fn(&R) -> Metrics) {
        let (group_name, trace, chars) = (self.group_name, self.trace, self.chars);
        let checked = Cell::new(false);
        self.group
            .bench_function(BenchmarkId::new(function, trace), |b| {
                if !checked.replace(true) {
                    let (result, usage) = ALLOC.measure(&replay);
                    let mut m = check(&result);
                    drop(result);
                    let chars = chars.max(1) as f64;
                    m.insert("peak_bytes_per_char".into(), usage.peak as f64 / chars);
                    m.insert(
                        "retained_bytes_per_char".into(),
                        usage.retained as f64 / chars,
                    );
                    if let Err(e) = metrics::write(group_name, function, trace, &m) {
                        eprintln!(
                            "{group_name}/{function}/{trace}: could not save the memory metrics: {e}"
                        );
                    }
                }
                b.iter_with_large_drop(|| black_box(replay()));
            });
    }
}

/// A check that returns no metrics of its own.
fn checked(ok: bool, what: &str) -> Metrics {
    assert!(ok, "{what} does not end with the trace's endContent");
    Metrics::new()
}

fn load_sequential(dir: &std::path::Path, name: &str) -> Option<SequentialTrace> {
    traces::load_sequential(dir, name)
        .map_err(|e| eprintln!("lists: skipping {name}: {e}"))
        .ok()
}

fn load_concurrent(dir: &std::path::Path, name: &str) -> Option<ConcurrentTrace> {
    traces::load_concurrent(dir, name)
        .map_err(|e| eprintln!("lists: skipping {name}: {e}"))
        .ok()
}

fn sequential(c: &mut Criterion) {
    let Some(dir) = traces_dir() else { return };
    let mut group = group(c, "lists-replay");
    for name in traces::SEQUENTIAL {
        let Some(trace) = load_sequential(&dir, name) else {
            continue;
        };
        let edits = text::sequential(&trace);
        let end = trace.end_content.as_str();
        let end_chars = end.chars().count();
        group.throughput(Throughput::Elements(edits.len() as u64));
        let mut b = TraceBench {
            group: &mut group,
            group_name: "lists-replay",
            trace: name,
            chars: end_chars,
        };
        b.bench(
            "FugueText",
            || replay_fugue(&edits),
            |t| {
                let mut m = checked(t.to_string() == end, "FugueText");
                let per_char = t.memory_usage() as f64 / end_chars.max(1) as f64;
                m.insert("estimate_bytes_per_char".into(), per_char);
                m
            },
        );
        b.bench(
            "floor-ropey",
            || replay_ropey(&edits),
            |r| checked(*r == end, "ropey"),
        );
        b.bench(
            "floor-jumprope",
            || replay_jumprope(&edits),
            |r| checked(r.to_string() == end, "jumprope"),
        );
        #[cfg(feature = "peers")]
        {
            use crdt_benches::peers;
            let bytes = text::to_bytes(&edits);
            b.bench(
                "peer-cola",
                || peers::cola_replay(&edits),
                |r| checked(r.len() == end_chars, "cola"),
            );
            b.bench(
                "peer-diamond-types",
                || peers::diamond_replay(&edits),
                |d| checked(peers::diamond_string(d) == end, "diamond-types"),
            );
            b.bench(
                "peer-yrs",
                || peers::yrs_replay(&bytes),
                |y| checked(peers::yrs_string(y) == end, "yrs"),
            );
            b.bench(
                "peer-automerge",
                || peers::automerge_replay(&edits),
                |a| checked(peers::automerge_string(a) == end, "automerge"),
            );
        }
    }
    group.finish();
}

fn concurrent(c: &mut Criterion) {
    let Some(dir) = traces_dir() else { return };
    let mut group = group(c, "lists-concurrent");
    for name in traces::CONCURRENT {
        let Some(trace) = load_concurrent(&dir, name) else {
            continue;
        };
        let schedule = trace.replay_schedule();
        let end = trace.end_content.as_str();
        let end_chars = end.chars().count();
        group.throughput(Throughput::Elements(trace.num_patches() as u64));
        let mut b = TraceBench {
            group: &mut group,
            group_name: "lists-concurrent",
            trace: name,
            chars: end_chars,
        };
        b.bench(
            "FugueText",
            || replay_schedule::<Fugue>(&trace, &schedule).expect("a causal replay"),
            |texts| checked(texts.iter().all(|t| t.to_string() == end), "FugueText"),
        );
        #[cfg(feature = "peers")]
        {
            use crdt_benches::peers;
            let replay = Concurrent::new(&trace);
            let bytes = replay.byte_edits(&trace);
            b.bench(
                "peer-cola",
                || peers::cola_concurrent(&replay),
                |rs| checked(rs.iter().all(|r| r.len() == end_chars), "cola"),
            );
            b.bench(
                "peer-diamond-types",
                || peers::diamond_concurrent(&replay),
                |ds| {
                    let ok = ds.iter().all(|d| peers::diamond_string(d) == end);
                    checked(ok, "diamond-types")
                },
            );
            b.bench(
                "peer-yrs",
                || peers::yrs_concurrent(&replay, &bytes),
                |ys| checked(ys.iter().all(|y| peers::yrs_string(y) == end), "yrs"),
            );
            // automerge syncs one change per transaction in 70 s (friendsforever) to 115 s
            // (clownschool) per replay here, so ten samples of each trace take over half an
            // hour: it runs only when asked.
            if std::env::var_os(SLOW_PEERS_ENV).is_some() {
                b.bench(
                    "peer-automerge",
                    || peers::automerge_concurrent(&replay),
                    |docs| {
                        let ok = docs.iter().all(|a| peers::automerge_string(a) == end);
                        checked(ok, "automerge")
                    },
                );
            } else {
                eprintln!(
                    "lists-concurrent/peer-automerge/{name}: skipped (over a minute per replay); \
                     set {SLOW_PEERS_ENV}=1 to run it"
                );
            }
        }
    }
    group.finish();
}

fn state_merge(c: &mut Criterion) {
    let Some(dir) = traces_dir() else { return };
    let mut group = group(c, "lists-state-merge");
    for name in traces::CONCURRENT {
        let Some(trace) = load_concurrent(&dir, name) else {
            continue;
        };
        let texts: Vec<FugueText> =
            replay_schedule(&trace, &trace.replay_schedule()).expect("a causal replay");
        let end = trace.end_content.as_str();
        group.throughput(Throughput::Elements(trace.num_patches() as u64));
        let fresh = crdt_impls::ReplicaId::new(u32::try_from(trace.num_agents).unwrap_or(u32::MAX));
        let mut b = TraceBench {
            group: &mut group,
            group_name: "lists-state-merge",
            trace: name,
            chars: end.chars().count(),
        };
        b.bench(
            "FugueText",
            || {
                let mut merged = FugueText::new(fresh);
                for t in &texts {
                    merged.merge(t);
                }
                merged
            },
            |m| checked(m.to_string() == end, "the merged FugueText"),
        );
    }
    group.finish();
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = sequential, concurrent, state_merge
}
