//! Laws of CRDT algebra as property tests.
#![deny(missing_docs)]

mod error;
pub mod model;

pub use error::{Error, json_round_trip};
pub use model::{Delivery, DeltaCrdt, Dot, Event, History, Model, OpCrdt, ReplicaId, StateCrdt};
