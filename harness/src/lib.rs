//! Randomized multi-replica schedules over a faulty network, checked by convergence and
//! specification oracles, shrunk to minimal counterexamples and replayable; the library behind
//! the `crdt-harness` command (crate `crdt-cli`).
#![deny(missing_docs)]

pub mod adapter;
mod error;
pub mod explore;
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
pub mod sync;

/// The laws, models and vocabularies the harness runs: one dev-dependency gives both.
pub use crdt_laws;
/// The property-testing crate of the models' strategies: `use crdt_harness::proptest::prelude::*;`.
pub use crdt_laws::proptest;
pub use error::Error;
pub use facade::Harness;
pub use runner::{Failure, Options, Shard, Summary};
pub use schedule::{Dimension, Faults, Schedule, Shape, Step};
pub use sim::{Event, Finding, Limits, Outcome, Property};
