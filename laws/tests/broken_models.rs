//! Proof that the checks can fail: for every law, a deliberately broken model that violates it,
//! and an assertion that the law is reported failed with a shrunk counterexample.
//!
//! Many mistakes break more than one law (a merge that is not associative cannot be a least
//! upper bound either), so each test also states exactly which other laws the same mistake
//! breaks, and why.

mod common;

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use common::{assert_caught, config};
use crdt_laws::{
    Delivery, DeltaCrdt, Error, History, Law, Model, OpCrdt, ReplicaId, StateCrdt, Verdict,
    check_delta, check_op, check_state, json_round_trip,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// Declares a `u64` model with `0..100` writes, initial state `$init`, and value = state.
macro_rules! u64_model {
    ($name:ident, $init:expr) => {
        impl Model for $name {
            type State = u64;
            type Op = u64;
            type Value = u64;
            fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
                Some(a == b)
            }
            fn new_replica(&self, _: ReplicaId) -> u64 {
                $init
            }
            fn value(&self, s: &u64) -> u64 {
                *s
            }
            fn ops(&self) -> BoxedStrategy<u64> {
                (0..100u64).boxed()
            }
        }
    };
}

/// A max-register whose order is declared strict (`<`): no state is below itself.
struct StrictOrder;
u64_model!(StrictOrder, 0);
impl StateCrdt for StrictOrder {
    fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) {
        *s = (*s).max(*op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = (*into).max(*from);
    }
    fn leq(&self, a: &u64, b: &u64) -> Option<bool> {
        Some(a < b)
    }
}

#[test]
fn strict_order_breaks_reflexivity() {
    let report = check_state(&StrictOrder, &config());
    // `a ⊔ a = a` but `a < a` is false, so the declared order disagrees with merge; and
    // `a ⊔ b` equals `a` or `b`, which is never strictly above itself.
    assert_caught(
        &report,
        Law::LeqReflexive,
        &[
            Law::LeqAgreesWithMerge,
            Law::JoinUpperBound,
            Law::UpdateInflationary,
        ],
        1,
    );
    // Nothing is strictly below and above another state: antisymmetry never applies.
    assert_eq!(
        report.get(Law::LeqAntisymmetric).unwrap().verdict,
        Verdict::Vacuous
    );
}

/// Two max-registers side by side whose declared order only looks at the first.
struct FirstComponentOrder;
impl Model for FirstComponentOrder {
    type State = (u64, u64);
    type Op = (bool, u64);
    type Value = (u64, u64);

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> (u64, u64) {
        (0, 0)
    }
    fn value(&self, s: &(u64, u64)) -> (u64, u64) {
        *s
    }
    fn ops(&self) -> BoxedStrategy<(bool, u64)> {
        (any::<bool>(), 0..10u64).boxed()
    }
}
impl StateCrdt for FirstComponentOrder {
    fn apply(&self, s: &mut (u64, u64), _: ReplicaId, &(first, n): &(bool, u64)) {
        if first {
            s.0 = s.0.max(n);
        } else {
            s.1 = s.1.max(n);
        }
    }
    fn merge(&self, into: &mut (u64, u64), from: &(u64, u64)) {
        *into = (into.0.max(from.0), into.1.max(from.1));
    }
    fn leq(&self, a: &(u64, u64), b: &(u64, u64)) -> Option<bool> {
        Some(a.0 <= b.0)
    }
}

#[test]
fn order_ignoring_a_field_breaks_antisymmetry() {
    let report = check_state(&FirstComponentOrder, &config());
    // A preorder that agreed with a commutative merge would be antisymmetric, so the declared
    // order must also disagree with merge.
    assert_caught(
        &report,
        Law::LeqAntisymmetric,
        &[Law::LeqAgreesWithMerge],
        2,
    );
}

/// A counter-like register bumped by one, whose declared order only relates neighbours.
struct NeighbourOrder;
impl Model for NeighbourOrder {
    type State = u64;
    type Op = ();
    type Value = u64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> u64 {
        0
    }
    fn value(&self, s: &u64) -> u64 {
        *s
    }
    fn ops(&self) -> BoxedStrategy<()> {
        Just(()).boxed()
    }
}
impl StateCrdt for NeighbourOrder {
    fn apply(&self, s: &mut u64, _: ReplicaId, (): &()) {
        *s += 1;
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = (*into).max(*from);
    }
    fn leq(&self, a: &u64, b: &u64) -> Option<bool> {
        Some(b >= a && b - a <= 1)
    }
}

#[test]
fn neighbour_order_breaks_transitivity() {
    let report = check_state(&NeighbourOrder, &config());
    // 0 ≤ 1 ≤ 2 but not 0 ≤ 2; merge (max) induces the full order, so the declared one
    // disagrees, and 0 is not below max(0, 2) = 2.
    assert_caught(
        &report,
        Law::LeqTransitive,
        &[Law::LeqAgreesWithMerge, Law::JoinUpperBound],
        3,
    );
}

/// Integers declared ordered by divisibility but merged by `max`.
struct DivisibilityWithMax;
u64_model!(DivisibilityWithMax, 1);
impl StateCrdt for DivisibilityWithMax {
    fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) {
        *s = (*s).max(*op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = (*into).max(*from);
    }
    fn leq(&self, a: &u64, b: &u64) -> Option<bool> {
        Some(*a != 0 && b.is_multiple_of(*a))
    }
}

#[test]
fn divisibility_order_with_max_merge_disagrees() {
    let report = check_state(&DivisibilityWithMax, &config());
    // max(4, 6) = 6 but 4 does not divide 6: merge is not a join of the declared order.
    assert_caught(
        &report,
        Law::LeqAgreesWithMerge,
        &[Law::JoinUpperBound, Law::UpdateInflationary],
        2,
    );
}

/// A register of readings merged by averaging.
struct AveragingRegister;
u64_model!(AveragingRegister, 0);
impl StateCrdt for AveragingRegister {
    fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) {
        *s = (*s).max(*op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = (*into + *from) / 2;
    }
}

#[test]
fn averaging_breaks_associativity() {
    let report = check_state(&AveragingRegister, &config());
    // The average is commutative and idempotent, but the order it induces (a ≤ b iff the
    // average of a and b is b, that is a ∈ {b, b + 1}) does not put a below the average of a
    // and a smaller b, nor a state below its own update.
    assert_caught(
        &report,
        Law::JoinAssociative,
        &[Law::JoinUpperBound, Law::UpdateInflationary],
        3,
    );
}

/// A last-writer-wins register with Lamport timestamps and no tie-break on equal timestamps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Lww {
    time: u64,
    value: u8,
}
struct LwwNoTieBreak;
impl Model for LwwNoTieBreak {
    type State = Lww;
    type Op = u8;
    type Value = u8;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Lww {
        Lww::default()
    }
    fn value(&self, s: &Lww) -> u8 {
        s.value
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..10u8).boxed()
    }
}
impl StateCrdt for LwwNoTieBreak {
    fn apply(&self, s: &mut Lww, _: ReplicaId, op: &u8) {
        *s = Lww {
            time: s.time + 1,
            value: *op,
        };
    }
    fn merge(&self, into: &mut Lww, from: &Lww) {
        if from.time > into.time {
            *into = *from;
        }
    }
}

#[test]
fn lww_without_tie_break_breaks_commutativity() {
    let report = check_state(&LwwNoTieBreak, &config());
    // With equal timestamps the receiver keeps its own value, so b is not below a ⊔ b. Merge
    // still returns one of its inputs, so it is below any common upper bound: least holds.
    let cx = assert_caught(&report, Law::JoinCommutative, &[Law::JoinUpperBound], 2);
    assert!(cx.violation.to_string().contains("a ⊔ b ≠ b ⊔ a"));
}

/// A grow-only counter merged by adding the entries.
struct SumMergedCounter;
impl Model for SumMergedCounter {
    type State = BTreeMap<ReplicaId, u64>;
    type Op = ();
    type Value = u64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Self::State {
        BTreeMap::new()
    }
    fn value(&self, s: &Self::State) -> u64 {
        s.values().sum()
    }
    fn ops(&self) -> BoxedStrategy<()> {
        Just(()).boxed()
    }
}
impl StateCrdt for SumMergedCounter {
    fn apply(&self, s: &mut Self::State, id: ReplicaId, (): &()) {
        *s.entry(id).or_default() += 1;
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        for (id, n) in from {
            *into.entry(*id).or_default() += n;
        }
    }
}

#[test]
fn counter_merged_by_sum_breaks_idempotence() {
    let report = check_state(&SumMergedCounter, &config());
    // Adding is commutative and associative, but merging a state twice counts it twice, and
    // the induced order (a ≤ b iff a + b = b) only puts the empty counter below anything.
    assert_caught(
        &report,
        Law::JoinIdempotent,
        &[
            Law::LeqReflexive,
            Law::JoinUpperBound,
            Law::UpdateInflationary,
        ],
        1,
    );
}

/// A set declared ordered by inclusion but merged by intersection ("keep what both agree on").
struct IntersectionSet;
impl Model for IntersectionSet {
    type State = BTreeSet<u8>;
    type Op = u8;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> BTreeSet<u8> {
        BTreeSet::new()
    }
    fn value(&self, s: &BTreeSet<u8>) -> BTreeSet<u8> {
        s.clone()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..6u8).boxed()
    }
}
impl StateCrdt for IntersectionSet {
    fn apply(&self, s: &mut BTreeSet<u8>, _: ReplicaId, op: &u8) {
        s.insert(*op);
    }
    fn merge(&self, into: &mut BTreeSet<u8>, from: &BTreeSet<u8>) {
        into.retain(|x| from.contains(x));
    }
    fn leq(&self, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Option<bool> {
        Some(a.is_subset(b))
    }
}

#[test]
fn intersection_breaks_upper_bound() {
    let report = check_state(&IntersectionSet, &config());
    // Intersection is a lattice operation, but for the opposite order.
    assert_caught(&report, Law::JoinUpperBound, &[Law::LeqAgreesWithMerge], 2);
}

/// A set with a "changed by a merge" flag: merging two different sets raises it.
struct DirtyFlagSet;
impl Model for DirtyFlagSet {
    type State = (BTreeSet<u8>, bool);
    type Op = u8;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Self::State {
        (BTreeSet::new(), false)
    }
    fn value(&self, s: &Self::State) -> BTreeSet<u8> {
        s.0.clone()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..4u8).boxed()
    }
}
impl StateCrdt for DirtyFlagSet {
    fn apply(&self, s: &mut Self::State, _: ReplicaId, op: &u8) {
        s.0.insert(*op);
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        into.1 = into.1 || from.1 || into.0 != from.0;
        into.0.extend(from.0.iter().copied());
    }
    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a.0.is_subset(&b.0) && (!a.1 || b.1))
    }
}

#[test]
fn dirty_flag_breaks_least_upper_bound() {
    let report = check_state(&DirtyFlagSet, &config());
    // ({1}, clean) and ({2}, clean) are both below ({1, 2}, clean), which a replica reaches by
    // adding 1 and 2 itself, but their merge is ({1, 2}, dirty). An associative, commutative,
    // idempotent merge is always least for the order it induces, so the declared order must
    // also disagree with merge.
    assert_caught(&report, Law::JoinLeast, &[Law::LeqAgreesWithMerge], 4);
}

/// A max-register whose declared bottom is 1 while replicas start at 0.
struct WrongBottom;
u64_model!(WrongBottom, 0);
impl StateCrdt for WrongBottom {
    fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) {
        *s = (*s).max(*op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = (*into).max(*from);
    }
    fn bottom(&self) -> Option<u64> {
        Some(1)
    }
}

#[test]
fn wrong_bottom_is_not_an_identity() {
    let report = check_state(&WrongBottom, &config());
    assert_caught(&report, Law::BottomIdentity, &[], 0);
}

/// A "grow-only" set that also lets users remove elements.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SetOp {
    Add(u8),
    Remove(u8),
}
fn set_ops(domain: u8) -> BoxedStrategy<SetOp> {
    prop_oneof![
        (0..domain).prop_map(SetOp::Add),
        (0..domain).prop_map(SetOp::Remove)
    ]
    .boxed()
}
struct RemovingSet;
impl Model for RemovingSet {
    type State = BTreeSet<u8>;
    type Op = SetOp;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> BTreeSet<u8> {
        BTreeSet::new()
    }
    fn value(&self, s: &BTreeSet<u8>) -> BTreeSet<u8> {
        s.clone()
    }
    fn ops(&self) -> BoxedStrategy<SetOp> {
        set_ops(4)
    }
}
impl StateCrdt for RemovingSet {
    fn apply(&self, s: &mut BTreeSet<u8>, _: ReplicaId, op: &SetOp) {
        match op {
            SetOp::Add(x) => s.insert(*x),
            SetOp::Remove(x) => s.remove(x),
        };
    }
    fn merge(&self, into: &mut BTreeSet<u8>, from: &BTreeSet<u8>) {
        into.extend(from.iter().copied());
    }
}

#[test]
fn removal_is_not_inflationary() {
    let report = check_state(&RemovingSet, &config());
    let cx = assert_caught(&report, Law::UpdateInflationary, &[], 1);
    assert!(
        cx.violation
            .inputs
            .iter()
            .any(|b| b.value.contains("Remove"))
    );
}

/// A PN-Counter (two grow-only maps) whose value is declared monotone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Pn {
    p: BTreeMap<ReplicaId, u64>,
    n: BTreeMap<ReplicaId, u64>,
}
fn max_into(into: &mut BTreeMap<ReplicaId, u64>, from: &BTreeMap<ReplicaId, u64>) {
    for (id, x) in from {
        let e = into.entry(*id).or_default();
        *e = (*e).max(*x);
    }
}
fn pn_value(s: &Pn) -> i64 {
    s.p.values().sum::<u64>() as i64 - s.n.values().sum::<u64>() as i64
}
struct MonotonePnCounter;
impl Model for MonotonePnCounter {
    type State = Pn;
    type Op = bool;
    type Value = i64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Pn {
        Pn::default()
    }
    fn value(&self, s: &Pn) -> i64 {
        pn_value(s)
    }
    fn ops(&self) -> BoxedStrategy<bool> {
        any::<bool>().boxed()
    }
}
impl StateCrdt for MonotonePnCounter {
    fn apply(&self, s: &mut Pn, id: ReplicaId, increment: &bool) {
        let side = if *increment { &mut s.p } else { &mut s.n };
        *side.entry(id).or_default() += 1;
    }
    fn merge(&self, into: &mut Pn, from: &Pn) {
        max_into(&mut into.p, &from.p);
        max_into(&mut into.n, &from.n);
    }
    fn value_leq(&self, a: &i64, b: &i64) -> Option<bool> {
        Some(a <= b)
    }
}

#[test]
fn pn_counter_value_is_not_monotone() {
    let report = check_state(&MonotonePnCounter, &config());
    assert_caught(&report, Law::ValueMonotone, &[], 1);
}

/// A grow-only set whose size is declared a join-preserving query (joined by `max`).
struct SizeQuery;
impl Model for SizeQuery {
    type State = BTreeSet<u8>;
    type Op = u8;
    type Value = usize;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> BTreeSet<u8> {
        BTreeSet::new()
    }
    fn value(&self, s: &BTreeSet<u8>) -> usize {
        s.len()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..6u8).boxed()
    }
}
impl StateCrdt for SizeQuery {
    fn apply(&self, s: &mut BTreeSet<u8>, _: ReplicaId, op: &u8) {
        s.insert(*op);
    }
    fn merge(&self, into: &mut BTreeSet<u8>, from: &BTreeSet<u8>) {
        into.extend(from.iter().copied());
    }
    fn value_join(&self, a: &usize, b: &usize) -> Option<usize> {
        Some(*a.max(b))
    }
}

#[test]
fn size_does_not_preserve_joins() {
    let report = check_state(&SizeQuery, &config());
    assert_caught(&report, Law::ValuePreservesJoin, &[], 2);
}

/// A grow-only counter whose delta says "+1" where it should carry the new entry.
struct IncrementDelta;
impl Model for IncrementDelta {
    type State = BTreeMap<ReplicaId, u64>;
    type Op = ();
    type Value = u64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Self::State {
        BTreeMap::new()
    }
    fn value(&self, s: &Self::State) -> u64 {
        s.values().sum()
    }
    fn ops(&self) -> BoxedStrategy<()> {
        Just(()).boxed()
    }
}
impl StateCrdt for IncrementDelta {
    fn apply(&self, s: &mut Self::State, id: ReplicaId, (): &()) {
        *s.entry(id).or_default() += 1;
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        max_into(into, from);
    }
}
impl DeltaCrdt for IncrementDelta {
    fn delta(&self, _: &Self::State, id: ReplicaId, (): &()) -> Self::State {
        BTreeMap::from([(id, 1)])
    }
}

#[test]
fn delta_that_drops_information() {
    let report = check_delta(&IncrementDelta, &config());
    assert_caught(&report, Law::DeltaMatchesUpdate, &[], 1);
}

/// A grow-only counter whose deltas are increments that merging *adds*: right for one delta
/// delivered once, wrong for a delta delivered twice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct AddingCounter {
    counts: BTreeMap<ReplicaId, u64>,
    is_delta: bool,
}
struct AddingDelta;
impl Model for AddingDelta {
    type State = AddingCounter;
    type Op = ();
    type Value = u64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> AddingCounter {
        AddingCounter::default()
    }
    fn value(&self, s: &AddingCounter) -> u64 {
        s.counts.values().sum()
    }
    fn ops(&self) -> BoxedStrategy<()> {
        Just(()).boxed()
    }
}
impl StateCrdt for AddingDelta {
    fn apply(&self, s: &mut AddingCounter, id: ReplicaId, (): &()) {
        *s.counts.entry(id).or_default() += 1;
    }
    fn merge(&self, into: &mut AddingCounter, from: &AddingCounter) {
        if from.is_delta {
            for (id, n) in &from.counts {
                *into.counts.entry(*id).or_default() += n;
            }
        } else {
            max_into(&mut into.counts, &from.counts);
        }
    }
}
impl DeltaCrdt for AddingDelta {
    fn delta(&self, _: &AddingCounter, id: ReplicaId, (): &()) -> AddingCounter {
        AddingCounter {
            counts: BTreeMap::from([(id, 1)]),
            is_delta: true,
        }
    }
}

#[test]
fn additive_deltas_break_grouping() {
    let report = check_delta(&AddingDelta, &config());
    let cx = assert_caught(&report, Law::DeltaGrouping, &[], 0);
    assert!(cx.violation.claim.contains("δ₁) ⊔ δ₁"), "{cx}");
}

/// An op-based counter whose prepare stamps messages by bumping a clock kept in a `Cell`.
#[derive(Clone, Debug, Default, PartialEq)]
struct Stamped {
    total: i64,
    clock: Cell<u64>,
}
struct ClockInPrepare;
impl Model for ClockInPrepare {
    type State = Stamped;
    type Op = i64;
    type Value = i64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Stamped {
        Stamped::default()
    }
    fn value(&self, s: &Stamped) -> i64 {
        s.total
    }
    fn ops(&self) -> BoxedStrategy<i64> {
        (-3..=3i64).boxed()
    }
}
impl OpCrdt for ClockInPrepare {
    type Message = (u64, i64);
    fn delivery(&self) -> Delivery {
        Delivery::Unordered
    }
    fn prepare(&self, s: &Stamped, _: ReplicaId, op: &i64) -> Option<(u64, i64)> {
        Some({
            s.clock.set(s.clock.get() + 1);
            (s.clock.get(), *op)
        })
    }
    fn effect(&self, s: &mut Stamped, &(_, n): &(u64, i64)) {
        s.total += n;
    }
}

#[test]
fn prepare_that_mutates() {
    let report = check_op(&ClockInPrepare, &config());
    assert_caught(&report, Law::PreparePure, &[], 0);
}

/// An op-based register whose effect overwrites: the last message delivered wins.
struct OverwriteRegister;
u64_model!(OverwriteRegister, 0);
impl OpCrdt for OverwriteRegister {
    type Message = u64;
    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, _: &u64, _: ReplicaId, op: &u64) -> Option<u64> {
        Some(*op)
    }
    fn effect(&self, s: &mut u64, m: &u64) {
        *s = *m;
    }
}

#[test]
fn overwriting_effects_do_not_commute() {
    let report = check_op(&OverwriteRegister, &config());
    assert_caught(&report, Law::EffectsCommute, &[], 2);
}

/// An op-based counter on a network that duplicates messages.
struct DuplicatedCounter;
u64_model!(DuplicatedCounter, 0);
impl OpCrdt for DuplicatedCounter {
    type Message = u64;
    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }
    fn prepare(&self, _: &u64, _: ReplicaId, op: &u64) -> Option<u64> {
        Some(*op)
    }
    fn effect(&self, s: &mut u64, m: &u64) {
        *s += *m;
    }
}

#[test]
fn counting_duplicates_is_not_idempotent() {
    let report = check_op(&DuplicatedCounter, &config());
    assert_caught(&report, Law::EffectIdempotent, &[], 1);
}

/// A grow-only set with a Lamport clock that serialization forgets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct ClockedSet {
    elements: BTreeSet<u8>,
    #[serde(skip)]
    clock: u64,
}
struct SkippedField;
impl Model for SkippedField {
    type State = ClockedSet;
    type Op = u8;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> ClockedSet {
        ClockedSet::default()
    }
    fn value(&self, s: &ClockedSet) -> BTreeSet<u8> {
        s.elements.clone()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..6u8).boxed()
    }
    fn round_trip(&self, s: &ClockedSet) -> Option<Result<ClockedSet, Error>> {
        Some(json_round_trip(s))
    }
}
impl StateCrdt for SkippedField {
    fn apply(&self, s: &mut ClockedSet, _: ReplicaId, op: &u8) {
        s.elements.insert(*op);
        s.clock += 1;
    }
    fn merge(&self, into: &mut ClockedSet, from: &ClockedSet) {
        into.elements.extend(from.elements.iter().copied());
        into.clock = into.clock.max(from.clock);
    }
}

#[test]
fn skipped_field_breaks_round_trip() {
    let report = check_state(&SkippedField, &config());
    assert_caught(&report, Law::SerdeRoundTrip, &[], 1);
}

/// A max-register that stamps every merge with a process-wide sequence number ("last synced").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Synced {
    value: u64,
    last_sync: u64,
}
static SYNCS: AtomicU64 = AtomicU64::new(0);
struct StampedMerge;
impl Model for StampedMerge {
    type State = Synced;
    type Op = u64;
    type Value = u64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Synced {
        Synced::default()
    }
    fn value(&self, s: &Synced) -> u64 {
        s.value
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        (0..100u64).boxed()
    }
}
impl StateCrdt for StampedMerge {
    fn apply(&self, s: &mut Synced, _: ReplicaId, op: &u64) {
        s.value = s.value.max(*op);
    }
    fn merge(&self, into: &mut Synced, from: &Synced) {
        into.value = into.value.max(from.value);
        into.last_sync = SYNCS.fetch_add(1, Ordering::Relaxed) + 1;
    }
}

#[test]
fn merge_stamped_with_a_global_counter_is_not_deterministic() {
    let report = check_state(&StampedMerge, &config());
    // Every merge yields a new stamp, so no two merges agree and no state is below another.
    let cx = assert_caught(
        &report,
        Law::MergeDeterministic,
        &[
            Law::LeqReflexive,
            Law::JoinAssociative,
            Law::JoinCommutative,
            Law::JoinIdempotent,
            Law::JoinUpperBound,
            Law::UpdateInflationary,
            Law::ReplayDeterministic,
        ],
        0,
    );
    assert!(cx.violation.claim.contains("(first)"), "{cx}");
    // Nothing is ever below anything else, so the conditional laws say nothing.
    for law in [Law::LeqAntisymmetric, Law::LeqTransitive, Law::JoinLeast] {
        assert_eq!(report.get(law).unwrap().verdict, Verdict::Vacuous, "{law}");
    }
}

/// A grow-only set whose "leader" is the first member its hash set yields.
struct HashOrderLeader;
impl Model for HashOrderLeader {
    type State = HashSet<u8>;
    type Op = u8;
    type Value = Option<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> HashSet<u8> {
        HashSet::new()
    }
    fn value(&self, s: &HashSet<u8>) -> Option<u8> {
        s.iter().next().copied()
    }
    fn ops(&self) -> BoxedStrategy<u8> {
        (0..16u8).boxed()
    }
}
impl StateCrdt for HashOrderLeader {
    fn apply(&self, s: &mut HashSet<u8>, _: ReplicaId, op: &u8) {
        s.insert(*op);
    }
    fn merge(&self, into: &mut HashSet<u8>, from: &HashSet<u8>) {
        into.extend(from.iter().copied());
    }
}

#[test]
fn hash_iteration_order_is_hidden_nondeterminism() {
    let report = check_state(&HashOrderLeader, &config());
    assert_caught(&report, Law::ReplayDeterministic, &[], 4);
}

/// A two-phase set (removal is forever) that claims the add-wins specification.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct TwoPhase {
    added: BTreeSet<u8>,
    removed: BTreeSet<u8>,
}
struct TwoPhaseClaimsAddWins;
impl Model for TwoPhaseClaimsAddWins {
    type State = TwoPhase;
    type Op = SetOp;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> TwoPhase {
        TwoPhase::default()
    }
    fn value(&self, s: &TwoPhase) -> BTreeSet<u8> {
        s.added.difference(&s.removed).copied().collect()
    }
    fn ops(&self) -> BoxedStrategy<SetOp> {
        set_ops(3)
    }
    fn spec(&self, history: &History<SetOp>) -> Option<BTreeSet<u8>> {
        // Add-wins: x is in the set if some add(x) is not followed by a remove(x).
        let events = history.events();
        Some(
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
                .collect(),
        )
    }
}
impl StateCrdt for TwoPhaseClaimsAddWins {
    fn apply(&self, s: &mut TwoPhase, _: ReplicaId, op: &SetOp) {
        match op {
            SetOp::Add(x) => s.added.insert(*x),
            SetOp::Remove(x) => s.removed.insert(*x),
        };
    }
    fn merge(&self, into: &mut TwoPhase, from: &TwoPhase) {
        into.added.extend(from.added.iter().copied());
        into.removed.extend(from.removed.iter().copied());
    }
}

#[test]
fn remove_wins_set_violates_add_wins_spec() {
    let report = check_state(&TwoPhaseClaimsAddWins, &config());
    assert_caught(&report, Law::ValueMatchesSpec, &[], 2);
}

/// A model whose declared order relates nothing: every conditional law is vacuous.
struct NothingRelated;
u64_model!(NothingRelated, 0);
impl StateCrdt for NothingRelated {
    fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) {
        *s = (*s).max(*op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        *into = (*into).max(*from);
    }
    fn leq(&self, _: &u64, _: &u64) -> Option<bool> {
        Some(false)
    }
}

#[test]
fn unsatisfiable_premises_are_vacuous_not_passed() {
    let report = check_state(&NothingRelated, &config());
    for law in [Law::LeqAntisymmetric, Law::LeqTransitive, Law::JoinLeast] {
        let result = report.get(law).unwrap();
        assert_eq!(result.verdict, Verdict::Vacuous, "{law}: {report}");
        assert_eq!(result.premise_hits, Some(0));
    }
    assert!(!report.all_passed());
    assert!(report.to_string().contains("VACUOUS"));
}

#[test]
fn a_lenient_threshold_accepts_rare_premises() {
    let strict = check_state(&NothingRelated, &config().only([Law::JoinLeast]));
    assert_eq!(strict.results[0].verdict, Verdict::Vacuous);
    let mut lenient = config().only([Law::JoinLeast]);
    lenient.min_premise_ratio = 0.0;
    assert_eq!(
        check_state(&NothingRelated, &lenient).results[0].verdict,
        Verdict::Passed
    );
}

/// A model that panics in merge once states grow: the panic is a finding, not a crash.
struct PanickyMerge;
u64_model!(PanickyMerge, 0);
impl StateCrdt for PanickyMerge {
    fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) {
        *s = (*s).max(*op);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        assert!(*into + *from < 150, "merge overflowed its budget");
        *into = (*into).max(*from);
    }
}

#[test]
fn a_panicking_model_is_a_finding() {
    let report = check_state(&PanickyMerge, &config().only([Law::JoinCommutative]));
    let cx = report.results[0].counterexample.as_ref().unwrap();
    assert_eq!(cx.violation.claim, "the model panicked");
    assert!(
        cx.violation
            .left
            .value
            .contains("merge overflowed its budget")
    );
}
