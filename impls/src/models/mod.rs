//! Ready-made models of every reference CRDT for `crdt-laws` and `crdt-harness`.
//!
//! Each model names its CRDT's state, draws operations from a small domain (elements and
//! values below [`DEFAULT_DOMAIN`] by default) so that concurrent updates of the same element
//! are frequent, declares a JSON round-trip, a bottom and the lattice order, and states the
//! CRDT's *specification*: the value a replica must show given the updates visible to it.
//!
//! ```
//! use crdt_impls::models::OrSetModel;
//! use crdt_laws::{check_delta, Config};
//!
//! let report = check_delta(&OrSetModel::default(), &Config::default().with_seed(1));
//! assert!(report.all_passed(), "{report}");
//! ```
//!
//! In a test module, `crdt_laws::check_delta_crdt!(or_set, OrSetModel::default());` expands into
//! one `#[test]` per law.

/// The [`Model`](crdt_laws::Model) methods every model here shares: a replica starts at its
/// state's bottom, and states round-trip through JSON.
macro_rules! codec_and_bottom_replica {
    () => {
        fn new_replica(&self, _: crdt_laws::ReplicaId) -> Self::State {
            <Self::State as $crate::Lattice>::bottom()
        }
        fn round_trip(&self, state: &Self::State) -> Option<Result<Self::State, crdt_laws::Error>> {
            Some(crdt_laws::json_round_trip(state))
        }
    };
}

/// The [`StateCrdt`](crdt_laws::StateCrdt) methods of a model whose state is a
/// [`Lattice`](crate::Lattice): merge, the order and the bottom are the lattice's own, so the
/// laws check the type's code, not the model's.
macro_rules! lattice_state {
    () => {
        fn merge(&self, into: &mut Self::State, from: &Self::State) {
            $crate::Lattice::merge(into, from);
        }
        fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
            Some($crate::Lattice::leq(a, b))
        }
        fn bottom(&self) -> Option<Self::State> {
            Some(<Self::State as $crate::Lattice>::bottom())
        }
    };
}

mod combinators;
mod counters;
mod registers;
mod sets;

pub use combinators::{FriendshipModel, MapModel, PairModel, PartModel};
pub use counters::{GCounterModel, PnCounterModel};
pub use crdt_laws::vocab::counter::net_total;
pub use crdt_laws::vocab::set::add_wins;
pub use registers::{LwwRegisterModel, MvRegisterModel};
pub use sets::{GSetModel, LwwElementSetModel, OrSetModel};

use proptest::prelude::*;

/// The default number of distinct elements, values or keys a model draws from: small, so
/// that concurrent updates of the same element happen often.
pub const DEFAULT_DOMAIN: u8 = 8;

/// Elements `0..domain` (just `0` when `domain` is 0).
fn below(domain: u8) -> BoxedStrategy<u8> {
    (0..domain.max(1)).boxed()
}
