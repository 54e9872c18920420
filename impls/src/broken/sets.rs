//! Broken sets.

use std::collections::{BTreeMap, BTreeSet};

use crdt_laws::{
    Delivery, Dot, Error, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::ops::SetOp;

/// The add-wins specification: `x` is present if some `add(x)` is not followed (in
/// happens-before) by a `remove(x)`.
fn add_wins(history: &History<SetOp>) -> BTreeSet<u8> {
    let events = history.events();
    events
        .iter()
        .filter_map(|add| match add.op {
            SetOp::Add(x)
                if !events.iter().any(|r| {
                    r.op == SetOp::Remove(x) && history.happens_before(add.dot, r.dot)
                }) =>
            {
                Some(x)
            }
            _ => None,
        })
        .collect()
}

/// The textbook operation-based OR-Set, declared for a network that delivers in any order.
///
/// The story: adds carry a fresh tag; a remove carries the tags its origin observed and deletes
/// them. Under causal delivery this is correct. Declared for any order, a remove can overtake
/// the add it removes: it finds nothing to delete, the add arrives afterwards, and the element
/// stays at that replica while it is gone everywhere else. Caught by `effects_commute` and by
/// the harness's specification oracle, once the network reorders.
#[derive(Clone, Copy, Debug, Default)]
pub struct CausalOrSet;

/// An operation of [`CausalOrSet`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrSetMessage {
    /// Add `element` with a fresh tag.
    Add {
        /// The element.
        element: u8,
        /// Its new tag.
        tag: Dot,
    },
    /// Remove the tags of `element` observed at the origin.
    Remove {
        /// The element.
        element: u8,
        /// The observed tags.
        tags: Vec<Dot>,
    },
}

/// The state of [`CausalOrSet`]: each element's live tags, and the latest tag seen from each
/// replica (so a fresh tag is never reused, even after its element was removed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedSet {
    /// Each element's live tags.
    pub tags: BTreeMap<u8, BTreeSet<Dot>>,
    /// The latest tag sequence number seen from each replica.
    pub latest: BTreeMap<ReplicaId, u64>,
}

impl Model for CausalOrSet {
    type State = TaggedSet;
    type Op = SetOp;
    type Value = BTreeSet<u8>;

    fn new_replica(&self, _: ReplicaId) -> TaggedSet {
        TaggedSet::default()
    }
    fn value(&self, s: &TaggedSet) -> BTreeSet<u8> {
        s.tags
            .iter()
            .filter(|(_, tags)| !tags.is_empty())
            .map(|(x, _)| *x)
            .collect()
    }
    fn ops(&self) -> BoxedStrategy<SetOp> {
        SetOp::strategy(3)
    }
    fn spec(&self, history: &History<SetOp>) -> Option<BTreeSet<u8>> {
        Some(add_wins(history))
    }
}

impl OpCrdt for CausalOrSet {
    type Message = OrSetMessage;
    fn delivery(&self) -> Delivery {
        // The mistake: this algorithm needs Delivery::Causal.
        Delivery::Unordered
    }
    fn prepare(&self, s: &TaggedSet, replica: ReplicaId, op: &SetOp) -> OrSetMessage {
        match *op {
            SetOp::Add(element) => OrSetMessage::Add {
                element,
                tag: Dot::new(replica, s.latest.get(&replica).copied().unwrap_or(0) + 1),
            },
            SetOp::Remove(element) => OrSetMessage::Remove {
                element,
                tags: s
                    .tags
                    .get(&element)
                    .map(|t| t.iter().copied().collect())
                    .unwrap_or_default(),
            },
        }
    }
    fn effect(&self, s: &mut TaggedSet, message: &OrSetMessage) {
        match message {
            OrSetMessage::Add { element, tag } => {
                s.tags.entry(*element).or_default().insert(*tag);
                let latest = s.latest.entry(tag.replica).or_default();
                *latest = (*latest).max(tag.seq);
            }
            OrSetMessage::Remove { element, tags } => {
                if let Some(present) = s.tags.get_mut(element) {
                    for tag in tags {
                        present.remove(tag);
                    }
                }
            }
        }
    }
}

/// A two-phase set: elements once removed stay removed. Lawful and convergent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoPhase {
    /// Every element ever added.
    pub added: BTreeSet<u8>,
    /// Every element ever removed (tombstones).
    pub removed: BTreeSet<u8>,
}

impl TwoPhase {
    fn apply(&mut self, op: SetOp) {
        match op {
            SetOp::Add(x) => self.added.insert(x),
            SetOp::Remove(x) => self.removed.insert(x),
        };
    }
    fn merge(&mut self, from: &TwoPhase) {
        self.added.extend(from.added.iter().copied());
        self.removed.extend(from.removed.iter().copied());
    }
    fn value(&self) -> BTreeSet<u8> {
        self.added.difference(&self.removed).copied().collect()
    }
}

/// A remove-wins (two-phase) set that declares the add-wins specification.
///
/// The story: the team's documentation promises that a concurrent add wins over a remove, and
/// that an element can be added again after a removal; the implementation is a two-phase set,
/// where a remove wins forever. Everything converges, every law of the lattice holds, and users
/// still lose data they re-added. Caught only by a specification: `value_matches_spec` and the
/// harness's specification oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct RemoveWinsSoldAsAddWins;

impl Model for RemoveWinsSoldAsAddWins {
    type State = TwoPhase;
    type Op = SetOp;
    type Value = BTreeSet<u8>;

    fn new_replica(&self, _: ReplicaId) -> TwoPhase {
        TwoPhase::default()
    }
    fn value(&self, s: &TwoPhase) -> BTreeSet<u8> {
        s.value()
    }
    fn ops(&self) -> BoxedStrategy<SetOp> {
        SetOp::strategy(3)
    }
    fn round_trip(&self, s: &TwoPhase) -> Option<Result<TwoPhase, Error>> {
        Some(json_round_trip(s))
    }
    fn spec(&self, history: &History<SetOp>) -> Option<BTreeSet<u8>> {
        Some(add_wins(history))
    }
}

impl StateCrdt for RemoveWinsSoldAsAddWins {
    fn apply(&self, s: &mut TwoPhase, _: ReplicaId, op: &SetOp) {
        s.apply(*op);
    }
    fn merge(&self, into: &mut TwoPhase, from: &TwoPhase) {
        into.merge(from);
    }
}

/// A two-phase set whose tombstones are not serialized.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeanTwoPhase {
    /// Every element ever added.
    pub added: BTreeSet<u8>,
    /// Tombstones, skipped "to keep snapshots small".
    #[serde(skip)]
    pub removed: BTreeSet<u8>,
}

/// A two-phase set whose tombstones are marked `#[serde(skip)]`.
///
/// The story: snapshots were getting large, and tombstones "are only needed while replicas
/// catch up", so someone skipped them in serialization. Nothing changes until a replica crashes
/// and restarts from its snapshot: its removed elements come back to life, and merging spreads
/// them. Caught by `serde_round_trip` and, after a crash and restart, by the harness's
/// monotone-growth oracle (the restored state is below the one that crashed).
#[derive(Clone, Copy, Debug, Default)]
pub struct ForgottenTombstones;

impl Model for ForgottenTombstones {
    type State = LeanTwoPhase;
    type Op = SetOp;
    type Value = BTreeSet<u8>;

    fn new_replica(&self, _: ReplicaId) -> LeanTwoPhase {
        LeanTwoPhase::default()
    }
    fn value(&self, s: &LeanTwoPhase) -> BTreeSet<u8> {
        s.added.difference(&s.removed).copied().collect()
    }
    fn ops(&self) -> BoxedStrategy<SetOp> {
        SetOp::strategy(3)
    }
    fn round_trip(&self, s: &LeanTwoPhase) -> Option<Result<LeanTwoPhase, Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for ForgottenTombstones {
    fn apply(&self, s: &mut LeanTwoPhase, _: ReplicaId, op: &SetOp) {
        match *op {
            SetOp::Add(x) => s.added.insert(x),
            SetOp::Remove(x) => s.removed.insert(x),
        };
    }
    fn merge(&self, into: &mut LeanTwoPhase, from: &LeanTwoPhase) {
        into.added.extend(from.added.iter().copied());
        into.removed.extend(from.removed.iter().copied());
    }
}
