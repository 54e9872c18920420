//! A grow-only set of small numbers whose callbacks misbehave on demand: one chosen callback
//! panics, or never returns, once it sees an element of 4 or more. Shared by the containment
//! tests of `crdt-laws` and `crdt-harness` (the latter includes this file by path).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::mpsc;
use std::time::Duration;

use crdt_laws::{Delivery, DeltaCrdt, Dot, History, Model, OpCrdt, ReplicaId, StateCrdt};
use proptest::prelude::*;

/// A callback of the model contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Callback {
    /// `StateCrdt::apply`.
    Apply,
    /// `StateCrdt::merge`.
    Merge,
    /// `StateCrdt::leq`.
    Leq,
    /// `DeltaCrdt::delta`.
    Delta,
    /// `Model::value`.
    Value,
    /// `Model::spec`.
    Spec,
    /// `Model::round_trip` (serialization).
    RoundTrip,
    /// The values of `Model::ops` (generating operations).
    Ops,
    /// `OpCrdt::prepare`.
    Prepare,
    /// `OpCrdt::effect`.
    Effect,
    /// `OpCrdt::local` (a local edit that returns the message).
    Local,
    /// `Model::fork` (copying a replica).
    Fork,
    /// `Model::invariant`.
    Invariant,
}

impl Callback {
    /// Every callback tested.
    pub(crate) const ALL: [Callback; 13] = [
        Callback::Apply,
        Callback::Merge,
        Callback::Leq,
        Callback::Delta,
        Callback::Value,
        Callback::Spec,
        Callback::RoundTrip,
        Callback::Ops,
        Callback::Prepare,
        Callback::Effect,
        Callback::Local,
        Callback::Fork,
        Callback::Invariant,
    ];

    /// The flavour whose contract has this callback.
    pub(crate) fn flavour(self) -> &'static str {
        match self {
            Callback::Delta => "delta",
            Callback::Prepare | Callback::Effect | Callback::Local => "op",
            _ => "state",
        }
    }
}

impl fmt::Display for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Callback::Apply => "apply",
            Callback::Merge => "merge",
            Callback::Leq => "leq",
            Callback::Delta => "delta",
            Callback::Value => "value",
            Callback::Spec => "spec",
            Callback::RoundTrip => "round_trip",
            Callback::Ops => "ops strategy",
            Callback::Prepare => "prepare",
            Callback::Effect => "effect",
            Callback::Local => "local",
            Callback::Fork => "fork",
            Callback::Invariant => "invariant",
        };
        f.write_str(name)
    }
}

/// How a callback misbehaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// It panics.
    Panic,
    /// It never returns.
    Hang,
}

/// The model: `callback` misbehaves as `fault` when it meets an element of 4 or more (with
/// `fault: None`, a lawful grow-only set).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Faulty {
    pub(crate) callback: Callback,
    pub(crate) fault: Option<Fault>,
}

type Set = BTreeSet<u8>;

impl Faulty {
    pub(crate) fn new(callback: Callback, fault: Fault) -> Self {
        Faulty {
            callback,
            fault: Some(fault),
        }
    }

    /// Misbehaves if `callback` is the one chosen and `trigger` holds.
    fn at(&self, callback: Callback, trigger: bool) {
        if self.callback == callback && trigger {
            misbehave(self.fault, callback);
        }
    }
}

fn misbehave(fault: Option<Fault>, callback: Callback) {
    match fault {
        None => {}
        Some(Fault::Panic) => panic!("{callback} exploded"),
        Some(Fault::Hang) => loop {
            std::thread::sleep(Duration::from_millis(50));
        },
    }
}

fn big(set: &Set) -> bool {
    set.iter().any(|&x| x >= 4)
}

impl Model for Faulty {
    type State = Set;
    type Op = u8;
    type Value = Set;

    fn new_replica(&self, _: ReplicaId) -> Set {
        Set::new()
    }

    fn state_eq(&self, a: &Set, b: &Set) -> Option<bool> {
        Some(a == b)
    }

    fn fork(&self, state: &Set) -> Set {
        self.at(Callback::Fork, big(state));
        state.clone()
    }

    fn invariant(&self, value: &Set) -> Result<(), String> {
        self.at(Callback::Invariant, big(value));
        Ok(())
    }

    fn value(&self, state: &Set) -> Set {
        self.at(Callback::Value, big(state));
        state.clone()
    }

    fn ops(&self) -> BoxedStrategy<u8> {
        let me = *self;
        (0..8u8)
            .prop_map(move |x| {
                me.at(Callback::Ops, x >= 4);
                x
            })
            .boxed()
    }

    fn spec(&self, history: &History<u8>) -> Option<Set> {
        let ops: Set = history.events().iter().map(|e| e.op).collect();
        self.at(Callback::Spec, big(&ops));
        Some(ops)
    }

    fn round_trip(&self, state: &Set) -> Option<Result<Set, crdt_laws::Error>> {
        self.at(Callback::RoundTrip, big(state));
        Some(Ok(state.clone()))
    }
}

impl StateCrdt for Faulty {
    fn apply(&self, state: &mut Set, _: ReplicaId, op: &u8) {
        self.at(Callback::Apply, *op >= 4);
        state.insert(*op);
    }

    fn merge(&self, into: &mut Set, from: &Set) {
        self.at(Callback::Merge, big(from));
        into.extend(from.iter().copied());
    }

    fn leq(&self, a: &Set, b: &Set) -> Option<bool> {
        self.at(Callback::Leq, big(a) || big(b));
        Some(a.is_subset(b))
    }
}

impl DeltaCrdt for Faulty {
    fn delta(&self, _: &Set, _: ReplicaId, op: &u8) -> Set {
        self.at(Callback::Delta, *op >= 4);
        Set::from([*op])
    }
}

impl OpCrdt for Faulty {
    type Message = u8;

    fn delivery(&self) -> Delivery {
        Delivery::UnorderedDuplicating
    }

    fn prepare(&self, _: &Set, _: ReplicaId, op: &u8) -> Option<u8> {
        self.at(Callback::Prepare, *op >= 4);
        Some(*op)
    }

    fn local(&self, state: &mut Set, _: Dot, op: &u8) -> u8 {
        self.at(Callback::Local, *op >= 4);
        state.insert(*op);
        *op
    }

    fn effect(&self, state: &mut Set, message: &u8) {
        self.at(Callback::Effect, *message >= 4);
        state.insert(*message);
    }
}

/// Runs `work` on its own thread and fails the test if it has not returned after `limit`: a
/// containment test must fail, not hang, when containment is broken.
pub(crate) fn within<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(work());
    });
    match result.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not return within {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("panicked out of the library"),
    }
}
