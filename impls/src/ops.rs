//! The operations users perform, shared by the models: what the law checker and the harness
//! generate, apply, print in counterexamples and save in replay files.
//!
//! Models of the same kind of CRDT share one vocabulary, so the harness can run the same
//! operations against a G-Set, an OR-Set and an LWW set and compare what each makes of them.
//! The vocabularies live in `crdt-laws` ([`crdt_laws::vocab`]), with their strategies and
//! reference specifications, so that models of other libraries' CRDTs use them without
//! depending on this crate; they are re-exported here. A [`PairOp`] updates one part of a
//! [`Pair`](crate::Pair), a [`MapOp`] the value at one key of a [`Map`](crate::Map).

pub use crdt_laws::vocab::{CounterOp, ListOp, MapOp, PairOp, RegisterOp, SetOp};
