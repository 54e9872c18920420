//! The parallel search: workers take whole batches from a shared cursor, with no barrier.
//!
//! A run's schedules are numbered by position in its shard; batch `b` holds positions
//! `b * BATCH ..` up to the next batch. Each worker takes the next batch from one atomic
//! cursor (a fetch-and-add, padded to its own cache line), runs it alone and sends its results
//! to the caller's thread, then takes another: an idle worker never waits for a busy one, so
//! the load balances as work stealing would, and there is no point where all workers wait for
//! the slowest (the barrier after every batch that held two threads to 1.11 times one).
//!
//! The caller's thread takes the results in batch order ([`Collector`]) and decides there what
//! the run is: the tallies, the failures, where it stops. A stop (the first failure, too many
//! hangs) lowers the cursor's bound to the end of that batch; batches claimed beyond it are
//! run and dropped. Since batches are claimed in order and every claimed batch is finished,
//! the batches taken are always the same prefix whatever the number of threads, so the same
//! seed gives the same findings.
//!
//! Under a watchdog ([`watched`]) the caller's thread also watches each worker's [`Pulse`]:
//! a worker silent for the limit is abandoned (its schedule is a hang finding) and a fresh
//! worker runs its batch again from the start, the hung schedules' findings standing in for
//! them, so the batch's results are those of an uninterrupted run.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crdt_laws::contain::{Pulse, Stopped, catch_panic};

use super::{BATCH, Op, Ran, Work, make_strategy, run_index};
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

    /// The schedule indices of batch `batch`, in order.
    pub(super) fn batch(&self, batch: u64) -> impl Iterator<Item = u64> + '_ {
        let start = batch.saturating_mul(BATCH);
        (start..start.saturating_add(BATCH)).map_while(move |p| self.index(p))
    }

    fn has(&self, batch: u64) -> bool {
        batch
            .checked_mul(BATCH)
            .and_then(|p| self.index(p))
            .is_some()
    }
}

/// What the workers share: the cursor, its bound and the reasons to stop taking batches.
pub(super) struct Shared {
    next: Padded<AtomicU64>,
    /// The first batch handed out.
    first: u64,
    bound: Padded<AtomicU64>,
    plan: Plan,
    deadline: Option<Instant>,
    stop: Option<Arc<AtomicBool>>,
    interrupted: AtomicBool,
    progress: Option<Arc<AtomicU64>>,
}

impl Shared {
    /// Workers start at batch `first_batch` (later than 0 when resuming).
    pub(super) fn new(
        plan: Plan,
        first_batch: u64,
        deadline: Option<Instant>,
        stop: Option<Arc<AtomicBool>>,
        progress: Option<Arc<AtomicU64>>,
    ) -> Shared {
        Shared {
            next: Padded(AtomicU64::new(first_batch)),
            first: first_batch,
            bound: Padded(AtomicU64::new(u64::MAX)),
            plan,
            deadline,
            stop,
            interrupted: AtomicBool::new(false),
            progress,
        }
    }

    /// The next batch to run, or `None` when the run is over for this worker. A batch handed
    /// out is always run to its end, so the batches run are a prefix.
    fn claim(&self) -> Option<u64> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        if self
            .stop
            .as_ref()
            .is_some_and(|s| s.load(Ordering::Relaxed))
        {
            self.interrupted.store(true, Ordering::Relaxed);
            return None;
        }
        let batch = self.next.0.fetch_add(1, Ordering::Relaxed);
        (batch < self.bound.0.load(Ordering::Relaxed) && self.plan.has(batch)).then_some(batch)
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

/// Puts batches back in order and hands them to the caller.
struct Collector<'a, 'b> {
    pending: BTreeMap<u64, Vec<Ran>>,
    next: u64,
    done: bool,
    shared: &'a Shared,
    on_batch: OnBatch<'b>,
}

impl<'a, 'b> Collector<'a, 'b> {
    fn new(shared: &'a Shared, on_batch: OnBatch<'b>) -> Self {
        Collector {
            pending: BTreeMap::new(),
            next: shared.first,
            done: false,
            shared,
            on_batch,
        }
    }

    fn accept(&mut self, batch: u64, ran: Vec<Ran>) {
        if self.done || batch < self.next {
            return;
        }
        self.pending.insert(batch, ran);
        while let Some(ran) = self.pending.remove(&self.next) {
            self.next += 1;
            if (self.on_batch)(ran) {
                self.done = true;
                self.shared.bound.0.store(self.next, Ordering::Relaxed);
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
                while let Some(batch) = shared.claim() {
                    let ran: Vec<Ran> = shared
                        .plan
                        .batch(batch)
                        .map(|index| run_index(protocol, &strategy, work, index))
                        .collect();
                    shared.finished(ran.len());
                    if results.send((batch, ran)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(results);
        let mut collector = Collector::new(shared, on_batch);
        for (batch, ran) in received {
            collector.accept(batch, ran);
        }
    });
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

/// Runs the plan on `watch.threads` workers it may abandon: a worker silent for `watch.limit`
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
        for index in shared.plan.batch(batch) {
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
