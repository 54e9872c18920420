//! Exhaustive exploration within bounds: every schedule of at most `D` steps over `R` replicas,
//! breadth-first, so that "no counterexample" means none within those bounds and the first
//! counterexample is a shortest one.
//!
//! The steps are updates from a finite operation alphabet (a few of the model's operations,
//! sampled deterministically, or the ones given), sends and deliveries, and the faults asked
//! for (drops, duplicates, partitions and crashes, each bounded by a count; reordering lets a
//! delivery pick any message). Global states (every replica's state, the updates issued, the
//! messages in flight, the partition, the crashed replicas, the faults used) are deduplicated
//! by a fingerprint (see below for what it assumes), reduced by symmetry when the model's
//! replicas are interchangeable and by sleep sets for independent steps (see below), and
//! explored level by level in parallel with rayon; the result does not depend on the number of
//! threads (each level is expanded in parallel and merged in a fixed order).
//!
//! A counterexample is returned as a [`Schedule`], replayed by [`sim::run`](crate::sim::run)
//! (so its finding is the simulator's), and converts to a [`Failure`] for a replay file
//! ([`ReplayFile::new`](crate::replay::ReplayFile::new)) and a `#[test]`
//! ([`regression_test`](crate::replay::regression_test)).
//!
//! # The fingerprint
//! A global state is identified by a 128-bit hash of every replica's state `Debug` text (and
//! the updates seen, the messages in flight, the partition, the faults used). This assumes
//! `Debug` is deterministic: equal states print the same text, as states built from
//! `BTreeMap`, `Vec` and plain fields do (a `HashMap` iterates in a random order: the explorer
//! then merges fewer states, never wrong ones), and shows everything that matters (two states
//! with the same text are taken as one). A collision of two 128-bit hashes is possible in
//! principle and negligible in practice.
//!
//! # Reductions
//! **Symmetry** (on when the model declares
//! [`Model::interchangeable_replicas`], or with
//! [`Explorer::symmetric`]): a state and its renamings (replica `A` for
//! `B`, ...) have the same futures up to renaming, so one of them is explored. The explorer
//! cannot rename the ids inside a user's state, so it keeps every state's images under each
//! permutation, built by performing the renamed steps; the canonical fingerprint is the least
//! of them. This is sound only when the model treats replicas alike: a model that breaks ties
//! by replica id (the larger id wins), or whose replicas start differently, is **not**
//! symmetric, and reducing it may hide a counterexample that exists under one naming only.
//! Each transition costs `R!` transitions of the images.
//!
//! **Sleep sets** ([`Explorer::sleep_sets`], on by default): updates, sends and deliveries at
//! different replicas commute unless both append to one receiver's queue (when messages do not
//! overtake each other); once `u` then `t` is explored, `t` then `u` is skipped. Sleep sets
//! never lose a state (every state is still reached, at the same depth); they save the
//! transitions that would only reach known states.
//!
//! **Depth pruning** ([`Explorer::depth_pruning`], on by default, acting with [`Check::Fast`]
//! only): a send or a duplicate only adds a message. A counterexample that leaves such a
//! message untouched (never delivered, dropped or duplicated) stays a counterexample without
//! the step that made it: nothing else reads the message, so every replica goes through the
//! same states and every check sees what it saw. Hence along a shortest counterexample of
//! length `m`, a state at depth `d` holds at most `m - d` such messages (each needs a step of
//! its own). A state at depth `d` holding more than `depth - d` is therefore checked on
//! arrival (its transition is judged like any other) but neither kept nor expanded, and its
//! move puts no sibling to sleep. **What it preserves:** the set of properties broken within
//! `depth` steps, the least depth of each ([`Coverage::violations`] with
//! [`Explorer::keep_going`]), and a shortest counterexample, found at the same depth as
//! without it. It gives up the states that lie on no shortest path to a violation within the
//! bound, so [`Coverage::states`] counts fewer states, and a state it dropped may be reached
//! by a longer exploration. Under [`Check::Replay`], the simulator's quiescence delivers
//! every message in flight, so an untouched message still matters and nothing is pruned.
//!
//! ```
//! use crdt_harness::explore::Explorer;
//! use crdt_impls::models::GCounterModel;
//! use crdt_impls::ops::CounterOp;
//!
//! let model = GCounterModel::default();
//! let exploration = Explorer::state(&model)
//!     .replicas(2)
//!     .depth(4)
//!     .alphabet(vec![CounterOp::Increment(1)])
//!     .explore()
//!     .unwrap();
//! assert!(exploration.passed(), "{exploration}");
//! assert_eq!(exploration.coverage.depth_completed, 4);
//! ```

mod hash;
mod intern;
mod reduce;
mod report;
mod state;

use std::collections::BTreeMap;
use std::collections::hash_map::Entry;
use std::fmt::{self, Debug, Display};
use std::time::Instant;

use crdt_laws::{Flavour, Model, OpCrdt, StateCrdt};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use report::{Check, Coverage, FaultBounds};

use crate::protocol::{OpProtocol, Protocol, StateProtocol};
use crate::runner::Failure;
use crate::schedule::{Faults, MAX_REPLICAS, Schedule, Step};
use crate::shrink::ShrinkStats;
use crate::sim::{Event, Finding, Limits, Property, RunConfig, run};
use hash::{Fp128, FpMap, FpSet};
use smallvec::SmallVec;
use state::{Ctx, Footprint, Global, Label, Layout, Memos, Move, OpOf, Sleep};

/// What cannot be explored.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExploreError {
    /// The explorer drives state-based and operation-based models; a delta-state model's
    /// acknowledged delta buffers are not modelled yet.
    #[error("the explorer does not drive {0:?} models yet; explore the model as state-based")]
    Unsupported(Flavour),
    /// Fewer than 2 or more than the explorer's replicas.
    #[error("expected 2 to {max} replicas, found {found}")]
    Replicas {
        /// Asked for.
        found: u32,
        /// The most.
        max: u32,
    },
    /// No operation to perform.
    #[error("the operation alphabet is empty")]
    EmptyAlphabet,
    /// Clock skew is a fault of randomized runs: a clock's offset and drift take too many
    /// values to enumerate, and every clock reads true time under exploration.
    #[error(
        "the explorer does not enumerate clock skew (offsets and drifts are too many values); \
         find wall-clock bugs with `check --faults clock-skew`"
    )]
    ClockSkew,
}

/// Frontier states expanded per thread at a time.
const CHUNK: usize = 1024;

/// The most replicas the explorer takes (its update sets are 128-bit masks, and symmetry
/// enumerates permutations).
pub const MAX_EXPLORE_REPLICAS: u32 = 8;

/// The explorer's settings as plain data, for the command line (`crdt-harness explore`) and
/// for catalogue entries whose operation type is erased: everything but the alphabet, which
/// is then sampled from the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExploreOptions {
    /// Replicas.
    pub replicas: u32,
    /// The most steps per path.
    pub depth: usize,
    /// Operations sampled from the model's strategy.
    pub sample: usize,
    /// The faults.
    pub faults: Faults,
    /// Their bounds.
    pub bounds: FaultBounds,
    /// Symmetry reduction where the model declares its replicas interchangeable
    /// ([`Model::interchangeable_replicas`]);
    /// `false` turns it off for every model.
    pub symmetric: bool,
    /// Sleep sets.
    pub sleep_sets: bool,
    /// Depth pruning (fast checks only; see [`Explorer::depth_pruning`]).
    #[serde(default = "yes")]
    pub depth_pruning: bool,
    /// The memory cap, in states.
    pub max_states: u64,
    /// Worker threads (`None`: rayon's default).
    pub threads: Option<usize>,
    /// How states are judged.
    pub check: Check,
}

impl Default for ExploreOptions {
    fn default() -> Self {
        ExploreOptions {
            replicas: 3,
            depth: 6,
            sample: 3,
            faults: Faults::NONE,
            bounds: FaultBounds::default(),
            symmetric: true,
            sleep_sets: true,
            depth_pruning: true,
            max_states: 10_000_000,
            threads: None,
            check: Check::Replay,
        }
    }
}

fn yes() -> bool {
    true
}

/// A shortest counterexample.
#[derive(Clone, Debug)]
pub struct Counterexample<Op> {
    /// The schedule, replayable by [`Harness::replay`](crate::Harness::replay) with the
    /// exploration's faults.
    pub schedule: Schedule<Op>,
    /// The simulator's finding on it.
    pub finding: Finding,
    /// What happened.
    pub events: Vec<Event>,
    /// The replicas' values at the end.
    pub values: Vec<(crdt_laws::ReplicaId, String)>,
}

impl<Op: Clone> Counterexample<Op> {
    /// As a harness [`Failure`] (seed 0, index 0, no shrinking: breadth-first order already
    /// gives a shortest schedule), for [`ReplayFile::new`](crate::replay::ReplayFile::new) and
    /// [`regression_test`](crate::replay::regression_test).
    #[must_use]
    pub fn failure(&self) -> Failure<Op> {
        Failure {
            finding: self.finding.clone(),
            seed: 0,
            schedule_index: 0,
            schedules_until_detection: 1,
            original: self.schedule.clone(),
            shrunk: self.schedule.clone(),
            events: self.events.clone(),
            values: self.values.clone(),
            shrink: ShrinkStats {
                attempts: 0,
                steps_before: self.schedule.steps.len(),
                steps_after: self.schedule.steps.len(),
            },
        }
    }
}

/// The result of an exploration: what was covered, and the first counterexample in
/// breadth-first order, if any.
#[derive(Clone, Debug)]
pub struct Exploration<Op> {
    /// What was covered.
    pub coverage: Coverage,
    /// A shortest counterexample.
    pub counterexample: Option<Counterexample<Op>>,
}

impl<Op> Exploration<Op> {
    /// The same exploration with the counterexample's operations mapped by `f` (to erase
    /// their type, as the catalogue does).
    #[must_use]
    pub fn map_ops<T>(self, f: impl Fn(&Op) -> T) -> Exploration<T> {
        Exploration {
            coverage: self.coverage,
            counterexample: self.counterexample.map(|c| Counterexample {
                schedule: c.schedule.map_ops(&f),
                finding: c.finding,
                events: c.events,
                values: c.values,
            }),
        }
    }

    /// True when no counterexample was found within the bounds (see
    /// [`Coverage::depth_completed`] for how far that reaches).
    #[must_use]
    pub fn passed(&self) -> bool {
        self.counterexample.is_none()
    }
}

impl<Op: Debug> Display for Exploration<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.coverage)?;
        if let Some(c) = &self.counterexample {
            writeln!(
                f,
                "counterexample of {} step(s) over {} replicas:",
                c.schedule.steps.len(),
                c.schedule.replicas
            )?;
            for (i, step) in c.schedule.steps.iter().enumerate() {
                writeln!(f, "  {}. {step}", i + 1)?;
            }
            writeln!(f, "{}", c.finding)?;
        }
        Ok(())
    }
}

/// Exhaustive exploration of one model within bounds, Stateright-style: a builder, then
/// [`explore`](Self::explore).
///
/// Defaults: 3 replicas, depth 6, 3 operations sampled from the model's strategy, no faults,
/// one fault of each kind allowed when faults are on, simulator checks ([`Check::Replay`]),
/// sleep sets on, symmetry as the model declares it
/// ([`Model::interchangeable_replicas`]), at most
/// 10 million states, rayon's threads.
#[derive(Clone, Debug)]
pub struct Explorer<P: Protocol> {
    protocol: P,
    replicas: u32,
    depth: usize,
    alphabet: Option<Vec<OpOf<P>>>,
    sample: usize,
    faults: Faults,
    bounds: FaultBounds,
    symmetric: bool,
    sleep_sets: bool,
    depth_pruning: bool,
    max_states: u64,
    threads: Option<usize>,
    check: Check,
    limits: Limits,
    keep_going: bool,
}

impl<'m, M: StateCrdt + Sync> Explorer<StateProtocol<&'m M>> {
    /// Explores a state-based model: replicas send whole states and merge them.
    pub fn state(model: &'m M) -> Self {
        Explorer::with(StateProtocol(model))
    }
}

impl<'m, M: OpCrdt + Sync> Explorer<OpProtocol<&'m M>> {
    /// Explores an operation-based model: updates are broadcast, delivered as declared.
    pub fn op(model: &'m M) -> Self {
        Explorer::with(OpProtocol(model))
    }
}

/// One breadth-first level: per state, its parent's index in the level before and the step
/// from it.
type Level<Op> = Vec<(u32, Option<Step<Op>>)>;

#[derive(Default)]
struct Node {
    /// The state.
    state: Global,
    /// Its images under every other permutation, in the order of the permutations after the
    /// identity (symmetry only).
    images: Vec<Global>,
    /// The sleep set.
    sleep: Sleep,
    /// The fingerprint of the state itself (not its canonical one).
    raw: u128,
    /// Its hash of everything but the messages in flight ([`Ctx::prefix`]).
    prefix: Fp128,
}

/// A child in an expansion buffer, whose slots are reused from parent to parent (so that
/// expanding allocates nothing once the buffers have grown).
#[derive(Default)]
struct Child {
    node: Node,
    canonical: u128,
    /// The move from the parent (its [`Step`] is built only for the children kept or judged).
    mv: Move,
    /// The property its move broke, if any.
    broken: Option<Property>,
    /// Checked, but neither kept nor expanded (depth pruning).
    pruned: bool,
}

impl<P: Protocol> Explorer<P> {
    /// An explorer driving `protocol` with the defaults ([`ExploreOptions::default`]).
    pub fn with(protocol: P) -> Self {
        let o = ExploreOptions::default();
        let symmetric = o.symmetric && protocol.model().interchangeable_replicas();
        Explorer {
            protocol,
            replicas: o.replicas,
            depth: o.depth,
            alphabet: None,
            sample: o.sample,
            faults: o.faults,
            bounds: o.bounds,
            symmetric,
            sleep_sets: o.sleep_sets,
            depth_pruning: o.depth_pruning,
            max_states: o.max_states,
            threads: o.threads,
            check: o.check,
            limits: Limits::default(),
            keep_going: false,
        }
    }

    /// Replicas (2 to [`MAX_EXPLORE_REPLICAS`]).
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> Self {
        self.replicas = replicas;
        self
    }

    /// The most steps per path.
    #[must_use]
    pub fn depth(mut self, depth: usize) -> Self {
        self.depth = depth;
        self
    }

    /// The operations updates use.
    #[must_use]
    pub fn alphabet(mut self, ops: Vec<OpOf<P>>) -> Self {
        self.alphabet = Some(ops);
        self
    }

    /// Without an explicit alphabet: how many distinct operations to sample from the model's
    /// strategy (with a fixed-seed proptest runner, so always the same ones).
    #[must_use]
    pub fn sample(mut self, operations: usize) -> Self {
        self.sample = operations;
        self
    }

    /// The faults paths may contain; `reorder` lets a delivery pick any message in flight.
    #[must_use]
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// How many faults of each kind one path may contain.
    #[must_use]
    pub fn bounds(mut self, bounds: FaultBounds) -> Self {
        self.bounds = bounds;
        self
    }

    /// Overrides the model's declaration
    /// ([`Model::interchangeable_replicas`]):
    /// `true` declares the replicas interchangeable up to renaming, turning symmetry reduction
    /// on; `false` turns it off. Unsound for models that break ties by replica id or treat some
    /// replica specially (see the module documentation).
    #[must_use]
    pub fn symmetric(mut self, symmetric: bool) -> Self {
        self.symmetric = symmetric;
        self
    }

    /// Sleep sets for independent steps (on by default).
    #[must_use]
    pub fn sleep_sets(mut self, on: bool) -> Self {
        self.sleep_sets = on;
        self
    }

    /// Depth pruning (on by default; it acts with [`Check::Fast`] only): a state at depth
    /// `d` holding more messages made by sends and duplicates than the `depth - d` steps left
    /// is checked on arrival but neither kept nor expanded, since no shortest counterexample
    /// within the bound passes through it (see the module documentation). It never changes
    /// which properties are found broken within the bound nor the least depth of each.
    #[must_use]
    pub fn depth_pruning(mut self, on: bool) -> Self {
        self.depth_pruning = on;
        self
    }

    /// The memory cap: the exploration stops cleanly once this many states are visited, and
    /// says which depth it completed.
    #[must_use]
    pub fn max_states(mut self, states: u64) -> Self {
        self.max_states = states;
        self
    }

    /// Worker threads (the result is the same for any number).
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// How states are judged.
    #[must_use]
    pub fn check(mut self, check: Check) -> Self {
        self.check = check;
        self
    }

    /// Limits that turn misbehaviour into findings.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Goes on after the first counterexample, recording in [`Coverage::violations`] every
    /// property the explorer's own checks see broken and the least depth it breaks at (the
    /// counterexample stays the first).
    #[must_use]
    pub fn keep_going(mut self, keep_going: bool) -> Self {
        self.keep_going = keep_going;
        self
    }

    /// Replaces every setting but the alphabet and the limits at once (symmetry as the model
    /// declares it, unless `o.symmetric` is `false`).
    #[must_use]
    pub fn options(mut self, o: ExploreOptions) -> Self {
        self.replicas = o.replicas;
        self.depth = o.depth;
        self.sample = o.sample;
        self.faults = o.faults;
        self.bounds = o.bounds;
        self.symmetric = o.symmetric && self.protocol.model().interchangeable_replicas();
        self.sleep_sets = o.sleep_sets;
        self.depth_pruning = o.depth_pruning;
        self.max_states = o.max_states;
        self.threads = o.threads;
        self.check = o.check;
        self
    }

    /// The operation alphabet: the one given, or `sample` distinct operations (by `Debug`
    /// text) drawn from the model's strategy with a fixed seed.
    #[must_use]
    pub fn operations(&self) -> Vec<OpOf<P>> {
        if let Some(ops) = &self.alphabet {
            return ops.clone();
        }
        let strategy = self.protocol.model().ops();
        let mut runner = TestRunner::deterministic();
        let mut ops: Vec<OpOf<P>> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        for _ in 0..self.sample * 64 {
            if ops.len() >= self.sample {
                break;
            }
            let Ok(tree) = strategy.new_tree(&mut runner) else {
                break;
            };
            let op = tree.current();
            let text = format!("{op:?}");
            if !texts.contains(&text) {
                texts.push(text);
                ops.push(op);
            }
        }
        ops
    }
}

impl<P: Protocol> Explorer<P>
where
    OpOf<P>: Send + Sync,
    <P::Model as Model>::State: Send + Sync,
    <P::Model as Model>::Value: Send + Sync,
    P::Payload: Send + Sync,
{
    /// Explores every schedule within the bounds.
    ///
    /// # Errors
    /// When the model's flavour is not driven, the replica count is out of range, the alphabet
    /// is empty, or the faults ask for clock skew.
    pub fn explore(&self) -> Result<Exploration<OpOf<P>>, ExploreError> {
        let flavour = self.protocol.flavour();
        if !state::supported(flavour) {
            return Err(ExploreError::Unsupported(flavour));
        }
        if self.faults.clock_skew {
            return Err(ExploreError::ClockSkew);
        }
        if !(2..=MAX_EXPLORE_REPLICAS.min(MAX_REPLICAS)).contains(&self.replicas) {
            return Err(ExploreError::Replicas {
                found: self.replicas,
                max: MAX_EXPLORE_REPLICAS,
            });
        }
        let alphabet = self.operations();
        if alphabet.is_empty() {
            return Err(ExploreError::EmptyAlphabet);
        }
        let threads = self.threads.unwrap_or_else(rayon::current_num_threads);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        Ok(pool.install(|| self.bfs(&alphabet, threads)))
    }

    fn ctx<'a>(&'a self, alphabet: &'a [OpOf<P>]) -> Ctx<'a, P> {
        let model = self.protocol.model();
        let probe = model.new_replica(crdt_laws::ReplicaId::new(0));
        let f = self.faults;
        let bound = |on: bool, b: u8| if on { b } else { 0 };
        Ctx {
            p: &self.protocol,
            alphabet,
            layout: Layout::new(self.replicas as usize),
            reorder: f.reorder,
            limits: self.limits,
            sequence_model: model.element_ids(&probe).is_some(),
            state_based: self.protocol.flavour() != Flavour::OpBased,
            bounds: [
                bound(f.drop, self.bounds.drop),
                bound(f.duplicate, self.bounds.duplicate),
                bound(f.partition, self.bounds.partition),
                bound(f.crash, self.bounds.crash),
            ],
            memo: Memos::new(),
        }
    }

    /// Writes the children of `node` into the first slots of `out` (reusing them, adding
    /// slots when there are too few) and returns how many, and how many moves slept; with
    /// `budget`, those holding more messages made by sends and duplicates than `budget` (the
    /// steps left after them) come back pruned, without their symmetric images, and put no
    /// sibling to sleep.
    fn expand(
        &self,
        ctx: &Ctx<'_, P>,
        perms: &[Vec<u8>],
        node: &Node,
        budget: Option<usize>,
        out: &mut Vec<Child>,
    ) -> (usize, u64) {
        let g = &node.state;
        let moves = ctx.moves(g);
        // The labels a child may put to sleep, with their footprints (computed once per
        // parent): the parent's sleep set, then the moves explored before the child's.
        let mut asleep: SmallVec<[(Label, Footprint); 16]> = SmallVec::new();
        if self.sleep_sets {
            for &l in &node.sleep {
                asleep.push((l, ctx.footprint(l)));
            }
        }
        let mut slept = 0;
        let mut count = 0;
        for mv in moves {
            let label = ctx.label(g, mv);
            let sleeps = self.sleep_sets && label != Label::Fault;
            if sleeps && node.sleep.contains(&label) {
                slept += 1;
                continue;
            }
            if count == out.len() {
                out.push(Child::default());
            }
            let child = &mut out[count];
            count += 1;
            child.node.state.clone_from(g);
            child.node.images.clear();
            child.node.sleep.clear();
            child.node.raw = 0;
            child.canonical = 0;
            child.mv = mv;
            child.pruned = false;
            child.broken = ctx
                .apply(&mut child.node.state, mv)
                .err()
                .map(|b| b.property);
            if budget.is_some_and(|left| ctx.pending(&child.node.state) > left) {
                child.pruned = true;
                continue;
            }
            for (image, perm) in node.images.iter().zip(&perms[1..]) {
                let mut image = image.clone();
                // The renamed step's verdict is the step's own, renamed.
                let _ = ctx.apply(&mut image, mv.rename(perm));
                child.node.images.push(image);
            }
            // A send only adds a message: the rest hashes as in the parent.
            child.node.prefix = if matches!(mv, Move::Send { .. }) {
                node.prefix
            } else {
                ctx.prefix(&child.node.state)
            };
            debug_assert_eq!(child.node.prefix, ctx.prefix(&child.node.state));
            child.node.raw = ctx.fingerprint_from(child.node.prefix, &child.node.state);
            child.canonical = child
                .node
                .images
                .iter()
                .map(|image| ctx.fingerprint(image))
                .fold(child.node.raw, u128::min);
            if sleeps {
                let footprint = ctx.footprint(label);
                for &(l, f) in &asleep {
                    if f.independent(footprint) {
                        child.node.sleep.push(l);
                    }
                }
                asleep.push((label, footprint));
            }
        }
        (count, slept)
    }

    /// Whether depth pruning acts: asked for, and with the explorer's own checks (the
    /// simulator's quiescence delivers every message in flight, so there a message left
    /// untouched by the path still matters).
    fn pruning(&self) -> bool {
        self.depth_pruning && self.check == Check::Fast
    }

    /// The schedule of the path to entry `index` of level `depth`, then `last`.
    fn path(
        &self,
        levels: &[Level<OpOf<P>>],
        depth: usize,
        mut index: u32,
        last: Option<Step<OpOf<P>>>,
    ) -> Schedule<OpOf<P>> {
        let mut steps: Vec<Step<OpOf<P>>> = last.into_iter().collect();
        for level in levels[..=depth].iter().rev() {
            let (parent, step) = &level[index as usize];
            if let Some(step) = step {
                steps.push(step.clone());
            }
            index = *parent;
        }
        steps.reverse();
        Schedule {
            replicas: self.replicas,
            late: Vec::new(),
            steps,
        }
    }

    fn replay(&self, schedule: &Schedule<OpOf<P>>) -> Option<Counterexample<OpOf<P>>> {
        let config = RunConfig {
            reorder: self.faults.reorder,
            limits: self.limits,
            measure: false,
        };
        let outcome = run(&self.protocol, schedule, config);
        outcome.finding.map(|finding| Counterexample {
            schedule: schedule.clone(),
            finding,
            events: outcome.events,
            values: outcome.values,
        })
    }

    #[allow(clippy::too_many_lines)]
    fn bfs(&self, alphabet: &[OpOf<P>], threads: usize) -> Exploration<OpOf<P>> {
        let started = Instant::now();
        let ctx = self.ctx(alphabet);
        let perms = if self.symmetric {
            reduce::permutations(self.replicas as usize)
        } else {
            vec![(0..self.replicas as u8).collect()]
        };
        let mut coverage = Coverage {
            model: self.protocol.model().name(),
            replicas: self.replicas,
            depth: self.depth,
            depth_completed: 0,
            operations: alphabet.iter().map(|op| format!("{op:?}")).collect(),
            faults: self.faults,
            bounds: self.bounds,
            check: self.check,
            symmetric: self.symmetric,
            sleep_sets: self.sleep_sets,
            depth_pruning: self.pruning(),
            states: 1,
            transitions: 0,
            pruned_by_symmetry: 0,
            pruned_by_independence: 0,
            pruned_by_depth: 0,
            unconfirmed: 0,
            states_per_depth: vec![1],
            capped_at: None,
            violations: BTreeMap::new(),
            elapsed: std::time::Duration::ZERO,
            threads,
        };
        let (root, root_broken) = ctx.root();
        let prefix = ctx.prefix(&root);
        let raw = ctx.fingerprint_from(prefix, &root);
        // Every state kept, by canonical fingerprint: the depth it was first reached at and
        // its index in that level (one lookup per transition).
        let mut visited: FpMap<(u32, u32)> = FpMap::default();
        visited.insert(raw, (0, 0));
        let mut raw_seen = FpSet::default();
        if self.symmetric {
            raw_seen.insert(raw);
        }
        // Per level: (parent index in the level before, the step from it).
        let mut levels: Vec<Level<OpOf<P>>> = vec![vec![(0, None)]];
        let mut counterexample = None;
        if let Some(broken) = root_broken {
            coverage.violations.insert(broken.property, 0);
        }
        // The initial state: the simulator checks it when it starts any schedule.
        if let Some(found) = self.replay(&self.path(&levels, 0, 0, None)) {
            counterexample = Some(found);
        }
        let mut frontier = vec![Node {
            images: vec![root.clone(); perms.len() - 1],
            state: root,
            sleep: Sleep::new(),
            raw,
            prefix,
        }];
        // Per parent of a chunk: its children's slots (reused across chunks and levels),
        // how many it filled, and how many moves slept.
        let mut buffers: Vec<(Vec<Child>, usize, u64)> = Vec::new();
        let mut depth = 0;
        while depth < self.depth
            && (counterexample.is_none() || self.keep_going)
            && !frontier.is_empty()
        {
            depth += 1;
            let mut next: Vec<Node> = Vec::new();
            let mut level: Level<OpOf<P>> = Vec::new();
            // Paths to judge by replay, in breadth-first order: (parent, step, seen broken).
            let mut candidates: Vec<(u32, Step<OpOf<P>>, bool)> = Vec::new();
            let mut capped = false;
            // Expanded a chunk at a time, so that a level's children are not all in memory
            // at once; merged in the frontier's order, whatever the threads.
            let chunk = CHUNK * threads.max(1);
            let budget = self.pruning().then_some(self.depth - depth);
            // The frontier is read in place (its states are plain data, freed with it).
            let parents = std::mem::take(&mut frontier);
            let mut start = 0;
            'merge: for nodes in parents.chunks(chunk) {
                if buffers.len() < nodes.len() {
                    buffers.resize_with(nodes.len(), Default::default);
                }
                nodes.par_iter().zip(buffers.par_iter_mut()).for_each(
                    |(node, (out, count, slept))| {
                        (*count, *slept) = self.expand(&ctx, &perms, node, budget, out);
                    },
                );
                for (offset, (children, count, slept)) in buffers.iter_mut().enumerate() {
                    if offset == nodes.len() {
                        break;
                    }
                    let parent = start + offset;
                    coverage.pruned_by_independence += *slept;
                    // By reference: only the states kept are moved out.
                    for child in children[..*count].iter_mut() {
                        coverage.transitions += 1;
                        let broken = child.broken.is_some();
                        if let Some(property) = child.broken {
                            coverage.violations.entry(property).or_insert(depth);
                        }
                        let step = |mv| ctx.step(&nodes[offset].state, mv);
                        if child.pruned {
                            coverage.pruned_by_depth += 1;
                            if broken && counterexample.is_none() {
                                candidates.push((parent as u32, step(child.mv), broken));
                            }
                            continue;
                        }
                        let fresh_raw = self.symmetric && raw_seen.insert(child.node.raw);
                        let kept = visited.len() as u64;
                        let new = match visited.entry(child.canonical) {
                            Entry::Occupied(seen) => {
                                let (at_depth, at) = *seen.get();
                                if at_depth as usize == depth {
                                    let stored = &mut next[at as usize];
                                    stored.sleep = if stored.raw == child.node.raw {
                                        reduce::intersect(&stored.sleep, &child.node.sleep)
                                    } else {
                                        Sleep::new()
                                    };
                                }
                                false
                            }
                            Entry::Vacant(slot) => {
                                if kept >= self.max_states {
                                    capped = true;
                                    break 'merge;
                                }
                                slot.insert((depth as u32, next.len() as u32));
                                next.push(std::mem::take(&mut child.node));
                                level.push((parent as u32, Some(step(child.mv))));
                                true
                            }
                        };
                        if fresh_raw && !new {
                            // A state never seen, but a renaming of one seen.
                            coverage.pruned_by_symmetry += 1;
                        }
                        let judge = match self.check {
                            Check::Replay => new || broken,
                            Check::Fast => broken,
                        };
                        if judge && counterexample.is_none() {
                            let step = match &level.last() {
                                Some((_, Some(kept))) if new => kept.clone(),
                                _ => step(child.mv),
                            };
                            candidates.push((parent as u32, step, broken));
                        }
                    }
                }
                start += nodes.len();
            }
            let judged: Vec<(Option<Counterexample<OpOf<P>>>, bool)> = candidates
                .par_iter()
                .map(|(parent, step, broken)| {
                    let schedule = self.path(&levels, depth - 1, *parent, Some(step.clone()));
                    (self.replay(&schedule), *broken)
                })
                .collect();
            for (found, broken) in judged {
                if found.is_none() && broken {
                    coverage.unconfirmed += 1;
                }
                if counterexample.is_none() {
                    counterexample = found;
                }
            }
            coverage.states = visited.len() as u64;
            coverage.states_per_depth.push(next.len() as u64);
            levels.push(level);
            if capped {
                coverage.capped_at = Some(self.max_states);
                break;
            }
            if counterexample.is_some() && !self.keep_going {
                break;
            }
            if counterexample.is_none() {
                coverage.depth_completed = depth;
            }
            frontier = next;
        }
        if counterexample.is_none() && coverage.capped_at.is_none() {
            coverage.depth_completed = self.depth;
        }
        coverage.elapsed = started.elapsed();
        Exploration {
            coverage,
            counterexample,
        }
    }
}
