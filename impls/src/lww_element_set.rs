//! The last-writer-wins element set, with a bias for ties.

use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::sorted::{Side, check_strictly_increasing, merge_join};

/// How an [`LwwElementSet`] decides between an add and a remove of one element with the same
/// Lamport time (which are necessarily concurrent: an update that saw another has a larger time).
///
/// The bias is part of the set's type, so sets with different biases cannot be merged by
/// mistake. The two biases are [`AddWins`] and [`RemoveWins`].
pub trait Bias: Clone + fmt::Debug + Default + PartialEq + Eq + Send + Sync + 'static {
    /// True when an add wins a tie with a remove.
    const ADD_WINS: bool;
    /// The bias's name, for reports: `add-wins` or `remove-wins`.
    const NAME: &'static str;
}

/// Ties between an add and a remove go to the add: keep the data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AddWins;

/// Ties between an add and a remove go to the remove.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemoveWins;

impl Bias for AddWins {
    const ADD_WINS: bool = true;
    const NAME: &'static str = "add-wins";
}

impl Bias for RemoveWins {
    const ADD_WINS: bool = false;
    const NAME: &'static str = "remove-wins";
}

/// The latest Lamport times of the adds and of the removes of one element (0: never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stamps {
    /// The Lamport time of the latest add.
    pub added: u64,
    /// The Lamport time of the latest remove.
    pub removed: u64,
}

impl Stamps {
    /// Whether the element is present under bias `B`.
    #[must_use]
    pub const fn present<B: Bias>(self) -> bool {
        self.added > self.removed || (B::ADD_WINS && self.added == self.removed && self.added > 0)
    }

    fn join(self, other: Self) -> Self {
        Self {
            added: self.added.max(other.added),
            removed: self.removed.max(other.removed),
        }
    }
}

/// A set where the latest add or remove of each element wins (LWW-Element-Set), with Lamport
/// timestamps and a [`Bias`] for ties.
///
/// Each replica keeps a Lamport clock, the largest time it has seen, and stamps every add and
/// remove with one more than that. For each element the set keeps the latest add time and the
/// latest remove time; merge takes the larger of each.
///
/// # Conflict rule
/// Per element, the later of its latest add and latest remove wins (by Lamport time). An add
/// and a remove with the *same* time are concurrent, and the bias decides: [`AddWins`] (the
/// default) or [`RemoveWins`]. Replica ids are not needed as a tie-break: two adds (or two
/// removes) with the same time have the same effect, and the bias settles the mixed case, the
/// same way at every replica. Unlike the [`OrSet`](crate::OrSet), a remove also beats a
/// concurrent add with a smaller Lamport time that it never saw.
///
/// # Metadata cost
/// Two `u64` per element ever added or removed, including removed elements (tombstones), and
/// nothing per replica. Tombstones are never collected: the set grows with the number of
/// distinct elements ever touched.
///
/// ```
/// use crdt_impls::{LwwElementSet, RemoveWins};
///
/// let mut alice = LwwElementSet::<&str>::new(); // add-wins by default
/// alice.insert("milk");
/// let mut bob = alice.clone();
/// alice.remove(&"milk"); // time 2
/// bob.insert("milk"); // time 2 as well: a tie, the add wins
/// alice.merge(&bob);
/// bob.merge(&alice);
/// assert!(alice.contains(&"milk") && bob.contains(&"milk"));
///
/// // The same story with a remove-wins set.
/// let mut alice = LwwElementSet::<&str, RemoveWins>::new();
/// alice.insert("milk");
/// let mut bob = alice.clone();
/// alice.remove(&"milk");
/// bob.insert("milk");
/// alice.merge(&bob);
/// assert!(!alice.contains(&"milk"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    try_from = "RawSet<T>",
    bound(serialize = "T: Serialize", deserialize = "T: Ord + Deserialize<'de>")
)]
pub struct LwwElementSet<T, B = AddWins> {
    entries: Vec<(T, Stamps)>,
    clock: u64,
    #[serde(skip)]
    bias: PhantomData<B>,
}

#[derive(Deserialize)]
struct RawSet<T> {
    entries: Vec<(T, Stamps)>,
    clock: u64,
}

impl<T: Ord, B> TryFrom<RawSet<T>> for LwwElementSet<T, B> {
    type Error = Error;

    fn try_from(raw: RawSet<T>) -> Result<Self, Error> {
        const NAME: &str = "LwwElementSet";
        check_strictly_increasing(NAME, raw.entries.iter().map(|e| &e.0))?;
        let latest = raw.entries.iter().map(|e| e.1.added.max(e.1.removed));
        if let Some(i) = raw.entries.iter().position(|e| e.1 == Stamps::default()) {
            return Err(Error::invalid(
                NAME,
                "an add or a remove for every entry",
                format!("neither for entry {i}"),
            ));
        }
        if latest.clone().max().unwrap_or(0) != raw.clock {
            return Err(Error::invalid(
                NAME,
                "the clock equal to the latest time of any entry",
                format!("clock {} and latest time {:?}", raw.clock, latest.max()),
            ));
        }
        Ok(Self {
            entries: raw.entries,
            clock: raw.clock,
            bias: PhantomData,
        })
    }
}

impl<T, B: Bias> LwwElementSet<T, B> {
    /// An empty set.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
            clock: 0,
            bias: PhantomData,
        }
    }

    /// The set's Lamport clock: the largest time it has seen (0 if none).
    #[must_use]
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// The present elements, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.entries
            .iter()
            .filter(|e| e.1.present::<B>())
            .map(|e| &e.0)
    }

    /// The number of present elements. `O(n)` in the number of elements ever touched.
    #[must_use]
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True when no element is present. `O(n)` as [`len`](Self::len).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Every element ever touched with its [`Stamps`], in increasing order: the whole state.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&T, Stamps)> + '_ {
        self.entries.iter().map(|(x, s)| (x, *s))
    }

    fn tick(&mut self) -> u64 {
        self.clock = self.clock.saturating_add(1);
        self.clock
    }
}

impl<T: Ord, B: Bias> LwwElementSet<T, B> {
    /// True when `x` is present.
    #[must_use]
    pub fn contains(&self, x: &T) -> bool {
        self.stamps(x).is_some_and(Stamps::present::<B>)
    }

    /// The stamps of `x`, if it was ever added or removed.
    #[must_use]
    pub fn stamps(&self, x: &T) -> Option<Stamps> {
        let i = self.entries.binary_search_by(|e| e.0.cmp(x)).ok()?;
        Some(self.entries[i].1)
    }

    /// Adds `x` with a new Lamport time, and returns that time.
    pub fn insert(&mut self, x: T) -> u64 {
        let time = self.tick();
        self.stamp(x).added = time;
        time
    }

    /// Removes `x` with a new Lamport time, and returns that time. The remove is recorded
    /// even if `x` is absent here, so that it also beats older adds this replica has not seen.
    pub fn remove(&mut self, x: &T) -> u64
    where
        T: Clone,
    {
        let time = self.tick();
        self.stamp(x.clone()).removed = time;
        time
    }

    fn stamp(&mut self, x: T) -> &mut Stamps {
        let i = match self.entries.binary_search_by(|e| e.0.cmp(&x)) {
            Ok(i) => i,
            Err(i) => {
                self.entries.insert(i, (x, Stamps::default()));
                i
            }
        };
        &mut self.entries[i].1
    }
}

impl<T: Ord + Clone, B: Bias> LwwElementSet<T, B> {
    /// Joins `other` into `self`: per element, the latest add and the latest remove. `O(n + m)`,
    /// and no allocation when `other` brings nothing new.
    pub fn merge(&mut self, other: &Self) {
        if other.leq(self) {
            return;
        }
        let mut merged = Vec::with_capacity(self.entries.len() + other.entries.len());
        merged.extend(
            merge_join(&self.entries, &other.entries, |e| &e.0).map(|side| match side {
                Side::Left(e) | Side::Right(e) => e.clone(),
                Side::Both((x, s), (_, t)) => (x.clone(), s.join(*t)),
            }),
        );
        self.entries = merged;
        self.clock = self.clock.max(other.clock);
    }

    /// The present elements, as a `BTreeSet`.
    #[must_use]
    pub fn value(&self) -> std::collections::BTreeSet<T> {
        self.iter().cloned().collect()
    }
}

impl<T: Ord, B: Bias> LwwElementSet<T, B> {
    /// The lattice order: every stamp of `self` is at most the same stamp in `other`.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.clock <= other.clock
            && merge_join(&self.entries, &other.entries, |e| &e.0).all(|side| match side {
                Side::Left(_) => false,
                Side::Right(_) => true,
                Side::Both((_, s), (_, t)) => s.added <= t.added && s.removed <= t.removed,
            })
    }
}

impl_lattice!(LwwElementSet<T, B> where T: Ord + Clone, B: Bias);

impl<T: fmt::Debug, B: Bias> fmt::Debug for LwwElementSet<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LwwElementSet<{}>", B::NAME)?;
        f.debug_map()
            .entries(
                self.entries
                    .iter()
                    .map(|(x, s)| (x, format!("+{} -{}", s.added, s.removed))),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_later_update_wins() {
        let mut x = LwwElementSet::<u8>::new();
        x.insert(1);
        x.remove(&1);
        assert!(!x.contains(&1));
        let mut y = x.clone();
        y.insert(1);
        x.merge(&y);
        assert!(x.contains(&1));
        assert_eq!(x.clock(), 3);
        assert_eq!(
            x.stamps(&1),
            Some(Stamps {
                added: 3,
                removed: 2
            })
        );
        assert_eq!(format!("{x:?}"), "LwwElementSet<add-wins>{1: \"+3 -2\"}");
    }

    #[test]
    fn a_remove_of_an_absent_element_beats_older_unseen_adds() {
        let mut x = LwwElementSet::<u8>::new();
        let mut y = LwwElementSet::<u8>::new();
        y.insert(9); // time 1
        x.insert(0);
        x.remove(&9); // time 2, never saw the add
        x.merge(&y);
        assert!(!x.contains(&9));
        assert_eq!(x.len(), 1);
    }

    #[test]
    fn bias_decides_ties_both_ways() {
        fn tie<B: Bias>() -> bool {
            let mut x = LwwElementSet::<u8, B>::new();
            let mut y = LwwElementSet::<u8, B>::new();
            assert_eq!(x.insert(5), y.remove(&5));
            x.merge(&y);
            y.merge(&x);
            assert_eq!(x, y);
            x.contains(&5)
        }
        assert!(tie::<AddWins>());
        assert!(!tie::<RemoveWins>());
    }

    #[test]
    fn serde_round_trips_and_checks_the_clock() {
        let mut x = LwwElementSet::<u8>::new();
        x.insert(3);
        x.remove(&4);
        let text = serde_json::to_string(&x).unwrap();
        assert_eq!(
            text,
            r#"{"entries":[[3,{"added":1,"removed":0}],[4,{"added":0,"removed":2}]],"clock":2}"#
        );
        assert_eq!(serde_json::from_str::<LwwElementSet<u8>>(&text).unwrap(), x);
        let bad_clock = text.replace(r#""clock":2"#, r#""clock":7"#);
        assert!(serde_json::from_str::<LwwElementSet<u8>>(&bad_clock).is_err());
        let unsorted =
            r#"{"entries":[[4,{"added":0,"removed":2}],[3,{"added":1,"removed":0}]],"clock":2}"#;
        assert!(serde_json::from_str::<LwwElementSet<u8>>(unsorted).is_err());
    }
}
