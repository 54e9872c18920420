//! Reference CRDTs, each verified by `crdt-laws` and `crdt-harness`.
//!
//! G-Set, G-Counter, PN-Counter, LWW register and LWW element set, OR-Set, MV-Register, the
//! observed-remove map of CRDTs, the Fugue lists, the movable list, the tree with move and
//! combinators, each with a ready-made model for the law catalogue.
//!
//! Every type here is a *state-based* CRDT (the Fugue lists and the movable list are also
//! operation-based, with messages delivered causally; the tree with move too, with moves
//! delivered in any order): replicas update their own state and now and then
//! merge another replica's state into theirs. Merge is a join (commutative, associative,
//! idempotent), so replicas that have seen the same updates hold the same state, whatever the
//! order, grouping or repetition of the messages that carried them.
//!
//! ```
//! use crdt_impls::{OrSet, ReplicaId};
//!
//! let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
//! let mut alice = OrSet::new();
//! let mut bob = OrSet::new();
//! alice.insert(a, "eggs");
//! bob.insert(b, "flour");
//! bob.merge(&alice); // bob now has both
//! bob.remove(&"eggs");
//! alice.insert(a, "milk");
//! // Exchange states in any order: both replicas converge.
//! alice.merge(&bob);
//! bob.merge(&alice);
//! assert_eq!(alice, bob);
//! assert_eq!(alice.iter().collect::<Vec<_>>(), [&"flour", &"milk"]);
//! ```
//!
//! # The types
//! | type | what it is | conflict rule | metadata grows with |
//! | --- | --- | --- | --- |
//! | [`GSet`] | grow-only set | none (union) | nothing |
//! | [`GCounter`] | grow-only counter | none (per-replica maximum) | replicas |
//! | [`PnCounter`] | counter with decrements | none (two G-Counters) | replicas |
//! | [`LwwRegister`] | last-writer-wins register | larger (Lamport time, replica) | nothing |
//! | [`LwwElementSet`] | last-writer-wins set | later Lamport time, then the [`Bias`] | elements ever removed |
//! | [`OrSet`] | observed-remove set | add wins | replicas (no tombstones) |
//! | [`MvRegister`] | multi-value register | none: keeps concurrent writes | replicas |
//! | [`OrMap`] | map of CRDTs whose keys can be removed: **the map of choice** ([`ormap`]) | update wins: a nested update concurrent with a removal of its key survives, with its updater's view of the value; concurrent updates of a key are joined | present keys (one dot per concurrent update) and replicas; removed keys leave nothing |
//! | [`Pair`], [`Map`] | combinators (`Map`: the map lattice, keys never removed) | their parts' | their parts'; `Map`: every key ever updated |
//! | [`FugueList`], [`FugueMaxList`] | list (and [`FugueText`]) | Fugue: no interleaving of concurrent runs; siblings by id (FugueMax: right siblings by right origin) | elements ever inserted (tombstones) |
//! | [`MovableList`] | list whose elements move, keeping their identity ([`movable_list`]) | concurrent moves of one element: the later timestamp wins (Kleppmann 2020); a delete beats a concurrent move; places as Fugue | inserts and moves ever made (one position each) |
//! | [`MoveTree`](tree::MoveTree) | tree with move ([`tree`]) | moves applied in timestamp order, a move that would make a cycle skipped (Kleppmann et al. 2021) | moves ever made (the log) |
//!
//! Each implements [`Lattice`], the trait the combinators are generic over, and
//! `serde`'s `Serialize`/`Deserialize`; deserialization checks each type's invariants. The
//! counters, the G-Set, the OR-Set and the OR-Map also have delta mutators (`insert_delta`,
//! ...): a small state whose merge performs the update, to ship instead of the whole state;
//! and, with the LWW register, a `diff(remote)`: what a replica holding `remote` lacks
//! (`remote ⊔ local.diff(&remote) = remote ⊔ local`, checked by the laws `diff_restores_join`
//! and `diff_below_local`).
//!
//! # Models
//! [`models`] holds a `crdt-laws` model of every type, with its specification (the lists, the
//! movable list, the tree and the OR-Map keep theirs in their modules: [`fugue`],
//! [`movable_list`], [`tree`], [`ormap`]); the crate's tests run the whole law catalogue on
//! each.
#![deny(missing_docs)]

// First, so that its `impl_lattice!` macro is visible in the modules below.
#[macro_use]
mod lattice;

pub mod broken;
mod causal;
mod combinators;
mod error;
pub mod fugue;
mod gcounter;
mod gset;
pub mod hlc;
mod lww_element_set;
mod lww_register;
pub mod models;
pub mod movable_list;
mod mvregister;
pub mod ops;
pub mod ormap;
mod orset;
mod pncounter;
mod sorted;
pub mod stability;
pub mod sync;
pub mod traces;
pub mod tree;
mod version_vector;

pub use causal::CausalContext;
pub use combinators::{Friendship, Map, Pair};
pub use crdt_laws::{Dot, ReplicaId};
pub use error::Error;
pub use fugue::{FugueList, FugueMaxList, FugueMaxText, FugueText};
pub use gcounter::GCounter;
pub use gset::GSet;
pub use lattice::Lattice;
pub use lww_element_set::{AddWins, Bias, LwwElementSet, RemoveWins, Stamps};
pub use lww_register::{LwwRegister, Timestamp};
pub use movable_list::MovableList;
pub use mvregister::MvRegister;
pub use ormap::OrMap;
pub use orset::OrSet;
pub use pncounter::PnCounter;
pub use sorted::spare::release_spare_chunks;
pub use version_vector::VersionVector;
