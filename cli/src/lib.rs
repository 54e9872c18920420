//! The `crdt-harness` command line, over the built-in catalogue of models or over your own.
//!
//! The binary `crdt-harness` of this crate is [`main`] over [`Catalogue::builtin`]: the reference
//! CRDTs of `crdt-impls` and the gallery of broken ones. A user's own binary (an example or a
//! test target) gets the same command line over the user's models:
//!
//! ```no_run
//! use crdt_cli::crdt_laws::toys::MaxRegister;
//! fn main() -> std::process::ExitCode {
//!     crdt_cli::main(crdt_cli::Catalogue::new().delta("max", "a register joined by max", MaxRegister))
//! }
//! ```
//!
//! Exit status: 0 when everything holds, 1 on a finding (a failed or vacuous law, a broken
//! property), 2 on bad usage or bad input, 130 when interrupted (Ctrl-C) after writing the
//! report, marked incomplete.
#![deny(missing_docs)]

use std::process::ExitCode;

mod adapter;
pub mod catalogue;
mod command;
pub mod explore_gallery;

pub use catalogue::Catalogue;
/// The harness, re-exported: with `crdt-cli` alone a user's binary has the model traits
/// ([`crdt_laws`]) and [`proptest`] for its operation strategies too.
pub use crdt_harness;
pub use crdt_harness::{crdt_laws, proptest};

/// Runs the command line (`list`, `check`, `replay`, `merge-reports`, `render`, `fuzz`) over the
/// models of `catalogue`, with the process's arguments; returns the exit status.
#[must_use]
pub fn main(catalogue: Catalogue) -> ExitCode {
    main_with_args(catalogue, std::env::args_os())
}

/// As [`main`], with the arguments given (the program's name first), e.g. for a test.
///
/// Usage errors (an unknown flag, `--help`) print and exit the process, as clap does.
#[must_use]
pub fn main_with_args<I, T>(catalogue: Catalogue, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    command::main_with_args(&catalogue, args)
}

#[cfg(doctest)]
mod lessons;
#[cfg(doctest)]
mod readme;
mod shard;
