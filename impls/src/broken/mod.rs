//! A gallery of broken CRDTs: realistic mistakes, each caught by a named law or oracle.
//!
//! **Nothing here is a CRDT to use.** Each type is a small, self-contained model of a mistake
//! found in real code or easy to make, with a doc comment telling its story and naming what
//! catches it. The gallery is how the framework proves its checks can fail, and how lessons
//! show what each law is for. [`gallery`] lists the entries; `crdt-harness list --broken` and
//! `crdt-harness check broken/<name>` run them.
//!
//! ```
//! use crdt_impls::broken::{Catcher, gallery};
//! let entries = gallery();
//! assert!(entries.iter().all(|e| !e.caught_by.is_empty()));
//! assert!(entries.iter().any(|e| e.name == "rga-backward-interleaving"));
//! ```

mod counters;
mod lists;
mod ops;
mod sets;

pub use counters::{
    DuplicatedCounter, LargerTotalCounter, LoweringPnCounter, PnState, TwoSlotCounter, TwoSlots,
};
pub use lists::{Element, IndexList, ListState, RgaList};
pub use ops::{CounterOp, ListMessage, ListOp, SetOp};
pub use sets::{
    CausalOrSet, ForgottenTombstones, LeanTwoPhase, OrSetMessage, RemoveWinsSoldAsAddWins,
    TaggedSet, TwoPhase,
};

use crdt_laws::Law;

/// What catches a gallery entry: a law of the catalogue, or a harness oracle (by its property
/// name, e.g. `convergence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Catcher {
    /// A law of `crdt-laws`.
    Law(Law),
    /// A harness oracle, named by its property.
    Oracle(&'static str),
}

/// One gallery entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The name `crdt-harness check broken/<name>` takes.
    pub name: &'static str,
    /// The mistake in one line.
    pub mistake: &'static str,
    /// What catches it.
    pub caught_by: &'static [Catcher],
    /// The faults the harness needs to see it (`none` when it shows on a calm network).
    pub needs: &'static str,
}

/// The entries, in the order lessons introduce them.
#[must_use]
pub fn gallery() -> Vec<Entry> {
    use Catcher::{Law as L, Oracle as O};
    vec![
        Entry {
            name: "counter-larger-total",
            mistake: "a G-Counter merged by keeping the state with the larger total",
            caught_by: &[L(Law::JoinCommutative), O("specification")],
            needs: "none",
        },
        Entry {
            name: "pn-counter-lowering-decrement",
            mistake: "a PN-Counter whose decrement lowers a positive entry",
            caught_by: &[L(Law::UpdateInflationary), O("monotone_growth")],
            needs: "none",
        },
        Entry {
            name: "two-slot-counter",
            mistake: "a counter sized for two replicas (mine and the peer's) run on three",
            caught_by: &[O("convergence")],
            needs: "three or more replicas",
        },
        Entry {
            name: "counter-on-duplicating-network",
            mistake: "non-idempotent op effects (increments) on a network that duplicates",
            caught_by: &[L(Law::EffectIdempotent), O("convergence")],
            needs: "dup",
        },
        Entry {
            name: "or-set-assuming-causal-delivery",
            mistake: "the textbook op-based OR-Set, which needs causal delivery, declared for any order",
            caught_by: &[L(Law::EffectsCommute), O("specification")],
            needs: "reorder",
        },
        Entry {
            name: "forgotten-tombstones",
            mistake: "a two-phase set whose tombstones are skipped by serialization",
            caught_by: &[L(Law::SerdeRoundTrip), O("monotone_growth")],
            needs: "crash",
        },
        Entry {
            name: "remove-wins-sold-as-add-wins",
            mistake: "a remove-wins (two-phase) set that declares the add-wins specification",
            caught_by: &[L(Law::ValueMatchesSpec), O("specification")],
            needs: "none",
        },
        Entry {
            name: "index-list",
            mistake: "a list that ships positions instead of element identities",
            caught_by: &[O("sequence_order")],
            needs: "none",
        },
        Entry {
            name: "rga-backward-interleaving",
            mistake: "an RGA list sold as non-interleaving: concurrent backward runs interleave",
            caught_by: &[O("contiguity")],
            needs: "none",
        },
    ]
}
