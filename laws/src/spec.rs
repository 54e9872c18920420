//! The specification law: a replica's value is what the model's specification says for the
//! updates visible to it.
//!
//! ```
//! use crdt_laws::spec::value_matches_spec;
//! use crdt_laws::toys::MaxRegister;
//! use crdt_laws::{Dot, History, ReplicaId};
//!
//! let mut history = History::new();
//! history.push(Dot::new(ReplicaId::new(0), 1), 7, vec![]);
//! assert!(value_matches_spec(&MaxRegister, &7, &history).is_ok());
//! assert!(!value_matches_spec(&MaxRegister, &3, &history).is_ok());
//! ```

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::Model;

/// `value(s) = spec(history)`, where `history` holds the updates visible in `s`. Holds trivially
/// when the model has no specification.
pub fn value_matches_spec<M: Model>(
    model: &M,
    s: &M::State,
    history: &crate::History<M::Op>,
) -> Outcome {
    let Some(expected) = model.spec(history) else {
        return Outcome::Held;
    };
    let actual = model.value(s);
    if actual == expected {
        return Outcome::Held;
    }
    let visible: Vec<String> = history
        .events()
        .iter()
        .map(|e| {
            let deps: Vec<String> = e.deps.iter().map(ToString::to_string).collect();
            format!("{} {:?} after [{}]", e.dot, e.op, deps.join(", "))
        })
        .collect();
    Violation::new(
        Law::ValueMatchesSpec,
        "value(s) ≠ spec(visible updates of s)",
        Binding::new("value(s)", &actual),
        Binding::new("spec", &expected),
    )
    .input(Binding::new("s", s))
    .input(Binding::new("visible updates", &visible))
    .broken()
}
