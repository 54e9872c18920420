//! Models of the sets: G-Set, OR-Set, LWW element set.

use std::collections::BTreeSet;
use std::marker::PhantomData;

use crdt_laws::vocab::set::{self, Tie};
use crdt_laws::{DeltaCrdt, History, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;

use super::{DEFAULT_DOMAIN, below};
use crate::ops::SetOp;
use crate::{AddWins, Bias, GSet, LwwElementSet, OrSet, RemoveWins};

/// The model of [`GSet<u8>`]: elements below `domain`; `Remove` is never generated and ignored.
///
/// Specification: the set of added elements. The value is monotone and a join-homomorphism
/// (`value(a ⊔ b) = value(a) ∪ value(b)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GSetModel {
    /// Elements are drawn from `0..domain`.
    pub domain: u8,
}

impl Default for GSetModel {
    fn default() -> Self {
        Self {
            domain: DEFAULT_DOMAIN,
        }
    }
}

impl Model for GSetModel {
    type State = GSet<u8>;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    /// Replicas are alike: nothing depends on the order of their ids.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    codec_and_bottom_replica!();

    fn value(&self, state: &GSet<u8>) -> BTreeSet<u8> {
        state.value()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        below(self.domain).prop_map(SetOp::Add).boxed()
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        Some(set::grow_only(history))
    }
}

impl StateCrdt for GSetModel {
    lattice_state!();

    /// The type's own [diff](crate::GSet::diff).
    fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
        Some(local.diff(remote))
    }

    fn apply(&self, state: &mut GSet<u8>, _: ReplicaId, op: &SetOp<u8>) {
        if let SetOp::Add(x) = op {
            state.insert(*x);
        }
    }
    fn value_leq(&self, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Option<bool> {
        Some(a.is_subset(b))
    }
    fn value_join(&self, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Option<BTreeSet<u8>> {
        Some(a.union(b).copied().collect())
    }
}

impl DeltaCrdt for GSetModel {
    fn delta(&self, state: &GSet<u8>, _: ReplicaId, op: &SetOp<u8>) -> GSet<u8> {
        match op {
            SetOp::Add(x) => state.insert_delta(*x),
            SetOp::Remove(_) => GSet::new(),
        }
    }
}

/// The model of [`OrSet<u8>`]: adds and removes (two adds per remove) of elements below
/// `domain`.
///
/// Specification (add-wins): `x` is present iff some `add(x)` happens-before no `remove(x)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrSetModel {
    /// Elements are drawn from `0..domain`.
    pub domain: u8,
}

impl Default for OrSetModel {
    fn default() -> Self {
        Self {
            domain: DEFAULT_DOMAIN,
        }
    }
}

impl Model for OrSetModel {
    type State = OrSet<u8>;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    /// Replicas are alike: nothing depends on the order of their ids.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    codec_and_bottom_replica!();

    fn value(&self, state: &OrSet<u8>) -> BTreeSet<u8> {
        state.value()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        SetOp::strategy(self.domain, 2)
    }
    /// Counted without formatting: the harness measures every state after every step.
    fn debug_len(&self, state: &OrSet<u8>) -> usize {
        state.debug_len_with(|x| crate::causal::decimal_len(u64::from(*x)))
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        Some(set::add_wins(history))
    }
}

impl StateCrdt for OrSetModel {
    lattice_state!();

    /// The type's own [diff](crate::OrSet::diff).
    fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
        Some(local.diff(remote))
    }

    fn apply(&self, state: &mut OrSet<u8>, replica: ReplicaId, op: &SetOp<u8>) {
        match op {
            SetOp::Add(x) => {
                state.insert(replica, *x);
            }
            SetOp::Remove(x) => {
                state.remove(x);
            }
        }
    }
}

impl DeltaCrdt for OrSetModel {
    fn delta(&self, state: &OrSet<u8>, replica: ReplicaId, op: &SetOp<u8>) -> OrSet<u8> {
        match op {
            SetOp::Add(x) => state.insert_delta(replica, *x),
            SetOp::Remove(x) => state.remove_delta(x),
        }
    }
}

/// The model of [`LwwElementSet<u8, B>`]: adds and removes (as many of each) of elements below
/// `domain`, with the bias `B` as a setting ([`add_wins`](Self::add_wins) or
/// [`remove_wins`](Self::remove_wins)).
///
/// Specification: for each element, the latest Lamport time of an add and of a remove
/// ([`History::lamport`]); the later wins, and the bias decides equal times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LwwElementSetModel<B = AddWins> {
    /// Elements are drawn from `0..domain`.
    pub domain: u8,
    bias: PhantomData<B>,
}

impl<B> LwwElementSetModel<B> {
    /// The model with elements below `domain`.
    #[must_use]
    pub const fn new(domain: u8) -> Self {
        Self {
            domain,
            bias: PhantomData,
        }
    }
}

impl LwwElementSetModel<AddWins> {
    /// The add-wins set, with the default domain.
    #[must_use]
    pub const fn add_wins() -> Self {
        Self::new(DEFAULT_DOMAIN)
    }
}

impl LwwElementSetModel<RemoveWins> {
    /// The remove-wins set, with the default domain.
    #[must_use]
    pub const fn remove_wins() -> Self {
        Self::new(DEFAULT_DOMAIN)
    }
}

impl<B> Default for LwwElementSetModel<B> {
    fn default() -> Self {
        Self::new(DEFAULT_DOMAIN)
    }
}

impl<B: Bias> Model for LwwElementSetModel<B> {
    type State = LwwElementSet<u8, B>;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    codec_and_bottom_replica!();

    fn name(&self) -> String {
        format!("LwwElementSetModel ({})", B::NAME)
    }
    fn value(&self, state: &LwwElementSet<u8, B>) -> BTreeSet<u8> {
        state.value()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        SetOp::strategy(self.domain, 1)
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        let tie = if B::ADD_WINS {
            Tie::AddWins
        } else {
            Tie::RemoveWins
        };
        Some(set::last_writer_wins(history, tie))
    }
}

impl<B: Bias> StateCrdt for LwwElementSetModel<B> {
    lattice_state!();

    fn apply(&self, state: &mut LwwElementSet<u8, B>, _: ReplicaId, op: &SetOp<u8>) {
        match op {
            SetOp::Add(x) => state.insert(*x),
            SetOp::Remove(x) => state.remove(x),
        };
    }
}
