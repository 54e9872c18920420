//! Merging reports: a report is a join-semilattice.
//!
//! Every part of a report has a join, and each join is associative, commutative and idempotent,
//! so shard reports can be combined in any order and any grouping, and combining a report with
//! itself (a retried upload, a shard listed twice) changes nothing:
//! - sets (invocations) and maps (models, laws, runs, shards) join as unions, joining the
//!   values of keys present on both sides;
//! - a value that cannot be combined (two results of the same law, two results of the same
//!   shard) joins by keeping the greater under a total order that ranks what matters first:
//!   a failed law over a vacuous one over a passed one over a skipped one; a complete shard
//!   over an interrupted one, then the one that ran more schedules. Ties are broken by comparing
//!   the whole values, so the choice never depends on the order of merging.
//!
//! Counts are never added when joining: they are summed over distinct shards when read (see
//! [`HarnessRun::schedules`](crate::HarnessRun::schedules)), so merged shard reports give the same
//! totals as one run on one machine.

use std::collections::{BTreeMap, BTreeSet};

use crate::{HarnessRun, LawResult, ModelReport, Report, ShardResult};

/// A join-semilattice: `join` is associative, commutative and idempotent.
pub(crate) trait Join {
    /// `self ← self ⊔ other`.
    fn join(&mut self, other: Self);
}

impl<T: Ord> Join for BTreeSet<T> {
    fn join(&mut self, other: Self) {
        self.extend(other);
    }
}

impl<K: Ord, V: Join> Join for BTreeMap<K, V> {
    fn join(&mut self, other: Self) {
        for (key, value) in other {
            self.join_entry(key, value);
        }
    }
}

/// Joining one entry into a map.
pub(crate) trait JoinEntry<K, V> {
    /// Inserts `value` at `key`, joining it with the value already there.
    fn join_entry(&mut self, key: K, value: V);
}

impl<K: Ord, V: Join> JoinEntry<K, V> for BTreeMap<K, V> {
    fn join_entry(&mut self, key: K, value: V) {
        match self.entry(key) {
            std::collections::btree_map::Entry::Occupied(mut slot) => slot.get_mut().join(value),
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(value);
            }
        }
    }
}

/// Keeps the greater of two values under `(rank, value)`: a total order, so a lawful join.
fn keep_greater<T: Ord, R: Ord>(current: &mut T, other: T, rank: impl Fn(&T) -> R) {
    if (rank(&other), &other) > (rank(current), &*current) {
        *current = other;
    }
}

impl Join for Report {
    fn join(&mut self, other: Self) {
        self.invocations.join(other.invocations);
        self.models.join(other.models);
    }
}

impl Join for ModelReport {
    fn join(&mut self, other: Self) {
        self.flavour = self.flavour.max(other.flavour);
        self.laws.join(other.laws);
        self.runs.join(other.runs);
    }
}

impl Join for LawResult {
    fn join(&mut self, other: Self) {
        keep_greater(self, other, |law| law.outcome.severity());
    }
}

impl Join for HarnessRun {
    fn join(&mut self, other: Self) {
        self.shards.join(other.shards);
    }
}

impl Join for ShardResult {
    fn join(&mut self, other: Self) {
        keep_greater(self, other, |shard| (shard.complete, shard.schedules));
    }
}

impl Report {
    /// Merges `other` into this report: `self ← self ⊔ other`.
    ///
    /// Merging is associative, commutative and idempotent (see the [module docs](crate::merge)),
    /// and [`Report::default`] is its identity.
    ///
    /// ```
    /// use crdt_reports::{HarnessRun, ModelReport, Report, RunConfig, ShardResult};
    ///
    /// // Shard `index` of a run split in two, as each CI job would write it.
    /// let shard = |index: u32| {
    ///     let config = RunConfig { seed: 7, replicas: 3, steps_per_schedule: 20, shards: 2, ..Default::default() };
    ///     let result = ShardResult { schedules: 500, steps: 10_000, complete: true, ..Default::default() };
    ///     let model = ModelReport::default().with_run(config, HarnessRun::single(index, result));
    ///     Report::default().with_model("g_set", model)
    /// };
    /// let mut merged = shard(0);
    /// merged.merge(shard(1));
    /// merged.merge(shard(1)); // the same shard again: not counted twice
    /// assert_eq!(merged.summary().schedules, 1_000);
    /// assert!(merged.is_complete());
    /// ```
    pub fn merge(&mut self, other: Self) {
        self.join(other);
    }

    /// Merges many reports into one; no reports give the empty report.
    #[must_use]
    pub fn merged(reports: impl IntoIterator<Item = Self>) -> Self {
        let mut all = Self::default();
        for report in reports {
            all.merge(report);
        }
        all
    }
}
