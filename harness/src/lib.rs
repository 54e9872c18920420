//! Randomized multi-replica schedules over a faulty network, checked by convergence and
//! specification oracles, shrunk to minimal counterexamples and replayable; the library behind
//! the `crdt-harness` command.
#![deny(missing_docs)]
