//! Running one schedule: replicas, the network between them, and the oracles.
//!
//! [`run`] executes a [`Schedule`] step by step. The network holds messages in flight; a
//! delivery picks one that may arrive (the oldest on a link unless reordering is on, and for
//! operation-based models only one that the model's declared [`Delivery`] allows: the harness
//! buffers the rest and discards duplicates the model cannot take). After every step the
//! oracles check the replica that changed and every pair of replicas that have seen the same
//! updates. The run ends with quiescence: the partition heals, crashed replicas restart, late
//! replicas join, every message is delivered (lost operation messages are retransmitted, as a
//! reliable broadcast would) and state-based replicas synchronize their whole states; then all
//! replicas must agree.
//!
//! Oracles (see [`Property`]): convergence of replicas that have seen the same updates (values,
//! and for state-based models states), monotone growth of state-based replicas, the model's
//! specification, for sequences one order of all elements and (where promised)
//! non-interleaving, and containment: panics, steps over their time budget and states that
//! explode in size are findings, never crashes of the harness.

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Debug, Display};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crdt_laws::contain::catch_panic;
use crdt_laws::generate::{Seen, UpdateRecord, applied_is_known, history_into};
use crdt_laws::sync::debug_len;
use crdt_laws::{Delivery, Dot, Model, NonInterleaving, ReplicaId};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::interleaving::{self, Origins};
use crate::protocol::{Produced, Protocol};
use crate::schedule::{CLOCK_TICK, MAX_CLOCK_DRIFT, MAX_CLOCK_OFFSET, Schedule, Step};

/// A property the harness checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Property {
    /// Replicas that have seen the same updates show the same value; after quiescence all do.
    Convergence,
    /// State-based replicas that have seen the same updates show the same value but hold
    /// different states: a divergence waiting to happen.
    EqualValuesDifferentStates,
    /// A state-based replica's state never moves down.
    MonotoneGrowth,
    /// A replica's value is the model's specification of the updates visible to it.
    Specification,
    /// All replicas order a sequence's elements consistently, at every step.
    SequenceOrder,
    /// A run of typing stays together: when a replica inserts `y` next to the element `x` it
    /// inserted just before (receiving nothing in between), an element that later lands between
    /// them must have been inserted knowing `x` (for models that promise non-interleaving).
    Contiguity,
    /// The model panicked.
    Panic,
    /// A step took longer than its time budget.
    StepTimeout,
    /// A state grew beyond the size limit.
    StateExplosion,
    /// A state could not be serialized or read back at a crash.
    Persistence,
    /// A value broke the model's [invariant](crdt_laws::Model::invariant).
    Invariant,
    /// Definition 2 of Weidner and Kleppmann: a run typed forwards was split (for models
    /// promising [`NonInterleaving::Forward`] or more).
    ForwardInterleaving,
    /// Definition 4 (2), with the Lemma 5 exception: a run typed backwards was split (for
    /// models promising [`NonInterleaving::Backward`] or more).
    BackwardInterleaving,
    /// Definition 4: maximal non-interleaving broken beyond runs (a pair with different left
    /// origins that Lemma 5 does not excuse, or two elements with the same origins out of id
    /// order), for models promising [`NonInterleaving::Maximal`].
    MaximalInterleaving,
    /// The model's [fork](crdt_laws::Model::fork) shares state with the original: changing the
    /// copy changed the original, so every check that keeps an old state would lie.
    ForkIndependent,
    /// Sync flavour: on a healed, quiet network the protocol did not fall silent within the
    /// bound it declares ([`Silence`](crate::sync::Silence)).
    Silence,
    /// Sync flavour: the protocol fell silent on a healed, quiet network while replicas show
    /// different values.
    SilentDisagreement,
}

impl Property {
    /// Every property, in the order reports list them.
    pub const ALL: [Property; 17] = [
        Property::Convergence,
        Property::EqualValuesDifferentStates,
        Property::MonotoneGrowth,
        Property::Specification,
        Property::SequenceOrder,
        Property::Contiguity,
        Property::Panic,
        Property::StepTimeout,
        Property::StateExplosion,
        Property::Persistence,
        Property::Invariant,
        Property::ForwardInterleaving,
        Property::BackwardInterleaving,
        Property::MaximalInterleaving,
        Property::ForkIndependent,
        Property::Silence,
        Property::SilentDisagreement,
    ];

    /// The property's snake_case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Property::Convergence => "convergence",
            Property::EqualValuesDifferentStates => "equal_values_different_states",
            Property::MonotoneGrowth => "monotone_growth",
            Property::Specification => "specification",
            Property::SequenceOrder => "sequence_order",
            Property::Contiguity => "contiguity",
            Property::Panic => "panic",
            Property::StepTimeout => "step_timeout",
            Property::StateExplosion => "state_explosion",
            Property::Persistence => "persistence",
            Property::Invariant => "invariant",
            Property::ForwardInterleaving => "forward_interleaving",
            Property::BackwardInterleaving => "backward_interleaving",
            Property::MaximalInterleaving => "maximal_interleaving",
            Property::ForkIndependent => "fork_independent",
            Property::Silence => "silence",
            Property::SilentDisagreement => "silent_disagreement",
        }
    }

    /// The property with this name.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken property, found while running a schedule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The property broken.
    pub property: Property,
    /// The step (1-based) after which it was found, or `None` at quiescence.
    pub step: Option<usize>,
    /// What was found, in words.
    pub message: String,
    /// The replicas involved.
    pub replicas: Vec<ReplicaId>,
    /// Their values, as `Debug` text.
    pub values: Vec<(ReplicaId, String)>,
}

impl Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(step) => write!(f, "{} after step {step}: {}", self.property, self.message)?,
            None => write!(f, "{} after quiescence: {}", self.property, self.message)?,
        }
        for (replica, value) in &self.values {
            write!(f, "\n  {replica} shows {value}")?;
        }
        Ok(())
    }
}

/// What happened during a run, for drawing and telling it. Steps are 1-based; `None` is the
/// quiescence at the end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A replica performed an update.
    Update {
        /// The step.
        step: Option<usize>,
        /// Where.
        replica: ReplicaId,
        /// The update's identity.
        dot: Dot,
        /// The operation, as `Debug` text.
        label: String,
    },
    /// A message left a replica.
    Send {
        /// The step.
        step: Option<usize>,
        /// The sender.
        from: ReplicaId,
        /// The receiver.
        to: ReplicaId,
        /// The message's identity.
        message: u64,
        /// What it carries: `state`, `δ-group of 2`, `A1`.
        label: String,
    },
    /// A message arrived and took effect.
    Deliver {
        /// The step.
        step: Option<usize>,
        /// The receiver.
        to: ReplicaId,
        /// The message.
        message: u64,
    },
    /// A message arrived that the model cannot take twice, and was discarded.
    Discard {
        /// The step.
        step: Option<usize>,
        /// The receiver.
        to: ReplicaId,
        /// The message.
        message: u64,
    },
    /// A message was lost.
    Drop {
        /// The step.
        step: Option<usize>,
        /// The message.
        message: u64,
    },
    /// A message was duplicated.
    Duplicate {
        /// The step.
        step: Option<usize>,
        /// The original message.
        message: u64,
        /// The copy's identity.
        copy: u64,
    },
    /// The network split.
    Partition {
        /// The step.
        step: Option<usize>,
        /// One side.
        side: Vec<ReplicaId>,
    },
    /// The partition ended.
    Heal {
        /// The step.
        step: Option<usize>,
    },
    /// A replica crashed.
    Crash {
        /// The step.
        step: Option<usize>,
        /// Which.
        replica: ReplicaId,
    },
    /// A replica restarted from its snapshot.
    Restart {
        /// The step.
        step: Option<usize>,
        /// Which.
        replica: ReplicaId,
    },
    /// A late replica joined.
    Join {
        /// The step.
        step: Option<usize>,
        /// Which.
        replica: ReplicaId,
    },
    /// The schedule ended; quiescence began.
    Quiesce,
    /// A replica's physical clock jumped and changed its drift (the `clock-skew` fault).
    Clock {
        /// The step.
        step: Option<usize>,
        /// Whose clock.
        replica: ReplicaId,
        /// Its offset from true time now.
        offset: i64,
        /// Its drift per step from now on.
        drift: i64,
    },
}

/// Limits that turn misbehaviour into findings.
///
/// A state explodes when its `Debug` text grows beyond the absolute `max_state_bytes`; beyond
/// its initial size plus `growth_slack_bytes` plus `bytes_per_update` for every update the
/// replica has applied (growth judged per update); or, at a merge of a state or delta group,
/// beyond the size of both merged states together plus `merge_slack_bytes` (a join holds no
/// more than its inputs). So a state that doubles at every merge is caught at its first
/// merges, long before the absolute limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// The longest one call into the model may take. A call that has not returned at one and a
    /// half times the budget is abandoned (its thread left running) when the harness owns the
    /// model (see [`Harness`](crate::Harness)).
    pub step_budget: Duration,
    /// The largest a state's `Debug` text may grow, in bytes.
    pub max_state_bytes: usize,
    /// How much a state's `Debug` text may grow per update the replica has applied, in bytes.
    #[serde(default = "Limits::default_bytes_per_update")]
    pub bytes_per_update: usize,
    /// Growth allowed before any update, in bytes.
    #[serde(default = "Limits::default_growth_slack")]
    pub growth_slack_bytes: usize,
    /// How much larger than both merged states together a merge's result may be, in bytes.
    #[serde(default = "Limits::default_merge_slack")]
    pub merge_slack_bytes: usize,
}

impl Limits {
    fn default_bytes_per_update() -> usize {
        // Generous: the Debug text of a library's document (automerge's, say) grows by a few
        // KiB per update. Explosive growth is caught at merges, whatever this allowance.
        64 * 1024
    }

    fn default_growth_slack() -> usize {
        4096
    }

    fn default_merge_slack() -> usize {
        64
    }

    /// The most bytes of `Debug` text allowed for a state that started at `initial` bytes and
    /// has applied `updates` updates.
    ///
    /// ```
    /// use crdt_harness::Limits;
    /// let limits = Limits::default();
    /// assert_eq!(limits.growth_limit(10, 0), 10 + 4096);
    /// assert_eq!(limits.growth_limit(10, 3), 10 + 4096 + 3 * 64 * 1024);
    /// ```
    #[must_use]
    pub fn growth_limit(&self, initial: usize, updates: usize) -> usize {
        initial
            .saturating_add(self.growth_slack_bytes)
            .saturating_add(self.bytes_per_update.saturating_mul(updates))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            step_budget: Duration::from_secs(5),
            max_state_bytes: 1 << 20,
            bytes_per_update: Limits::default_bytes_per_update(),
            growth_slack_bytes: Limits::default_growth_slack(),
            merge_slack_bytes: Limits::default_merge_slack(),
        }
    }
}

/// How a run behaves: network ordering, limits, and whether to measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunConfig {
    /// Messages may overtake each other on a link.
    pub reorder: bool,
    /// Limits.
    pub limits: Limits,
    /// Record state size and merge time after every step.
    pub measure: bool,
}

/// A measurement after one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Measurement {
    /// The step (1-based).
    pub step: usize,
    /// The `Debug` size of the state that changed, in bytes.
    pub state_bytes: usize,
    /// Time spent in the model's merge or effect during the step, in nanoseconds.
    pub merge_nanos: u64,
}

/// Counts from one run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Steps that took effect (steps on crashed or absent replicas, or deliveries with nothing
    /// to deliver, do nothing).
    pub effective_steps: usize,
    /// Updates performed.
    pub updates: usize,
    /// Messages sent.
    pub messages: usize,
    /// Per-step measurements, when asked for.
    pub measurements: Vec<Measurement>,
    /// Sync flavour: what the protocol cost.
    pub sync: Option<crate::sync::SyncCost>,
}

/// The result of running one schedule.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The first broken property, if any.
    pub finding: Option<Finding>,
    /// What happened.
    pub events: Vec<Event>,
    /// Counts.
    pub stats: RunStats,
    /// Each replica's value at the end (or when the finding stopped the run).
    pub values: Vec<(ReplicaId, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Up,
    Crashed,
    Absent,
}

struct Replica<P: Protocol> {
    id: ReplicaId,
    status: Status,
    state: State<P>,
    value: Value<P>,
    seen: Seen,
    /// The snapshot a crashed replica restarts from, and the state it had when it crashed
    /// (boxed: crashes are rare, and the replicas of a run are allocated together, in a block
    /// that stays within the allocator's per-thread cache when small).
    durable: Option<Box<(State<P>, State<P>)>>,
    /// Delta-state: per destination, the deltas not yet acknowledged: (sequence, delta, the
    /// updates it carries). Local deltas and every payload received are buffered, so a group
    /// carries everything its sender merged since the destination last acknowledged (the
    /// anti-entropy of Almeida et al., "Delta state replicated data types", Algorithm 2).
    links: Vec<Vec<(u64, Rc<Buffered<P>>)>>,
    /// Delta-state: per destination, whether sends must be the whole state (after a restart,
    /// until a whole state sent since then has been delivered).
    resync: Vec<bool>,
    /// How many times this replica restarted.
    epoch: u32,
    /// The element this replica's latest local update inserted, if it inserted exactly one and
    /// the replica has received nothing since (a run of typing).
    last_insert: Option<Dot>,
}

/// A buffered delta and the updates it carries, shared by every link it waits on.
type Buffered<P> = (<P as Protocol>::Payload, Seen);

type State<P> = <<P as Protocol>::Model as Model>::State;
type Value<P> = <<P as Protocol>::Model as Model>::Value;
type Op<P> = <<P as Protocol>::Model as Model>::Op;

#[derive(Clone, Debug)]
enum Carries {
    /// A whole state; for delta-state models it covers every delta buffered before `upto`, and
    /// acknowledges a resynchronization if the sender has not restarted since (`epoch`).
    State { upto: u64, epoch: u32 },
    /// A delta group covering the link's buffered deltas up to sequence `upto`.
    Delta { upto: u64 },
    /// An operation message: update number `update`.
    Op { update: usize },
}

#[derive(Clone, Debug)]
struct Message<Pl> {
    id: u64,
    from: ReplicaId,
    to: ReplicaId,
    payload: Pl,
    seen: Seen,
    carries: Carries,
}

/// The sequence oracles' memory.
#[derive(Default)]
struct Sequences {
    /// Every ordered pair of elements some replica has shown, with who showed it and when.
    shown: HashMap<(Dot, Dot), (ReplicaId, Option<usize>)>,
    /// The update that inserted each element.
    inserted_by: HashMap<Dot, usize>,
    /// Pairs of consecutive, adjacent inserts by one replica.
    runs: Vec<(Dot, Dot)>,
    /// Each element's left and right origins, seen at its origin when it was inserted.
    origins: HashMap<Dot, Origins>,
    /// The updates that deleted elements at their origin.
    deleting: Seen,
    /// The lists already found to meet the model's [list specification](Model::list_spec),
    /// with the updates they were judged against.
    judged: HashMap<Seen, HashSet<Vec<Dot>>>,
}

struct Sim<'a, P: Protocol> {
    p: &'a P,
    config: RunConfig,
    replicas: Vec<Replica<P>>,
    updates: Vec<UpdateRecord<Op<P>>>,
    log: Vec<P::Payload>,
    flight: Vec<Message<P::Payload>>,
    next_message: u64,
    next_delta: u64,
    side: Option<Vec<bool>>,
    step: Option<usize>,
    events: Vec<Event>,
    /// Whether events are kept (not while searching: see [`run_unrecorded`]).
    record: bool,
    stats: RunStats,
    sequences: Sequences,
    sequence_model: bool,
    /// Whether the model has a [list specification](Model::list_spec) to judge lists by.
    list_spec: bool,
    /// Whether the fork has been checked (on the run's first update).
    fork_checked: bool,
    /// Whether every pair of replicas has been checked for convergence (then only pairs with
    /// the replica that changed need be).
    convergence_checked: bool,
    /// The specification's value for each set of updates judged so far (`None`: no
    /// specification, or what was applied is not known).
    specs: FxHashMap<Seen, Option<Value<P>>>,
    /// The history a specification last judged, kept for its memory (built anew for each set
    /// of updates judged).
    visible: crdt_laws::History<Op<P>>,
    /// Each replica's `Debug` size when first checked (the base of its growth limit) and when
    /// last checked.
    sizes: Vec<Option<(usize, usize)>>,
    /// The `Debug` size of the state or delta group just merged, for the size check after it.
    merged_bytes: Option<usize>,
    /// The physical clocks models read ([`crdt_laws::env`]).
    clocks: Clocks,
}

/// The replicas' physical clocks: true time advances [`CLOCK_TICK`] per step; each replica's
/// clock is true time plus its offset, which [`Step::Clock`] sets and its drift moves every
/// step, both clamped to their bounds. Without clock steps every clock shows true time.
struct Clocks {
    /// True time.
    now: u64,
    /// Per replica: (offset, drift).
    skew: Vec<(i64, i64)>,
    /// Whether any clock has been skewed (then update labels show the physical time).
    skewed: bool,
}

impl Clocks {
    /// Moves true time to the start of `step` (1-based; the quiescence is one more), and
    /// each clock by its drift.
    fn advance(&mut self, step: usize) {
        self.now = CLOCK_TICK.saturating_mul(step as u64);
        for (offset, drift) in &mut self.skew {
            *offset = (*offset + *drift).clamp(-MAX_CLOCK_OFFSET, MAX_CLOCK_OFFSET);
        }
    }

    /// Replica `r`'s physical time.
    fn read(&self, r: ReplicaId) -> u64 {
        let offset = self.skew.get(r.index()).map_or(0, |s| s.0);
        self.now.saturating_add_signed(offset)
    }
}

type Checked<T = ()> = Result<T, Finding>;

/// Runs `schedule` with `protocol` and returns what happened and the first finding.
///
/// The schedule must be [valid](Schedule::validate). A panic anywhere in the model's code
/// (including its `Clone`, `PartialEq` and `Debug`) is a [`Property::Panic`] finding at the
/// step where it happened, with the events up to it.
pub fn run<P: Protocol>(protocol: &P, schedule: &Schedule<Op<P>>, config: RunConfig) -> Outcome {
    run_with(protocol, schedule, config, true, true)
}

/// Like [`run`], for the search: the same checks and the same finding, without the events and
/// the replicas' final values (which only a reported failure shows, and its report runs the
/// schedule again). Their `Debug` text is most of a passing run's allocations.
pub(crate) fn run_unrecorded<P: Protocol>(
    protocol: &P,
    schedule: &Schedule<Op<P>>,
    config: RunConfig,
) -> Outcome {
    run_with(protocol, schedule, config, true, false)
}

/// Runs `schedule`'s steps but not the quiescence after them: what happened up to a step that
/// never returned (a hung run's execution, for its report).
pub fn run_steps<P: Protocol>(
    protocol: &P,
    schedule: &Schedule<Op<P>>,
    config: RunConfig,
) -> Outcome {
    run_with(protocol, schedule, config, false, true)
}

/// The step number [`note`](crdt_laws::contain::note)d for quiescence, so a watchdog that gives
/// up on a run knows where it was.
pub const QUIESCENCE_NOTE: u64 = u64::MAX;

fn run_with<P: Protocol>(
    protocol: &P,
    schedule: &Schedule<Op<P>>,
    config: RunConfig,
    quiesce: bool,
    record: bool,
) -> Outcome {
    if let Some(outcome) = protocol.run_own(schedule, config, quiesce) {
        return outcome;
    }
    // An adapter model's run goes to its process as one batch (`adapter::batched`).
    crate::adapter::batched(
        || run_once(protocol, schedule, config, quiesce, record),
        |outcome| outcome.finding.is_none(),
    )
}

fn run_once<P: Protocol>(
    protocol: &P,
    schedule: &Schedule<Op<P>>,
    config: RunConfig,
    quiesce: bool,
    record: bool,
) -> Outcome {
    let mut sim = match catch_panic(|| Sim::new(protocol, schedule, config, record)) {
        Ok(sim) => sim,
        Err(panic) => {
            return Outcome {
                finding: Some(Finding {
                    property: Property::Panic,
                    step: Some(0),
                    message: format!("the model {panic} while the replicas were created"),
                    replicas: Vec::new(),
                    values: Vec::new(),
                }),
                events: Vec::new(),
                stats: RunStats::default(),
                values: Vec::new(),
            };
        }
    };
    let result = sim.contain_step(Sim::start).and_then(|()| {
        for (i, step) in schedule.steps.iter().enumerate() {
            sim.step = Some(i + 1);
            sim.clocks.advance(i + 1);
            crdt_laws::contain::note(i as u64 + 1);
            sim.contain_step(|sim| sim.exec(step))?;
        }
        sim.step = None;
        sim.clocks.advance(schedule.steps.len() + 1);
        if quiesce {
            crdt_laws::contain::note(QUIESCENCE_NOTE);
            sim.contain_step(Sim::quiesce)?;
        }
        Ok(())
    });
    let values = sim
        .replicas
        .iter()
        .filter(|r| record && r.status == Status::Up)
        .map(|r| {
            let text = catch_panic(|| format!("{:?}", r.value))
                .unwrap_or_else(|panic| format!("(Debug {panic})"));
            (r.id, text)
        })
        .collect();
    Outcome {
        finding: result.err(),
        events: sim.events,
        stats: sim.stats,
        values,
    }
}

impl<'a, P: Protocol> Sim<'a, P> {
    fn new(p: &'a P, schedule: &Schedule<Op<P>>, config: RunConfig, record: bool) -> Self {
        let n = schedule.replicas as usize;
        let model = p.model();
        let probe = model.new_replica(ReplicaId::new(0));
        let sequence_model = model.element_ids(&probe).is_some();
        // (Recording an adapter's run: a new replica shows what the empty history specifies.)
        let initially = if crate::adapter::speculating() {
            model.spec(&crdt_laws::History::new())
        } else {
            None
        };
        let replicas = (0..schedule.replicas)
            .map(ReplicaId::new)
            .map(|id| {
                let state = model.new_replica(id);
                if let Some(value) = &initially {
                    model.expect_value(&state, value);
                }
                Replica {
                    id,
                    status: if schedule.late.contains(&id) {
                        Status::Absent
                    } else {
                        Status::Up
                    },
                    value: model.value(&state),
                    state,
                    seen: Seen::default(),
                    durable: None,
                    links: vec![Vec::new(); n],
                    resync: vec![false; n],
                    epoch: 0,
                    last_insert: None,
                }
            })
            .collect();
        Sim {
            p,
            config,
            replicas,
            updates: Vec::new(),
            log: Vec::new(),
            flight: Vec::new(),
            next_message: 0,
            next_delta: 0,
            side: None,
            step: Some(0),
            events: Vec::new(),
            record,
            stats: RunStats::default(),
            sequences: Sequences::default(),
            sequence_model,
            list_spec: sequence_model && model.list_spec(&crdt_laws::History::new(), &[]).is_some(),
            fork_checked: false,
            convergence_checked: false,
            specs: FxHashMap::default(),
            visible: crdt_laws::History::new(),
            sizes: vec![None; n],
            merged_bytes: None,
            clocks: Clocks {
                now: 0,
                skew: vec![(0, 0); n],
                skewed: false,
            },
        }
    }

    /// Keeps the event `event` makes of the current step, when events are kept.
    fn log(&mut self, event: impl FnOnce(Option<usize>) -> Event) {
        if self.record {
            self.events.push(event(self.step));
        }
    }

    fn finding(&self, property: Property, message: String, replicas: &[ReplicaId]) -> Finding {
        Finding {
            property,
            step: self.step,
            message,
            replicas: replicas.to_vec(),
            values: replicas
                .iter()
                .map(|&r| (r, format!("{:?}", self.replicas[r.index()].value)))
                .collect(),
        }
    }

    /// Runs one part of the run (a step, the start, quiescence) turning any panic in it into a
    /// finding: the one place that contains every call into the model, including those not
    /// wrapped by [`contained`](Sim::contained) (order, equality, `Debug`, `Clone`).
    fn contain_step(&mut self, part: impl FnOnce(&mut Self) -> Checked) -> Checked {
        catch_panic(|| part(&mut *self)).unwrap_or_else(|panic| {
            let at = self
                .step
                .map_or("at quiescence".to_string(), |s| format!("in step {s}"));
            Err(Finding {
                property: Property::Panic,
                step: self.step,
                message: format!("the model {panic} ({at})"),
                replicas: Vec::new(),
                values: Vec::new(),
            })
        })
    }

    /// Runs a call into the model, turning a panic or a blown time budget into a finding. A
    /// fork and the update or merge applied to it, or a value and its invariant, are one call
    /// (timed together: what a step asks of the model at one replica).
    fn contained<T>(&self, replica: ReplicaId, f: impl FnOnce() -> T) -> Checked<(T, Duration)> {
        let environment = crdt_laws::env::Environment {
            physical_time: self.clocks.read(replica),
            replicas: u32::try_from(self.replicas.len()).ok(),
        };
        let started = Instant::now();
        let result = catch_panic(|| crdt_laws::env::with(environment, f));
        let took = started.elapsed();
        let value = result.map_err(|panic| {
            self.finding(
                Property::Panic,
                format!("the model {panic} (at replica {replica})"),
                &[],
            )
        })?;
        if took > self.config.limits.step_budget {
            return Err(self.finding(
                Property::StepTimeout,
                format!(
                    "a call into the model at replica {replica} took {took:.2?}, over the budget \
                     of {:.2?}",
                    self.config.limits.step_budget
                ),
                &[],
            ));
        }
        Ok((value, took))
    }

    /// The initial states: checked like any other (a model may already break its spec).
    fn start(&mut self) -> Checked {
        for i in 0..self.replicas.len() {
            if self.replicas[i].status == Status::Up {
                self.after_change(i, None, None, Duration::ZERO)?;
            }
        }
        Ok(())
    }

    /// True when replicas ship states or deltas (the flavours whose protocol has a
    /// [`state_payload`](Protocol::state_payload)), without copying a state to find out.
    fn ships_states(&self) -> bool {
        matches!(
            self.p.flavour(),
            crdt_laws::Flavour::StateBased | crdt_laws::Flavour::DeltaState
        )
    }

    fn up(&self, r: ReplicaId) -> bool {
        self.replicas
            .get(r.index())
            .is_some_and(|x| x.status == Status::Up)
    }

    fn exec(&mut self, step: &Step<Op<P>>) -> Checked {
        match step {
            Step::Update { replica, op } => self.update(*replica, op),
            Step::Send { from, to } => self.send(*from, *to),
            Step::Deliver { to, pick } => self.deliver(*to, *pick),
            Step::Drop { pick } => {
                if let Some(k) = self.newest(*pick) {
                    let message = self.flight.remove(k);
                    self.stats.effective_steps += 1;
                    self.log(|step| Event::Drop {
                        step,
                        message: message.id,
                    });
                }
                Ok(())
            }
            Step::Duplicate { pick } => {
                if let Some(k) = self.newest(*pick) {
                    let mut copy = self.flight[k].clone();
                    let original = copy.id;
                    copy.id = self.next_message;
                    self.next_message += 1;
                    self.log(|step| Event::Duplicate {
                        step,
                        message: original,
                        copy: copy.id,
                    });
                    self.flight.push(copy);
                    self.stats.effective_steps += 1;
                }
                Ok(())
            }
            Step::Partition { side } => {
                let mut split = vec![false; self.replicas.len()];
                for r in side {
                    split[r.index()] = true;
                }
                self.side = Some(split);
                self.stats.effective_steps += 1;
                self.log(|step| Event::Partition {
                    step,
                    side: side.clone(),
                });
                Ok(())
            }
            Step::Heal => {
                if self.side.take().is_some() {
                    self.stats.effective_steps += 1;
                    self.log(|step| Event::Heal { step });
                }
                Ok(())
            }
            Step::Crash { replica } => self.crash(*replica),
            Step::Restart { replica } => self.restart(*replica),
            Step::Join { replica } => self.join(*replica),
            Step::Clock {
                replica,
                offset,
                drift,
            } => {
                if let Some(skew) = self.clocks.skew.get_mut(replica.index()) {
                    *skew = (
                        (*offset).clamp(-MAX_CLOCK_OFFSET, MAX_CLOCK_OFFSET),
                        (*drift).clamp(-MAX_CLOCK_DRIFT, MAX_CLOCK_DRIFT),
                    );
                    self.clocks.skewed = true;
                    self.stats.effective_steps += 1;
                    self.events.push(Event::Clock {
                        step: self.step,
                        replica: *replica,
                        offset: skew.0,
                        drift: skew.1,
                    });
                }
                Ok(())
            }
        }
    }

    /// The message in flight that a drop or duplicate picks: `pick` counts back from the newest
    /// (so removing older steps, as shrinking does, keeps the same message picked).
    fn newest(&self, pick: u32) -> Option<usize> {
        let n = self.flight.len();
        (n > 0).then(|| n - 1 - pick as usize % n)
    }

    /// The first update of a run is applied to a fork, like every update: the original must
    /// not have changed, or every oracle that keeps an old state (monotone growth, sequences)
    /// compares a state with itself.
    fn check_fork(&self, i: usize, updated: &State<P>, op: &Op<P>) -> Checked {
        let model = self.p.model();
        let r = self.replicas[i].id;
        let initially = &self.replicas[i].value;
        let (fork_value, _) = self.contained(r, || model.value(updated))?;
        let (now, _) = self.contained(r, || model.value(&self.replicas[i].state))?;
        if fork_value == *initially || now == *initially {
            return Ok(());
        }
        Err(self.finding(
            Property::ForkIndependent,
            format!(
                "the model's fork shares state with the original: applying {op:?} to a fork of \
                 {r} changed {r}'s value from {initially:?} to {now:?}. Implement Model::fork \
                 to return an independent copy (for a document that clones as a shared handle: \
                 encode it and load the bytes into a new document with the same replica id)"
            ),
            &[r],
        ))
    }

    /// Recording an adapter's run ([`Model::expect_value`]): the value replica `i`'s `updated`
    /// state, `op` applied as `dot`, shows by the specification (the update is recorded
    /// only once [`check_fork`](Self::check_fork) passes).
    fn expect_update(&mut self, i: usize, updated: &State<P>, dot: Dot, op: &Op<P>) -> Checked {
        let mut seen = self.replicas[i].seen.clone();
        seen.insert(self.updates.len());
        self.updates.push(UpdateRecord {
            dot,
            op: op.clone(),
            deps: self.replicas[i].seen.clone(),
        });
        let judged = self.judge(self.replicas[i].id, &seen);
        self.updates.pop();
        judged?;
        if let Some(Some(expected)) = self.specs.get(&seen) {
            self.p.model().expect_value(updated, expected);
        }
        Ok(())
    }

    fn update(&mut self, r: ReplicaId, op: &Op<P>) -> Checked {
        if !self.up(r) {
            return Ok(());
        }
        let i = r.index();
        let model = self.p.model();
        let seq = self.updates.iter().filter(|u| u.dot.replica == r).count() as u64 + 1;
        let dot = Dot::new(r, seq);
        // The update is applied to a fork; the original, kept, is the state before it.
        let ((state, produced), _) = self.contained(r, || {
            let mut state = model.fork(&self.replicas[i].state);
            let produced = self.p.update(&mut state, dot, op);
            (state, produced)
        })?;
        if !self.fork_checked {
            self.fork_checked = true;
            if crate::adapter::speculating() {
                self.expect_update(i, &state, dot, op)?;
            }
            self.check_fork(i, &state, op)?;
        }
        let before = std::mem::replace(&mut self.replicas[i].state, state);
        let u = self.updates.len();
        self.updates.push(UpdateRecord {
            dot: Dot::new(r, seq),
            op: op.clone(),
            deps: self.replicas[i].seen.clone(),
        });
        self.replicas[i].seen.insert(u);
        self.stats.updates += 1;
        self.stats.effective_steps += 1;
        if self.record {
            let label = if self.clocks.skewed {
                format!("{op:?} at clock {}", self.clocks.read(r))
            } else {
                format!("{op:?}")
            };
            self.log(|step| Event::Update {
                step,
                replica: r,
                dot: Dot::new(r, seq),
                label,
            });
        } else {
            // The operation's `Debug` is the model's code: exercised as a recorded run would
            // (a panic in it is a finding), without keeping its text.
            let _ = debug_len(op);
        }
        match produced {
            Produced::Nothing => {}
            Produced::Delta(delta) => {
                let mut carries = Seen::default();
                carries.insert(u);
                self.buffer_delta(i, None, (delta, carries));
            }
            Produced::Broadcast(message) => {
                self.log.push(message.clone());
                for j in 0..self.replicas.len() {
                    if j != i && self.replicas[j].status != Status::Absent {
                        self.post(r, ReplicaId::new(j as u32), u, message.clone());
                    }
                }
            }
        }
        self.after_change(i, Some(&before), Some(u), Duration::ZERO)
    }

    /// Delta-state: buffers a delta (with the updates it carries) at replica `i` for every
    /// other replica except `except` (the one it came from).
    fn buffer_delta(&mut self, i: usize, except: Option<usize>, delta: Buffered<P>) {
        if self.p.flavour() != crdt_laws::Flavour::DeltaState {
            return;
        }
        let seq = self.next_delta;
        self.next_delta += 1;
        let delta = Rc::new(delta);
        for (j, link) in self.replicas[i].links.iter_mut().enumerate() {
            if j != i && Some(j) != except {
                link.push((seq, Rc::clone(&delta)));
            }
        }
    }

    /// Puts operation message `u` in flight from `from` to `to`.
    fn post(&mut self, from: ReplicaId, to: ReplicaId, u: usize, payload: P::Payload) {
        let mut seen = Seen::default();
        seen.insert(u);
        let id = self.next_message;
        self.next_message += 1;
        self.stats.messages += 1;
        let dot = self.updates[u].dot;
        self.log(|step| Event::Send {
            step,
            from,
            to,
            message: id,
            label: if dot.replica == from && step.is_some() {
                dot.to_string()
            } else {
                format!("{dot} again")
            },
        });
        self.flight.push(Message {
            id,
            from,
            to,
            payload,
            seen,
            carries: Carries::Op { update: u },
        });
    }

    fn send(&mut self, from: ReplicaId, to: ReplicaId) -> Checked {
        if !self.up(from) || from == to || to.index() >= self.replicas.len() {
            return Ok(());
        }
        if !self.ships_states() {
            // Operation-based: messages are broadcast when updates happen.
            return Ok(());
        }
        let sender = &mut self.replicas[from.index()];
        let delta_state = !sender.links[to.index()].is_empty() || sender.resync[to.index()];
        let (payload, seen, carries, group) =
            if self.p.flavour() == crdt_laws::Flavour::DeltaState && !sender.resync[to.index()] {
                if !delta_state {
                    return Ok(());
                }
                let link = &sender.links[to.index()];
                let mut group = link[0].1.0.clone();
                let mut seen = Seen::default();
                for (_, buffered) in link {
                    let (delta, carries) = &**buffered;
                    self.p.join(&mut group, delta);
                    seen.union_with(carries);
                }
                let upto = link.last().map_or(0, |(seq, _)| *seq);
                (group, seen, Carries::Delta { upto }, Some(link.len()))
            } else {
                // Whole state: state-based, or a delta replica resynchronizing after a restart.
                let Some(whole) = self.p.state_payload(&sender.state) else {
                    return Ok(());
                };
                let carries = Carries::State {
                    upto: self.next_delta,
                    epoch: sender.epoch,
                };
                (whole, sender.seen.clone(), carries, None)
            };
        let id = self.next_message;
        self.next_message += 1;
        self.stats.messages += 1;
        self.stats.effective_steps += 1;
        self.log(|step| Event::Send {
            step,
            from,
            to,
            message: id,
            label: group.map_or_else(|| "state".to_string(), |n| format!("δ-group of {n}")),
        });
        self.flight.push(Message {
            id,
            from,
            to,
            payload,
            seen,
            carries,
        });
        Ok(())
    }

    fn blocked(&self, a: ReplicaId, b: ReplicaId) -> bool {
        self.side
            .as_ref()
            .is_some_and(|side| side[a.index()] != side[b.index()])
    }

    /// True when the declared delivery lets message `m` reach its receiver now (a duplicate
    /// always may: the harness discards it, or delivers it to a model that takes duplicates).
    fn allowed(&self, m: &Message<P::Payload>) -> bool {
        let Carries::Op { update } = m.carries else {
            return true;
        };
        let seen = &self.replicas[m.to.index()].seen;
        if seen.contains(update) {
            return true;
        }
        let record = &self.updates[update];
        match self.p.delivery() {
            Delivery::Causal => record.deps.is_subset(seen),
            Delivery::FifoPerSender => self.updates[..update]
                .iter()
                .enumerate()
                .all(|(k, earlier)| earlier.dot.replica != record.dot.replica || seen.contains(k)),
            _ => true,
        }
    }

    /// The messages that may arrive at `to` now, as indices into the flight, oldest first.
    ///
    /// Without reordering a replica receives messages in the order they were sent (one queue
    /// per receiver, so delivery is causal): only the oldest message addressed to it may
    /// arrive, and only when the partition and the declared delivery allow. With reordering any
    /// message may overtake another, subject to the declared delivery, which the harness then
    /// provides by buffering.
    fn deliverable(
        &self,
        to: ReplicaId,
        reorder: bool,
    ) -> impl DoubleEndedIterator<Item = usize> + Clone + '_ {
        let ready = move |&k: &usize| {
            let m = &self.flight[k];
            !self.blocked(m.from, m.to) && self.allowed(m)
        };
        let addressed = (0..self.flight.len()).filter(move |&k| self.flight[k].to == to);
        let oldest = if reorder {
            None
        } else {
            addressed.clone().next()
        };
        addressed
            .filter(move |k| oldest.is_none_or(|o| o == *k))
            .filter(ready)
    }

    fn deliver(&mut self, to: ReplicaId, pick: u32) -> Checked {
        if !self.up(to) {
            return Ok(());
        }
        let candidates = self.deliverable(to, self.config.reorder);
        let count = candidates.clone().count();
        if count == 0 {
            return Ok(());
        }
        // Count back from the newest, so removing older steps keeps the same message picked.
        let k = candidates
            .rev()
            .nth(pick as usize % count)
            .expect("fewer than `count` back from the newest");
        self.stats.effective_steps += 1;
        self.receive(k)
    }

    /// Delivers flight message number `k`.
    fn receive(&mut self, k: usize) -> Checked {
        let m = self.flight.remove(k);
        let i = m.to.index();
        if let Carries::Op { update } = m.carries
            && self.replicas[i].seen.contains(update)
            && !self.p.delivery().duplicates()
        {
            self.log(|step| Event::Discard {
                step,
                to: m.to,
                message: m.id,
            });
            return Ok(());
        }
        let model = self.p.model();
        // Merged into a fork; the original, kept, is the state before the merge.
        let measure = self.config.measure;
        let ((state, merge_time), took) = self.contained(m.to, || {
            let mut state = model.fork(&self.replicas[i].state);
            let started = measure.then(Instant::now);
            self.p.receive(&mut state, &m.payload);
            (state, started.map(|t| t.elapsed()))
        })?;
        let took = merge_time.unwrap_or(took);
        if !matches!(m.carries, Carries::Op { .. }) {
            self.merged_bytes = Some(self.p.payload_debug_len(&m.payload));
        }
        let replica = &mut self.replicas[i];
        let before = std::mem::replace(&mut replica.state, state);
        replica.seen.union_with(&m.seen);
        // Receiving ends a run of typing: the next insert may attach to what just arrived.
        replica.last_insert = None;
        match m.carries {
            Carries::Delta { upto } => {
                // The receiver acknowledges: the sender forgets the deltas now delivered.
                self.replicas[m.from.index()].links[i].retain(|(seq, _)| *seq > upto);
                self.buffer_delta(i, Some(m.from.index()), (m.payload, m.seen));
            }
            Carries::State { upto, epoch } => {
                // A whole state covers what the sender had buffered for this receiver, and
                // completes a resynchronization if sent since the sender's last restart.
                let sender = &mut self.replicas[m.from.index()];
                sender.links[i].retain(|(seq, _)| *seq >= upto);
                if epoch == sender.epoch {
                    sender.resync[i] = false;
                }
                self.buffer_delta(i, Some(m.from.index()), (m.payload, m.seen));
            }
            Carries::Op { .. } => {}
        }
        self.log(|step| Event::Deliver {
            step,
            to: m.to,
            message: m.id,
        });
        self.after_change(i, Some(&before), None, took)
    }

    fn crash(&mut self, r: ReplicaId) -> Checked {
        if !self.up(r) {
            return Ok(());
        }
        let i = r.index();
        let model = self.p.model();
        let (state, _) = self.contained(r, || model.fork(&self.replicas[i].state))?;
        let (snapshot, _) = self.contained(r, || model.round_trip(&state))?;
        let restored = match snapshot {
            None => self.contained(r, || model.fork(&state))?.0,
            Some(Ok(restored)) => restored,
            Some(Err(e)) => {
                return Err(self.finding(
                    Property::Persistence,
                    format!("{r}'s state could not be saved at a crash: {e}"),
                    &[r],
                ));
            }
        };
        let replica = &mut self.replicas[i];
        replica.durable = Some(Box::new((restored, state)));
        replica.status = Status::Crashed;
        // Unacknowledged deltas lived in memory: after the restart, resynchronize whole states.
        for link in &mut replica.links {
            link.clear();
        }
        replica.resync.fill(true);
        replica.last_insert = None;
        self.stats.effective_steps += 1;
        self.log(|step| Event::Crash { step, replica: r });
        Ok(())
    }

    fn restart(&mut self, r: ReplicaId) -> Checked {
        let i = r.index();
        if self.replicas.get(i).map(|x| x.status) != Some(Status::Crashed) {
            return Ok(());
        }
        let (restored, at_crash) = *self.replicas[i]
            .durable
            .take()
            .expect("a crashed replica has a snapshot");
        self.replicas[i].state = restored;
        self.replicas[i].status = Status::Up;
        self.replicas[i].epoch += 1;
        self.stats.effective_steps += 1;
        self.log(|step| Event::Restart { step, replica: r });
        self.after_change(i, Some(&at_crash), None, Duration::ZERO)
    }

    fn join(&mut self, r: ReplicaId) -> Checked {
        let i = r.index();
        if self.replicas.get(i).map(|x| x.status) != Some(Status::Absent) {
            return Ok(());
        }
        self.replicas[i].status = Status::Up;
        self.stats.effective_steps += 1;
        self.log(|step| Event::Join { step, replica: r });
        // Operation-based: the newcomer is sent every message so far.
        for u in 0..self.log.len() {
            let origin = self.updates[u].dot.replica;
            self.post(origin, r, u, self.log[u].clone());
        }
        self.after_change(i, None, None, Duration::ZERO)
    }

    /// Ends the run: heal, restart, join, deliver and retransmit everything, synchronize
    /// states, then require agreement.
    fn quiesce(&mut self) -> Checked {
        self.log(|_| Event::Quiesce);
        if self.side.take().is_some() {
            self.log(|_| Event::Heal { step: None });
        }
        for r in 0..self.replicas.len() as u32 {
            self.restart(ReplicaId::new(r))?;
            self.join(ReplicaId::new(r))?;
        }
        loop {
            let mut progress = false;
            while let Some(k) = (0..self.flight.len()).find(|&k| self.allowed(&self.flight[k])) {
                self.receive(k)?;
                progress = true;
            }
            // Operation messages that were lost are sent again, in causal order.
            for u in 0..self.log.len() {
                for j in 0..self.replicas.len() {
                    if !self.replicas[j].seen.contains(u) {
                        let origin = self.updates[u].dot.replica;
                        self.post(origin, ReplicaId::new(j as u32), u, self.log[u].clone());
                        let k = self.flight.len() - 1;
                        if self.allowed(&self.flight[k]) {
                            self.receive(k)?;
                            progress = true;
                        }
                    }
                }
            }
            if !progress {
                break;
            }
        }
        // Whatever is left cannot take effect: duplicates of delivered messages.
        self.flight.clear();
        if self.ships_states() {
            // Every replica sends its whole state to A, then A sends its state to everyone.
            let n = self.replicas.len() as u32;
            for r in 1..n {
                self.sync(ReplicaId::new(r), ReplicaId::new(0))?;
            }
            for r in 1..n {
                self.sync(ReplicaId::new(0), ReplicaId::new(r))?;
            }
        }
        self.agree()
    }

    /// Quiescence: `from` ships its whole state to `to`, which merges it at once.
    fn sync(&mut self, from: ReplicaId, to: ReplicaId) -> Checked {
        self.replicas[from.index()].resync[to.index()] = true;
        self.send(from, to)?;
        let k = self.flight.len() - 1;
        self.receive(k)
    }

    /// After quiescence, every replica must show the same value (and state, for state-based
    /// models).
    fn agree(&self) -> Checked {
        let first = &self.replicas[0];
        for other in &self.replicas[1..] {
            if other.value != first.value {
                return Err(self.finding(
                    Property::Convergence,
                    format!(
                        "after every message was delivered, {} and {} still disagree",
                        first.id, other.id
                    ),
                    &[first.id, other.id],
                ));
            }
        }
        if self.ships_states() {
            for other in &self.replicas[1..] {
                if self.p.model().state_eq(&other.state, &first.state) == Some(false) {
                    return Err(self.states_differ(first.id, other.id));
                }
            }
        }
        Ok(())
    }

    fn states_differ(&self, a: ReplicaId, b: ReplicaId) -> Finding {
        let mut finding = self.finding(
            Property::EqualValuesDifferentStates,
            format!("{a} and {b} have seen the same updates and show the same value, but their states differ"),
            &[a, b],
        );
        finding.values = [a, b]
            .iter()
            .map(|&r| (r, format!("{:?}", self.replicas[r.index()].state)))
            .collect();
        finding
    }

    /// The oracles, after replica `i` changed (from `before`; by local update `update`).
    fn after_change(
        &mut self,
        i: usize,
        before: Option<&State<P>>,
        update: Option<usize>,
        merge_time: Duration,
    ) -> Checked {
        let model = self.p.model();
        let r = self.replicas[i].id;
        if crate::adapter::speculating() {
            // (Recording an adapter's run: the value it must show, as the check below has it.)
            self.judge_replica(i)?;
            if let Some(Some(expected)) = self.specs.get(&self.replicas[i].seen) {
                model.expect_value(&self.replicas[i].state, expected);
            }
        }
        let state = &self.replicas[i].state;
        let ((value, invariant), _) = self.contained(r, || {
            let value = model.value(state);
            let invariant = model.invariant(&value);
            (value, invariant)
        })?;
        let bytes = model.debug_len(state);
        let moved_down = before.is_some_and(|before| self.p.leq(before, state) == Some(false));
        self.replicas[i].value = value;
        if let Err(broken) = invariant {
            return Err(self.finding(
                Property::Invariant,
                format!("{r} shows a value that breaks the model's invariant: {broken}"),
                &[r],
            ));
        }
        if self.config.measure
            && let Some(step) = self.step
        {
            self.stats.measurements.push(Measurement {
                step,
                state_bytes: bytes,
                merge_nanos: u64::try_from(merge_time.as_nanos()).unwrap_or(u64::MAX),
            });
        }
        self.check_size(i, bytes)?;
        if let Some(before) = before
            && moved_down
        {
            let mut finding = self.finding(
                Property::MonotoneGrowth,
                format!("{r}'s state moved down: the new state is not above the old one"),
                &[r],
            );
            finding.values = vec![
                (r, format!("{before:?} before")),
                (r, format!("{:?} after", self.replicas[i].state)),
            ];
            return Err(finding);
        }
        // A specification sees the updates the replica has applied. Where a message arrived
        // before its causal past (a model declaring unordered delivery may buffer it inside),
        // what was applied is not known, so the replica is judged once its past is complete.
        // Both depend only on the updates seen (records never change once made), so each set
        // of updates is judged once per run, whichever replica reaches it and however often.
        self.judge_replica(i)?;
        let seen = &self.replicas[i].seen;
        if let Some(expected) = &self.specs[seen]
            && *expected != self.replicas[i].value
        {
            let mut finding = self.finding(
                Property::Specification,
                format!(
                    "{r} has seen {} update(s) and shows a value its specification does not allow",
                    seen.len()
                ),
                &[r],
            );
            finding
                .values
                .push((r, format!("{expected:?} (specification)")));
            return Err(finding);
        }
        if self.sequence_model {
            self.check_sequence(i, before, update)?;
        }
        self.check_convergence(i)
    }

    /// [`judge`](Self::judge) of what replica `i` has seen.
    fn judge_replica(&mut self, i: usize) -> Checked {
        let seen = std::mem::take(&mut self.replicas[i].seen);
        let judged = self.judge(self.replicas[i].id, &seen);
        self.replicas[i].seen = seen;
        judged
    }

    /// What the specification expects of a replica that has seen `seen` (asked as replica
    /// `r`), kept in `specs`: once per set of updates.
    fn judge(&mut self, r: ReplicaId, seen: &Seen) -> Checked {
        if self.specs.contains_key(seen) {
            return Ok(());
        }
        // (An adapter model's recorded run has no specification to meet, unless it assumes
        // the specification's values.)
        let expected =
            if !crate::adapter::neutral_recording() && applied_is_known(&self.updates, seen) {
                let model = self.p.model();
                let mut visible = std::mem::take(&mut self.visible);
                history_into(&self.updates, seen, &mut visible);
                let judged = self.contained(r, || model.spec(&visible));
                self.visible = visible;
                judged?.0
            } else {
                None
            };
        self.specs.insert(seen.clone(), expected);
        Ok(())
    }

    /// State explosion: over the absolute limit, over the growth allowed for the updates
    /// replica `i` has applied, or grown by a merge beyond both merged states together.
    fn check_size(&mut self, i: usize, bytes: usize) -> Checked {
        let r = self.replicas[i].id;
        let limits = self.config.limits;
        let (initial, last) = *self.sizes[i].get_or_insert((bytes, bytes));
        self.sizes[i] = Some((initial, bytes));
        let merged = self.merged_bytes.take();
        let updates = self.replicas[i].seen.len();
        let allowed = limits.growth_limit(initial, updates);
        let message = if bytes > limits.max_state_bytes {
            format!(
                "{r}'s state grew to {bytes} bytes of Debug text, over the limit of {}",
                limits.max_state_bytes
            )
        } else if bytes > allowed {
            format!(
                "{r}'s state grew to {bytes} bytes of Debug text after {updates} update(s), over \
                 the {allowed} allowed ({initial} at start + {} + {} per update)",
                limits.growth_slack_bytes, limits.bytes_per_update
            )
        } else if let Some(merged) = merged
            && bytes
                > last
                    .saturating_add(merged)
                    .saturating_add(limits.merge_slack_bytes)
        {
            format!(
                "{r}'s state grew from {last} to {bytes} bytes of Debug text merging {merged} \
                 bytes: a join holds no more than both states together (+ {} bytes)",
                limits.merge_slack_bytes
            )
        } else {
            return Ok(());
        };
        Err(self.finding(Property::StateExplosion, message, &[r]))
    }

    /// Replicas that have seen the same updates must agree.
    ///
    /// Only pairs with replica `changed` are compared once every pair has been (the first
    /// check of a run): every other pair passed at an earlier check and neither of its
    /// replicas has changed since (a replica's state, value and updates seen change only
    /// where [`after_change`](Sim::after_change) follows, and a finding ends the run). The
    /// pairs are visited in the same order as all pairs would be, so the finding is the same.
    fn check_convergence(&mut self, changed: usize) -> Checked {
        let all = !self.convergence_checked;
        self.convergence_checked = true;
        let state_based = self.ships_states();
        let up = |r: &&Replica<P>| r.status == Status::Up;
        for (k, a) in self.replicas.iter().enumerate().filter(|(_, a)| up(a)) {
            if !all && k > changed {
                break;
            }
            for (l, b) in self.replicas.iter().enumerate().skip(k + 1) {
                if !up(&b) || (!all && k != changed && l != changed) || a.seen != b.seen {
                    continue;
                }
                if a.value != b.value {
                    return Err(self.finding(
                        Property::Convergence,
                        format!(
                            "{} and {} have seen the same {} update(s) but show different values",
                            a.id,
                            b.id,
                            a.seen.len()
                        ),
                        &[a.id, b.id],
                    ));
                }
                if state_based && self.p.model().state_eq(&a.state, &b.state) == Some(false) {
                    return Err(self.states_differ(a.id, b.id));
                }
            }
        }
        Ok(())
    }

    /// The model's [list specification](Model::list_spec) (the strong list specification of a
    /// text adapter): replica `i`'s list `ids` is explained by the updates it has seen. Judged
    /// as the specification is, once what the replica applied is known, and once per list and
    /// set of updates.
    fn check_list_spec(&mut self, i: usize, ids: &[Dot]) -> Checked {
        let seen = &self.replicas[i].seen;
        if !self.list_spec
            || !applied_is_known(&self.updates, seen)
            || self
                .sequences
                .judged
                .get(seen)
                .is_some_and(|lists| lists.contains(ids))
        {
            return Ok(());
        }
        let r = self.replicas[i].id;
        let mut visible = std::mem::take(&mut self.visible);
        history_into(&self.updates, seen, &mut visible);
        let model = self.p.model();
        let judged = self.contained(r, || model.list_spec(&visible, ids));
        self.visible = visible;
        let (verdict, _) = judged?;
        if let Some(Err(why)) = verdict {
            let shown: Vec<String> = ids.iter().map(ToString::to_string).collect();
            return Err(self.finding(
                Property::Specification,
                format!(
                    "{r} has seen {} update(s) and shows [{}], which its list specification \
                     does not explain: {why}",
                    self.replicas[i].seen.len(),
                    shown.join(" ")
                ),
                &[r],
            ));
        }
        let seen = self.replicas[i].seen.clone();
        self.sequences
            .judged
            .entry(seen)
            .or_default()
            .insert(ids.to_vec());
        Ok(())
    }

    /// One order of all elements at every replica at every step, and (when the model promises
    /// it) no interleaving of a replica's consecutive inserts.
    fn check_sequence(
        &mut self,
        i: usize,
        before: Option<&State<P>>,
        update: Option<usize>,
    ) -> Checked {
        let model = self.p.model();
        let r = self.replicas[i].id;
        let ids = model
            .element_ids(&self.replicas[i].state)
            .unwrap_or_default();
        if let (Some(u), Some(before)) = (update, before) {
            let old: std::collections::HashSet<Dot> = model
                .element_ids(before)
                .unwrap_or_default()
                .into_iter()
                .collect();
            let new: Vec<Dot> = ids.iter().copied().filter(|d| !old.contains(d)).collect();
            for (k, d) in ids.iter().enumerate() {
                if !old.contains(d) {
                    self.sequences.inserted_by.insert(*d, u);
                    let origins = Origins {
                        left: k.checked_sub(1).map(|j| ids[j]),
                        right: ids.get(k + 1).copied(),
                    };
                    self.sequences.origins.insert(*d, origins);
                }
            }
            if old.len() + new.len() > ids.len() {
                self.sequences.deleting.insert(u);
            }
            let replica = &mut self.replicas[i];
            if let [y] = new[..] {
                if let Some(x) = replica.last_insert {
                    let pos = |d: Dot| ids.iter().position(|&e| e == d);
                    if let (Some(px), Some(py)) = (pos(x), pos(y))
                        && px.abs_diff(py) == 1
                    {
                        self.sequences.runs.push((x, y));
                    }
                }
                replica.last_insert = Some(y);
            } else {
                replica.last_insert = None;
            }
        }
        for (k, &a) in ids.iter().enumerate() {
            for &b in &ids[k + 1..] {
                if let Some(&(who, when)) = self.sequences.shown.get(&(b, a)) {
                    let when =
                        when.map_or("at quiescence".to_string(), |s| format!("after step {s}"));
                    return Err(self.finding(
                        Property::SequenceOrder,
                        format!(
                            "{r} shows element {a} before {b}, but {who} showed {b} before {a} {when}"
                        ),
                        &[r, who],
                    ));
                }
                self.sequences.shown.entry((a, b)).or_insert((r, self.step));
            }
        }
        let promise = model.non_interleaving();
        let seen = &self.replicas[i].seen;
        // The paper's origins count tombstones: judge only lists that have none, and only once
        // what the replica received is causally complete (so it is what it applied).
        let judged = promise != NonInterleaving::None
            && seen.iter().all(|u| !self.sequences.deleting.contains(u))
            && applied_is_known(&self.updates, seen);
        if judged && let Some(broken) = interleaving::check(&ids, &self.sequences.origins, promise)
        {
            let property = match broken.level() {
                NonInterleaving::Forward => Property::ForwardInterleaving,
                NonInterleaving::Backward => Property::BackwardInterleaving,
                _ => Property::MaximalInterleaving,
            };
            let shown: Vec<String> = ids.iter().map(ToString::to_string).collect();
            return Err(self.finding(
                property,
                format!("{r} shows [{}]: {broken}", shown.join(" ")),
                &[r],
            ));
        }
        self.check_list_spec(i, &ids)?;
        if promise.includes(NonInterleaving::Backward) {
            let position: HashMap<Dot, usize> =
                ids.iter().enumerate().map(|(k, &d)| (d, k)).collect();
            for &(x, y) in &self.sequences.runs {
                let (Some(&px), Some(&py)) = (position.get(&x), position.get(&y)) else {
                    continue;
                };
                let ux = self.sequences.inserted_by[&x];
                for &z in &ids[px.min(py) + 1..px.max(py)] {
                    let Some(&uz) = self.sequences.inserted_by.get(&z) else {
                        continue;
                    };
                    if !self.updates[uz].deps.contains(ux) {
                        return Err(self.finding(
                            Property::Contiguity,
                            format!(
                                "{r} shows {z} between {x} and {y}, which {} inserted one after \
                                 the other, although {z} was inserted without knowing {x}",
                                x.replica
                            ),
                            &[r],
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
