//! The crate's error type.

use crate::ReplicaId;

/// What can go wrong when using the reference CRDTs.
///
/// No operation panics on user input: a counter that would overflow and a serialized state that
/// breaks a type's invariants are reported with this type instead.
///
/// ```
/// use crdt_impls::{Error, GCounter, ReplicaId};
///
/// let a = ReplicaId::new(0);
/// let mut counter = GCounter::new();
/// counter.increment(a, u64::MAX)?;
/// assert_eq!(
///     counter.increment(a, 1),
///     Err(Error::Overflow { replica: a, count: u64::MAX, amount: 1 })
/// );
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A per-replica count would exceed `u64::MAX`.
    #[error("replica {replica}'s count {count} plus {amount} exceeds u64::MAX")]
    Overflow {
        /// The replica whose entry would overflow.
        replica: ReplicaId,
        /// Its current count.
        count: u64,
        /// The amount that was to be added.
        amount: u64,
    },
    /// A state (usually one read from its serialized form) breaks an invariant of its type.
    #[error("invalid {type_name}: expected {expected}, found {found}")]
    Invalid {
        /// The type whose invariant is broken: `GSet`, `VersionVector`, ...
        type_name: &'static str,
        /// What the invariant requires.
        expected: &'static str,
        /// What was found instead.
        found: String,
    },
}

impl Error {
    pub(crate) fn invalid(
        type_name: &'static str,
        expected: &'static str,
        found: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            type_name,
            expected,
            found: found.into(),
        }
    }
}
