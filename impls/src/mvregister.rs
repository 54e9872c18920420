//! The multi-value register.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::causal::{check_dots_seen, dot_store_leq, fmt_dot_store, join_dot_stores};
use crate::sorted::check_strictly_increasing;
use crate::{CausalContext, Dot, Error, ReplicaId};

/// A register that keeps every concurrent write (MV-register), as Dynamo-style stores do.
///
/// Each write is tagged with a fresh [`Dot`] and replaces the values its replica has seen.
/// Writes that did not see each other are all kept, and the reader (or the next writer)
/// decides; a later write that has seen them all collapses them back into one value.
///
/// # Conflict rule
/// None is applied: concurrent writes are all kept. The values are those of the writes no
/// other visible write has seen (the maximal writes of the causal history).
///
/// # Metadata cost
/// One dot per concurrent value, and a [`CausalContext`]: one counter per replica that ever
/// wrote. Overwritten values leave nothing behind. The state grows with the number of writers,
/// not with the number of writes.
///
/// ```
/// use crdt_impls::{MvRegister, ReplicaId};
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut alice = MvRegister::new();
/// let mut bob = MvRegister::new();
/// alice.set(a, "tea");
/// bob.set(b, "coffee"); // concurrent: both are kept
/// alice.merge(&bob);
/// assert_eq!(alice.values().collect::<Vec<_>>(), [&"tea", &"coffee"]);
///
/// alice.set(a, "both"); // has seen both values: replaces them
/// bob.merge(&alice);
/// assert_eq!(bob.values().collect::<Vec<_>>(), [&"both"]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(
    try_from = "RawMvRegister<T>",
    bound(serialize = "T: Serialize", deserialize = "T: Deserialize<'de>")
)]
pub struct MvRegister<T> {
    entries: Vec<(Dot, T)>,
    context: CausalContext,
}

#[derive(Deserialize)]
struct RawMvRegister<T> {
    entries: Vec<(Dot, T)>,
    context: CausalContext,
}

impl<T> TryFrom<RawMvRegister<T>> for MvRegister<T> {
    type Error = Error;

    fn try_from(raw: RawMvRegister<T>) -> Result<Self, Error> {
        check_strictly_increasing("MvRegister", raw.entries.iter().map(|e| e.0))?;
        check_dots_seen("MvRegister", &raw.entries, &raw.context, |e| e.0)?;
        Ok(Self {
            entries: raw.entries,
            context: raw.context,
        })
    }
}

impl<T> MvRegister<T> {
    /// An empty register.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            entries: Vec::new(),
            context: CausalContext::new(),
        }
    }

    /// The current values, one per concurrent write, in the order of their dots.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &T> + '_ {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The current values with the dots of their writes.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (Dot, &T)> + '_ {
        self.entries.iter().map(|(d, v)| (*d, v))
    }

    /// The number of concurrent values (0 before the first write).
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True before the first write.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The dots of every write this state has seen.
    #[must_use]
    pub fn context(&self) -> &CausalContext {
        &self.context
    }

    /// Writes `value` at `replica`, which must be the replica this state belongs to, replacing
    /// every value seen so far; returns the write's dot.
    pub fn set(&mut self, replica: ReplicaId, value: T) -> Dot {
        let dot = self.context.next_dot(replica);
        self.context.insert(dot);
        self.entries.clear();
        self.entries.push((dot, value));
        dot
    }

    /// The lattice order: `other` has seen every write `self` has seen, and keeps no value
    /// `self` has seen overwritten.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        dot_store_leq(
            (&self.entries, &self.context),
            (&other.entries, &other.context),
            |a, b| a.0.cmp(&b.0),
            |e| e.0,
        )
    }
}

impl<T: Clone> MvRegister<T> {
    /// Joins `other` into `self`: a value survives if both sides have it, or if one side has it
    /// and the other has not seen its write. `O(n + m)`.
    pub fn merge(&mut self, other: &Self) {
        join_dot_stores(
            (&mut self.entries, &self.context),
            (&other.entries, &other.context),
            |a, b| a.0.cmp(&b.0),
            |e| e.0,
        );
        self.context.merge(&other.context);
    }

    /// The current values, cloned, in the order of their dots.
    #[must_use]
    pub fn value(&self) -> Vec<T> {
        self.values().cloned().collect()
    }
}

impl_lattice!(MvRegister<T> where T: Clone + PartialEq);

impl<T: fmt::Debug> fmt::Debug for MvRegister<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_dot_store(
            f,
            "MvRegister",
            self.entries.iter().map(|(d, v)| (d, v)),
            &self.context,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_concurrent_writes_then_collapses_after_a_later_write() {
        let (a, b, c) = (ReplicaId::new(0), ReplicaId::new(1), ReplicaId::new(2));
        let mut x = MvRegister::new();
        let mut y = MvRegister::new();
        let mut z = MvRegister::new();
        x.set(a, 1);
        y.set(b, 2);
        z.set(c, 2);
        x.merge(&y);
        x.merge(&z);
        assert_eq!(x.value(), [1, 2, 2]);
        y.merge(&x);
        assert_eq!(y, x);
        assert_eq!(y.set(b, 3), Dot::new(b, 2));
        x.merge(&y);
        assert_eq!(x.value(), [3]);
        assert!(z.leq(&x) && !x.leq(&z));
        assert_eq!(
            format!("{x:?}"),
            "MvRegister{B2: 3} seen {A: 1, B: 2, C: 1}"
        );
    }

    #[test]
    fn an_old_state_cannot_bring_back_an_overwritten_value() {
        let a = ReplicaId::new(0);
        let mut x = MvRegister::new();
        x.set(a, "old");
        let old = x.clone();
        x.set(a, "new");
        x.merge(&old);
        assert_eq!(x.value(), ["new"]);
    }

    #[test]
    fn serde_round_trips_and_checks_invariants() {
        let mut x = MvRegister::new();
        x.set(ReplicaId::new(1), 'v');
        let text = serde_json::to_string(&x).unwrap();
        assert_eq!(
            text,
            r#"{"entries":[[{"replica":1,"seq":1},"v"]],"context":{"vv":[[1,1]]}}"#
        );
        assert_eq!(serde_json::from_str::<MvRegister<char>>(&text).unwrap(), x);
        let unseen = text.replace(r#""vv":[[1,1]]"#, r#""vv":[]"#);
        assert!(serde_json::from_str::<MvRegister<char>>(&unseen).is_err());
    }
}
