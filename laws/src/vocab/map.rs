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
use crate::model::{Dot, History};

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

/// An update of a map of CRDTs whose keys can be removed (an observed-remove map).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OrMapOp<K, Op> {
    /// Apply the operation to the value at the key (created at bottom if absent).
    Update(K, Op),
    /// Remove the key, with every update of it this replica has seen.
    Remove(K),
}

impl<K, Op> OrMapOp<K, Op> {
    /// The key the update is about.
    pub fn key(&self) -> &K {
        match self {
            OrMapOp::Update(k, _) | OrMapOp::Remove(k) => k,
        }
    }
}

impl<Op: Clone + Debug + 'static> OrMapOp<u8, Op> {
    /// Updates of keys below `keys` (just `0` when `keys` is 0) with operations drawn from
    /// `ops`, and, one time in four, removals of such keys.
    pub fn strategy(keys: u8, ops: BoxedStrategy<Op>) -> BoxedStrategy<Self> {
        let key = 0..keys.max(1);
        prop_oneof![
            3 => (key.clone(), ops).prop_map(|(k, op)| OrMapOp::Update(k, op)),
            1 => key.prop_map(OrMapOp::Remove),
        ]
        .boxed()
    }
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

/// The specification of an observed-remove map of CRDTs in which a nested update concurrent with
/// a removal of its key survives ("update wins"), with what its updater had seen of the key.
///
/// A removal of `k` removes the updates of `k` that happened before it: its replica had seen
/// them. An update `w` of `k` builds on what its replica shows at `k`: the updates of `k` it
/// had seen that no removal it had seen removed, and, recursively, what those had built on.
/// Call that set `view(w)`:
///
/// `view(w) = {w} ∪ ⋃ { view(u) : u an update of k, u → w, and no removal r of k with u → r → w }`
///
/// A key is present when some visible update of it was removed by no visible removal (it
/// *survives*); its value is what `value_spec` says of the union `U` of the surviving updates'
/// views, in a history where each update `u ∈ U` depends on `view(u)` only (what its replica's
/// value had seen: an update re-created after a removal does not depend on what was removed,
/// even if its replica had seen it). `None` when `value_spec` has no opinion on one of the keys.
///
/// So a removal concurrent with an update of the same key loses: the key stays, and shows the
/// updater's view (which may include updates the remover had seen and removed: the value is
/// not reset, since a nested state-based CRDT cannot forget what it merged).
///
/// ```
/// use std::collections::BTreeMap;
/// use crdt_laws::vocab::counter::{self, CounterOp};
/// use crdt_laws::vocab::map::{OrMapOp, update_wins};
/// use crdt_laws::{Dot, History, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let (a1, a2, b1) = (Dot::new(a, 1), Dot::new(a, 2), Dot::new(b, 1));
/// let mut h = History::new();
/// h.push(a1, OrMapOp::Update("k", CounterOp::Increment(5)), vec![]);
/// h.push(b1, OrMapOp::Remove("k"), vec![a1]); // B removes k, having seen A1
/// h.push(a2, OrMapOp::Update("k", CounterOp::Increment(1)), vec![a1]); // concurrent with B1
/// let spec = |h: &History<_>| update_wins(h, |at_key| Some(counter::sum(at_key)));
/// // The update wins, with A's view: 5 + 1.
/// assert_eq!(spec(&h), Some(BTreeMap::from([("k", 6)])));
/// // Without A2, the removal leaves nothing.
/// let mut removed = History::new();
/// removed.push(a1, OrMapOp::Update("k", CounterOp::Increment(5)), vec![]);
/// removed.push(b1, OrMapOp::Remove("k"), vec![a1]);
/// assert_eq!(spec(&removed), Some(BTreeMap::new()));
/// ```
pub fn update_wins<K, Op, V>(
    history: &History<OrMapOp<K, Op>>,
    value_spec: impl Fn(&History<Op>) -> Option<V>,
) -> Option<BTreeMap<K, V>>
where
    K: Ord + Clone,
    Op: Clone,
{
    let keys: BTreeSet<&K> = history.events().iter().map(|e| e.op.key()).collect();
    let mut map = BTreeMap::new();
    for key in keys {
        let at_key: Vec<_> = history
            .events()
            .iter()
            .filter(|e| e.op.key() == key)
            .collect();
        let removals: Vec<Dot> = at_key
            .iter()
            .filter(|e| matches!(e.op, OrMapOp::Remove(_)))
            .map(|e| e.dot)
            .collect();
        // Did a removal of the key come between `u` and `w` (`w` = None: at the end)?
        let cut = |u: Dot, w: Option<Dot>| {
            removals.iter().any(|&r| {
                history.happens_before(u, r) && w.is_none_or(|w| history.happens_before(r, w))
            })
        };
        let mut views: BTreeMap<Dot, BTreeSet<Dot>> = BTreeMap::new();
        let mut updates: Vec<(Dot, &Op)> = Vec::new();
        for event in &at_key {
            let OrMapOp::Update(_, op) = &event.op else {
                continue;
            };
            let mut view = BTreeSet::from([event.dot]);
            for (&u, seen) in &views {
                if history.happens_before(u, event.dot) && !cut(u, Some(event.dot)) {
                    view.extend(seen);
                }
            }
            views.insert(event.dot, view);
            updates.push((event.dot, op));
        }
        let surviving: BTreeSet<Dot> = updates
            .iter()
            .filter(|(w, _)| !cut(*w, None))
            .flat_map(|(w, _)| views[w].iter().copied())
            .collect();
        if surviving.is_empty() {
            continue;
        }
        let mut value_history = History::new();
        for (u, op) in updates.into_iter().filter(|(u, _)| surviving.contains(u)) {
            let deps = views[&u].iter().copied().filter(|&d| d != u).collect();
            value_history.push(u, op.clone(), deps);
        }
        map.insert(key.clone(), value_spec(&value_history)?);
    }
    Some(map)
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

    /// A1 adds 1 to the set at 'k'; B removes 'k' having seen A1, then adds 2 and removes 1
    /// (its value no longer holds 1: the removal of 1 observed nothing); C, having seen A1
    /// only, adds 3 to 'k', concurrently with B's removal, so C's view keeps A1's 1. In the
    /// union, B2's removal of 1 did not see A1: 1 stays.
    #[test]
    fn update_wins_keeps_the_concurrent_view_and_cuts_what_a_removal_saw() {
        let (a, b, c) = (ReplicaId::new(0), ReplicaId::new(1), ReplicaId::new(2));
        let (a1, b1, b2, b3, c1) = (
            Dot::new(a, 1),
            Dot::new(b, 1),
            Dot::new(b, 2),
            Dot::new(b, 3),
            Dot::new(c, 1),
        );
        let mut h = History::new();
        h.push(a1, OrMapOp::Update('k', SetOp::Add(1u8)), vec![]);
        h.push(b1, OrMapOp::Remove('k'), vec![a1]);
        h.push(b2, OrMapOp::Update('k', SetOp::Add(2)), vec![a1, b1]);
        h.push(b3, OrMapOp::Update('k', SetOp::Remove(1)), vec![a1, b1, b2]);
        let spec = |h: &History<OrMapOp<char, SetOp<u8>>>| {
            update_wins(h, |at_key| Some(set::add_wins(at_key)))
        };
        assert_eq!(spec(&h), Some(BTreeMap::from([('k', BTreeSet::from([2]))])));
        h.push(c1, OrMapOp::Update('k', SetOp::Add(3)), vec![a1]);
        assert_eq!(
            spec(&h),
            Some(BTreeMap::from([('k', BTreeSet::from([1, 2, 3]))]))
        );
        let mut removed = h.clone();
        removed.push(
            Dot::new(a, 2),
            OrMapOp::Remove('k'),
            vec![a1, b1, b2, b3, c1],
        );
        assert_eq!(spec(&removed), Some(BTreeMap::new()));
        assert_eq!(update_wins(&h, |_| None::<()>), None);
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
