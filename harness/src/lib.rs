//! Randomized multi-replica schedules over a faulty network, checked by convergence and
//! specification oracles, shrunk to minimal counterexamples and replayable; the library behind
//! the `crdt-harness` command.
//!
//! The built-in [`catalogue`] names the models the command line knows.
#![deny(missing_docs)]

pub mod catalogue;
mod error;
pub mod protocol;
pub mod runner;
pub mod schedule;
pub mod shrink;
pub mod sim;

pub use error::Error;

#[cfg(doctest)]
mod readme;
