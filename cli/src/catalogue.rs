//! Catalogues of models: the built-in one (the reference CRDTs and the gallery of broken ones),
//! and [`Catalogue`], which a user fills with their own models to get the whole command line over
//! them (see [`crate::main`]).
//!
//! Each entry erases its model's types behind [`Entry`], so the command line can list, check,
//! run and replay models of every flavour alike. Operations cross the erasure as
//! [`ErasedOp`]: their JSON (for replay files) and their `Debug` text (for reading).
//!
//! ```
//! use crdt_cli::catalogue;
//! let models = catalogue::builtin();
//! assert!(models.iter().all(|m| m.gallery().is_none()));
//! let broken = catalogue::gallery();
//! assert!(broken.iter().all(|m| m.name().starts_with("broken/")));
//! assert!(catalogue::find("broken/two-slot-counter").is_some());
//! ```

use std::fmt::{self, Debug};
use std::sync::Arc;

use crdt_impls::broken;
use crdt_laws::{Config, DeltaCrdt, Flavour, LawReport, Model, OpCrdt, StateCrdt};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crdt_harness::Error;
use crdt_harness::explore::{Exploration, ExploreError, ExploreOptions, Explorer};
use crdt_harness::protocol::{DeltaProtocol, OpProtocol, Protocol, StateProtocol};
use crdt_harness::replay::ReplayFile;
use crdt_harness::runner::{Failure, Options, Summary, search};
use crdt_harness::schedule::{Faults, Schedule, Shape};
use crdt_harness::sim::{Outcome, RunConfig, run};
use crdt_harness::sync::{SyncModel, SyncProtocol};

/// An operation with its type erased: its JSON and its `Debug` text.
#[derive(Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct ErasedOp {
    /// The operation as JSON.
    pub json: serde_json::Value,
    /// The operation's `Debug` text.
    #[serde(skip)]
    pub debug: String,
}

impl Debug for ErasedOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.debug)
    }
}

fn erase_op<Op: Serialize + Debug>(op: &Op) -> ErasedOp {
    ErasedOp {
        json: serde_json::to_value(op).unwrap_or(serde_json::Value::Null),
        debug: format!("{op:?}"),
    }
}

fn erase_schedule<Op: Serialize + Debug>(s: &Schedule<Op>) -> Schedule<ErasedOp> {
    s.map_ops(erase_op)
}

/// The summary of a run with its operations erased.
pub fn erase<Op: Serialize + Debug>(summary: Summary<Op>) -> Summary<ErasedOp> {
    Summary {
        model: summary.model,
        flavour: summary.flavour,
        seed: summary.seed,
        shape: summary.shape,
        shard: summary.shard,
        threads: summary.threads,
        schedules: summary.schedules,
        steps: summary.steps,
        duration: summary.duration,
        failures: summary
            .failures
            .into_iter()
            .map(|f| Failure {
                original: erase_schedule(&f.original),
                shrunk: erase_schedule(&f.shrunk),
                finding: f.finding,
                seed: f.seed,
                schedule_index: f.schedule_index,
                schedules_until_detection: f.schedules_until_detection,
                events: f.events,
                values: f.values,
                shrink: f.shrink,
            })
            .collect(),
        more_failures: summary.more_failures,
        measurements: summary.measurements,
        sync: summary.sync,
        complete: summary.complete,
    }
}

/// A model the command line can check, with its types erased.
pub trait Entry: Send + Sync {
    /// The name users type: `g-set`, `broken/two-slot-counter`.
    fn name(&self) -> &str;
    /// One line on what the model is.
    fn description(&self) -> &str;
    /// The model's flavour.
    fn flavour(&self) -> Flavour;
    /// A Rust expression that builds the model, for regression tests.
    fn constructor(&self) -> &str;
    /// For gallery entries: what the mistake is and what must catch it.
    fn gallery(&self) -> Option<&broken::Entry>;
    /// Runs the law catalogue on the model.
    fn check_laws(&self, config: &Config) -> LawReport;
    /// Runs randomized schedules.
    fn run(&self, options: &Options) -> Summary<ErasedOp>;
    /// Replays a saved failure.
    ///
    /// # Errors
    /// [`Error::InvalidReplay`] when the file's schedule does not fit this model.
    fn replay(&self, file: &ReplayFile) -> Result<Outcome, Error>;
    /// Runs the schedule that `bytes` describe (the fuzzing entry point); `None` when the bytes
    /// are too few to make one.
    fn run_bytes(&self, bytes: &[u8], options: &Options) -> Option<Outcome>;
    /// Explores every schedule within the bounds of `options`, operations sampled from the
    /// model (a delta-state model is explored as state-based: whole states are sent).
    ///
    /// # Errors
    /// As [`Explorer::explore`].
    fn explore(&self, options: &ExploreOptions) -> Result<Exploration<ErasedOp>, ExploreError>;
}

struct Item<M> {
    name: String,
    description: String,
    constructor: String,
    flavour: Flavour,
    gallery: Option<broken::Entry>,
    model: M,
    laws: fn(&M, &Config) -> LawReport,
    run: fn(&M, &Options) -> Summary<ErasedOp>,
    replay: fn(&M, &ReplayFile) -> Result<Outcome, Error>,
    run_bytes: fn(&M, &[u8], &Options) -> Option<Outcome>,
    explore: fn(&M, &ExploreOptions) -> Result<Exploration<ErasedOp>, ExploreError>,
}

impl<M: Send + Sync> Entry for Item<M> {
    fn name(&self) -> &str {
        &self.name
    }
    fn description(&self) -> &str {
        &self.description
    }
    fn flavour(&self) -> Flavour {
        self.flavour
    }
    fn constructor(&self) -> &str {
        &self.constructor
    }
    fn gallery(&self) -> Option<&broken::Entry> {
        self.gallery.as_ref()
    }
    fn check_laws(&self, config: &Config) -> LawReport {
        let mut report = (self.laws)(&self.model, config);
        report.model.clone_from(&self.name);
        report
    }
    fn run(&self, options: &Options) -> Summary<ErasedOp> {
        let mut summary = (self.run)(&self.model, options);
        summary.model.clone_from(&self.name);
        summary
    }
    fn replay(&self, file: &ReplayFile) -> Result<Outcome, Error> {
        (self.replay)(&self.model, file)
    }
    fn run_bytes(&self, bytes: &[u8], options: &Options) -> Option<Outcome> {
        (self.run_bytes)(&self.model, bytes, options)
    }
    fn explore(&self, options: &ExploreOptions) -> Result<Exploration<ErasedOp>, ExploreError> {
        let mut exploration = (self.explore)(&self.model, options)?;
        exploration.coverage.model.clone_from(&self.name);
        Ok(exploration)
    }
}

/// What a catalogue model's operations must support: `Serialize` and `DeserializeOwned` (serde)
/// for replay files, `Debug` for reading, `Clone` for shrinking, `Send + Sync` for exploring in
/// parallel.
pub trait CatalogueOp:
    Serialize + DeserializeOwned + Debug + Clone + Send + Sync + 'static
{
}
impl<T: Serialize + DeserializeOwned + Debug + Clone + Send + Sync + 'static> CatalogueOp for T {}

fn replay_with<P: Protocol>(protocol: &P, file: &ReplayFile) -> Result<Outcome, Error>
where
    <P::Model as Model>::Op: CatalogueOp,
{
    let schedule = file.schedule()?;
    let config = RunConfig {
        reorder: file.faults.reorder,
        limits: file.limits,
        measure: false,
    };
    Ok(run(protocol, &schedule, config))
}

fn bytes_with<P: Protocol>(protocol: &P, bytes: &[u8], options: &Options) -> Option<Outcome>
where
    <P::Model as Model>::Op: CatalogueOp,
{
    let mut shape = options.shape;
    shape.sends = protocol.flavour() != Flavour::OpBased;
    let ops = protocol.model().ops();
    let mut u = arbitrary::Unstructured::new(bytes);
    let schedule = Schedule::from_bytes(&mut u, &shape, &ops).ok()?;
    let config = RunConfig {
        reorder: shape.reorder(),
        limits: options.limits,
        measure: false,
    };
    Some(run(protocol, &schedule, config))
}

/// Describes one catalogue model.
#[derive(Clone, Debug)]
pub struct Describe {
    /// Its name.
    pub name: String,
    /// One line on what it is.
    pub description: String,
    /// A Rust expression building it.
    pub constructor: String,
    /// Its gallery entry, for broken models.
    pub gallery: Option<broken::Entry>,
}

impl Describe {
    /// A description of a model of type `M`: its regression tests build it as the type's path
    /// (right for a unit struct; set [`Describe::constructor`] otherwise).
    #[must_use]
    pub fn of<M>(name: &str, description: &str) -> Self {
        Describe::new(name, description, std::any::type_name::<M>())
    }

    /// A description of a model called `name`, built by `constructor`.
    pub fn new(name: &str, description: &str, constructor: &str) -> Self {
        Describe {
            name: name.into(),
            description: description.into(),
            constructor: constructor.into(),
            gallery: None,
        }
    }
}

/// Defines a constructor of catalogue entries for one flavour of model.
macro_rules! entry_for {
    (
        $(#[$doc:meta])* $name:ident, $bound:ident, $flavour:ident, $laws:ident, $protocol:ident,
        $explorer:ident $(, $extra:ty)?
    ) => {
        $(#[$doc])*
        ///
        /// States, values (and messages) must be `Send + Sync`: the explorer keeps them in
        /// its frontier and expands it in parallel.
        pub fn $name<M>(about: Describe, model: M) -> Box<dyn Entry>
        where
            M: $bound + Send + Sync + 'static,
            M::Op: CatalogueOp,
            M::State: Send + Sync,
            M::Value: Send + Sync,
            $($extra: Send + Sync,)?
        {
            Box::new(Item {
                name: about.name,
                description: about.description,
                constructor: about.constructor,
                gallery: about.gallery,
                flavour: Flavour::$flavour,
                model,
                laws: crdt_laws::$laws::<M>,
                run: |m, o| erase(search(&$protocol(m), o)),
                replay: |m, f| replay_with(&$protocol(m), f),
                run_bytes: |m, b, o| bytes_with(&$protocol(m), b, o),
                explore: |m, o| {
                    Explorer::$explorer(m)
                        .options(*o)
                        .explore()
                        .map(|e| e.map_ops(erase_op))
                },
            })
        }
    };
}

entry_for!(
    /// An entry for a state-based model.
    state, StateCrdt, StateBased, check_state, StateProtocol, state
);
entry_for!(
    /// An entry for a delta-state model.
    delta, DeltaCrdt, DeltaState, check_delta, DeltaProtocol, state
);
entry_for!(
    /// An entry for an operation-based model.
    op, OpCrdt, OpBased, check_op, OpProtocol, op, M::Message
);

/// An entry for a model with its own sync protocol ([`crdt_harness::sync`]): its laws are its
/// CRDT's (state-based), its schedules run in the sync flavour (the harness only delivers
/// messages), and the explorer answers that it cannot drive it.
pub fn sync<S>(about: Describe, model: S) -> Box<dyn Entry>
where
    S: SyncModel + Send + Sync + 'static,
    S::Crdt: StateCrdt + Send + Sync,
    <S::Crdt as Model>::Op: CatalogueOp,
{
    Box::new(Item {
        name: about.name,
        description: about.description,
        constructor: about.constructor,
        gallery: about.gallery,
        flavour: Flavour::Sync,
        model,
        laws: |m, c| crdt_laws::check_state(m.crdt(), c),
        run: |m, o| erase(search(&SyncProtocol(m), o)),
        replay: |m, f| replay_with(&SyncProtocol(m), f),
        run_bytes: |m, b, o| bytes_with(&SyncProtocol(m), b, o),
        explore: |_, _| Err(ExploreError::Unsupported(Flavour::Sync)),
    })
}

/// The reference models, in the order `crdt-harness list` shows them: the CRDTs of
/// `crdt-impls`, then the toy models of `crdt-laws`.
#[must_use]
pub fn builtin() -> Vec<Box<dyn Entry>> {
    use crdt_impls::fugue::{FugueListModel, FugueMaxListModel};
    use crdt_impls::models::{
        FriendshipModel, GCounterModel, GSetModel, LwwElementSetModel, LwwRegisterModel, MapModel,
        MvRegisterModel, OrSetModel, PairModel, PnCounterModel,
    };
    use crdt_impls::movable_list::MovableListModel;
    use crdt_impls::ormap::OrMapModel;
    use crdt_impls::tree::MoveTreeModel;
    use crdt_laws::toys::{Divisibility, MaxRegister, OpCounter, OpGrowSet, SetUnion};
    let about = |name: &str, description: &str, constructor: &str| {
        Describe::new(name, description, constructor)
    };
    vec![
        delta(
            about(
                "g-set",
                "grow-only set (union)",
                "crdt_impls::models::GSetModel::default()",
            ),
            GSetModel::default(),
        ),
        delta(
            about(
                "g-counter",
                "grow-only counter (per-replica maximum)",
                "crdt_impls::models::GCounterModel::default()",
            ),
            GCounterModel::default(),
        ),
        delta(
            about(
                "pn-counter",
                "counter with decrements (two G-Counters)",
                "crdt_impls::models::PnCounterModel::default()",
            ),
            PnCounterModel::default(),
        ),
        state(
            about(
                "lww-register",
                "last-writer-wins register (Lamport time, replica tie-break)",
                "crdt_impls::models::LwwRegisterModel::default()",
            ),
            LwwRegisterModel::default(),
        ),
        state(
            about(
                "lww-element-set",
                "last-writer-wins element set, add wins ties",
                "crdt_impls::models::LwwElementSetModel::add_wins()",
            ),
            LwwElementSetModel::add_wins(),
        ),
        state(
            about(
                "lww-element-set/remove-wins",
                "last-writer-wins element set, remove wins ties",
                "crdt_impls::models::LwwElementSetModel::remove_wins()",
            ),
            LwwElementSetModel::remove_wins(),
        ),
        delta(
            about(
                "or-set",
                "observed-remove set, add wins (ORSWOT: dots, causal context, no tombstones)",
                "crdt_impls::models::OrSetModel::default()",
            ),
            OrSetModel::default(),
        ),
        state(
            about(
                "mv-register",
                "multi-value register (keeps concurrent writes)",
                "crdt_impls::models::MvRegisterModel::default()",
            ),
            MvRegisterModel::default(),
        ),
        delta(
            about(
                "pair/g-counter+g-set",
                "product of a G-Counter and a G-Set",
                "crdt_impls::models::PairModel::<crdt_impls::models::GCounterModel, \
                 crdt_impls::models::GSetModel>::default()",
            ),
            PairModel::<GCounterModel, GSetModel>::default(),
        ),
        delta(
            about(
                "map/pn-counter",
                "map from keys to PN-Counters",
                "crdt_impls::models::MapModel::<crdt_impls::models::PnCounterModel>::default()",
            ),
            MapModel::<PnCounterModel>::default(),
        ),
        delta(
            about(
                "map/or-set",
                "map from keys to OR-Sets",
                "crdt_impls::models::MapModel::<crdt_impls::models::OrSetModel>::default()",
            ),
            MapModel::<OrSetModel>::default(),
        ),
        delta(
            about(
                "or-map/pn-counter",
                "observed-remove map of PN-Counters (update wins, no tombstones)",
                "crdt_impls::ormap::OrMapModel::<crdt_impls::models::PnCounterModel>::default()",
            ),
            OrMapModel::<PnCounterModel>::default(),
        ),
        delta(
            about(
                "or-map/or-set",
                "observed-remove map of OR-Sets (update wins, no tombstones)",
                "crdt_impls::ormap::OrMapModel::<crdt_impls::models::OrSetModel>::default()",
            ),
            OrMapModel::<OrSetModel>::default(),
        ),
        state(
            about(
                "or-map/mv-register",
                "observed-remove map of MV-Registers (update wins)",
                "crdt_impls::ormap::OrMapModel::<crdt_impls::models::MvRegisterModel>::default()",
            ),
            OrMapModel::<MvRegisterModel>::default(),
        ),
        state(
            about(
                "friendship",
                "the seed's compound CRDT: a pair of LWW element sets",
                "crdt_impls::models::FriendshipModel::default()",
            ),
            FriendshipModel::default(),
        ),
        state(
            about(
                "fugue-list",
                "Fugue list (state-based: union of nodes and tombstones)",
                "crdt_impls::fugue::FugueListModel::default()",
            ),
            FugueListModel::default(),
        ),
        op(
            about(
                "fugue-list/op",
                "Fugue list (op-based: insert and delete messages, causal delivery)",
                "crdt_impls::fugue::FugueListModel::default()",
            ),
            FugueListModel::default(),
        ),
        state(
            about(
                "fugue-max-list",
                "FugueMax list (state-based)",
                "crdt_impls::fugue::FugueMaxListModel::default()",
            ),
            FugueMaxListModel::default(),
        ),
        op(
            about(
                "fugue-max-list/op",
                "FugueMax list (op-based, causal delivery)",
                "crdt_impls::fugue::FugueMaxListModel::default()",
            ),
            FugueMaxListModel::default(),
        ),
        state(
            about(
                "movable-list",
                "movable list (state-based: Fugue positions plus a last-writer-wins position per element)",
                "crdt_impls::movable_list::MovableListModel::default()",
            ),
            MovableListModel::default(),
        ),
        op(
            about(
                "movable-list/op",
                "movable list (op-based: insert, move and delete updates, causal delivery)",
                "crdt_impls::movable_list::MovableListModel::default()",
            ),
            MovableListModel::default(),
        ),
        state(
            about(
                "move-tree",
                "tree with move (state-based: union of timestamped move logs, undo-do-redo)",
                "crdt_impls::tree::MoveTreeModel::default()",
            ),
            MoveTreeModel::default(),
        ),
        op(
            about(
                "move-tree/op",
                "tree with move (op-based: moves in any order, duplicates)",
                "crdt_impls::tree::MoveTreeModel::default()",
            ),
            MoveTreeModel::default(),
        ),
        state(
            about(
                "hlc-register",
                "last-writer-wins register stamped by a hybrid logical clock (reads the replica's physical clock)",
                "crdt_impls::hlc::HlcRegisterModel::default()",
            ),
            crdt_impls::hlc::HlcRegisterModel::default(),
        ),
        state(
            about(
                "hlc-map",
                "last-writer-wins map stamped by a hybrid logical clock (removals as tombstones)",
                "crdt_impls::hlc::HlcMapModel::default()",
            ),
            crdt_impls::hlc::HlcMapModel::default(),
        ),
        op(
            about(
                "stable-set",
                "add-wins set as a snapshot plus a log compacted by causal stability (op-based, causal delivery)",
                "crdt_impls::stability::StableSetModel::default()",
            ),
            crdt_impls::stability::StableSetModel::default(),
        ),
        delta(
            about(
                "toy/max-register",
                "u64 under ≤, joined by max",
                "crdt_laws::toys::MaxRegister",
            ),
            MaxRegister,
        ),
        state(
            about(
                "toy/divisibility",
                "u64 under divisibility, joined by lcm",
                "crdt_laws::toys::Divisibility",
            ),
            Divisibility,
        ),
        delta(
            about(
                "toy/set-union",
                "BTreeSet<u8> under ⊆, joined by union",
                "crdt_laws::toys::SetUnion::default()",
            ),
            SetUnion::default(),
        ),
        op(
            about(
                "toy/op-counter",
                "op-based counter, exactly-once delivery in any order",
                "crdt_laws::toys::OpCounter",
            ),
            OpCounter,
        ),
        op(
            about(
                "toy/op-grow-set",
                "op-based grow-only set, duplicating network",
                "crdt_laws::toys::OpGrowSet",
            ),
            OpGrowSet,
        ),
        sync(
            about(
                "sync/one-to-one",
                "G-Counter through the seed's 1:1 delta sync (diff against the last acknowledged remote state), each replica in a session with replica 0",
                "crdt_impls::sync::PeerDiff::one_to_one(crdt_impls::models::GCounterModel::default())",
            ),
            crdt_impls::sync::PeerDiff::one_to_one(GCounterModel::default()),
        ),
        sync(
            about(
                "sync/server",
                "G-Counter through the seed's 1:N sync: a server with versions and a trimmed delta log",
                "crdt_impls::sync::ServerSync::new(crdt_impls::models::GCounterModel::default())",
            ),
            crdt_impls::sync::ServerSync::new(GCounterModel::default()),
        ),
        sync(
            about(
                "sync/mesh",
                "G-Set through N:M delta sync (a 1:1 session between every pair)",
                "crdt_impls::sync::PeerDiff::mesh(crdt_impls::models::GSetModel::default())",
            ),
            crdt_impls::sync::PeerDiff::mesh(GSetModel::default()),
        ),
        sync(
            about(
                "sync/delta-intervals",
                "PN-Counter through delta intervals with acknowledgements (Almeida et al. 2018, Algorithm 2)",
                "crdt_impls::sync::DeltaIntervals::new(crdt_impls::models::PnCounterModel::default())",
            ),
            crdt_impls::sync::DeltaIntervals::new(PnCounterModel::default()),
        ),
    ]
}

/// The schedule shape that shows a gallery entry's mistake: the faults and the number of
/// replicas it needs, up to 50 steps, fixed (no swarm), the other settings as
/// [`Shape::default`].
///
/// ```
/// use crdt_cli::catalogue::{self, gallery_shape};
/// use crdt_harness::Faults;
/// let entry = catalogue::find("broken/two-slot-counter").unwrap();
/// let shape = gallery_shape(entry.gallery().unwrap());
/// assert_eq!((shape.replicas.fixed(), shape.faults.fixed()), (Some(3), Some(Faults::NONE)));
/// ```
///
/// # Panics
/// If the entry's fault list does not parse (a mistake in the gallery, caught by its tests).
#[must_use]
pub fn gallery_shape(entry: &broken::Entry) -> Shape {
    Shape {
        replicas: crdt_harness::schedule::Dimension::Fixed(entry.replicas()),
        steps: crdt_harness::schedule::Dimension::Fixed(50),
        faults: crdt_harness::schedule::Dimension::Fixed(
            Faults::parse(entry.faults()).expect("a gallery entry names known faults"),
        ),
        ..Shape::default()
    }
}

/// The gallery of broken CRDTs, as `broken/<name>` entries.
#[must_use]
pub fn gallery() -> Vec<Box<dyn Entry>> {
    use broken::{
        AveragingThermostat, CausalOrSet, DeleteInsertMoveList, DivisibilityByMax,
        DuplicatedCounter, FloatCounter, ForgetfulClockLww, ForgottenTombstones, HashOrderLww,
        IncrementDeltaCounter, IndexList, LargerTotalCounter, LoweringPnCounter, LwwParentTree,
        ReAddingTwoPhaseSet, RemoveByValueOrSet, RemoveWinsSoldAsAddWins, RgaList, ShortcutOrswot,
        SummingPnCounter, TwoSlotCounter, UntiedLww, WholeEntryOrswot,
    };
    use broken::{BirthDotMap, WatermarkDiffOrSet};
    use crdt_impls::models::GCounterModel;
    broken::gallery()
        .into_iter()
        .map(|entry| {
            let about = Describe {
                name: format!("broken/{}", entry.name),
                description: entry.mistake.to_string(),
                constructor: String::new(),
                gallery: Some(entry),
            };
            let with = |about: Describe, path: &str| Describe {
                constructor: format!("crdt_impls::broken::{path}"),
                ..about
            };
            match entry.name {
                "divisibility-merged-by-max" => {
                    state(with(about, "DivisibilityByMax"), DivisibilityByMax)
                }
                "averaging-merge" => state(with(about, "AveragingThermostat"), AveragingThermostat),
                "two-phase-set-clearing-tombstones" => {
                    state(with(about, "ReAddingTwoPhaseSet"), ReAddingTwoPhaseSet)
                }
                "pn-counter-merged-by-sum" => {
                    state(with(about, "SummingPnCounter"), SummingPnCounter)
                }
                "lww-no-tie-break" => state(with(about, "UntiedLww"), UntiedLww),
                "lamport-clock-not-advanced-on-receive" => {
                    op(with(about, "ForgetfulClockLww"), ForgetfulClockLww)
                }
                "hash-map-order-tie-break" => state(with(about, "HashOrderLww"), HashOrderLww),
                "or-set-remove-by-value" => {
                    op(with(about, "RemoveByValueOrSet"), RemoveByValueOrSet)
                }
                "orswot-clock-dominance" => state(with(about, "ShortcutOrswot"), ShortcutOrswot),
                "orswot-entry-kept-whole" => {
                    state(with(about, "WholeEntryOrswot"), WholeEntryOrswot)
                }
                "delta-differs-from-update" => {
                    delta(with(about, "IncrementDeltaCounter"), IncrementDeltaCounter)
                }
                "float-counter-arrival-order" => op(with(about, "FloatCounter"), FloatCounter),
                "counter-larger-total" => {
                    state(with(about, "LargerTotalCounter"), LargerTotalCounter)
                }
                "pn-counter-lowering-decrement" => {
                    state(with(about, "LoweringPnCounter"), LoweringPnCounter)
                }
                "two-slot-counter" => state(with(about, "TwoSlotCounter"), TwoSlotCounter),
                "counter-on-duplicating-network" => {
                    op(with(about, "DuplicatedCounter"), DuplicatedCounter)
                }
                "or-set-assuming-causal-delivery" => op(with(about, "CausalOrSet"), CausalOrSet),
                "forgotten-tombstones" => {
                    state(with(about, "ForgottenTombstones"), ForgottenTombstones)
                }
                "remove-wins-sold-as-add-wins" => state(
                    with(about, "RemoveWinsSoldAsAddWins"),
                    RemoveWinsSoldAsAddWins,
                ),
                "index-list" => op(with(about, "IndexList"), IndexList),
                "rga-backward-interleaving" => op(with(about, "RgaList"), RgaList),
                "move-as-delete-and-insert" => {
                    state(with(about, "DeleteInsertMoveList"), DeleteInsertMoveList)
                }
                "tree-move-without-undo-redo" => state(with(about, "LwwParentTree"), LwwParentTree),
                "map-remove-drops-concurrent-updates" => {
                    state(with(about, "BirthDotMap"), BirthDotMap)
                }
                "diff-misses-concurrent-entries" => {
                    state(with(about, "WatermarkDiffOrSet"), WatermarkDiffOrSet)
                }
                "hlc-without-max-on-receive" => {
                    state(with(about, "NoMaxHlcRegister"), broken::NoMaxHlcRegister)
                }
                "gc-before-causal-stability" => op(with(about, "EagerGcSet"), broken::EagerGcSet),
                "sync-increments-without-acks" => sync(
                    with(about, "IncrementsWithoutAcks::default()"),
                    broken::IncrementsWithoutAcks::default(),
                ),
                "sync-bloom-in-flight-never-cleared" => sync(
                    with(about, "BloomSync::default()"),
                    broken::BloomSync::default(),
                ),
                "sync-server-trimming-early" => sync(
                    with(
                        about,
                        "server_trimming_early(crdt_impls::models::GCounterModel::default())",
                    ),
                    broken::server_trimming_early(GCounterModel::default()),
                ),
                "sync-dropping-early-updates" => {
                    sync(with(about, "OpSync::default()"), broken::OpSync::default())
                }
                other => unreachable!("gallery entry {other} has no catalogue model"),
            }
        })
        .collect()
}

/// The model called `name`, from the reference models or the gallery.
#[must_use]
pub fn find(name: &str) -> Option<Box<dyn Entry>> {
    builtin()
        .into_iter()
        .chain(gallery())
        .find(|e| e.name() == name)
}

/// The models one command line knows: give it to [`crate::main`] to get `list`, `check`,
/// `replay`, `--report`, `--shard`, `merge-reports` and `render` over them.
///
/// Register each model with the method of its flavour ([`state`](Catalogue::state),
/// [`delta`](Catalogue::delta), [`op`](Catalogue::op)). Its operations must implement serde's
/// `Serialize` and `DeserializeOwned` (replay files store them as JSON), `Debug` and `Clone`
/// (see [`CatalogueOp`]).
///
/// `check all` checks every model registered; `check broken` every broken one (the built-in
/// catalogue's gallery).
///
/// ```
/// use crdt_cli::Catalogue;
/// use crdt_laws::toys::{MaxRegister, OpCounter};
/// let catalogue = Catalogue::new()
///     .delta("max", "a register joined by max", MaxRegister)
///     .op("count", "an op-based counter", OpCounter);
/// assert_eq!(catalogue.models().len(), 2);
/// assert!(catalogue.find("count").is_some());
/// ```
#[derive(Clone, Default)]
pub struct Catalogue {
    models: Vec<Arc<dyn Entry>>,
    broken: Vec<Arc<dyn Entry>>,
}

impl Debug for Catalogue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |entries: &[Arc<dyn Entry>]| {
            entries
                .iter()
                .map(|e| e.name().to_string())
                .collect::<Vec<_>>()
        };
        f.debug_struct("Catalogue")
            .field("models", &names(&self.models))
            .field("broken", &names(&self.broken))
            .finish()
    }
}

impl Catalogue {
    /// An empty catalogue.
    #[must_use]
    pub fn new() -> Self {
        Catalogue::default()
    }

    /// The built-in catalogue of the `crdt-harness` command: the reference models of
    /// [`builtin`], then the gallery of [`gallery`] as broken models.
    #[must_use]
    pub fn builtin() -> Self {
        builtin()
            .into_iter()
            .chain(gallery())
            .fold(Catalogue::new(), Catalogue::entry)
    }

    /// Adds a state-based model called `name` (what users type), described by one line.
    ///
    /// # Panics
    /// If the name is empty, `all` or `broken`, or already registered.
    #[must_use]
    pub fn state<M>(self, name: &str, description: &str, model: M) -> Self
    where
        M: StateCrdt + Send + Sync + 'static,
        M::Op: CatalogueOp,
        M::State: Send + Sync,
        M::Value: Send + Sync,
    {
        self.entry(state(Describe::of::<M>(name, description), model))
    }

    /// Adds a delta-state model, as [`Catalogue::state`].
    ///
    /// # Panics
    /// As [`Catalogue::state`].
    #[must_use]
    pub fn delta<M>(self, name: &str, description: &str, model: M) -> Self
    where
        M: DeltaCrdt + Send + Sync + 'static,
        M::Op: CatalogueOp,
        M::State: Send + Sync,
        M::Value: Send + Sync,
    {
        self.entry(delta(Describe::of::<M>(name, description), model))
    }

    /// Adds an operation-based model, as [`Catalogue::state`].
    ///
    /// # Panics
    /// As [`Catalogue::state`].
    #[must_use]
    pub fn op<M>(self, name: &str, description: &str, model: M) -> Self
    where
        M: OpCrdt + Send + Sync + 'static,
        M::Op: CatalogueOp,
        M::State: Send + Sync,
        M::Value: Send + Sync,
        M::Message: Send + Sync,
    {
        self.entry(op(Describe::of::<M>(name, description), model))
    }

    /// Adds an entry built by [`state`], [`delta`] or [`op`] (with a full [`Describe`]); an
    /// entry with a gallery description is a broken model.
    ///
    /// # Panics
    /// As [`Catalogue::state`].
    #[must_use]
    pub fn entry(mut self, entry: Box<dyn Entry>) -> Self {
        let name = entry.name();
        assert!(
            !name.is_empty() && name != "all" && name != "broken",
            "a model cannot be called {name:?}: `all` and `broken` name groups of models"
        );
        assert!(
            self.find(name).is_none(),
            "two models are called {name:?}: names must be unique"
        );
        if entry.gallery().is_some() {
            self.broken.push(Arc::from(entry));
        } else {
            self.models.push(Arc::from(entry));
        }
        self
    }

    /// The models (`check all`), in the order registered.
    #[must_use]
    pub fn models(&self) -> &[Arc<dyn Entry>] {
        &self.models
    }

    /// The broken models (`check broken`, `list --broken`).
    #[must_use]
    pub fn broken(&self) -> &[Arc<dyn Entry>] {
        &self.broken
    }

    /// The model called `name`, working or broken.
    #[must_use]
    pub fn find(&self, name: &str) -> Option<&Arc<dyn Entry>> {
        self.models
            .iter()
            .chain(&self.broken)
            .find(|e| e.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gallery_entry_has_a_model_and_names_are_unique() {
        let names: Vec<String> = builtin()
            .iter()
            .chain(gallery().iter())
            .map(|e| e.name().to_string())
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert_eq!(gallery().len(), broken::gallery().len());
    }

    #[test]
    fn erased_operations_keep_their_json_and_debug_text() {
        let op = erase_op(&crdt_impls::ops::SetOp::Add(3u8));
        assert_eq!(format!("{op:?}"), "Add(3)");
        assert_eq!(serde_json::to_string(&op).unwrap(), r#"{"Add":3}"#);
    }
}
