//! Reference CRDTs, each verified by `crdt-laws` and `crdt-harness`.
//!
//! G-Set, G-Counter, PN-Counter, LWW register and LWW element set, OR-Set, MV-Register, the
//! Fugue lists and combinators, each with a ready-made model for the law catalogue.
#![deny(missing_docs)]

pub mod fugue;
pub mod traces;

pub use fugue::{FugueList, FugueMaxList, FugueMaxText, FugueText};
