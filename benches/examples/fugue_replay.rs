//! A driver for profilers: replays one sequential editing trace on a `FugueText` N times, as
//! the `lists-replay/FugueText` bench does, checks the final text, and prints the memory per
//! visible character.
//!
//! ```text
//! cargo build --release -p crdt-benches --example fugue_replay
//! CRDT_TRACES_DIR=/work/shared/traces valgrind --tool=callgrind \
//!     target/release/examples/fugue_replay automerge-paper 20
//! ```
//!
//! Instruction counts (callgrind, `perf stat -e instructions`) are robust to a loaded machine,
//! unlike times: compare the counts of two builds, and subtract a run with N = 0, which only
//! loads the trace. The traces are read from `$CRDT_TRACES_DIR` (else `../shared/traces`).

use std::hint::black_box;
use std::process::ExitCode;

use crdt_impls::fugue::{Fugue, replay};
use crdt_impls::traces;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fugue_replay: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: fugue_replay TRACE [N]";
    let name = args.next().ok_or(usage)?;
    let rounds: usize = match args.next() {
        Some(n) => n
            .parse()
            .map_err(|_| format!("N must be a count, not {n:?}"))?,
        None => 1,
    };
    if args.next().is_some() {
        return Err(usage.into());
    }
    let dir = traces::traces_dir().ok_or("no traces folder: set CRDT_TRACES_DIR")?;
    let trace = traces::load_sequential(&dir, &name).map_err(|e| e.to_string())?;
    for _ in 0..rounds {
        let text = replay::replay_sequential::<Fugue>(black_box(&trace), usize::MAX);
        if text.len() != trace.end_content.chars().count() {
            return Err(format!("{name}: the replay has the wrong length"));
        }
        if rounds == 1 {
            if text.to_string() != trace.end_content {
                return Err(format!("{name}: the replay differs from endContent"));
            }
            println!(
                "{name}: {} chars, {:.1} bytes/char",
                text.len(),
                text.memory_usage() as f64 / text.len().max(1) as f64
            );
        }
        drop(black_box(text));
    }
    Ok(())
}
