//! The `crdt-harness` command line, and the built-in catalogue of models it knows.
//!
//! The [`catalogue`] names the reference CRDTs of `crdt-impls` and the gallery of broken ones.
#![deny(missing_docs)]

pub mod catalogue;

#[cfg(doctest)]
mod lessons;
#[cfg(doctest)]
mod readme;
