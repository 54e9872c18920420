//! [`Harness`]: the library API for users' own tests.

use std::time::Duration;

use crdt_laws::{DeltaCrdt, Model, OpCrdt, StateCrdt};

use crate::protocol::{DeltaProtocol, OpProtocol, Protocol, StateProtocol};
use crate::runner::{Options, Shard, Summary, search};
use crate::schedule::{Faults, Schedule};
use crate::sim::{Limits, Outcome, RunConfig, run};

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
#[derive(Clone, Debug)]
pub struct Harness<P> {
    protocol: P,
    options: Options,
}

impl<'m, M: StateCrdt + Sync> Harness<StateProtocol<'m, M>>
where
    M::Op: 'static,
{
    /// A harness for a state-based model: replicas ship whole states.
    pub fn state(model: &'m M) -> Self {
        Harness::with(StateProtocol(model))
    }
}

impl<'m, M: DeltaCrdt + Sync> Harness<DeltaProtocol<'m, M>>
where
    M::Op: 'static,
{
    /// A harness for a delta-state model: replicas ship delta groups.
    pub fn delta(model: &'m M) -> Self {
        Harness::with(DeltaProtocol(model))
    }
}

impl<'m, M: OpCrdt + Sync> Harness<OpProtocol<'m, M>>
where
    M::Op: 'static,
{
    /// A harness for an operation-based model: updates are broadcast as messages, delivered as
    /// the model declares.
    pub fn op(model: &'m M) -> Self {
        Harness::with(OpProtocol(model))
    }
}

type Op<P> = <<P as Protocol>::Model as Model>::Op;

impl<P: Protocol> Harness<P>
where
    Op<P>: 'static,
{
    /// A harness driving `protocol` with default options (1,000 schedules, seed 0, each
    /// schedule drawing its own shape: 2 to 8 replicas, up to 100 steps, a subset of every
    /// fault; see [`Shape`](crate::schedule::Shape)).
    pub fn with(protocol: P) -> Self {
        Harness {
            protocol,
            options: Options::default(),
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

    /// Go on after the first failure.
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

    /// Runs the schedules.
    #[must_use]
    pub fn run(&self) -> Summary<Op<P>> {
        search(&self.protocol, &self.options)
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
        run(&self.protocol, schedule, config)
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
