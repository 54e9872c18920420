//! A whole run in one round trip: the simulator runs a schedule twice against an adapter model.
//!
//! 1. **Record**: the adapter model queues every request (updates, merges, forks, drops, and
//!    the queries: values, state comparisons) and answers each query with a neutral answer that
//!    no oracle objects to (a `null` value, equal states, no specification). At the end of the
//!    run, everything queued goes to the adapter as one `batch`, and the queries' real answers
//!    are kept.
//! 2. **Replay**: the simulator runs the same schedule again; the model sends nothing, hands out
//!    the same handles, and answers each query with the recorded answer. The run's flow depends
//!    on answers only through findings, which end it: the replay asks a prefix of what the
//!    recording asked, and its outcome is the one a request-by-request run would give.
//!
//! The recording need not be replayed when it can stand for the run: where the simulator knows
//! what a correct replica shows (the specification's value, states equal and growing), it says
//! so ([`Model::expect_value`](crdt_laws::Model::expect_value)) and the recording answers with
//! that rather than neutrally. When every query was answered that way, the recording passed,
//! and every real answer is the assumed one, the recording *is* the run with the real answers
//! (the run depends on nothing else) and is its outcome: a correct adapter's schedule costs
//! one simulation. Any other real answer, or a query with nothing assumed, means a replay.
//!
//! Only what needs an answer to go on (a snapshot, to be restored) is sent during the
//! recording. When anything is off (the batch fails, the adapter crashes, the replay asks
//! something the recording did not), the run is done a third time, request by request, which
//! is how a failure is reported with its schedule exactly as without batching.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// What the adapter models on this thread do with their requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// One request at a time (queued until a query needs an answer).
    Live,
    /// Queue everything, answer queries neutrally.
    Record,
    /// Send nothing, answer queries from the recording.
    Replay,
}

/// What became of a batched run, for [`BatchCounts`](super::BatchCounts).
#[derive(Clone, Copy, Debug)]
pub(super) enum Tally {
    Stood,
    Pipelined,
    Replayed,
    Live,
    Redone,
}

/// The connection (one adapter process of one thread) that took part in the run.
pub(super) trait Batched {
    /// Counts what became of a run.
    fn tally(&self, tally: Tally);
    /// Sends what was recorded; false when the run must be done request by request.
    fn finish_record(&self) -> bool;
    /// After [`finish_record`](Self::finish_record): true when each query of the recording
    /// was answered by an assumption that its real answer matches exactly.
    fn assumptions_held(&self) -> bool;
    /// Ends a recording that stands for the run (no replay).
    fn accept_recording(&self);
    /// Sends the recording's batch without waiting for its answers, keeping the recording to
    /// be judged by [`settle`](Self::settle); false when it cannot (the adapter does not
    /// declare `pipeline`, or the recording is spoiled).
    fn defer_recording(&self) -> bool;
    /// Reads the answers of the deferred recordings: for each, in order, whether it stands
    /// for its run (its batch went through and every assumption held).
    fn settle(&self) -> Vec<bool>;
    /// Rewinds the handles for the replay.
    fn start_replay(&self);
    /// False when the replay diverged from the recording.
    fn finish_replay(&self) -> bool;
    /// Marks the recording unusable (a second adapter process in one run).
    fn spoil(&self);
    /// True for the same connection.
    fn same(&self, other: &dyn Batched) -> bool;
}

thread_local! {
    static PHASE: Cell<Phase> = const { Cell::new(Phase::Live) };
    static ACTIVE: RefCell<Option<Arc<dyn Batched + Send + Sync>>> = const { RefCell::new(None) };
    /// While recording: every query so far was answered by an assumption.
    static ASSUMING: Cell<bool> = const { Cell::new(false) };
    /// Recordings that pass on their assumptions may be deferred ([`deferring`]).
    static DEFERRING: Cell<bool> = const { Cell::new(false) };
    /// The connections of the deferred recordings, one entry per recording, in order.
    static DEFERRED: RefCell<Vec<Arc<dyn Batched + Send + Sync>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `runs` (one after another on this thread, each a search's schedule) with their
/// recordings deferred: a recording that passed on assumptions alone goes to the adapter as
/// its batch and is taken as the run's outcome at once, without waiting for the answers, so
/// that the adapter works on one schedule while the next is recorded (for adapters that
/// declare `pipeline`). `runs` is given a function that says how many recordings were
/// deferred so far. Afterwards the answers are read: the verdicts, one per deferred
/// recording in order, say which stand for their runs; the caller runs the others again
/// (not deferred).
pub(crate) fn deferring<T>(runs: impl FnOnce(&dyn Fn() -> usize) -> T) -> (T, Vec<bool>) {
    let count = || DEFERRED.with(|d| d.borrow().len());
    let scope = Deferral {
        outer: DEFERRING.with(|d| d.replace(true)),
    };
    let result = runs(&count);
    drop(scope);
    (result, settle_deferred())
}

/// Ends a [`deferring`] scope, even by a panic: no later run is deferred, and a panic's
/// deferred recordings are settled and forgotten (their answers would be taken for the next
/// scope's).
struct Deferral {
    outer: bool,
}

impl Drop for Deferral {
    fn drop(&mut self) {
        DEFERRING.with(|d| d.set(self.outer));
        if std::thread::panicking() {
            let _ = settle_deferred();
        }
    }
}

/// The verdicts of the deferred recordings, in order ([`Batched::settle`] of each
/// connection, its verdicts in its own order dealt back in the recordings' order).
fn settle_deferred() -> Vec<bool> {
    let conns = DEFERRED.with(|d| std::mem::take(&mut *d.borrow_mut()));
    let mut settled: Vec<(Arc<dyn Batched + Send + Sync>, std::vec::IntoIter<bool>)> = Vec::new();
    let mut verdicts = Vec::with_capacity(conns.len());
    for conn in conns {
        let k = match settled.iter().position(|(c, _)| c.same(&*conn)) {
            Some(k) => k,
            None => {
                let verdicts = conn.settle().into_iter();
                settled.push((conn, verdicts));
                settled.len() - 1
            }
        };
        verdicts.push(settled[k].1.next().unwrap_or(false));
    }
    verdicts
}

/// The phase of this thread's run.
pub(crate) fn phase() -> Phase {
    PHASE.with(Cell::get)
}

/// True while a run with an adapter model is recorded: its answers are neutral, and so is its
/// specification (`None`), so the simulator need not build the history it would be asked on.
pub(crate) fn recording_adapter() -> bool {
    phase() == Phase::Record && ACTIVE.with(|a| a.borrow().is_some())
}

/// True while a run with an adapter model is recorded and every query so far was answered by
/// an assumption: the simulator's expectations
/// ([`Model::expect_value`](crdt_laws::Model::expect_value)) are worth giving, and the
/// recording's values are judged as real ones would be.
pub(crate) fn speculating() -> bool {
    ASSUMING.with(Cell::get) && recording_adapter()
}

/// True while a run with an adapter model is recorded on neutral answers (a query had nothing
/// assumed): its values are no values, and there is no specification to meet.
pub(crate) fn neutral_recording() -> bool {
    !ASSUMING.with(Cell::get) && recording_adapter()
}

/// A query of the recording had nothing assumed: the run will be replayed.
pub(super) fn stop_assuming() {
    ASSUMING.with(|a| a.set(false));
}

/// Records that `conn` takes part in this run (the recording phase); true when it is the
/// run's first, and so its only, connection.
pub(super) fn join(conn: Arc<dyn Batched + Send + Sync>) -> bool {
    ACTIVE.with(|active| {
        let mut active = active.borrow_mut();
        match active.as_ref() {
            None => {
                *active = Some(conn);
                true
            }
            Some(first) if first.same(&*conn) => false,
            Some(first) => {
                first.spoil();
                false
            }
        }
    })
}

/// True when `conn` already joined this run.
pub(super) fn joined(conn: &dyn Batched) -> bool {
    ACTIVE.with(|active| active.borrow().as_ref().is_some_and(|a| a.same(conn)))
}

/// Resets the thread to live requests, whatever happens in the run.
struct Reset;

impl Drop for Reset {
    fn drop(&mut self) {
        PHASE.with(|p| p.set(Phase::Live));
        ASSUMING.with(|a| a.set(false));
        ACTIVE.with(|a| a.borrow_mut().take());
    }
}

/// Runs `run` (one run of the simulator) batched when an adapter model takes part: recorded,
/// sent as one batch, and replayed unless the recording stands for the run (it `passed` on
/// assumptions that all held); request by request when that does not work out. A run without
/// an adapter model runs once.
pub(crate) fn batched<T>(mut run: impl FnMut() -> T, passed: impl Fn(&T) -> bool) -> T {
    if phase() != Phase::Live {
        // A run inside a run (a model running the simulator): leave it to the outer one.
        return run();
    }
    let _reset = Reset;
    PHASE.with(|p| p.set(Phase::Record));
    ASSUMING.with(|a| a.set(true));
    let recorded = run();
    let assumed_all = ASSUMING.with(|a| a.replace(false));
    let Some(conn) = ACTIVE.with(|a| a.borrow().clone()) else {
        return recorded;
    };
    PHASE.with(|p| p.set(Phase::Live));
    if assumed_all && DEFERRING.with(Cell::get) && passed(&recorded) && conn.defer_recording() {
        DEFERRED.with(|d| d.borrow_mut().push(conn));
        return recorded;
    }
    let sent = conn.finish_record();
    if sent && assumed_all && passed(&recorded) && conn.assumptions_held() {
        conn.accept_recording();
        conn.tally(Tally::Stood);
        return recorded;
    }
    drop(recorded);
    if sent {
        conn.start_replay();
        PHASE.with(|p| p.set(Phase::Replay));
        let replayed = run();
        PHASE.with(|p| p.set(Phase::Live));
        if conn.finish_replay() {
            conn.tally(Tally::Replayed);
            return replayed;
        }
    }
    ACTIVE.with(|a| a.borrow_mut().take());
    conn.tally(Tally::Live);
    run()
}
