//! A batch line read by hand: `{"type":"batch","requests":[...]}` whose sub-requests have the
//! shapes the harness sends (objects of handles, small objects and arrays of integers, strings
//! without escapes), without serde's visitors nor a tree of the line. Anything else (another
//! field, an escape, a fraction, an exponent, a nested `requests`, a line that is not JSON) is
//! left to serde, so what this reader accepts it reads as serde's tree would.

use crdt_laws::{Dot, ReplicaId};

use super::super::scan::Scan;
use super::{FIELDS, Kind, Req};

/// Reads `line` into `requests` when it is a batch this reader reads whole; false (with
/// `requests` in any state) when it leaves the line to serde.
pub(super) fn batch(line: &str, requests: &mut Vec<Req>) -> bool {
    let mut scan = Scan::new(line);
    batch_of(&mut scan, requests).is_some() && scan.done()
}

/// Reads `text` as a batch's sub-request, or `None` when it holds what this reader leaves to
/// serde.
#[cfg(test)]
fn sub_request(text: &str) -> Option<Req> {
    let mut scan = Scan::new(text);
    let req = request(&mut scan)?;
    scan.done().then_some(req)
}

/// `{"type":"batch","requests":[...]}`, the sub-requests pushed on `requests`.
fn batch_of(scan: &mut Scan<'_>, requests: &mut Vec<Req>) -> Option<()> {
    scan.eat(b'{')?;
    (scan.string()? == "type").then_some(())?;
    scan.eat(b':')?;
    (scan.string()? == "batch").then_some(())?;
    scan.eat(b',')?;
    (scan.string()? == "requests").then_some(())?;
    scan.eat(b':')?;
    scan.items(b'[', b']', |scan| {
        requests.push(request(scan)?);
        Some(())
    })?;
    scan.eat(b'}')
}

/// A sub-request: an object's fields as [`Req`] keeps them (any other value is a request
/// without fields).
fn request(scan: &mut Scan<'_>) -> Option<Req> {
    scan.space();
    if scan.peek() != Some(b'{') {
        scan.value()?;
        return Some(Req::default());
    }
    let mut req = Req::default();
    scan.fields(|scan, key| {
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
            "dot" => {
                let at = scan.at;
                match dot(scan) {
                    Some(dot) => req.set_dot(dot),
                    None => {
                        scan.at = at;
                        let value = scan.value()?;
                        req.set("dot", || value);
                    }
                }
            }
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

/// A dot as the harness writes it, `{"actor":A,"seq":S}` (in either order, each once, `A`
/// fitting 32 bits), read without a tree; `None` for anything else.
fn dot(scan: &mut Scan<'_>) -> Option<Dot> {
    let (mut actor, mut seq) = (None, None);
    scan.fields(|scan, key| {
        let slot = match key {
            "actor" => &mut actor,
            "seq" => &mut seq,
            _ => return None,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(scan.unsigned()?);
        Some(())
    })?;
    Some(Dot::new(ReplicaId::new(u32::try_from(actor?).ok()?), seq?))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use serde_json::Value;

    use super::*;

    use super::super::super::scan::strategies::{json, text};

    /// A request's keys: the fields `serve` reads, others, and some that need escapes.
    fn key() -> impl Strategy<Value = String> {
        super::super::super::scan::strategies::key(&[
            "type", "requests", "replica", "op", "dot", "actor", "seq", "replicas", "out", "x",
        ])
    }

    /// A sub-request as serde's tree reads it.
    fn by_serde(text: &str) -> Req {
        Req::from_value(&serde_json::from_str::<Value>(text).unwrap())
    }

    /// `req`'s fields in one order (a tree's object sorts them), a dot read as such written
    /// back as the field it was.
    fn sorted(mut req: Req) -> Req {
        if let Some(dot) = req.dot.take() {
            let value = json!({"actor": dot.replica.0, "seq": dot.seq});
            req.set("dot", || value);
        }
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

        /// A dot read by hand (or not) is the dot its tree holds.
        #[test]
        fn a_dot_is_read_as_its_tree_holds_it(
            fields in prop::collection::vec(
                (
                    prop::sample::select(vec!["actor", "seq", "x"]).prop_map(String::from),
                    prop_oneof![
                        (0u64..4).prop_map(Value::from),
                        any::<u64>().prop_map(Value::from),
                        any::<i64>().prop_map(Value::from),
                        Just(json!(1.5)),
                        Just(json!("1")),
                    ],
                ),
                0..4,
            ),
            spaced: bool,
        ) {
            let dot = text(&fields, spaced);
            let request = format!(r#"{{"type":"local","replica":0,"dot":{dot}}}"#);
            if let Some(req) = sub_request(&request) {
                prop_assert_eq!(sorted(req), sorted(by_serde(&request)), "{}", request);
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
            r#"{"type":"local","dot":{"seq":1,"actor":4294967295}}"#,
            r#"{"type":"local","dot":{"seq":1,"actor":4294967296}}"#,
            r#"{"type":"local","dot":{"actor":0,"seq":1},"dot":{"actor":1}}"#,
            r#"{"type":"local","dot":{"actor":1},"dot":{"actor":0,"seq":1}}"#,
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
            r#"{"type":"local","dot":{"actor":1,"seq":2.5}}"#,
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
