//! The vocabularies an adapter declares: which operations the harness generates, how it reads
//! values, and which specification and oracles apply (`docs/protocol.md`, "Vocabularies").

use crdt_laws::proptest::prelude::*;
use crdt_laws::vocab::list::{self, ListOp, TaggedText};
use crdt_laws::vocab::map::{self, MapOp};
use crdt_laws::vocab::set::{self, SetOp, Tie};
use crdt_laws::vocab::{CounterOp, RegisterOp, counter, register};
use crdt_laws::{Dot, History, NonInterleaving};
use serde_json::{Map, Value, json};

use super::json::{Json, op_parts, small, sorted};

/// Which specification a set declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetWins {
    /// Add-wins (observed-remove).
    Add,
    /// Remove-wins.
    Remove,
    /// Grow-only: only adds are generated.
    Grow,
    /// Last-writer-wins by Lamport time; equal times decided as given.
    LastWriter(Tie),
}

/// Which specification a register declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegisterSemantics {
    /// Last writer wins.
    Lww,
    /// Multi-value.
    Mv,
    /// Convergent, any winner: a register that shows one value and picks among concurrent
    /// writes some deterministic winner the harness cannot predict. Its specification is exact
    /// only where no writes are concurrent (the one write no other overwrote, or `null`
    /// before any write); among concurrent writes any one may show, and convergence (every
    /// replica that saw the same writes shows the same) is what is checked.
    Any,
}

/// Which specification a list or text declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListSpec {
    /// The strong list specification: the harness's sequence oracles (one order at every
    /// replica, runs kept together, the declared non-interleaving); no exact value.
    Strong,
    /// The exact list of the Fugue tree.
    Fugue,
    /// The exact list of the FugueMax tree.
    FugueMax,
}

/// A generator of custom operations' arguments (`docs/protocol.md`, "custom").
#[derive(Clone, Debug, PartialEq)]
pub enum Generator {
    /// A fixed JSON value.
    Const(Value),
    /// An integer in `lo..=hi`.
    Int(i64, i64),
    /// `true` or `false`.
    Bool,
    /// One of the values.
    OneOf(Vec<Value>),
    /// A string of up to `max_len` characters from `chars`.
    Str(Vec<char>, usize),
    /// An array of up to `max_len` values.
    Array(Box<Generator>, usize),
    /// An object with every field from its generator.
    Object(Vec<(String, Generator)>),
}

/// One custom operation.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomOp {
    /// The operation's key.
    pub name: String,
    /// Its relative frequency.
    pub weight: u32,
    /// Its argument, `None` for `null`.
    pub args: Option<Generator>,
}

/// The vocabulary of an adapter.
///
/// ```
/// use crdt_harness::adapter::Vocabulary;
/// let v = Vocabulary::parse(&serde_json::json!({"kind": "set", "wins": "add"})).unwrap();
/// assert_eq!(v.to_json()["wins"], "add");
/// assert!(Vocabulary::parse(&serde_json::json!({"kind": "set"})).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Vocabulary {
    /// A counter.
    Counter {
        /// Whether decrements are generated (and subtracted by the specification).
        decrements: bool,
        /// Amounts are `0..=max`.
        max: u32,
    },
    /// A set of the integers `0..domain`.
    Set {
        /// The specification.
        wins: SetWins,
        /// Elements are `0..domain`.
        domain: u8,
        /// Adds generated for each remove.
        add_weight: u32,
    },
    /// A register of the integers `0..domain`.
    Register {
        /// The specification.
        semantics: RegisterSemantics,
        /// Values are `0..domain`.
        domain: u8,
    },
    /// A map from `"k0"`, `"k1"`, ... to CRDTs of another vocabulary.
    Map {
        /// The values' vocabulary.
        values: Box<Vocabulary>,
        /// How many keys.
        keys: u8,
    },
    /// A list (`text == false`) or a text of tagged letters.
    List {
        /// A text rather than a list of items.
        text: bool,
        /// The non-interleaving promised.
        interleaving: NonInterleaving,
        /// The specification.
        spec: ListSpec,
        /// How many distinct letters.
        letters: u8,
    },
    /// Operations the adapter describes; no specification.
    Custom(Vec<CustomOp>),
}

fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).filter(|v| !v.is_null())
}

fn int_field(
    object: &Map<String, Value>,
    name: &str,
    default: u32,
    max: u32,
) -> Result<u32, String> {
    match field(object, name) {
        None => Ok(default),
        Some(v) => small(v)
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| format!("`{name}` must be an integer in 1..={max}, not {v}")),
    }
}

fn str_field<'a>(object: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, String> {
    match field(object, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(format!("`{name}` must be a string, not {v}")),
    }
}

impl Vocabulary {
    /// Reads the `vocabulary` of a handshake.
    ///
    /// # Errors
    /// A one-line reason: an unknown kind, a missing or ill-typed field.
    pub fn parse(value: &Value) -> Result<Self, String> {
        let object = value
            .as_object()
            .ok_or_else(|| format!("the vocabulary must be an object, not {value}"))?;
        let kind = str_field(object, "kind")?.ok_or("the vocabulary has no `kind`")?;
        match kind {
            "counter" => Ok(Vocabulary::Counter {
                decrements: match field(object, "decrements") {
                    None => true,
                    Some(Value::Bool(b)) => *b,
                    Some(v) => return Err(format!("`decrements` must be a boolean, not {v}")),
                },
                max: int_field(object, "max", 5, 1_000_000)?,
            }),
            "set" => {
                let wins = match str_field(object, "wins")? {
                    Some("add") => SetWins::Add,
                    Some("remove") => SetWins::Remove,
                    Some("grow") => SetWins::Grow,
                    Some("lww-add") => SetWins::LastWriter(Tie::AddWins),
                    Some("lww-remove") => SetWins::LastWriter(Tie::RemoveWins),
                    Some(other) => {
                        return Err(format!(
                            "unknown set `wins` {other:?} (add, remove, grow, lww-add, lww-remove)"
                        ));
                    }
                    None => return Err("a set must say which wins: `wins` (add, remove, grow, lww-add, lww-remove)".into()),
                };
                Ok(Vocabulary::Set {
                    wins,
                    domain: int_field(object, "domain", 4, 255)? as u8,
                    add_weight: int_field(object, "add_weight", 2, 100)?,
                })
            }
            "register" => Ok(Vocabulary::Register {
                semantics: match str_field(object, "semantics")? {
                    Some("lww") => RegisterSemantics::Lww,
                    Some("mv") => RegisterSemantics::Mv,
                    Some("any") => RegisterSemantics::Any,
                    Some(other) => {
                        return Err(format!(
                            "unknown register `semantics` {other:?} (lww, mv, any)"
                        ));
                    }
                    None => {
                        return Err("a register must give its `semantics` (lww, mv, any)".into());
                    }
                },
                domain: int_field(object, "domain", 4, 255)? as u8,
            }),
            "map" => {
                let values = field(object, "values")
                    .ok_or("a map must give the vocabulary of its `values`")?;
                let values = Vocabulary::parse(values)?;
                if !matches!(
                    values,
                    Vocabulary::Counter { .. }
                        | Vocabulary::Set { .. }
                        | Vocabulary::Register { .. }
                ) {
                    return Err("a map's `values` must be a counter, a set or a register".into());
                }
                Ok(Vocabulary::Map {
                    values: Box::new(values),
                    keys: int_field(object, "keys", 3, 100)? as u8,
                })
            }
            "list" | "text" => Ok(Vocabulary::List {
                text: kind == "text",
                interleaving: match str_field(object, "interleaving")? {
                    None | Some("none") => NonInterleaving::None,
                    Some("forward") => NonInterleaving::Forward,
                    Some("backward") => NonInterleaving::Backward,
                    Some("maximal") => NonInterleaving::Maximal,
                    Some(other) => {
                        return Err(format!(
                            "unknown `interleaving` {other:?} (none, forward, backward, maximal)"
                        ));
                    }
                },
                spec: match str_field(object, "spec")? {
                    None | Some("strong") => ListSpec::Strong,
                    Some("fugue") => ListSpec::Fugue,
                    Some("fugue-max") => ListSpec::FugueMax,
                    Some(other) => {
                        return Err(format!(
                            "unknown list `spec` {other:?} (strong, fugue, fugue-max)"
                        ));
                    }
                },
                letters: int_field(object, "letters", 4, 26)? as u8,
            }),
            "custom" => {
                let ops = field(object, "ops")
                    .and_then(Value::as_array)
                    .filter(|ops| !ops.is_empty())
                    .ok_or("a custom vocabulary must list its `ops` (a non-empty array)")?;
                ops.iter()
                    .map(parse_custom_op)
                    .collect::<Result<_, _>>()
                    .map(Vocabulary::Custom)
            }
            other => Err(format!(
                "unknown vocabulary kind {other:?} (counter, set, register, map, list, text, custom)"
            )),
        }
    }

    /// The vocabulary as a handshake declares it (custom vocabularies without their
    /// generators' details round-trip only for the kinds `serve` uses).
    #[must_use]
    pub fn to_json(&self) -> Value {
        match self {
            Vocabulary::Counter { decrements, max } => {
                json!({"kind": "counter", "decrements": decrements, "max": max})
            }
            Vocabulary::Set {
                wins,
                domain,
                add_weight,
            } => {
                let wins = match wins {
                    SetWins::Add => "add",
                    SetWins::Remove => "remove",
                    SetWins::Grow => "grow",
                    SetWins::LastWriter(Tie::AddWins) => "lww-add",
                    SetWins::LastWriter(Tie::RemoveWins) => "lww-remove",
                };
                json!({"kind": "set", "wins": wins, "domain": domain, "add_weight": add_weight})
            }
            Vocabulary::Register { semantics, domain } => {
                let semantics = match semantics {
                    RegisterSemantics::Lww => "lww",
                    RegisterSemantics::Mv => "mv",
                    RegisterSemantics::Any => "any",
                };
                json!({"kind": "register", "semantics": semantics, "domain": domain})
            }
            Vocabulary::Map { values, keys } => {
                json!({"kind": "map", "values": values.to_json(), "keys": keys})
            }
            Vocabulary::List {
                text,
                interleaving,
                spec,
                letters,
            } => {
                let interleaving = match interleaving {
                    NonInterleaving::None => "none",
                    NonInterleaving::Forward => "forward",
                    NonInterleaving::Backward => "backward",
                    NonInterleaving::Maximal => "maximal",
                };
                let spec = match spec {
                    ListSpec::Strong => "strong",
                    ListSpec::Fugue => "fugue",
                    ListSpec::FugueMax => "fugue-max",
                };
                json!({"kind": if *text { "text" } else { "list" }, "interleaving": interleaving,
                       "spec": spec, "letters": letters})
            }
            Vocabulary::Custom(ops) => json!({"kind": "custom", "ops": ops.iter().map(|op| {
                json!({"name": op.name, "weight": op.weight})
            }).collect::<Vec<_>>()}),
        }
    }

    /// The operations the harness generates, as JSON.
    pub fn strategy(&self) -> BoxedStrategy<Json> {
        match self {
            Vocabulary::Counter { decrements, max } => {
                CounterOp::strategy(*max, u32::from(*decrements))
                    .prop_map(|op| Json(counter_json(op)))
                    .boxed()
            }
            Vocabulary::Set {
                wins,
                domain,
                add_weight,
            } => {
                let ops = if *wins == SetWins::Grow {
                    SetOp::adds(*domain)
                } else {
                    SetOp::strategy(*domain, *add_weight)
                };
                ops.prop_map(|op| Json(set_json(&op))).boxed()
            }
            Vocabulary::Register { domain, .. } => RegisterOp::strategy(*domain)
                .prop_map(|RegisterOp::Set(x)| Json(json!({"set": x})))
                .boxed(),
            Vocabulary::Map { values, keys } => (0..*keys, values.strategy())
                .prop_map(|(k, op)| Json(json!({"update": {"key": format!("k{k}"), "op": op.0}})))
                .boxed(),
            Vocabulary::List { letters, .. } => ListOp::strategy(*letters, 3)
                .prop_map(|op| Json(list_json(&op)))
                .boxed(),
            Vocabulary::Custom(ops) => {
                let choices: Vec<(u32, BoxedStrategy<Json>)> = ops
                    .iter()
                    .map(|op| {
                        let name = op.name.clone();
                        let args = op
                            .args
                            .as_ref()
                            .map_or_else(|| Just(Value::Null).boxed(), Generator::strategy);
                        (
                            op.weight,
                            args.prop_map(move |a| Json(json!({ name.clone(): a })))
                                .boxed(),
                        )
                    })
                    .collect();
                proptest::strategy::Union::new_weighted(choices).boxed()
            }
        }
    }

    /// The operation as the adapter receives it for the update `dot`: list inserts carry the
    /// letter followed by the dot's tag.
    ///
    /// # Panics
    /// If a list insert's dot is outside the tagged range (replicas `0..32`, 4095 updates
    /// each), which no schedule reaches.
    #[must_use]
    pub fn wire_op(&self, op: &Json, dot: Dot) -> Value {
        if let (Vocabulary::List { .. }, Some(("insert", args))) = (self, op_parts(&op.0)) {
            let mut args = args.clone();
            if let Some(text) = args.get("text").and_then(Value::as_str) {
                let tagged = format!("{text}{}", list::tag_char(dot));
                args["text"] = Value::String(tagged);
            }
            return json!({"insert": args});
        }
        op.0.clone()
    }

    /// The value a user sees, from what the adapter answered (sets sorted, list tags split
    /// off), and the list's element ids.
    #[must_use]
    pub fn read(&self, raw: &Value) -> (Json, Option<Vec<Dot>>) {
        match self {
            Vocabulary::Set { .. } => (Json(sorted(raw.clone())), None),
            Vocabulary::Register {
                semantics: RegisterSemantics::Mv,
                ..
            } => (Json(sorted(raw.clone())), None),
            Vocabulary::Map { values, .. } => match raw {
                Value::Object(entries) => (
                    Json(Value::Object(
                        entries
                            .iter()
                            .map(|(k, v)| (k.clone(), values.read(v).0.0))
                            .collect(),
                    )),
                    None,
                ),
                other => (Json(other.clone()), None),
            },
            Vocabulary::List { text, .. } => {
                let joined = match raw {
                    Value::String(s) if *text => Some(s.clone()),
                    Value::Array(items) if !*text => {
                        items.iter().map(|i| i.as_str()).collect::<Option<String>>()
                    }
                    _ => None,
                };
                let Some(joined) = joined else {
                    return (Json(raw.clone()), None);
                };
                let (letters, ids) = TaggedText::split(&joined).into_parts();
                let value = if *text {
                    Value::String(letters)
                } else {
                    Value::Array(
                        letters
                            .chars()
                            .map(|c| Value::String(c.to_string()))
                            .collect(),
                    )
                };
                (Json(value), Some(ids))
            }
            Vocabulary::Counter { .. } | Vocabulary::Register { .. } | Vocabulary::Custom(_) => {
                (Json(raw.clone()), None)
            }
        }
    }

    /// What a value must be, whatever the history: the right JSON type, no element twice in a
    /// set.
    ///
    /// # Errors
    /// What is wrong with the value.
    pub fn invariant(&self, value: &Json) -> Result<(), String> {
        let v = &value.0;
        match self {
            Vocabulary::Counter { .. } if !v.is_i64() && !v.is_u64() => {
                Err(format!("a counter's value must be an integer, not {v}"))
            }
            Vocabulary::Set { .. } => match v.as_array() {
                None => Err(format!("a set's value must be an array, not {v}")),
                Some(items) => match items.windows(2).find(|w| w[0] == w[1]) {
                    Some(w) => Err(format!("the set shows {} twice", w[0])),
                    None => Ok(()),
                },
            },
            Vocabulary::Register {
                semantics: RegisterSemantics::Mv,
                ..
            } if !v.is_array() => Err(format!(
                "a multi-value register's value must be an array, not {v}"
            )),
            Vocabulary::Map { values, .. } => match v.as_object() {
                None => Err(format!("a map's value must be an object, not {v}")),
                Some(entries) => entries.iter().try_for_each(|(k, inner)| {
                    values
                        .invariant(&Json(inner.clone()))
                        .map_err(|e| format!("at key {k:?}: {e}"))
                }),
            },
            Vocabulary::List { text: true, .. } if !v.is_string() => {
                Err(format!("a text's value must be a string, not {v}"))
            }
            Vocabulary::List { text: false, .. } if !v.is_array() => Err(format!(
                "a list's value must be an array of strings, not {v}"
            )),
            _ => Ok(()),
        }
    }

    /// The value a replica must show after the updates of `history`, or `None` when the
    /// vocabulary has no exact specification.
    #[must_use]
    pub fn spec(&self, history: &History<Json>) -> Option<Json> {
        match self {
            Vocabulary::Counter { decrements, .. } => {
                let typed = typed(history, counter_op)?;
                let total = if *decrements {
                    counter::sum(&typed)
                } else {
                    counter::net_total(&typed, false)
                };
                Some(Json(json!(i64::try_from(total).ok()?)))
            }
            Vocabulary::Set { wins, .. } => {
                let typed = typed(history, set_op)?;
                let set = match wins {
                    SetWins::Add => set::add_wins(&typed),
                    SetWins::Remove => set::remove_wins(&typed),
                    SetWins::Grow => set::grow_only(&typed),
                    SetWins::LastWriter(tie) => set::last_writer_wins(&typed, *tie),
                };
                Some(Json(sorted(json!(set))))
            }
            Vocabulary::Register { semantics, .. } => {
                let typed = typed(history, |op| match op_parts(op)? {
                    ("set", x) => Some(RegisterOp::Set(x.clone().to_string())),
                    _ => None,
                })?;
                let parse = |s: String| serde_json::from_str::<Value>(&s).ok();
                Some(Json(match semantics {
                    RegisterSemantics::Lww => register::last_writer_wins(&typed)
                        .and_then(parse)
                        .unwrap_or(Value::Null),
                    RegisterSemantics::Mv => sorted(Value::Array(
                        register::multi_value(&typed)
                            .into_iter()
                            .filter_map(parse)
                            .collect(),
                    )),
                    RegisterSemantics::Any => {
                        let mut live = register::multi_value(&typed);
                        live.sort();
                        live.dedup();
                        match live.len() {
                            0 => Value::Null,
                            // One value not overwritten: it is the value.
                            1 => parse(live.remove(0))?,
                            // Concurrent writes of different values: any one of them.
                            _ => return None,
                        }
                    }
                }))
            }
            Vocabulary::Map { values, .. } => {
                let typed = typed(history, |op| match op_parts(op)? {
                    ("update", args) => Some(MapOp::Update(
                        args.get("key")?.as_str()?.to_string(),
                        Json(args.get("op")?.clone()),
                    )),
                    _ => None,
                })?;
                let spec = map::map(&typed, |at_key| values.spec(at_key))?;
                Some(Json(Value::Object(
                    spec.into_iter().map(|(k, v)| (k, v.0)).collect(),
                )))
            }
            Vocabulary::List { text, spec, .. } => {
                if *spec == ListSpec::Strong {
                    return None;
                }
                let typed = typed(history, list_op)?;
                let letters = if *spec == ListSpec::Fugue {
                    list::fugue(&typed)
                } else {
                    list::fugue_max(&typed)
                };
                Some(Json(if *text {
                    Value::String(letters.into_iter().collect())
                } else {
                    Value::Array(
                        letters
                            .into_iter()
                            .map(|c| Value::String(c.to_string()))
                            .collect(),
                    )
                }))
            }
            Vocabulary::Custom(_) => None,
        }
    }

    /// For a list or text whose specification is `"strong"`: whether `shown` (a replica's
    /// element ids, in list order) meets the strong list specification for `history` (see
    /// [`Model::list_spec`](crdt_laws::Model::list_spec)); `None` for other vocabularies,
    /// for an exact specification (checked by [`spec`](Self::spec)), and when the search
    /// gives up.
    #[must_use]
    pub fn list_spec(&self, history: &History<Json>, shown: &[Dot]) -> Option<Result<(), String>> {
        if !matches!(
            self,
            Vocabulary::List {
                spec: ListSpec::Strong,
                ..
            }
        ) {
            return None;
        }
        let typed = typed(history, list_op)?;
        match list::strong_list(&typed, shown, STRONG_LIST_BUDGET) {
            Ok(_) => Some(Ok(())),
            Err(list::StrongListError::Undecided { .. }) => None,
            Err(why) => Some(Err(why.to_string())),
        }
    }

    /// The non-interleaving the vocabulary promises.
    #[must_use]
    pub fn interleaving(&self) -> NonInterleaving {
        match self {
            Vocabulary::List { interleaving, .. } => *interleaving,
            _ => NonInterleaving::None,
        }
    }

    /// True for lists and texts, whose values carry element ids.
    #[must_use]
    pub fn is_sequence(&self) -> bool {
        matches!(self, Vocabulary::List { .. })
    }
}

/// A list operation as the protocol writes it, before its tag is added:
/// `{"insert": {"at": 2, "text": "a"}}`, `{"delete": {"at": 0}}`.
///
/// ```
/// use crdt_harness::adapter::list_json;
/// use crdt_laws::vocab::ListOp;
/// let op = list_json(&ListOp::Insert { at: 2, value: 'a' });
/// assert_eq!(op, serde_json::json!({"insert": {"at": 2, "text": "a"}}));
/// ```
#[must_use]
pub fn list_json(op: &ListOp<char>) -> Value {
    match op {
        ListOp::Insert { at, value } => json!({"insert": {"at": at, "text": value.to_string()}}),
        ListOp::Delete { at } => json!({"delete": {"at": at}}),
    }
}

/// The most placements the strong list specification's search tries for one replica's list
/// before it gives up (no finding): histories of a few dozen edits take far fewer.
const STRONG_LIST_BUDGET: usize = 20_000;

/// A list or text operation of the protocol as a [`ListOp`] of its first character (the
/// letter; the tag after it is the element's id).
fn list_op(op: &Value) -> Option<ListOp<char>> {
    match op_parts(op)? {
        ("insert", args) => Some(ListOp::Insert {
            at: small(args.get("at")?)?,
            value: args.get("text")?.as_str()?.chars().next()?,
        }),
        ("delete", args) => Some(ListOp::Delete {
            at: small(args.get("at")?)?,
        }),
        _ => None,
    }
}

/// The history with its operations converted, or `None` when one does not convert.
fn typed<T>(history: &History<Json>, convert: impl Fn(&Value) -> Option<T>) -> Option<History<T>> {
    let mut out = History::new();
    for e in history.events() {
        out.push(e.dot, convert(&e.op.0)?, e.deps.clone());
    }
    Some(out)
}

/// A counter operation as JSON.
#[must_use]
pub fn counter_json(op: CounterOp) -> Value {
    match op {
        CounterOp::Increment(n) => json!({"increment": n}),
        CounterOp::Decrement(n) => json!({"decrement": n}),
    }
}

/// A counter operation from JSON.
#[must_use]
pub fn counter_op(op: &Value) -> Option<CounterOp> {
    match op_parts(op)? {
        ("increment", n) => Some(CounterOp::Increment(small(n)?)),
        ("decrement", n) => Some(CounterOp::Decrement(small(n)?)),
        _ => None,
    }
}

/// A set operation as JSON.
#[must_use]
pub fn set_json(op: &SetOp<u8>) -> Value {
    match op {
        SetOp::Add(x) => json!({"add": x}),
        SetOp::Remove(x) => json!({"remove": x}),
    }
}

/// A set operation from JSON.
#[must_use]
pub fn set_op(op: &Value) -> Option<SetOp<u8>> {
    let element = |x: &Value| small(x).and_then(|x| u8::try_from(x).ok());
    match op_parts(op)? {
        ("add", x) => Some(SetOp::Add(element(x)?)),
        ("remove", x) => Some(SetOp::Remove(element(x)?)),
        _ => None,
    }
}

fn parse_custom_op(op: &Value) -> Result<CustomOp, String> {
    let object = op
        .as_object()
        .ok_or_else(|| format!("a custom op must be an object, not {op}"))?;
    let name = str_field(object, "name")?
        .ok_or("a custom op has no `name`")?
        .to_string();
    let weight = int_field(object, "weight", 1, 1000)?;
    let args = field(object, "args").map(Generator::parse).transpose()?;
    Ok(CustomOp { name, weight, args })
}

impl Generator {
    /// Reads a generator.
    ///
    /// # Errors
    /// A one-line reason.
    pub fn parse(value: &Value) -> Result<Self, String> {
        let (kind, args) = op_parts(value)
            .ok_or_else(|| format!("a generator is an object with one key, not {value}"))?;
        let bad = || format!("bad `{kind}` generator: {args}");
        let max_len = |o: &Map<String, Value>| {
            o.get("max_len")
                .and_then(Value::as_u64)
                .filter(|n| *n <= 64)
                .map(|n| n as usize)
        };
        match kind {
            "const" => Ok(Generator::Const(args.clone())),
            "int" => {
                let pair = args.as_array().filter(|a| a.len() == 2).ok_or_else(bad)?;
                let (lo, hi) = (
                    pair[0].as_i64().ok_or_else(bad)?,
                    pair[1].as_i64().ok_or_else(bad)?,
                );
                if lo > hi {
                    return Err(bad());
                }
                Ok(Generator::Int(lo, hi))
            }
            "bool" => Ok(Generator::Bool),
            "one_of" => {
                let items = args.as_array().filter(|a| !a.is_empty()).ok_or_else(bad)?;
                Ok(Generator::OneOf(items.clone()))
            }
            "string" => {
                let o = args.as_object().ok_or_else(bad)?;
                let chars: Vec<char> = o
                    .get("chars")
                    .and_then(Value::as_str)
                    .ok_or_else(bad)?
                    .chars()
                    .collect();
                if chars.is_empty() {
                    return Err(bad());
                }
                Ok(Generator::Str(chars, max_len(o).ok_or_else(bad)?))
            }
            "array" => {
                let o = args.as_object().ok_or_else(bad)?;
                let of = Generator::parse(o.get("of").ok_or_else(bad)?)?;
                Ok(Generator::Array(Box::new(of), max_len(o).ok_or_else(bad)?))
            }
            "object" => {
                let o = args.as_object().ok_or_else(bad)?;
                o.iter()
                    .map(|(k, g)| Ok((k.clone(), Generator::parse(g)?)))
                    .collect::<Result<_, String>>()
                    .map(Generator::Object)
            }
            other => Err(format!(
                "unknown generator {other:?} (const, int, bool, one_of, string, array, object)"
            )),
        }
    }

    /// The strategy that generates its values.
    pub fn strategy(&self) -> BoxedStrategy<Value> {
        match self {
            Generator::Const(v) => Just(v.clone()).boxed(),
            Generator::Int(lo, hi) => (*lo..=*hi).prop_map(Value::from).boxed(),
            Generator::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
            Generator::OneOf(items) => {
                let items = items.clone();
                (0..items.len()).prop_map(move |i| items[i].clone()).boxed()
            }
            Generator::Str(chars, max_len) => {
                let chars = chars.clone();
                proptest::collection::vec(0..chars.len(), 0..=*max_len)
                    .prop_map(move |ix| Value::String(ix.into_iter().map(|i| chars[i]).collect()))
                    .boxed()
            }
            Generator::Array(of, max_len) => proptest::collection::vec(of.strategy(), 0..=*max_len)
                .prop_map(Value::Array)
                .boxed(),
            Generator::Object(fields) => {
                let names: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
                let values: Vec<BoxedStrategy<Value>> =
                    fields.iter().map(|(_, g)| g.strategy()).collect();
                values
                    .prop_map(move |vs| Value::Object(names.iter().cloned().zip(vs).collect()))
                    .boxed()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crdt_laws::ReplicaId;

    #[test]
    fn every_kind_parses_and_round_trips() {
        for v in [
            json!({"kind": "counter", "decrements": false}),
            json!({"kind": "set", "wins": "remove"}),
            json!({"kind": "register", "semantics": "mv"}),
            json!({"kind": "register", "semantics": "any"}),
            json!({"kind": "map", "values": {"kind": "counter"}}),
            json!({"kind": "text", "interleaving": "forward"}),
            json!({"kind": "list", "spec": "fugue-max"}),
        ] {
            let parsed = Vocabulary::parse(&v).unwrap();
            assert_eq!(Vocabulary::parse(&parsed.to_json()).unwrap(), parsed, "{v}");
        }
        for bad in [
            json!({"kind": "set", "wins": "both"}),
            json!({"kind": "tree"}),
            json!({"kind": "map", "values": {"kind": "text"}}),
            json!({"kind": "custom", "ops": []}),
            json!({"kind": "custom", "ops": [{"name": "x", "args": {"int": [3, 1]}}]}),
        ] {
            assert!(Vocabulary::parse(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_ops_carry_their_tag_and_values_split_it_off() {
        let v = Vocabulary::parse(&json!({"kind": "text"})).unwrap();
        let dot = Dot::new(ReplicaId::new(1), 2);
        let wire = v.wire_op(&Json(json!({"insert": {"at": 9, "text": "a"}})), dot);
        let text = wire["insert"]["text"].as_str().unwrap().to_string();
        assert_eq!(text.chars().count(), 2);
        let (value, ids) = v.read(&Value::String(text));
        assert_eq!(value.0, json!("a"));
        assert_eq!(ids, Some(vec![dot]));
    }

    #[test]
    fn sets_are_read_sorted_and_a_duplicate_breaks_the_invariant() {
        let v = Vocabulary::parse(&json!({"kind": "set", "wins": "add"})).unwrap();
        let (value, _) = v.read(&json!([3, 1]));
        assert_eq!(value.0, json!([1, 3]));
        assert!(v.invariant(&value).is_ok());
        assert!(v.invariant(&v.read(&json!([1, 3, 1])).0).is_err());
        assert!(v.invariant(&Json(json!({"a": 1}))).is_err());
    }
}
