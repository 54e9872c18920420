//! Join-semilattice laws: merge is associative, commutative, idempotent, and the least upper
//! bound; a declared bottom is its identity.
//!
//! ```
//! use crdt_laws::semilattice::{join, join_commutative, join_least};
//! use crdt_laws::toys::SetUnion;
//! use crdt_laws::Outcome;
//! use std::collections::BTreeSet;
//!
//! let model = SetUnion::default();
//! let a: BTreeSet<u8> = [1].into();
//! let b: BTreeSet<u8> = [2].into();
//! assert_eq!(join(&model, &a, &b), [1, 2].into());
//! assert_eq!(join_commutative(&model, &a, &b), Outcome::Held);
//! assert_eq!(join_least(&model, &a, &b, &[1, 2, 3].into()), Outcome::Held);
//! ```

use crate::law::{Binding, Lattice, Law, Outcome, Violation};
use crate::model::StateCrdt;
use crate::order::leq;

/// `a ⊔ b`, computed on a clone of `a`.
pub fn join<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> M::State {
    let mut joined = model.fork(a);
    model.merge(&mut joined, b);
    joined
}

/// The distinct states among `named` (each named by all its expressions) and the order between
/// them: the data of a Hasse diagram.
pub fn lattice<M: StateCrdt>(model: &M, named: &[(&str, &M::State)]) -> Lattice {
    let mut distinct: Vec<(Vec<&str>, &M::State)> = Vec::new();
    for &(name, state) in named {
        match distinct
            .iter_mut()
            .find(|(_, s)| crate::model::same_state(model, s, state))
        {
            Some((names, _)) => names.push(name),
            None => distinct.push((vec![name], state)),
        }
    }
    let mut leq_pairs = Vec::new();
    for (i, (_, a)) in distinct.iter().enumerate() {
        for (j, (_, b)) in distinct.iter().enumerate() {
            if i != j && leq(model, a, b) {
                leq_pairs.push((i, j));
            }
        }
    }
    Lattice {
        elements: distinct
            .iter()
            .map(|(names, state)| Binding::new(names.join(" = "), state))
            .collect(),
        leq: leq_pairs,
    }
}

fn unequal<M: StateCrdt>(
    model: &M,
    law: Law,
    claim: &str,
    left: (&str, &M::State),
    right: (&str, &M::State),
    inputs: &[(&str, &M::State)],
) -> Outcome {
    if crate::model::same_state(model, left.1, right.1) {
        return Outcome::Held;
    }
    let mut named = inputs.to_vec();
    named.extend([left, right]);
    let mut v = Violation::new(
        law,
        claim,
        Binding::new(left.0, left.1),
        Binding::new(right.0, right.1),
    )
    .with_lattice(lattice(model, &named));
    for (name, state) in inputs {
        v = v.input(Binding::new(*name, *state));
    }
    v.broken()
}

/// `(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)`.
pub fn join_associative<M: StateCrdt>(
    model: &M,
    a: &M::State,
    b: &M::State,
    c: &M::State,
) -> Outcome {
    let left = join(model, &join(model, a, b), c);
    let right = join(model, a, &join(model, b, c));
    unequal(
        model,
        Law::JoinAssociative,
        "(a ⊔ b) ⊔ c ≠ a ⊔ (b ⊔ c)",
        ("(a ⊔ b) ⊔ c", &left),
        ("a ⊔ (b ⊔ c)", &right),
        &[("a", a), ("b", b), ("c", c)],
    )
}

/// `a ⊔ b = b ⊔ a`.
pub fn join_commutative<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> Outcome {
    let left = join(model, a, b);
    let right = join(model, b, a);
    unequal(
        model,
        Law::JoinCommutative,
        "a ⊔ b ≠ b ⊔ a",
        ("a ⊔ b", &left),
        ("b ⊔ a", &right),
        &[("a", a), ("b", b)],
    )
}

/// `a ⊔ a = a`.
pub fn join_idempotent<M: StateCrdt>(model: &M, a: &M::State) -> Outcome {
    let aa = join(model, a, a);
    unequal(
        model,
        Law::JoinIdempotent,
        "a ⊔ a ≠ a",
        ("a ⊔ a", &aa),
        ("a", a),
        &[],
    )
}

/// `a ≤ a ⊔ b ∧ b ≤ a ⊔ b`.
pub fn join_upper_bound<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> Outcome {
    let ab = join(model, a, b);
    let (below, other, name) = if !leq(model, a, &ab) {
        (a, b, ("a", "b"))
    } else if !leq(model, b, &ab) {
        (b, a, ("b", "a"))
    } else {
        return Outcome::Held;
    };
    Violation::new(
        Law::JoinUpperBound,
        format!("{} ≰ a ⊔ b", name.0),
        Binding::new(name.0, below),
        Binding::new("a ⊔ b", &ab),
    )
    .input(Binding::new(name.1, other))
    .with_lattice(lattice(model, &[("a", a), ("b", b), ("a ⊔ b", &ab)]))
    .broken()
}

/// `a ≤ z ∧ b ≤ z ⇒ a ⊔ b ≤ z`.
pub fn join_least<M: StateCrdt>(model: &M, a: &M::State, b: &M::State, z: &M::State) -> Outcome {
    if !(leq(model, a, z) && leq(model, b, z)) {
        return Outcome::PremiseNotMet;
    }
    let ab = join(model, a, b);
    if leq(model, &ab, z) {
        return Outcome::Held;
    }
    Violation::new(
        Law::JoinLeast,
        "a ≤ z and b ≤ z, but a ⊔ b ≰ z",
        Binding::new("a ⊔ b", &ab),
        Binding::new("z", z),
    )
    .input(Binding::new("a", a))
    .input(Binding::new("b", b))
    .with_lattice(lattice(
        model,
        &[("a", a), ("b", b), ("z", z), ("a ⊔ b", &ab)],
    ))
    .broken()
}

/// `⊥ ⊔ a = a ∧ a ⊔ ⊥ = a ∧ ⊥ ≤ a`, for a model that declares a bottom. Holds trivially
/// otherwise.
pub fn bottom_identity<M: StateCrdt>(model: &M, a: &M::State) -> Outcome {
    let Some(bottom) = model.bottom() else {
        return Outcome::Held;
    };
    let left = join(model, &bottom, a);
    let right = join(model, a, &bottom);
    unequal(
        model,
        Law::BottomIdentity,
        "⊥ ⊔ a ≠ a",
        ("⊥ ⊔ a", &left),
        ("a", a),
        &[("⊥", &bottom)],
    )
    .and(|| {
        unequal(
            model,
            Law::BottomIdentity,
            "a ⊔ ⊥ ≠ a",
            ("a ⊔ ⊥", &right),
            ("a", a),
            &[("⊥", &bottom)],
        )
    })
    .and(|| {
        if leq(model, &bottom, a) {
            return Outcome::Held;
        }
        Violation::new(
            Law::BottomIdentity,
            "⊥ ≰ a",
            Binding::new("⊥", &bottom),
            Binding::new("a", a),
        )
        .broken()
    })
}
