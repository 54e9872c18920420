//! Broken sync protocols: the anti-entropy around a correct CRDT goes wrong.

use std::collections::{BTreeMap, BTreeSet};

use crdt_laws::sync::{Silence, SyncModel};
use crdt_laws::{Dot, ReplicaId, StateCrdt};

use crate::models::{GCounterModel, GSetModel};
use crate::ops::{CounterOp, SetOp};
use crate::sync::ServerSync;
use crate::{GCounter, GSet};

/// Deltas shipped as plain increments, without acknowledgements.
///
/// **Story.** A delta counter whose deltas are "add 3" rather than "my entry is now 7": correct
/// as long as every delta arrives exactly once. The network loses one, or a replica crashes
/// with increments not yet sent, and the loss is permanent: nothing tells the sender to send
/// again, so the protocol falls silent with replicas disagreeing (Akka's delta CRDTs before
/// causal delta delivery, akka #22188, lost deltas the same way). Caught by
/// `silent_disagreement` (with drops or crashes).
#[derive(Clone, Copy, Debug, Default)]
pub struct IncrementsWithoutAcks(pub GCounterModel);

impl SyncModel for IncrementsWithoutAcks {
    type Crdt = GCounterModel;
    /// Per peer, the increments not yet sent.
    type Sync = Vec<Vec<u64>>;
    type Message = Vec<u64>;

    fn crdt(&self) -> &GCounterModel {
        &self.0
    }
    fn new_sync(&self, _: ReplicaId, replicas: u32) -> Self::Sync {
        vec![Vec::new(); replicas as usize]
    }
    fn update(&self, state: &mut GCounter, sync: &mut Self::Sync, dot: Dot, op: &CounterOp) {
        self.0.apply(state, dot.replica, op);
        if let CounterOp::Increment(n) = op {
            for (peer, queue) in sync.iter_mut().enumerate() {
                if peer != dot.replica.index() {
                    queue.push(u64::from(*n));
                }
            }
        }
    }
    fn generate(&self, _: &mut GCounter, sync: &mut Self::Sync, to: ReplicaId) -> Option<Vec<u64>> {
        let queue = std::mem::take(sync.get_mut(to.index())?);
        (!queue.is_empty()).then_some(queue)
    }
    fn receive(&self, state: &mut GCounter, _: &mut Self::Sync, from: ReplicaId, m: &Vec<u64>) {
        for &n in m {
            let _ = state.increment(from, n);
        }
    }
    fn after_crash(&self, _: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync {
        self.new_sync(replica, replicas)
    }
    fn silence(&self, _: u32) -> Silence {
        Silence::Rounds(1)
    }
}

/// A set of small elements as a Bloom filter with one hash function, the identity, over 256
/// bits: exact for the model's `u8` elements, so only the protocol can go wrong.
pub type Filter = [u64; 4];

fn filter(state: &GSet<u8>) -> Filter {
    let mut bits = [0u64; 4];
    for &x in state.iter() {
        bits[usize::from(x / 64)] |= 1 << (x % 64);
    }
    bits
}

fn in_filter(f: &Filter, x: u8) -> bool {
    f[usize::from(x / 64)] & (1 << (x % 64)) != 0
}

/// A [`BloomSync`] replica's memory of one peer.
#[derive(Clone, Debug, Default)]
pub struct BloomPeer {
    /// A `Have` is out and its reply not back.
    pub in_flight: bool,
    /// The filter both sides were last seen to share.
    pub synced: Option<Filter>,
    /// A reply owed: the peer's filter, and whether to send ours with it.
    pub reply: Option<(Filter, bool)>,
}

/// A [`BloomSync`] message.
#[derive(Clone, Debug)]
pub enum BloomMessage {
    /// The sender's filter: send me what it lacks.
    Have(Filter),
    /// Elements the receiver lacks, and (to ask for the same back) the sender's filter.
    Changes(Vec<u8>, Option<Filter>),
}

/// A G-Set synced by Bloom filters (Automerge's sync protocol in miniature), every replica with
/// a sync server (replica 0): a replica sends its filter, the peer answers with what the filter lacks and its own filter, and so on until the
/// filters agree; every `Have` is answered.
///
/// **Story.** The flawed version saves messages with an in-flight flag: while a `Have` is out
/// it sends nothing else to that peer, and only the answer clears the flag. One lost message and the flag is
/// never cleared: the replica waits forever and never syncs with that peer again (automerge
/// #702: a sync that stalls). The fix sends its `Have` at every chance until the filters agree
/// (or, with timers, clears the flag on a timeout or a reconnection). Caught by
/// `silent_disagreement` (with drops).
#[derive(Clone, Copy, Debug, Default)]
pub struct BloomSync {
    /// The CRDT.
    pub crdt: GSetModel,
    /// Send a `Have` at every chance until in sync (the fix); false is the gallery's flaw:
    /// wait for the answer, however long.
    pub resends: bool,
}

impl SyncModel for BloomSync {
    type Crdt = GSetModel;
    /// Per replica, the memory of it (replica 0 syncs with every other; the others only with
    /// replica 0).
    type Sync = Vec<Option<BloomPeer>>;
    type Message = BloomMessage;

    fn crdt(&self) -> &GSetModel {
        &self.crdt
    }
    fn new_sync(&self, replica: ReplicaId, replicas: u32) -> Self::Sync {
        (0..replicas as usize)
            .map(|r| {
                (r != replica.index() && (r == 0 || replica.index() == 0)).then(BloomPeer::default)
            })
            .collect()
    }
    fn update(&self, state: &mut GSet<u8>, _: &mut Self::Sync, dot: Dot, op: &SetOp<u8>) {
        self.crdt.apply(state, dot.replica, op);
    }
    fn generate(
        &self,
        state: &mut GSet<u8>,
        sync: &mut Self::Sync,
        to: ReplicaId,
    ) -> Option<BloomMessage> {
        let mine = filter(state);
        let peer = sync.get_mut(to.index())?.as_mut()?;
        if peer.in_flight && !self.resends {
            // Waiting for the answer: nothing else goes to that peer.
            return None;
        }
        if let Some((theirs, with_ours)) = peer.reply.take() {
            let lacking = state.iter().copied().filter(|&x| !in_filter(&theirs, x));
            return Some(BloomMessage::Changes(
                lacking.collect(),
                with_ours.then_some(mine),
            ));
        }
        if peer.synced == Some(mine) {
            return None;
        }
        peer.in_flight = true;
        Some(BloomMessage::Have(mine))
    }
    fn receive(
        &self,
        state: &mut GSet<u8>,
        sync: &mut Self::Sync,
        from: ReplicaId,
        m: &BloomMessage,
    ) {
        let Some(Some(peer)) = sync.get_mut(from.index()) else {
            return;
        };
        match m {
            BloomMessage::Have(theirs) => {
                // Always answered, so the asker stops waiting.
                peer.reply = Some((*theirs, true));
                if *theirs == filter(state) {
                    peer.synced = Some(*theirs);
                }
            }
            BloomMessage::Changes(elements, theirs) => {
                for &x in elements {
                    state.insert(x);
                }
                peer.in_flight = false;
                let mine = filter(state);
                match theirs {
                    Some(theirs) if *theirs == mine => peer.synced = Some(mine),
                    Some(theirs) => peer.reply = Some((*theirs, false)),
                    None => {}
                }
            }
        }
    }
    fn after_crash(&self, _: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync {
        self.new_sync(replica, replicas)
    }
    fn silence(&self, _: u32) -> Silence {
        // A Have, its answer, and the answer's answer, to the server and on from it.
        Silence::Rounds(6)
    }
}

/// The flawed server of the gallery entry `server-trimming-early`: a [`ServerSync`] that trims
/// its log of deltas up to the latest acknowledgement of any client, not the earliest, and
/// serves a client behind the trimmed log from what is left.
///
/// **Story.** The seed's 1:N server suggests cleaning up old deltas "once all clients have
/// moved past them"; trimming as soon as one client has moved past them loses the deltas for
/// the others, who are then served the log from its new start, with a hole in it. They fall
/// silent one update short. Caught by `silent_disagreement` (with a lagging client: drops or
/// partitions).
#[must_use]
pub fn server_trimming_early(crdt: GCounterModel) -> ServerSync<GCounterModel> {
    let mut server = ServerSync::new(crdt);
    server.trims_early = true;
    server
}

/// An [`OpSync`] replica's sync state.
#[derive(Clone, Debug, Default)]
pub struct OpLog {
    /// Every operation applied: its dot and amount.
    pub log: BTreeMap<Dot, u32>,
    /// Per origin, the last sequence number applied.
    pub applied: BTreeMap<ReplicaId, u64>,
    /// Operations received before their predecessor, waiting.
    pub queued: BTreeMap<Dot, u32>,
    /// Per peer: operations not sent yet.
    pub unsent: Vec<BTreeSet<Dot>>,
    /// Per peer: operations sent and not acknowledged.
    pub unacked: Vec<BTreeSet<Dot>>,
    /// Per peer: acknowledgements owed.
    pub owed: Vec<Vec<Dot>>,
}

/// An [`OpSync`] message: operations (dot and amount) and acknowledgements of operations.
#[derive(Clone, Debug)]
pub struct OpMessage {
    /// Operations.
    pub ops: Vec<(Dot, u32)>,
    /// Operations received from the receiver.
    pub acks: Vec<Dot>,
}

/// A G-Counter replicated by its operations, each sent by its origin to every replica: new ones are sent as they come, acknowledged one
/// by one, and when there is nothing new, those not acknowledged are sent again; a replica applies an origin's operations in order, so an
/// operation that arrives before its predecessor (its dependency) must wait.
///
/// **Story.** The flawed receiver drops such an operation instead of queueing it, but it has
/// received it and acknowledges it, so its sender never sends it again: lost for good, as
/// pending updates were in yrs (y-crdt #605, #614). The fix queues it until its predecessor
/// arrives. Caught by `silent_disagreement` (with reordering).
#[derive(Clone, Copy, Debug, Default)]
pub struct OpSync {
    /// The CRDT.
    pub crdt: GCounterModel,
    /// Queue operations whose predecessor is missing (the fix); false is the gallery's flaw.
    pub queues: bool,
}

impl OpSync {
    fn apply(&self, state: &mut GCounter, sync: &mut OpLog, dot: Dot, n: u32) {
        let _ = state.increment(dot.replica, u64::from(n));
        sync.log.insert(dot, n);
        sync.applied.insert(dot.replica, dot.seq);
    }
}

impl SyncModel for OpSync {
    type Crdt = GCounterModel;
    type Sync = OpLog;
    type Message = OpMessage;

    fn crdt(&self) -> &GCounterModel {
        &self.crdt
    }
    fn new_sync(&self, _: ReplicaId, replicas: u32) -> OpLog {
        let n = replicas as usize;
        OpLog {
            unsent: vec![BTreeSet::new(); n],
            unacked: vec![BTreeSet::new(); n],
            owed: vec![Vec::new(); n],
            ..OpLog::default()
        }
    }
    fn update(&self, state: &mut GCounter, sync: &mut OpLog, dot: Dot, op: &CounterOp) {
        if let CounterOp::Increment(n) = op {
            let seq = sync.applied.get(&dot.replica).copied().unwrap_or(0) + 1;
            let me = dot.replica.index();
            let dot = Dot::new(dot.replica, seq);
            self.apply(state, sync, dot, *n);
            // Every replica hears each operation from its origin.
            for (peer, unsent) in sync.unsent.iter_mut().enumerate() {
                if peer != me {
                    unsent.insert(dot);
                }
            }
        }
    }
    fn generate(&self, _: &mut GCounter, sync: &mut OpLog, to: ReplicaId) -> Option<OpMessage> {
        let j = to.index();
        let unsent = std::mem::take(sync.unsent.get_mut(j)?);
        // New operations first; with none, everything not yet acknowledged again.
        let ops: Vec<(Dot, u32)> = if unsent.is_empty() {
            sync.unacked[j]
                .iter()
                .map(|dot| (*dot, sync.log[dot]))
                .collect()
        } else {
            sync.unacked[j].extend(unsent.iter().copied());
            unsent.iter().map(|dot| (*dot, sync.log[dot])).collect()
        };
        let acks = std::mem::take(&mut sync.owed[j]);
        (!ops.is_empty() || !acks.is_empty()).then_some(OpMessage { ops, acks })
    }
    fn receive(&self, state: &mut GCounter, sync: &mut OpLog, from: ReplicaId, m: &OpMessage) {
        let j = from.index();
        if j >= sync.unacked.len() {
            return;
        }
        for dot in &m.acks {
            sync.unacked[j].remove(dot);
        }
        for &(dot, n) in &m.ops {
            sync.owed[j].push(dot);
            let last = sync.applied.get(&dot.replica).copied().unwrap_or(0);
            if dot.seq <= last {
                continue;
            }
            if dot.seq > last + 1 {
                if self.queues {
                    sync.queued.insert(dot, n);
                }
                continue;
            }
            self.apply(state, sync, dot, n);
            // Its successors may now apply.
            loop {
                let last = sync.applied[&dot.replica];
                let next = Dot::new(dot.replica, last + 1);
                let Some(n) = sync.queued.remove(&next) else {
                    break;
                };
                self.apply(state, sync, next, n);
            }
        }
    }
    fn after_crash(&self, sync: OpLog, _: ReplicaId, _: u32) -> OpLog {
        // The operation log is kept on disk with the state.
        sync
    }
    fn silence(&self, _: u32) -> Silence {
        // Operations, their acknowledgements, and the resends of those lost.
        Silence::Rounds(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_hold_exactly_the_elements() {
        let set: GSet<u8> = [0u8, 63, 64, 255].into_iter().collect();
        let f = filter(&set);
        assert!([0u8, 63, 64, 255].iter().all(|&x| in_filter(&f, x)));
        assert!(!in_filter(&f, 1) && !in_filter(&f, 128));
    }
}
