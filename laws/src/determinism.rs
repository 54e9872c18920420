//! Determinism: merging the same inputs twice, from fresh clones, gives equal states.
//!
//! Hidden nondeterminism (clocks, randomness, global counters, hash-map iteration order) makes
//! replicas that received the same updates diverge. This module checks a single merge; the
//! `replay_deterministic` law replays whole executions from scratch, which also catches
//! iteration order of freshly built hash maps.
//!
//! ```
//! use crdt_laws::determinism::merge_deterministic;
//! use crdt_laws::toys::MaxRegister;
//! assert!(merge_deterministic(&MaxRegister, &3, &5).is_ok());
//! ```

use std::fmt::Debug;

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::{Model, StateCrdt};
use crate::semilattice::join;

/// `a ⊔ b` computed twice, from fresh clones, gives equal states and values.
pub fn merge_deterministic<M: StateCrdt>(model: &M, a: &M::State, b: &M::State) -> Outcome {
    let first = join(model, &model.fork(a), &model.fork(b));
    let second = join(model, &model.fork(a), &model.fork(b));
    match same(
        model,
        Law::MergeDeterministic,
        ("a ⊔ b (first)", &first),
        ("a ⊔ b (second)", &second),
    ) {
        Outcome::Broken(mut v) => {
            v.inputs
                .splice(0..0, [Binding::new("a", a), Binding::new("b", b)]);
            Outcome::Broken(v)
        }
        other => other,
    }
}

/// Equal states and equal values, or a violation of `law` naming the two sides.
pub(crate) fn same<M: Model>(
    model: &M,
    law: Law,
    left: (&str, &M::State),
    right: (&str, &M::State),
) -> Outcome {
    let (vl, vr) = (model.value(left.1), model.value(right.1));
    if crate::model::same_state(model, left.1, right.1) && vl == vr {
        return Outcome::Held;
    }
    let claim = if crate::model::same_state(model, left.1, right.1) {
        format!("value({}) ≠ value({})", left.0, right.0)
    } else {
        format!("{} ≠ {}", left.0, right.0)
    };
    Violation::new(
        law,
        claim,
        Binding::new(left.0, left.1),
        Binding::new(right.0, right.1),
    )
    .input(value_binding(left.0, &vl))
    .input(value_binding(right.0, &vr))
    .broken()
}

fn value_binding(name: &str, value: &impl Debug) -> Binding {
    Binding::new(format!("value({name})"), value)
}
