//! The laws have teeth on these types: each test plants one classic mistake in a reference
//! CRDT's model (through the public API only) and asserts that the catalogue catches it, with
//! the law that names the mistake.

use crdt_impls::models::{
    FriendshipModel, GSetModel, LwwElementSetModel, LwwRegisterModel, MapModel, OrSetModel,
};
use crdt_impls::ops::SetOp;
use crdt_impls::{Lattice, LwwElementSet, LwwRegister, OrSet};
use crdt_laws::{
    Config, DeltaCrdt, Error, History, Law, LawReport, Model, ReplicaId, StateCrdt, check_delta,
    check_state,
};
use proptest::strategy::BoxedStrategy;

type Apply<S, Op> = fn(&mut S, ReplicaId, &Op);
type Merge<S> = fn(&mut S, &S);
type Delta<S, Op> = fn(&S, ReplicaId, &Op) -> S;

/// A reference model with its update, merge or delta replaced by a broken one. The order is
/// derived from the (broken) merge.
struct Mutant<M: StateCrdt> {
    base: M,
    name: &'static str,
    apply: Option<Apply<M::State, M::Op>>,
    merge: Option<Merge<M::State>>,
    delta: Option<Delta<M::State, M::Op>>,
}

impl<M: StateCrdt> Mutant<M> {
    fn new(base: M, name: &'static str) -> Self {
        Self {
            base,
            name,
            apply: None,
            merge: None,
            delta: None,
        }
    }
}

impl<M: StateCrdt> Model for Mutant<M> {
    type State = M::State;
    type Op = M::Op;
    type Value = M::Value;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        self.base.state_eq(a, b)
    }

    fn name(&self) -> String {
        self.name.to_string()
    }
    fn new_replica(&self, id: ReplicaId) -> M::State {
        self.base.new_replica(id)
    }
    fn value(&self, state: &M::State) -> M::Value {
        self.base.value(state)
    }
    fn ops(&self) -> BoxedStrategy<M::Op> {
        self.base.ops()
    }
    fn round_trip(&self, state: &M::State) -> Option<Result<M::State, Error>> {
        self.base.round_trip(state)
    }
    fn spec(&self, history: &History<M::Op>) -> Option<M::Value> {
        self.base.spec(history)
    }
}

impl<M: StateCrdt> StateCrdt for Mutant<M> {
    fn apply(&self, state: &mut M::State, replica: ReplicaId, op: &M::Op) {
        match self.apply {
            Some(apply) => apply(state, replica, op),
            None => self.base.apply(state, replica, op),
        }
    }
    fn merge(&self, into: &mut M::State, from: &M::State) {
        match self.merge {
            Some(merge) => merge(into, from),
            None => self.base.merge(into, from),
        }
    }
    fn bottom(&self) -> Option<M::State> {
        self.base.bottom()
    }
}

impl<M: DeltaCrdt> DeltaCrdt for Mutant<M> {
    fn delta(&self, state: &M::State, replica: ReplicaId, op: &M::Op) -> M::State {
        match self.delta {
            Some(delta) => delta(state, replica, op),
            None => self.base.delta(state, replica, op),
        }
    }
}

fn config() -> Config {
    Config::default().with_seed(5)
}

/// Asserts that `report` fails `law`, with a counterexample.
fn assert_caught(report: &LawReport, law: Law) {
    crdt_laws::testing::assert_caught(report, law);
}

/// riak_dt pull request #78: merge "optimised" to return the side whose clock covers the
/// other's. A removal does not advance the clock, so the covering side may still hold an
/// element the other side removed: the removal is lost.
#[test]
fn or_set_with_the_riak_dt_pr_78_merge_shortcut_breaks_its_specification() {
    let mut mutant = Mutant::new(OrSetModel::default(), "OrSet with riak_dt PR 78 merge");
    mutant.merge = Some(|into: &mut OrSet<u8>, from: &OrSet<u8>| {
        if from.context().is_subset(into.context()) {
            return;
        }
        if into.context().is_subset(from.context()) {
            into.clone_from(from);
            return;
        }
        into.merge(from);
    });
    let report = check_delta(&mutant, &config());
    assert_caught(&report, Law::ValueMatchesSpec);
}

/// A last-writer-wins register that compares Lamport times only, and keeps its own value on a
/// tie: two replicas that exchange concurrent writes keep different values.
#[test]
fn lww_register_without_a_replica_tie_break_diverges() {
    let mut mutant = Mutant::new(LwwRegisterModel::default(), "LwwRegister without tie-break");
    mutant.merge = Some(|into: &mut LwwRegister<u8>, from: &LwwRegister<u8>| {
        if from.clock() > into.clock() {
            into.clone_from(from);
        }
    });
    assert_caught(&check_state(&mutant, &config()), Law::JoinCommutative);
}

/// An LWW element set that only records a remove of an element it holds: the remove neither
/// beats older adds it has not seen nor advances the clock.
#[test]
fn lww_set_ignoring_removes_of_absent_elements_breaks_its_specification() {
    let mut mutant = Mutant::new(
        LwwElementSetModel::default(),
        "LwwElementSet ignoring absent removes",
    );
    mutant.apply = Some(
        |state: &mut LwwElementSet<u8>, _: ReplicaId, op: &SetOp<u8>| match op {
            SetOp::Add(x) => {
                state.insert(*x);
            }
            SetOp::Remove(x) if state.contains(x) => {
                state.remove(x);
            }
            SetOp::Remove(_) => {}
        },
    );
    assert_caught(&check_state(&mutant, &config()), Law::ValueMatchesSpec);
}

/// A G-Set whose delta is empty once the replica holds any element: the delta no longer
/// performs the update.
#[test]
fn g_set_with_a_lossy_delta_breaks_the_delta_law() {
    let mut mutant = Mutant::new(GSetModel::default(), "GSet with lossy delta");
    mutant.delta = Some(|state, _, op| match op {
        SetOp::Add(x) if state.is_empty() => state.insert_delta(*x),
        _ => Lattice::bottom(),
    });
    assert_caught(&check_delta(&mutant, &config()), Law::DeltaMatchesUpdate);
}

/// The seed's compound CRDT, merged by hand as the seed did:
/// `followers = merge(X.following, Y.following)`. Followers are lost and following leaks into
/// followers, even when a state merges a copy of itself.
#[test]
fn friendship_merged_as_in_the_seed_is_not_idempotent() {
    let mut mutant = Mutant::new(FriendshipModel::default(), "Friendship merged as the seed");
    mutant.merge = Some(|into, from| {
        let mut following = into.first.clone();
        following.merge(&from.first);
        into.second = following.clone();
        into.first = following;
    });
    let report = check_state(&mutant, &config());
    assert_caught(&report, Law::JoinIdempotent);
    assert_caught(&report, Law::ValueMatchesSpec);
}

/// A map whose merge only merges the keys both sides have: updates at new keys never spread.
#[test]
fn map_merging_only_common_keys_is_not_an_upper_bound() {
    let mut mutant = Mutant::new(MapModel::<OrSetModel>::default(), "Map of common keys");
    mutant.merge = Some(|into, from| {
        let keys: Vec<u8> = into.keys().copied().collect();
        for key in keys {
            if let Some(theirs) = from.get(&key) {
                into.update(key, |mine| mine.merge(theirs));
            }
        }
    });
    assert_caught(&check_delta(&mutant, &config()), Law::JoinUpperBound);
}
