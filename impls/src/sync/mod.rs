//! Reference sync protocols: anti-entropy over any state-based CRDT that can compute a
//! diff ([`StateCrdt::diff`]), each a [`SyncModel`] that `crdt-harness` drives over a faulty network with nothing
//! but delivery.
//!
//! | protocol | topology | what a replica remembers | survives a crash |
//! | --- | --- | --- | --- |
//! | [`PeerDiff::one_to_one`] | each replica in a 1:1 session with replica 0, which relays | per peer, the last acknowledged remote state | nothing |
//! | [`PeerDiff::mesh`] | N:M: every pair in a 1:1 session | the same, for every peer | nothing |
//! | [`ServerSync`] | 1:N: replica 0 is a server with versions | server: its delta log, each client's acknowledged version; client: its version, the server's acknowledged state | the server's log |
//! | [`DeltaIntervals`] | N:M | the delta intervals and acknowledgements of Almeida et al. 2018, Algorithm 2 | the sequence counter |
//!
//! The 1:1 sessions are the `Mergable` seed's delta sync: a replica ships the diff of its state
//! against the last state the peer acknowledged; the acknowledgement echoes the diff back, so a
//! lost, duplicated or reordered message or acknowledgement only costs a resend.
//!
//! ```
//! use crdt_impls::models::GCounterModel;
//! use crdt_impls::sync::PeerDiff;
//! use crdt_laws::sync::SyncModel;
//! use crdt_laws::{Dot, Model, ReplicaId};
//! use crdt_impls::ops::CounterOp;
//!
//! let p = PeerDiff::mesh(GCounterModel::default());
//! let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
//! let (mut sa, mut xa) = (p.crdt().new_replica(a), p.new_sync(a, 2));
//! let (mut sb, mut xb) = (p.crdt().new_replica(b), p.new_sync(b, 2));
//! p.update(&mut sa, &mut xa, Dot::new(a, 1), &CounterOp::Increment(3));
//! let m = p.generate(&mut sa, &mut xa, b).expect("a has news for b");
//! p.receive(&mut sb, &mut xb, a, &m);
//! let ack = p.generate(&mut sb, &mut xb, a).expect("b acknowledges");
//! p.receive(&mut sa, &mut xa, b, &ack);
//! assert_eq!(p.crdt().value(&sb), 3);
//! assert!(p.generate(&mut sa, &mut xa, b).is_none(), "silent once acknowledged");
//! assert!(p.generate(&mut sb, &mut xb, a).is_none());
//! ```

use std::collections::BTreeMap;
use std::fmt::Debug;

use crdt_laws::order::merge_leq;
use crdt_laws::sync::{Silence, SyncModel};
use crdt_laws::{Dot, ReplicaId, StateCrdt};
use serde::Serialize;

/// What a replica at `local` ships to a peer known to hold `known`: the model's
/// [diff](StateCrdt::diff) (`known ⊔ d = known ⊔ local`, checked by the diff laws), or the
/// whole state when the model declares none.
fn diff<M: StateCrdt>(crdt: &M, local: &M::State, known: &M::State) -> M::State {
    crdt.diff(local, known).unwrap_or_else(|| crdt.fork(local))
}

/// `a ≤ b` in `crdt`'s order (declared, or derived from its merge).
fn leq<M: StateCrdt>(crdt: &M, a: &M::State, b: &M::State) -> bool {
    crdt.leq(a, b).unwrap_or_else(|| merge_leq(crdt, a, b))
}

fn join<M: StateCrdt>(crdt: &M, into: &mut Option<M::State>, from: &M::State) {
    match into {
        Some(state) => crdt.merge(state, from),
        None => *into = Some(crdt.fork(from)),
    }
}

/// A local update's delta: the diff of the state after it against the state before.
fn update_delta<M: StateCrdt>(crdt: &M, state: &mut M::State, dot: Dot, op: &M::Op) -> M::State {
    let before = crdt.fork(state);
    crdt.apply(state, dot.replica, op);
    diff(crdt, state, &before)
}

fn json_len(value: &impl Serialize) -> usize {
    serde_json::to_vec(value).map_or(0, |bytes| bytes.len())
}

/// Which replicas hold 1:1 sessions in a [`PeerDiff`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    /// Replica 0 holds a session with every other replica, and relays between them.
    Hub,
    /// Every pair of replicas holds a session.
    Mesh,
}

/// The seed's 1:1 delta sync, per session: ship the diff against the last state the peer
/// acknowledged; acknowledge a diff by echoing it.
#[derive(Clone, Debug)]
pub struct PeerDiff<M> {
    crdt: M,
    topology: Topology,
}

impl<M> PeerDiff<M> {
    /// 1:1 sessions between replica 0 and each other replica (replica 0 relays).
    pub fn one_to_one(crdt: M) -> Self {
        PeerDiff {
            crdt,
            topology: Topology::Hub,
        }
    }

    /// N:M: a 1:1 session between every pair of replicas.
    pub fn mesh(crdt: M) -> Self {
        PeerDiff {
            crdt,
            topology: Topology::Mesh,
        }
    }

    fn linked(&self, a: ReplicaId, b: ReplicaId) -> bool {
        a != b
            && match self.topology {
                Topology::Hub => a.index() == 0 || b.index() == 0,
                Topology::Mesh => true,
            }
    }
}

/// A [`PeerDiff`] replica's memory of one peer.
#[derive(Clone, Debug)]
pub struct Session<S> {
    /// The state the peer is known to hold: what it acknowledged, and what it sent.
    pub known: S,
    /// Diffs received from the peer and not yet acknowledged (joined).
    pub owed: Option<S>,
}

/// A [`PeerDiff`] message: a diff, an acknowledgement (the diffs received, echoed), or both.
#[derive(Clone, Debug, Serialize)]
pub struct DiffMessage<S> {
    /// What the receiver lacks, as far as the sender knows.
    pub diff: Option<S>,
    /// The receiver's diffs that the sender has merged.
    pub ack: Option<S>,
}

impl<M> SyncModel for PeerDiff<M>
where
    M: StateCrdt,
    M::State: Serialize,
{
    type Crdt = M;
    /// Per replica, the session with it (none with itself, nor with a replica it is not linked
    /// to).
    type Sync = Vec<Option<Session<M::State>>>;
    type Message = DiffMessage<M::State>;

    fn crdt(&self) -> &M {
        &self.crdt
    }

    fn new_sync(&self, replica: ReplicaId, replicas: u32) -> Self::Sync {
        (0..replicas)
            .map(ReplicaId::new)
            .map(|r| {
                self.linked(replica, r).then(|| Session {
                    known: self.crdt.new_replica(r),
                    owed: None,
                })
            })
            .collect()
    }

    fn update(&self, state: &mut M::State, _: &mut Self::Sync, dot: Dot, op: &M::Op) {
        self.crdt.apply(state, dot.replica, op);
    }

    fn generate(
        &self,
        state: &mut M::State,
        sync: &mut Self::Sync,
        to: ReplicaId,
    ) -> Option<Self::Message> {
        let session = sync.get_mut(to.index())?.as_mut()?;
        let diff = (!leq(&self.crdt, state, &session.known))
            .then(|| diff(&self.crdt, state, &session.known));
        let ack = session.owed.take();
        (diff.is_some() || ack.is_some()).then_some(DiffMessage { diff, ack })
    }

    fn receive(
        &self,
        state: &mut M::State,
        sync: &mut Self::Sync,
        from: ReplicaId,
        message: &Self::Message,
    ) {
        let Some(Some(session)) = sync.get_mut(from.index()) else {
            return;
        };
        if let Some(diff) = &message.diff {
            self.crdt.merge(state, diff);
            // The sender holds what it sent.
            self.crdt.merge(&mut session.known, diff);
            join(&self.crdt, &mut session.owed, diff);
        }
        if let Some(ack) = &message.ack {
            self.crdt.merge(&mut session.known, ack);
        }
    }

    fn after_crash(&self, _: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync {
        self.new_sync(replica, replicas)
    }

    fn silence(&self, _: u32) -> Silence {
        // A diff, its acknowledgement, and (through the hub) the same again one hop further.
        Silence::Rounds(match self.topology {
            Topology::Hub => 4,
            Topology::Mesh => 3,
        })
    }

    fn message_bytes(&self, message: &Self::Message) -> usize {
        json_len(message)
    }

    fn state_bytes(&self, state: &M::State) -> usize {
        json_len(state)
    }
}

/// The `Mergable` seed's 1:N sync: replica 0 is a server that keeps a log of deltas (its
/// version is the log's length); a client pushes the diff of its state against what the server
/// acknowledged, and pulls the deltas after the version it has. The server trims the deltas
/// every client has acknowledged, and sends a client behind the trimmed log its whole state.
#[derive(Clone, Debug)]
pub struct ServerSync<M> {
    crdt: M,
    /// The mistake of the gallery entry `server-trimming-early`: trim up to the latest
    /// acknowledgement rather than the earliest.
    pub(crate) trims_early: bool,
}

impl<M> ServerSync<M> {
    /// The protocol over `crdt`.
    pub fn new(crdt: M) -> Self {
        ServerSync {
            crdt,
            trims_early: false,
        }
    }
}

/// A [`ServerSync`] replica's sync state.
#[derive(Clone, Debug)]
pub enum Endpoint<S> {
    /// Replica 0.
    Server {
        /// The version of the first delta in `log`.
        base: u64,
        /// The deltas from version `base` on.
        log: Vec<S>,
        /// Per client, the version it acknowledged.
        acked: Vec<u64>,
        /// Per client, its pushes not yet acknowledged (joined).
        owed: Vec<Option<S>>,
    },
    /// Every other replica.
    Client {
        /// The server version whose deltas this client has merged.
        version: u64,
        /// The state the server is known to hold.
        known: S,
        /// Whether the server sent something since the client last acknowledged.
        owes_ack: bool,
    },
}

/// A [`ServerSync`] message.
#[derive(Clone, Debug, Serialize)]
pub enum ServerMessage<S> {
    /// Client to server: a diff (if any) and the version the client has.
    Push {
        /// What the server lacks, as far as the client knows.
        diff: Option<S>,
        /// The client's version.
        have: u64,
    },
    /// Server to client: the deltas of versions `from..to` (joined), and the client's pushes
    /// merged since the last pull.
    Pull {
        /// The first version included.
        from: u64,
        /// The server's version.
        to: u64,
        /// The deltas, joined.
        deltas: Option<S>,
        /// The client's pushes, echoed.
        ack: Option<S>,
    },
}

impl<M> SyncModel for ServerSync<M>
where
    M: StateCrdt,
    M::State: Serialize,
{
    type Crdt = M;
    type Sync = Endpoint<M::State>;
    type Message = ServerMessage<M::State>;

    fn crdt(&self) -> &M {
        &self.crdt
    }

    fn new_sync(&self, replica: ReplicaId, replicas: u32) -> Self::Sync {
        if replica.index() == 0 {
            Endpoint::Server {
                base: 0,
                log: Vec::new(),
                acked: vec![0; replicas as usize],
                owed: vec![None; replicas as usize],
            }
        } else {
            Endpoint::Client {
                version: 0,
                known: self.crdt.new_replica(ReplicaId::new(0)),
                owes_ack: false,
            }
        }
    }

    fn update(&self, state: &mut M::State, sync: &mut Self::Sync, dot: Dot, op: &M::Op) {
        match sync {
            Endpoint::Server { log, .. } => log.push(update_delta(&self.crdt, state, dot, op)),
            Endpoint::Client { .. } => self.crdt.apply(state, dot.replica, op),
        }
    }

    fn generate(
        &self,
        state: &mut M::State,
        sync: &mut Self::Sync,
        to: ReplicaId,
    ) -> Option<Self::Message> {
        match sync {
            Endpoint::Server {
                base,
                log,
                acked,
                owed,
            } => {
                let c = to.index();
                let version = *base + log.len() as u64;
                let ack = owed.get_mut(c)?.take();
                let behind = acked[c] < version;
                if !behind && ack.is_none() {
                    return None;
                }
                let (from, deltas) = if !behind {
                    (version, None)
                } else if acked[c] < *base && !self.trims_early {
                    // Behind the trimmed log: the whole state.
                    (acked[c], Some(self.crdt.fork(state)))
                } else {
                    // (The flawed server serves a client behind the trimmed log what is left.)
                    let start = acked[c].saturating_sub(*base) as usize;
                    let mut joined = None;
                    for delta in &log[start..] {
                        join(&self.crdt, &mut joined, delta);
                    }
                    (acked[c], joined)
                };
                Some(ServerMessage::Pull {
                    from,
                    to: version,
                    deltas,
                    ack,
                })
            }
            Endpoint::Client {
                version,
                known,
                owes_ack,
            } => {
                if to.index() != 0 {
                    return None;
                }
                let diff = (!leq(&self.crdt, state, known)).then(|| diff(&self.crdt, state, known));
                if diff.is_none() && !*owes_ack {
                    return None;
                }
                *owes_ack = false;
                Some(ServerMessage::Push {
                    diff,
                    have: *version,
                })
            }
        }
    }

    fn receive(
        &self,
        state: &mut M::State,
        sync: &mut Self::Sync,
        from: ReplicaId,
        message: &Self::Message,
    ) {
        match (sync, message) {
            (
                Endpoint::Server {
                    base,
                    log,
                    acked,
                    owed,
                },
                ServerMessage::Push { diff, have },
            ) => {
                let c = from.index();
                if c == 0 || c >= acked.len() {
                    return;
                }
                if let Some(diff) = diff {
                    if !leq(&self.crdt, diff, state) {
                        self.crdt.merge(state, diff);
                        log.push(self.crdt.fork(diff));
                    }
                    join(&self.crdt, &mut owed[c], diff);
                }
                let version = *base + log.len() as u64;
                acked[c] = acked[c].max((*have).min(version));
                // Trim what every client has acknowledged (the flawed server: what the latest
                // acknowledgement covers).
                let clients = acked.iter().skip(1);
                let upto = if self.trims_early {
                    clients.max()
                } else {
                    clients.min()
                };
                if let Some(&upto) = upto
                    && upto > *base
                {
                    log.drain(..(upto - *base) as usize);
                    *base = upto;
                }
            }
            (
                Endpoint::Client {
                    version,
                    known,
                    owes_ack,
                },
                ServerMessage::Pull {
                    from: first,
                    to,
                    deltas,
                    ack,
                },
            ) => {
                if from.index() != 0 {
                    return;
                }
                if let Some(deltas) = deltas {
                    self.crdt.merge(state, deltas);
                    self.crdt.merge(known, deltas);
                }
                if let Some(ack) = ack {
                    self.crdt.merge(known, ack);
                }
                // `first` is the version this client acknowledged (or, behind the trimmed log,
                // the whole state came along), so the client now has every delta before `to`.
                let _ = first;
                *version = (*version).max(*to);
                *owes_ack = true;
            }
            _ => {}
        }
    }

    fn after_crash(&self, sync: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync {
        // The server's log is its database; a client's memory is not kept.
        match sync {
            Endpoint::Server { .. } => sync,
            Endpoint::Client { .. } => self.new_sync(replica, replicas),
        }
    }

    fn silence(&self, _: u32) -> Silence {
        // Push, pull, acknowledgement; a second client's news one round later.
        Silence::Rounds(4)
    }

    fn message_bytes(&self, message: &Self::Message) -> usize {
        json_len(message)
    }

    fn state_bytes(&self, state: &M::State) -> usize {
        json_len(state)
    }
}

/// Delta intervals with acknowledgements: Almeida, Shoker and Baquero, "Delta state replicated
/// data types" (2018), Algorithm 2. A replica keeps the deltas it made or received under a
/// sequence counter, sends a peer the join of the deltas it has not acknowledged (its whole
/// state when those have been collected), and collects the deltas every peer acknowledged.
#[derive(Clone, Debug)]
pub struct DeltaIntervals<M> {
    crdt: M,
}

impl<M> DeltaIntervals<M> {
    /// The protocol over `crdt`.
    pub fn new(crdt: M) -> Self {
        DeltaIntervals { crdt }
    }
}

/// A [`DeltaIntervals`] replica's sync state (`c`, `D` and `A` of Algorithm 2).
#[derive(Clone, Debug)]
pub struct Intervals<S> {
    /// This replica's index.
    pub me: usize,
    /// The sequence counter: durable, with the state.
    pub counter: u64,
    /// The deltas, by sequence number.
    pub deltas: BTreeMap<u64, S>,
    /// Per peer, the sequence number up to which it acknowledged.
    pub acked: Vec<u64>,
    /// Per peer, the acknowledgement owed (the latest sequence number received).
    pub owed: Vec<Option<u64>>,
}

/// A [`DeltaIntervals`] message: a delta interval with the sender's counter, an
/// acknowledgement, or both.
#[derive(Clone, Debug, Serialize)]
pub struct IntervalMessage<S> {
    /// The interval (or whole state) and the sender's counter.
    pub delta: Option<(S, u64)>,
    /// The receiver's counter value acknowledged.
    pub ack: Option<u64>,
}

impl<M> SyncModel for DeltaIntervals<M>
where
    M: StateCrdt,
    M::State: Serialize,
{
    type Crdt = M;
    type Sync = Intervals<M::State>;
    type Message = IntervalMessage<M::State>;

    fn crdt(&self) -> &M {
        &self.crdt
    }

    fn new_sync(&self, replica: ReplicaId, replicas: u32) -> Self::Sync {
        Intervals {
            me: replica.index(),
            counter: 0,
            deltas: BTreeMap::new(),
            acked: vec![0; replicas as usize],
            owed: vec![None; replicas as usize],
        }
    }

    fn update(&self, state: &mut M::State, sync: &mut Self::Sync, dot: Dot, op: &M::Op) {
        let delta = update_delta(&self.crdt, state, dot, op);
        sync.deltas.insert(sync.counter, delta);
        sync.counter += 1;
    }

    fn generate(
        &self,
        state: &mut M::State,
        sync: &mut Self::Sync,
        to: ReplicaId,
    ) -> Option<Self::Message> {
        let j = to.index();
        let ack = sync.owed.get_mut(j)?.take();
        let acked = sync.acked[j];
        let delta = (acked < sync.counter).then(|| {
            let interval = match sync.deltas.keys().next() {
                Some(&first) if first <= acked => {
                    let mut joined = None;
                    for delta in sync.deltas.range(acked..).map(|(_, d)| d) {
                        join(&self.crdt, &mut joined, delta);
                    }
                    joined
                }
                _ => None,
            };
            let payload = interval.unwrap_or_else(|| self.crdt.fork(state));
            (payload, sync.counter)
        });
        (delta.is_some() || ack.is_some()).then_some(IntervalMessage { delta, ack })
    }

    fn receive(
        &self,
        state: &mut M::State,
        sync: &mut Self::Sync,
        from: ReplicaId,
        message: &Self::Message,
    ) {
        let j = from.index();
        if j >= sync.acked.len() {
            return;
        }
        if let Some((delta, n)) = &message.delta {
            if !leq(&self.crdt, delta, state) {
                self.crdt.merge(state, delta);
                sync.deltas.insert(sync.counter, self.crdt.fork(delta));
                sync.counter += 1;
            }
            sync.owed[j] = Some(sync.owed[j].map_or(*n, |owed| owed.max(*n)));
        }
        if let Some(n) = message.ack {
            sync.acked[j] = sync.acked[j].max(n);
        }
        // Collect the deltas every peer acknowledged.
        let me = sync.me;
        let least = sync
            .acked
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != me)
            .map(|(_, &a)| a)
            .min()
            .unwrap_or(0);
        sync.deltas.retain(|&seq, _| seq >= least);
    }

    fn after_crash(&self, sync: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync {
        // The counter is kept with the state (Algorithm 2's durable state is the pair).
        Intervals {
            counter: sync.counter,
            ..self.new_sync(replica, replicas)
        }
    }

    fn silence(&self, _: u32) -> Silence {
        // An interval, its acknowledgement; the receivers' new deltas, theirs.
        Silence::Rounds(4)
    }

    fn message_bytes(&self, message: &Self::Message) -> usize {
        json_len(message)
    }

    fn state_bytes(&self, state: &M::State) -> usize {
        json_len(state)
    }
}
