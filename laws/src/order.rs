//! Partial-order laws: reflexive, antisymmetric, transitive, and agreeing with merge.
//!
//! These are plain predicates: each takes a model and states and returns an [`Outcome`].
//!
//! ```
//! use crdt_laws::order::{leq_agrees_with_merge, leq_transitive};
//! use crdt_laws::toys::{Divisibility, MaxRegister};
//! use crdt_laws::Outcome;
//!
//! // 2 | 4 and 4 | 12, so 2 | 12.
//! assert_eq!(leq_transitive(&Divisibility, &2, &4, &12), Outcome::Held);
//! // 4 does not divide 6: the premise fails and the case says nothing.
//! assert_eq!(leq_transitive(&Divisibility, &4, &6, &12), Outcome::PremiseNotMet);
//! // Divisibility's declared order is the one lcm induces.
//! assert!(leq_agrees_with_merge(&Divisibility, &4, &6).is_ok());
//! assert!(leq_agrees_with_merge(&MaxRegister, &4, &6).is_ok());
//! ```

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::StateCrdt;
use crate::semilattice::{join, lattice};

/// The order of `model`: its declared [`leq`](StateCrdt::leq), or else the order merge
/// induces (`a ≤ b ⇔ a ⊔ b = b`).
pub fn leq<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> bool {
    model.leq(a, b).unwrap_or_else(|| merge_leq(model, a, b))
}

/// The order merge induces: `a ≤ b ⇔ a ⊔ b = b`.
pub fn merge_leq<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> bool {
    crate::model::same_state(model, &join(model, a, b), b)
}

/// `a ≤ a`.
pub fn leq_reflexive<M: StateCrdt>(model: &M, a: &M::State) -> Outcome {
    if leq(model, a, a) {
        return Outcome::Held;
    }
    Violation::new(
        Law::LeqReflexive,
        "a ≰ a",
        Binding::new("a", a),
        Binding::new("a", a),
    )
    .broken()
}

/// `a ≤ b ∧ b ≤ a ⇒ a = b`.
pub fn leq_antisymmetric<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> Outcome {
    if !(leq(model, a, b) && leq(model, b, a)) {
        return Outcome::PremiseNotMet;
    }
    if crate::model::same_state(model, a, b) {
        return Outcome::Held;
    }
    Violation::new(
        Law::LeqAntisymmetric,
        "a ≤ b and b ≤ a, but a ≠ b",
        Binding::new("a", a),
        Binding::new("b", b),
    )
    .broken()
}

/// `a ≤ b ∧ b ≤ c ⇒ a ≤ c`.
pub fn leq_transitive<M: StateCrdt>(
    model: &M,
    a: &M::State,
    b: &M::State,
    c: &M::State,
) -> Outcome {
    if !(leq(model, a, b) && leq(model, b, c)) {
        return Outcome::PremiseNotMet;
    }
    if leq(model, a, c) {
        return Outcome::Held;
    }
    Violation::new(
        Law::LeqTransitive,
        "a ≤ b and b ≤ c, but a ≰ c",
        Binding::new("a", a),
        Binding::new("c", c),
    )
    .input(Binding::new("b", b))
    .with_lattice(lattice(model, &[("a", a), ("b", b), ("c", c)]))
    .broken()
}

/// `a ≤ b ⇔ a ⊔ b = b`, for a model that declares its order. Holds trivially otherwise.
pub fn leq_agrees_with_merge<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> Outcome {
    let Some(declared) = model.leq(a, b) else {
        return Outcome::Held;
    };
    let ab = join(model, a, b);
    let induced = crate::model::same_state(model, &ab, b);
    if declared == induced {
        return Outcome::Held;
    }
    let claim = if declared {
        "a ≤ b is declared, but a ⊔ b ≠ b"
    } else {
        "a ⊔ b = b, but a ≤ b is not declared"
    };
    Violation::new(
        Law::LeqAgreesWithMerge,
        claim,
        Binding::new("a ⊔ b", &ab),
        Binding::new("b", b),
    )
    .input(Binding::new("a", a))
    .with_lattice(lattice(model, &[("a", a), ("b", b), ("a ⊔ b", &ab)]))
    .broken()
}
