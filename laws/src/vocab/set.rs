//! Sets: adds and removes, and the specifications of grow-only, add-wins (observed-remove),
//! remove-wins and last-writer-wins sets.
//!
//! A model of someone else's observed-remove set (here a tombstone OR-Set in a dozen lines),
//! with its specification in one line:
//!
//! ```
//! use std::collections::BTreeSet;
//!
//! use crdt_laws::proptest::prelude::*;
//! use crdt_laws::vocab::set::{self, SetOp};
//! use crdt_laws::{Config, History, Law, Model, ReplicaId, StateCrdt, check_state};
//!
//! /// The user's OR-Set: tagged adds, and the tags removed.
//! #[derive(Clone, Debug, Default, PartialEq)]
//! struct OrSet {
//!     adds: BTreeSet<(u8, ReplicaId, usize)>,
//!     removed: BTreeSet<(ReplicaId, usize)>,
//! }
//!
//! struct OrSetModel;
//!
//! impl Model for OrSetModel {
//!     type State = OrSet;
//!     type Op = SetOp<u8>;
//!     type Value = BTreeSet<u8>;
//!     fn new_replica(&self, _: ReplicaId) -> OrSet { OrSet::default() }
//!     fn value(&self, s: &OrSet) -> BTreeSet<u8> {
//!         s.adds.iter().filter(|(_, r, n)| !s.removed.contains(&(*r, *n))).map(|a| a.0).collect()
//!     }
//!     fn ops(&self) -> BoxedStrategy<SetOp<u8>> { SetOp::strategy(4, 2) }
//!     fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
//!         Some(set::add_wins(history))
//!     }
//! }
//!
//! impl StateCrdt for OrSetModel {
//!     fn apply(&self, s: &mut OrSet, r: ReplicaId, op: &SetOp<u8>) {
//!         match *op {
//!             SetOp::Add(x) => {
//!                 let n = s.adds.iter().filter(|a| a.1 == r).count();
//!                 s.adds.insert((x, r, n));
//!             }
//!             SetOp::Remove(x) => {
//!                 let tags: Vec<_> = s.adds.iter().filter(|a| a.0 == x).map(|a| (a.1, a.2)).collect();
//!                 s.removed.extend(tags);
//!             }
//!         }
//!     }
//!     fn merge(&self, into: &mut OrSet, from: &OrSet) {
//!         into.adds.extend(from.adds.iter().copied());
//!         into.removed.extend(from.removed.iter().copied());
//!     }
//! }
//!
//! let config = Config::default().with_seed(1).only([Law::ValueMatchesSpec]);
//! let report = check_state(&OrSetModel, &config);
//! assert!(report.all_passed(), "{report}");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::strategy::{NewTree, ValueTree};
use proptest::test_runner::{TestRng, TestRunner};
use serde::{Deserialize, Serialize};

use crate::model::{Event, History};

/// An update of a set. A grow-only set ignores `Remove`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SetOp<T> {
    /// Add an element.
    Add(T),
    /// Remove an element.
    Remove(T),
}

impl SetOp<u8> {
    /// Adds and removes of elements below `domain`, `add_weight` adds for each remove.
    ///
    /// The operations drawn, and how they shrink (an element towards 0, a remove to an add),
    /// are those of
    /// `prop_oneof![add_weight => (0..domain).prop_map(SetOp::Add), 1 => (0..domain).prop_map(SetOp::Remove)]`,
    /// from the same random stream; its value tree is a tenth of the size (the union's holds a
    /// whole test runner for the add arm a remove did not take), which the harness, drawing
    /// millions of operations, notices.
    ///
    /// ```
    /// use crdt_laws::proptest::strategy::{Strategy, ValueTree};
    /// use crdt_laws::proptest::test_runner::TestRunner;
    /// use crdt_laws::vocab::set::SetOp;
    ///
    /// let mut runner = TestRunner::deterministic();
    /// let mut tree = SetOp::strategy(4, 2).new_tree(&mut runner).unwrap();
    /// while tree.simplify() {}
    /// assert_eq!(tree.current(), SetOp::Add(0));
    /// ```
    pub fn strategy(domain: u8, add_weight: u32) -> BoxedStrategy<Self> {
        OpChoice {
            domain: domain.max(1),
            add_weight,
        }
        .boxed()
    }

    /// Adds only, of elements below `domain`.
    pub fn adds(domain: u8) -> BoxedStrategy<Self> {
        (0..domain.max(1)).prop_map(SetOp::Add).boxed()
    }
}

impl<T> SetOp<T> {
    /// The element added or removed.
    #[must_use]
    pub fn element(&self) -> &T {
        match self {
            SetOp::Add(x) | SetOp::Remove(x) => x,
        }
    }
}

/// [`SetOp::strategy`]: a weighted choice between an add and a remove of an element below
/// `domain`, drawn as proptest's two-armed `prop_oneof!` draws it (the pick; for a remove, the
/// seed of the generator a shrink to an add draws from; then the element).
#[derive(Clone, Copy, Debug)]
struct OpChoice {
    domain: u8,
    add_weight: u32,
}

impl Strategy for OpChoice {
    type Tree = OpChoiceTree;
    type Value = SetOp<u8>;

    fn new_tree(&self, runner: &mut TestRunner) -> NewTree<Self> {
        let total = u64::from(self.add_weight) + 1;
        let roll = proptest::num::sample_uniform_incl(runner, 0, total - 1);
        let remove = u64::from(self.add_weight) <= roll;
        let (add, forked, removed) = if remove {
            let forked = runner.new_rng();
            (None, Some(forked), Some((0..self.domain).new_tree(runner)?))
        } else {
            (Some((0..self.domain).new_tree(runner)?), None, None)
        };
        Ok(OpChoiceTree {
            domain: self.domain,
            add,
            remove: removed,
            forked,
            pick_remove: remove,
            may_add: true,
            before_add: false,
        })
    }
}

/// The value tree of [`OpChoice`]: the picked arm's element, and (after a remove) the add a
/// shrink moves to, drawn when it first does.
struct OpChoiceTree {
    domain: u8,
    add: Option<proptest::num::u8::BinarySearch>,
    remove: Option<proptest::num::u8::BinarySearch>,
    /// The generator of the add a remove shrinks to, until it is drawn.
    forked: Option<TestRng>,
    /// Whether the remove is the current pick.
    pick_remove: bool,
    /// False once a shrink to the add was undone: the remove stays.
    may_add: bool,
    /// True right after a shrink from the remove to the add (what `complicate` undoes).
    before_add: bool,
}

impl std::fmt::Debug for OpChoiceTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OpChoiceTree({:?})", self.current())
    }
}

impl OpChoiceTree {
    fn picked(&mut self) -> &mut proptest::num::u8::BinarySearch {
        if self.pick_remove {
            self.remove.as_mut()
        } else {
            self.add.as_mut()
        }
        .expect("the picked arm has a tree")
    }
}

impl ValueTree for OpChoiceTree {
    type Value = SetOp<u8>;

    fn current(&self) -> SetOp<u8> {
        if self.pick_remove {
            SetOp::Remove(self.remove.as_ref().expect("a remove was drawn").current())
        } else {
            SetOp::Add(self.add.as_ref().expect("an add was drawn").current())
        }
    }

    fn simplify(&mut self) -> bool {
        if self.picked().simplify() {
            self.before_add = false;
            return true;
        }
        if !self.pick_remove || !self.may_add {
            return false;
        }
        if self.add.is_none() {
            let rng = self
                .forked
                .take()
                .expect("a remove keeps the add's generator");
            let mut runner = TestRunner::new_with_rng(
                ProptestConfig {
                    failure_persistence: None,
                    ..ProptestConfig::default()
                },
                rng,
            );
            self.add = (0..self.domain).new_tree(&mut runner).ok();
        }
        if self.add.is_none() {
            return false;
        }
        self.pick_remove = false;
        self.before_add = true;
        true
    }

    fn complicate(&mut self) -> bool {
        if self.before_add {
            self.before_add = false;
            self.pick_remove = true;
            self.may_add = false;
            true
        } else {
            self.picked().complicate()
        }
    }
}

/// Which of an add and a remove of one element wins when the arbitration order cannot tell
/// them apart (equal Lamport times in [`last_writer_wins`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tie {
    /// The element stays.
    AddWins,
    /// The element goes.
    RemoveWins,
}

/// The grow-only specification: every element ever added; removes are ignored.
#[must_use]
pub fn grow_only<T: Ord + Clone>(history: &History<SetOp<T>>) -> BTreeSet<T> {
    surviving_adds(history, |_, _| false)
}

/// The add-wins (observed-remove) specification: `x` is present when some `add(x)` is not
/// followed, in happens-before, by a `remove(x)`. A remove cancels only the adds its origin had
/// seen, so an add concurrent with a remove survives.
#[must_use]
pub fn add_wins<T: Ord + Clone>(history: &History<SetOp<T>>) -> BTreeSet<T> {
    surviving_adds(history, |add, x| {
        history.events().iter().any(|r| {
            matches!(&r.op, SetOp::Remove(y) if y == x) && history.happens_before(add.dot, r.dot)
        })
    })
}

/// The remove-wins specification: `x` is present when some `add(x)` happened after every
/// `remove(x)`. A remove concurrent with an add wins; an add that has seen the removes
/// re-adds.
#[must_use]
pub fn remove_wins<T: Ord + Clone>(history: &History<SetOp<T>>) -> BTreeSet<T> {
    surviving_adds(history, |add, x| {
        history.events().iter().any(|r| {
            matches!(&r.op, SetOp::Remove(y) if y == x) && !history.happens_before(r.dot, add.dot)
        })
    })
}

/// The last-writer-wins element set specification: for each element, the latest Lamport time
/// ([`History::lamport`]) of an add and of a remove; the later wins, and `tie` decides equal
/// times. An element never removed is present once added.
#[must_use]
pub fn last_writer_wins<T: Ord + Clone>(history: &History<SetOp<T>>, tie: Tie) -> BTreeSet<T> {
    let mut latest: BTreeMap<(&T, bool), u64> = BTreeMap::new();
    for (e, t) in history.events().iter().zip(history.lamports()) {
        let key = (e.op.element(), matches!(e.op, SetOp::Add(_)));
        let slot = latest.entry(key).or_insert(t);
        *slot = (*slot).max(t);
    }
    surviving_adds(history, |_, x| {
        match (latest.get(&(x, true)), latest.get(&(x, false))) {
            (Some(added), Some(removed)) => {
                removed > added || (removed == added && tie == Tie::RemoveWins)
            }
            _ => false,
        }
    })
}

/// The elements some add of which the `removed` predicate does not cancel.
fn surviving_adds<T: Ord + Clone>(
    history: &History<SetOp<T>>,
    removed: impl Fn(&Event<SetOp<T>>, &T) -> bool,
) -> BTreeSet<T> {
    // Inserted one by one: most adds repeat an element already present, which `collect`
    // would buffer and sort before dropping it.
    let mut present = BTreeSet::new();
    for e in history.events() {
        if let SetOp::Add(x) = &e.op
            && !present.contains(x)
            && !removed(e, x)
        {
            present.insert(x.clone());
        }
    }
    present
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The strategy draws what `prop_oneof!` draws, leaves the random stream where it leaves
    /// it, and shrinks through the same values, whatever the shrinker's verdicts.
    #[test]
    fn the_operation_strategy_is_the_union_it_replaces() {
        use proptest::test_runner::RngAlgorithm;
        for (domain, add_weight) in [(4u8, 2u32), (8, 1), (1, 3), (5, 0)] {
            let union = prop_oneof![
                add_weight => (0..domain).prop_map(SetOp::Add),
                1 => (0..domain).prop_map(SetOp::Remove),
            ];
            let ours = SetOp::strategy(domain, add_weight);
            for seed in 0..=255u8 {
                let runner = |s: u8| {
                    TestRunner::new_with_rng(
                        ProptestConfig::default(),
                        TestRng::from_seed(RngAlgorithm::ChaCha, &[s; 32]),
                    )
                };
                let (mut ra, mut rb) = (runner(seed), runner(seed));
                let mut a = union.new_tree(&mut ra).unwrap();
                let mut b = ours.new_tree(&mut rb).unwrap();
                assert_eq!(a.current(), b.current());
                assert_eq!(ra.rng().next_u64(), rb.rng().next_u64());
                // The shrinker's verdicts: a fixed pseudo-random sequence per seed, driven as
                // proptest's runner drives a tree (simplify after a failing value, complicate
                // only after a passing one; a tree may not be complicated otherwise).
                let mut verdicts = u64::from(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
                let mut failed = true;
                for _ in 0..40 {
                    let (sa, sb) = if failed {
                        (a.simplify(), b.simplify())
                    } else {
                        (a.complicate(), b.complicate())
                    };
                    assert_eq!((sa, a.current()), (sb, b.current()), "seed {seed}");
                    if !sa {
                        break;
                    }
                    verdicts ^= verdicts << 13;
                    verdicts ^= verdicts >> 7;
                    verdicts ^= verdicts << 17;
                    failed = verdicts & 1 == 0;
                }
            }
        }
    }
    use crate::model::{Dot, ReplicaId};

    const A: ReplicaId = ReplicaId::new(0);
    const B: ReplicaId = ReplicaId::new(1);

    /// `A1 add x`, then B, having seen it, removes x (`B1`), while A concurrently adds x again
    /// (`A2`); then A, having seen everything, adds y (`A3`) and B, having seen only A1 and B1,
    /// removes y (`B2`), concurrently with A3.
    fn story() -> History<SetOp<char>> {
        let (a1, a2, a3, b1, b2) = (
            Dot::new(A, 1),
            Dot::new(A, 2),
            Dot::new(A, 3),
            Dot::new(B, 1),
            Dot::new(B, 2),
        );
        let mut h = History::new();
        h.push(a1, SetOp::Add('x'), vec![]);
        h.push(b1, SetOp::Remove('x'), vec![a1]);
        h.push(a2, SetOp::Add('x'), vec![a1]);
        h.push(a3, SetOp::Add('y'), vec![a1, a2, b1]);
        h.push(b2, SetOp::Remove('y'), vec![a1, b1]);
        h
    }

    #[test]
    fn the_four_specifications_on_one_story() {
        let h = story();
        let set = |s: &str| s.chars().collect::<BTreeSet<char>>();
        assert_eq!(grow_only(&h), set("xy"));
        // A2 was not seen by B1's remove; A3 was not seen by B2's remove.
        assert_eq!(add_wins(&h), set("xy"));
        // B1 is concurrent with A2, B2 with A3: both removes win.
        assert_eq!(remove_wins(&h), set(""));
        // Lamport times: x added at 2 (A2), removed at 2 (B1): the tie decides; y added at 3
        // (A3), removed at 3 (B2): the tie decides again.
        assert_eq!(last_writer_wins(&h, Tie::AddWins), set("xy"));
        assert_eq!(last_writer_wins(&h, Tie::RemoveWins), set(""));
    }

    #[test]
    fn an_add_after_the_remove_comes_back_in_every_specification() {
        let (a1, b1, a2) = (Dot::new(A, 1), Dot::new(B, 1), Dot::new(A, 2));
        let mut h = History::new();
        h.push(a1, SetOp::Add(1u8), vec![]);
        h.push(b1, SetOp::Remove(1u8), vec![a1]);
        h.push(a2, SetOp::Add(1u8), vec![a1, b1]);
        let one = BTreeSet::from([1u8]);
        assert_eq!(add_wins(&h), one);
        assert_eq!(remove_wins(&h), one);
        assert_eq!(last_writer_wins(&h, Tie::RemoveWins), one);
        h.push(Dot::new(B, 2), SetOp::Remove(1u8), vec![a1, b1, a2]);
        assert!(add_wins(&h).is_empty());
        assert!(remove_wins(&h).is_empty());
        assert!(last_writer_wins(&h, Tie::AddWins).is_empty());
        assert_eq!(grow_only(&h), one);
    }
}
