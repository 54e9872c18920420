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

mod clocks;
mod counters;
mod lattices;
mod lists;
mod maps;
mod moves;
mod ops;
mod registers;
mod sets;
mod stability;
mod sync;

pub use clocks::{NoMaxHlcRegister, NodeClocked};
pub use counters::{
    DuplicatedCounter, FloatCounter, IncrementDeltaCounter, LargerTotalCounter, LoweringPnCounter,
    PnState, SummingPnCounter, TwoSlotCounter, TwoSlots,
};
pub use lattices::{AveragingThermostat, DivisibilityByMax};
pub use lists::{Element, IndexList, ListState, RgaList};
pub use maps::{BirthDotEntries, BirthDotMap, WatermarkDiffOrSet};
pub use moves::{DeleteInsertMoveList, ItemList, LwwParentTree, ParentRegisters};
pub use ops::{ListMessage, ListOp};
pub use registers::{
    ClockedRegister, ForgetfulClockLww, HashOrderLww, Lww, ReplicaSeed, StampedWrite, TimedWrite,
    UntiedLww,
};
pub use sets::{
    CausalOrSet, ForgottenTombstones, LeanTwoPhase, OrSetMessage, Orswot, ReAddingTwoPhaseSet,
    RemoveByValueOrSet, RemoveWinsSoldAsAddWins, ShortcutOrswot, TaggedSet, TwoPhase,
    WholeEntryOrswot,
};
pub use stability::EagerGcSet;
pub use sync::{
    BloomMessage, BloomPeer, BloomSync, Filter, IncrementsWithoutAcks, OpLog, OpMessage, OpSync,
    server_trimming_early,
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
    /// Every law and oracle that catches it. `cli/tests/gallery.rs` checks that each one
    /// does (the laws with a fixed seed, the oracles within a budget of schedules) and that no
    /// other law fails.
    pub caught_by: &'static [Catcher],
    /// The faults the harness needs to see it (`none` when it shows on a calm network).
    pub needs: &'static str,
}

impl Entry {
    /// The faults the harness needs to see the mistake, as a list for the harness's
    /// `Faults::parse`: `none`, or e.g. `dup`.
    ///
    /// ```
    /// use crdt_impls::broken::gallery;
    /// let entry = gallery().into_iter().find(|e| e.name == "two-slot-counter").unwrap();
    /// assert_eq!((entry.faults(), entry.replicas()), ("none", 3));
    /// ```
    #[must_use]
    pub fn faults(&self) -> &'static str {
        if self.needs.contains("replicas") {
            "none"
        } else {
            self.needs
        }
    }

    /// How many replicas the harness runs to see the mistake: 3 for entries that need "three or
    /// more replicas" (to show that two are not enough), else 4.
    #[must_use]
    pub fn replicas(&self) -> u32 {
        if self.needs.contains("three") { 3 } else { 4 }
    }

    /// The laws that catch the mistake.
    pub fn laws(&self) -> impl Iterator<Item = Law> + '_ {
        self.caught_by.iter().filter_map(|c| match c {
            Catcher::Law(law) => Some(*law),
            Catcher::Oracle(_) => None,
        })
    }

    /// The harness oracles that catch the mistake, by property name.
    pub fn oracles(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.caught_by.iter().filter_map(|c| match c {
            Catcher::Law(_) => None,
            Catcher::Oracle(name) => Some(*name),
        })
    }
}

/// The entries, in the order lessons introduce them.
#[must_use]
pub fn gallery() -> Vec<Entry> {
    use Catcher::{Law as L, Oracle as O};
    vec![
        Entry {
            name: "divisibility-merged-by-max",
            mistake: "integers ordered by divisibility but merged by max, the join of another order",
            caught_by: &[
                L(Law::LeqAgreesWithMerge),
                L(Law::JoinUpperBound),
                L(Law::ValueMatchesSpec),
                O("monotone_growth"),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "averaging-merge",
            mistake: "a thermostat whose replicas merge by averaging their settings",
            caught_by: &[
                L(Law::JoinAssociative),
                L(Law::JoinUpperBound),
                L(Law::UpdateInflationary),
                O("monotone_growth"),
            ],
            needs: "none",
        },
        Entry {
            name: "two-phase-set-clearing-tombstones",
            mistake: "a two-phase set that allows re-adding by clearing the tombstone",
            caught_by: &[
                L(Law::UpdateInflationary),
                L(Law::ValueMatchesSpec),
                O("monotone_growth"),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "forgotten-tombstones",
            mistake: "a two-phase set whose tombstones are skipped by serialization",
            caught_by: &[L(Law::SerdeRoundTrip), O("monotone_growth")],
            needs: "crash",
        },
        Entry {
            name: "counter-larger-total",
            mistake: "a G-Counter merged by keeping the state with the larger total",
            caught_by: &[
                L(Law::JoinCommutative),
                L(Law::JoinUpperBound),
                L(Law::ValueMatchesSpec),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "pn-counter-merged-by-sum",
            mistake: "a PN-Counter merged by adding the two sides' entries",
            caught_by: &[
                L(Law::LeqAgreesWithMerge),
                L(Law::JoinIdempotent),
                L(Law::JoinLeast),
                L(Law::ValueMatchesSpec),
                O("specification"),
                O("equal_values_different_states"),
            ],
            needs: "none",
        },
        Entry {
            name: "pn-counter-lowering-decrement",
            mistake: "a PN-Counter whose decrement lowers a positive entry",
            caught_by: &[
                L(Law::UpdateInflationary),
                L(Law::ValueMatchesSpec),
                O("monotone_growth"),
            ],
            needs: "none",
        },
        Entry {
            name: "two-slot-counter",
            mistake: "a counter sized for two replicas (mine and the peer's) run on three",
            caught_by: &[
                L(Law::LeqAgreesWithMerge),
                L(Law::JoinAssociative),
                L(Law::JoinCommutative),
                L(Law::JoinIdempotent),
                L(Law::JoinUpperBound),
                L(Law::JoinLeast),
                O("convergence"),
            ],
            needs: "three or more replicas",
        },
        Entry {
            name: "lww-no-tie-break",
            mistake: "a last-writer-wins register with no tie-break on equal timestamps",
            caught_by: &[
                L(Law::JoinCommutative),
                L(Law::JoinUpperBound),
                L(Law::ValueMatchesSpec),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "lamport-clock-not-advanced-on-receive",
            mistake: "an op-based LWW register whose Lamport clock ignores the writes it receives",
            caught_by: &[L(Law::ValueMatchesSpec), O("specification")],
            needs: "none",
        },
        Entry {
            name: "hash-map-order-tie-break",
            mistake: "an LWW register that breaks ties by hash-map iteration order",
            caught_by: &[O("convergence")],
            needs: "none",
        },
        Entry {
            name: "or-set-remove-by-value",
            mistake: "an op-based OR-Set whose remove deletes the element, not the tags it observed",
            caught_by: &[
                L(Law::EffectsCommute),
                L(Law::ValueMatchesSpec),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "orswot-clock-dominance",
            mistake: "an ORSWOT whose merge keeps one side when its clock covers the other's (riak_dt PR #78)",
            caught_by: &[
                L(Law::LeqAgreesWithMerge),
                L(Law::JoinAssociative),
                L(Law::JoinCommutative),
                L(Law::JoinUpperBound),
                L(Law::ValueMatchesSpec),
                O("monotone_growth"),
                O("specification"),
                O("equal_values_different_states"),
            ],
            needs: "none",
        },
        Entry {
            name: "orswot-entry-kept-whole",
            mistake: "an ORSWOT whose merge keeps an element present on one side only with every dot, \
                      including those the other side removed",
            caught_by: &[
                L(Law::LeqAgreesWithMerge),
                L(Law::JoinUpperBound),
                L(Law::ValueMatchesSpec),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "remove-wins-sold-as-add-wins",
            mistake: "a remove-wins (two-phase) set that declares the add-wins specification",
            caught_by: &[L(Law::ValueMatchesSpec), O("specification")],
            needs: "none",
        },
        Entry {
            name: "delta-differs-from-update",
            mistake: "a delta G-Counter whose delta is the increment, not the entry's new value",
            caught_by: &[L(Law::DeltaMatchesUpdate), O("specification")],
            needs: "none",
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
            caught_by: &[
                L(Law::EffectsCommute),
                L(Law::ValueMatchesSpec),
                O("convergence"),
                O("specification"),
            ],
            needs: "reorder",
        },
        Entry {
            name: "float-counter-arrival-order",
            mistake: "an op-based counter of floating-point amounts, added in arrival order",
            caught_by: &[L(Law::EffectsCommute), O("convergence")],
            needs: "none",
        },
        Entry {
            name: "index-list",
            mistake: "a list that ships positions instead of element identities",
            caught_by: &[L(Law::EffectsCommute), O("sequence_order")],
            needs: "none",
        },
        Entry {
            name: "rga-backward-interleaving",
            mistake: "an RGA list sold as non-interleaving: concurrent backward runs interleave",
            caught_by: &[O("backward_interleaving"), O("contiguity")],
            needs: "none",
        },
        Entry {
            name: "move-as-delete-and-insert",
            mistake: "a list whose move deletes the element and inserts a copy: concurrent moves duplicate it",
            caught_by: &[
                L(Law::InvariantHolds),
                L(Law::ValueMatchesSpec),
                O("invariant"),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "tree-move-without-undo-redo",
            mistake: "a tree whose parents are last-writer-wins registers, checked for cycles only at the origin",
            caught_by: &[
                L(Law::InvariantHolds),
                L(Law::ValueMatchesSpec),
                O("invariant"),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "map-remove-drops-concurrent-updates",
            mistake: "a map whose keys keep the dot of their creation: a removal drops nested updates made concurrently (riak_kv #761)",
            caught_by: &[L(Law::ValueMatchesSpec), O("specification")],
            needs: "none",
        },
        Entry {
            name: "diff-misses-concurrent-entries",
            mistake: "an OR-Set whose diff ships only what is numbered above the peer's latest sequence number",
            caught_by: &[L(Law::DiffRestoresJoin)],
            needs: "none",
        },
        Entry {
            name: "hlc-without-max-on-receive",
            mistake: "a hybrid logical clock that takes max(l, pt) on receive, not max(l, l_m, pt): a causally later write loses under clock skew",
            caught_by: &[L(Law::ValueMatchesSpec), O("specification")],
            needs: "clock-skew",
        },
        Entry {
            name: "gc-before-causal-stability",
            mistake: "a set that collects an add once every replica it has heard from saw it: a silent replica's concurrent remove then wins",
            caught_by: &[
                L(Law::EffectsCommute),
                L(Law::ValueMatchesSpec),
                O("specification"),
            ],
            needs: "none",
        },
        Entry {
            name: "sync-increments-without-acks",
            mistake: "a sync protocol that ships deltas as plain increments, without acknowledgements",
            caught_by: &[O("silent_disagreement")],
            needs: "drop",
        },
        Entry {
            name: "sync-bloom-in-flight-never-cleared",
            mistake: "a Bloom-filter sync whose in-flight flag is cleared only by the answer, so a lost message stalls it",
            caught_by: &[O("silent_disagreement")],
            needs: "drop",
        },
        Entry {
            name: "sync-server-trimming-early",
            mistake: "a 1:N sync server that trims its deltas before every client has acknowledged them",
            caught_by: &[O("silent_disagreement")],
            needs: "drop",
        },
        Entry {
            name: "sync-dropping-early-updates",
            mistake: "a sync receiver that drops (and acknowledges) an update whose predecessor is missing instead of queueing it",
            caught_by: &[O("silent_disagreement")],
            needs: "reorder",
        },
    ]
}
