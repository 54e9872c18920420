//! A driver for profilers: replays one sequential editing trace N times on one implementation,
//! checks the final text, and prints the memory per visible character (Fugue).
//!
//! ```text
//! cargo build --release -p crdt-benches --features peers --example fugue_replay
//! CRDT_TRACES_DIR=/work/shared/traces valgrind --tool=callgrind \
//!     target/release/examples/fugue_replay automerge-paper 20 fugue-edits
//! ```
//!
//! The implementations (third argument, `fugue` by default):
//!
//! - `fugue`: a `FugueText` replaying the trace's patches (`replay::replay_sequential`);
//! - `fugue-edits`: a `FugueText` replaying the parsed edits, as the `lists-replay` bench does
//!   (`crdt_benches::text::replay_fugue`);
//! - `jumprope`, `ropey`: the rope floors on the same edits;
//! - `cola`: the cola peer on the same edits (positions only; needs `--features peers`).
//!
//! The edits are parsed once, before the replays, for every implementation. Instruction counts
//! (callgrind) are robust to a loaded machine, unlike times: compare the counts of two builds
//! or two implementations, and subtract a run with N = 0, which only loads and parses the
//! trace. The traces are read from `$CRDT_TRACES_DIR` (else `../shared/traces`).

use std::hint::black_box;
use std::process::ExitCode;

use crdt_benches::text::{self, Edit, replay_fugue, replay_jumprope, replay_ropey};
use crdt_impls::fugue::{Fugue, replay};
use crdt_impls::traces::{self, SequentialTrace};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fugue_replay: {e}");
            ExitCode::from(2)
        }
    }
}

/// The implementations this example replays.
const IMPLEMENTATIONS: &str = "fugue, fugue-edits, jumprope, ropey, cola";

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = format!("usage: fugue_replay TRACE [N] [IMPL], IMPL one of {IMPLEMENTATIONS}");
    let name = args.next().ok_or(&usage)?;
    let rounds: usize = match args.next() {
        Some(n) => n
            .parse()
            .map_err(|_| format!("N must be a count, not {n:?}"))?,
        None => 1,
    };
    let implementation = args.next().unwrap_or_else(|| "fugue".into());
    if args.next().is_some() {
        return Err(usage);
    }
    let dir = traces::traces_dir().ok_or("no traces folder: set CRDT_TRACES_DIR")?;
    let trace = traces::load_sequential(&dir, &name).map_err(|e| e.to_string())?;
    let edits = text::sequential(&trace);
    let replay = Replay {
        name: &name,
        trace: &trace,
        edits: &edits,
        rounds,
    };
    match implementation.as_str() {
        "fugue" => replay.run(
            |trace, _| replay::replay_sequential::<Fugue>(trace, usize::MAX),
            |t| (t.to_string(), Some(t.memory_usage())),
        ),
        "fugue-edits" => replay.run(
            |_, edits| replay_fugue(edits),
            |t| (t.to_string(), Some(t.memory_usage())),
        ),
        "jumprope" => replay.run(|_, edits| replay_jumprope(edits), |r| (r.to_string(), None)),
        "ropey" => replay.run(|_, edits| replay_ropey(edits), |r| (r.to_string(), None)),
        "cola" => cola(&replay),
        other => Err(format!(
            "unknown implementation {other:?}: {IMPLEMENTATIONS}"
        )),
    }
}

/// One trace, its edits, and how many times to replay them.
struct Replay<'a> {
    name: &'a str,
    trace: &'a SequentialTrace,
    edits: &'a [Edit<'a>],
    rounds: usize,
}

impl Replay<'_> {
    /// Replays `rounds` times; after a single round, checks the text that `show` returns
    /// against the trace's end and prints the memory per character it reports, if any.
    fn run<R>(
        &self,
        replay: impl Fn(&SequentialTrace, &[Edit<'_>]) -> R,
        show: impl Fn(&R) -> (String, Option<usize>),
    ) -> Result<(), String> {
        for _ in 0..self.rounds {
            let result = replay(black_box(self.trace), black_box(self.edits));
            if self.rounds == 1 {
                let (text, memory) = show(&result);
                if text != self.trace.end_content {
                    return Err(format!("{}: the replay differs from endContent", self.name));
                }
                let chars = text.chars().count();
                match memory {
                    Some(bytes) => println!(
                        "{}: {chars} chars, {:.1} bytes/char",
                        self.name,
                        bytes as f64 / chars.max(1) as f64
                    ),
                    None => println!("{}: {chars} chars", self.name),
                }
            }
            drop(black_box(result));
        }
        Ok(())
    }
}

/// The cola peer, which keeps positions only: its length is checked.
#[cfg(feature = "peers")]
fn cola(replay: &Replay<'_>) -> Result<(), String> {
    let chars = replay.trace.end_content.chars().count();
    replay.run(
        |_, edits| crdt_benches::peers::cola_replay(edits),
        |r| {
            // cola stores no text: show the end content when the length agrees.
            let text = if r.len() == chars {
                replay.trace.end_content.clone()
            } else {
                format!("{} chars", r.len())
            };
            (text, None)
        },
    )
}

#[cfg(not(feature = "peers"))]
fn cola(_: &Replay<'_>) -> Result<(), String> {
    Err("cola needs the `peers` feature: build with --features peers".into())
}
