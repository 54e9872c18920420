//! `crdt-harness`: check CRDT models from the command line.

use std::process::ExitCode;

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use crdt_harness::catalogue::{self, Entry};
use crdt_laws::Config;

/// Property-based verification of CRDTs: laws and randomized multi-replica schedules.
#[derive(Parser)]
#[command(name = "crdt-harness", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the built-in models.
    List,
    /// Check a built-in model, or `all` of them.
    Check {
        /// A model name from `crdt-harness list`, or `all`.
        model: String,
        /// The run's seed: the same seed gives the same results.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Cases per law.
        #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
        cases: u32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("crdt-harness: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command; `Ok(false)` means a finding.
fn run(cli: Cli) -> Result<bool> {
    match cli.command {
        Command::List => {
            for entry in catalogue::builtin() {
                println!(
                    "{:<22} {:<12} {}",
                    entry.name(),
                    entry.flavour().to_string(),
                    entry.description()
                );
            }
            Ok(true)
        }
        Command::Check { model, seed, cases } => {
            let entries: Vec<Box<dyn Entry>> = if model == "all" {
                catalogue::builtin()
            } else {
                match catalogue::find(&model) {
                    Some(entry) => vec![entry],
                    None => bail!("unknown model {model:?}; `crdt-harness list` shows the models"),
                }
            };
            let config = Config::default().with_seed(seed).with_cases(cases);
            let mut all_passed = true;
            for entry in &entries {
                let report = entry.check_laws(&config);
                all_passed &= report.all_passed();
                print!("{report}");
            }
            println!(
                "{}: {} model(s) checked",
                if all_passed { "ok" } else { "FINDINGS" },
                entries.len()
            );
            Ok(all_passed)
        }
    }
}
