//! JSON values as operations and values of an adapter model: compact `Debug`, canonical form.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A JSON value, as an adapter's operation or value: `Debug` prints it as compact JSON, so a
/// counterexample reads `{"add":1}` rather than serde's tree.
///
/// ```
/// use crdt_harness::adapter::Json;
/// let op = Json(serde_json::json!({"add": 1}));
/// assert_eq!(format!("{op:?}"), r#"{"add":1}"#);
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Json(pub Value);

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Sorts a JSON array by each element's compact text: the canonical form of a set or a
/// multiset, so two arrays holding the same elements in any order compare equal.
pub(crate) fn sorted(value: Value) -> Value {
    match value {
        Value::Array(mut items) => {
            items.sort_by_cached_key(ToString::to_string);
            Value::Array(items)
        }
        other => other,
    }
}

/// The operation's name and argument: `{"add": 3}` → `("add", 3)`.
pub(crate) fn op_parts(op: &Value) -> Option<(&str, &Value)> {
    let object = op.as_object()?;
    if object.len() != 1 {
        return None;
    }
    object.iter().next().map(|(k, v)| (k.as_str(), v))
}

/// A small non-negative integer of a JSON value.
pub(crate) fn small(value: &Value) -> Option<u32> {
    value.as_u64().and_then(|n| u32::try_from(n).ok())
}
