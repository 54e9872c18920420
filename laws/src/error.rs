//! The crate's error type.

/// What can go wrong outside a law's own verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A state could not be encoded or decoded by a model's codec.
    #[error("codec error: {message}")]
    Codec {
        /// What the codec reported.
        message: String,
    },
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}

/// Serializes a value to JSON and reads it back: a ready-made [`Model::round_trip`](crate::Model::round_trip).
///
/// ```
/// use std::collections::BTreeSet;
/// let set: BTreeSet<u8> = [1, 2, 3].into();
/// assert_eq!(crdt_laws::json_round_trip(&set).unwrap(), set);
/// ```
///
/// # Errors
/// [`Error::Codec`] when encoding or decoding fails.
pub fn json_round_trip<T>(value: &T) -> Result<T, Error>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let text = serde_json::to_string(value).map_err(|e| Error::Codec {
        message: format!("encoding: {e}"),
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Codec {
        message: format!("decoding {text}: {e}"),
    })
}
