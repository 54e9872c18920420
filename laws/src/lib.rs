//! Laws of CRDT algebra as property tests.
//!
//! A CRDT is correct when its states form a join-semilattice, its updates only move states up,
//! and its replicas converge whatever the network does. This crate states those laws as
//! property tests and checks them on any CRDT, including types from other crates, through a
//! small *model* the user writes (see [`model`]).
//!
//! ```
//! use crdt_laws::{Config, Model, ReplicaId, StateCrdt};
//! use crdt_laws::proptest::prelude::*;
//! use std::collections::BTreeSet;
//!
//! /// A grow-only set of small numbers (the CRDT is `BTreeSet<u8>` itself, unchanged).
//! struct GrowOnlySet;
//!
//! impl Model for GrowOnlySet {
//!     type State = BTreeSet<u8>;
//!     type Op = u8;
//!     type Value = BTreeSet<u8>;
//!     fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> { Some(a == b) }
//!     fn new_replica(&self, _: ReplicaId) -> BTreeSet<u8> { BTreeSet::new() }
//!     fn value(&self, s: &BTreeSet<u8>) -> BTreeSet<u8> { s.clone() }
//!     fn ops(&self) -> BoxedStrategy<u8> { (0..8u8).boxed() }
//! }
//!
//! impl StateCrdt for GrowOnlySet {
//!     fn apply(&self, s: &mut BTreeSet<u8>, _: ReplicaId, x: &u8) { s.insert(*x); }
//!     fn merge(&self, into: &mut BTreeSet<u8>, from: &BTreeSet<u8>) {
//!         into.extend(from.iter().copied());
//!     }
//! }
//!
//! // In a test module: one `#[test]` per law, named `grow_only_set::join_commutative` etc.
//! crdt_laws::check_state_crdt!(grow_only_set, GrowOnlySet);
//!
//! // Or as data, for reports:
//! let report = crdt_laws::check_state(&GrowOnlySet, &Config::default().with_seed(1));
//! assert!(report.all_passed(), "{report}");
//! ```
//!
//! # Three ways to run the laws
//! - the macros [`check_state_crdt!`], [`check_delta_crdt!`], [`check_op_crdt!`] expand into
//!   one named `#[test]` per law;
//! - the functions [`check_state`], [`check_delta`], [`check_op`] return a [`LawReport`]
//!   with a [`LawResult`] per law (verdict, cases, premise hits, minimal counterexample);
//! - the predicates in [`order`], [`semilattice`], [`monotone`], [`delta`], [`op_based`],
//!   [`codec`], [`determinism`] and [`spec`] check one law on given states, for users composing
//!   their own checks with the generators in [`generate`].
//!
//! # Shared vocabularies
//! [`vocab`] holds the operations of counters, sets, registers, maps and lists, their
//! strategies, and reference specifications (sums, add-wins and remove-wins sets,
//! last-writer-wins and multi-value registers, Fugue and FugueMax lists) as plain functions
//! over a [`History`], so a model of someone else's CRDT states its specification in one line;
//! [`vocab::list`] also carries element identities through a foreign text
//! ([`vocab::list::tag_char`], [`vocab::list::TaggedText`]). [`proptest`] is re-exported: a
//! user's crate needs no dependency of its own on it.
//!
//! # The catalogue
//! See [`Law`]: partial order (reflexive, antisymmetric, transitive, agrees with merge),
//! join-semilattice (associative, commutative, idempotent, upper bound, least), bottom,
//! inflationary updates, monotone and join-preserving queries, delta-state laws, op-based laws
//! (prepare is pure, effects commute, effects idempotent under duplication), serialization
//! round-trip, determinism, and the specification.
//!
//! # When merge itself is broken
//! With no declared order, `≤` is derived from merge (`a ≤ b ⇔ a ⊔ b = b`), so a broken merge
//! also breaks the order, and an order-based law can pass for the wrong reason: a merge that
//! drops data may still be an "upper bound" in the order it induces. The algebraic laws
//! (`join_commutative`, `join_idempotent`, ...) are checked on states directly and catch it;
//! declare [`StateCrdt::leq`] when the CRDT has an order of its own, to check both.
//!
//! # Vacuity
//! A law with a premise (`a ≤ b ∧ b ≤ c ⇒ a ≤ c`) says nothing about cases where the premise
//! fails. Every such law counts its premise hits, and is reported [`Verdict::Vacuous`], not
//! passed, when they are fewer than [`Config::min_premise_ratio`] of its cases. The generators
//! are biased so that premises hold often on lawful models.
#![deny(missing_docs)]

pub mod codec;
pub mod contain;
pub mod delta;
pub mod determinism;
pub mod diff;
pub mod env;
mod error;
pub mod generate;
pub mod invariant;
mod law;
mod macros;
pub mod model;
pub mod monotone;
pub mod op_based;
pub mod order;
pub mod runner;
pub mod seed;
pub mod semilattice;
pub mod spec;
pub mod sync;
pub mod testing;
pub mod toys;
pub mod vocab;

pub use error::{Error, json_round_trip};
pub use law::{Binding, Flavour, Lattice, Law, Outcome, Violation};
pub use model::{
    Delivery, DeltaCrdt, Dot, Event, History, Model, NonInterleaving, OpCrdt, ReplicaId, StateCrdt,
    compares_states, same_state,
};
pub use order::leq;
/// The property-testing crate the models' strategies come from, re-exported so that a user's
/// crate needs no direct dependency on it: `use crdt_laws::proptest::prelude::*;`.
pub use proptest;
pub use runner::{
    Config, Counterexample, LawReport, LawResult, Skipped, Verdict, check_delta, check_delta_owned,
    check_op, check_op_owned, check_state, check_state_owned,
};
