//! Replays every editing trace on Fugue and FugueMax texts, checks the final content, and
//! prints the replay time and the memory used per visible character.
//!
//! ```text
//! cargo run --release --example replay_traces [-- ROUNDS]
//! ```
//!
//! The traces (Joseph Gentle's `editing-traces`, CC BY 4.0) are read from `$CRDT_TRACES_DIR`
//! or `../shared/traces`. Times are the best of ROUNDS runs (default 5); criterion benches in
//! `crdt-benches` are the reference measurements.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use crdt_impls::fugue::{Fugue, FugueMax, SiblingOrder, Text, replay};
use crdt_impls::traces::{self, Trace};

fn best_of<R>(rounds: usize, mut run: impl FnMut() -> R) -> (Duration, R) {
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..rounds {
        let start = Instant::now();
        let r = run();
        best = best.min(start.elapsed());
        result = Some(r);
    }
    (best, result.expect("at least one round"))
}

fn report<O: SiblingOrder>(name: &str, patches: usize, time: Duration, text: &Text<O>) {
    let chars = text.len().max(1);
    println!(
        "{name:<16} {:<9} {patches:>7} patches {:>9.2} ms {:>7.1} ns/patch {:>6.1} bytes/char ({} chars, {} with tombstones)",
        O::NAME,
        time.as_secs_f64() * 1e3,
        time.as_secs_f64() * 1e9 / patches as f64,
        text.memory_usage() as f64 / chars as f64,
        text.len(),
        text.as_list().total_len(),
    );
}

fn replay_trace<O: SiblingOrder>(name: &str, trace: &Trace, rounds: usize) -> Result<(), String> {
    match trace {
        Trace::Sequential(trace) => {
            let (time, text) =
                best_of(rounds, || replay::replay_sequential::<O>(trace, usize::MAX));
            if text.to_string() != trace.end_content {
                return Err(format!(
                    "{name}: {} replay differs from endContent",
                    O::NAME
                ));
            }
            report(name, trace.num_patches(), time, &text);
        }
        Trace::Concurrent(trace) => {
            let schedule = trace.replay_schedule();
            let (time, texts) = best_of(rounds, || replay::replay_schedule::<O>(trace, &schedule));
            let texts = texts.map_err(|e| format!("{name}: {e}"))?;
            if texts.iter().any(|t| t.to_string() != trace.end_content) {
                return Err(format!(
                    "{name}: {} replay differs from endContent",
                    O::NAME
                ));
            }
            report(name, trace.num_patches(), time, &texts[0]);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let rounds = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let Some(dir) = traces::traces_dir() else {
        eprintln!(
            "no traces folder (set {}): nothing to replay",
            traces::TRACES_DIR_ENV
        );
        return ExitCode::FAILURE;
    };
    let names = traces::SEQUENTIAL.iter().chain(&traces::CONCURRENT);
    for name in names {
        let trace = match traces::load(&dir, name) {
            Ok(trace) => trace,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        };
        let result = replay_trace::<Fugue>(name, &trace, rounds)
            .and_then(|()| replay_trace::<FugueMax>(name, &trace, rounds));
        if let Err(error) = result {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
