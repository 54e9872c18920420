//! [`AdapterSync`]: a CRDT in another process that brings its own sync protocol (handshake
//! `flavour: "sync"`), as a [`SyncModel`] the sync simulator ([`crate::sync`]) drives.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crdt_laws::sync::{Silence, SyncModel, Transport};
use crdt_laws::{Dot, Flavour, ReplicaId};
use serde_json::Value;

use super::hello::SyncTerms;
use super::json::Json;
use super::model::{AdapterModel, Conn, Replica, queue_drop};
use super::process::{AdapterError, Request};

/// An adapter of the sync flavour: each replica is a handle in the process (its CRDT state),
/// and so is each replica's sync state (what it knows of its peers); the harness asks a
/// replica for its next message to a peer (`sync_message`) and hands it a peer's message
/// (`sync_receive`), and never reads the messages. Failures panic as for [`AdapterModel`]:
/// the harness reports them as findings with the adapter's stderr, and goes on.
///
/// ```no_run
/// use crdt_harness::adapter::{AdapterSync, DEFAULT_TIMEOUT};
/// use crdt_harness::Harness;
///
/// let model = AdapterSync::start("node my_sync_adapter.js", DEFAULT_TIMEOUT)?;
/// Harness::sync(&model).schedules(100).run().assert_passed();
/// # Ok::<(), crdt_harness::adapter::AdapterError>(())
/// ```
#[derive(Clone)]
pub struct AdapterSync {
    model: AdapterModel,
    terms: SyncTerms,
}

impl fmt::Debug for AdapterSync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdapterSync")
            .field("model", &self.model)
            .field("terms", &self.terms)
            .finish()
    }
}

impl AdapterSync {
    /// Starts `command` and reads its handshake, which must declare the sync flavour.
    ///
    /// # Errors
    /// [`AdapterError`] when the command does not start, the handshake fails, or the adapter
    /// is of another flavour.
    pub fn start(command: &str, timeout: Duration) -> Result<Self, AdapterError> {
        Self::new(AdapterModel::start(command, timeout)?)
    }

    /// The sync flavour of an adapter already started.
    ///
    /// # Errors
    /// [`AdapterError::Handshake`] when its handshake declares another flavour.
    pub fn new(model: AdapterModel) -> Result<Self, AdapterError> {
        match model.hello().sync {
            Some(terms) if model.flavour() == Flavour::Sync => Ok(AdapterSync { model, terms }),
            _ => Err(AdapterError::Handshake(format!(
                "the adapter's flavour is {:?}, not sync",
                model.flavour()
            ))),
        }
    }

    /// What the adapter declared of its sync protocol.
    #[must_use]
    pub fn terms(&self) -> SyncTerms {
        self.terms
    }

    /// The adapter as a model of its CRDT.
    #[must_use]
    pub fn model(&self) -> &AdapterModel {
        &self.model
    }
}

/// A replica's sync state: a handle in the adapter process, dropped there when the last copy
/// goes (the harness keeps the same state across a crash when the adapter declares it
/// durable).
#[derive(Clone)]
pub struct SyncState(Arc<SyncHandle>);

struct SyncHandle {
    conn: Arc<Conn>,
    generation: u64,
    id: u64,
    replica: ReplicaId,
}

impl fmt::Debug for SyncState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sync state of {}#{}", self.0.replica, self.0.id)
    }
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        let request = Request::new("drop")
            .handles("replicas", &[])
            .handles("syncs", &[self.id]);
        queue_drop(&self.conn, self.generation, request);
    }
}

/// A message's size: a string is taken as base64 (its decoded length), anything else as its
/// JSON text.
fn message_len(message: &Value) -> usize {
    match message {
        Value::String(s) => {
            let padding = s.bytes().rev().take_while(|&b| b == b'=').count();
            (s.len() * 3 / 4).saturating_sub(padding)
        }
        other => other.to_string().len(),
    }
}

impl AdapterSync {
    /// Checks that `state` and `sync` live in one process: a replica and a sync state of
    /// different processes (one restarted after a failure) cannot meet.
    fn same(state: &Replica, sync: &SyncState) {
        let (conn, generation, _) = state.location();
        assert!(
            Arc::ptr_eq(conn, &sync.0.conn) && generation == sync.0.generation,
            "the sync state was lost: its adapter process was restarted after a failure"
        );
    }
}

impl SyncModel for AdapterSync {
    type Crdt = AdapterModel;
    type Sync = SyncState;
    type Message = Json;

    fn crdt(&self) -> &AdapterModel {
        &self.model
    }

    fn new_sync(&self, replica: ReplicaId, replicas: u32) -> SyncState {
        let (conn, generation, id) = self.model.new_handle();
        let request = Request::new("sync_new")
            .handle("out", id)
            .handle("actor", u64::from(replica.0))
            .handle("replicas", u64::from(replicas));
        self.model.queue_on(&conn, generation, request);
        SyncState(Arc::new(SyncHandle {
            conn,
            generation,
            id,
            replica,
        }))
    }

    fn update(&self, state: &mut Replica, sync: &mut SyncState, dot: Dot, op: &Json) {
        Self::same(state, sync);
        self.model.local_at(state, dot, op);
    }

    fn generate(&self, state: &mut Replica, sync: &mut SyncState, to: ReplicaId) -> Option<Json> {
        Self::same(state, sync);
        let (conn, generation, handle) = state.location();
        let request = Request::new("sync_message")
            .handle("replica", handle)
            .handle("sync", sync.0.id)
            .handle("peer", u64::from(to.0));
        let answer = self.model.call_on(conn, generation, request);
        state.changed();
        match answer.value() {
            Some(Value::Null) => None,
            Some(message) => Some(Json(message.clone())),
            None => AdapterModel::malformed(
                conn,
                "sync_message",
                "no `value` (a message, or null)",
                &answer,
            ),
        }
    }

    fn receive(&self, state: &mut Replica, sync: &mut SyncState, from: ReplicaId, message: &Json) {
        Self::same(state, sync);
        let (conn, generation, handle) = state.location();
        let request = Request::new("sync_receive")
            .handle("replica", handle)
            .handle("sync", sync.0.id)
            .handle("peer", u64::from(from.0))
            .json("message", &message.0);
        self.model.queue_on(conn, generation, request);
        state.changed();
    }

    fn after_crash(&self, sync: SyncState, replica: ReplicaId, replicas: u32) -> SyncState {
        if self.terms.durable {
            sync
        } else {
            self.new_sync(replica, replicas)
        }
    }

    fn silence(&self, _: u32) -> Silence {
        self.terms.silence
    }

    fn transport(&self) -> Transport {
        self.terms.transport
    }

    /// `sync_reconnect`: the adapter's sync state is told that its connection to `peer` broke
    /// and was opened again.
    fn reconnect(&self, sync: &mut SyncState, peer: ReplicaId) {
        let request = Request::new("sync_reconnect")
            .handle("sync", sync.0.id)
            .handle("peer", u64::from(peer.0));
        self.model
            .queue_on(&sync.0.conn, sync.0.generation, request);
    }

    fn message_bytes(&self, message: &Json) -> usize {
        message_len(&message.0)
    }

    /// The length of the replica's value as JSON text (the state is the adapter's).
    fn state_bytes(&self, state: &Replica) -> usize {
        crdt_laws::Model::value(&self.model, state)
            .0
            .to_string()
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::message_len;
    use serde_json::json;

    #[test]
    fn base64_messages_count_their_decoded_bytes() {
        assert_eq!(message_len(&json!("AAEC")), 3);
        assert_eq!(message_len(&json!("AAE=")), 2);
        assert_eq!(message_len(&json!("AA==")), 1);
        assert_eq!(message_len(&json!([1, 2])), 5);
    }
}
