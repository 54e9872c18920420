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

/// Whether two JSON values are the same answer: `==`, and numbers written alike (`0.0` and
/// `-0.0` are equal numbers, but print differently in a report).
pub(crate) fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y && x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| identical(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && identical(vx, vy))
        }
        _ => a == b,
    }
}

/// Sorts a JSON array by each element's compact text: the canonical form of a set or a
/// multiset, so two arrays holding the same elements in any order compare equal.
pub(crate) fn sorted(value: Value) -> Value {
    match value {
        Value::Array(mut items) => {
            if items.iter().all(Value::is_u64) {
                // A set of small integers (the usual one): by their decimal texts, unallocated.
                items.sort_by(|a, b| {
                    let (mut da, mut db) = (itoa::Buffer::new(), itoa::Buffer::new());
                    let a = da.format(a.as_u64().expect("checked above"));
                    let b = db.format(b.as_u64().expect("checked above"));
                    a.cmp(b)
                });
            } else {
                items.sort_by_cached_key(|v| {
                    let mut text = String::new();
                    push_json(&mut text, v);
                    text
                });
            }
            Value::Array(items)
        }
        other => other,
    }
}

/// Appends `value`'s compact JSON text to `text`, as serde_json writes it, without the
/// formatting machinery for the usual values (integers, literals, strings without escapes,
/// arrays and objects of those); others are written by serde_json.
pub(crate) fn push_json(text: &mut String, value: &Value) {
    fn plain(s: &str) -> bool {
        s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
    }
    match value {
        Value::Null => text.push_str("null"),
        Value::Bool(b) => text.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_u64() || n.is_i64() => {
            let mut digits = itoa::Buffer::new();
            text.push_str(match n.as_u64() {
                Some(u) => digits.format(u),
                None => digits.format(n.as_i64().expect("checked above")),
            });
        }
        Value::String(s) if plain(s) => {
            text.push('"');
            text.push_str(s);
            text.push('"');
        }
        Value::Array(items) => {
            text.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                push_json(text, item);
            }
            text.push(']');
        }
        Value::Object(fields) if fields.keys().all(|k| plain(k)) => {
            text.push('{');
            for (i, (key, item)) in fields.iter().enumerate() {
                if i > 0 {
                    text.push(',');
                }
                text.push('"');
                text.push_str(key);
                text.push_str("\":");
                push_json(text, item);
            }
            text.push('}');
        }
        other => text.push_str(&other.to_string()),
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::scan::strategies::json;
    use super::*;

    /// An answer is the assumed one only when written alike: `-0.0` is not `0.0`, `1.0` is not
    /// `1`, inside arrays and objects too, and an extra or other key differs.
    #[test]
    fn identical_values_are_written_alike() {
        use serde_json::json;
        let same = json!({"a": [1, 2.5, "x", null], "b": {"c": true}});
        assert!(identical(&same, &same.clone()));
        for (a, b) in [
            (json!(0.0), json!(-0.0)),
            (json!(1), json!(1.0)),
            (json!([1, 0.0]), json!([1, -0.0])),
            (json!({"a": 0.0}), json!({"a": -0.0})),
            (json!({"a": 1}), json!({"b": 1})),
            (json!({"a": 1}), json!({"a": 1, "b": 2})),
            (json!([1, 2]), json!([2, 1])),
        ] {
            assert!(!identical(&a, &b), "{a} and {b}");
        }
        assert_eq!(
            json!(0.0),
            json!(-0.0),
            "serde_json's == takes them for one"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// The text written is serde_json's compact text.
        #[test]
        fn values_are_written_as_serde_writes_them(value in json()) {
            let mut text = String::from("x");
            push_json(&mut text, &value);
            prop_assert_eq!(text, format!("x{value}"));
        }

        /// Sets of integers and of anything else are sorted by their elements' texts.
        #[test]
        fn arrays_are_sorted_by_their_elements_texts(
            numbers in prop::collection::vec(prop_oneof![0u64..200, any::<u64>()], 0..12),
            others in prop::collection::vec(json(), 0..6),
        ) {
            for items in [numbers.iter().map(|n| Value::from(*n)).collect::<Vec<_>>(), others] {
                let Value::Array(got) = sorted(Value::Array(items.clone())) else {
                    panic!("an array stays an array");
                };
                let mut expected = items;
                expected.sort_by_cached_key(ToString::to_string);
                prop_assert_eq!(got, expected);
            }
        }
    }
}
