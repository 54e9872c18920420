//! The parallel search: workers take chunks of batches from a shared cursor, with no barrier.
//!
//! A run's schedules are numbered by position in its shard; batch `b` holds positions
//! `b * BATCH ..` up to the next batch. A batch is cut into chunks of equal size
//! ([`chunk_size`]: the whole batch for one worker, smaller pieces when there are too few
//! batches to keep every worker busy). Each worker takes the next chunk from one atomic cursor
//! (a fetch-and-add, padded to its own cache line), runs it alone and sends its results to the
//! caller's thread, then takes another: an idle worker never waits for a busy one, so the load
//! balances as work stealing would, and there is no point where all workers wait for the
//! slowest (the barrier after every batch that held two threads to 1.11 times one).
//!
//! The caller's thread puts the chunks back in order, joins them into batches ([`Collector`])
//! and decides there, batch by batch, what the run is: the tallies, the failures, where it
//! stops. A stop (the first failure, too many hangs) lowers the cursor's bound to the end of
//! that batch; chunks claimed beyond it are run and dropped. Since chunks are claimed in order
//! and a batch once begun is finished, the batches taken are always the same prefix whatever
//! the number of threads and the chunk size, so the same seed gives the same findings.
//!
//! Under a watchdog ([`watched`]) every chunk is a whole batch, and the caller's thread also
//! watches each worker's [`Pulse`]: a worker silent for the limit is abandoned (its schedule
//! is a hang finding) and a fresh worker runs its batch again from the start, the hung
//! schedules' findings standing in for them, so the batch's results are those of an
//! uninterrupted run.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crdt_laws::contain::{Pulse, Stopped, catch_panic};

use super::{BATCH, Op, Ran, Work, make_strategy, run_index};
use crate::adapter::deferring;
use crate::protocol::Protocol;

/// A value alone on its cache lines: the cursor, written by every worker, must not share a
/// line with what the workers only read.
#[repr(align(128))]
struct Padded<T>(T);

/// Which schedules a run covers: position `p` is schedule `first + p * stride`, while that is
/// under `limit`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Plan {
    pub(super) first: u64,
    pub(super) stride: u64,
    pub(super) limit: u64,
}

impl Plan {
    fn index(&self, position: u64) -> Option<u64> {
        position
            .checked_mul(self.stride)?
            .checked_add(self.first)
            .filter(|&i| i < self.limit)
    }

    /// How many positions the plan has from batch `first_batch` on.
    fn positions_from(&self, first_batch: u64) -> u64 {
        let all = match self.limit.checked_sub(self.first) {
            Some(0) | None => 0,
            Some(span) => (span - 1) / self.stride.max(1) + 1,
        };
        all.saturating_sub(first_batch.saturating_mul(BATCH))
    }
}

/// How many chunks each worker should get at least, so that schedules of uneven cost (an
/// adapter process's, a shrinking-heavy model's) still spread evenly over the workers.
const CHUNKS_PER_THREAD: u64 = 8;

/// Schedules per chunk, the unit a worker claims, for `threads` workers on `plan` from batch
/// `first_batch` on: a power of two that divides [`BATCH`], so a batch is a whole number of
/// chunks. One worker claims whole batches; several split a run too short to give each of
/// them [`CHUNKS_PER_THREAD`] batches into smaller chunks (down to single schedules), so that
/// 16 schedules on two threads run 8 and 8 rather than 16 and 0. The batches, and so which
/// schedules run and what the run reports, do not depend on it: only who runs what does.
///
/// ```text
/// 16 schedules, 2 threads: chunks of 1;  1000 schedules, 2 threads: chunks of 32
/// ```
pub(super) fn chunk_size(plan: &Plan, first_batch: u64, threads: usize) -> u64 {
    if threads <= 1 {
        return BATCH;
    }
    let wanted =
        plan.positions_from(first_batch) / (threads as u64).saturating_mul(CHUNKS_PER_THREAD);
    let at_most = wanted.clamp(1, BATCH);
    // The largest power of two not above it.
    1 << (u64::BITS - 1 - at_most.leading_zeros())
}

/// What the workers share: the cursor, its bound and the reasons to stop taking chunks.
pub(super) struct Shared {
    /// The next chunk to hand out.
    next: Padded<AtomicU64>,
    /// The first chunk handed out.
    first: u64,
    /// No chunk from here on is handed out.
    bound: Padded<AtomicU64>,
    /// Schedules per chunk ([`chunk_size`]).
    chunk: u64,
    plan: Plan,
    deadline: Option<Instant>,
    stop: Option<Arc<AtomicBool>>,
    interrupted: AtomicBool,
    progress: Option<Arc<AtomicU64>>,
}

impl Shared {
    /// Workers start at batch `first_batch` (later than 0 when resuming) and claim chunks of
    /// `chunk` schedules (a divisor of [`BATCH`]: [`chunk_size`]).
    pub(super) fn new(
        plan: Plan,
        first_batch: u64,
        chunk: u64,
        deadline: Option<Instant>,
        stop: Option<Arc<AtomicBool>>,
        progress: Option<Arc<AtomicU64>>,
    ) -> Shared {
        assert!(
            chunk > 0 && BATCH.is_multiple_of(chunk),
            "a chunk of {chunk} schedules does not divide a batch of {BATCH}"
        );
        let first = first_batch.saturating_mul(BATCH / chunk);
        Shared {
            next: Padded(AtomicU64::new(first)),
            first,
            bound: Padded(AtomicU64::new(u64::MAX)),
            chunk,
            plan,
            deadline,
            stop,
            interrupted: AtomicBool::new(false),
            progress,
        }
    }

    /// Chunks per batch.
    fn per_batch(&self) -> u64 {
        BATCH / self.chunk
    }

    /// True when chunk `chunk` has schedules.
    fn has(&self, chunk: u64) -> bool {
        chunk
            .checked_mul(self.chunk)
            .and_then(|p| self.plan.index(p))
            .is_some()
    }

    /// True when chunk `chunk` is the last of its batch.
    fn ends_batch(&self, chunk: u64) -> bool {
        (chunk + 1).is_multiple_of(self.per_batch()) || !self.has(chunk + 1)
    }

    /// The schedule indices of chunk `chunk`, in order.
    pub(super) fn indices(&self, chunk: u64) -> impl Iterator<Item = u64> + '_ {
        let start = chunk.saturating_mul(self.chunk);
        (start..start.saturating_add(self.chunk)).map_while(move |p| self.plan.index(p))
    }

    /// True when no new batch is to be started (the deadline passed, the stop flag is set).
    fn stopping(&self) -> bool {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return true;
        }
        if self
            .stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
        {
            self.interrupted.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }

    /// The next chunk to run, or `None` when the run is over for this worker. A batch whose
    /// first chunk was handed out is run to its end (its other chunks are handed out whatever
    /// the deadline), so the whole batches run are a prefix; when a batch is not started, the
    /// bound falls to it, and chunks of it another worker claimed meanwhile are run and
    /// dropped with the incomplete batch.
    fn claim(&self) -> Option<u64> {
        let chunk = self.next.0.fetch_add(1, Ordering::Relaxed);
        if chunk >= self.bound.0.load(Ordering::Relaxed) || !self.has(chunk) {
            return None;
        }
        if chunk.is_multiple_of(self.per_batch()) && self.stopping() {
            self.bound.0.fetch_min(chunk, Ordering::Relaxed);
            return None;
        }
        Some(chunk)
    }

    fn finished(&self, schedules: usize) {
        if let Some(progress) = &self.progress {
            progress.fetch_add(schedules as u64, Ordering::Relaxed);
        }
    }

    /// True when workers stopped taking batches because the stop flag was set.
    pub(super) fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }
}

/// What the caller does with each batch's results, in batch order; `true` ends the run after
/// that batch.
pub(super) type OnBatch<'a> = &'a mut dyn FnMut(Vec<Ran>) -> bool;

/// Puts chunks back in order, joins them into batches and hands the batches to the caller.
/// A batch whose chunks did not all arrive (the run stopped while it ran) is never handed on.
struct Collector<'a, 'b> {
    pending: BTreeMap<u64, Vec<Ran>>,
    /// The next chunk to take.
    next: u64,
    /// The chunks of the current batch taken so far.
    batch: Vec<Ran>,
    done: bool,
    shared: &'a Shared,
    on_batch: OnBatch<'b>,
}

impl<'a, 'b> Collector<'a, 'b> {
    fn new(shared: &'a Shared, on_batch: OnBatch<'b>) -> Self {
        Collector {
            pending: BTreeMap::new(),
            next: shared.first,
            batch: Vec::new(),
            done: false,
            shared,
            on_batch,
        }
    }

    fn accept(&mut self, chunk: u64, ran: Vec<Ran>) {
        if self.done || chunk < self.next {
            return;
        }
        self.pending.insert(chunk, ran);
        while let Some(ran) = self.pending.remove(&self.next) {
            let chunk = self.next;
            self.next += 1;
            self.batch.extend(ran);
            if !self.shared.ends_batch(chunk) {
                continue;
            }
            let batch = std::mem::take(&mut self.batch);
            if (self.on_batch)(batch) {
                self.done = true;
                self.shared.bound.0.fetch_min(self.next, Ordering::Relaxed);
                self.pending.clear();
                return;
            }
        }
    }
}

/// Runs the plan on `threads` scoped workers over a borrowed protocol (panics contained by
/// [`run_index`], hangs not).
pub(super) fn inline<P: Protocol>(
    protocol: &P,
    threads: usize,
    work: &Work,
    shared: &Shared,
    on_batch: OnBatch<'_>,
) where
    Op<P>: 'static,
{
    let (results, received) = mpsc::channel::<(u64, Vec<Ran>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            let results = results.clone();
            scope.spawn(move || {
                let strategy = make_strategy(protocol, work.shape);
                while let Some(chunk) = shared.claim() {
                    let ran = run_deferred(shared.indices(chunk), |index| {
                        run_index(protocol, &strategy, work, index)
                    });
                    shared.finished(ran.len());
                    if results.send((chunk, ran)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(results);
        let mut collector = Collector::new(shared, on_batch);
        for (chunk, ran) in received {
            collector.accept(chunk, ran);
        }
    });
}

/// Runs the schedules `indices` one after another with `run`, an adapter model's recordings
/// deferred ([`deferring`]): the adapter runs one schedule's batch while the next is
/// recorded. A schedule whose deferred recording does not stand for its run (an answer other
/// than assumed, a failed batch) is run again, not deferred, so each schedule's result is the
/// one it has alone.
fn run_deferred(indices: impl Iterator<Item = u64>, mut run: impl FnMut(u64) -> Ran) -> Vec<Ran> {
    let ((mut ran, deferred), verdicts) = deferring(|count| {
        let mut deferred = Vec::new();
        let ran: Vec<Ran> = indices
            .map(|index| {
                let before = count();
                let ran = run(index);
                deferred.push(count() - before);
                ran
            })
            .collect();
        (ran, deferred)
    });
    let mut verdicts = verdicts.into_iter();
    for (k, n) in deferred.into_iter().enumerate() {
        // Every verdict of the schedule is taken, so the next schedule's are its own.
        let taken: Vec<bool> = verdicts.by_ref().take(n).collect();
        if taken.len() < n || taken.contains(&false) {
            ran[k] = run(ran[k].index);
        }
    }
    ran
}

/// `current` of a worker between schedules.
const IDLE: u64 = u64::MAX;
/// `current` of a worker given up on.
const ABANDONED: u64 = u64::MAX - 1;

/// A watched worker as its monitor sees it.
struct Slot {
    pulse: Pulse,
    /// The schedule it runs ([`IDLE`], [`ABANDONED`]). Whoever moves it away from a schedule's
    /// index owns that schedule's result: the worker (to [`IDLE`], done) or the monitor (to
    /// [`ABANDONED`], hung).
    current: AtomicU64,
    /// The batch it runs.
    batch: AtomicU64,
}

enum Message {
    Batch(u64, Vec<Ran>),
    /// A worker found no more batches.
    Exit,
}

/// A batch to run again from its start after a hang: the hung schedules' findings stand in
/// for them, and with `last` the batch ends at that schedule.
struct Redo {
    batch: u64,
    hung: VecDeque<Ran>,
    last: Option<u64>,
}

/// What a watched run needs besides its protocol.
pub(super) struct Watch {
    pub(super) threads: usize,
    pub(super) limit: Duration,
    pub(super) max_stuck: usize,
    pub(super) limits: crate::sim::Limits,
}

/// Runs the plan on `watch.threads` workers it may abandon (each chunk a whole batch, whose
/// hangs its worker counts in index order): a worker silent for `watch.limit`
/// is left running, its schedule a hang finding, and a fresh worker runs its batch again
/// (after `watch.max_stuck` hangs in one batch, only up to the last of them).
pub(super) fn watched<P>(
    protocol: &Arc<P>,
    watch: &Watch,
    work: &Work,
    shared: &Arc<Shared>,
    on_batch: OnBatch<'_>,
) where
    P: Protocol + Send + Sync + 'static,
    Op<P>: Send + 'static,
{
    let (results, received) = mpsc::channel::<Message>();
    let spawn = |redo: Option<Redo>| {
        let slot = Arc::new(Slot {
            pulse: Pulse::leak(),
            current: AtomicU64::new(IDLE),
            batch: AtomicU64::new(0),
        });
        let (protocol, work, shared, results, mine) = (
            Arc::clone(protocol),
            work.clone(),
            Arc::clone(shared),
            results.clone(),
            Arc::clone(&slot),
        );
        let limits = watch.limits;
        std::thread::Builder::new()
            .name("crdt-watched".into())
            .stack_size(16 << 20)
            .spawn(move || worker(&*protocol, &work, &shared, &mine, &results, redo, limits))
            .expect("spawning a worker thread");
        // Not a count the pulse has had yet: the first look starts the silence clock.
        (slot, u64::MAX, Instant::now())
    };
    let mut slots: Vec<_> = (0..watch.threads.max(1)).map(|_| spawn(None)).collect();
    let mut hung: BTreeMap<u64, Vec<Ran>> = BTreeMap::new();
    let mut live = slots.len();
    let mut collector = Collector::new(shared, on_batch);
    let tick = (watch.limit / 4).clamp(Duration::from_millis(1), Duration::from_millis(20));
    while live > 0 {
        match received.recv_timeout(tick) {
            Ok(Message::Batch(batch, ran)) => collector.accept(batch, ran),
            Ok(Message::Exit) => live -= 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("we hold a sender"),
        }
        let now = Instant::now();
        for entry in &mut slots {
            let (slot, seen, since) = entry;
            let current = slot.current.load(Ordering::Acquire);
            let count = slot.pulse.count();
            if current >= ABANDONED || count != *seen {
                (*seen, *since) = (count, now);
                continue;
            }
            let silent_for = now.duration_since(*since);
            if silent_for < watch.limit
                || slot
                    .current
                    .compare_exchange(current, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
            {
                continue;
            }
            let stopped = Stopped::Stuck {
                silent_for,
                note: slot.pulse.last_note(),
            };
            let batch = slot.batch.load(Ordering::Relaxed);
            let list = hung.entry(batch).or_default();
            list.push(Ran::stopped(current, stopped, watch.limits));
            let redo = Redo {
                batch,
                hung: list.iter().cloned().collect(),
                last: (list.len() >= watch.max_stuck.max(1)).then_some(current),
            };
            *entry = spawn(Some(redo));
        }
    }
}

/// A watched worker: runs `redo` if given, then batches from the cursor until there are none.
fn worker<P: Protocol>(
    protocol: &P,
    work: &Work,
    shared: &Shared,
    slot: &Slot,
    results: &mpsc::Sender<Message>,
    mut redo: Option<Redo>,
    limits: crate::sim::Limits,
) where
    Op<P>: 'static,
{
    slot.pulse.attach();
    // Built lazily, inside a schedule's watch: the model's operation strategy may hang.
    let mut strategy = None;
    loop {
        let (batch, mut hung, last) = match redo.take() {
            Some(redo) => (redo.batch, redo.hung, redo.last),
            None => match shared.claim() {
                Some(batch) => (batch, VecDeque::new(), None),
                None => break,
            },
        };
        slot.batch.store(batch, Ordering::Relaxed);
        let mut ran = Vec::with_capacity(BATCH as usize);
        for index in shared.indices(batch) {
            if hung.front().is_some_and(|r| r.index == index) {
                ran.extend(hung.pop_front());
            } else {
                slot.current.store(index, Ordering::Release);
                let result = catch_panic(|| {
                    let strategy =
                        strategy.get_or_insert_with(|| make_strategy(protocol, work.shape));
                    run_index(protocol, strategy, work, index)
                })
                .unwrap_or_else(|panic| Ran::stopped(index, Stopped::Panicked(panic), limits));
                if slot
                    .current
                    .compare_exchange(index, IDLE, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    // Abandoned while it ran: the monitor reported it and went on without us.
                    return;
                }
                ran.push(result);
            }
            if last == Some(index) {
                break;
            }
        }
        shared.finished(ran.len());
        if results.send(Message::Batch(batch, ran)).is_err() {
            return;
        }
    }
    let _ = results.send(Message::Exit);
}
