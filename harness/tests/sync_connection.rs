//! Sync protocols over connections ([`Transport::Connection`]): in order, never twice, and a
//! loss breaks the connection and is announced at both ends. A protocol that is correct only
//! on such a transport passes under every fault when it declares it and handles reconnections;
//! the same protocol over datagrams, or deaf to reconnections, is caught.

use crdt_harness::sync::{Silence, SyncModel, Transport};
use crdt_harness::{Faults, Harness, Property, Summary};
use crdt_laws::proptest::prelude::*;
use crdt_laws::{Dot, History, Model, ReplicaId};

/// A grow-only counter: each replica's own count, and what it heard of the others'.
#[derive(Clone, Copy, Debug, Default)]
struct Counts;

impl Model for Counts {
    type State = Vec<u64>;
    type Op = u64;
    type Value = u64;
    fn new_replica(&self, _: ReplicaId) -> Vec<u64> {
        Vec::new()
    }
    fn value(&self, state: &Vec<u64>) -> u64 {
        state.iter().sum()
    }
    fn ops(&self) -> BoxedStrategy<u64> {
        (1..4u64).boxed()
    }
    fn spec(&self, history: &History<u64>) -> Option<u64> {
        Some(history.events().iter().map(|e| e.op).sum())
    }
}

fn entry(state: &mut Vec<u64>, r: ReplicaId) -> &mut u64 {
    if state.len() <= r.index() {
        state.resize(r.index() + 1, 0);
    }
    &mut state[r.index()]
}

/// What a replica sends a peer: its own count's increase since the last message (correct only
/// if every message arrives once, in order), or, after a reconnection, the count itself.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stream {
    Increment(u64),
    Count(u64),
}

/// Per peer: how much of our own count the peer was sent, and whether the next message must
/// be the whole count (after a reconnection).
type Peers = Vec<(u64, bool)>;

#[derive(Clone, Copy, Debug)]
struct Streaming {
    transport: Transport,
    /// Handles reconnections (else a lost message is never made good).
    reconnects: bool,
    me: Counts,
}

impl SyncModel for Streaming {
    type Crdt = Counts;
    type Sync = (ReplicaId, Peers);
    type Message = Stream;

    fn crdt(&self) -> &Counts {
        &self.me
    }
    fn new_sync(&self, replica: ReplicaId, replicas: u32) -> Self::Sync {
        (replica, vec![(0, false); replicas as usize])
    }
    fn update(&self, state: &mut Vec<u64>, _: &mut Self::Sync, dot: Dot, op: &u64) {
        *entry(state, dot.replica) += op;
    }
    fn generate(
        &self,
        state: &mut Vec<u64>,
        sync: &mut Self::Sync,
        to: ReplicaId,
    ) -> Option<Stream> {
        let own = *entry(state, sync.0);
        let (sent, whole) = &mut sync.1[to.index()];
        let message = if std::mem::take(whole) {
            Stream::Count(own)
        } else if own > *sent {
            Stream::Increment(own - *sent)
        } else {
            return None;
        };
        *sent = own;
        Some(message)
    }
    fn receive(&self, state: &mut Vec<u64>, _: &mut Self::Sync, from: ReplicaId, m: &Stream) {
        let count = entry(state, from);
        match m {
            Stream::Increment(n) => *count += n,
            Stream::Count(n) => *count = *n,
        }
    }
    /// The counts are on disk; what was sent to whom is not: a restarted replica sends every
    /// peer its whole count.
    fn after_crash(&self, _: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync {
        (replica, vec![(0, true); replicas as usize])
    }
    fn silence(&self, _: u32) -> Silence {
        Silence::Rounds(1)
    }
    fn transport(&self) -> Transport {
        self.transport
    }
    fn reconnect(&self, sync: &mut Self::Sync, peer: ReplicaId) {
        if self.reconnects {
            sync.1[peer.index()].1 = true;
        }
    }
}

fn check(transport: Transport, reconnects: bool) -> Summary<u64> {
    let model = Streaming {
        transport,
        reconnects,
        me: Counts,
    };
    Harness::sync(&model)
        .faults(Faults::ALL)
        .schedules(2000)
        .seed(11)
        .run()
}

#[test]
fn a_stream_over_connections_that_resends_at_reconnection_passes_under_every_fault() {
    check(Transport::Connection, true).assert_passed();
}

#[test]
fn the_same_stream_over_datagrams_is_caught() {
    let summary = check(Transport::Datagram, true);
    assert!(
        !summary.passed(),
        "a stream of increments over datagrams passed"
    );
    let broken: Vec<Property> = summary
        .failures
        .iter()
        .map(|f| f.finding.property)
        .collect();
    assert!(
        broken.iter().any(|p| matches!(
            p,
            Property::SilentDisagreement | Property::Specification | Property::Convergence
        )),
        "{summary}"
    );
}

#[test]
fn a_stream_deaf_to_reconnections_is_caught() {
    let summary = check(Transport::Connection, false);
    assert!(
        summary.failure_of(Property::SilentDisagreement).is_some(),
        "{summary}"
    );
}
