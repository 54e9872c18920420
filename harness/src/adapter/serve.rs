//! [`serve`]: any model of `crdt-laws` as an adapter process, the protocol's reference
//! implementation.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, Write};

use crdt_laws::vocab::list::{ListOp, tag_char};
use crdt_laws::vocab::{CounterOp, MapOp, RegisterOp, SetOp};
use crdt_laws::{Dot, Model, ReplicaId};
use rustc_hash::FxHashMap;
use serde::de::{DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use smallvec::SmallVec;

mod scan;

use super::hello::{Capabilities, Hello};
use super::json::{op_parts, small};
use super::vocab::{Vocabulary, counter_op, set_op};
use crate::protocol::{Produced, Protocol};

/// An operation type read from the protocol's JSON (`{"add": 3}`, `{"increment": 2}`).
pub trait FromWire: Sized {
    /// The operation, or `None` when `op` is not one.
    fn from_wire(op: &Value) -> Option<Self>;
}

/// A value type written as the protocol's JSON (a set as an array, a counter as a number).
pub trait ToWire {
    /// The value as JSON.
    fn to_wire(&self) -> Value;
}

impl FromWire for CounterOp {
    fn from_wire(op: &Value) -> Option<Self> {
        counter_op(op)
    }
}

impl FromWire for SetOp<u8> {
    fn from_wire(op: &Value) -> Option<Self> {
        set_op(op)
    }
}

impl FromWire for RegisterOp<u8> {
    fn from_wire(op: &Value) -> Option<Self> {
        match op_parts(op)? {
            ("set", x) => Some(RegisterOp::Set(u8::try_from(small(x)?).ok()?)),
            _ => None,
        }
    }
}

/// A list or text insert carries the letter and its tag (`docs/protocol.md`, "list and text"):
/// the element is the letter; the served model's own element ids become the tags of its value.
impl FromWire for ListOp<char> {
    fn from_wire(op: &Value) -> Option<Self> {
        let at = |args: &Value| small(args.get("at")?);
        match op_parts(op)? {
            ("insert", args) => Some(ListOp::Insert {
                at: at(args)?,
                value: args.get("text")?.as_str()?.chars().next()?,
            }),
            ("delete", args) => Some(ListOp::Delete { at: at(args)? }),
            _ => None,
        }
    }
}

impl<Op: FromWire> FromWire for MapOp<u8, Op> {
    fn from_wire(op: &Value) -> Option<Self> {
        let ("update", args) = op_parts(op)? else {
            return None;
        };
        let key = args.get("key")?.as_str()?.strip_prefix('k')?.parse().ok()?;
        Some(MapOp::Update(key, Op::from_wire(args.get("op")?)?))
    }
}

macro_rules! number_to_wire {
    ($($t:ty),*) => {$(
        impl ToWire for $t {
            fn to_wire(&self) -> Value {
                i64::try_from(*self).map_or_else(|_| json!(self.to_string()), Value::from)
            }
        }
    )*};
}
number_to_wire!(u8, u32, u64, u128, i32, i64, i128);

impl ToWire for String {
    fn to_wire(&self) -> Value {
        Value::String(self.clone())
    }
}

impl<T: ToWire> ToWire for BTreeSet<T> {
    fn to_wire(&self) -> Value {
        Value::Array(self.iter().map(ToWire::to_wire).collect())
    }
}

impl<T: ToWire> ToWire for Vec<T> {
    fn to_wire(&self) -> Value {
        Value::Array(self.iter().map(ToWire::to_wire).collect())
    }
}

impl<T: ToWire> ToWire for Option<T> {
    fn to_wire(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToWire::to_wire)
    }
}

impl<V: ToWire> ToWire for BTreeMap<u8, V> {
    fn to_wire(&self) -> Value {
        Value::Object(
            self.iter()
                .map(|(k, v)| (format!("k{k}"), v.to_wire()))
                .collect(),
        )
    }
}

/// How a served model's states are written as snapshots and read back.
struct Codec<S> {
    save: fn(&S) -> Result<Value, String>,
    load: fn(Value) -> Result<S, String>,
}

fn save_json<S: Serialize>(state: &S) -> Result<Value, String> {
    serde_json::to_value(state).map_err(|e| format!("cannot serialize the state: {e}"))
}

fn load_json<S: DeserializeOwned>(snapshot: Value) -> Result<S, String> {
    serde_json::from_value(snapshot).map_err(|e| format!("not a snapshot of this adapter: {e}"))
}

/// The replicas and messages an adapter holds.
struct Server<'p, P: Protocol> {
    protocol: &'p P,
    hello: Hello,
    replicas: FxHashMap<u64, <P::Model as Model>::State>,
    payloads: FxHashMap<u64, P::Payload>,
    codec: Option<Codec<<P::Model as Model>::State>>,
    /// The requests of the last batch read by hand (kept for their room).
    scratch: Vec<Req>,
}

/// What a request answers, before it is written: most answer nothing but `ok`.
enum Reply {
    /// `{"ok":true}`.
    Done,
    /// `{"ok":true,"<field>":<value>}`.
    Field(&'static str, Value),
    /// An answer object as it is (the handshake's).
    Whole(Value),
    /// A batch's answer line, written.
    Batch(Vec<u8>),
}

impl Reply {
    /// Appends the reply's JSON text to `out` (serde_json's writer, not `core::fmt`: a batch
    /// writes hundreds of these).
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Reply::Done => out.extend_from_slice(br#"{"ok":true}"#),
            Reply::Field(field, value) => {
                out.extend_from_slice(br#"{"ok":true,""#);
                out.extend_from_slice(field.as_bytes());
                out.extend_from_slice(b"\":");
                write_json(out, value);
                out.push(b'}');
            }
            Reply::Whole(value) => write_json(out, value),
            Reply::Batch(text) => out.extend_from_slice(text),
        }
    }
}

/// Appends `value`'s JSON text to `out`.
fn write_json(out: &mut Vec<u8>, value: &Value) {
    serde_json::to_writer(out, value).expect("a JSON value is written to memory");
}

type Answer = Result<Reply, String>;

/// A request's fields that `serve` reads, each as JSON (a number is no allocation), read from
/// a line without a tree of the whole line: a batch of hundreds of requests is hundreds of
/// small structs, not a tree of maps. A line this does not read (a request that is not an
/// object, `requests` that is not an array of objects) is read as a tree and converted, so
/// the answers and errors are the same either way.
#[derive(Default, Debug, PartialEq)]
struct Req {
    /// `type`, when it is a string.
    kind: Option<Kind>,
    /// The fields of [`FIELDS`] given, by index (most requests have two or three).
    fields: SmallVec<[(u8, Value); 4]>,
    /// `requests`: `Some(None)` when it is not an array.
    requests: Option<Option<Vec<Req>>>,
    /// `dot`, when it was read as one by hand ([`scan`]): `fields` then holds no `dot`.
    dot: Option<Dot>,
}

/// The fields `serve` reads (besides `type` and `requests`).
const FIELDS: [&str; 12] = [
    "replica", "actor", "out", "message", "into", "from", "other", "op", "dot", "replicas",
    "messages", "snapshot",
];

/// The request types of the protocol: read without a copy.
const KINDS: [&str; 15] = [
    "hello", "new", "local", "deliver", "merge", "value", "values", "fork", "equal", "leq", "drop",
    "reset", "batch", "snapshot", "restore",
];

/// A request's type: one of [`KINDS`], or another string.
#[derive(Debug, PartialEq)]
enum Kind {
    Known(&'static str),
    Other(String),
}

impl Kind {
    fn of(name: &str) -> Kind {
        KINDS
            .iter()
            .find(|k| **k == name)
            .map_or_else(|| Kind::Other(name.to_string()), |k| Kind::Known(k))
    }
}

/// Only a string is a type (anything else fails, and the line is read as a tree).
impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = Kind;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a request type")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Kind, E> {
                Ok(Kind::of(name))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

impl Req {
    /// Sets field `name`, when `serve` reads it; false otherwise.
    fn set(&mut self, name: &str, value: impl FnOnce() -> Value) -> bool {
        let Some(i) = FIELDS.iter().position(|f| *f == name) else {
            return false;
        };
        self.set_at(i, value());
        true
    }

    /// Sets field `FIELDS[i]`.
    fn set_at(&mut self, i: usize, value: Value) {
        if FIELDS[i] == "dot" {
            self.dot = None;
        }
        match self.fields.iter_mut().find(|(j, _)| usize::from(*j) == i) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((i as u8, value)),
        }
    }

    /// Sets `dot`, read as one.
    fn set_dot(&mut self, dot: Dot) {
        self.fields
            .retain(|(i, _)| FIELDS[usize::from(*i)] != "dot");
        self.dot = Some(dot);
    }

    /// The `dot` of a `local`.
    fn dot(&self) -> Result<Dot, String> {
        if let Some(dot) = self.dot {
            return Ok(dot);
        }
        let dot = self.get("dot").ok_or("`local` needs a `dot`")?;
        Ok(Dot::new(
            ReplicaId::new(dot.get("actor").and_then(small).ok_or("bad `dot.actor`")?),
            dot.get("seq")
                .and_then(Value::as_u64)
                .ok_or("bad `dot.seq`")?,
        ))
    }

    /// Field `name`, when given.
    fn get(&self, name: &str) -> Option<&Value> {
        let i = FIELDS.iter().position(|f| *f == name)?;
        self.fields
            .iter()
            .find(|(j, _)| usize::from(*j) == i)
            .map(|(_, v)| v)
    }

    /// The request's type, when it is a string.
    fn kind(&self) -> Option<&str> {
        match self.kind.as_ref()? {
            Kind::Known(name) => Some(name),
            Kind::Other(name) => Some(name),
        }
    }

    /// A request from its tree (any JSON value: what is not an object has no fields).
    fn from_value(request: &Value) -> Req {
        let mut req = Req::default();
        let Some(fields) = request.as_object() else {
            return req;
        };
        for (name, value) in fields {
            if name == "requests" {
                req.requests = Some(
                    value
                        .as_array()
                        .map(|a| a.iter().map(Req::from_value).collect()),
                );
            } else if name == "type" {
                req.kind = value.as_str().map(Kind::of);
            } else {
                req.set(name, || value.clone());
            }
        }
        req
    }
}

/// Reads an object's fields (only an object: anything else is an error, and the line is read
/// as a tree).
impl<'de> Deserialize<'de> for Req {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Req;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a request object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Req, A::Error> {
                let mut req = Req::default();
                while let Some(name) = map.next_key::<FieldName<'de>>()? {
                    match name.0.as_ref() {
                        "requests" => req.requests = Some(Some(map.next_value()?)),
                        "type" => req.kind = Some(map.next_value()?),
                        name if FIELDS.contains(&name) => {
                            let value = map.next_value()?;
                            req.set(name, || value);
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(req)
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// A field's name, borrowed from the line when it has no escapes.
struct FieldName<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for FieldName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl<'de> Visitor<'de> for Name {
            type Value = FieldName<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                name: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(FieldName(std::borrow::Cow::Borrowed(name)))
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<Self::Value, E> {
                Ok(FieldName(std::borrow::Cow::Owned(name.to_string())))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

fn handle_of(request: &Req, field: &str) -> Result<u64, String> {
    request
        .get(field)
        .and_then(Value::as_u64)
        .ok_or_else(|| format!("`{field}` must be a handle (a non-negative integer)"))
}

/// A batch's answer, built as its sub-requests are answered.
struct Batch {
    /// The results' texts so far, comma-separated.
    results: Vec<u8>,
    /// Sub-requests answered so far.
    answered: usize,
    /// The first failure: its index and error. Nothing after it is run.
    failed: Option<(usize, String)>,
}

impl Batch {
    fn with_capacity(requests: usize) -> Batch {
        Batch {
            results: Vec::with_capacity(16 * requests),
            answered: 0,
            failed: None,
        }
    }

    /// Answers sub-request `r`; false when it failed (nothing after it is to be run).
    fn answer<P: Protocol>(&mut self, server: &mut Server<'_, P>, r: &Req) -> bool
    where
        <P::Model as Model>::Op: FromWire,
        <P::Model as Model>::Value: ToWire,
    {
        let kind = r.kind();
        let answer = if matches!(kind, Some("hello" | "batch")) {
            Err(format!(
                "`{}` is not allowed in a batch",
                kind.unwrap_or_default()
            ))
        } else {
            server.answer(r)
        };
        match answer {
            Ok(a) => {
                if self.answered > 0 {
                    self.results.push(b',');
                }
                a.write(&mut self.results);
                self.answered += 1;
                true
            }
            Err(error) => {
                self.failed = Some((self.answered, error));
                false
            }
        }
    }

    /// The batch's answer line.
    fn reply(self) -> Reply {
        let mut line = Vec::with_capacity(self.results.len() + 64);
        match self.failed {
            None => line.extend_from_slice(br#"{"ok":true,"results":["#),
            Some((index, error)) => {
                line.extend_from_slice(br#"{"ok":false,"error":"#);
                write_json(&mut line, &Value::String(error));
                line.extend_from_slice(br#","index":"#);
                line.extend_from_slice(itoa::Buffer::new().format(index).as_bytes());
                line.extend_from_slice(br#","results":["#);
            }
        }
        line.extend_from_slice(&self.results);
        line.extend_from_slice(b"]}");
        Reply::Batch(line)
    }
}

impl<P: Protocol> Server<'_, P>
where
    <P::Model as Model>::Op: FromWire,
    <P::Model as Model>::Value: ToWire,
{
    fn state(
        &mut self,
        request: &Req,
        field: &str,
    ) -> Result<&mut <P::Model as Model>::State, String> {
        let h = handle_of(request, field)?;
        self.replicas
            .get_mut(&h)
            .ok_or_else(|| format!("unknown replica {h}"))
    }

    /// The payload that handle `h` stands for: a payload (a delta, a message), or a replica's
    /// whole state.
    fn payload(&self, h: u64) -> Result<P::Payload, String> {
        if let Some(p) = self.payloads.get(&h) {
            return Ok(p.clone());
        }
        let state = self
            .replicas
            .get(&h)
            .ok_or_else(|| format!("unknown replica {h}"))?;
        self.protocol
            .state_payload(state)
            .ok_or_else(|| format!("{h} is a replica, not a message"))
    }

    /// A replica's value on the wire: a list's or text's elements followed by the tags of the
    /// model's own element ids, as an adapter shows them.
    fn wire_value(&self, state: &<P::Model as Model>::State) -> Value {
        let model = self.protocol.model();
        let value = model.value(state).to_wire();
        let Vocabulary::List { text, .. } = self.hello.vocabulary else {
            return value;
        };
        let Some(ids) = model.element_ids(state) else {
            return value;
        };
        let letters: Vec<String> = match &value {
            Value::String(s) => s.chars().map(String::from).collect(),
            Value::Array(items) => {
                match items.iter().map(|i| i.as_str().map(String::from)).collect() {
                    Some(letters) => letters,
                    None => return value,
                }
            }
            _ => return value,
        };
        if letters.len() != ids.len() {
            // Not one letter per element: shown as it is, for the harness to judge.
            return value;
        }
        let tagged = letters
            .into_iter()
            .zip(ids)
            .map(|(letter, id)| format!("{letter}{}", tag_char(id)));
        if text {
            Value::String(tagged.collect())
        } else {
            Value::Array(tagged.map(Value::String).collect())
        }
    }

    /// Answers a request line: a batch of the harness's usual requests read by hand
    /// ([`scan`]); else without a tree when it is an object whose `requests`, if any, are
    /// objects; else as a tree. The three read a line alike, and a batch runs only once it is
    /// read whole.
    fn respond(&mut self, line: &str) -> Answer {
        let mut requests = std::mem::take(&mut self.scratch);
        let answer = scan::batch(line, &mut requests).then(|| self.batch(&requests));
        requests.clear();
        self.scratch = requests;
        if let Some(answer) = answer {
            return Ok(answer);
        }
        let request = if line.trim_start().starts_with('{')
            && let Ok(request) = serde_json::from_str::<Req>(line)
        {
            Ok(request)
        } else {
            serde_json::from_str::<Value>(line).map(|v| Req::from_value(&v))
        };
        match request {
            Ok(request) => self.answer(&request),
            Err(e) => Err(format!("not JSON: {e}")),
        }
    }

    /// Runs a batch's sub-requests in order, up to the first that fails.
    fn batch(&mut self, requests: &[Req]) -> Reply {
        let mut batch = Batch::with_capacity(requests.len());
        for r in requests {
            if !batch.answer(self, r) {
                break;
            }
        }
        batch.reply()
    }

    fn answer(&mut self, request: &Req) -> Answer {
        let model = self.protocol.model();
        let kind = request.kind().ok_or("a request needs a `type`")?;
        match kind {
            "hello" => Ok(Reply::Whole(self.hello.to_json())),
            "new" => {
                let h = handle_of(request, "replica")?;
                let actor = actor_of(request)?;
                self.replicas.insert(h, model.new_replica(actor));
                Ok(Reply::Done)
            }
            "local" => {
                let op = request
                    .get("op")
                    .and_then(<P::Model as Model>::Op::from_wire)
                    .ok_or_else(|| {
                        let op = request.get("op").unwrap_or(&Value::Null);
                        format!("not an operation of this vocabulary: {op}")
                    })?;
                let dot = request.dot()?;
                let out = request
                    .get("out")
                    .or_else(|| request.get("message"))
                    .and_then(Value::as_u64);
                let protocol = self.protocol;
                let state = self.state(request, "replica")?;
                match protocol.update(state, dot, &op) {
                    Produced::Nothing => {}
                    Produced::Delta(p) | Produced::Broadcast(p) => {
                        let out = out.ok_or("`local` needs `out` (delta) or `message` (op)")?;
                        self.payloads.insert(out, p);
                    }
                }
                Ok(Reply::Done)
            }
            "deliver" | "merge" => {
                let (into, from) = if kind == "deliver" {
                    ("replica", "message")
                } else {
                    ("into", "from")
                };
                let from = handle_of(request, from)?;
                let payload = self.payload(from)?;
                let into = handle_of(request, into)?;
                let protocol = self.protocol;
                if let Some(state) = self.replicas.get_mut(&into) {
                    protocol.receive(state, &payload);
                } else if let Some(joined) = self.payloads.get_mut(&into) {
                    protocol.join(joined, &payload);
                } else {
                    return Err(format!("unknown replica {into}"));
                }
                Ok(Reply::Done)
            }
            "value" => {
                let h = handle_of(request, "replica")?;
                let state = self
                    .replicas
                    .get(&h)
                    .ok_or_else(|| format!("unknown replica {h}"))?;
                Ok(Reply::Field("value", self.wire_value(state)))
            }
            "values" => {
                let handles = request
                    .get("replicas")
                    .and_then(Value::as_array)
                    .ok_or("`replicas` must be an array")?;
                let values = handles
                    .iter()
                    .map(|h| {
                        let h = h.as_u64().ok_or("a handle is a non-negative integer")?;
                        let state = self
                            .replicas
                            .get(&h)
                            .ok_or_else(|| format!("unknown replica {h}"))?;
                        Ok(self.wire_value(state))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(Reply::Field("values", Value::Array(values)))
            }
            "fork" => {
                let (h, out) = (handle_of(request, "replica")?, handle_of(request, "out")?);
                if let Some(state) = self.replicas.get(&h) {
                    let copy = model.fork(state);
                    self.replicas.insert(out, copy);
                } else if let Some(p) = self.payloads.get(&h) {
                    let copy = p.clone();
                    self.payloads.insert(out, copy);
                } else {
                    return Err(format!("unknown replica {h}"));
                }
                Ok(Reply::Done)
            }
            "equal" | "leq" => {
                let other = handle_of(request, "other")?;
                let b = self
                    .replicas
                    .get(&other)
                    .ok_or_else(|| format!("unknown replica {other}"))?;
                let h = handle_of(request, "replica")?;
                let a = self
                    .replicas
                    .get(&h)
                    .ok_or_else(|| format!("unknown replica {h}"))?;
                if kind == "leq" {
                    let leq = self
                        .protocol
                        .leq(a, b)
                        .ok_or("this model has no state order")?;
                    return Ok(Reply::Field("leq", Value::Bool(leq)));
                }
                let equal = model
                    .state_eq(a, b)
                    .ok_or("this model cannot compare states")?;
                Ok(Reply::Field("equal", Value::Bool(equal)))
            }
            "drop" => {
                for field in ["replicas", "messages"] {
                    for h in request
                        .get(field)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(h) = h.as_u64() {
                            self.replicas.remove(&h);
                            self.payloads.remove(&h);
                        }
                    }
                }
                Ok(Reply::Done)
            }
            "reset" => {
                self.replicas.clear();
                self.payloads.clear();
                Ok(Reply::Done)
            }
            "batch" => {
                let requests = request
                    .requests
                    .as_ref()
                    .and_then(Option::as_ref)
                    .ok_or("`requests` must be an array")?;
                Ok(self.batch(requests))
            }
            "snapshot" => {
                let codec = self
                    .codec
                    .as_ref()
                    .ok_or("`snapshot` is not offered by this adapter")?;
                let save = codec.save;
                let state = self.state(request, "replica")?;
                Ok(Reply::Field("snapshot", save(state)?))
            }
            "restore" => {
                let codec = self
                    .codec
                    .as_ref()
                    .ok_or("`restore` is not offered by this adapter")?;
                let load = codec.load;
                let out = handle_of(request, "out")?;
                actor_of(request)?;
                let snapshot = request
                    .get("snapshot")
                    .cloned()
                    .ok_or("`restore` needs a `snapshot`")?;
                self.replicas.insert(out, load(snapshot)?);
                Ok(Reply::Done)
            }
            other => Err(format!("unknown request type {other:?}")),
        }
    }
}

fn actor_of(request: &Req) -> Result<ReplicaId, String> {
    request
        .get("actor")
        .and_then(small)
        .map(ReplicaId::new)
        .ok_or_else(|| "`actor` must be a small non-negative integer".to_string())
}

/// Serves `protocol`'s model over the adapter protocol on `input` and `output` until `input`
/// ends: the model's handshake names it, its flavour, `vocabulary`, the delivery it declares,
/// `fork`, and `equal` when it compares states (no `snapshot`: [`serve_snapshots_on`] offers it).
/// A list or text model's value goes out with the tags of its own element ids.
///
/// ```
/// use crdt_harness::adapter::{Vocabulary, serve_on};
/// use crdt_harness::protocol::StateProtocol;
/// use crdt_impls::models::OrSetModel;
///
/// let vocabulary = Vocabulary::parse(&serde_json::json!({"kind": "set", "wins": "add"})).unwrap();
/// let input = concat!(
///     r#"{"type":"hello","protocol":1}"#, "\n",
///     r#"{"type":"new","replica":0,"actor":0}"#, "\n",
///     r#"{"type":"local","replica":0,"op":{"add":2},"dot":{"actor":0,"seq":1}}"#, "\n",
///     r#"{"type":"value","replica":0}"#, "\n",
/// );
/// let mut output = Vec::new();
/// serve_on(&StateProtocol(&OrSetModel::default()), &vocabulary, input.as_bytes(), &mut output).unwrap();
/// let last = String::from_utf8(output).unwrap().lines().last().unwrap().to_string();
/// assert_eq!(last, r#"{"ok":true,"value":[2]}"#);
/// ```
///
/// # Errors
/// Reading or writing failed.
pub fn serve_on<P: Protocol>(
    protocol: &P,
    vocabulary: &Vocabulary,
    input: impl BufRead,
    output: impl Write,
) -> io::Result<()>
where
    <P::Model as Model>::Op: FromWire,
    <P::Model as Model>::Value: ToWire,
{
    serve_with(protocol, vocabulary, input, output, None)
}

/// [`serve_on`] with the capability `snapshot`: a snapshot is the state as serde JSON, so the
/// harness checks the round trip and restarts crashed replicas from their snapshots.
///
/// ```
/// use crdt_harness::adapter::{Vocabulary, serve_snapshots_on};
/// use crdt_harness::protocol::StateProtocol;
/// use crdt_impls::fugue::FugueListModel;
///
/// let vocabulary = Vocabulary::parse(&serde_json::json!({"kind": "text", "spec": "fugue"})).unwrap();
/// let input = concat!(
///     r#"{"type":"hello","protocol":1}"#, "\n",
///     r#"{"type":"new","replica":0,"actor":0}"#, "\n",
///     r#"{"type":"local","replica":0,"op":{"insert":{"at":0,"text":"a"}},"dot":{"actor":0,"seq":1}}"#, "\n",
///     r#"{"type":"snapshot","replica":0}"#, "\n",
/// );
/// let mut output = Vec::new();
/// serve_snapshots_on(&StateProtocol(&FugueListModel::default()), &vocabulary, input.as_bytes(), &mut output).unwrap();
/// let text = String::from_utf8(output).unwrap();
/// assert!(text.lines().next().unwrap().contains(r#""snapshot":true"#));
/// assert!(text.lines().last().unwrap().starts_with(r#"{"ok":true,"snapshot":"#));
/// ```
///
/// # Errors
/// Reading or writing failed.
pub fn serve_snapshots_on<P: Protocol>(
    protocol: &P,
    vocabulary: &Vocabulary,
    input: impl BufRead,
    output: impl Write,
) -> io::Result<()>
where
    <P::Model as Model>::Op: FromWire,
    <P::Model as Model>::Value: ToWire,
    <P::Model as Model>::State: Serialize + DeserializeOwned,
{
    let codec = Codec {
        save: save_json,
        load: load_json,
    };
    serve_with(protocol, vocabulary, input, output, Some(codec))
}

fn serve_with<P: Protocol>(
    protocol: &P,
    vocabulary: &Vocabulary,
    mut input: impl BufRead,
    mut output: impl Write,
    codec: Option<Codec<<P::Model as Model>::State>>,
) -> io::Result<()>
where
    <P::Model as Model>::Op: FromWire,
    <P::Model as Model>::Value: ToWire,
{
    let model = protocol.model();
    let probe = model.new_replica(ReplicaId::new(0));
    let hello = Hello {
        name: model.name(),
        flavour: protocol.flavour(),
        vocabulary: vocabulary.clone(),
        delivery: protocol.delivery(),
        capabilities: Capabilities {
            fork: true,
            snapshot: codec.is_some(),
            equal: model.state_eq(&probe, &probe).is_some(),
            leq: protocol.leq(&probe, &probe).is_some(),
            // Lines are read one after another, each answered before the next is read.
            pipeline: true,
        },
        sync: None,
    };
    let mut server = Server {
        protocol,
        hello,
        replicas: FxHashMap::default(),
        payloads: FxHashMap::default(),
        codec,
        scratch: Vec::new(),
    };
    let mut line_out = Vec::new();
    // One buffer for every line read (a batch's line is long: no regrowing it per batch).
    let mut buffer = String::new();
    loop {
        buffer.clear();
        if input.read_line(&mut buffer)? == 0 {
            break;
        }
        // As `lines()` cuts them: without `\n` or `\r\n`.
        let line = buffer.strip_suffix('\n').unwrap_or(&buffer);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let answer = server.respond(line);
        let answer =
            answer.unwrap_or_else(|error| Reply::Whole(json!({"ok": false, "error": error})));
        line_out.clear();
        answer.write(&mut line_out);
        line_out.push(b'\n');
        output.write_all(&line_out)?;
        output.flush()?;
    }
    Ok(())
}

/// Serves `protocol`'s model on stdin and stdout: the `main` of a Rust adapter.
///
/// ```no_run
/// use crdt_harness::adapter::{Vocabulary, serve};
/// use crdt_harness::protocol::StateProtocol;
/// use crdt_impls::models::OrSetModel;
///
/// fn main() -> std::io::Result<()> {
///     let vocabulary = Vocabulary::parse(&serde_json::json!({"kind": "set", "wins": "add"})).unwrap();
///     serve(&StateProtocol(&OrSetModel::default()), &vocabulary)
/// }
/// ```
///
/// # Errors
/// Reading stdin or writing stdout failed.
pub fn serve<P: Protocol>(protocol: &P, vocabulary: &Vocabulary) -> io::Result<()>
where
    <P::Model as Model>::Op: FromWire,
    <P::Model as Model>::Value: ToWire,
{
    let stdin = io::stdin().lock();
    let stdout = io::BufWriter::new(io::stdout().lock());
    serve_on(protocol, vocabulary, stdin, stdout)
}

/// [`serve`] with the capability `snapshot` ([`serve_snapshots_on`]): the `main` of a Rust
/// adapter whose states serialize.
///
/// # Errors
/// Reading stdin or writing stdout failed.
pub fn serve_snapshots<P: Protocol>(protocol: &P, vocabulary: &Vocabulary) -> io::Result<()>
where
    <P::Model as Model>::Op: FromWire,
    <P::Model as Model>::Value: ToWire,
    <P::Model as Model>::State: Serialize + DeserializeOwned,
{
    let stdin = io::stdin().lock();
    let stdout = io::BufWriter::new(io::stdout().lock());
    serve_snapshots_on(protocol, vocabulary, stdin, stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::StateProtocol;
    use crdt_impls::models::OrSetModel;

    /// Answers `lines` with a fresh server, reading each line as a tree or (`tree` false) as
    /// `serve` does.
    fn answers(lines: &[&str], tree: bool) -> Vec<String> {
        let model = OrSetModel::default();
        let protocol = StateProtocol(&model);
        let vocabulary = Vocabulary::parse(&json!({"kind": "set", "wins": "add"})).unwrap();
        let probe = model.new_replica(ReplicaId::new(0));
        let mut server = Server {
            protocol: &protocol,
            hello: Hello {
                name: model.name(),
                flavour: protocol.flavour(),
                vocabulary,
                delivery: protocol.delivery(),
                capabilities: Capabilities {
                    fork: true,
                    snapshot: false,
                    equal: model.state_eq(&probe, &probe).is_some(),
                    leq: protocol.leq(&probe, &probe).is_some(),
                    pipeline: true,
                },
                sync: None,
            },
            replicas: FxHashMap::default(),
            payloads: FxHashMap::default(),
            codec: None,
            scratch: Vec::new(),
        };
        lines
            .iter()
            .map(|line| {
                let reply = if tree {
                    match serde_json::from_str::<Value>(line) {
                        Ok(v) => server.answer(&Req::from_value(&v)),
                        Err(e) => Err(format!("not JSON: {e}")),
                    }
                } else {
                    server.respond(line)
                };
                let reply = reply
                    .unwrap_or_else(|error| Reply::Whole(json!({"ok": false, "error": error})));
                let mut out = Vec::new();
                reply.write(&mut out);
                String::from_utf8(out).expect("answers are UTF-8")
            })
            .collect()
    }

    #[test]
    fn requests_read_without_a_tree_are_answered_as_the_tree_is() {
        let lines = [
            r#"{"type":"hello","protocol":1}"#,
            r#"{"type":"batch","requests":[{"type":"new","replica":0,"actor":0},{"type":"local","replica":0,"op":{"add":2},"dot":{"actor":0,"seq":1}},{"type":"fork","replica":0,"out":1},{"type":"value","replica":1},{"type":"equal","replica":0,"other":1}]}"#,
            // Escaped keys, unknown fields, a key given twice (the last counts).
            r#"{"typ\u0065":"value","replica":5,"replica":0,"extra":[1,{"a":2}]}"#,
            r#"{"type":"batch","requests":[{"type":"merge","into":0,"from":1},7,[1]]}"#,
            r#"{"type":"batch","requests":{"type":"value"}}"#,
            r#"{"type":"batch","requests":[{"type":"batch","requests":[]}]}"#,
            r#"{"type":"local","replica":0,"op":{"nope":1},"dot":{"actor":0,"seq":2}}"#,
            r#"{"type":"value","replica":-1}"#,
            r#"{"type":"value","replica":1.0}"#,
            r#"[{"type":"value","replica":0}]"#,
            r#"{"type":"value","replica":0} trailing"#,
            r#"{"type":7}"#,
            r#"{"type":"drop","replicas":[1,"x"],"messages":3}"#,
            r#"{"type":"values","replicas":[0,1]}"#,
            // Batches answered as they are read: odd sub-requests, a failure in the middle
            // (what follows it is not run: replica 5 is not created), `requests` first.
            r#"{"type":"batch","requests":[{"type":7},{"type":"value","replica":0}]}"#,
            r#"{"type":"batch","requests":[{"type":"value","replica":0},{"type":{"a":[1]}}]}"#,
            r#"{"type":"batch","requests":[{"type":"value","replica":0},"x",null,true,1.5,-2]}"#,
            r#"{"type":"batch","requests":[{"type":"value","replica":99},{"type":"new","replica":5,"actor":0}]}"#,
            r#"{"type":"value","replica":5}"#,
            r#"{"requests":[{"type":"value","replica":0}],"type":"batch"}"#,
            r#"{"type":"batch","requests":3}"#,
            r#"{"type":"batch","requests":"x"}"#,
            r#"{"type":"batch","requests":null}"#,
            r#"{"type":"batch","requests":[]}"#,
            r#"{"type":"batch","requests":[{"typ\u0065":"value","replica":0,"requests":[1]}]}"#,
            r#"{"type":"batch","requests":[{"type":"new","replica":6,"actor":1},{"type":"local","replica":6,"op":{"add":1},"dot":{"actor":1,"seq":1}},{"type":"merge","into":0,"from":6},{"type":"values","replicas":[0,6]},{"type":"drop","replicas":[6]}]}"#,
        ];
        let tree = answers(&lines, true);
        assert_eq!(answers(&lines, false), tree);
        assert!(
            tree[1].starts_with(r#"{"ok":true,"results":[{"ok":true}"#),
            "{}",
            tree[1]
        );
        assert!(tree[3].contains(r#""index":1"#), "{}", tree[3]);
        assert!(tree[17].contains(r#""index":0"#), "{}", tree[17]);
        assert!(tree[18].contains("unknown replica 5"), "{}", tree[18]);
        assert!(
            tree[25].starts_with(r#"{"ok":true,"results":[{"ok":true"#),
            "{}",
            tree[25]
        );
        assert!(tree[21].contains("must be an array"), "{}", tree[21]);
    }

    /// A batch line that is broken (or that the hand reader leaves to serde) runs nothing
    /// unless it is read whole, whichever reader reads it.
    #[test]
    fn a_broken_batch_line_runs_nothing() {
        let lines = [
            r#"{"type":"batch","requests":[{"type":"new","replica":7,"actor":0},{"type":"#,
            r#"{"type":"value","replica":7}"#,
            r#"{"type":"batch","requests":[{"type":"new","replica":7,"actor":0}]} trailing"#,
            r#"{"type":"value","replica":7}"#,
            r#"{"type":"batch","requests":[{"type":"new","replica":7,"actor":0}],"requests":[]}"#,
            r#"{"type":"value","replica":7}"#,
        ];
        let read = answers(&lines, false);
        assert_eq!(read, answers(&lines, true));
        assert!(read[0].contains("not JSON"), "{}", read[0]);
        assert!(read[1].contains("unknown replica 7"), "{}", read[1]);
        assert!(
            read[2].contains("not JSON: trailing characters"),
            "{}",
            read[2]
        );
        assert!(read[3].contains("unknown replica 7"), "{}", read[3]);
        assert_eq!(read[4], r#"{"ok":true,"results":[]}"#);
        assert!(read[5].contains("unknown replica 7"), "{}", read[5]);
    }
}
