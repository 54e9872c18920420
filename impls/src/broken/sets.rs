//! Broken sets.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crdt_laws::{
    Delivery, Dot, Error, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::models::add_wins;
use crate::ops::SetOp;

/// The textbook operation-based OR-Set, declared for a network that delivers in any order.
///
/// The story: adds carry a fresh tag; a remove carries the tags its origin observed and deletes
/// them. Under causal delivery this is correct. Declared for any order, a remove can overtake
/// the add it removes: it finds nothing to delete, the add arrives afterwards, and the element
/// stays at that replica while it is gone everywhere else. Caught by `effects_commute`, by
/// `value_matches_spec` (the law checker delivers in any order the model declares), and by the
/// harness's specification oracle, once the network reorders.
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

impl TaggedSet {
    /// The message for a user's operation: a fresh tag for an add, the observed tags for a
    /// remove.
    fn prepare(&self, replica: ReplicaId, op: &SetOp<u8>) -> OrSetMessage {
        match *op {
            SetOp::Add(element) => OrSetMessage::Add {
                element,
                tag: Dot::new(replica, self.latest.get(&replica).copied().unwrap_or(0) + 1),
            },
            SetOp::Remove(element) => OrSetMessage::Remove {
                element,
                tags: self
                    .tags
                    .get(&element)
                    .map(|t| t.iter().copied().collect())
                    .unwrap_or_default(),
            },
        }
    }

    fn add(&mut self, element: u8, tag: Dot) {
        self.tags.entry(element).or_default().insert(tag);
        let latest = self.latest.entry(tag.replica).or_default();
        *latest = (*latest).max(tag.seq);
    }

    fn value(&self) -> BTreeSet<u8> {
        self.tags
            .iter()
            .filter(|(_, tags)| !tags.is_empty())
            .map(|(x, _)| *x)
            .collect()
    }
}

/// Implements [`Model`] for an op-based OR-Set of the gallery: a [`TaggedSet`] of elements below
/// 3, adds three times as likely as removes, and the add-wins specification.
macro_rules! tagged_set_model {
    ($model:ty) => {
        impl Model for $model {
            fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
                Some(a == b)
            }

            type State = TaggedSet;
            type Op = SetOp<u8>;
            type Value = BTreeSet<u8>;

            fn new_replica(&self, _: ReplicaId) -> TaggedSet {
                TaggedSet::default()
            }
            fn value(&self, s: &TaggedSet) -> BTreeSet<u8> {
                s.value()
            }
            fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
                SetOp::strategy(3, 1)
            }
            fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
                Some(add_wins(history))
            }
        }
    };
}

tagged_set_model!(CausalOrSet);

impl OpCrdt for CausalOrSet {
    type Message = OrSetMessage;
    fn delivery(&self) -> Delivery {
        // The mistake: this algorithm needs Delivery::Causal.
        Delivery::Unordered
    }
    fn prepare(&self, s: &TaggedSet, replica: ReplicaId, op: &SetOp<u8>) -> Option<OrSetMessage> {
        Some(s.prepare(replica, op))
    }
    fn effect(&self, s: &mut TaggedSet, message: &OrSetMessage) {
        match message {
            OrSetMessage::Add { element, tag } => s.add(*element, *tag),
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
    fn apply(&mut self, op: &SetOp<u8>) {
        match op {
            SetOp::Add(x) => self.added.insert(*x),
            SetOp::Remove(x) => self.removed.insert(*x),
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

/// Implements [`Model`] for a two-phase set of the gallery sold as add-wins: a [`TwoPhase`] of
/// elements below 3, adds three times as likely as removes, a JSON codec, and the add-wins
/// specification its authors promised.
macro_rules! two_phase_model {
    ($model:ty) => {
        impl Model for $model {
            fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
                Some(a == b)
            }

            type State = TwoPhase;
            type Op = SetOp<u8>;
            type Value = BTreeSet<u8>;

            fn new_replica(&self, _: ReplicaId) -> TwoPhase {
                TwoPhase::default()
            }
            fn value(&self, s: &TwoPhase) -> BTreeSet<u8> {
                s.value()
            }
            fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
                SetOp::strategy(3, 1)
            }
            fn round_trip(&self, s: &TwoPhase) -> Option<Result<TwoPhase, Error>> {
                Some(json_round_trip(s))
            }
            fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
                Some(add_wins(history))
            }
        }
    };
}

two_phase_model!(RemoveWinsSoldAsAddWins);

impl StateCrdt for RemoveWinsSoldAsAddWins {
    fn apply(&self, s: &mut TwoPhase, _: ReplicaId, op: &SetOp<u8>) {
        s.apply(op);
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
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> LeanTwoPhase {
        LeanTwoPhase::default()
    }
    fn value(&self, s: &LeanTwoPhase) -> BTreeSet<u8> {
        s.added.difference(&s.removed).copied().collect()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        SetOp::strategy(3, 1)
    }
    fn round_trip(&self, s: &LeanTwoPhase) -> Option<Result<LeanTwoPhase, Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for ForgottenTombstones {
    fn apply(&self, s: &mut LeanTwoPhase, _: ReplicaId, op: &SetOp<u8>) {
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

/// An operation-based OR-Set whose remove deletes the element rather than the tags it observed.
///
/// The story: adds carry fresh tags and the network delivers causally, as the textbook says;
/// the remove message even carries the observed tags. But its effect was written as "remove
/// `x`": it drops every tag of `x` the receiver holds, including tags of concurrent adds the
/// remover never saw. When A adds and removes `x` while B adds `x` concurrently, B's add
/// survives at A (it arrives after the remove) but not at B (the remove wipes it): the
/// replicas diverge, and B lost an add that add-wins promises to keep. Caught by
/// `effects_commute` (a concurrent add and remove give different states in the two orders), by
/// `value_matches_spec`, and by the harness's specification oracle on a calm network.
#[derive(Clone, Copy, Debug, Default)]
pub struct RemoveByValueOrSet;

tagged_set_model!(RemoveByValueOrSet);

impl OpCrdt for RemoveByValueOrSet {
    type Message = OrSetMessage;
    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &TaggedSet, replica: ReplicaId, op: &SetOp<u8>) -> Option<OrSetMessage> {
        Some(s.prepare(replica, op))
    }
    fn effect(&self, s: &mut TaggedSet, message: &OrSetMessage) {
        match message {
            OrSetMessage::Add { element, tag } => s.add(*element, *tag),
            OrSetMessage::Remove { element, .. } => {
                // The mistake: every tag of the element goes, observed or not.
                s.tags.remove(element);
            }
        }
    }
}

/// An add-wins set without tombstones (ORSWOT) whose merge takes a shortcut when one clock
/// covers the other.
///
/// The story, from riak_dt (pull requests #78 and #79, 2014): an ORSWOT keeps, per element, the
/// dots of the adds that are still live, and a version vector of every add it has seen. A
/// remove drops the element's dots and leaves the clock alone. Merge keeps a dot present on
/// both sides, or on one side and unseen by the other's clock. An optimization returned one
/// side unchanged when its clock *descends* the other's ("it has seen everything the other has,
/// so its state dominates"). But a remove does not move the clock: after A adds `x`, sends its
/// state to B and removes `x`, B's clock still covers A's, so when B's state comes back A takes
/// it whole, and `x` is back. With equal clocks the shortcut keeps whichever side merges, so
/// merge is not even commutative. The fix was to drop the shortcut.
///
/// The model declares the ORSWOT's order (`a ≤ b` when `b` has seen every add `a` has and knows
/// of every remove `a` made), so the laws speak of the lost remove. Caught by
/// `leq_agrees_with_merge`, `join_associative` (three replicas: which side is merged first
/// decides whose clock covers whose), `join_commutative`, `join_upper_bound` (the state that
/// made the remove is not below the merge) and `value_matches_spec`, and by the harness's
/// specification, monotone-growth and equal-values-different-states oracles.
#[derive(Clone, Copy, Debug, Default)]
pub struct ShortcutOrswot;

/// The state of [`ShortcutOrswot`]. Its `Debug` text is short, for diagrams:
/// `{0: {A1}} seen {A: 1}` is element 0 with the live dot `A1`, and a context that has seen A's
/// first add.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orswot {
    /// The adds seen: the highest add counter of each replica.
    pub clock: BTreeMap<ReplicaId, u64>,
    /// Each present element's live dots.
    pub entries: BTreeMap<u8, BTreeSet<Dot>>,
}

impl fmt::Debug for Orswot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} seen {:?}", self.entries, self.clock)
    }
}

impl Orswot {
    /// True when this state's clock has seen `dot`.
    fn has_seen(&self, dot: Dot) -> bool {
        self.clock.get(&dot.replica).is_some_and(|&n| n >= dot.seq)
    }

    /// True when this clock has seen every add `other`'s clock has.
    fn descends(&self, other: &Orswot) -> bool {
        other
            .clock
            .iter()
            .all(|(&r, &n)| self.has_seen(Dot::new(r, n)))
    }

    /// The order an ORSWOT's merge should be the join of: `b` has seen every add `a` has, and
    /// every dot live in `b` that `a` has seen is live in `a` (so `b` knows of every remove `a`
    /// made).
    fn leq(&self, b: &Orswot) -> bool {
        b.descends(self)
            && b.entries.iter().all(|(x, dots)| {
                dots.iter().all(|d| {
                    !self.has_seen(*d) || self.entries.get(x).is_some_and(|own| own.contains(d))
                })
            })
    }

    /// The ORSWOT join: per element, the dots both sides have and the dots one side has that
    /// the other has not seen; the clocks' pointwise maximum. With `whole_one_sided`, the
    /// mistake of [`WholeEntryOrswot`]: an element present on one side only keeps every dot.
    fn join(&mut self, from: &Orswot, whole_one_sided: bool) {
        let elements: BTreeSet<u8> = self
            .entries
            .keys()
            .chain(from.entries.keys())
            .copied()
            .collect();
        let empty = BTreeSet::new();
        let mut entries = BTreeMap::new();
        for x in elements {
            let ours = self.entries.get(&x).unwrap_or(&empty);
            let theirs = from.entries.get(&x).unwrap_or(&empty);
            let dots: BTreeSet<Dot> = if whole_one_sided && (ours.is_empty() || theirs.is_empty()) {
                ours.union(theirs).copied().collect()
            } else {
                Orswot::surviving(ours, theirs, from)
                    .into_iter()
                    .chain(Orswot::surviving(theirs, ours, self))
                    .collect()
            };
            if !dots.is_empty() {
                entries.insert(x, dots);
            }
        }
        for (&r, &n) in &from.clock {
            let counter = self.clock.entry(r).or_default();
            *counter = (*counter).max(n);
        }
        self.entries = entries;
    }

    /// The dots of `ours` to keep against `theirs` (whose state is `other`): those `other` also
    /// has, and those it has not seen.
    fn surviving(ours: &BTreeSet<Dot>, theirs: &BTreeSet<Dot>, other: &Orswot) -> Vec<Dot> {
        ours.iter()
            .filter(|d| theirs.contains(d) || !other.has_seen(**d))
            .copied()
            .collect()
    }
}

impl Model for ShortcutOrswot {
    type State = Orswot;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Orswot {
        Orswot::default()
    }
    fn value(&self, s: &Orswot) -> BTreeSet<u8> {
        s.entries.keys().copied().collect()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        SetOp::strategy(3, 1)
    }
    fn round_trip(&self, s: &Orswot) -> Option<Result<Orswot, Error>> {
        Some(json_round_trip(s))
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        Some(add_wins(history))
    }
}

impl StateCrdt for ShortcutOrswot {
    fn apply(&self, s: &mut Orswot, replica: ReplicaId, op: &SetOp<u8>) {
        match *op {
            SetOp::Add(x) => {
                let counter = s.clock.entry(replica).or_default();
                *counter += 1;
                // The new dot replaces the element's dots: the add has observed them.
                s.entries
                    .insert(x, BTreeSet::from([Dot::new(replica, *counter)]));
            }
            SetOp::Remove(x) => {
                s.entries.remove(&x);
            }
        }
    }
    fn merge(&self, into: &mut Orswot, from: &Orswot) {
        // The mistake: "my clock covers yours" taken as "my state dominates yours".
        if into.descends(from) {
            return;
        }
        if from.descends(into) {
            *into = from.clone();
            return;
        }
        into.join(from, false);
    }
    fn leq(&self, a: &Orswot, b: &Orswot) -> Option<bool> {
        Some(a.leq(b))
    }
}

/// An add-wins set without tombstones (ORSWOT) whose merge keeps an element present on one
/// side only with every dot it has.
///
/// The story: the classic ORSWOT merge bug. Merging per element, the code handles "present on
/// both sides" with care (keep the common dots, and each side's dots the other has not seen),
/// but takes "present on one side only" to mean "the other side has never heard of it" and
/// copies the entry whole. Absence is ambiguous: the other side may have *removed* the element,
/// and its clock then covers the dots it dropped. After A adds `x`, B merges A's state and
/// removes `x`, and A merges B's state back, A still shows `x`: the remove is undone, and
/// replicas that merged in different orders disagree until every one has merged every other.
///
/// Caught by the laws `join_upper_bound` (B's state, which made the remove, is not below the
/// merge), `leq_agrees_with_merge` and `value_matches_spec` (add-wins: the remove observed the
/// add), and by the harness's specification oracle. Random executions rarely build its
/// premise (an add, a merge of it, a remove of the same element at the merging replica, a merge
/// back); the laws' generator favours it (see `crdt_laws::generate`), so the default 256 cases
/// catch it.
#[derive(Clone, Copy, Debug, Default)]
pub struct WholeEntryOrswot;

impl Model for WholeEntryOrswot {
    type State = Orswot;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, id: ReplicaId) -> Orswot {
        ShortcutOrswot.new_replica(id)
    }
    fn value(&self, s: &Orswot) -> BTreeSet<u8> {
        ShortcutOrswot.value(s)
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        // The reference OR-Set's operations: eight elements, adds twice as likely.
        SetOp::strategy(crate::models::DEFAULT_DOMAIN, 2)
    }
    fn round_trip(&self, s: &Orswot) -> Option<Result<Orswot, Error>> {
        ShortcutOrswot.round_trip(s)
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        ShortcutOrswot.spec(history)
    }
}

impl StateCrdt for WholeEntryOrswot {
    fn apply(&self, s: &mut Orswot, replica: ReplicaId, op: &SetOp<u8>) {
        ShortcutOrswot.apply(s, replica, op);
    }
    fn merge(&self, into: &mut Orswot, from: &Orswot) {
        // The mistake is inside the join: `true` keeps one-sided entries whole.
        into.join(from, true);
    }
    fn leq(&self, a: &Orswot, b: &Orswot) -> Option<bool> {
        Some(a.leq(b))
    }
}

/// A two-phase set that "allows re-adding" by clearing the element's tombstone on add.
///
/// The story: users complained that a two-phase set never lets them add back an item they
/// removed, so `add(x)` now also deletes `x` from the tombstones. Locally it works. But an add
/// that deletes a tombstone moves the state *down*: any replica that still holds the tombstone
/// merges it straight back, and the re-added item disappears again, at every replica that
/// hears of the old state. Updates must be inflationary; a re-add needs fresh identity (an
/// OR-Set's tags), not a smaller state. Caught by `update_inflationary`, by
/// `value_matches_spec` (the add-wins specification the author wanted), and by the harness's
/// monotone-growth and specification oracles.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReAddingTwoPhaseSet;

two_phase_model!(ReAddingTwoPhaseSet);

impl StateCrdt for ReAddingTwoPhaseSet {
    fn apply(&self, s: &mut TwoPhase, _: ReplicaId, op: &SetOp<u8>) {
        s.apply(op);
        if let SetOp::Add(x) = op {
            // The mistake: an update that deletes state.
            s.removed.remove(x);
        }
    }
    fn merge(&self, into: &mut TwoPhase, from: &TwoPhase) {
        into.merge(from);
    }
}
