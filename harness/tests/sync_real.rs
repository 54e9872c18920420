//! Real libraries through their own sync protocols (issue 17, item 4), in the sync flavour: the
//! harness only delivers (or loses, duplicates, reorders, partitions) their messages.
//!
//! - **Automerge 0.12**: one `sync::State` per peer, `generate_sync_message` and
//!   `receive_sync_message`, messages in their binary encoding, over connections as its
//!   protocol assumes ([`Transport::Connection`]: in order, and a loss breaks the connection);
//!   at a reconnection or a crash a peer state is kept the way Automerge persists it (`encode`,
//!   then `decode`, which keeps the shared heads only). Over datagrams (a message lost without
//!   a reconnection) it never falls silent: automerge issues #772 and #1284, pinned below.
//! - **yrs 0.28**: a replica sends its snapshot (state vector and delete set) and, when the
//!   peer's last known snapshot differs from its own, `encode_state_as_update_v1` against the
//!   peer's state vector; a message that brought an update is answered with the receiver's
//!   snapshot. (A state vector alone cannot tell that a peer lacks a deletion, which does not
//!   move it: the delete set must be compared too.)
//!
//! Loro's export from a version vector is in `sync_real_loro.rs`, behind the `real-loro`
//! feature. Each library converges and falls silent under every fault.

#[allow(dead_code)] // shared with `real_libraries.rs`
pub mod real;

use automerge::AutoCommit;
use automerge::sync::{self, SyncDoc};
use crdt_harness::sync::{Silence, SyncModel, Transport};
use crdt_harness::{Faults, Harness};
use crdt_laws::vocab::list::ListOp;
use crdt_laws::{Dot, NonInterleaving, OpCrdt, ReplicaId};
use real::automerge::AutomergeText;
use real::yrs::YrsText;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, ReadTxn, Snapshot, Transact, Update};

/// Automerge's text, synced by Automerge's sync protocol over `transport`.
#[derive(Clone, Copy, Debug)]
struct AutomergeSync {
    text: AutomergeText,
    transport: Transport,
}

/// How Automerge keeps a peer's sync state across a reconnection or a restart.
fn reloaded(state: &sync::State) -> sync::State {
    sync::State::decode(&state.encode()).expect("decodes its own encoding")
}

impl SyncModel for AutomergeSync {
    type Crdt = AutomergeText;
    type Sync = Vec<sync::State>;
    type Message = Vec<u8>;

    fn crdt(&self) -> &AutomergeText {
        &self.text
    }
    fn new_sync(&self, _: ReplicaId, replicas: u32) -> Vec<sync::State> {
        vec![sync::State::new(); replicas as usize]
    }
    fn update(&self, doc: &mut AutoCommit, _: &mut Self::Sync, dot: Dot, op: &ListOp<char>) {
        self.text.local(doc, dot, op);
    }
    fn generate(
        &self,
        doc: &mut AutoCommit,
        sync: &mut Self::Sync,
        to: ReplicaId,
    ) -> Option<Vec<u8>> {
        let state = sync.get_mut(to.index())?;
        doc.sync()
            .generate_sync_message(state)
            .map(sync::Message::encode)
    }
    fn receive(&self, doc: &mut AutoCommit, sync: &mut Self::Sync, from: ReplicaId, m: &Vec<u8>) {
        let message = sync::Message::decode(m).expect("automerge decodes its own messages");
        doc.sync()
            .receive_sync_message(&mut sync[from.index()], message)
            .expect("automerge receives its own messages");
    }
    fn after_crash(&self, sync: Self::Sync, _: ReplicaId, _: u32) -> Self::Sync {
        sync.iter().map(reloaded).collect()
    }
    fn silence(&self, _: u32) -> Silence {
        Silence::Rounds(6)
    }
    fn transport(&self) -> Transport {
        self.transport
    }
    fn reconnect(&self, sync: &mut Self::Sync, peer: ReplicaId) {
        sync[peer.index()] = reloaded(&sync[peer.index()]);
    }
    fn message_bytes(&self, m: &Vec<u8>) -> usize {
        m.len()
    }
    fn state_bytes(&self, doc: &AutoCommit) -> usize {
        doc.clone().save().len()
    }
}

/// What a yrs replica knows of a peer.
#[derive(Clone, Debug, Default)]
struct YrsPeer {
    /// The peer's snapshot, as it last sent it.
    snapshot: Option<Snapshot>,
    /// The peer sent an update: answer with our snapshot.
    owed: bool,
}

/// A yrs sync message: the sender's snapshot, and an update the receiver lacks.
#[derive(Clone, Debug)]
struct YrsMessage {
    snapshot: Vec<u8>,
    update: Option<Vec<u8>>,
}

/// yrs' text, synced by state vectors (and delete sets).
#[derive(Clone, Copy, Debug)]
struct YrsSync(YrsText);

impl SyncModel for YrsSync {
    type Crdt = YrsText;
    type Sync = Vec<YrsPeer>;
    type Message = YrsMessage;

    fn crdt(&self) -> &YrsText {
        &self.0
    }
    fn new_sync(&self, _: ReplicaId, replicas: u32) -> Vec<YrsPeer> {
        vec![YrsPeer::default(); replicas as usize]
    }
    fn update(&self, doc: &mut Doc, _: &mut Self::Sync, dot: Dot, op: &ListOp<char>) {
        self.0.local(doc, dot, op);
    }
    fn generate(&self, doc: &mut Doc, sync: &mut Self::Sync, to: ReplicaId) -> Option<YrsMessage> {
        let peer = sync.get_mut(to.index())?;
        let txn = doc.transact();
        let ours = txn.snapshot();
        let update = (peer.snapshot.as_ref() != Some(&ours)).then(|| {
            let theirs = peer
                .snapshot
                .as_ref()
                .map(|s| s.state_map.clone())
                .unwrap_or_default();
            txn.encode_state_as_update_v1(&theirs)
        });
        if update.is_none() && !peer.owed {
            return None;
        }
        peer.owed = false;
        Some(YrsMessage {
            snapshot: ours.encode_v1(),
            update,
        })
    }
    fn receive(&self, doc: &mut Doc, sync: &mut Self::Sync, from: ReplicaId, m: &YrsMessage) {
        if let Some(update) = &m.update {
            let update = Update::decode_v1(update).expect("yrs decodes its own updates");
            doc.transact_mut()
                .apply_update(update)
                .expect("yrs applies its own updates");
        }
        let peer = &mut sync[from.index()];
        peer.snapshot = Some(Snapshot::decode_v1(&m.snapshot).expect("decodes its own snapshot"));
        peer.owed |= m.update.is_some();
    }
    fn after_crash(&self, _: Self::Sync, replica: ReplicaId, replicas: u32) -> Self::Sync {
        self.new_sync(replica, replicas)
    }
    fn silence(&self, _: u32) -> Silence {
        Silence::Rounds(4)
    }
    fn message_bytes(&self, m: &YrsMessage) -> usize {
        m.snapshot.len() + m.update.as_ref().map_or(0, Vec::len)
    }
    fn state_bytes(&self, doc: &Doc) -> usize {
        doc.transact()
            .encode_state_as_update_v1(&yrs::StateVector::default())
            .len()
    }
}

const AUTOMERGE_TEXT: AutomergeText = AutomergeText {
    non_interleaving: NonInterleaving::Forward,
};
const AUTOMERGE: AutomergeSync = AutomergeSync {
    text: AUTOMERGE_TEXT,
    transport: Transport::Connection,
};
const YRS: YrsSync = YrsSync(YrsText {
    non_interleaving: NonInterleaving::Forward,
});

fn converges_and_falls_silent<S>(model: &S, schedules: u64)
where
    S: SyncModel + Clone + Send + Sync + 'static,
    S::Crdt: Send + Sync,
    <S::Crdt as crdt_laws::Model>::Op: Send + 'static,
{
    let summary = Harness::sync(model)
        .faults(Faults::ALL)
        .replicas(3)
        .steps(30)
        .schedules(schedules)
        .seed(17)
        .run();
    summary.assert_passed();
}

#[test]
fn automerge_sync_converges_and_falls_silent_under_every_fault() {
    converges_and_falls_silent(&AUTOMERGE, 150);
}

#[test]
fn yrs_state_vector_sync_converges_and_falls_silent_under_every_fault() {
    converges_and_falls_silent(&YRS, 150);
}

/// The bytes-per-sync table of `benches/RESULTS.md` (the reference protocols, Automerge, yrs;
/// Loro's row is in `sync_real_loro.rs`): `cargo test -p crdt-harness --features real-loro
/// --test sync_real --test sync_real_loro -- --ignored bytes_per_sync --nocapture
/// --test-threads 1`.
#[test]
#[ignore = "prints the table of benches/RESULTS.md"]
fn bytes_per_sync() {
    use crdt_impls::models::{GCounterModel, GSetModel};
    use crdt_impls::sync::{DeltaIntervals, PeerDiff, ServerSync};
    use real::cost::{HEADER, row};
    let (counter, set) = (GCounterModel::default(), GSetModel::default());
    let rows = [
        row("PeerDiff 1:1, G-Counter", &PeerDiff::one_to_one(counter)),
        row("PeerDiff 1:1, G-Set", &PeerDiff::one_to_one(set)),
        row("PeerDiff N:M, G-Counter", &PeerDiff::mesh(counter)),
        row("PeerDiff N:M, G-Set", &PeerDiff::mesh(set)),
        row("ServerSync, G-Counter", &ServerSync::new(counter)),
        row("ServerSync, G-Set", &ServerSync::new(set)),
        row("DeltaIntervals, G-Counter", &DeltaIntervals::new(counter)),
        row("DeltaIntervals, G-Set", &DeltaIntervals::new(set)),
        row("Automerge 0.12 sync, text", &AUTOMERGE),
        row("yrs 0.28 state vectors, text", &YRS),
    ];
    println!("{HEADER}\n{}", rows.join("\n"));
}

/// Over datagrams, outside the contract of Automerge's sync protocol, a lost message is never
/// recovered: A's first message to B is held back, B inserts and sends, A inserts and receives
/// it, A's message that carries its change is lost, and A's first message then arrives; A and B
/// then exchange two messages every round forever, and B never gets A's insert (automerge
/// issues #772 and #1284, open). Automerge JS 3.5.0 does the same (`adapters/real/check.py`,
/// the line "automerge 3.5.0 text through its sync, over datagrams"). Over a connection, the
/// loss breaks it, both ends reload their sync state, and the two replicas converge.
#[test]
fn automerge_over_datagrams_never_recovers_a_lost_message() {
    use crdt_harness::schedule::{Schedule, Step};
    use crdt_harness::sim::Property;
    let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    let insert = |replica| Step::Update {
        replica,
        op: ListOp::Insert { at: 0, value: 'a' },
    };
    let schedule = Schedule {
        replicas: 2,
        late: vec![],
        steps: vec![
            Step::Send { from: a, to: b },
            insert(b),
            Step::Send { from: b, to: a },
            insert(a),
            Step::Deliver { to: a, pick: 0 },
            Step::Send { from: a, to: b },
            Step::Drop { pick: 0 },
        ],
    };
    let datagrams = AutomergeSync {
        text: AUTOMERGE_TEXT,
        transport: Transport::Datagram,
    };
    let outcome = Harness::sync(&datagrams)
        .faults(Faults::ALL)
        .replay(&schedule);
    let finding = outcome.finding.expect("Automerge never falls silent");
    assert_eq!(finding.property, Property::Silence, "{finding}");
    let outcome = Harness::sync(&AUTOMERGE)
        .faults(Faults::ALL)
        .replay(&schedule);
    assert!(outcome.finding.is_none(), "{}", outcome.finding.unwrap());
}
