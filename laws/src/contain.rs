//! Containment: a model that panics or hangs is a finding, not a crash or a hung run.
//!
//! [`catch_panic`] runs a closure, catches a panic, and returns its message and location
//! without printing it (other threads' panics still reach the previous panic hook).
//!
//! [`Watchdog`] runs jobs on worker threads it can abandon: a job that goes silent for longer
//! than its limit (no [`catch_panic`] entered or left, no [`note`] made) is reported
//! [`Stopped::Stuck`], its thread is left running (leaked: safe Rust cannot stop it) and a fresh
//! worker takes its place. Every call into user code made through [`catch_panic`] counts as a
//! sign of life, so the limit bounds each single call, not a whole job.
//!
//! ```
//! use crdt_laws::contain::catch_panic;
//! let caught = catch_panic(|| -> u32 { panic!("merge exploded") }).unwrap_err();
//! assert_eq!(caught.message, "merge exploded");
//! assert_eq!(catch_panic(|| 7).unwrap(), 7);
//! ```

use std::cell::{Cell, RefCell};
use std::fmt::{self, Display};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// A caught panic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panic {
    /// The panic's message.
    pub message: String,
    /// Where it panicked, `file:line:column`, when known.
    pub location: Option<String>,
}

impl Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(at) => write!(f, "panicked at {at}: {}", self.message),
            None => write!(f, "panicked: {}", self.message),
        }
    }
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST: RefCell<Option<Panic>> = const { RefCell::new(None) };
    /// On a watchdog's worker: its signs of life, and the last note made.
    static BEAT: Cell<Option<&'static Beat>> = const { Cell::new(None) };
}

/// A worker's signs of life: a counter that moves while the worker makes progress, and the
/// last [`note`] (`0` for none).
///
/// Each worker writes its own on every call into the model while a monitor reads them all:
/// aligned to 128 bytes (two cache lines, for adjacent-line prefetching) so that two workers'
/// counters never share a line (false sharing made every write of one stall the other).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Beat {
    count: AtomicU64,
    note: AtomicU64,
}

/// A thread's signs of life, for a monitor of threads that the caller runs itself (as a
/// [`Watchdog`] does for its workers): once [`attach`](Pulse::attach)ed to a thread, every
/// [`catch_panic`] and [`note`] on that thread moves its [`count`](Pulse::count).
///
/// ```
/// use crdt_laws::contain::{Pulse, catch_panic, note};
/// let pulse = Pulse::leak();
/// std::thread::spawn(move || {
///     pulse.attach();
///     note(5);
///     catch_panic(|| 1).unwrap();
/// })
/// .join()
/// .unwrap();
/// assert!(pulse.count() >= 3);
/// assert_eq!(pulse.last_note(), Some(5));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Pulse(&'static Beat);

impl Pulse {
    /// A new pulse, leaked: an abandoned thread may hold it for ever.
    #[must_use]
    pub fn leak() -> Pulse {
        Pulse(Box::leak(Box::default()))
    }

    /// Makes this the current thread's pulse, and clears its note.
    pub fn attach(self) {
        BEAT.with(|b| b.set(Some(self.0)));
        self.0.note.store(0, Ordering::Relaxed);
        self.0.count.fetch_add(1, Ordering::Relaxed);
    }

    /// The signs of life so far: it moves while the thread makes progress.
    #[must_use]
    pub fn count(self) -> u64 {
        self.0.count.load(Ordering::Relaxed)
    }

    /// The last [`note`] made on the thread since [`attach`](Pulse::attach), if any.
    #[must_use]
    pub fn last_note(self) -> Option<u64> {
        let note = self.0.note.load(Ordering::Relaxed);
        (note != 0).then_some(note)
    }
}

/// One more sign of life. Only the thread attached to a pulse writes it (a monitor only
/// reads), so a plain load and store do: no locked read-modify-write on every contained call.
fn beat() {
    if let Some(beat) = BEAT.with(Cell::get) {
        beat.count.store(
            beat.count.load(Ordering::Relaxed).wrapping_add(1),
            Ordering::Relaxed,
        );
    }
}

/// Records where the current job is (a step number, a case number; not 0), for the report of a
/// job that gets stuck, and counts as a sign of life. Does nothing outside a [`Watchdog`].
pub fn note(at: u64) {
    if let Some(beat) = BEAT.with(Cell::get) {
        beat.note.store(at, Ordering::Relaxed);
    }
    beat();
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let caught = Panic {
                    message: payload_text(info.payload()),
                    location: info.location().map(ToString::to_string),
                };
                LAST.with(|last| *last.borrow_mut() = Some(caught));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, returning its result or the panic it raised, quietly.
///
/// # Errors
/// The [`Panic`] when `f` panics.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    beat();
    let was_quiet = QUIET.with(|q| q.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was_quiet));
    beat();
    result.map_err(|payload| {
        LAST.with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| Panic {
                message: payload_text(payload.as_ref()),
                location: None,
            })
    })
}

/// Why a [`Watchdog`] job did not return a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stopped {
    /// The job panicked.
    Panicked(Panic),
    /// The job showed no sign of life for its limit; its thread was abandoned.
    Stuck {
        /// How long it had been silent when abandoned.
        silent_for: Duration,
        /// The last [`note`] it made, if any.
        note: Option<u64>,
    },
}

impl Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stopped::Panicked(panic) => write!(f, "{panic}"),
            Stopped::Stuck { silent_for, .. } => {
                write!(f, "did not return for {silent_for:.2?}")
            }
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

#[derive(Debug)]
struct Worker {
    jobs: mpsc::Sender<Job>,
    beat: &'static Beat,
}

/// A pool of worker threads that gives up on jobs that hang.
///
/// Jobs must own what they use (`'static`), since a stuck job's thread outlives the call. A
/// panic in a job is caught quietly and returned as [`Stopped::Panicked`].
///
/// ```
/// use crdt_laws::contain::{Stopped, Watchdog};
/// use std::time::Duration;
///
/// let mut watchdog = Watchdog::new(2, Duration::from_millis(100));
/// let jobs: Vec<Box<dyn FnOnce() -> u32 + Send>> = vec![
///     Box::new(|| 6 * 7),
///     Box::new(|| panic!("boom")),
///     Box::new(|| loop { std::thread::sleep(Duration::from_millis(10)) }),
/// ];
/// let results = watchdog.run_all(jobs);
/// assert_eq!(results[0], Ok(42));
/// assert!(matches!(&results[1], Err(Stopped::Panicked(p)) if p.message == "boom"));
/// assert!(matches!(results[2], Err(Stopped::Stuck { .. })));
/// assert_eq!(watchdog.abandoned(), 1);
/// // The pool goes on with a fresh worker.
/// assert_eq!(watchdog.run(|| 1), Ok(1));
/// ```
#[derive(Debug)]
pub struct Watchdog {
    threads: usize,
    limit: Duration,
    idle: Vec<Worker>,
    abandoned: usize,
}

struct Busy {
    index: usize,
    worker: Worker,
    seen: u64,
    since: Instant,
}

impl Watchdog {
    /// A pool running up to `threads` jobs at once (at least one), abandoning a job silent for
    /// `limit`.
    #[must_use]
    pub fn new(threads: usize, limit: Duration) -> Self {
        Watchdog {
            threads: threads.max(1),
            limit,
            idle: Vec::new(),
            abandoned: 0,
        }
    }

    /// Jobs run at once.
    #[must_use]
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The silence after which a job is abandoned.
    #[must_use]
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// How many stuck threads this pool has abandoned.
    #[must_use]
    pub fn abandoned(&self) -> usize {
        self.abandoned
    }

    fn spawn(&self) -> Worker {
        let beat: &'static Beat = Box::leak(Box::default());
        let (jobs, queue) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("crdt-watched".into())
            .stack_size(16 << 20)
            .spawn(move || {
                BEAT.with(|b| b.set(Some(beat)));
                while let Ok(job) = queue.recv() {
                    beat.note.store(0, Ordering::Relaxed);
                    beat.count.fetch_add(1, Ordering::Relaxed);
                    job();
                }
            })
            .expect("spawning a worker thread");
        Worker { jobs, beat }
    }

    /// Runs one job.
    ///
    /// # Errors
    /// [`Stopped`] when the job panicked or got stuck.
    pub fn run<T: Send + 'static>(
        &mut self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Stopped> {
        self.run_all(vec![job]).pop().expect("one job, one result")
    }

    /// Runs `jobs`, up to [`threads`](Watchdog::threads) at once, and returns their results in
    /// the jobs' order.
    pub fn run_all<T, F>(&mut self, jobs: Vec<F>) -> Vec<Result<T, Stopped>>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        self.run_until_stuck(jobs, usize::MAX)
            .into_iter()
            .map(|r| r.expect("without a limit every job runs"))
            .collect()
    }

    /// Runs `jobs` like [`run_all`](Watchdog::run_all), but only up to the job that is the
    /// `max_stuck`-th to get stuck, counting in the jobs' order: the results of later jobs are
    /// `None` (most are never started). Which jobs run does not depend on timing when whether a
    /// job gets stuck does not: jobs start in order, so every job before that one runs.
    ///
    /// ```
    /// use crdt_laws::contain::Watchdog;
    /// use std::time::Duration;
    ///
    /// let jobs: Vec<Box<dyn FnOnce() -> u32 + Send>> = (0..6)
    ///     .map(|i| -> Box<dyn FnOnce() -> u32 + Send> {
    ///         Box::new(move || {
    ///             while i % 2 == 1 {
    ///                 std::thread::sleep(Duration::from_millis(10));
    ///             }
    ///             i
    ///         })
    ///     })
    ///     .collect();
    /// let results = Watchdog::new(2, Duration::from_millis(50)).run_until_stuck(jobs, 2);
    /// assert_eq!(results[0], Some(Ok(0)));
    /// assert!(matches!(results[3], Some(Err(_))));
    /// assert!(results[4].is_none() && results[5].is_none());
    /// ```
    pub fn run_until_stuck<T, F>(
        &mut self,
        jobs: Vec<F>,
        max_stuck: usize,
    ) -> Vec<Option<Result<T, Stopped>>>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let max_stuck = max_stuck.max(1);
        let n = jobs.len();
        let mut results: Vec<Option<Result<T, Stopped>>> = (0..n).map(|_| None).collect();
        let (done, finished) = mpsc::channel::<(usize, Result<T, Panic>)>();
        let mut pending = jobs.into_iter().enumerate().peekable();
        let mut busy: Vec<Busy> = Vec::new();
        let tick = (self.limit / 4).clamp(Duration::from_millis(1), Duration::from_millis(20));
        let mut stuck: Vec<usize> = Vec::new();
        // The index of the `max_stuck`-th stuck job so far: no later job is needed.
        let mut cutoff = usize::MAX;
        loop {
            while busy.len() < self.threads {
                let Some((index, job)) = pending.next_if(|&(index, _)| index <= cutoff) else {
                    break;
                };
                let worker = self.idle.pop().unwrap_or_else(|| self.spawn());
                let done = done.clone();
                let sent = worker.jobs.send(Box::new(move || {
                    let _ = done.send((index, catch_panic(job)));
                }));
                debug_assert!(sent.is_ok(), "an idle worker is alive");
                busy.push(Busy {
                    index,
                    seen: worker.beat.count.load(Ordering::Relaxed),
                    worker,
                    since: Instant::now(),
                });
            }
            if busy.is_empty() {
                break;
            }
            match finished.recv_timeout(tick) {
                Ok((index, result)) => {
                    // A late result from a job already abandoned has no worker here: dropped.
                    if let Some(k) = busy.iter().position(|b| b.index == index) {
                        let b = busy.swap_remove(k);
                        self.idle.push(b.worker);
                        results[index] = Some(result.map_err(Stopped::Panicked));
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("we hold a sender"),
            }
            let now = Instant::now();
            let mut k = 0;
            while k < busy.len() {
                let b = &mut busy[k];
                let count = b.worker.beat.count.load(Ordering::Relaxed);
                if count != b.seen {
                    b.seen = count;
                    b.since = now;
                } else if now.duration_since(b.since) >= self.limit {
                    let note = b.worker.beat.note.load(Ordering::Relaxed);
                    results[b.index] = Some(Err(Stopped::Stuck {
                        silent_for: now.duration_since(b.since),
                        note: (note != 0).then_some(note),
                    }));
                    // Dropping the worker closes its queue: the thread ends if the job ever
                    // returns.
                    stuck.push(b.index);
                    busy.swap_remove(k);
                    self.abandoned += 1;
                    if stuck.len() >= max_stuck {
                        stuck.sort_unstable();
                        cutoff = stuck[max_stuck - 1];
                    }
                    continue;
                }
                k += 1;
            }
        }
        results
            .into_iter()
            .enumerate()
            .map(|(index, r)| if index <= cutoff { r } else { None })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_catches_restore_quietness() {
        let outer = catch_panic(|| {
            let inner = catch_panic(|| panic!("inner"));
            assert_eq!(inner.unwrap_err().message, "inner");
            panic!("outer {}", 2);
        });
        let caught = outer.unwrap_err();
        assert_eq!(caught.message, "outer 2");
        assert!(caught.location.unwrap().contains("contain.rs"));
        assert!(!QUIET.with(Cell::get));
    }

    #[test]
    fn a_slow_job_that_shows_life_is_not_abandoned() {
        let mut watchdog = Watchdog::new(1, Duration::from_millis(60));
        let result = watchdog.run(|| {
            for k in 1..=10 {
                note(k);
                std::thread::sleep(Duration::from_millis(20));
            }
            7
        });
        assert_eq!(result, Ok(7));
        assert_eq!(watchdog.abandoned(), 0);
    }

    #[test]
    fn a_stuck_job_reports_its_last_note_and_others_finish() {
        let mut watchdog = Watchdog::new(2, Duration::from_millis(50));
        let jobs: Vec<Box<dyn FnOnce() -> u64 + Send>> = (0..6u64)
            .map(|i| -> Box<dyn FnOnce() -> u64 + Send> {
                Box::new(move || {
                    if i == 3 {
                        note(9);
                        loop {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                    }
                    i * 10
                })
            })
            .collect();
        let results = watchdog.run_all(jobs);
        for (i, r) in results.iter().enumerate() {
            if i == 3 {
                assert!(
                    matches!(r, Err(Stopped::Stuck { note: Some(9), .. })),
                    "{r:?}"
                );
            } else {
                assert_eq!(r, &Ok(i as u64 * 10));
            }
        }
    }
}
