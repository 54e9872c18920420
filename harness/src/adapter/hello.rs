//! The handshake's answer: what an adapter is and can do.

use crdt_laws::sync::{Silence, Transport};
use crdt_laws::{Delivery, Flavour};
use serde_json::{Value, json};

use super::process::PROTOCOL_VERSION;
use super::vocab::Vocabulary;

/// What an adapter can do besides the required requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// `fork` is implemented.
    pub fork: bool,
    /// `snapshot` and `restore` are implemented.
    pub snapshot: bool,
    /// `equal` is implemented.
    pub equal: bool,
    /// `leq` is implemented (state and delta flavours): the harness asks the state order in
    /// one request instead of a fork, a merge, a comparison and a drop.
    pub leq: bool,
    /// The adapter reads its next request while it runs one, and answers in order: the
    /// harness may send a batch before the previous one is answered, so that the adapter
    /// works while the harness records the rest of a run.
    pub pipeline: bool,
}

/// What a sync-flavour adapter declares of its own sync protocol (`flavour: "sync"`).
///
/// ```
/// use crdt_harness::adapter::Hello;
/// use crdt_laws::sync::{Silence, Transport};
/// let answer = serde_json::json!({"ok": true, "protocol": 1, "name": "g", "flavour": "sync",
///     "vocabulary": {"kind": "counter"}, "capabilities": {"fork": true},
///     "sync": {"durable": false, "silence": {"rounds": 3}}});
/// let terms = Hello::parse(&answer).unwrap().sync.unwrap();
/// assert_eq!((terms.durable, terms.silence), (false, Silence::Rounds(3)));
/// assert_eq!(terms.transport, Transport::Datagram); // unless it says "transport": "connection"
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncTerms {
    /// A replica's sync state survives a crash (else it restarts with a new one).
    pub durable: bool,
    /// How soon the protocol falls silent once the network is healed and quiet.
    pub silence: Silence,
    /// What the protocol assumes of the network (`"datagram"`, the default, or
    /// `"connection"`: in order, and a loss breaks the connection and is announced by a
    /// `sync_reconnect` request).
    pub transport: Transport,
}

/// An adapter's answer to `hello`.
///
/// ```
/// use crdt_harness::adapter::Hello;
/// let answer = serde_json::json!({"ok": true, "protocol": 1, "name": "or-set", "flavour": "state",
///     "vocabulary": {"kind": "set", "wins": "add"}, "capabilities": {"fork": true}});
/// let hello = Hello::parse(&answer).unwrap();
/// assert_eq!(hello.name, "or-set");
/// assert!(hello.capabilities.fork && !hello.capabilities.equal);
/// let other = serde_json::json!({"ok": true, "protocol": 2});
/// assert!(Hello::parse(&other).unwrap_err().contains("protocol 2"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Hello {
    /// The CRDT's name.
    pub name: String,
    /// Its flavour.
    pub flavour: Flavour,
    /// Its vocabulary.
    pub vocabulary: Vocabulary,
    /// The delivery an op-based adapter needs.
    pub delivery: Delivery,
    /// Its capabilities.
    pub capabilities: Capabilities,
    /// The sync flavour's terms (`Some` exactly when the flavour is [`Flavour::Sync`]).
    pub sync: Option<SyncTerms>,
}

impl Hello {
    pub(crate) fn placeholder() -> Self {
        Hello {
            name: String::new(),
            flavour: Flavour::StateBased,
            vocabulary: Vocabulary::Custom(Vec::new()),
            delivery: Delivery::Causal,
            capabilities: Capabilities::default(),
            sync: None,
        }
    }

    /// Reads the answer to `hello`.
    ///
    /// # Errors
    /// A one-line reason: another protocol version, an unknown flavour, vocabulary or
    /// delivery, neither `fork` nor `snapshot`.
    pub fn parse(answer: &Value) -> Result<Self, String> {
        match answer.get("protocol").and_then(Value::as_u64) {
            Some(PROTOCOL_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "the adapter speaks protocol {v}, this harness speaks protocol {PROTOCOL_VERSION}"
                ));
            }
            None => return Err("the answer to `hello` gives no `protocol` version".into()),
        }
        let name = answer
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or("the answer to `hello` gives no `name`")?
            .to_string();
        let flavour = match answer.get("flavour").and_then(Value::as_str) {
            Some("state") => Flavour::StateBased,
            Some("delta") => Flavour::DeltaState,
            Some("op") => Flavour::OpBased,
            Some("sync") => Flavour::Sync,
            Some(other) => {
                return Err(format!(
                    "unknown flavour {other:?} (state, delta, op, sync)"
                ));
            }
            None => {
                return Err(
                    "the answer to `hello` gives no `flavour` (state, delta, op, sync)".into(),
                );
            }
        };
        let vocabulary = Vocabulary::parse(
            answer
                .get("vocabulary")
                .ok_or("the answer to `hello` gives no `vocabulary`")?,
        )?;
        let delivery = match (flavour, answer.get("delivery").and_then(Value::as_str)) {
            (Flavour::OpBased, Some("causal")) => Delivery::Causal,
            (Flavour::OpBased, Some("fifo")) => Delivery::FifoPerSender,
            (Flavour::OpBased, Some("unordered")) => Delivery::Unordered,
            (Flavour::OpBased, Some("duplicating")) => Delivery::UnorderedDuplicating,
            (Flavour::OpBased, Some(other)) => {
                return Err(format!(
                    "unknown delivery {other:?} (causal, fifo, unordered, duplicating)"
                ));
            }
            (Flavour::OpBased, None) => {
                return Err("an op-based adapter must give its `delivery` (causal, fifo, unordered, duplicating)".into());
            }
            _ => Delivery::UnorderedDuplicating,
        };
        let flag = |name: &str| {
            answer
                .get("capabilities")
                .and_then(|c| c.get(name))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let capabilities = Capabilities {
            fork: flag("fork"),
            snapshot: flag("snapshot"),
            equal: flag("equal"),
            leq: flag("leq") && matches!(flavour, Flavour::StateBased | Flavour::DeltaState),
            pipeline: flag("pipeline"),
        };
        if !capabilities.fork && !capabilities.snapshot {
            return Err("the adapter offers neither `fork` nor `snapshot`; the harness needs one to copy replicas".into());
        }
        let sync = match flavour {
            Flavour::Sync => Some(sync_terms(answer.get("sync"))?),
            _ => None,
        };
        Ok(Hello {
            name,
            flavour,
            vocabulary,
            delivery,
            capabilities,
            sync,
        })
    }

    /// The answer as an adapter writes it.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let flavour = match self.flavour {
            Flavour::StateBased => "state",
            Flavour::DeltaState => "delta",
            Flavour::Sync => "sync",
            _ => "op",
        };
        let mut answer = json!({
            "ok": true,
            "protocol": PROTOCOL_VERSION,
            "name": self.name,
            "flavour": flavour,
            "vocabulary": self.vocabulary.to_json(),
            "capabilities": {
                "fork": self.capabilities.fork,
                "snapshot": self.capabilities.snapshot,
                "equal": self.capabilities.equal,
                "leq": self.capabilities.leq,
                "pipeline": self.capabilities.pipeline,
            },
        });
        if let Some(terms) = self.sync {
            answer["sync"] = json!({
                "durable": terms.durable,
                "silence": terms.silence,
                "transport": terms.transport,
            });
        }
        if flavour == "op" {
            answer["delivery"] = json!(match self.delivery {
                Delivery::Causal => "causal",
                Delivery::FifoPerSender => "fifo",
                Delivery::Unordered => "unordered",
                _ => "duplicating",
            });
        }
        answer
    }
}

/// Reads a sync adapter's `sync` field: `{"durable": bool, "silence": {"rounds": n}}` (or
/// `{"messages": n}`), and optionally `"transport": "datagram" | "connection"`.
fn sync_terms(field: Option<&Value>) -> Result<SyncTerms, String> {
    let field = field.ok_or(
        "a sync adapter must give `sync`: {\"durable\": bool, \"silence\": {\"rounds\": n}}",
    )?;
    let durable = field
        .get("durable")
        .and_then(Value::as_bool)
        .ok_or("`sync.durable` must be true or false")?;
    let silence = field
        .get("silence")
        .and_then(|s| serde_json::from_value::<Silence>(s.clone()).ok())
        .filter(|s| !matches!(s, Silence::Rounds(0) | Silence::Messages(0)))
        .ok_or("`sync.silence` must be {\"rounds\": n} or {\"messages\": n}, n > 0")?;
    let transport = match field.get("transport") {
        None => Transport::Datagram,
        Some(t) => serde_json::from_value::<Transport>(t.clone())
            .map_err(|_| "`sync.transport` must be \"datagram\" or \"connection\"")?,
    };
    Ok(SyncTerms {
        durable,
        silence,
        transport,
    })
}
