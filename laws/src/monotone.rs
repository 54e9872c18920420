//! Monotonicity laws: updates are inflationary, declared-monotone queries never decrease, and
//! declared join-preserving queries are morphisms.
//!
//! ```
//! use crdt_laws::monotone::update_inflationary;
//! use crdt_laws::toys::SetUnion;
//! use crdt_laws::ReplicaId;
//! use std::collections::BTreeSet;
//!
//! // Inserting makes a set bigger (or leaves it equal): the G-Set's defining law.
//! let s: BTreeSet<u8> = [1, 2].into();
//! assert!(update_inflationary(&SetUnion::default(), &s, ReplicaId::new(0), &3).is_ok());
//! ```

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::{ReplicaId, StateCrdt};
use crate::order::leq;
use crate::semilattice::{join, lattice};

/// `s ≤ apply(s, op)`.
pub fn update_inflationary<M: StateCrdt>(
    model: &M,
    s: &M::State,
    replica: ReplicaId,
    op: &M::Op,
) -> Outcome {
    let mut after = model.fork(s);
    model.apply(&mut after, replica, op);
    if leq(model, s, &after) {
        return Outcome::Held;
    }
    Violation::new(
        Law::UpdateInflationary,
        "s ≰ apply(s, op)",
        Binding::new("s", s),
        Binding::new("apply(s, op)", &after),
    )
    .input(Binding::new("op", op).from_source(format!("applied at {replica}")))
    .with_lattice(lattice(model, &[("s", s), ("apply(s, op)", &after)]))
    .broken()
}

/// `s ≤ t ⇒ value(s) ≤ value(t)`, for a model that declares [`value_leq`](StateCrdt::value_leq).
pub fn value_monotone<M: StateCrdt>(model: &M, s: &M::State, t: &M::State) -> Outcome {
    if !leq(model, s, t) {
        return Outcome::PremiseNotMet;
    }
    let (vs, vt) = (model.value(s), model.value(t));
    match model.value_leq(&vs, &vt) {
        None | Some(true) => Outcome::Held,
        Some(false) => Violation::new(
            Law::ValueMonotone,
            "s ≤ t, but value(s) ≰ value(t)",
            Binding::new("value(s)", &vs),
            Binding::new("value(t)", &vt),
        )
        .input(Binding::new("s", s))
        .input(Binding::new("t", t))
        .broken(),
    }
}

/// `value(a ⊔ b) = value(a) ⊔ value(b)`, for a model that declares
/// [`value_join`](StateCrdt::value_join).
pub fn value_preserves_join<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> Outcome {
    let (va, vb) = (model.value(a), model.value(b));
    let Some(joined_values) = model.value_join(&va, &vb) else {
        return Outcome::Held;
    };
    let value_of_join = model.value(&join(model, a, b));
    if value_of_join == joined_values {
        return Outcome::Held;
    }
    Violation::new(
        Law::ValuePreservesJoin,
        "value(a ⊔ b) ≠ value(a) ⊔ value(b)",
        Binding::new("value(a ⊔ b)", &value_of_join),
        Binding::new("value(a) ⊔ value(b)", &joined_values),
    )
    .input(Binding::new("a", a))
    .input(Binding::new("b", b))
    .input(Binding::new("value(a)", &va))
    .input(Binding::new("value(b)", &vb))
    .broken()
}
