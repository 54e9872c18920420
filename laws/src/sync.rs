//! Models that bring their own sync protocol (anti-entropy): the trait `crdt-harness` drives
//! over a faulty network with nothing but delivery (`crdt_harness::sync` runs them and checks
//! that they converge and fall silent).

use std::fmt::{self, Debug};

use serde::{Deserialize, Serialize};

use crate::{Dot, Model, ReplicaId};

/// The CRDT state of a sync model's replicas.
pub type CrdtState<S> = <<S as SyncModel>::Crdt as Model>::State;
/// The operations of a sync model's CRDT.
pub type CrdtOp<S> = <<S as SyncModel>::Crdt as Model>::Op;

/// How soon a protocol must fall silent once the network is healed and quiet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Silence {
    /// Within this many rounds (in a round every replica is asked once for a message to every
    /// peer); the round that sends nothing does not count.
    Rounds(u32),
    /// Within this many messages.
    Messages(u64),
}

/// What a sync protocol assumes of the network between two replicas.
///
/// ```
/// use crdt_laws::sync::Transport;
/// assert_eq!(Transport::default(), Transport::Datagram);
/// assert_eq!(serde_json::to_string(&Transport::Connection).unwrap(), "\"connection\"");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// Messages may be lost, duplicated and reordered, and nothing tells the protocol: a gossip
    /// mesh, UDP, an unordered queue. The protocol must recover by itself. The default.
    #[default]
    Datagram,
    /// A connection between each pair of replicas (TCP, a WebSocket): messages arrive once and
    /// in the order they were sent, or the connection breaks. A break loses every message in
    /// flight on it, and both ends learn of it ([`SyncModel::reconnect`]) before they send
    /// again; a crash breaks every connection of the crashed replica. Automerge's sync
    /// protocol assumes this ("a reliable, in-order transport; on a reconnection, reload the
    /// sync state").
    Connection,
}

/// A CRDT with its own sync protocol: each replica holds a CRDT state and a sync state; the
/// protocol generates the next message for a peer (or nothing) and receives messages from
/// peers. `crdt_harness::sync` drives it.
///
/// Every method may be called on any replica at any time the schedule says, and messages may
/// arrive late, twice, out of order or never: the protocol must cope, unless it declares that
/// it runs over connections ([`transport`](SyncModel::transport)), which deliver in order and
/// announce a loss.
pub trait SyncModel {
    /// The CRDT: its states, operations, values, specification and invariant.
    type Crdt: Model;
    /// A replica's sync state (what it knows of its peers).
    type Sync: Clone + Debug;
    /// What travels between replicas.
    type Message: Clone + Debug;

    /// The CRDT model.
    fn crdt(&self) -> &Self::Crdt;

    /// The sync state of replica `replica` in a run of `replicas` replicas (ids `0..replicas`),
    /// when it starts, joins late, or restarts without a durable sync state.
    fn new_sync(&self, replica: ReplicaId, replicas: u32) -> Self::Sync;

    /// A local update `op`, identified by `dot` (`dot.replica` is where it happens).
    fn update(
        &self,
        state: &mut CrdtState<Self>,
        sync: &mut Self::Sync,
        dot: Dot,
        op: &CrdtOp<Self>,
    );

    /// The next message for peer `to`, or `None` when there is nothing to say. The state is
    /// mutable for libraries whose export needs it; its value must not change.
    fn generate(
        &self,
        state: &mut CrdtState<Self>,
        sync: &mut Self::Sync,
        to: ReplicaId,
    ) -> Option<Self::Message>;

    /// A message from peer `from` arrives.
    fn receive(
        &self,
        state: &mut CrdtState<Self>,
        sync: &mut Self::Sync,
        from: ReplicaId,
        message: &Self::Message,
    );

    /// What of replica `replica`'s sync state survives a crash (its CRDT state always does):
    /// all of it (`sync`), none ([`new_sync`](SyncModel::new_sync)), or the part the protocol
    /// keeps on disk with the state (Almeida et al.'s Algorithm 2 keeps its sequence counter).
    fn after_crash(&self, sync: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync;

    /// How soon the protocol must fall silent at quiescence, with `replicas` replicas.
    fn silence(&self, replicas: u32) -> Silence;

    /// What the protocol assumes of the network (default: [`Transport::Datagram`], any fault
    /// unannounced).
    fn transport(&self) -> Transport {
        Transport::Datagram
    }

    /// With [`Transport::Connection`]: the connection to `peer` broke and is opened again; what
    /// the sync state keeps of that peer (default: all of it). Called at both ends of a broken
    /// connection, and at a crashed replica's peers.
    fn reconnect(&self, sync: &mut Self::Sync, peer: ReplicaId) {
        let _ = (sync, peer);
    }

    /// A message's size in bytes, for the cost figures (default: its `Debug` text's length).
    fn message_bytes(&self, message: &Self::Message) -> usize {
        debug_len(message)
    }

    /// A state's size in bytes, for the cost figures (default: its `Debug` text's length).
    fn state_bytes(&self, state: &CrdtState<Self>) -> usize {
        debug_len(state)
    }
}

/// The length in bytes of `value`'s `Debug` text, counted without building it: the default size
/// of a state or message in the cost figures, and the harness's measure of state growth.
///
/// ```
/// assert_eq!(crdt_laws::sync::debug_len(&[1, 2]), "[1, 2]".len());
/// ```
pub fn debug_len(value: &impl Debug) -> usize {
    struct Count(usize);
    impl fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = fmt::Write::write_fmt(&mut count, format_args!("{value:?}"));
    count.0
}
