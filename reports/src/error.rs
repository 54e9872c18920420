//! The crate's error type.

use std::path::PathBuf;

/// What can go wrong reading, writing or naming a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON, or not a JSON object.
    #[error("malformed report: {0}")]
    Malformed(#[source] serde_json::Error),
    /// The JSON object has no `schema_version` field: it is not a report.
    #[error("not a report: expected a `schema_version` field at the top level, found none")]
    MissingVersion,
    /// The report records no run: no `invocations` (e.g. `{"schema_version": 1}` alone). Every
    /// report this crate writes records the runs that made it.
    #[error("not a report: it records no run (its `invocations` are missing or empty)")]
    NoRun,
    /// The version is not one this crate has ever written (not a positive integer, or an
    /// unknown older one).
    #[error("unknown schema version {found}: expected the integer {supported}")]
    UnknownVersion {
        /// The version found, as JSON text.
        found: String,
        /// The version this crate reads.
        supported: u32,
    },
    /// The report was written by a newer version of the schema.
    #[error(
        "schema version {found} is newer than this crate reads ({supported}): upgrade crdt-reports"
    )]
    NewerVersion {
        /// The version found.
        found: u64,
        /// The version this crate reads.
        supported: u32,
    },
    /// The version is right but the content does not match the schema.
    #[error("invalid report (schema version {version}): {source}")]
    Invalid {
        /// The schema version checked against.
        version: u32,
        /// Where and what serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// A file could not be read or written.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done: `reading`, `writing`, ...
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// A format name that no renderer has.
    #[error("unknown report format `{0}`: expected one of terminal, markdown, junit, html, json")]
    UnknownFormat(String),
}
