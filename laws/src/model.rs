//! Models: how the framework sees a CRDT.
//!
//! A *model* is a small value that implements the traits of this module and names the CRDT's
//! state as an associated type. The state is the user's own type, unchanged: a type from another
//! crate needs no newtype and no fork, and one type can be checked under two different orders by
//! writing two models (see the crate docs for `u64` under `<=` and under divisibility).
//!
//! Three flavours share the [`Model`] base:
//! - [`StateCrdt`]: state-based (convergent) CRDTs, replicated by shipping whole states and
//!   merging them with a join;
//! - [`DeltaCrdt`]: delta-state CRDTs, whose mutators also return a *delta*, a small state that
//!   carries just the change;
//! - [`OpCrdt`]: operation-based (commutative) CRDTs, where *prepare* turns a user's operation
//!   into a message at its origin and *effect* applies that message at every replica, and the
//!   model declares the [`Delivery`] the network must provide.

use std::fmt::{self, Debug, Display};

use proptest::strategy::BoxedStrategy;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Identifies one replica of a CRDT.
///
/// Replica ids are small integers assigned by the framework (`0, 1, 2, ...`); they print as
/// letters (`A, B, C, ...`) so counterexamples read like the textbook ones. A model maps them to
/// whatever actor type its CRDT uses.
///
/// ```
/// use crdt_laws::ReplicaId;
/// assert_eq!(ReplicaId::new(0).to_string(), "A");
/// assert_eq!(ReplicaId::new(2).to_string(), "C");
/// assert_eq!(ReplicaId::new(30).to_string(), "R30");
/// assert!(ReplicaId::new(0) < ReplicaId::new(1));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReplicaId(pub u32);

impl ReplicaId {
    /// The replica with index `index`.
    #[must_use]
    pub const fn new(index: u32) -> Self {
        Self(index)
    }

    /// This replica's index, for indexing per-replica tables.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl Display for ReplicaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 26 {
            write!(f, "{}", char::from(b'A' + self.0 as u8))
        } else {
            write!(f, "R{}", self.0)
        }
    }
}

impl Debug for ReplicaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(self, f)
    }
}

/// The identity of one update: the replica that issued it and its sequence number there.
///
/// Sequence numbers start at 1 and count the updates a replica has issued, so `B2` is the second
/// update issued by replica `B`.
///
/// ```
/// use crdt_laws::{Dot, ReplicaId};
/// let dot = Dot::new(ReplicaId::new(1), 2);
/// assert_eq!(dot.to_string(), "B2");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Dot {
    /// The replica that issued the update.
    pub replica: ReplicaId,
    /// The update's position among that replica's updates, starting at 1.
    pub seq: u64,
}

impl Dot {
    /// The `seq`-th update of `replica`.
    #[must_use]
    pub const fn new(replica: ReplicaId, seq: u64) -> Self {
        Self { replica, seq }
    }
}

impl Display for Dot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.replica, self.seq)
    }
}

impl Debug for Dot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Display::fmt(self, f)
    }
}

/// One update in a [`History`]: who issued it, what it was, and what its origin had seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event<Op> {
    /// The update's identity.
    pub dot: Dot,
    /// The operation the user performed.
    pub op: Op,
    /// The updates visible at the origin when this one was issued: its direct causal past.
    pub deps: Vec<Dot>,
}

/// The updates visible to a replica, with their happens-before order.
///
/// This is what a [specification](Model::spec) receives. Events are listed in an order
/// consistent with happens-before (an update comes after every update it depends on), so a
/// specification can fold over them; where the order between two events matters it must ask
/// [`History::happens_before`], because concurrent events may appear in either order.
///
/// ```
/// use crdt_laws::{Dot, History, ReplicaId};
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut h = History::new();
/// h.push(Dot::new(a, 1), "add x", vec![]);
/// h.push(Dot::new(b, 1), "remove x", vec![Dot::new(a, 1)]);
/// h.push(Dot::new(a, 2), "add y", vec![Dot::new(a, 1)]);
/// assert!(h.happens_before(Dot::new(a, 1), Dot::new(b, 1)));
/// assert!(h.concurrent(Dot::new(b, 1), Dot::new(a, 2)));
/// assert_eq!(h.lamport(Dot::new(b, 1)), Some(2));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct History<Op> {
    events: Vec<Event<Op>>,
    /// Each dot's position, sorted by dot (a flat map: histories are short, and a
    /// specification's history is built for every new set of updates a replica reaches).
    #[serde(skip)]
    index: Vec<(Dot, usize)>,
    /// Emptied dependency lists kept by [`clear`](Self::clear) for the next events.
    #[serde(skip)]
    spare: Spare,
}

/// Memory a [`History`] keeps for reuse: not part of its value (equal, printed and cloned as
/// nothing).
#[derive(Default)]
struct Spare(Vec<Vec<Dot>>);

impl Clone for Spare {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for Spare {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Spare {}

impl Debug for Spare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("_")
    }
}

impl<Op> Default for History<Op> {
    fn default() -> Self {
        Self {
            events: Vec::new(),
            index: Vec::new(),
            spare: Spare::default(),
        }
    }
}

impl<Op> History<Op> {
    /// An empty history.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty history with room for `updates` updates.
    ///
    /// ```
    /// use crdt_laws::History;
    /// let history = History::<u8>::with_capacity(8);
    /// assert!(history.is_empty());
    /// ```
    #[must_use]
    pub fn with_capacity(updates: usize) -> Self {
        Self {
            events: Vec::with_capacity(updates),
            index: Vec::with_capacity(updates),
            spare: Spare::default(),
        }
    }

    /// Removes every event, keeping the memory for the events pushed next (with
    /// [`push_from`](Self::push_from), their dependency lists too): a driver that judges many
    /// histories builds each one into the same `History`.
    ///
    /// ```
    /// use crdt_laws::{Dot, History, ReplicaId};
    /// let a = ReplicaId::new(0);
    /// let mut h = History::new();
    /// h.push(Dot::new(a, 1), "add x", vec![]);
    /// h.clear();
    /// assert!(h.is_empty());
    /// h.push_from(Dot::new(a, 2), "add y", [Dot::new(a, 1)]);
    /// assert_eq!(h.events()[0].deps, vec![Dot::new(a, 1)]);
    /// ```
    pub fn clear(&mut self) {
        self.spare.0.extend(self.events.drain(..).map(|event| {
            let mut deps = event.deps;
            deps.clear();
            deps
        }));
        self.index.clear();
    }

    /// Appends an update as [`push`](Self::push) does, its dependencies given by an iterator
    /// and kept in a list [`clear`](Self::clear) emptied, when there is one.
    pub fn push_from(&mut self, dot: Dot, op: Op, deps: impl IntoIterator<Item = Dot>) {
        let mut list = self.spare.0.pop().unwrap_or_default();
        list.extend(deps);
        self.push(dot, op, list);
    }

    /// Appends an update. `deps` are the updates its origin had seen when issuing it; each must
    /// already be in the history (otherwise it is ignored by [`happens_before`](Self::happens_before)).
    pub fn push(&mut self, dot: Dot, op: Op, deps: Vec<Dot>) {
        let position = self.events.len();
        match self.index.binary_search_by_key(&dot, |&(d, _)| d) {
            Ok(at) => self.index[at].1 = position,
            Err(at) => self.index.insert(at, (dot, position)),
        }
        self.events.push(Event { dot, op, deps });
    }

    /// The events, in an order consistent with happens-before.
    #[must_use]
    pub fn events(&self) -> &[Event<Op>] {
        &self.events
    }

    /// The number of events.
    #[must_use]
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when no update is visible.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The event with identity `dot`, if visible.
    #[must_use]
    pub fn get(&self, dot: Dot) -> Option<&Event<Op>> {
        self.position(dot).map(|i| &self.events[i])
    }

    fn position(&self, dot: Dot) -> Option<usize> {
        if self.index.len() == self.events.len() {
            self.index
                .binary_search_by_key(&dot, |&(d, _)| d)
                .ok()
                .map(|at| self.index[at].1)
        } else {
            // Deserialized histories carry no index; fall back to a scan.
            self.events.iter().position(|e| e.dot == dot)
        }
    }

    /// True when `a` was visible at `b`'s origin when `b` was issued (`a → b`).
    #[must_use]
    pub fn happens_before(&self, a: Dot, b: Dot) -> bool {
        self.get(b).is_some_and(|e| e.deps.contains(&a))
    }

    /// True when neither of two distinct updates happened before the other (`a ∥ b`).
    #[must_use]
    pub fn concurrent(&self, a: Dot, b: Dot) -> bool {
        a != b && !self.happens_before(a, b) && !self.happens_before(b, a)
    }

    /// The Lamport timestamp of an update: one more than the largest timestamp in its causal past
    /// (so 1 for an update with an empty past). Paired with the replica id as a tie-break, this
    /// is the arbitration order a last-writer-wins specification uses. To ask for many events'
    /// times, use [`lamports`](Self::lamports), which computes them all at once.
    #[must_use]
    pub fn lamport(&self, dot: Dot) -> Option<u64> {
        let mut memo = vec![None; self.events.len()];
        let at = self.position(dot)?;
        Some(self.lamport_at(at, &mut memo))
    }

    /// The Lamport timestamp of every event, in the order of [`events`](Self::events): one pass,
    /// for specifications that compare many events' times.
    ///
    /// ```
    /// use crdt_laws::{Dot, History, ReplicaId};
    /// let a = ReplicaId::new(0);
    /// let mut h = History::new();
    /// h.push(Dot::new(a, 1), (), vec![]);
    /// h.push(Dot::new(a, 2), (), vec![Dot::new(a, 1)]);
    /// assert_eq!(h.lamports(), vec![1, 2]);
    /// ```
    #[must_use]
    pub fn lamports(&self) -> Vec<u64> {
        let mut memo = vec![None; self.events.len()];
        (0..self.events.len())
            .map(|at| self.lamport_at(at, &mut memo))
            .collect()
    }

    fn lamport_at(&self, at: usize, memo: &mut Vec<Option<u64>>) -> u64 {
        if let Some(t) = memo[at] {
            return t;
        }
        let past = self.events[at]
            .deps
            .iter()
            .filter_map(|d| self.position(*d))
            .filter(|&p| p < at)
            .map(|p| self.lamport_at(p, memo))
            .max()
            .unwrap_or(0);
        memo[at] = Some(past + 1);
        past + 1
    }

    /// The events that no other visible event happened after: the latest concurrent updates.
    pub fn maximal(&self) -> impl Iterator<Item = &Event<Op>> {
        self.events
            .iter()
            .filter(|e| !self.events.iter().any(|later| later.deps.contains(&e.dot)))
    }
}

/// What every CRDT model describes, whatever its flavour.
///
/// A model is usually a unit struct or a struct of settings (the element domain, say). It names
/// the CRDT's state, the operations a user performs, and the value a user observes, and it gives
/// a [proptest] strategy for operations. From that strategy alone the framework builds
/// executions with several replicas, so every state a law sees is reachable.
///
/// # Contract
/// - [`new_replica`](Self::new_replica) returns the initial state of a replica;
/// - every operation the strategy from [`ops`](Self::ops) yields must be accepted in every state
///   (interpret it relative to the state, e.g. an index modulo the length, or ignore it);
/// - [`fork`](Self::fork) returns an independent copy: the framework copies replicas only
///   through it, and checks at the start of every run that changing a fork leaves the original
///   alone (documents that clone as shared handles, such as `yrs::Doc` or `LoroDoc`, must
///   override it);
/// - [`state_eq`](Self::state_eq), where declared, must be an equivalence. States need no
///   `PartialEq`: without `state_eq` the laws and oracles compare values, and report the checks
///   that need states (the derived order, "equal values, different states") as skipped.
pub trait Model {
    /// The CRDT's state: the user's own type. Copied only through [`fork`](Self::fork).
    type State: Clone + Debug;
    /// What a user does to a replica: `Add(x)`, `Increment`, `Insert(i, c)`, ...
    type Op: Clone + Debug;
    /// What a user observes: a set, a number, a string.
    type Value: Clone + Debug + PartialEq;

    /// A human-readable name for reports. Defaults to the model's type name without its path.
    fn name(&self) -> String {
        short_type_name(std::any::type_name::<Self>())
    }

    /// The initial state of replica `id`.
    fn new_replica(&self, id: ReplicaId) -> Self::State;

    /// The value a user observes in `state`.
    fn value(&self, state: &Self::State) -> Self::Value;

    /// A strategy for the operations users perform.
    fn ops(&self) -> BoxedStrategy<Self::Op>;

    /// Whether two states are the same, or `None` (the default) when the model cannot compare
    /// states.
    ///
    /// For a type with `PartialEq`, declare `Some(a == b)`; override it with a finer test when
    /// two representations of one state compare unequal (a `Vec` used as a set, say). Without
    /// it, every law compares the [values](Self::value) of states instead, the laws that need
    /// states themselves (the order derived from merge, the least upper bound) are skipped
    /// with that reason, and the harness skips its "equal values, different states" oracle.
    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        let _ = (a, b);
        None
    }

    /// An independent copy of a replica's state. Defaults to `Clone`.
    ///
    /// Laws, harness and shrinking copy states only through this. Override it when `Clone`
    /// shares state (a document handle): encode the state and load it into a new document
    /// with the same replica id. A fork that shares state is detected at the start of every
    /// law check and harness run, and reported as `fork_independent`, with this fix.
    fn fork(&self, state: &Self::State) -> Self::State {
        state.clone()
    }

    /// The length in bytes of `state`'s `Debug` text: what the harness's state-explosion
    /// oracle measures after every change. Defaults to counting the formatted text
    /// ([`debug_len`](crate::sync::debug_len)). A model whose states are formatted often and
    /// slowly may count without formatting, and must then return exactly the same number.
    ///
    /// ```
    /// use crdt_laws::{Model, ReplicaId};
    /// use crdt_laws::proptest::prelude::*;
    /// struct Counter;
    /// impl Model for Counter {
    ///     type State = u64;
    ///     type Op = u64;
    ///     type Value = u64;
    ///     fn new_replica(&self, _: ReplicaId) -> u64 { 0 }
    ///     fn value(&self, s: &u64) -> u64 { *s }
    ///     fn ops(&self) -> BoxedStrategy<u64> { (0..9u64).boxed() }
    /// }
    /// assert_eq!(Counter.debug_len(&1234), "1234".len());
    /// ```
    fn debug_len(&self, state: &Self::State) -> usize {
        crate::sync::debug_len(state)
    }

    /// Optional: checks an invariant of every value a replica may show (no element twice, a
    /// tree has no cycle, a counter is never negative), returning what is wrong.
    ///
    /// Checked by the `invariant_holds` law on every reachable state and by the harness after
    /// every step, and reported as a property of its own. Defaults to no invariant.
    ///
    /// ```
    /// # use crdt_laws::{Model, ReplicaId};
    /// # use crdt_laws::proptest::prelude::*;
    /// struct Stock; // a counter that must never go negative
    /// impl Model for Stock {
    ///     type State = i64;
    ///     type Op = i64;
    ///     type Value = i64;
    ///     fn new_replica(&self, _: ReplicaId) -> i64 { 0 }
    ///     fn value(&self, s: &i64) -> i64 { *s }
    ///     fn ops(&self) -> BoxedStrategy<i64> { (-2..=2i64).boxed() }
    ///     fn invariant(&self, value: &i64) -> Result<(), String> {
    ///         if *value < 0 { Err(format!("negative stock {value}")) } else { Ok(()) }
    ///     }
    /// }
    /// assert!(Stock.invariant(&-1).is_err());
    /// ```
    fn invariant(&self, value: &Self::Value) -> Result<(), String> {
        let _ = value;
        Ok(())
    }

    /// Optional: serializes `state` and reads it back, or `None` if the model has no codec.
    ///
    /// Declare it to check the `serde_round_trip` law and to let the harness restart crashed
    /// replicas from a serialized snapshot. [`json_round_trip`](crate::json_round_trip) does it
    /// for any `serde` type.
    fn round_trip(&self, state: &Self::State) -> Option<Result<Self::State, Error>> {
        let _ = state;
        None
    }

    /// Optional: the value a replica must show given the updates visible to it, or `None` if
    /// the model has no specification.
    ///
    /// A specification states *what* the CRDT means without saying how it is implemented: an
    /// add-wins set contains `x` if some `add(x)` is not followed (in happens-before) by a
    /// `remove(x)`; a counter's value is the number of increments.
    ///
    /// The history holds exactly the updates the replica has applied, whatever the delivery:
    /// where messages reach a replica before their causal past (under
    /// [`Delivery::Unordered`], a library may buffer them), the framework judges the replica
    /// only when what it has received is causally complete and every update in it was issued
    /// on a complete view ([`applied_is_known`](crate::generate::applied_is_known)). Returning `None` for one history
    /// means "no opinion on this history": that check is skipped, the others still run.
    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        let _ = history;
        None
    }

    /// A hint, never needed: the value the harness expects `state` to show when
    /// [`value`](Self::value) is next asked, by the [specification](Self::spec). Nothing by
    /// default, and nothing to do for a model whose states are in its own process.
    ///
    /// For a model whose replicas live elsewhere and answer in batches (the harness's adapter
    /// model): while it records a run it may answer `value` with this expectation, and check
    /// the expectations against the real answers once they arrive. The harness gives a hint
    /// only where a run with the real value would judge it against the same expectation, so a
    /// correct replica's answers all match and the run needs no second pass.
    fn expect_value(&self, state: &Self::State, value: &Self::Value) {
        let _ = (state, value);
    }

    /// Optional, for sequence CRDTs: the identity of each visible element, in list order, or
    /// `None` if the model is not a sequence.
    ///
    /// Identities must be unique across replicas and stable (an element has the same identity
    /// at every replica): typically the `(replica, counter)` pair the CRDT itself assigns,
    /// written as a [`Dot`]. With them the harness checks that all replicas order elements
    /// consistently and that a replica's consecutive inserts stay together.
    fn element_ids(&self, state: &Self::State) -> Option<Vec<Dot>> {
        let _ = state;
        None
    }

    /// Optional, for sequence CRDTs without an exact [`spec`](Model::spec): whether the list a
    /// replica shows (`shown`, its [element ids](Model::element_ids) in list order) meets the
    /// list specification for the updates it has seen, typically the strong list
    /// specification of Attiya et al. ([`vocab::list::strong_list`](crate::vocab::list::strong_list)):
    /// one order of all inserted elements explains every edit's index at its origin and the
    /// list shown. `Err` says why not; `None` (the default) is no opinion (the check is
    /// skipped, as when the search gives up on a large history).
    ///
    /// The harness asks it under the same conditions as [`spec`](Model::spec) (a causally
    /// complete history), at every replica after every change, and reports a failure as a
    /// specification finding. It complements the sequence oracles, which see only whether
    /// replicas agree on an order: a list that consistently puts inserts at the wrong index
    /// converges, keeps one order everywhere, and breaks only this.
    ///
    /// ```
    /// use crdt_laws::vocab::list::{self, ListOp};
    /// use crdt_laws::{Dot, History, Model, ReplicaId};
    /// # use crdt_laws::proptest::prelude::*;
    /// # #[derive(Clone, Debug, PartialEq)] struct L;
    /// # impl Model for L {
    /// #     type State = (); type Op = ListOp<char>; type Value = ();
    /// #     fn new_replica(&self, _: ReplicaId) {}
    /// #     fn value(&self, _: &()) {}
    /// #     fn ops(&self) -> BoxedStrategy<ListOp<char>> { Just(ListOp::Delete { at: 0 }).boxed() }
    /// fn list_spec(&self, history: &History<ListOp<char>>, shown: &[Dot]) -> Option<Result<(), String>> {
    ///     match list::strong_list(history, shown, 10_000) {
    ///         Ok(_) => Some(Ok(())),
    ///         Err(list::StrongListError::Undecided { .. }) => None,
    ///         Err(why) => Some(Err(why.to_string())),
    ///     }
    /// }
    /// # }
    /// let a1 = Dot::new(ReplicaId::new(0), 1);
    /// let mut history = History::new();
    /// history.push(a1, ListOp::Insert { at: 0, value: 'a' }, vec![]);
    /// assert_eq!(L.list_spec(&history, &[a1]), Some(Ok(())));
    /// assert!(matches!(L.list_spec(&history, &[]), Some(Err(_)))); // 'a' was never deleted
    /// ```
    fn list_spec(&self, history: &History<Self::Op>, shown: &[Dot]) -> Option<Result<(), String>> {
        let _ = (history, shown);
        None
    }

    /// Optional, for sequence CRDTs: which non-interleaving properties of Weidner and
    /// Kleppmann ("The Art of the Fugue", arXiv 2305.00583) the algorithm promises. Defaults
    /// to [`NonInterleaving::None`].
    ///
    /// The harness then checks the promised properties on every replica's list, with the left
    /// and right origin of each element recorded at its insertion (see [`NonInterleaving`]).
    fn non_interleaving(&self) -> NonInterleaving {
        NonInterleaving::None
    }

    /// Optional: whether replicas are interchangeable up to renaming, which lets exhaustive
    /// exploration (`crdt_harness::explore`) explore one of every set of states that differ
    /// only by the replicas' names. Defaults to `false`.
    ///
    /// Declare it only when every replica starts alike and nothing depends on the order of
    /// replica ids: a last-writer-wins register that breaks timestamp ties by the larger
    /// replica id, or a list that orders concurrent inserts by replica id, is **not**
    /// symmetric (renaming the replicas changes who wins), and declaring it would hide the
    /// counterexamples that exist under one naming only. Counters, grow-only and
    /// observed-remove sets and multi-value registers usually are.
    ///
    /// ```
    /// # use crdt_laws::{Model, ReplicaId};
    /// # use crdt_laws::proptest::prelude::*;
    /// struct Max; // a max register: no replica id anywhere
    /// impl Model for Max {
    ///     type State = u64;
    ///     type Op = u64;
    ///     type Value = u64;
    ///     fn new_replica(&self, _: ReplicaId) -> u64 { 0 }
    ///     fn value(&self, s: &u64) -> u64 { *s }
    ///     fn ops(&self) -> BoxedStrategy<u64> { (0..4u64).boxed() }
    ///     fn interchangeable_replicas(&self) -> bool { true }
    /// }
    /// assert!(Max.interchangeable_replicas());
    /// ```
    fn interchangeable_replicas(&self) -> bool {
        false
    }
}

/// The non-interleaving a list algorithm promises, after Weidner and Kleppmann, "The Art of
/// the Fugue" (arXiv 2305.00583), Definitions 2 and 4. Each level includes the ones before it.
///
/// The *left origin* of an element is the element just before its insertion position when it
/// was inserted (or the start), its *right origin* the element just after (or the end). The
/// paper counts deleted elements (tombstones); a black-box check sees only the visible list, so
/// the harness judges a replica only while it has seen no deletion, when the two agree.
///
/// | algorithm | forward | backward | ties |
/// |---|---|---|---|
/// | RGA (Automerge) | yes | no | - |
/// | Yjs (YATA) | yes | no (three replicas, the paper's Prop. C.4) | - |
/// | Fugue | yes | yes | no (Figure 7) |
/// | FugueMax | yes | yes | yes |
///
/// ```
/// use crdt_laws::NonInterleaving;
/// assert!(NonInterleaving::Maximal.includes(NonInterleaving::Backward));
/// assert!(!NonInterleaving::Forward.includes(NonInterleaving::Backward));
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum NonInterleaving {
    /// No promise.
    #[default]
    None,
    /// Definition 2: if A is the left origin of B, and B comes before every other element whose
    /// left origin is A, then A and B are adjacent. Runs typed forwards stay together.
    Forward,
    /// Forward, and runs typed backwards stay together: if B is the right origin of A, both
    /// have the same left origin (A was typed just before B at one place, by B's replica or
    /// another in turn), and A comes after every other element whose right origin is B, then
    /// A and B are adjacent. This is Definition 4 (2) for the pairs Lemma 5 never excuses.
    /// A replica's own consecutive inserts also stay contiguous.
    Backward,
    /// Backward, and the rest of Definition 4: (2) for pairs with different left origins
    /// unless Lemma 5 forces an element between them, and (3) two elements with the same left
    /// and right origins appear in the order of their ids (replica, then sequence number).
    /// Only FugueMax (and algorithms equivalent to it, the paper's Theorem 10) promise this;
    /// Fugue breaks it in the paper's Figure 7.
    Maximal,
}

impl NonInterleaving {
    /// True when this promise includes `other`.
    #[must_use]
    pub fn includes(self, other: NonInterleaving) -> bool {
        self >= other
    }
}

/// A state-based (convergent) CRDT: replicas apply updates locally and merge whole states.
///
/// # Contract
/// The states must form a join-semilattice under [`merge`](Self::merge), and updates must be
/// inflationary. Formally, writing `a ⊔ b` for `merge(a, b)` and `a ≤ b` for the order:
/// - `a ⊔ b = b ⊔ a`, `(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)`, `a ⊔ a = a`;
/// - `a ⊔ b` is the least upper bound of `a` and `b`;
/// - `s ≤ apply(s, op)`.
///
/// If merge is not commutative, replicas that exchange states in different orders diverge; if it
/// is not idempotent, a retransmitted state changes the result; if it is not associative, the
/// result depends on how gossip groups the messages. An update that is not inflationary can be
/// undone by merging an older state.
///
/// ```
/// use crdt_laws::{Model, ReplicaId, StateCrdt};
/// use crdt_laws::proptest::prelude::*;
///
/// /// A max-register: the state is the largest number written.
/// struct MaxRegister;
///
/// impl Model for MaxRegister {
///     type State = u64;
///     type Op = u64;
///     type Value = u64;
///     fn state_eq(&self, a: &u64, b: &u64) -> Option<bool> { Some(a == b) }
///     fn new_replica(&self, _: ReplicaId) -> u64 { 0 }
///     fn value(&self, s: &u64) -> u64 { *s }
///     fn ops(&self) -> BoxedStrategy<u64> { (0..100u64).boxed() }
/// }
///
/// impl StateCrdt for MaxRegister {
///     fn apply(&self, s: &mut u64, _: ReplicaId, op: &u64) { *s = (*s).max(*op) }
///     fn merge(&self, into: &mut u64, from: &u64) { *into = (*into).max(*from) }
/// }
///
/// let report = crdt_laws::check_state(&MaxRegister, &crdt_laws::Config::default());
/// assert!(report.all_passed(), "{report}");
/// ```
pub trait StateCrdt: Model {
    /// Applies a user's operation at replica `replica`.
    fn apply(&self, state: &mut Self::State, replica: ReplicaId, op: &Self::Op);

    /// Merges `from` into `into`: `into ← into ⊔ from`.
    fn merge(&self, into: &mut Self::State, from: &Self::State);

    /// Optional: the partial order, or `None` to derive it from merge (`a ≤ b ⇔ a ⊔ b = b`).
    ///
    /// Declare it when the CRDT has an order of its own (one type can carry several: integers
    /// under `≤` and under divisibility). The `leq_agrees_with_merge` law then checks that the
    /// declared order is the one merge induces. Do not reuse a derived `PartialOrd`: it is
    /// lexicographic, which is not the lattice order.
    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        let _ = (a, b);
        None
    }

    /// Optional: the least state, the identity of merge, or `None`.
    fn bottom(&self) -> Option<Self::State> {
        None
    }

    /// Optional: the *diff* of `local` against `remote`, or `None`: a state to ship so that
    /// a replica holding `remote` learns everything `local` knows, usually much smaller than
    /// `local` (the entries `remote` has not seen, and what `local` removed of `remote`'s).
    ///
    /// Two laws check a declared diff: `remote ⊔ diff(local, remote) = remote ⊔ local`
    /// (`diff_restores_join`: nothing is missed, removals included) and
    /// `diff(local, remote) ≤ local` (`diff_below_local`: nothing is invented). A diff that
    /// misses entries concurrent with what `remote` has seen (computed from one "last version
    /// seen" number, say) breaks the first, and syncing by it loses updates.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use crdt_laws::{StateCrdt, toys::SetUnion};
    ///
    /// let (local, remote): (BTreeSet<u8>, BTreeSet<u8>) = ([1, 2].into(), [2, 3].into());
    /// assert_eq!(SetUnion::default().diff(&local, &remote), Some([1].into()));
    /// ```
    fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
        let _ = (local, remote);
        None
    }

    /// Optional: declares the value query monotone under this order on values (`Some(a ≤ b)`),
    /// or `None`. A G-Counter's value never decreases; a G-Set's value only grows.
    fn value_leq(&self, a: &Self::Value, b: &Self::Value) -> Option<bool> {
        let _ = (a, b);
        None
    }

    /// Optional: declares the value query a join-homomorphism (`value(a ⊔ b) = value(a) ⊔
    /// value(b)`) by giving the join of values, or `None`.
    fn value_join(&self, a: &Self::Value, b: &Self::Value) -> Option<Self::Value> {
        let _ = (a, b);
        None
    }
}

/// A delta-state CRDT: a state-based CRDT whose mutators also return a *delta*.
///
/// A delta is itself a state, usually much smaller than the full state, such that merging it
/// is the same as applying the update: `s ⊔ delta(s, op) = apply(s, op)`. Replicas may then ship
/// deltas (or joins of several deltas) instead of whole states.
pub trait DeltaCrdt: StateCrdt {
    /// The delta of applying `op` at replica `replica` in state `state`.
    fn delta(&self, state: &Self::State, replica: ReplicaId, op: &Self::Op) -> Self::State;
}

/// The delivery an operation-based CRDT needs from its network.
///
/// The harness provides what the model declares (buffering messages that are not yet ready and
/// discarding duplicates) and nothing more; a model that declares less than it needs is caught.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Delivery {
    /// Exactly once, and after every message its origin had seen (causal order).
    Causal,
    /// Exactly once, and in the order each sender sent them.
    FifoPerSender,
    /// Exactly once, in any order.
    Unordered,
    /// In any order, possibly several times.
    UnorderedDuplicating,
}

impl Delivery {
    /// True when the network may deliver a message more than once.
    #[must_use]
    pub const fn duplicates(self) -> bool {
        matches!(self, Self::UnorderedDuplicating)
    }
}

/// An operation-based (commutative) CRDT.
///
/// A user's operation becomes a message at its origin, and the message's *effect* is applied
/// at every other replica. The origin produces the message in one of two ways, whichever the
/// CRDT has:
/// - [`local`](Self::local) applies the operation to the origin's state and returns the message
///   to broadcast, as most libraries do (a yrs transaction then `encode_update`, Loro's
///   `export`, a text editor's local insert);
/// - or a pure [`prepare`](Self::prepare) computes the message without changing the state, and
///   `local` defaults to prepare followed by effect.
///
/// The model declares the [`Delivery`] it relies on.
///
/// # Contract
/// - a model implements `local` or `prepare` (`local`'s default needs `prepare`);
/// - `prepare`, where given, does not change the state;
/// - the effects of any two messages that the declared delivery may deliver in either order
///   commute: `effect(effect(s, m₁), m₂) = effect(effect(s, m₂), m₁)`;
/// - under [`Delivery::UnorderedDuplicating`], effects are idempotent: delivering a message
///   already delivered changes nothing.
///
/// ```
/// use crdt_laws::{Delivery, Dot, Model, OpCrdt, ReplicaId};
/// use crdt_laws::proptest::prelude::*;
///
/// /// An op-based counter whose local increment returns the message to send.
/// struct Counter;
/// impl Model for Counter {
///     type State = u64;
///     type Op = u64;
///     type Value = u64;
///     fn new_replica(&self, _: ReplicaId) -> u64 { 0 }
///     fn value(&self, s: &u64) -> u64 { *s }
///     fn ops(&self) -> BoxedStrategy<u64> { (1..5u64).boxed() }
///     fn state_eq(&self, a: &u64, b: &u64) -> Option<bool> { Some(a == b) }
/// }
/// impl OpCrdt for Counter {
///     type Message = u64;
///     fn delivery(&self) -> Delivery { Delivery::Unordered }
///     fn local(&self, s: &mut u64, _: Dot, n: &u64) -> u64 { *s += n; *n }
///     fn effect(&self, s: &mut u64, n: &u64) { *s += n }
/// }
/// let report = crdt_laws::check_op(&Counter, &crdt_laws::Config::default().with_seed(1));
/// assert!(report.all_passed(), "{report}");
/// ```
pub trait OpCrdt: Model {
    /// What the origin sends and every other replica's effect receives.
    type Message: Clone + Debug;

    /// The delivery this CRDT needs.
    fn delivery(&self) -> Delivery;

    /// Optional: turns a user's operation at replica `replica` into a message without changing
    /// `state`, or `None` (the default) when the model produces messages with
    /// [`local`](Self::local) only. When given, the `prepare_pure` law checks that it is pure.
    fn prepare(
        &self,
        state: &Self::State,
        replica: ReplicaId,
        op: &Self::Op,
    ) -> Option<Self::Message> {
        let _ = (state, replica, op);
        None
    }

    /// Applies a user's operation at its origin and returns the message to broadcast.
    ///
    /// `dot` is the update's identity, given by the framework: `dot.replica` is the origin and
    /// `dot.seq` counts its updates (1, 2, ...), so it is unique across replicas. Use it for
    /// the library's actor id, or to tag inserted content when the library does not expose
    /// element ids (see [`Model::element_ids`]).
    ///
    /// Defaults to [`prepare`](Self::prepare) followed by [`effect`](Self::effect).
    ///
    /// # Panics
    /// The default panics when the model gives neither `local` nor `prepare`.
    fn local(&self, state: &mut Self::State, dot: Dot, op: &Self::Op) -> Self::Message {
        let message = self.prepare(state, dot.replica, op).unwrap_or_else(|| {
            panic!(
                "the model {} implements neither OpCrdt::local nor OpCrdt::prepare",
                self.name()
            )
        });
        self.effect(state, &message);
        message
    }

    /// Applies a message from another replica.
    fn effect(&self, state: &mut Self::State, message: &Self::Message);
}

/// Whether two states are the same for the laws and oracles: the model's
/// [`state_eq`](Model::state_eq) where declared, else equal [values](Model::value).
pub fn same_state<M: Model + ?Sized>(model: &M, a: &M::State, b: &M::State) -> bool {
    model
        .state_eq(a, b)
        .unwrap_or_else(|| model.value(a) == model.value(b))
}

/// True when the model can compare states ([`Model::state_eq`] is declared), judged on its
/// initial state.
pub fn compares_states<M: Model + ?Sized>(model: &M) -> bool {
    let probe = model.new_replica(ReplicaId::new(0));
    model.state_eq(&probe, &probe).is_some()
}

/// `core::any::type_name` without module paths: `crdt_impls::GSetModel<u8>` → `GSetModel<u8>`.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for ch in full.chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == ':' {
            segment.push(ch);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(""));
            segment.clear();
            out.push(ch);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_drop_paths() {
        assert_eq!(short_type_name("a::b::Model<c::D, u8>"), "Model<D, u8>");
        assert_eq!(short_type_name("Plain"), "Plain");
        assert_eq!(short_type_name("(x::A, [y::B; 2])"), "(A, [B; 2])");
    }

    #[test]
    fn lamport_counts_the_longest_causal_chain() {
        let a = ReplicaId::new(0);
        let b = ReplicaId::new(1);
        let mut h = History::new();
        h.push(Dot::new(a, 1), (), vec![]);
        h.push(Dot::new(b, 1), (), vec![]);
        h.push(Dot::new(a, 2), (), vec![Dot::new(a, 1), Dot::new(b, 1)]);
        assert_eq!(h.lamport(Dot::new(a, 2)), Some(2));
        assert_eq!(h.lamport(Dot::new(b, 1)), Some(1));
        assert_eq!(h.lamport(Dot::new(b, 9)), None);
        let maximal: Vec<Dot> = h.maximal().map(|e| e.dot).collect();
        assert_eq!(maximal, vec![Dot::new(a, 2)]);
    }
}
