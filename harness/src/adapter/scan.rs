//! A small JSON reader for the protocol's hot lines (a batch and its answer): the shapes the
//! harness and compact adapters write (objects, arrays, integers, strings without escapes,
//! literals) read without serde's visitors. What it does not read (an escape, a fraction, an
//! exponent, an integer beyond 64 bits, `-0`) it leaves to serde (`None`); callers fall back
//! to serde then, so what this reader accepts it reads as serde would.

use serde_json::{Map, Number, Value};

/// A position in a JSON text.
pub(super) struct Scan<'a> {
    text: &'a str,
    /// The next byte to read.
    pub(super) at: usize,
}

impl<'a> Scan<'a> {
    /// At the start of `text`.
    pub(super) fn new(text: &'a str) -> Self {
        Scan { text, at: 0 }
    }

    /// True when only spaces are left.
    pub(super) fn done(&mut self) -> bool {
        self.space();
        self.at == self.text.len()
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    pub(super) fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips spaces and `byte`; `None` when something else comes.
    pub(super) fn eat(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// A string without escapes.
    pub(super) fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let rest = &self.text.as_bytes()[self.at..];
        let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
        if rest[end] == b'\\' {
            return None;
        }
        // Quotes are ASCII, so both ends are character boundaries.
        let s = &self.text[self.at..self.at + end];
        self.at += end + 1;
        Some(s)
    }

    /// An integer (no fraction nor exponent: those are left to serde, whose floats this
    /// reader does not round).
    fn number(&mut self) -> Option<Value> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.at += 1;
        }
        let mut n: u64 = 0;
        let start = self.at;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
            self.at += 1;
        }
        if self.at == start || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        if !negative {
            return Some(Value::Number(n.into()));
        }
        // serde reads a negative integer as an i64 when it fits, and -0 as the float -0.0.
        if n == 0 {
            return None;
        }
        let n = i64::try_from(-i128::from(n)).ok()?;
        Some(Value::Number(Number::from(n)))
    }

    /// A non-negative integer.
    pub(super) fn unsigned(&mut self) -> Option<u64> {
        self.space();
        self.number()?.as_u64()
    }

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let end = self.at + word.len();
        (self.text.get(self.at..end) == Some(word)).then(|| {
            self.at = end;
            value
        })
    }

    /// `open`, then `item`s separated by commas, then `close`.
    pub(super) fn items(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.eat(open)?;
        if self.eat(close).is_some() {
            return Some(());
        }
        loop {
            item(self)?;
            if self.eat(b',').is_none() {
                return self.eat(close);
            }
        }
    }

    /// An object: `field` reads each value, given its key (a key is a string without escapes).
    pub(super) fn fields(
        &mut self,
        mut field: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.items(b'{', b'}', |scan| {
            let key = scan.string()?;
            scan.eat(b':')?;
            field(scan, key)
        })
    }

    /// Any value made of what this reader reads.
    pub(super) fn value(&mut self) -> Option<Value> {
        self.space();
        match self.peek()? {
            b'"' => self.string().map(|s| Value::String(s.to_owned())),
            b'{' => {
                let mut map = Map::new();
                self.fields(|scan, key| {
                    map.insert(key.to_owned(), scan.value()?);
                    Some(())
                })?;
                Some(Value::Object(map))
            }
            b'[' => {
                let mut items = Vec::new();
                self.items(b'[', b']', |scan| {
                    items.push(scan.value()?);
                    Some(())
                })?;
                Some(Value::Array(items))
            }
            b't' => self.literal("true", Value::Bool(true)),
            b'f' => self.literal("false", Value::Bool(false)),
            b'n' => self.literal("null", Value::Null),
            _ => self.number(),
        }
    }
}

/// Strategies of JSON texts, for the tests that compare this reader with serde.
#[cfg(test)]
pub(super) mod strategies {
    use proptest::prelude::*;
    use serde_json::Value;

    /// Any JSON value, with strings and keys that need escapes, floats, and integers at the
    /// edges of `u64` and `i64`.
    pub(in crate::adapter) fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (0u64..8).prop_map(Value::from),
            (-1e3f64..1e3).prop_map(Value::from),
            "[a-z\"\\\\é\n]{0,4}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((key(&["ok", "value", "type"]), inner), 0..4)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    /// A key: one of `names`, or a short one that may need escapes.
    pub(in crate::adapter) fn key(names: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(names).prop_map(String::from),
            "[a-z\"\\\\]{0,3}",
        ]
    }

    /// An object's text, fields in order (a key may come twice), spaced or not.
    pub(in crate::adapter) fn text(fields: &[(String, Value)], spaced: bool) -> String {
        let gap = if spaced { " " } else { "" };
        let fields: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{gap}{v}", Value::String(k.clone())))
            .collect();
        format!("{{{gap}{}{gap}}}", fields.join(&format!(",{gap}")))
    }
}
