//! The sync flavour: a model that brings its own anti-entropy protocol, driven over the faulty
//! network with nothing but delivery.
//!
//! A [`SyncModel`] gives each replica a CRDT state (its [`crdt`](SyncModel::crdt) model's) and
//! a sync state, and the protocol's two steps: [`generate`](SyncModel::generate) the next
//! message for a peer (or nothing), and [`receive`](SyncModel::receive) a message from a peer.
//! A schedule's `Send { from, to }` asks `from` for its next message to `to`; the network may
//! lose, duplicate, reorder and partition those messages, and replicas may crash (their CRDT
//! state is saved; of their sync state, what the model [declares](SyncModel::after_crash)). The harness never retransmits: whatever the
//! protocol loses, it must recover by itself.
//!
//! A protocol that assumes connections ([`Transport::Connection`], as Automerge's does) gets
//! them: messages between two replicas arrive in the order they were sent (reordering happens
//! only between different senders) and never twice; a lost message breaks its connection,
//! which loses every message in flight on it, in both directions, and both ends are told
//! ([`SyncModel::reconnect`]); a crash breaks every connection of the crashed replica.
//!
//! Oracles, besides the model's [invariant](crdt_laws::Model::invariant) after every step:
//! at quiescence the partition heals, crashed replicas restart, late ones join and the
//! messages still in flight arrive; then the network is reliable and quiet, and the harness
//! runs rounds (in each, every replica is asked once for a message to every peer, delivered at
//! once) until a round sends nothing. A protocol still sending past its declared
//! [`Silence`] bound is a [`Property::Silence`] finding; one that falls silent while replicas
//! show different values, a [`Property::SilentDisagreement`] finding; and once they agree,
//! the value must be the [specification](crdt_laws::Model::spec) of every update. What the
//! protocol cost (messages and bytes, in the run and in the final sync) is in
//! [`RunStats::sync`].
//!
//! ```
//! use crdt_harness::sync::{Silence, SyncModel};
//! use crdt_harness::Harness;
//! use crdt_laws::toys::MaxRegister;
//! use crdt_laws::{Dot, Model, ReplicaId, StateCrdt};
//!
//! /// Sends its state to a peer until the peer has confirmed holding it.
//! #[derive(Clone, Debug, Default)]
//! struct Gossip(MaxRegister);
//!
//! impl SyncModel for Gossip {
//!     type Crdt = MaxRegister;
//!     /// Per peer: the state it confirmed holding, and whether it asked us to confirm.
//!     type Sync = Vec<(Option<u64>, bool)>;
//!     /// A state, and whether the receiver must confirm it.
//!     type Message = (u64, bool);
//!     fn crdt(&self) -> &MaxRegister { &self.0 }
//!     fn new_sync(&self, _: ReplicaId, replicas: u32) -> Self::Sync {
//!         vec![(None, false); replicas as usize]
//!     }
//!     fn update(&self, state: &mut u64, _: &mut Self::Sync, dot: Dot, op: &u64) {
//!         self.0.apply(state, dot.replica, op);
//!     }
//!     fn generate(&self, state: &mut u64, sync: &mut Self::Sync, to: ReplicaId) -> Option<(u64, bool)> {
//!         let (confirmed, owed) = &mut sync[to.index()];
//!         if *confirmed != Some(*state) {
//!             return Some((*state, true));
//!         }
//!         std::mem::take(owed).then_some((*state, false))
//!     }
//!     fn receive(&self, state: &mut u64, sync: &mut Self::Sync, from: ReplicaId, m: &(u64, bool)) {
//!         self.0.merge(state, &m.0);
//!         let peer = &mut sync[from.index()];
//!         if m.0 == *state {
//!             peer.0 = Some(*state);
//!         }
//!         peer.1 |= m.1;
//!     }
//!     fn after_crash(&self, _: Self::Sync, r: ReplicaId, n: u32) -> Self::Sync {
//!         self.new_sync(r, n) // nothing survives
//!     }
//!     fn silence(&self, _: u32) -> Silence { Silence::Rounds(4) }
//! }
//!
//! Harness::sync(&Gossip::default())
//!     .schedules(100)
//!     .run()
//!     .assert_passed();
//! ```

use std::fmt::Debug;
use std::ops::Deref;
use std::time::Instant;

use crdt_laws::contain::catch_panic;
use crdt_laws::generate::{Seen, UpdateRecord, history};
use crdt_laws::{Delivery, Dot, Flavour, Model, ReplicaId};
use serde::{Deserialize, Serialize};

use crate::protocol::{Produced, Protocol};
use crate::schedule::{Schedule, Step};
use crate::sim::{Event, Finding, Outcome, Property, QUIESCENCE_NOTE, RunConfig, RunStats};

pub use crdt_laws::sync::{CrdtOp, CrdtState, Silence, SyncModel, Transport};

/// A sync model (behind `R`, a pointer to it) as a [`Protocol`]: every schedule runs in this
/// module ([`Protocol::run_own`]), so the harness's search, shrinking, replay and reports work
/// unchanged.
#[derive(Clone, Copy, Debug)]
pub struct SyncProtocol<R>(pub R);

impl<S, R> Protocol for SyncProtocol<R>
where
    S: SyncModel + Sync + 'static,
    S::Crdt: Sync,
    R: Deref<Target = S> + Sync,
{
    type Model = S::Crdt;
    type Payload = S::Message;

    fn model(&self) -> &S::Crdt {
        self.0.crdt()
    }

    fn flavour(&self) -> Flavour {
        Flavour::Sync
    }

    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }

    /// Outside this module's runs (which hold each replica's sync state), an update is applied
    /// with a fresh sync state, and nothing is produced: the protocol decides what to send.
    fn update(&self, state: &mut CrdtState<S>, dot: Dot, op: &CrdtOp<S>) -> Produced<S::Message> {
        let mut sync = self.0.new_sync(dot.replica, dot.replica.index() as u32 + 1);
        self.0.update(state, &mut sync, dot, op);
        Produced::Nothing
    }

    /// Outside this module's runs, a message is received with a fresh sync state.
    fn receive(&self, state: &mut CrdtState<S>, message: &S::Message) {
        let mut sync = self.0.new_sync(ReplicaId::new(0), 2);
        self.0.receive(state, &mut sync, ReplicaId::new(1), message);
    }

    fn state_payload(&self, _: &CrdtState<S>) -> Option<S::Message> {
        None
    }

    fn join(&self, _: &mut S::Message, _: &S::Message) {}

    fn leq(&self, _: &CrdtState<S>, _: &CrdtState<S>) -> Option<bool> {
        None
    }

    fn run_own(
        &self,
        schedule: &Schedule<CrdtOp<S>>,
        config: RunConfig,
        quiesce: bool,
    ) -> Option<Outcome> {
        Some(run(&*self.0, schedule, config, quiesce))
    }
}

/// What a sync protocol cost in one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCost {
    /// Messages the protocol generated during the schedule's steps and quiescence.
    pub messages: u64,
    /// Their bytes ([`SyncModel::message_bytes`]).
    pub bytes: u64,
    /// Messages of the final sync (quiescence: the messages still in flight are not counted).
    pub final_messages: u64,
    /// Bytes of the final sync.
    pub final_bytes: u64,
    /// Rounds the final sync took before a round sent nothing.
    pub final_rounds: u32,
    /// The largest replica state at the end ([`SyncModel::state_bytes`]).
    pub state_bytes: u64,
}

impl SyncCost {
    /// This run's figures as the report's totals over one schedule.
    ///
    /// ```
    /// use crdt_harness::sync::SyncCost;
    /// let cost = SyncCost { messages: 9, bytes: 300, final_messages: 2, final_bytes: 40,
    ///                       final_rounds: 1, state_bytes: 25 };
    /// let totals = cost.totals();
    /// assert_eq!((totals.schedules, totals.bytes, totals.final_rounds), (1, 300, 1));
    /// ```
    #[must_use]
    pub fn totals(&self) -> crdt_reports::SyncTotals {
        crdt_reports::SyncTotals {
            schedules: 1,
            messages: self.messages,
            bytes: self.bytes,
            final_messages: self.final_messages,
            final_bytes: self.final_bytes,
            final_rounds: u64::from(self.final_rounds),
            state_bytes: self.state_bytes,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Up,
    Crashed,
    Absent,
}

struct Node<S: SyncModel> {
    id: ReplicaId,
    status: Status,
    state: CrdtState<S>,
    sync: S::Sync,
    seen: Seen,
    /// A crashed replica's saved state, and what of its sync state survives.
    durable: Option<(CrdtState<S>, S::Sync)>,
}

#[derive(Clone)]
struct Message<M> {
    id: u64,
    from: ReplicaId,
    to: ReplicaId,
    payload: M,
    /// What the sender had seen when it generated the message.
    seen: Seen,
}

struct Run<'a, S: SyncModel> {
    s: &'a S,
    config: RunConfig,
    nodes: Vec<Node<S>>,
    updates: Vec<UpdateRecord<CrdtOp<S>>>,
    flight: Vec<Message<S::Message>>,
    next_message: u64,
    side: Option<Vec<bool>>,
    step: Option<usize>,
    events: Vec<Event>,
    stats: RunStats,
    cost: SyncCost,
    transport: Transport,
}

type Checked<T = ()> = Result<T, Finding>;

/// Runs `schedule` with sync model `model` (with `quiesce`, then quiescence and the liveness
/// oracles).
///
/// A panic anywhere in the model is a [`Property::Panic`] finding at its step.
pub fn run<S: SyncModel>(
    model: &S,
    schedule: &Schedule<CrdtOp<S>>,
    config: RunConfig,
    quiesce: bool,
) -> Outcome {
    let mut run = match catch_panic(|| Run::new(model, schedule, config)) {
        Ok(run) => run,
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
    let result = run.contain(Run::start).and_then(|()| {
        for (i, step) in schedule.steps.iter().enumerate() {
            run.step = Some(i + 1);
            crdt_laws::contain::note(i as u64 + 1);
            run.contain(|run| run.exec(step))?;
        }
        run.step = None;
        if quiesce {
            crdt_laws::contain::note(QUIESCENCE_NOTE);
            run.contain(Run::quiesce)?;
        }
        Ok(())
    });
    let values = run
        .nodes
        .iter()
        .filter(|n| n.status == Status::Up)
        .map(|n| {
            let text = catch_panic(|| format!("{:?}", model.crdt().value(&n.state)))
                .unwrap_or_else(|panic| format!("(Debug {panic})"));
            (n.id, text)
        })
        .collect();
    let mut stats = run.stats;
    stats.sync = Some(run.cost);
    Outcome {
        finding: result.err(),
        events: run.events,
        stats,
        values,
    }
}

impl<'a, S: SyncModel> Run<'a, S> {
    fn new(s: &'a S, schedule: &Schedule<CrdtOp<S>>, config: RunConfig) -> Self {
        let n = schedule.replicas;
        let nodes = (0..n)
            .map(ReplicaId::new)
            .map(|id| Node {
                id,
                status: if schedule.late.contains(&id) {
                    Status::Absent
                } else {
                    Status::Up
                },
                state: s.crdt().new_replica(id),
                sync: s.new_sync(id, n),
                seen: Seen::default(),
                durable: None,
            })
            .collect();
        Run {
            s,
            config,
            nodes,
            updates: Vec::new(),
            flight: Vec::new(),
            next_message: 0,
            side: None,
            step: Some(0),
            events: Vec::new(),
            stats: RunStats::default(),
            cost: SyncCost::default(),
            transport: s.transport(),
        }
    }

    fn value_text(&self, i: usize) -> String {
        format!("{:?}", self.s.crdt().value(&self.nodes[i].state))
    }

    fn finding(&self, property: Property, message: String, replicas: &[ReplicaId]) -> Finding {
        Finding {
            property,
            step: self.step,
            message,
            replicas: replicas.to_vec(),
            values: replicas
                .iter()
                .map(|&r| (r, self.value_text(r.index())))
                .collect(),
        }
    }

    fn contain(&mut self, part: impl FnOnce(&mut Self) -> Checked) -> Checked {
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

    fn start(&mut self) -> Checked {
        for i in 0..self.nodes.len() {
            if self.nodes[i].status == Status::Up {
                self.check_invariant(i)?;
            }
        }
        Ok(())
    }

    fn up(&self, r: ReplicaId) -> bool {
        self.nodes
            .get(r.index())
            .is_some_and(|n| n.status == Status::Up)
    }

    fn exec(&mut self, step: &Step<CrdtOp<S>>) -> Checked {
        match step {
            Step::Update { replica, op } => self.update(*replica, op),
            Step::Send { from, to } => {
                if self.up(*from) && from != to && to.index() < self.nodes.len() {
                    self.send(*from, *to)?;
                }
                Ok(())
            }
            Step::Deliver { to, pick } => self.deliver(*to, *pick),
            Step::Drop { pick } => {
                if let Some(k) = self.newest(*pick) {
                    self.stats.effective_steps += 1;
                    let (id, a, b) = (self.flight[k].id, self.flight[k].from, self.flight[k].to);
                    if self.transport == Transport::Connection {
                        // The connection breaks: what was in flight on it is lost too.
                        self.lose(|m| (m.from, m.to) == (a, b) || (m.from, m.to) == (b, a));
                        self.reconnect(a, b);
                        self.reconnect(b, a);
                    } else {
                        self.lose(|m| m.id == id);
                    }
                }
                Ok(())
            }
            // A connection never delivers a message twice.
            Step::Duplicate { .. } if self.transport == Transport::Connection => Ok(()),
            Step::Duplicate { pick } => {
                if let Some(k) = self.newest(*pick) {
                    let mut copy = self.flight[k].clone();
                    let original = copy.id;
                    copy.id = self.next_message;
                    self.next_message += 1;
                    self.events.push(Event::Duplicate {
                        step: self.step,
                        message: original,
                        copy: copy.id,
                    });
                    self.flight.push(copy);
                    self.stats.effective_steps += 1;
                }
                Ok(())
            }
            Step::Partition { side } => {
                let mut split = vec![false; self.nodes.len()];
                for r in side {
                    if let Some(s) = split.get_mut(r.index()) {
                        *s = true;
                    }
                }
                self.side = Some(split);
                self.stats.effective_steps += 1;
                self.events.push(Event::Partition {
                    step: self.step,
                    side: side.clone(),
                });
                Ok(())
            }
            Step::Heal => {
                if self.side.take().is_some() {
                    self.stats.effective_steps += 1;
                    self.events.push(Event::Heal { step: self.step });
                }
                Ok(())
            }
            Step::Crash { replica } => self.crash(*replica),
            Step::Restart { replica } => self.restart(*replica),
            Step::Join { replica } => self.join(*replica),
            // The sync flavour drives no physical clocks: its protocols read none, and a
            // skewed clock changes nothing here.
            Step::Clock { .. } => Ok(()),
        }
    }

    /// Loses every message in flight that `on` picks.
    fn lose(&mut self, on: impl Fn(&Message<S::Message>) -> bool) {
        let step = self.step;
        let events = &mut self.events;
        self.flight.retain(|m| {
            let lost = on(m);
            if lost {
                events.push(Event::Drop {
                    step,
                    message: m.id,
                });
            }
            !lost
        });
    }

    /// `r`'s connection to `peer` was opened again (with [`Transport::Connection`]): `r`'s sync
    /// state is told, or the state saved at its crash.
    fn reconnect(&mut self, r: ReplicaId, peer: ReplicaId) {
        let s = self.s;
        let node = &mut self.nodes[r.index()];
        match node.status {
            Status::Up | Status::Absent => s.reconnect(&mut node.sync, peer),
            Status::Crashed => {
                if let Some((_, sync)) = &mut node.durable {
                    s.reconnect(sync, peer);
                }
            }
        }
    }

    fn newest(&self, pick: u32) -> Option<usize> {
        let n = self.flight.len();
        (n > 0).then(|| n - 1 - pick as usize % n)
    }

    fn update(&mut self, r: ReplicaId, op: &CrdtOp<S>) -> Checked {
        if !self.up(r) {
            return Ok(());
        }
        let i = r.index();
        let seq = self.updates.iter().filter(|u| u.dot.replica == r).count() as u64 + 1;
        let dot = Dot::new(r, seq);
        let s = self.s;
        let node = &mut self.nodes[i];
        let started = Instant::now();
        s.update(&mut node.state, &mut node.sync, dot, op);
        self.over_budget(r, started)?;
        let u = self.updates.len();
        self.updates.push(UpdateRecord {
            dot,
            op: op.clone(),
            deps: self.nodes[i].seen.clone(),
        });
        self.nodes[i].seen.insert(u);
        self.stats.updates += 1;
        self.stats.effective_steps += 1;
        self.events.push(Event::Update {
            step: self.step,
            replica: r,
            dot,
            label: format!("{op:?}"),
        });
        self.check_invariant(i)
    }

    /// A call into the model at `r` that began at `started` and took over the step budget is
    /// a finding (panics are contained by [`contain`](Run::contain)).
    fn over_budget(&self, r: ReplicaId, started: Instant) -> Checked {
        let took = started.elapsed();
        if took <= self.config.limits.step_budget {
            return Ok(());
        }
        Err(self.finding(
            Property::StepTimeout,
            format!(
                "a call into the sync model at replica {r} took {took:.2?}, over the budget of \
                 {:.2?}",
                self.config.limits.step_budget
            ),
            &[],
        ))
    }

    /// Asks `from` for its next message to `to` and puts it in flight; its size when there was
    /// one.
    fn send(&mut self, from: ReplicaId, to: ReplicaId) -> Checked<Option<usize>> {
        let s = self.s;
        let node = &mut self.nodes[from.index()];
        let started = Instant::now();
        let message = s.generate(&mut node.state, &mut node.sync, to);
        self.over_budget(from, started)?;
        let Some(payload) = message else {
            return Ok(None);
        };
        let bytes = s.message_bytes(&payload);
        let id = self.next_message;
        self.next_message += 1;
        self.stats.messages += 1;
        self.stats.effective_steps += 1;
        self.cost.messages += 1;
        self.cost.bytes += bytes as u64;
        self.events.push(Event::Send {
            step: self.step,
            from,
            to,
            message: id,
            label: format!("sync message of {bytes} bytes"),
        });
        self.flight.push(Message {
            id,
            from,
            to,
            payload,
            seen: self.nodes[from.index()].seen.clone(),
        });
        Ok(Some(bytes))
    }

    fn blocked(&self, a: ReplicaId, b: ReplicaId) -> bool {
        self.side
            .as_ref()
            .is_some_and(|side| side[a.index()] != side[b.index()])
    }

    fn deliver(&mut self, to: ReplicaId, pick: u32) -> Checked {
        if !self.up(to) {
            return Ok(());
        }
        let ready = |k: usize| !self.blocked(self.flight[k].from, to);
        let mut addressed = (0..self.flight.len()).filter(|&k| self.flight[k].to == to);
        let candidates: Vec<usize> =
            if self.config.reorder && self.transport == Transport::Connection {
                // Only the oldest message from each sender may arrive: connections keep order.
                let mut heads: Vec<usize> = Vec::new();
                for k in addressed {
                    if !heads
                        .iter()
                        .any(|&h| self.flight[h].from == self.flight[k].from)
                    {
                        heads.push(k);
                    }
                }
                heads.retain(|&k| ready(k));
                heads
            } else if self.config.reorder {
                addressed.filter(|&k| ready(k)).collect()
            } else {
                addressed.next().filter(|&k| ready(k)).into_iter().collect()
            };
        if candidates.is_empty() {
            return Ok(());
        }
        let k = candidates[candidates.len() - 1 - pick as usize % candidates.len()];
        self.stats.effective_steps += 1;
        self.receive(k)
    }

    fn receive(&mut self, k: usize) -> Checked {
        let m = self.flight.remove(k);
        let i = m.to.index();
        let s = self.s;
        let node = &mut self.nodes[i];
        let started = Instant::now();
        s.receive(&mut node.state, &mut node.sync, m.from, &m.payload);
        self.over_budget(m.to, started)?;
        self.nodes[i].seen.union_with(&m.seen);
        self.events.push(Event::Deliver {
            step: self.step,
            to: m.to,
            message: m.id,
        });
        self.check_invariant(i)
    }

    fn crash(&mut self, r: ReplicaId) -> Checked {
        if !self.up(r) {
            return Ok(());
        }
        let i = r.index();
        let model = self.s.crdt();
        let saved = match model.round_trip(&self.nodes[i].state) {
            None => model.fork(&self.nodes[i].state),
            Some(Ok(restored)) => restored,
            Some(Err(e)) => {
                return Err(self.finding(
                    Property::Persistence,
                    format!("{r}'s state could not be saved at a crash: {e}"),
                    &[r],
                ));
            }
        };
        let n = self.nodes.len() as u32;
        let sync = self.s.after_crash(self.nodes[i].sync.clone(), r, n);
        self.nodes[i].durable = Some((saved, sync));
        self.nodes[i].status = Status::Crashed;
        self.stats.effective_steps += 1;
        self.events.push(Event::Crash {
            step: self.step,
            replica: r,
        });
        if self.transport == Transport::Connection {
            self.lose(|m| m.from == r || m.to == r);
            for peer in (0..n).map(ReplicaId::new).filter(|&p| p != r) {
                self.reconnect(peer, r);
                self.reconnect(r, peer);
            }
        }
        Ok(())
    }

    fn restart(&mut self, r: ReplicaId) -> Checked {
        let i = r.index();
        if self.nodes.get(i).map(|n| n.status) != Some(Status::Crashed) {
            return Ok(());
        }
        let (state, sync) = self.nodes[i]
            .durable
            .take()
            .expect("a crashed replica has a snapshot");
        let node = &mut self.nodes[i];
        node.state = state;
        node.sync = sync;
        node.status = Status::Up;
        self.stats.effective_steps += 1;
        self.events.push(Event::Restart {
            step: self.step,
            replica: r,
        });
        self.check_invariant(i)
    }

    fn join(&mut self, r: ReplicaId) -> Checked {
        let i = r.index();
        if self.nodes.get(i).map(|n| n.status) != Some(Status::Absent) {
            return Ok(());
        }
        self.nodes[i].status = Status::Up;
        self.stats.effective_steps += 1;
        self.events.push(Event::Join {
            step: self.step,
            replica: r,
        });
        self.check_invariant(i)
    }

    fn check_invariant(&self, i: usize) -> Checked {
        let r = self.nodes[i].id;
        let value = self.s.crdt().value(&self.nodes[i].state);
        match self.s.crdt().invariant(&value) {
            Ok(()) => Ok(()),
            Err(broken) => Err(self.finding(
                Property::Invariant,
                format!("{r}'s value breaks the model's invariant: {broken}"),
                &[r],
            )),
        }
    }

    /// Heal, restart, join, deliver what is in flight; then rounds on a reliable network until
    /// one sends nothing, within the declared bound; then every replica must agree, on the
    /// specification of every update.
    fn quiesce(&mut self) -> Checked {
        self.events.push(Event::Quiesce);
        if self.side.take().is_some() {
            self.events.push(Event::Heal { step: None });
        }
        let n = self.nodes.len() as u32;
        for r in (0..n).map(ReplicaId::new) {
            self.restart(r)?;
            self.join(r)?;
        }
        while !self.flight.is_empty() {
            self.receive(0)?;
        }
        let bound = self.s.silence(n);
        let mut rounds = 0u32;
        loop {
            let mut sent = false;
            for from in (0..n).map(ReplicaId::new) {
                for to in (0..n).map(ReplicaId::new).filter(|&to| to != from) {
                    if let Some(bytes) = self.send(from, to)? {
                        sent = true;
                        self.cost.final_messages += 1;
                        self.cost.final_bytes += bytes as u64;
                        let k = self.flight.len() - 1;
                        self.receive(k)?;
                    }
                }
            }
            if !sent {
                break;
            }
            rounds += 1;
            let over = match bound {
                Silence::Rounds(most) => rounds > most,
                Silence::Messages(most) => self.cost.final_messages > most,
            };
            if over {
                return Err(self.finding(
                    Property::Silence,
                    format!(
                        "the protocol never falls silent: on a healed, quiet network it is still \
                         sending after {rounds} round(s) and {} message(s), over its declared \
                         bound ({})",
                        self.cost.final_messages,
                        match bound {
                            Silence::Rounds(k) => format!("{k} rounds"),
                            Silence::Messages(k) => format!("{k} messages"),
                        }
                    ),
                    &(0..n).map(ReplicaId::new).collect::<Vec<_>>(),
                ));
            }
        }
        self.cost.final_rounds = rounds;
        self.cost.state_bytes = self
            .nodes
            .iter()
            .map(|node| self.s.state_bytes(&node.state) as u64)
            .max()
            .unwrap_or(0);
        self.agree()
    }

    fn agree(&self) -> Checked {
        let model = self.s.crdt();
        let first = model.value(&self.nodes[0].state);
        for (j, node) in self.nodes.iter().enumerate().skip(1) {
            if model.value(&node.state) != first {
                return Err(self.finding(
                    Property::SilentDisagreement,
                    "the protocol fell silent on a healed, quiet network while replicas show \
                     different values"
                        .to_string(),
                    &[ReplicaId::new(0), ReplicaId::new(j as u32)],
                ));
            }
        }
        let mut all = Seen::default();
        for u in 0..self.updates.len() {
            all.insert(u);
        }
        let visible = history(&self.updates, &all);
        if let Some(expected) = model.spec(&visible)
            && expected != first
        {
            let r = ReplicaId::new(0);
            let mut finding = self.finding(
                Property::Specification,
                format!(
                    "every replica agrees after the sync, on a value the specification of all {} \
                     update(s) does not allow",
                    visible.len()
                ),
                &[r],
            );
            finding
                .values
                .push((r, format!("{expected:?} (specification)")));
            return Err(finding);
        }
        Ok(())
    }
}
