//! The schema version, checked when a report is read.

use serde::de::{Deserializer, Error as _};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

/// The schema version this crate writes and reads.
///
/// It changes whenever a field is renamed, removed or changes meaning, or a field that older
/// readers need is added. Reading a report with another version is an
/// [`Error`](crate::Error), never a guess.
pub const SCHEMA_VERSION: u32 = 1;

/// The `schema_version` field of a [`Report`](crate::Report).
///
/// It holds no data: it always serializes as [`SCHEMA_VERSION`], and deserializing any other
/// value fails, so every serde path (not only [`Report::from_json`](crate::Report::from_json))
/// refuses a report it does not understand.
///
/// ```
/// use crdt_reports::{SCHEMA_VERSION, SchemaVersion};
/// assert_eq!(serde_json::to_string(&SchemaVersion).unwrap(), SCHEMA_VERSION.to_string());
/// assert!(serde_json::from_str::<SchemaVersion>("99").is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SchemaVersion;

impl Serialize for SchemaVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(SCHEMA_VERSION)
    }
}

impl<'de> Deserialize<'de> for SchemaVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let found = u64::deserialize(deserializer)?;
        if found == u64::from(SCHEMA_VERSION) {
            Ok(Self)
        } else {
            Err(D::Error::custom(format_args!(
                "schema version {found} is not the version this crate reads ({SCHEMA_VERSION})"
            )))
        }
    }
}
