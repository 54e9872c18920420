//! A batch line read by hand: `{"type":"batch","requests":[...]}` whose sub-requests have the
//! shapes the harness sends (objects of handles, small objects and arrays of integers, strings
//! without escapes), without serde's visitors nor a tree of the line. Anything else (another
//! field, an escape, a fraction, an exponent, a nested `requests`, a line that is not JSON) is
//! left to serde, so what this reader accepts it reads as serde's tree would.

use serde_json::{Map, Number, Value};

use super::{FIELDS, Kind, Req};

/// Reads `line` into `requests` when it is a batch this reader reads whole; false (with
/// `requests` in any state) when it leaves the line to serde.
pub(super) fn batch(line: &str, requests: &mut Vec<Req>) -> bool {
    let mut scan = Scan { text: line, at: 0 };
    scan.batch(requests).is_some() && {
        scan.space();
        scan.at == line.len()
    }
}

/// Reads `text` as a batch's sub-request, or `None` when it holds what this reader leaves to
/// serde.
#[cfg(test)]
fn sub_request(text: &str) -> Option<Req> {
    let mut scan = Scan { text, at: 0 };
    let req = scan.request()?;
    scan.space();
    (scan.at == text.len()).then_some(req)
}

struct Scan<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips spaces and `byte`; `None` when something else comes.
    fn eat(&mut self, byte: u8) -> Option<()> {
        self.space();
        (self.peek() == Some(byte)).then(|| self.at += 1)
    }

    /// A string without escapes.
    fn string(&mut self) -> Option<&'a str> {
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

    fn literal(&mut self, word: &str, value: Value) -> Option<Value> {
        let end = self.at + word.len();
        (self.text.get(self.at..end) == Some(word)).then(|| {
            self.at = end;
            value
        })
    }

    /// `open`, then `item`s separated by commas, then `close`.
    fn items(
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
    fn fields(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.items(b'{', b'}', |scan| {
            let key = scan.string()?;
            scan.eat(b':')?;
            field(scan, key)
        })
    }

    /// Any value made of what this reader reads.
    fn value(&mut self) -> Option<Value> {
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

    /// `{"type":"batch","requests":[...]}`, the sub-requests pushed on `requests`.
    fn batch(&mut self, requests: &mut Vec<Req>) -> Option<()> {
        self.eat(b'{')?;
        (self.string()? == "type").then_some(())?;
        self.eat(b':')?;
        (self.string()? == "batch").then_some(())?;
        self.eat(b',')?;
        (self.string()? == "requests").then_some(())?;
        self.eat(b':')?;
        self.items(b'[', b']', |scan| {
            requests.push(scan.request()?);
            Some(())
        })?;
        self.eat(b'}')
    }

    /// A sub-request: an object's fields as [`Req`] keeps them (any other value is a request
    /// without fields).
    fn request(&mut self) -> Option<Req> {
        self.space();
        if self.peek() != Some(b'{') {
            self.value()?;
            return Some(Req::default());
        }
        let mut req = Req::default();
        self.fields(|scan, key| {
            match key {
                "type" => {
                    scan.space();
                    req.kind = if scan.peek() == Some(b'"') {
                        Some(Kind::of(scan.string()?))
                    } else {
                        scan.value()?;
                        None
                    };
                }
                // A nested batch's requests: left to serde.
                "requests" => return None,
                key => {
                    let value = scan.value()?;
                    if let Some(i) = FIELDS.iter().position(|f| *f == key) {
                        req.set_at(i, value);
                    }
                }
            }
            Some(())
        })?;
        Some(req)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    /// Any JSON value, with strings and keys that need escapes, floats, and integers at the
    /// edges of `u64` and `i64`.
    fn json() -> impl Strategy<Value = Value> {
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
                prop::collection::vec((key(), inner), 0..4)
                    .prop_map(|fields| Value::Object(fields.into_iter().collect())),
            ]
        })
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "type", "requests", "replica", "op", "dot", "actor", "seq", "replicas", "out", "x",
            ])
            .prop_map(String::from),
            "[a-z\"\\\\]{0,3}",
        ]
    }

    /// A request's text, fields in order (a key may come twice), spaced or not.
    fn text(fields: &[(String, Value)], spaced: bool) -> String {
        let gap = if spaced { " " } else { "" };
        let fields: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{gap}{v}", Value::String(k.clone())))
            .collect();
        format!("{{{gap}{}{gap}}}", fields.join(&format!(",{gap}")))
    }

    /// A sub-request as serde's tree reads it.
    fn by_serde(text: &str) -> Req {
        Req::from_value(&serde_json::from_str::<Value>(text).unwrap())
    }

    /// `req`'s fields in one order (a tree's object sorts them).
    fn sorted(mut req: Req) -> Req {
        req.fields.sort_by_key(|(i, _)| *i);
        req
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// What the hand reader accepts, it reads as serde does.
        #[test]
        fn what_is_read_by_hand_is_read_as_serde_reads_it(
            fields in prop::collection::vec((key(), json()), 0..6),
            kind in prop_oneof![Just(None), Just(Some(json!("local"))), Just(Some(json!("x"))), json().prop_map(Some)],
            spaced: bool,
        ) {
            let mut fields = fields;
            if let Some(kind) = kind {
                fields.insert(0, ("type".to_string(), kind));
            }
            let text = text(&fields, spaced);
            if let Some(req) = sub_request(&text) {
                prop_assert_eq!(sorted(req), sorted(by_serde(&text)), "{}", text);
            }
        }

        /// A value that is not an object is a request without fields, by hand as by serde.
        #[test]
        fn a_value_that_is_not_an_object_is_a_request_without_fields(value in json()) {
            let text = value.to_string();
            if let Some(req) = sub_request(&text) {
                prop_assert_eq!(sorted(req), sorted(by_serde(&text)), "{}", text);
            }
        }
    }

    /// The harness's requests are read by hand (else the reader would be for nothing), and
    /// the edges it leaves to serde are left.
    #[test]
    fn the_harness_requests_are_read_by_hand_and_the_rest_left_to_serde() {
        for text in [
            r#"{"type":"new","replica":0,"actor":0}"#,
            r#"{"type":"local","replica":0,"op":{"add":2},"dot":{"actor":0,"seq":1},"out":4}"#,
            r#"{"type":"merge","into":0,"from":1}"#,
            r#"{"type":"values","replicas":[0,1,2]}"#,
            r#"{"type":"drop","replicas":[],"messages":[3]}"#,
            r#"{"type":"local","replica":1,"op":{"insert":{"at":0,"text":"ab"}},"dot":{"actor":1,"seq":2}}"#,
            r#" { "type" : "equal" , "replica" : 0 , "other" : 1 } "#,
            r#"{"type":7,"replica":-9223372036854775808}"#,
            "[]",
            "{}",
        ] {
            let req = sub_request(text).unwrap_or_else(|| panic!("not read by hand: {text}"));
            assert_eq!(sorted(req), sorted(by_serde(text)), "{text}");
        }
        for text in [
            r#"{"typ\u0065":"value"}"#,
            r#"{"type":"value","replica":1.0}"#,
            r#"{"type":"value","replica":-0}"#,
            r#"{"type":"value","replica":1e2}"#,
            r#"{"type":"value","replica":18446744073709551616}"#,
            r#"{"type":"value","replica":-9223372036854775809}"#,
            r#"{"type":"batch","requests":[]}"#,
            r#"{"type":"local","op":{"insert":{"text":"\n"}}}"#,
        ] {
            assert_eq!(sub_request(text), None, "{text}");
        }
    }

    /// A batch line is read by hand only whole and only in the harness's form.
    #[test]
    fn a_batch_line_is_read_by_hand_whole_or_not_at_all() {
        let mut requests = Vec::new();
        let line = r#"{"type":"batch","requests":[{"type":"new","replica":0,"actor":0},{"type":"value","replica":0}]}"#;
        assert!(batch(line, &mut requests));
        assert_eq!(requests.len(), 2);
        assert_eq!(
            sorted(requests.remove(1)),
            sorted(by_serde(r#"{"type":"value","replica":0}"#))
        );
        for line in [
            r#" { "type" : "batch" , "requests" : [ ] } "#,
            r#"{"type":"batch","requests":[7,"x",[1]]}"#,
        ] {
            assert!(batch(line, &mut Vec::new()), "{line}");
        }
        for line in [
            r#"{"requests":[],"type":"batch"}"#,
            r#"{"type":"batch","requests":[],"extra":1}"#,
            r#"{"type":"batch","requests":[]} trailing"#,
            r#"{"type":"batch","requests":[{"type":"value","replica":0},]}"#,
            r#"{"type":"batch","requests":[{"type":"value","replica":0}"#,
            r#"{"type":"batch","requests":{}}"#,
            r#"{"type":"batch","requests":[{"type":"value","replica":0.5}]}"#,
            r#"{"type":"value","replica":0}"#,
        ] {
            assert!(!batch(line, &mut Vec::new()), "{line}");
        }
    }
}
