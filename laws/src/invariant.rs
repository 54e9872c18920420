//! Laws about what every replica may show and how replicas are copied: the model's
//! [invariant](crate::Model::invariant) holds on every reachable value, and a
//! [fork](crate::Model::fork) is independent of the original.
//!
//! ```
//! use crdt_laws::invariant::{fork_independent, invariant_holds};
//! use crdt_laws::toys::SetUnion;
//! use crdt_laws::{Outcome, ReplicaId, StateCrdt};
//! use std::collections::BTreeSet;
//!
//! let model = SetUnion::default();
//! let s: BTreeSet<u8> = [1, 2].into();
//! assert_eq!(invariant_holds(&model, &s), Outcome::Held);
//! // `BTreeSet`'s clone is a deep copy: adding to the fork leaves `s` alone.
//! let outcome = fork_independent(&model, &s, |t| model.apply(t, ReplicaId::new(0), &7));
//! assert_eq!(outcome, Outcome::Held);
//! ```

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::Model;

/// `invariant(value(s))`: the value of `s` satisfies the model's invariant.
pub fn invariant_holds<M: Model>(model: &M, s: &M::State) -> Outcome {
    let value = model.value(s);
    match model.invariant(&value) {
        Ok(()) => Outcome::Held,
        Err(broken) => Violation::new(
            Law::InvariantHolds,
            format!("the invariant does not hold: {broken}"),
            Binding::new("value(s)", &value),
            Binding::new("invariant", &broken),
        )
        .input(Binding::new("s", s))
        .broken(),
    }
}

/// `t = fork(s); update(t)` leaves `value(s)` unchanged: the fork shares nothing with `s`.
///
/// `update` performs one user update on the fork (an `apply`, or a `local` edit). The law is
/// broken when the original's value changes; the message names the fix.
pub fn fork_independent<M: Model>(
    model: &M,
    s: &M::State,
    update: impl FnOnce(&mut M::State),
) -> Outcome {
    let before = model.value(s);
    let mut fork = model.fork(s);
    update(&mut fork);
    let after = model.value(s);
    if after == before {
        return Outcome::Held;
    }
    Violation::new(
        Law::ForkIndependent,
        "updating a fork of s changed s: Model::fork must return an independent copy (for a \
         document that clones as a shared handle, encode it and load the bytes into a new \
         document with the same replica id)",
        Binding::new("value(s) after the fork's update", &after),
        Binding::new("value(s) before", &before),
    )
    .input(Binding::new(
        "value(fork) after its update",
        &model.value(&fork),
    ))
    .broken()
}
