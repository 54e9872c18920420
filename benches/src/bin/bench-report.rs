//! `bench-report`: criterion's saved results as Markdown tables, with each bench's ratio to
//! its floor, to its peers and to a saved baseline.
//!
//! ```text
//! cargo bench -p crdt-benches -- --save-baseline main      # once, on the reference commit
//! cargo bench -p crdt-benches                               # after a change
//! cargo run -p crdt-benches --bin bench-report -- --baseline main --fail-on-regression 10%
//! ```
//!
//! Exit codes: 0 when all is well, 1 when `--fail-on-regression` is given and one of our
//! benches regressed beyond it, 2 on a bad flag or unreadable results.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use crdt_benches::report::{self, Options};

/// Print criterion's results as Markdown tables: medians, ratios to the floor and to each
/// peer measured in the same run, and the change since a saved baseline.
#[derive(Debug, Parser)]
#[command(name = "bench-report", version)]
struct Cli {
    /// criterion's output folder [default: $CRITERION_HOME, $CARGO_TARGET_DIR/criterion or
    /// the workspace's target/criterion]
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Compare with this saved baseline (`cargo bench -- --save-baseline <name>`).
    #[arg(long)]
    baseline: Option<String>,
    /// Flag changes since the baseline above this (`10%`).
    #[arg(long, default_value = "10%", value_parser = report::parse_percent)]
    threshold: f64,
    /// Exit with status 1 when one of our benches is slower than the baseline by more than
    /// this (`10%`); sets the threshold. Needs --baseline.
    #[arg(long, value_parser = report::parse_percent, requires = "baseline")]
    fail_on_regression: Option<f64>,
    /// Only the groups whose name contains this.
    #[arg(long)]
    filter: Option<String>,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let dir = cli.dir.unwrap_or_else(crdt_benches::metrics::criterion_dir);
    let benches = match report::load(&dir, cli.baseline.as_deref()) {
        Ok(benches) => benches,
        Err(e) => {
            eprintln!("bench-report: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Options {
        threshold: cli.fail_on_regression.unwrap_or(cli.threshold),
        filter: cli.filter,
    };
    let rendered = report::render(&benches, &options);
    if rendered.markdown.is_empty() {
        eprintln!("bench-report: no group matches the filter");
        return ExitCode::from(2);
    }
    print!("{}", rendered.markdown);
    if let Some(baseline) = &cli.baseline {
        let ours = rendered.our_regressions().count();
        println!(
            "{} benches against baseline `{baseline}`: {} regressions above {:.1}% ({ours} of ours).",
            benches.len(),
            rendered.regressions.len(),
            options.threshold * 100.0,
        );
        if cli.fail_on_regression.is_some() && ours > 0 {
            for r in rendered.our_regressions() {
                eprintln!("regression: {} {}", r.id, report::format_change(r.change));
            }
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
