//! Broken lattices: a merge that is not the join of the declared order, and one that is no join
//! at all.

use crdt_laws::toys::{Divisibility, lcm};
use crdt_laws::{Error, History, Model, ReplicaId, StateCrdt, json_round_trip};
use proptest::prelude::*;

use crate::ops::RegisterOp;

/// Integers under divisibility, merged by `max`: the join of the *other* order on `u64`.
///
/// The story: the seed article's exercise orders numbers by divisibility (`4 ≤ 12` because 4
/// divides 12; 4 and 6 are incomparable). Updates are right (`apply(n)` moves the state to
/// `lcm(state, n)`), the order and the bottom are declared right, but merge was written as
/// `max`, "because a join takes the larger one". `max` is the join of the usual order `≤`, not
/// of divisibility: `max(4, 6) = 6`, and 4 does not divide 6, so the merge is not even above
/// its inputs, and the replica that held 4 forgets it. Caught by `leq_agrees_with_merge` and
/// `join_upper_bound`, by `value_matches_spec` (the specification is the lcm of what was
/// written), and by the harness's monotone-growth and specification oracles.
#[derive(Clone, Copy, Debug, Default)]
pub struct DivisibilityByMax;

impl Model for DivisibilityByMax {
    type State = u64;
    type Op = u64;
    type Value = u64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, id: ReplicaId) -> u64 {
        Divisibility.new_replica(id)
    }
    fn value(&self, s: &u64) -> u64 {
        *s
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        Divisibility.ops()
    }
    fn round_trip(&self, s: &u64) -> Option<Result<u64, Error>> {
        Some(json_round_trip(s))
    }
    fn spec(&self, history: &History<u64>) -> Option<u64> {
        Divisibility.spec(history)
    }
}

impl StateCrdt for DivisibilityByMax {
    fn apply(&self, s: &mut u64, _: ReplicaId, n: &u64) {
        *s = lcm(*s, *n);
    }
    fn merge(&self, into: &mut u64, from: &u64) {
        // The mistake: the join of `≤`, under an order of divisibility.
        *into = (*into).max(*from);
    }
    fn leq(&self, a: &u64, b: &u64) -> Option<bool> {
        Divisibility.leq(a, b)
    }
    fn bottom(&self) -> Option<u64> {
        Divisibility.bottom()
    }
}

/// A thermostat's set-point whose replicas merge by averaging their settings.
///
/// The story: two people set the office thermostat, on two phones, while offline; "be fair,
/// take the average" when they sync. Averaging is commutative and idempotent, so two phones
/// that swap states agree. With three, the result depends on who syncs with whom first:
/// `avg(avg(18, 22), 26) = 23` but `avg(18, avg(22, 26)) = 21`. Merge is not associative, the
/// average lies below one of its inputs (no upper bound: in the order averaging induces,
/// `a ≤ b ⇔ avg(a, b) = b`, a state is below itself only), and a new setting is not above the
/// old one, so merging an older state partly undoes it. Caught by `join_associative`,
/// `join_upper_bound` and `update_inflationary` (among others: the order that averaging induces
/// is plain equality), and by the harness's monotone-growth oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct AveragingThermostat;

impl Model for AveragingThermostat {
    type State = f64;
    type Op = RegisterOp<u8>;
    type Value = f64;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> f64 {
        20.0
    }
    fn value(&self, s: &f64) -> f64 {
        *s
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        (16..=28u8).prop_map(RegisterOp::Set).boxed()
    }
    fn round_trip(&self, s: &f64) -> Option<Result<f64, Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for AveragingThermostat {
    fn apply(&self, s: &mut f64, _: ReplicaId, op: &RegisterOp<u8>) {
        let RegisterOp::Set(t) = op;
        *s = f64::from(*t);
    }
    fn merge(&self, into: &mut f64, from: &f64) {
        // The mistake: "fair" is not a join.
        *into = (*into + *from) / 2.0;
    }
}
