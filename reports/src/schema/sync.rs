//! What a sync protocol cost: the messages and bytes of the sync flavour's runs.

use serde::{Deserialize, Serialize};

/// The cost of a model's own sync protocol over the schedules of a shard that passed (sums, so
/// that shards and threads add up to the same figures): what the protocol sent during the
/// schedules, and what its final sync took once the network was healed and quiet. Only runs of
/// the sync flavour carry it ([`ShardResult::sync`](crate::ShardResult::sync)).
///
/// ```
/// use crdt_reports::SyncTotals;
/// let mut totals = SyncTotals::default();
/// totals.add(&SyncTotals { schedules: 1, messages: 12, bytes: 600, final_messages: 2,
///                          final_bytes: 100, final_rounds: 1, state_bytes: 80 });
/// totals.add(&SyncTotals { schedules: 1, messages: 8, bytes: 400, final_messages: 4,
///                          final_bytes: 300, final_rounds: 2, state_bytes: 120 });
/// assert_eq!(totals.per_schedule(totals.messages), Some(10.0));
/// assert_eq!(totals.bytes_per_final_sync(), Some(200.0));
/// assert_eq!(totals.per_schedule(totals.state_bytes), Some(100.0));
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct SyncTotals {
    /// Schedules counted: those that passed, each ending with a final sync.
    pub schedules: u64,
    /// Messages the protocol generated, in the schedules' steps and at quiescence.
    pub messages: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Messages of the final syncs (on the healed, quiet network).
    pub final_messages: u64,
    /// Bytes of the final syncs.
    pub final_bytes: u64,
    /// Rounds the final syncs took before a round sent nothing.
    pub final_rounds: u64,
    /// The largest replica state at the end of each schedule, in bytes, added up.
    pub state_bytes: u64,
}

impl SyncTotals {
    /// Adds `other`'s figures to these (saturating).
    pub fn add(&mut self, other: &Self) {
        let Self {
            schedules,
            messages,
            bytes,
            final_messages,
            final_bytes,
            final_rounds,
            state_bytes,
        } = other;
        for (total, more) in [
            (&mut self.schedules, schedules),
            (&mut self.messages, messages),
            (&mut self.bytes, bytes),
            (&mut self.final_messages, final_messages),
            (&mut self.final_bytes, final_bytes),
            (&mut self.final_rounds, final_rounds),
            (&mut self.state_bytes, state_bytes),
        ] {
            *total = total.saturating_add(*more);
        }
    }

    /// `total` (one of these sums) per schedule counted; `None` when none was.
    #[must_use]
    pub fn per_schedule(&self, total: u64) -> Option<f64> {
        (self.schedules > 0).then(|| total as f64 / self.schedules as f64)
    }

    /// The mean bytes of a final sync: what it took, once healed and quiet, to bring every
    /// replica up to date and fall silent.
    #[must_use]
    pub fn bytes_per_final_sync(&self) -> Option<f64> {
        self.per_schedule(self.final_bytes)
    }
}
