//! Counters: increments and decrements, and the sum as specification.
//!
//! A model of someone else's counter, with its specification in one line:
//!
//! ```
//! use std::collections::BTreeMap;
//!
//! use crdt_laws::proptest::prelude::*;
//! use crdt_laws::vocab::counter::{self, CounterOp};
//! use crdt_laws::{Config, History, Law, Model, ReplicaId, StateCrdt, check_state};
//!
//! /// The user's PN-counter: per replica, (increments, decrements); merge takes maxima.
//! type Slots = BTreeMap<ReplicaId, (u64, u64)>;
//!
//! struct PnCounterModel;
//!
//! impl Model for PnCounterModel {
//!     type State = Slots;
//!     type Op = CounterOp;
//!     type Value = i128;
//!     fn new_replica(&self, _: ReplicaId) -> Slots { Slots::new() }
//!     fn value(&self, s: &Slots) -> i128 {
//!         s.values().map(|&(p, n)| i128::from(p) - i128::from(n)).sum()
//!     }
//!     fn ops(&self) -> BoxedStrategy<CounterOp> { CounterOp::strategy(5, 1) }
//!     fn spec(&self, history: &History<CounterOp>) -> Option<i128> {
//!         Some(counter::sum(history))
//!     }
//! }
//!
//! impl StateCrdt for PnCounterModel {
//!     fn apply(&self, s: &mut Slots, r: ReplicaId, op: &CounterOp) {
//!         let slot = s.entry(r).or_default();
//!         match *op {
//!             CounterOp::Increment(n) => slot.0 += u64::from(n),
//!             CounterOp::Decrement(n) => slot.1 += u64::from(n),
//!         }
//!     }
//!     fn merge(&self, into: &mut Slots, from: &Slots) {
//!         for (r, &(p, n)) in from {
//!             let slot = into.entry(*r).or_default();
//!             *slot = (slot.0.max(p), slot.1.max(n));
//!         }
//!     }
//! }
//!
//! let config = Config::default().with_seed(1).only([Law::ValueMatchesSpec]);
//! let report = check_state(&PnCounterModel, &config);
//! assert!(report.all_passed(), "{report}");
//! ```

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::History;

/// An update of a counter. A grow-only counter ignores `Decrement`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CounterOp {
    /// Add an amount.
    Increment(u32),
    /// Subtract an amount.
    Decrement(u32),
}

impl CounterOp {
    /// Increments of `0..=max`, each of weight 1 against `decrement_weight` decrements of
    /// `0..=max` (no decrements when `decrement_weight` is 0).
    ///
    /// ```
    /// use crdt_laws::proptest::strategy::{Strategy, ValueTree};
    /// use crdt_laws::proptest::test_runner::TestRunner;
    /// use crdt_laws::vocab::CounterOp;
    ///
    /// let mut runner = TestRunner::deterministic();
    /// for _ in 0..100 {
    ///     let op = CounterOp::strategy(3, 0).new_tree(&mut runner).unwrap().current();
    ///     assert!(matches!(op, CounterOp::Increment(0..=3)));
    /// }
    /// ```
    pub fn strategy(max: u32, decrement_weight: u32) -> BoxedStrategy<Self> {
        let increments = (0..=max).prop_map(CounterOp::Increment);
        if decrement_weight == 0 {
            return increments.boxed();
        }
        prop_oneof![
            1 => increments,
            decrement_weight => (0..=max).prop_map(CounterOp::Decrement),
        ]
        .boxed()
    }

    /// The signed amount: positive for an increment, negative for a decrement.
    #[must_use]
    pub fn amount(self) -> i128 {
        match self {
            CounterOp::Increment(n) => i128::from(n),
            CounterOp::Decrement(n) => -i128::from(n),
        }
    }
}

/// The specification of a counter with decrements (a PN-counter): the sum of the increments
/// minus the sum of the decrements in `history`, whatever their order.
#[must_use]
pub fn sum(history: &History<CounterOp>) -> i128 {
    net_total(history, true)
}

/// The specification of a grow-only counter: the sum of the increments in `history`;
/// decrements are ignored.
#[must_use]
pub fn grow_only_sum(history: &History<CounterOp>) -> u128 {
    history
        .events()
        .iter()
        .map(|e| match e.op {
            CounterOp::Increment(n) => u128::from(n),
            CounterOp::Decrement(_) => 0,
        })
        .sum()
}

/// The sum of the increments minus the decrements in `history`, counting decrements only if
/// `signed`: [`sum`] when `signed`, [`grow_only_sum`] (as an `i128`) otherwise.
#[must_use]
pub fn net_total(history: &History<CounterOp>, signed: bool) -> i128 {
    history
        .events()
        .iter()
        .map(|e| match e.op {
            CounterOp::Decrement(_) if !signed => 0,
            op => op.amount(),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dot, ReplicaId};

    fn history(ops: &[CounterOp]) -> History<CounterOp> {
        let mut h = History::new();
        for (i, op) in ops.iter().enumerate() {
            let seq = u64::try_from(i).unwrap() + 1;
            h.push(Dot::new(ReplicaId::new(seq as u32 % 3), seq), *op, vec![]);
        }
        h
    }

    #[test]
    fn sums_count_what_they_say() {
        let h = history(&[
            CounterOp::Increment(5),
            CounterOp::Decrement(7),
            CounterOp::Increment(1),
        ]);
        assert_eq!(sum(&h), -1);
        assert_eq!(grow_only_sum(&h), 6);
        assert_eq!(net_total(&h, false), 6);
        assert_eq!(net_total(&h, true), -1);
        assert_eq!(sum(&History::new()), 0);
    }

    #[test]
    fn strategy_respects_its_bounds() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = CounterOp::strategy(4, 1);
        let (mut up, mut down) = (0, 0);
        for _ in 0..200 {
            match strategy.new_tree(&mut runner).unwrap().current() {
                CounterOp::Increment(n) if n <= 4 => up += 1,
                CounterOp::Decrement(n) if n <= 4 => down += 1,
                op => panic!("out of range: {op:?}"),
            }
        }
        assert!(up > 50 && down > 50, "{up} increments, {down} decrements");
    }
}
