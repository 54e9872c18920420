//! Randomized multi-replica schedules over a faulty network, checked by convergence and
//! specification oracles, shrunk to minimal counterexamples and replayable; the library behind
//! the `crdt-harness` command.
//!
//! The built-in [`catalogue`] names the models the command line knows.
#![deny(missing_docs)]

pub mod catalogue;
mod error;
pub mod explore;
mod facade;
pub mod protocol;
pub mod replay;
pub mod report;
pub mod runner;
pub mod schedule;
pub mod shrink;
pub mod sim;

pub use error::Error;
pub use facade::Harness;
pub use runner::{Failure, Options, Shard, Summary};
pub use schedule::{Faults, Schedule, Shape, Step};
pub use sim::{Event, Finding, Limits, Outcome, Property};

#[cfg(doctest)]
mod lessons;
#[cfg(doctest)]
mod readme;
