//! The serialization law: a state read back from its serialized form is the same state and
//! merges the same way.
//!
//! ```
//! use crdt_laws::codec::serde_round_trip;
//! use crdt_laws::toys::SetUnion;
//! let a = [1u8, 2].into();
//! let b = [3u8].into();
//! assert!(serde_round_trip(&SetUnion::default(), &a, Some(&b)).is_ok());
//! ```

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::{Model, StateCrdt};
use crate::semilattice::join;

/// Round-trips `a` through the model's codec. Holds trivially when the model has none.
pub fn round_trip<M: Model>(model: &M, a: &M::State) -> Outcome {
    let decoded = match model.round_trip(a) {
        None => return Outcome::Held,
        Some(Ok(decoded)) => decoded,
        Some(Err(e)) => {
            return Violation::new(
                Law::SerdeRoundTrip,
                "decode(encode(a)) failed",
                Binding::new("error", &e.to_string()),
                Binding::new("a", a),
            )
            .broken();
        }
    };
    if crate::model::same_state(model, &decoded, a) && model.value(&decoded) == model.value(a) {
        return Outcome::Held;
    }
    Violation::new(
        Law::SerdeRoundTrip,
        "decode(encode(a)) ≠ a",
        Binding::new("decode(encode(a))", &decoded),
        Binding::new("a", a),
    )
    .broken()
}

/// `decode(encode(a)) = a`, and for state-based models with a second state `b`,
/// `decode(encode(a)) ⊔ b = a ⊔ b`.
pub fn serde_round_trip<M: StateCrdt>(model: &M, a: &M::State, b: Option<&M::State>) -> Outcome {
    round_trip(model, a).and(|| {
        let (Some(b), Some(Ok(decoded))) = (b, model.round_trip(a)) else {
            return Outcome::Held;
        };
        let left = join(model, &decoded, b);
        let right = join(model, a, b);
        if crate::model::same_state(model, &left, &right) {
            return Outcome::Held;
        }
        Violation::new(
            Law::SerdeRoundTrip,
            "decode(encode(a)) ⊔ b ≠ a ⊔ b",
            Binding::new("decode(encode(a)) ⊔ b", &left),
            Binding::new("a ⊔ b", &right),
        )
        .input(Binding::new("a", a))
        .input(Binding::new("b", b))
        .broken()
    })
}
