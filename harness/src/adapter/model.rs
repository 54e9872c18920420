//! [`AdapterModel`]: a CRDT in another process, as a model of `crdt-laws`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::thread::ThreadId;
use std::time::Duration;

use crdt_laws::proptest::prelude::*;
use crdt_laws::{
    Delivery, DeltaCrdt, Dot, Flavour, History, Model, NonInterleaving, OpCrdt, ReplicaId,
    StateCrdt,
};
use serde_json::Value;

use super::batching::{self, Batched, Phase, Tally};
use super::hello::Hello;
use super::json::{Json, identical};
use super::process::{AdapterError, Answer, Process, Request};
use super::vocab::Vocabulary;

/// The default time an adapter has to answer one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A CRDT served by an adapter process over the protocol (`docs/protocol.md`), as a model of
/// all three flavours: run it through the flavour its handshake declares
/// ([`flavour`](Self::flavour)).
///
/// Each thread that creates replicas gets its own adapter process, so schedules run in
/// parallel and each one's requests go to one process. A replica is a handle into that
/// process. Requests that answer nothing (`new`, `local`, `merge`, `deliver`, `fork`, `drop`)
/// are queued and sent, as one batch, with the next request that answers something (a value,
/// a state comparison, a snapshot); the replicas and messages dropped until then go as one
/// `drop`, first in that batch.
///
/// When the adapter crashes, hangs past the timeout, or answers outside the protocol, the call
/// panics with what happened and the adapter's stderr (the harness turns the panic into a
/// finding with its schedule), and the process is killed; the next replica created starts a
/// new one.
#[derive(Clone)]
pub struct AdapterModel {
    shared: Arc<Shared>,
}

struct Shared {
    command: String,
    timeout: Duration,
    /// The handshake's answer, shared with every thread's [`Conn`].
    hello: Arc<Hello>,
    /// How the batched runs went, over every thread's process.
    counts: Arc<Counts>,
    conns: Mutex<HashMap<ThreadId, Arc<Conn>>>,
    /// The processes of threads that have ended, for the next threads to take over.
    idle: Mutex<Vec<Arc<Conn>>>,
}

/// A thread's hold on a process: when the thread ends, the process goes to the idle ones (a
/// search's worker threads end with it; the next search's take their processes over).
struct Lease {
    shared: Weak<Shared>,
    thread: ThreadId,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.upgrade()
            && let Some(conn) = lock(&shared.conns).remove(&self.thread)
        {
            lock(&shared.idle).push(conn);
        }
    }
}

thread_local! {
    static LEASES: RefCell<Vec<Lease>> = const { RefCell::new(Vec::new()) };
}

impl fmt::Debug for AdapterModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdapterModel")
            .field("command", &self.shared.command)
            .field("name", &self.shared.hello.name)
            .finish_non_exhaustive()
    }
}

/// One thread's adapter process, replaced after a fatal failure.
pub(super) struct Conn {
    inner: Mutex<ConnState>,
    /// The handshake's answer: the vocabulary that reads the values a recording assumed, and
    /// whether a recording's batch may go ahead unanswered (`pipeline`).
    hello: Arc<Hello>,
    counts: Arc<Counts>,
}

impl Conn {
    fn new(process: Option<Process>, hello: &Arc<Hello>, counts: &Arc<Counts>) -> Arc<Conn> {
        Arc::new(Conn {
            inner: Mutex::new(ConnState::new(process)),
            hello: Arc::clone(hello),
            counts: Arc::clone(counts),
        })
    }
}

/// [`BatchCounts`] as they are counted, by every thread.
#[derive(Default)]
struct Counts {
    stood: AtomicU64,
    pipelined: AtomicU64,
    replayed: AtomicU64,
    live: AtomicU64,
    redone: AtomicU64,
}

/// How an adapter model's batched runs went ([`AdapterModel::batch_counts`]): a run is
/// recorded and sent as one batch, and the recording stands for the run when every real answer
/// is the one it went on (`docs/protocol.md`, "Batches").
///
/// ```no_run
/// use crdt_harness::adapter::{AdapterModel, DEFAULT_TIMEOUT};
/// use crdt_harness::protocol::StateProtocol;
/// use crdt_harness::runner::{Options, search};
///
/// let model = AdapterModel::start("node my-adapter.js", DEFAULT_TIMEOUT).unwrap();
/// let summary = search(&StateProtocol(&model), &Options::default());
/// let counts = model.batch_counts();
/// // A correct adapter: each schedule one simulation and one batch.
/// assert_eq!(counts.stood, summary.schedules);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchCounts {
    /// Runs whose recording was their outcome: every answer was the one assumed (a correct
    /// adapter's runs: one simulation and one batch each).
    pub stood: u64,
    /// Of those, the runs whose batch the adapter ran while the harness recorded the next
    /// schedule (capability `pipeline`).
    pub pipelined: u64,
    /// Runs replayed from their batch's answers: an answer was not the one assumed (a
    /// finding, or a value the harness could not foresee, such as a list's element ids).
    pub replayed: u64,
    /// Runs done request by request: their batch failed (a refusal, a crash, a hang) or
    /// their replay asked something else.
    pub live: u64,
    /// Pipelined runs done again on their own: an answer was not the one assumed, or the
    /// batch failed.
    pub redone: u64,
}

struct ConnState {
    process: Option<Process>,
    /// Counts the processes started: a handle of an earlier one is lost.
    generation: u64,
    next_handle: u64,
    /// The batched run under way ([`batching`]).
    run: RunLog,
    /// Recordings that stand for their runs if their assumptions hold, their batches sent
    /// ahead, in order ([`batching::deferring`]).
    deferred: Vec<Deferred>,
}

/// A deferred recording: its batch went ahead; its answers are read with the next flush.
struct Deferred {
    log: RunLog,
    /// How many requests its batch holds.
    requests: usize,
    /// Its answers were read (into `log`), or lost.
    read: bool,
    /// A request of its batch failed (or the process was lost before its answers came).
    failed: bool,
}

impl ConnState {
    fn new(process: Option<Process>) -> Self {
        ConnState {
            process,
            generation: 0,
            next_handle: 0,
            run: RunLog::default(),
            deferred: Vec::new(),
        }
    }
}

/// A query of a batched run: what the replay must ask in the recording's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Query {
    Value(u64),
    Equal(u64, u64),
    Leq(u64, u64),
    Snapshot(u64),
}

/// What a batched run's recording answered a query with, before the real answer came.
#[derive(Clone, Debug)]
enum Assumed {
    /// The value the specification expects ([`Model::expect_value`]).
    Value(Arc<Read>),
    /// `true`: equal states, no state moved down.
    True,
    /// The real answer (a snapshot, asked during the recording).
    Real,
    /// A neutral answer (a `null` value): the recording cannot stand for the run.
    Neutral,
}

/// A batched run's recording: the queries asked and their answers.
#[derive(Default)]
struct RunLog {
    keys: Vec<Query>,
    /// What the recording answered each query with.
    assumed: Vec<Assumed>,
    answers: Vec<Answer>,
    /// The next answer the replay hands out.
    cursor: usize,
    /// The handles the recording allocated: `first..end`.
    first: u64,
    end: u64,
    /// The recording cannot be used (a snapshot failed, a second process joined).
    spoiled: bool,
    /// The replay asked what the recording did not.
    diverged: bool,
}

fn is_query(name: &str) -> bool {
    matches!(name, "value" | "equal" | "leq" | "snapshot")
}

/// Sends what is queued, keeping the answers of the recorded queries: those of the deferred
/// recordings first, in order, then the run's.
fn flush_recorded(state: &mut ConnState) -> Result<(), AdapterError> {
    let Some(p) = state.process.as_mut() else {
        return Ok(());
    };
    let queries: Vec<bool> = p.pending().iter().map(|name| is_query(name)).collect();
    let results = match p.flush() {
        Ok(results) => results,
        Err(e) => {
            // Which batch failed matters not: each deferred run is done again.
            for d in state.deferred.iter_mut().filter(|d| !d.read) {
                (d.read, d.failed) = (true, true);
            }
            return Err(e);
        }
    };
    let mut answers = queries.into_iter().zip(results);
    for d in state.deferred.iter_mut().filter(|d| !d.read) {
        d.read = true;
        for (query, answer) in answers.by_ref().take(d.requests) {
            if query {
                d.log.answers.push(answer);
            }
        }
    }
    for (query, answer) in answers {
        if query {
            state.run.answers.push(answer);
        }
    }
    Ok(())
}

/// Kills the process: its handles, and the answers of the deferred recordings it had not
/// given, are lost.
fn lose_process(state: &mut ConnState) {
    if let Some(mut p) = state.process.take() {
        p.kill();
    }
    state.generation += 1;
    for d in state.deferred.iter_mut().filter(|d| !d.read) {
        (d.read, d.failed) = (true, true);
    }
}

/// After a failure outside a run's step: kills the process if it cannot go on.
fn abandon(state: &mut ConnState, error: &AdapterError) {
    if error.is_fatal() {
        lose_process(state);
    }
}

/// Whether each query of `run` was answered by an assumption that its real answer matches.
fn assumptions_held(run: &RunLog, vocabulary: &Vocabulary) -> bool {
    if run.spoiled || run.answers.len() != run.keys.len() {
        return false;
    }
    let held = |(key, (assumed, answer)): (&Query, (&Assumed, &Answer))| match assumed {
        Assumed::Value(value) => answer
            .value()
            .is_some_and(|raw| identical(&vocabulary.read(raw).0.0, &value.0.0)),
        Assumed::True => {
            let field = match key {
                Query::Equal(..) => answer.equal(),
                Query::Leq(..) => answer.leq(),
                _ => return false,
            };
            field == Some(&Value::Bool(true))
        }
        Assumed::Real => true,
        Assumed::Neutral => false,
    };
    run.keys
        .iter()
        .zip(run.assumed.iter().zip(&run.answers))
        .all(held)
}

/// Queues the drop of every handle of `run` (after its batch stopped at a refusal).
fn drop_all(state: &mut ConnState, first: u64, end: u64) {
    let handles: Vec<u64> = (first..end).collect();
    if let Some(p) = state.process.as_mut()
        && !handles.is_empty()
    {
        p.queue(
            Request::new("drop")
                .handles("replicas", &handles)
                .handles("messages", &handles),
        );
    }
}

impl Batched for Conn {
    fn tally(&self, tally: Tally) {
        let counter = match tally {
            Tally::Stood => &self.counts.stood,
            Tally::Pipelined => &self.counts.pipelined,
            Tally::Replayed => &self.counts.replayed,
            Tally::Live => &self.counts.live,
            Tally::Redone => &self.counts.redone,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn assumptions_held(&self) -> bool {
        assumptions_held(&lock(&self.inner).run, &self.hello.vocabulary)
    }

    fn accept_recording(&self) {
        lock(&self.inner).run = RunLog::default();
    }

    fn defer_recording(&self) -> bool {
        let mut state = lock(&self.inner);
        let state = &mut *state;
        if !self.hello.capabilities.pipeline || state.run.spoiled {
            return false;
        }
        let Some(p) = state.process.as_mut() else {
            return false;
        };
        let requests = p.send_ahead();
        state.run.end = state.next_handle;
        state.deferred.push(Deferred {
            log: std::mem::take(&mut state.run),
            requests,
            read: false,
            failed: false,
        });
        true
    }

    fn settle(&self) -> Vec<bool> {
        let mut state = lock(&self.inner);
        if state.deferred.iter().any(|d| !d.read)
            && let Err(e) = flush_recorded(&mut state)
        {
            abandon(&mut state, &e);
        }
        let deferred = std::mem::take(&mut state.deferred);
        deferred
            .into_iter()
            .map(|d| {
                if d.failed {
                    // Its batch may have stopped before its drops.
                    drop_all(&mut state, d.log.first, d.log.end);
                }
                let stood = !d.failed && assumptions_held(&d.log, &self.hello.vocabulary);
                if stood {
                    self.tally(Tally::Stood);
                    self.tally(Tally::Pipelined);
                } else {
                    self.tally(Tally::Redone);
                }
                stood
            })
            .collect()
    }

    fn finish_record(&self) -> bool {
        let mut state = lock(&self.inner);
        let sent = flush_recorded(&mut state);
        let spoiled = state.run.spoiled;
        state.run.end = state.next_handle;
        match sent {
            Ok(()) if !spoiled => true,
            Ok(()) => false,
            Err(e) => {
                abandon(&mut state, &e);
                // The batch stopped at a refusal: what it did not drop is dropped.
                let (first, end) = (state.run.first, state.run.end);
                drop_all(&mut state, first, end);
                false
            }
        }
    }

    fn start_replay(&self) {
        let mut state = lock(&self.inner);
        state.next_handle = state.run.first;
        state.run.cursor = 0;
        state.run.diverged = false;
    }

    fn finish_replay(&self) -> bool {
        let mut state = lock(&self.inner);
        state.next_handle = state.next_handle.max(state.run.end);
        let run = std::mem::take(&mut state.run);
        !run.diverged
    }

    fn spoil(&self) {
        lock(&self.inner).run.spoiled = true;
    }

    fn same(&self, other: &dyn Batched) -> bool {
        std::ptr::addr_eq(self as *const Self, other as *const dyn Batched)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A value as read (or assumed), with a list's element ids.
type Read = (Json, Option<Vec<Dot>>);

/// One replica (or a state in flight, or a delta): a handle in an adapter process.
pub struct Replica {
    conn: Arc<Conn>,
    shared: Arc<Shared>,
    generation: u64,
    handle: u64,
    actor: ReplicaId,
    /// The updates issued at this replica's lineage: the next dot is `seq + 1`.
    seq: u64,
    /// The last value read, with the list's element ids, until the replica changes.
    cache: Mutex<Option<Arc<Read>>>,
}

impl fmt::Debug for Replica {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.actor, self.handle)
    }
}

/// A message kept in the adapter (operation-based adapters).
#[derive(Clone)]
pub struct Message(Arc<MessageHandle>);

struct MessageHandle {
    conn: Arc<Conn>,
    generation: u64,
    id: u64,
    dot: Dot,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "message of {}", self.0.dot)
    }
}

impl Drop for MessageHandle {
    fn drop(&mut self) {
        if batching::phase() == Phase::Replay {
            return;
        }
        let mut state = lock(&self.conn.inner);
        if state.generation == self.generation
            && let Some(p) = state.process.as_mut()
        {
            p.drop_later(&[], &[self.id]);
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if batching::phase() == Phase::Replay {
            return;
        }
        let mut state = lock(&self.conn.inner);
        if state.generation == self.generation
            && let Some(p) = state.process.as_mut()
        {
            p.drop_later(&[self.handle], &[]);
        }
    }
}

impl AdapterModel {
    /// Starts `command` (with `sh -c`) once to read its handshake, and keeps that process for
    /// the calling thread.
    ///
    /// # Errors
    /// [`AdapterError`] when the command does not start or the handshake fails (another
    /// protocol version, an unknown vocabulary, ...).
    pub fn start(command: &str, timeout: Duration) -> Result<Self, AdapterError> {
        let process = Process::start(command, timeout)?;
        let hello = Arc::new(process.hello.clone());
        let counts = Arc::new(Counts::default());
        let conn = Conn::new(Some(process), &hello, &counts);
        let conns = Mutex::new(HashMap::from([(std::thread::current().id(), conn)]));
        Ok(AdapterModel {
            shared: Arc::new(Shared {
                command: command.to_string(),
                timeout,
                hello,
                counts,
                conns,
                idle: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The handshake's answer.
    #[must_use]
    pub fn hello(&self) -> &Hello {
        &self.shared.hello
    }

    /// The flavour the adapter declared: run the model through the matching protocol
    /// ([`StateProtocol`](crate::protocol::StateProtocol), ...).
    #[must_use]
    pub fn flavour(&self) -> Flavour {
        self.shared.hello.flavour
    }

    /// How the batched runs went so far, over every thread: how many recordings stood for
    /// their runs, were replayed, or were done request by request.
    #[must_use]
    pub fn batch_counts(&self) -> BatchCounts {
        let c = &self.shared.counts;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        BatchCounts {
            stood: get(&c.stood),
            pipelined: get(&c.pipelined),
            replayed: get(&c.replayed),
            live: get(&c.live),
            redone: get(&c.redone),
        }
    }

    /// The command.
    #[must_use]
    pub fn command(&self) -> &str {
        &self.shared.command
    }

    /// How many adapter processes are running now (one per thread that created replicas; a
    /// thread that ended leaves its process to the next thread).
    #[must_use]
    pub fn processes(&self) -> usize {
        let conns = lock(&self.shared.conns);
        let idle = lock(&self.shared.idle);
        conns
            .values()
            .chain(idle.iter())
            .filter(|c| lock(&c.inner).process.is_some())
            .count()
    }

    fn conn(&self) -> Arc<Conn> {
        let id = std::thread::current().id();
        let mut conns = lock(&self.shared.conns);
        let conn = if let Some(conn) = conns.get(&id) {
            Arc::clone(conn)
        } else {
            let conn = lock(&self.shared.idle)
                .pop()
                .unwrap_or_else(|| Conn::new(None, &self.shared.hello, &self.shared.counts));
            conns.insert(id, Arc::clone(&conn));
            drop(conns);
            let lease = Lease {
                shared: Arc::downgrade(&self.shared),
                thread: id,
            };
            LEASES.with(|leases| leases.borrow_mut().push(lease));
            conn
        };
        enter(&conn);
        conn
    }
}

/// Panics with an adapter failure, after killing the process if it cannot go on: the harness
/// reports the panic as a finding of the schedule.
fn fail(state: &mut ConnState, error: &AdapterError) -> ! {
    abandon(state, error);
    panic!("{error}")
}

/// Panics with an answer that lacks what its request asks for: the process broke the
/// protocol, and is killed.
fn missing(conn: &Conn, request: &str, why: &str, answer: &Answer) -> ! {
    let mut state = lock(&conn.inner);
    let error = AdapterError::Malformed {
        request: request.into(),
        why: why.into(),
        line: answer.to_json().to_string(),
        stderr: state
            .process
            .as_mut()
            .map(Process::last_stderr)
            .unwrap_or_default(),
    };
    fail(&mut state, &error)
}

/// In a batched run's recording, makes `conn` the run's connection when it is the first.
fn enter(conn: &Arc<Conn>) {
    if batching::phase() == Phase::Record && !batching::joined(&**conn) {
        let joined: Arc<dyn Batched + Send + Sync> = Arc::clone(conn) as _;
        if batching::join(joined) {
            let mut state = lock(&conn.inner);
            state.run = RunLog {
                first: state.next_handle,
                ..RunLog::default()
            };
        }
    }
}

/// A question about two states that an adapter answers with a boolean.
#[derive(Clone, Copy)]
enum Comparison {
    /// `equal`: the same state.
    Equal,
    /// `leq`: below or equal in the state order.
    Leq,
}

impl Shared {
    /// Asks the adapter whether `a` and `b` compare as `comparison` says; in a batched run's
    /// recording, the neutral answer (true: equal states, no state moved down).
    fn compare(&self, a: &Replica, b: &Replica, comparison: Comparison) -> bool {
        same_process(a, b);
        let (name, key) = match comparison {
            Comparison::Equal => ("equal", Query::Equal(a.handle, b.handle)),
            Comparison::Leq => ("leq", Query::Leq(a.handle, b.handle)),
        };
        let request = || {
            Request::new(name)
                .handle("replica", a.handle)
                .handle("other", b.handle)
        };
        let Some(answer) = self.query(&a.conn, a.generation, key, Assumed::True, request) else {
            return true;
        };
        let field = match comparison {
            Comparison::Equal => answer.equal(),
            Comparison::Leq => answer.leq(),
        };
        match field.and_then(Value::as_bool) {
            Some(answer) => answer,
            None => {
                let why = format!("no boolean `{name}`");
                missing(&a.conn, name, &why, &answer)
            }
        }
    }

    /// Queues `request` (an update, a merge, a copy, a drop), to be sent with the next query;
    /// nothing in a batched run's replay, whose recording sent it.
    fn send(&self, conn: &Conn, generation: u64, request: impl FnOnce() -> Request) {
        if batching::phase() == Phase::Replay {
            return;
        }
        self.with(conn, generation, |p| {
            p.queue(request());
            Ok(())
        });
    }

    /// Asks `request`: its answer; `None` in a batched run's recording (except for a snapshot,
    /// whose answer is needed at once), where the answer arrives with the batch and the run
    /// goes on with `assumed`.
    fn query(
        &self,
        conn: &Arc<Conn>,
        generation: u64,
        key: Query,
        assumed: Assumed,
        request: impl FnOnce() -> Request,
    ) -> Option<Answer> {
        match batching::phase() {
            Phase::Live => Some(self.with(conn, generation, |p| p.call(request()))),
            Phase::Record => {
                enter(conn);
                self.send(conn, generation, request);
                let mut state = lock(&conn.inner);
                state.run.keys.push(key);
                if matches!(assumed, Assumed::Neutral) {
                    batching::stop_assuming();
                }
                state.run.assumed.push(assumed);
                if !matches!(key, Query::Snapshot(_)) {
                    return None;
                }
                if let Err(e) = flush_recorded(&mut state) {
                    state.run.spoiled = true;
                    fail(&mut state, &e)
                }
                state.run.answers.last().cloned()
            }
            Phase::Replay => {
                let mut state = lock(&conn.inner);
                let run = &mut state.run;
                let k = run.cursor;
                if run.keys.get(k) == Some(&key) && k < run.answers.len() {
                    run.cursor += 1;
                    // Each recorded answer is handed out once.
                    return Some(std::mem::take(&mut run.answers[k]));
                }
                run.diverged = true;
                drop(state);
                panic!("the batched run diverged from its recording at {key:?}")
            }
        }
    }

    /// Runs `f` on the live process of `conn` for a handle of `generation`.
    fn with<T>(
        &self,
        conn: &Conn,
        generation: u64,
        f: impl FnOnce(&mut Process) -> Result<T, AdapterError>,
    ) -> T {
        let mut state = lock(&conn.inner);
        if state.generation != generation || state.process.is_none() {
            panic!("the replica was lost: its adapter process was restarted after a failure");
        }
        let process = state.process.as_mut().expect("checked above");
        match f(process) {
            Ok(v) => v,
            Err(e) => fail(&mut state, &e),
        }
    }

    /// A new handle in `conn`'s process, starting it if needed.
    fn allocate(&self, conn: &Conn) -> (u64, u64) {
        let mut state = lock(&conn.inner);
        if state.process.is_none() && batching::phase() != Phase::Replay {
            match Process::start(&self.command, self.timeout) {
                Ok(p) => {
                    if p.hello != *self.hello {
                        panic!("the restarted adapter's handshake differs from the first one's");
                    }
                    state.process = Some(p);
                }
                Err(e) => panic!("cannot restart the adapter: {e}"),
            }
        }
        let handle = state.next_handle;
        state.next_handle += 1;
        (state.generation, handle)
    }

    fn replica(
        self: &Arc<Self>,
        conn: Arc<Conn>,
        generation: u64,
        handle: u64,
        actor: ReplicaId,
        seq: u64,
    ) -> Replica {
        Replica {
            conn,
            shared: Arc::clone(self),
            generation,
            handle,
            actor,
            seq,
            cache: Mutex::new(None),
        }
    }

    /// An independent copy of `r`: `fork`, or `snapshot` then `restore`.
    fn fork(self: &Arc<Self>, r: &Replica) -> Replica {
        let (generation, out) = self.allocate(&r.conn);
        if generation != r.generation {
            panic!("the replica was lost: its adapter process was restarted after a failure");
        }
        if self.hello.capabilities.fork {
            let request = || {
                Request::new("fork")
                    .handle("replica", r.handle)
                    .handle("out", out)
            };
            self.send(&r.conn, r.generation, request);
        } else {
            self.copy_by_snapshot(r, out);
        }
        let copy = self.replica(Arc::clone(&r.conn), generation, out, r.actor, r.seq);
        if batching::phase() != Phase::Replay {
            // What was read (or, recording, assumed) of `r` holds for its copy.
            *lock(&copy.cache) = lock(&r.cache).clone();
        }
        copy
    }

    /// Restores a snapshot of `r` as handle `out`.
    fn copy_by_snapshot(&self, r: &Replica, out: u64) {
        let request = || Request::new("snapshot").handle("replica", r.handle);
        let key = Query::Snapshot(r.handle);
        let answer = self
            .query(&r.conn, r.generation, key, Assumed::Real, request)
            .unwrap_or_default();
        let snapshot = answer.into_snapshot().unwrap_or(Value::Null);
        let restore = || {
            Request::new("restore")
                .handle("out", out)
                .handle("actor", u64::from(r.actor.0))
                .json("snapshot", &snapshot)
        };
        self.send(&r.conn, r.generation, restore);
    }

    fn local(&self, r: &mut Replica, dot: Dot, op: &Json, out: Option<(&str, u64)>) {
        let request = || {
            let request = Request::new("local")
                .handle("replica", r.handle)
                .json("op", &self.hello.vocabulary.wire_op(op, dot))
                .dot(dot);
            match out {
                Some((field, id)) => request.handle(field, id),
                None => request,
            }
        };
        self.send(&r.conn, r.generation, request);
        r.seq = r.seq.max(dot.seq);
        *lock(&r.cache) = None;
    }

    fn read(&self, r: &Replica) -> Read {
        let phase = batching::phase();
        // Live, the value read last; recording, the value assumed ([`Model::expect_value`]).
        let cached = match phase {
            Phase::Replay => None,
            _ => lock(&r.cache).clone(),
        };
        if phase == Phase::Live
            && let Some(cached) = cached
        {
            return Read::clone(&cached);
        }
        let assumed = match &cached {
            Some(read) => Assumed::Value(Arc::clone(read)),
            None => Assumed::Neutral,
        };
        let request = || Request::new("value").handle("replica", r.handle);
        let key = Query::Value(r.handle);
        let Some(answer) = self.query(&r.conn, r.generation, key, assumed, request) else {
            // Recording: the value assumed, or a neutral one (and no elements).
            return match cached {
                Some(read) => Read::clone(&read),
                None => {
                    let ids = self.hello.vocabulary.is_sequence().then(Vec::new);
                    (Json(Value::Null), ids)
                }
            };
        };
        let Some(raw) = answer.value() else {
            missing(&r.conn, "value", "no `value`", &answer)
        };
        let read = self.hello.vocabulary.read(raw);
        if phase == Phase::Live {
            *lock(&r.cache) = Some(Arc::new(read.clone()));
        }
        read
    }
}

fn same_process(a: &Replica, b: &Replica) {
    assert!(
        Arc::ptr_eq(&a.conn, &b.conn) && a.generation == b.generation,
        "two replicas of different adapter processes cannot be merged"
    );
}

impl Clone for Replica {
    fn clone(&self) -> Self {
        self.shared.fork(self)
    }
}

impl Model for AdapterModel {
    type State = Replica;
    type Op = Json;
    type Value = Json;

    fn name(&self) -> String {
        self.shared.hello.name.clone()
    }

    fn new_replica(&self, id: ReplicaId) -> Replica {
        let conn = self.conn();
        let (generation, handle) = self.shared.allocate(&conn);
        let request = || {
            Request::new("new")
                .handle("replica", handle)
                .handle("actor", u64::from(id.0))
        };
        self.shared.send(&conn, generation, request);
        self.shared.replica(conn, generation, handle, id, 0)
    }

    fn value(&self, state: &Replica) -> Json {
        self.shared.read(state).0
    }

    /// Recording a batched run, the value `state` is assumed to show: asked, it answers with
    /// it (the real answer, which arrives with the batch, must match). Not for sequences,
    /// whose element identities no specification gives.
    fn expect_value(&self, state: &Replica, value: &Json) {
        if batching::speculating() && !self.shared.hello.vocabulary.is_sequence() {
            *lock(&state.cache) = Some(Arc::new((value.clone(), None)));
        }
    }

    fn ops(&self) -> BoxedStrategy<Json> {
        self.shared.hello.vocabulary.strategy()
    }

    fn state_eq(&self, a: &Replica, b: &Replica) -> Option<bool> {
        if !self.shared.hello.capabilities.equal {
            return None;
        }
        if std::ptr::eq(a, b) {
            // One replica is its own state: no request.
            return Some(true);
        }
        Some(self.shared.compare(a, b, Comparison::Equal))
    }

    fn fork(&self, state: &Replica) -> Replica {
        self.shared.fork(state)
    }

    /// Zero: an adapter's state lives in its process, out of the harness's sight (a
    /// [`Replica`]'s `Debug` text is a handle's name, which says nothing of its size), so
    /// the state-size oracle has nothing to judge; an adapter whose state explodes shows as a
    /// timeout or a crash. Counted without formatting the handle after every step.
    fn debug_len(&self, _state: &Replica) -> usize {
        0
    }

    fn invariant(&self, value: &Json) -> Result<(), String> {
        if batching::neutral_recording() {
            // The neutral value of a recording is no value.
            return Ok(());
        }
        self.shared.hello.vocabulary.invariant(value)
    }

    fn round_trip(&self, state: &Replica) -> Option<Result<Replica, crdt_laws::Error>> {
        if !self.shared.hello.capabilities.snapshot {
            return None;
        }
        let (generation, out) = self.shared.allocate(&state.conn);
        if generation != state.generation {
            panic!("the replica was lost: its adapter process was restarted after a failure");
        }
        self.shared.copy_by_snapshot(state, out);
        Some(Ok(self.shared.replica(
            Arc::clone(&state.conn),
            generation,
            out,
            state.actor,
            state.seq,
        )))
    }

    fn spec(&self, history: &History<Json>) -> Option<Json> {
        if batching::neutral_recording() {
            // A recording's values are neutral: no specification to meet.
            return None;
        }
        self.shared.hello.vocabulary.spec(history)
    }

    fn list_spec(&self, history: &History<Json>, shown: &[Dot]) -> Option<Result<(), String>> {
        if batching::phase() == Phase::Record {
            // A recording's lists are neutral: nothing to judge.
            return None;
        }
        self.shared.hello.vocabulary.list_spec(history, shown)
    }

    fn element_ids(&self, state: &Replica) -> Option<Vec<Dot>> {
        if !self.shared.hello.vocabulary.is_sequence() {
            return None;
        }
        Some(self.shared.read(state).1.unwrap_or_default())
    }

    fn non_interleaving(&self) -> NonInterleaving {
        self.shared.hello.vocabulary.interleaving()
    }
}

impl StateCrdt for AdapterModel {
    fn apply(&self, state: &mut Replica, replica: ReplicaId, op: &Json) {
        let dot = Dot::new(replica, state.seq + 1);
        if self.shared.hello.flavour == Flavour::DeltaState {
            // A delta adapter makes a delta with every `local`: this one is not needed.
            let (_, out) = self.shared.allocate(&state.conn);
            self.shared.local(state, dot, op, Some(("out", out)));
            let drop = || Request::new("drop").handles("replicas", &[out]);
            self.shared.send(&state.conn, state.generation, drop);
        } else {
            self.shared.local(state, dot, op, None);
        }
    }

    /// Asked of the adapter when it declares `leq`; otherwise derived from merge (a fork,
    /// a merge, a comparison and a drop).
    fn leq(&self, a: &Replica, b: &Replica) -> Option<bool> {
        if !self.shared.hello.capabilities.leq {
            return None;
        }
        Some(self.shared.compare(a, b, Comparison::Leq))
    }

    fn merge(&self, into: &mut Replica, from: &Replica) {
        same_process(into, from);
        let request = || {
            Request::new("merge")
                .handle("into", into.handle)
                .handle("from", from.handle)
        };
        self.shared.send(&into.conn, into.generation, request);
        *lock(&into.cache) = None;
    }
}

impl DeltaCrdt for AdapterModel {
    fn delta(&self, state: &Replica, replica: ReplicaId, op: &Json) -> Replica {
        // `local` changes the replica it is given: work on a copy, keep only the delta.
        let mut scratch = self.shared.fork(state);
        let (generation, out) = self.shared.allocate(&state.conn);
        let dot = Dot::new(replica, state.seq + 1);
        self.shared.local(&mut scratch, dot, op, Some(("out", out)));
        self.shared
            .replica(Arc::clone(&state.conn), generation, out, replica, 0)
    }
}

impl OpCrdt for AdapterModel {
    type Message = Message;

    fn delivery(&self) -> Delivery {
        self.shared.hello.delivery
    }

    fn local(&self, state: &mut Replica, dot: Dot, op: &Json) -> Message {
        let (generation, id) = self.shared.allocate(&state.conn);
        if generation != state.generation {
            panic!("the replica was lost: its adapter process was restarted after a failure");
        }
        self.shared.local(state, dot, op, Some(("message", id)));
        Message(Arc::new(MessageHandle {
            conn: Arc::clone(&state.conn),
            generation,
            id,
            dot,
        }))
    }

    fn effect(&self, state: &mut Replica, message: &Message) {
        assert!(
            Arc::ptr_eq(&state.conn, &message.0.conn) && state.generation == message.0.generation,
            "a message of another adapter process cannot be delivered"
        );
        let request = || {
            Request::new("deliver")
                .handle("replica", state.handle)
                .handle("message", message.0.id)
        };
        self.shared.send(&state.conn, state.generation, request);
        *lock(&state.cache) = None;
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let conns = std::mem::take(&mut *lock(&self.conns));
        let idle = std::mem::take(&mut *lock(&self.idle));
        for conn in conns.into_values().chain(idle) {
            drop(lock(&conn.inner).process.take());
        }
    }
}

/// What the sync flavour (`super::sync`) needs of an adapter process: handles of sync states,
/// requests on them, and updates at a given dot.
impl AdapterModel {
    /// A new handle in the calling thread's process: its connection, generation and number.
    pub(super) fn new_handle(&self) -> (Arc<Conn>, u64, u64) {
        let conn = self.conn();
        let (generation, handle) = self.shared.allocate(&conn);
        (conn, generation, handle)
    }

    /// Queues `request` to the process of `generation`, sent with the next call.
    pub(super) fn queue_on(&self, conn: &Conn, generation: u64, request: Request) {
        self.shared.with(conn, generation, |p| {
            p.queue(request);
            Ok(())
        });
    }

    /// Sends `request` with what is queued and returns its answer; a failure panics as a
    /// finding, like every request.
    pub(super) fn call_on(&self, conn: &Conn, generation: u64, request: Request) -> Answer {
        self.shared.with(conn, generation, |p| p.call(request))
    }

    /// Panics with an answer that lacks what `request` asks for (the process is killed).
    pub(super) fn malformed(conn: &Conn, request: &str, why: &str, answer: &Answer) -> ! {
        missing(conn, request, why, answer)
    }

    /// The update `op` at `dot` on `r`.
    pub(super) fn local_at(&self, r: &mut Replica, dot: Dot, op: &Json) {
        self.shared.local(r, dot, op, None);
    }
}

impl Replica {
    /// Its connection, generation and handle.
    pub(super) fn location(&self) -> (&Arc<Conn>, u64, u64) {
        (&self.conn, self.generation, self.handle)
    }

    /// Forgets the value read last: the replica changed in the process.
    pub(super) fn changed(&self) {
        *lock(&self.cache) = None;
    }
}

/// Queues `request` (a `drop`) to `conn`'s process if it is still that of `generation`.
pub(super) fn queue_drop(conn: &Conn, generation: u64, request: Request) {
    let mut state = lock(&conn.inner);
    if state.generation == generation
        && let Some(p) = state.process.as_mut()
    {
        p.queue(request);
    }
}
