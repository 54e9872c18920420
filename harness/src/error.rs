//! The crate's error type.

/// What can go wrong outside a finding: bad input, files, configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A fault name that is not one of `drop`, `dup`, `reorder`, `partition`, `crash`.
    #[error("unknown fault {0:?}; expected drop, dup, reorder, partition, crash, all or none")]
    InvalidFault(String),
    /// A schedule that names replicas it does not have, or has too many.
    #[error("invalid schedule: {0}")]
    InvalidSchedule(String),
    /// A shard that is not `k/n` with `1 ≤ k ≤ n`.
    #[error("invalid shard {0:?}: expected k/n with 1 ≤ k ≤ n, e.g. 2/8")]
    InvalidShard(String),
    /// A duration that is not a number followed by `ms`, `s`, `m` or `h`.
    #[error("invalid duration {0:?}: expected e.g. 500ms, 30s, 5m or 1h")]
    InvalidDuration(String),
    /// A replay file that is not what a replay file must be.
    #[error("invalid replay file: {0}")]
    InvalidReplay(String),
    /// A replay file for a model this catalogue does not know.
    #[error("unknown model {0:?}; `crdt-harness list` shows the models")]
    UnknownModel(String),
    /// Reading or writing a file failed.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// What went wrong.
        error: std::io::Error,
    },
    /// JSON that could not be read or written.
    #[error("{context}: {error}")]
    Json {
        /// What was being read or written.
        context: String,
        /// What went wrong.
        error: serde_json::Error,
    },
}
