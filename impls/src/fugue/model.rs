//! Ready-made models of the Fugue lists for the law catalogue and the harness.

use std::fmt;
use std::marker::PhantomData;

pub use crdt_laws::vocab::list::ListOp;
use crdt_laws::vocab::list::{self, RightSiblings};
use crdt_laws::{
    Delivery, Dot, Error as LawError, History, Model, NonInterleaving, OpCrdt, ReplicaId, StateCrdt,
};
use proptest::strategy::BoxedStrategy;

use super::list::List;
use super::message::Message;
use super::order::{Fugue, FugueMax, SiblingOrder};

/// The model of a Fugue list of `char`s `'a'..='z'`, generic over the sibling rule, for the law
/// catalogue and the harness: use [`FugueListModel`] or [`FugueMaxListModel`].
///
/// It is both a [`StateCrdt`] (replicas merge whole states) and an [`OpCrdt`] (replicas exchange
/// [`Message`]s, delivered causally). Its value is the list as a `String`, and its
/// [specification](Model::spec) replays the history on the naive tree of [`spec`](super::spec).
///
/// It declares [`Model::non_interleaving`]: [`NonInterleaving::Backward`] for Fugue,
/// [`NonInterleaving::Maximal`] for FugueMax (Weidner and Kleppmann, Theorem 9). So a run typed
/// by one replica without receiving anything in between (forwards, or backwards at one place)
/// is never split by an element inserted concurrently without knowing the run. The harness
/// checks the paper's definitions and that contiguity of a replica's own runs; the
/// `harness_contiguity_finding_*` tests in `tests/fugue_scenarios.rs` show pairs of inserts
/// that are *not* such runs (the replica received something between them), which Fugue may
/// legitimately separate.
///
/// ```
/// use crdt_impls::fugue::{FugueListModel, ListOp};
/// use crdt_laws::{Model, ReplicaId, StateCrdt};
///
/// let model = FugueListModel::default();
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let mut x = model.new_replica(a);
/// let mut y = model.new_replica(b);
/// model.apply(&mut x, a, &ListOp::Insert { at: 0, value: 'a' });
/// model.apply(&mut y, b, &ListOp::Insert { at: 0, value: 'b' });
/// model.merge(&mut x, &y);
/// assert_eq!(model.value(&x), "ab");
/// ```
pub struct ListModel<O> {
    order: PhantomData<O>,
}

/// The model of a Fugue list: see [`ListModel`].
pub type FugueListModel = ListModel<Fugue>;

/// The model of a FugueMax list: see [`ListModel`].
pub type FugueMaxListModel = ListModel<FugueMax>;

impl<O> Default for ListModel<O> {
    fn default() -> Self {
        Self { order: PhantomData }
    }
}

impl<O> Clone for ListModel<O> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<O> Copy for ListModel<O> {}

impl<O: SiblingOrder> fmt::Debug for ListModel<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ListModel", O::NAME)
    }
}

impl<O: SiblingOrder> ListModel<O> {
    /// The message a user's operation produces at a replica in state `list`, without changing
    /// it.
    fn message(list: &List<char, O>, op: &ListOp<char>) -> Message<char> {
        match *op {
            ListOp::Insert { at, value } => {
                let index = at as usize % (list.len() + 1);
                list.prepare_insert(index, [value])
            }
            ListOp::Delete { at } => match list.len() {
                0 => list.prepare_delete(0, 0),
                len => list.prepare_delete(at as usize % len, 1),
            },
        }
    }
}

impl<O: SiblingOrder> Model for ListModel<O> {
    type State = List<char, O>;
    type Op = ListOp<char>;
    type Value = String;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn name(&self) -> String {
        format!("{}ListModel", O::NAME)
    }

    fn new_replica(&self, id: ReplicaId) -> Self::State {
        List::new(id)
    }

    fn value(&self, state: &Self::State) -> String {
        state.iter().collect()
    }

    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        ListOp::strategy(26, 3)
    }

    fn round_trip(&self, state: &Self::State) -> Option<Result<Self::State, LawError>> {
        Some(crdt_laws::json_round_trip(state))
    }

    /// The element ids, written as dots: `Id { replica, counter }` is `Dot { replica, seq:
    /// counter + 1 }` (dots count from 1).
    fn element_ids(&self, state: &Self::State) -> Option<Vec<Dot>> {
        Some(
            state
                .ids()
                .map(|id| Dot::new(id.replica, u64::from(id.counter) + 1))
                .collect(),
        )
    }

    fn non_interleaving(&self) -> NonInterleaving {
        match O::RIGHT_SIBLINGS {
            // Fugue is forward and backward non-interleaving, not maximally (Figure 7).
            RightSiblings::ById => NonInterleaving::Backward,
            RightSiblings::ByRightOriginReversed => NonInterleaving::Maximal,
        }
    }

    fn spec(&self, history: &History<ListOp<char>>) -> Option<String> {
        Some(
            list::value(history, O::RIGHT_SIBLINGS)
                .into_iter()
                .collect(),
        )
    }
}

impl<O: SiblingOrder> StateCrdt for ListModel<O> {
    fn apply(&self, state: &mut Self::State, _replica: ReplicaId, op: &ListOp<char>) {
        match *op {
            ListOp::Insert { at, value } => {
                let index = at as usize % (state.len() + 1);
                state.insert(index, value);
            }
            ListOp::Delete { at } => {
                if !state.is_empty() {
                    state.delete(at as usize % state.len());
                }
            }
        }
    }

    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        into.merge(from);
    }

    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a.leq(b))
    }

    fn bottom(&self) -> Option<Self::State> {
        // Equality ignores the owning replica, so any empty list is the bottom.
        Some(List::new(ReplicaId::new(0)))
    }
}

impl<O: SiblingOrder> OpCrdt for ListModel<O> {
    type Message = Message<char>;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }

    fn prepare(
        &self,
        state: &Self::State,
        _replica: ReplicaId,
        op: &ListOp<char>,
    ) -> Option<Message<char>> {
        Some(Self::message(state, op))
    }

    /// Integrates the message.
    ///
    /// # Panics
    /// If the message is not causally ready (the network broke the declared causal delivery).
    fn effect(&self, state: &mut Self::State, message: &Message<char>) {
        if let Err(error) = state.integrate(message) {
            panic!("causal delivery violated: {error}");
        }
    }
}
