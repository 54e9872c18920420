//! Models of the counters: G-Counter and PN-Counter.

use crdt_laws::vocab::counter;
use crdt_laws::{DeltaCrdt, History, Model, ReplicaId, StateCrdt};
use proptest::prelude::*;

use crate::ops::CounterOp;
use crate::{GCounter, PnCounter};

/// The default largest amount a counter model adds or subtracts at once.
const DEFAULT_MAX_AMOUNT: u32 = 5;

/// The model of [`GCounter`]: increments of `0..=max_amount`; `Decrement` is never generated
/// and ignored.
///
/// Specification: the sum of the increments. The value is monotone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GCounterModel {
    /// The largest amount of one increment.
    pub max_amount: u32,
}

impl Default for GCounterModel {
    fn default() -> Self {
        Self {
            max_amount: DEFAULT_MAX_AMOUNT,
        }
    }
}

impl Model for GCounterModel {
    type State = GCounter;
    type Op = CounterOp;
    type Value = u128;

    /// Replicas are alike: nothing depends on the order of their ids.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    codec_and_bottom_replica!();

    fn value(&self, state: &GCounter) -> u128 {
        state.value()
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(self.max_amount, 0)
    }
    fn spec(&self, history: &History<CounterOp>) -> Option<u128> {
        Some(counter::grow_only_sum(history))
    }
}

impl StateCrdt for GCounterModel {
    lattice_state!();

    /// The type's own [diff](crate::GCounter::diff).
    fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
        Some(local.diff(remote))
    }

    fn apply(&self, state: &mut GCounter, replica: ReplicaId, op: &CounterOp) {
        if let CounterOp::Increment(n) = op {
            // An overflowing increment (impossible with `u32` amounts) leaves the state as is.
            let _ = state.increment(replica, u64::from(*n));
        }
    }
    fn value_leq(&self, a: &u128, b: &u128) -> Option<bool> {
        Some(a <= b)
    }
}

impl DeltaCrdt for GCounterModel {
    fn delta(&self, state: &GCounter, replica: ReplicaId, op: &CounterOp) -> GCounter {
        match op {
            CounterOp::Increment(n) => state
                .increment_delta(replica, u64::from(*n))
                .unwrap_or_default(),
            CounterOp::Decrement(_) => GCounter::new(),
        }
    }
}

/// The model of [`PnCounter`]: increments and decrements (as many of each) of
/// `0..=max_amount`.
///
/// Specification: the sum of the increments minus the sum of the decrements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PnCounterModel {
    /// The largest amount of one increment or decrement.
    pub max_amount: u32,
}

impl Default for PnCounterModel {
    fn default() -> Self {
        Self {
            max_amount: DEFAULT_MAX_AMOUNT,
        }
    }
}

impl Model for PnCounterModel {
    type State = PnCounter;
    type Op = CounterOp;
    type Value = i128;

    /// Replicas are alike: nothing depends on the order of their ids.
    fn interchangeable_replicas(&self) -> bool {
        true
    }

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    codec_and_bottom_replica!();

    fn value(&self, state: &PnCounter) -> i128 {
        state.value()
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(self.max_amount, 1)
    }
    fn spec(&self, history: &History<CounterOp>) -> Option<i128> {
        Some(counter::sum(history))
    }
}

impl StateCrdt for PnCounterModel {
    lattice_state!();

    /// The type's own [diff](crate::PnCounter::diff).
    fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
        Some(local.diff(remote))
    }

    fn apply(&self, state: &mut PnCounter, replica: ReplicaId, op: &CounterOp) {
        // An overflowing update (impossible with `u32` amounts) leaves the state as is.
        let _ = match op {
            CounterOp::Increment(n) => state.increment(replica, u64::from(*n)),
            CounterOp::Decrement(n) => state.decrement(replica, u64::from(*n)),
        };
    }
}

impl DeltaCrdt for PnCounterModel {
    fn delta(&self, state: &PnCounter, replica: ReplicaId, op: &CounterOp) -> PnCounter {
        let delta = match op {
            CounterOp::Increment(n) => state.increment_delta(replica, u64::from(*n)),
            CounterOp::Decrement(n) => state.decrement_delta(replica, u64::from(*n)),
        };
        delta.unwrap_or_default()
    }
}
