//! How each flavour of CRDT travels: whole states, delta groups, or operation messages.
//!
//! The simulator is generic over a [`Protocol`]; [`StateProtocol`], [`DeltaProtocol`] and
//! [`OpProtocol`] adapt the three model traits of `crdt-laws`. Each holds the model through any
//! pointer to it: `StateProtocol(&model)` borrows it, `StateProtocol(Arc::new(model))` owns it
//! (what a run under a watchdog needs, since a thread stuck in the model outlives the run).

use std::fmt::Debug;
use std::ops::Deref;

use crdt_laws::{Delivery, DeltaCrdt, Dot, Flavour, Model, OpCrdt, StateCrdt};

/// What a local update produces for the network.
#[derive(Clone, Debug)]
pub enum Produced<P> {
    /// Nothing: state-based replicas send their state on request.
    Nothing,
    /// A delta, to be shipped to every other replica in delta groups.
    Delta(P),
    /// A message, to be broadcast to every other replica.
    Broadcast(P),
}

/// A flavour of replication, as the simulator drives it.
pub trait Protocol: Sync {
    /// The model.
    type Model: Model + Sync;
    /// What travels on the network: a state (or delta), or an operation message.
    type Payload: Clone + Debug;

    /// The model.
    fn model(&self) -> &Self::Model;

    /// The flavour.
    fn flavour(&self) -> Flavour;

    /// The delivery the network must provide for messages (state-based flavours need none).
    fn delivery(&self) -> Delivery;

    /// Performs a local update, whose identity is `dot` (`dot.replica` is where it happens).
    fn update(
        &self,
        state: &mut <Self::Model as Model>::State,
        dot: Dot,
        op: &<Self::Model as Model>::Op,
    ) -> Produced<Self::Payload>;

    /// Receives a payload: merges a state or delta, or applies a message's effect.
    fn receive(&self, state: &mut <Self::Model as Model>::State, payload: &Self::Payload);

    /// State-based flavours: the whole state as a payload.
    fn state_payload(&self, state: &<Self::Model as Model>::State) -> Option<Self::Payload>;

    /// State-based flavours: joins two payloads (delta groups).
    fn join(&self, into: &mut Self::Payload, from: &Self::Payload);

    /// The length of `payload`'s `Debug` text: what the state-explosion oracle measures of a
    /// state or delta group merged. Defaults to counting the formatted text; the state-based
    /// flavours ask the model ([`Model::debug_len`]).
    ///
    /// ```
    /// use crdt_harness::protocol::{DeltaProtocol, Protocol};
    /// use crdt_impls::models::OrSetModel;
    /// use crdt_laws::{Model, ReplicaId};
    /// let protocol = DeltaProtocol(&OrSetModel::default());
    /// let state = OrSetModel::default().new_replica(ReplicaId::new(0));
    /// assert_eq!(protocol.payload_debug_len(&state), format!("{state:?}").len());
    /// ```
    fn payload_debug_len(&self, payload: &Self::Payload) -> usize {
        crdt_laws::sync::debug_len(payload)
    }

    /// State-based flavours: the lattice order, for the monotone-growth oracle (`None` when
    /// the model declares no order and cannot compare states, so none can be derived).
    fn leq(
        &self,
        a: &<Self::Model as Model>::State,
        b: &<Self::Model as Model>::State,
    ) -> Option<bool>;

    /// A flavour that runs its schedules itself (the [sync flavour](crate::sync)) returns the
    /// outcome of `schedule` (with quiescence when `quiesce`); the others return `None` and
    /// the [simulator](crate::sim) runs them.
    fn run_own(
        &self,
        schedule: &crate::schedule::Schedule<<Self::Model as Model>::Op>,
        config: crate::sim::RunConfig,
        quiesce: bool,
    ) -> Option<crate::sim::Outcome> {
        let _ = (schedule, config, quiesce);
        None
    }
}

/// A state-based model (behind `R`, a pointer to it): replicas ship whole states and merge
/// them.
#[derive(Clone, Copy, Debug)]
pub struct StateProtocol<R>(pub R);

/// A delta-state model (behind `R`, a pointer to it): replicas ship groups of deltas, and whole
/// states to resynchronize.
#[derive(Clone, Copy, Debug)]
pub struct DeltaProtocol<R>(pub R);

/// An operation-based model (behind `R`, a pointer to it): updates are broadcast as messages,
/// delivered as declared.
#[derive(Clone, Copy, Debug)]
pub struct OpProtocol<R>(pub R);

macro_rules! state_based_common {
    () => {
        type Model = M;
        type Payload = M::State;

        fn model(&self) -> &M {
            &self.0
        }

        fn delivery(&self) -> Delivery {
            Delivery::UnorderedDuplicating
        }

        fn receive(&self, state: &mut M::State, payload: &M::State) {
            self.0.merge(state, payload);
        }

        fn state_payload(&self, state: &M::State) -> Option<M::State> {
            Some(self.0.fork(state))
        }

        fn join(&self, into: &mut M::State, from: &M::State) {
            self.0.merge(into, from);
        }

        fn payload_debug_len(&self, payload: &M::State) -> usize {
            self.0.debug_len(payload)
        }

        fn leq(&self, a: &M::State, b: &M::State) -> Option<bool> {
            // Without a declared order, the one merge induces, where states compare at all:
            // asked of one state and itself, which an adapter model answers without a request
            // (its answer is not used; a recording assumes what the run uses).
            self.0.leq(a, b).or_else(|| {
                self.0
                    .state_eq(b, b)
                    .map(|_| crdt_laws::order::merge_leq(&*self.0, a, b))
            })
        }
    };
}

impl<M: StateCrdt + Sync, R: Deref<Target = M> + Sync> Protocol for StateProtocol<R> {
    state_based_common!();

    fn flavour(&self) -> Flavour {
        Flavour::StateBased
    }

    fn update(&self, state: &mut M::State, dot: Dot, op: &M::Op) -> Produced<M::State> {
        self.0.apply(state, dot.replica, op);
        Produced::Nothing
    }
}

impl<M: DeltaCrdt + Sync, R: Deref<Target = M> + Sync> Protocol for DeltaProtocol<R> {
    state_based_common!();

    fn flavour(&self) -> Flavour {
        Flavour::DeltaState
    }

    fn update(&self, state: &mut M::State, dot: Dot, op: &M::Op) -> Produced<M::State> {
        let delta = self.0.delta(state, dot.replica, op);
        self.0.apply(state, dot.replica, op);
        Produced::Delta(delta)
    }
}

impl<M: OpCrdt + Sync, R: Deref<Target = M> + Sync> Protocol for OpProtocol<R> {
    type Model = M;
    type Payload = M::Message;

    fn model(&self) -> &M {
        &self.0
    }

    fn flavour(&self) -> Flavour {
        Flavour::OpBased
    }

    fn delivery(&self) -> Delivery {
        self.0.delivery()
    }

    fn update(&self, state: &mut M::State, dot: Dot, op: &M::Op) -> Produced<M::Message> {
        Produced::Broadcast(self.0.local(state, dot, op))
    }

    fn receive(&self, state: &mut M::State, message: &M::Message) {
        self.0.effect(state, message);
    }

    fn state_payload(&self, _: &M::State) -> Option<M::Message> {
        None
    }

    fn join(&self, _: &mut M::Message, _: &M::Message) {}

    fn leq(&self, _: &M::State, _: &M::State) -> Option<bool> {
        None
    }
}
