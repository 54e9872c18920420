//! What a replica can read from its surroundings: its physical clock and how many replicas the
//! system has.
//!
//! Most CRDTs read nothing but their state and the operation. Some read their environment: a
//! hybrid logical clock reads the machine's wall clock, and garbage collection by causal
//! stability needs to know every replica. Such a model reads [`physical_time`] and
//! [`replica_count`] inside its update and merge; whoever drives the model sets them with
//! [`with`] around each call. The `crdt-harness` simulator does, with per-replica clocks that
//! drift and jump under its `clock-skew` fault; the laws set nothing, so inside them the
//! physical clock reads 0 (a hybrid logical clock then acts as a Lamport clock) and the
//! replica count is unknown (nothing is ever causally stable). Models that do not read the
//! environment are unaffected by it.
//!
//! ```
//! use crdt_laws::env::{Environment, physical_time, replica_count, with};
//! assert_eq!((physical_time(), replica_count()), (0, None));
//! let seen = with(Environment { physical_time: 1_700, replicas: Some(3) }, || {
//!     (physical_time(), replica_count())
//! });
//! assert_eq!(seen, (1_700, Some(3)));
//! assert_eq!(physical_time(), 0); // restored afterwards
//! ```

use std::cell::Cell;

/// What one call into a model may read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Environment {
    /// The calling replica's physical clock, in the simulator's units (microseconds, say).
    pub physical_time: u64,
    /// The number of replicas in the system, when the driver knows it.
    pub replicas: Option<u32>,
}

thread_local! {
    static CURRENT: Cell<Environment> = const {
        Cell::new(Environment { physical_time: 0, replicas: None })
    };
}

/// Runs `f` with `environment` in force on this thread, restoring the previous environment
/// afterwards (also when `f` panics).
pub fn with<T>(environment: Environment, f: impl FnOnce() -> T) -> T {
    struct Restore(Environment);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(environment)));
    f()
}

/// The calling replica's physical clock: 0 unless a driver set it with [`with`].
#[must_use]
pub fn physical_time() -> u64 {
    CURRENT.with(|c| c.get().physical_time)
}

/// The number of replicas in the system, or `None` when the driver does not say.
#[must_use]
pub fn replica_count() -> Option<u32> {
    CURRENT.with(|c| c.get().replicas)
}
