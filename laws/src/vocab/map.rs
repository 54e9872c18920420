//! Maps and pairs of CRDTs: updates of one key (or one side), and specifications built from the
//! specification of the parts.
//!
//! A model of someone else's map from keys to grow-only counters, with its specification built
//! from the counters' one:
//!
//! ```
//! use std::collections::BTreeMap;
//!
//! use crdt_laws::proptest::prelude::*;
//! use crdt_laws::vocab::counter::{self, CounterOp};
//! use crdt_laws::vocab::map::{self, MapOp};
//! use crdt_laws::{Config, History, Law, Model, ReplicaId, StateCrdt, check_state};
//!
//! /// The user's map: per key, a G-counter (per replica, its increments).
//! type Counters = BTreeMap<u8, BTreeMap<ReplicaId, u64>>;
//!
//! struct CountersModel;
//!
//! impl Model for CountersModel {
//!     type State = Counters;
//!     type Op = MapOp<u8, CounterOp>;
//!     type Value = BTreeMap<u8, u128>;
//!     fn new_replica(&self, _: ReplicaId) -> Counters { Counters::new() }
//!     fn value(&self, s: &Counters) -> BTreeMap<u8, u128> {
//!         s.iter().map(|(k, c)| (*k, c.values().map(|&n| u128::from(n)).sum())).collect()
//!     }
//!     fn ops(&self) -> BoxedStrategy<Self::Op> {
//!         MapOp::strategy(3, CounterOp::strategy(5, 0))
//!     }
//!     fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
//!         map::map(history, |at_key| Some(counter::grow_only_sum(at_key)))
//!     }
//! }
//!
//! impl StateCrdt for CountersModel {
//!     fn apply(&self, s: &mut Counters, r: ReplicaId, op: &Self::Op) {
//!         let MapOp::Update(key, CounterOp::Increment(n)) = *op else { return };
//!         *s.entry(key).or_default().entry(r).or_default() += u64::from(n);
//!     }
//!     fn merge(&self, into: &mut Counters, from: &Counters) {
//!         for (key, counter) in from {
//!             let mine = into.entry(*key).or_default();
//!             for (r, &n) in counter {
//!                 let slot = mine.entry(*r).or_default();
//!                 *slot = (*slot).max(n);
//!             }
//!         }
//!     }
//! }
//!
//! let config = Config::default().with_seed(1).only([Law::ValueMatchesSpec]);
//! let report = check_state(&CountersModel, &config);
//! assert!(report.all_passed(), "{report}");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use super::project;
use crate::model::History;

/// An update of one part of a pair of CRDTs (a product: both parts always exist).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PairOp<A, B> {
    /// Update the first part.
    First(A),
    /// Update the second part.
    Second(B),
}

/// An update of the value at one key of a map of CRDTs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MapOp<K, Op> {
    /// Apply the operation to the value at the key (created at bottom if new).
    Update(K, Op),
}

impl<A: Clone + Debug + 'static, B: Clone + Debug + 'static> PairOp<A, B> {
    /// Updates of either part, as often, drawn from the parts' strategies.
    pub fn strategy(first: BoxedStrategy<A>, second: BoxedStrategy<B>) -> BoxedStrategy<Self> {
        prop_oneof![
            first.prop_map(PairOp::First),
            second.prop_map(PairOp::Second)
        ]
        .boxed()
    }
}

impl<Op: Clone + Debug + 'static> MapOp<u8, Op> {
    /// Updates of keys below `keys` (just `0` when `keys` is 0), with operations drawn from
    /// `ops`. Few keys, so that several updates land on each.
    pub fn strategy(keys: u8, ops: BoxedStrategy<Op>) -> BoxedStrategy<Self> {
        ((0..keys.max(1)), ops)
            .prop_map(|(k, op)| MapOp::Update(k, op))
            .boxed()
    }
}

/// The specification of a map of CRDTs: every key ever updated, mapped to what `value_spec`
/// says of that key's updates (the history [projected](super::project) on the key, with
/// happens-before and Lamport times among them). `None` when `value_spec` has no opinion on one
/// of the keys.
///
/// A key never updated is absent; a map whose value type shows a key at bottom (a counter at 0)
/// the same as an absent key must say so in its `value`.
pub fn map<K, Op, V>(
    history: &History<MapOp<K, Op>>,
    value_spec: impl Fn(&History<Op>) -> Option<V>,
) -> Option<BTreeMap<K, V>>
where
    K: Ord + Clone,
    Op: Clone,
{
    let keys: BTreeSet<&K> = history
        .events()
        .iter()
        .map(|e| match &e.op {
            MapOp::Update(k, _) => k,
        })
        .collect();
    keys.into_iter()
        .map(|key| {
            let at_key = project(history, |op| match op {
                MapOp::Update(k, op) if k == key => Some(op.clone()),
                MapOp::Update(..) => None,
            });
            Some((key.clone(), value_spec(&at_key)?))
        })
        .collect()
}

/// The specification of a pair of CRDTs: what `first` says of the updates of the first part
/// and `second` of those of the second, each over its own part of the history. `None` when
/// either has no opinion.
pub fn pair<A, B, VA, VB>(
    history: &History<PairOp<A, B>>,
    first: impl FnOnce(&History<A>) -> Option<VA>,
    second: impl FnOnce(&History<B>) -> Option<VB>,
) -> Option<(VA, VB)>
where
    A: Clone,
    B: Clone,
{
    let firsts = project(history, |op| match op {
        PairOp::First(a) => Some(a.clone()),
        PairOp::Second(_) => None,
    });
    let seconds = project(history, |op| match op {
        PairOp::First(_) => None,
        PairOp::Second(b) => Some(b.clone()),
    });
    Some((first(&firsts)?, second(&seconds)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Dot, ReplicaId};
    use crate::vocab::register::{self, RegisterOp};
    use crate::vocab::set::{self, SetOp};

    #[test]
    fn each_key_sees_only_its_updates_and_their_order() {
        let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
        let a_ = |seq| Dot::new(a, seq);
        let mut h = History::new();
        h.push(a_(1), MapOp::Update('k', RegisterOp::Set(1u8)), vec![]);
        h.push(a_(2), MapOp::Update('j', RegisterOp::Set(2u8)), vec![a_(1)]);
        h.push(
            a_(3),
            MapOp::Update('j', RegisterOp::Set(3u8)),
            vec![a_(1), a_(2)],
        );
        h.push(
            a_(4),
            MapOp::Update('k', RegisterOp::Set(4u8)),
            vec![a_(1), a_(2), a_(3)],
        );
        // B overwrites 'k' having seen A1 only: concurrent with A4. Over the whole history A4
        // is later (Lamport time 4 against 2); at key 'k', whose register counts only its own
        // writes, both have time 2 and the larger replica, B, wins.
        h.push(
            Dot::new(b, 1),
            MapOp::Update('k', RegisterOp::Set(7u8)),
            vec![a_(1)],
        );
        let lww = map(&h, |at_key| Some(register::last_writer_wins(at_key)));
        assert_eq!(lww, Some(BTreeMap::from([('j', Some(3)), ('k', Some(7))])));
        let mv = map(&h, |at_key| Some(register::multi_value(at_key)));
        assert_eq!(
            mv,
            Some(BTreeMap::from([('j', vec![3]), ('k', vec![4, 7])]))
        );
        assert_eq!(map(&h, |_| None::<()>), None);
        assert_eq!(
            map(&History::<MapOp<u8, ()>>::new(), |_| None::<()>),
            Some(BTreeMap::new())
        );
    }

    #[test]
    fn a_pair_splits_its_history() {
        let a = ReplicaId::new(0);
        let (a1, a2, a3) = (Dot::new(a, 1), Dot::new(a, 2), Dot::new(a, 3));
        let mut h = History::new();
        h.push(a1, PairOp::First(SetOp::Add(1u8)), vec![]);
        h.push(a2, PairOp::Second(RegisterOp::Set(5u8)), vec![a1]);
        h.push(a3, PairOp::First(SetOp::Remove(1u8)), vec![a1, a2]);
        let both = pair(
            &h,
            |s| Some(set::add_wins(s)),
            |r| Some(register::last_writer_wins(r)),
        );
        assert_eq!(both, Some((BTreeSet::new(), Some(5))));
        assert_eq!(pair(&h, |s| Some(set::grow_only(s)), |_| None::<()>), None);
    }
}
