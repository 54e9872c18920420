//! Everything a test that verifies a CRDT needs, from one dev-dependency.
//!
//! `use crdt_harness::prelude::*;` brings the model traits and their vocabulary (from
//! `crdt-laws`), the law-check macros, the harness, and proptest's prelude for writing a
//! model's operation strategy:
//!
//! ```
//! use crdt_harness::prelude::*;
//! use std::collections::BTreeSet;
//!
//! #[derive(Clone)]
//! struct GrowOnlySet;
//! impl Model for GrowOnlySet {
//!     type State = BTreeSet<u8>;
//!     type Op = u8;
//!     type Value = BTreeSet<u8>;
//!     fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> { Some(a == b) }
//!     fn new_replica(&self, _: ReplicaId) -> Self::State { BTreeSet::new() }
//!     fn value(&self, s: &Self::State) -> Self::Value { s.clone() }
//!     fn ops(&self) -> BoxedStrategy<u8> { (0..8u8).boxed() }
//! }
//! impl StateCrdt for GrowOnlySet {
//!     fn apply(&self, s: &mut Self::State, _: ReplicaId, x: &u8) { s.insert(*x); }
//!     fn merge(&self, into: &mut Self::State, from: &Self::State) { into.extend(from.iter().copied()); }
//! }
//!
//! check_state_crdt!(grow_only_set, GrowOnlySet);
//! # fn main() {
//! assert!(check_state(&GrowOnlySet, &Config::default().with_seed(1)).all_passed());
//! Harness::state(&GrowOnlySet).schedules(100).run().assert_passed();
//! # }
//! ```

pub use crate::{Faults, Harness, Property, Schedule, Step};
pub use crdt_laws::proptest::prelude::*;
pub use crdt_laws::{
    Config, Delivery, DeltaCrdt, Dot, History, Model, NonInterleaving, OpCrdt, ReplicaId,
    StateCrdt, check_delta, check_delta_crdt, check_op, check_op_crdt, check_state,
    check_state_crdt, vocab,
};
