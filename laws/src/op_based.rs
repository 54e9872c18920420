//! Operation-based laws: prepare is pure, effects commute, and effects are idempotent where the
//! network may duplicate.
//!
//! ```
//! use crdt_laws::op_based::effects_commute;
//! # use crdt_laws::{Delivery, Model, OpCrdt, ReplicaId};
//! # use crdt_laws::proptest::prelude::*;
//! # struct Counter;
//! # impl Model for Counter {
//! #     type State = i64; type Op = i64; type Value = i64;
//! #     fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> { Some(a == b) }
//! #     fn new_replica(&self, _: ReplicaId) -> i64 { 0 }
//! #     fn value(&self, s: &i64) -> i64 { *s }
//! #     fn ops(&self) -> BoxedStrategy<i64> { (-3..=3i64).boxed() }
//! # }
//! # impl OpCrdt for Counter {
//! #     type Message = i64;
//! #     fn delivery(&self) -> Delivery { Delivery::Unordered }
//! #     fn prepare(&self, _: &i64, _: ReplicaId, op: &i64) -> Option<i64> { Some(*op) }
//! #     fn effect(&self, s: &mut i64, m: &i64) { *s += m }
//! # }
//! // An op-based counter: additions commute.
//! assert!(effects_commute(&Counter, &10, &2, &-5).is_ok());
//! ```

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::{OpCrdt, ReplicaId};

fn after<M: OpCrdt>(model: &M, s: &M::State, messages: &[&M::Message]) -> M::State {
    let mut state = model.fork(s);
    for m in messages {
        model.effect(&mut state, m);
    }
    state
}

/// `prepare(s, op)` leaves `s` unchanged (this catches interior mutability, such as a clock in
/// a `Cell` bumped by prepare).
pub fn prepare_pure<M: OpCrdt>(model: &M, s: &M::State, replica: ReplicaId, op: &M::Op) -> Outcome {
    let before = model.fork(s);
    let Some(message) = model.prepare(s, replica, op) else {
        // No pure prepare: the model produces messages with `local` only.
        return Outcome::Held;
    };
    if crate::model::same_state(model, &before, s) {
        return Outcome::Held;
    }
    Violation::new(
        Law::PreparePure,
        "prepare(s, op) changed s",
        Binding::new("s before", &before),
        Binding::new("s after", s),
    )
    .input(Binding::new("op", op).from_source(format!("prepared at {replica}")))
    .input(Binding::new("message", &message))
    .broken()
}

/// `effect(effect(s, m₁), m₂) = effect(effect(s, m₂), m₁)`.
pub fn effects_commute<M: OpCrdt>(
    model: &M,
    s: &M::State,
    m1: &M::Message,
    m2: &M::Message,
) -> Outcome {
    let left = after(model, s, &[m1, m2]);
    let right = after(model, s, &[m2, m1]);
    if crate::model::same_state(model, &left, &right) {
        return Outcome::Held;
    }
    Violation::new(
        Law::EffectsCommute,
        "effect(effect(s, m₁), m₂) ≠ effect(effect(s, m₂), m₁)",
        Binding::new("s · m₁ · m₂", &left),
        Binding::new("s · m₂ · m₁", &right),
    )
    .input(Binding::new("s", s))
    .input(Binding::new("m₁", m1))
    .input(Binding::new("m₂", m2))
    .input(Binding::new("value(s · m₁ · m₂)", &model.value(&left)))
    .input(Binding::new("value(s · m₂ · m₁)", &model.value(&right)))
    .broken()
}

/// Receiving `m` again changes nothing: if `s` has already received `m`, `effect(s, m) = s`;
/// otherwise `effect(effect(s, m), m) = effect(s, m)`.
pub fn effect_idempotent<M: OpCrdt>(
    model: &M,
    s: &M::State,
    m: &M::Message,
    already_received: bool,
) -> Outcome {
    let (base, base_name) = if already_received {
        (model.fork(s), "s")
    } else {
        (after(model, s, &[m]), "effect(s, m)")
    };
    let again = after(model, &base, &[m]);
    if crate::model::same_state(model, &again, &base) {
        return Outcome::Held;
    }
    let again_name = if already_received {
        "effect(s, m)"
    } else {
        "effect(effect(s, m), m)"
    };
    Violation::new(
        Law::EffectIdempotent,
        format!("{again_name} ≠ {base_name}"),
        Binding::new(again_name, &again),
        Binding::new(base_name, &base),
    )
    .input(Binding::new("s", s).from_source(if already_received {
        "s has already received m"
    } else {
        "s has not received m yet"
    }))
    .input(Binding::new("m", m))
    .broken()
}
