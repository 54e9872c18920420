//! Randomized multi-replica schedules over a faulty network, checked by convergence and
//! specification oracles, shrunk to minimal counterexamples and replayable; the library behind
//! the `crdt-harness` command.
//!
//! The built-in [`catalogue`] names the models the command line knows.
#![deny(missing_docs)]

pub mod catalogue;
mod error;
mod facade;
pub mod interleaving;
pub mod prelude;
pub mod protocol;
pub mod replay;
pub mod report;
pub mod runner;
pub mod schedule;
pub mod shrink;
pub mod sim;

/// The laws, models and vocabularies the harness runs: one dev-dependency gives both.
pub use crdt_laws;
/// The property-testing crate of the models' strategies: `use crdt_harness::proptest::prelude::*;`.
pub use crdt_laws::proptest;
pub use error::Error;
pub use facade::Harness;
pub use runner::{Failure, Options, Shard, Summary};
pub use schedule::{Faults, Schedule, Shape, Step};
pub use sim::{Event, Finding, Limits, Outcome, Property};

#[cfg(doctest)]
mod lessons;
#[cfg(doctest)]
mod readme;
