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

/// The connection (one adapter process of one thread) that took part in the run.
pub(super) trait Batched {
    /// Sends what was recorded; false when the run must be done request by request.
    fn finish_record(&self) -> bool;
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
        ACTIVE.with(|a| a.borrow_mut().take());
    }
}

/// Runs `run` (one run of the simulator) batched when an adapter model takes part: recorded,
/// sent as one batch, replayed; request by request when that does not work out. A run without
/// an adapter model runs once.
pub(crate) fn batched<T>(mut run: impl FnMut() -> T) -> T {
    if phase() != Phase::Live {
        // A run inside a run (a model running the simulator): leave it to the outer one.
        return run();
    }
    let _reset = Reset;
    PHASE.with(|p| p.set(Phase::Record));
    let recorded = run();
    let Some(conn) = ACTIVE.with(|a| a.borrow().clone()) else {
        return recorded;
    };
    drop(recorded);
    PHASE.with(|p| p.set(Phase::Live));
    if conn.finish_record() {
        conn.start_replay();
        PHASE.with(|p| p.set(Phase::Replay));
        let replayed = run();
        PHASE.with(|p| p.set(Phase::Live));
        if conn.finish_replay() {
            return replayed;
        }
    }
    ACTIVE.with(|a| a.borrow_mut().take());
    run()
}
