//! A harness finding: a schedule that broke a property, shrunk to a minimal one.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A schedule that broke a property, with its minimal form for replay and drawing.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Finding {
    /// The property broken.
    pub property: Property,
    /// What the oracle saw, in a sentence.
    pub message: String,
    /// The seed of the failing schedule.
    pub seed: u64,
    /// The failing schedule's index in the run.
    pub schedule_index: u64,
    /// Steps in the schedule as first found.
    pub original_steps: u64,
    /// Steps after shrinking: the length of `schedule`.
    pub shrunk_steps: u64,
    /// The replay file written for it, if any (`crdt-harness replay FILE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_file: Option<String>,
    /// A ready-to-paste `#[test]` that replays it, if the harness wrote one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regression_test: Option<String>,
    /// Replicas in the minimal schedule; they are numbered `0..replicas` and print as `A, B, ...`.
    pub replicas: u32,
    /// The minimal schedule.
    pub schedule: Vec<Event>,
    /// Each replica's value at the end (its `Debug` text), indexed by replica.
    pub final_values: Vec<String>,
    /// The replicas whose values disagree, highlighted in drawings.
    #[serde(default)]
    pub diverging: BTreeSet<u32>,
}

/// One step of a schedule, as data for drawing and telling.
///
/// Replicas are indices (`0` prints as `A`); messages carry an id so that a send can be matched
/// with its deliveries, drops and duplicates.
///
/// ```
/// use crdt_reports::Event;
/// let e: Event = serde_json::from_str(r#"{"kind": "update", "replica": 0, "label": "add(3)"}"#).unwrap();
/// assert_eq!(e, Event::Update { replica: 0, label: "add(3)".into() });
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A user's update at a replica, e.g. `add(3)`.
    Update {
        /// Where.
        replica: u32,
        /// The operation, e.g. `add(3)`.
        label: String,
    },
    /// A replica sends a message: its state, a delta or an operation.
    Send {
        /// The sender.
        from: u32,
        /// The addressee, or `None` for a broadcast.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<u32>,
        /// The message's id.
        message_id: u32,
        /// What it carries, e.g. `state {3}` or `op add(3)`.
        label: String,
    },
    /// A message arrives at a replica.
    Deliver {
        /// The receiver.
        to: u32,
        /// The message's id.
        message_id: u32,
    },
    /// The network loses a message.
    Drop {
        /// The message's id.
        message_id: u32,
    },
    /// The network copies a message: it may now arrive once more.
    Duplicate {
        /// The message's id.
        message_id: u32,
    },
    /// The network splits into groups that cannot reach each other.
    Partition {
        /// The groups of replicas.
        groups: Vec<Vec<u32>>,
    },
    /// Every partition heals.
    Heal,
    /// A replica crashes, losing what it had not saved.
    Crash {
        /// Which.
        replica: u32,
    },
    /// A crashed replica restarts from its last snapshot.
    Restart {
        /// Which.
        replica: u32,
    },
    /// A replica joins late: it did not exist before this step.
    Join {
        /// Which.
        replica: u32,
    },
    /// The schedule ends and the network settles (quiescence): partitions heal, crashed
    /// replicas restart, late ones join, and every message is delivered; the events after this
    /// one are that settling.
    Quiesce,
}

/// A property that a harness oracle checks.
///
/// Serialized as its snake_case name; a name this crate does not know is kept as
/// [`Property::Other`], so reports from a newer harness with a new oracle still read.
///
/// ```
/// use crdt_reports::Property;
/// assert_eq!(serde_json::to_string(&Property::MonotoneGrowth).unwrap(), r#""monotone_growth""#);
/// assert_eq!(serde_json::from_str::<Property>(r#""causal_ghost""#).unwrap(),
///            Property::Other("causal_ghost".into()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
#[non_exhaustive]
pub enum Property {
    /// Replicas that saw the same updates show the same value; all agree after quiescence.
    #[default]
    Convergence,
    /// Replicas show equal values but hold different states after quiescence.
    EqualValuesDifferentStates,
    /// A replica's state never moves down.
    MonotoneGrowth,
    /// A replica's value equals the specification of the updates visible to it.
    Specification,
    /// Every replica's list agrees with one total order of all inserted elements.
    SequenceOrder,
    /// A replica's own consecutive inserts stay contiguous and in order.
    Contiguity,
    /// Concurrent runs of inserts do not interleave.
    NonInterleaving,
    /// The model panicked.
    Panic,
    /// A step exceeded its time budget.
    StepTimeout,
    /// A state grew beyond its size budget.
    StateExplosion,
    /// A value broke the model's declared invariant.
    Invariant,
    /// A run typed forwards was split (Weidner and Kleppmann, Definition 2).
    ForwardInterleaving,
    /// A run typed backwards was split (Definition 4 (2), with the Lemma 5 exception).
    BackwardInterleaving,
    /// Maximal non-interleaving broken beyond runs (Definition 4 (2) and (3)).
    MaximalInterleaving,
    /// The model's fork shared state with the original.
    ForkIndependent,
    /// A property this crate does not know by name.
    Other(String),
}

impl Property {
    /// Every property this crate knows by name.
    pub const KNOWN: [Self; 15] = [
        Self::Convergence,
        Self::EqualValuesDifferentStates,
        Self::MonotoneGrowth,
        Self::Specification,
        Self::SequenceOrder,
        Self::Contiguity,
        Self::NonInterleaving,
        Self::Panic,
        Self::StepTimeout,
        Self::StateExplosion,
        Self::Invariant,
        Self::ForwardInterleaving,
        Self::BackwardInterleaving,
        Self::MaximalInterleaving,
        Self::ForkIndependent,
    ];

    /// The snake_case name, as in JSON.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Convergence => "convergence",
            Self::EqualValuesDifferentStates => "equal_values_different_states",
            Self::MonotoneGrowth => "monotone_growth",
            Self::Specification => "specification",
            Self::SequenceOrder => "sequence_order",
            Self::Contiguity => "contiguity",
            Self::NonInterleaving => "non_interleaving",
            Self::Panic => "panic",
            Self::StepTimeout => "step_timeout",
            Self::StateExplosion => "state_explosion",
            Self::Invariant => "invariant",
            Self::ForwardInterleaving => "forward_interleaving",
            Self::BackwardInterleaving => "backward_interleaving",
            Self::MaximalInterleaving => "maximal_interleaving",
            Self::ForkIndependent => "fork_independent",
            Self::Other(name) => name,
        }
    }

    /// The property as a noun phrase for prose: "this breaks *convergence*", "this breaks
    /// *panic freedom*".
    #[must_use]
    pub fn noun(&self) -> &str {
        match self {
            Self::Convergence => "convergence",
            Self::EqualValuesDifferentStates => "state convergence",
            Self::MonotoneGrowth => "monotone growth",
            Self::Specification => "the specification",
            Self::SequenceOrder => "sequence order",
            Self::Contiguity => "contiguity",
            Self::NonInterleaving => "non-interleaving",
            Self::Panic => "panic freedom",
            Self::StepTimeout => "the step time budget",
            Self::StateExplosion => "the state size budget",
            Self::Invariant => "the model's invariant",
            Self::ForwardInterleaving => "forward non-interleaving",
            Self::BackwardInterleaving => "backward non-interleaving",
            Self::MaximalInterleaving => "maximal non-interleaving",
            Self::ForkIndependent => "independent forks",
            Self::Other(name) => name,
        }
    }

    /// What the property demands, in plain words, for reports.
    #[must_use]
    pub const fn explanation(&self) -> &'static str {
        match self {
            Self::Convergence => {
                "replicas that have seen the same updates must show the same value"
            }
            Self::EqualValuesDifferentStates => {
                "replicas that show the same value after quiescence must hold equal states"
            }
            Self::MonotoneGrowth => "a replica's state must never move down in the order",
            Self::Specification => {
                "a replica must show the value its specification gives for the updates it has seen"
            }
            Self::SequenceOrder => {
                "every replica's list must agree with one total order of all inserted elements"
            }
            Self::Contiguity => {
                "a replica's own consecutive inserts must stay together and in order"
            }
            Self::NonInterleaving => "concurrent runs of inserts must not interleave",
            Self::Panic => "the model must not panic",
            Self::StepTimeout => "every step must finish within its time budget",
            Self::StateExplosion => "a state must stay within its size budget",
            Self::Invariant => "every value a replica shows must satisfy the model's invariant",
            Self::ForwardInterleaving => "a run of inserts typed forwards must stay together",
            Self::BackwardInterleaving => {
                "a run of inserts typed backwards must stay together, where the list allows it"
            }
            Self::MaximalInterleaving => {
                "inserts must stay as close to their origins as any list allows (FugueMax's order)"
            }
            Self::ForkIndependent => {
                "a copy made by the model's fork must not share state with the original"
            }
            Self::Other(_) => "the property named above must hold",
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<String> for Property {
    fn from(name: String) -> Self {
        Self::KNOWN
            .into_iter()
            .find(|known| known.name() == name)
            .unwrap_or(Self::Other(name))
    }
}

impl From<Property> for String {
    fn from(property: Property) -> Self {
        match property {
            Property::Other(name) => name,
            known => known.name().to_owned(),
        }
    }
}
