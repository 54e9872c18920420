//! Delta-state laws: a delta merged is the update applied, and deltas may be grouped,
//! reordered and redelivered.
//!
//! ```
//! use crdt_laws::delta::delta_matches_update;
//! use crdt_laws::toys::SetUnion;
//! use crdt_laws::ReplicaId;
//! use std::collections::BTreeSet;
//!
//! let s: BTreeSet<u8> = [1].into();
//! assert!(delta_matches_update(&SetUnion::default(), &s, ReplicaId::new(0), &4).is_ok());
//! ```

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::{DeltaCrdt, ReplicaId};
use crate::semilattice::join;

/// `s ⊔ δ(s, op) = apply(s, op)`.
pub fn delta_matches_update<M: DeltaCrdt>(
    model: &M,
    s: &M::State,
    replica: ReplicaId,
    op: &M::Op,
) -> Outcome {
    let delta = model.delta(s, replica, op);
    let merged = join(model, s, &delta);
    let mut applied = model.fork(s);
    model.apply(&mut applied, replica, op);
    if crate::model::same_state(model, &merged, &applied) {
        return Outcome::Held;
    }
    Violation::new(
        Law::DeltaMatchesUpdate,
        "s ⊔ δ(s, op) ≠ apply(s, op)",
        Binding::new("s ⊔ δ(s, op)", &merged),
        Binding::new("apply(s, op)", &applied),
    )
    .input(Binding::new("s", s))
    .input(Binding::new("op", op).from_source(format!("applied at {replica}")))
    .input(Binding::new("δ(s, op)", &delta))
    .broken()
}

/// Two consecutive deltas of replica `replica` (`δ₁ = δ(s, op₁)`, `δ₂ = δ(s ⊔ δ₁, op₂)`) reach
/// any state `t` the same way whether they travel as a group, in either order, or with `δ₁`
/// delivered twice:
/// `t ⊔ (δ₁ ⊔ δ₂) = (t ⊔ δ₁) ⊔ δ₂ = (t ⊔ δ₂) ⊔ δ₁` and `(t ⊔ δ₁) ⊔ δ₁ = t ⊔ δ₁`.
pub fn delta_grouping<M: DeltaCrdt>(
    model: &M,
    s: &M::State,
    replica: ReplicaId,
    ops: [&M::Op; 2],
    t: &M::State,
) -> Outcome {
    let d1 = model.delta(s, replica, ops[0]);
    let d2 = model.delta(&join(model, s, &d1), replica, ops[1]);
    let t1 = join(model, t, &d1);
    let sequential = join(model, &t1, &d2);
    let checks: [(&str, M::State, &str, &M::State); 3] = [
        (
            "t ⊔ (δ₁ ⊔ δ₂)",
            join(model, t, &join(model, &d1, &d2)),
            "(t ⊔ δ₁) ⊔ δ₂",
            &sequential,
        ),
        (
            "(t ⊔ δ₂) ⊔ δ₁",
            join(model, &join(model, t, &d2), &d1),
            "(t ⊔ δ₁) ⊔ δ₂",
            &sequential,
        ),
        ("(t ⊔ δ₁) ⊔ δ₁", join(model, &t1, &d1), "t ⊔ δ₁", &t1),
    ];
    for (left_name, left, right_name, right) in checks {
        if !crate::model::same_state(model, &left, right) {
            return Violation::new(
                Law::DeltaGrouping,
                format!("{left_name} ≠ {right_name}"),
                Binding::new(left_name, &left),
                Binding::new(right_name, right),
            )
            .input(Binding::new("s", s))
            .input(Binding::new("op₁", ops[0]).from_source(format!("applied at {replica}")))
            .input(Binding::new("op₂", ops[1]).from_source(format!("applied at {replica}")))
            .input(Binding::new("δ₁", &d1))
            .input(Binding::new("δ₂", &d2))
            .input(Binding::new("t", t))
            .broken();
        }
    }
    Outcome::Held
}
