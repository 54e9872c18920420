//! [`Harness`]: the library API for users' own tests.

use std::sync::Arc;
use std::time::Duration;

use crdt_laws::{DeltaCrdt, Model, OpCrdt, StateCrdt};

use crate::protocol::{DeltaProtocol, OpProtocol, Protocol, StateProtocol};
use crate::runner::{Options, Shard, Summary, run_watched, search, search_watched};
use crate::schedule::{Faults, Schedule};
use crate::sim::{Limits, Outcome, RunConfig, run};
use crate::sync::{CrdtOp, SyncModel, SyncProtocol};

/// Randomized multi-replica schedules for one model, from a `#[test]` in a few lines.
///
/// ```
/// use crdt_harness::{Faults, Harness};
/// use crdt_laws::toys::SetUnion;
///
/// let summary = Harness::state(&SetUnion::default())
///     .replicas(3)
///     .faults(Faults::ALL)
///     .schedules(200)
///     .seed(42)
///     .run();
/// summary.assert_passed();
/// assert_eq!(summary.schedules, 200);
/// ```
///
/// # Containment
/// [`Harness::state`], [`Harness::delta`], [`Harness::op`] and [`Harness::owned`] own their
/// model (a clone, shared by the worker threads), so [`run`](Harness::run) contains everything
/// the model can do wrong: a panic anywhere is a `panic` finding, a call that never returns is
/// a `step_timeout` finding (its thread is abandoned, the run goes on), and the summary is
/// always produced. A harness over a borrowed protocol ([`Harness::with`]) contains panics, but
/// a call that never returns hangs its run.
#[derive(Clone, Debug)]
pub struct Harness<P: Protocol> {
    protocol: P,
    options: Options,
    watched: Option<Watched<P>>,
}

/// The runs of a harness that owns its model: monomorphized where the bounds are known.
struct Watched<P: Protocol> {
    search: fn(&P, &Options) -> Summary<Op<P>>,
    replay: fn(&P, &Schedule<Op<P>>, RunConfig) -> Outcome,
}

impl<P: Protocol> Clone for Watched<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P: Protocol> Copy for Watched<P> {}

impl<P: Protocol> std::fmt::Debug for Watched<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watched")
    }
}

impl<M> Harness<StateProtocol<Arc<M>>>
where
    M: StateCrdt + Clone + Send + Sync + 'static,
    M::Op: Send + 'static,
{
    /// A harness for a state-based model (cloned): replicas ship whole states.
    pub fn state(model: &M) -> Self {
        Harness::owned(StateProtocol(Arc::new(model.clone())))
    }
}

impl<M> Harness<DeltaProtocol<Arc<M>>>
where
    M: DeltaCrdt + Clone + Send + Sync + 'static,
    M::Op: Send + 'static,
{
    /// A harness for a delta-state model (cloned): replicas ship delta groups.
    pub fn delta(model: &M) -> Self {
        Harness::owned(DeltaProtocol(Arc::new(model.clone())))
    }
}

impl<M> Harness<OpProtocol<Arc<M>>>
where
    M: OpCrdt + Clone + Send + Sync + 'static,
    M::Op: Send + 'static,
{
    /// A harness for an operation-based model (cloned): updates are broadcast as messages,
    /// delivered as the model declares.
    pub fn op(model: &M) -> Self {
        Harness::owned(OpProtocol(Arc::new(model.clone())))
    }
}

impl<S> Harness<SyncProtocol<Arc<S>>>
where
    S: SyncModel + Clone + Send + Sync + 'static,
    S::Crdt: Send + Sync,
    CrdtOp<S>: Send + 'static,
{
    /// A harness for a model with its own sync protocol (cloned): the harness only delivers
    /// its messages (see [`sync`](crate::sync)).
    pub fn sync(model: &S) -> Self {
        Harness::owned(SyncProtocol(Arc::new(model.clone())))
    }
}

type Op<P> = <<P as Protocol>::Model as Model>::Op;

impl<P> Harness<P>
where
    P: Protocol + Clone + Send + 'static,
    Op<P>: Send + 'static,
{
    /// A harness that owns `protocol` (and the model in it): runs contain panics and hangs.
    pub fn owned(protocol: P) -> Self {
        Harness {
            protocol,
            options: Options::default(),
            watched: Some(Watched {
                search: search_watched::<P>,
                replay: run_watched::<P>,
            }),
        }
    }
}

impl<P: Protocol> Harness<P>
where
    Op<P>: 'static,
{
    /// A harness driving a borrowed `protocol` with default options (1,000 schedules, seed 0,
    /// each schedule drawing its own shape: 2 to 8 replicas, up to 100 steps, a subset of every
    /// fault; see [`Shape`](crate::schedule::Shape)). Panics are contained; a call that never
    /// returns hangs the run (see [`Harness::owned`]).
    pub fn with(protocol: P) -> Self {
        Harness {
            protocol,
            options: Options::default(),
            watched: None,
        }
    }

    /// Replicas per schedule (2 to 16), the same for every schedule. Unset, each schedule
    /// draws its own, 2 to 8 biased small ([`Shape`](crate::schedule::Shape)).
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.options.shape.replicas = crate::schedule::Dimension::Fixed(replicas);
        self
    }

    /// The most steps per schedule, the same for every schedule. Unset, each schedule draws
    /// its own most, up to 100.
    #[must_use]
    pub fn steps(mut self, steps: usize) -> Self {
        self.options.shape.steps = crate::schedule::Dimension::Fixed(steps);
        self
    }

    /// The faults every schedule may contain. Unset, each schedule draws its own subset of all
    /// faults.
    #[must_use]
    pub fn faults(mut self, faults: Faults) -> Self {
        self.options.shape.faults = crate::schedule::Dimension::Fixed(faults);
        self
    }

    /// Whether replicas may join late.
    #[must_use]
    pub fn late_joins(mut self, late_joins: bool) -> Self {
        self.options.shape.late_joins = late_joins;
        self
    }

    /// How many schedules to run.
    #[must_use]
    pub fn schedules(mut self, schedules: u64) -> Self {
        self.options.schedules = Some(schedules);
        self
    }

    /// Run for this long instead of a number of schedules.
    #[must_use]
    pub fn time(mut self, time: Duration) -> Self {
        self.options.time = Some(time);
        self.options.schedules = None;
        self
    }

    /// The run's seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.options.seed = seed;
        self
    }

    /// Worker threads.
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.options.threads = Some(threads);
        self
    }

    /// Run one shard of the seed space.
    #[must_use]
    pub fn shard(mut self, shard: Shard) -> Self {
        self.options.shard = shard;
        self
    }

    /// Go on after the batch of the first failure, to the end of the budget. Either way the
    /// summary holds the first failure of each property found (see [`Summary::failures`]).
    #[must_use]
    pub fn keep_going(mut self, keep_going: bool) -> Self {
        self.options.keep_going = keep_going;
        self
    }

    /// Limits that turn misbehaviour into findings.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.options.limits = limits;
        self
    }

    /// Record state size and merge time per step.
    #[must_use]
    pub fn measure(mut self, measure: bool) -> Self {
        self.options.measure = measure;
        self
    }

    /// Replaces all options at once.
    #[must_use]
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The options in force.
    #[must_use]
    pub fn current_options(&self) -> &Options {
        &self.options
    }

    /// The protocol driven.
    #[must_use]
    pub fn protocol(&self) -> &P {
        &self.protocol
    }

    /// Runs the schedules. Returns a summary whatever the model does (see
    /// [containment](Harness#containment)).
    #[must_use]
    pub fn run(&self) -> Summary<Op<P>> {
        match self.watched {
            Some(watched) => (watched.search)(&self.protocol, &self.options),
            None => search(&self.protocol, &self.options),
        }
    }

    /// Runs one schedule (a replay file's, or one pasted from a regression test) under these
    /// options' faults and limits.
    #[must_use]
    pub fn replay(&self, schedule: &Schedule<Op<P>>) -> Outcome {
        let config = RunConfig {
            reorder: self.options.shape.reorder(),
            limits: self.options.limits,
            measure: false,
        };
        match self.watched {
            Some(watched) => (watched.replay)(&self.protocol, schedule, config),
            None => run(&self.protocol, schedule, config),
        }
    }
}

impl<Op: std::fmt::Debug> Summary<Op> {
    /// Panics with the full summary (minimal schedules included) unless the run passed.
    ///
    /// # Panics
    /// When a schedule broke a property.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(self.passed(), "{self}");
    }
}
