//! CRDTs in any language: the adapter protocol (`docs/protocol.md`) from both ends.
//!
//! - [`AdapterModel`] runs a command that speaks the protocol (a JavaScript or Python kit, any
//!   program) and is a model of `crdt-laws` over it: the laws and the harness run on it
//!   unchanged, with the specification and oracles of the vocabulary it declares.
//! - [`serve`] is the other end for Rust: any model of `crdt-laws` served on stdin and stdout.
//!
//! ```no_run
//! use crdt_harness::adapter::{AdapterModel, DEFAULT_TIMEOUT};
//! use crdt_harness::protocol::StateProtocol;
//! use crdt_harness::{Options, runner};
//!
//! let model = AdapterModel::start("python3 my_orset_adapter.py", DEFAULT_TIMEOUT)?;
//! let summary = runner::search(&StateProtocol(&model), &Options { schedules: Some(200), ..Options::default() });
//! assert!(summary.passed());
//! # Ok::<(), crdt_harness::adapter::AdapterError>(())
//! ```

mod batching;
mod hello;
mod json;
mod model;
mod process;
mod scan;
mod serve;
mod sync;
mod vocab;

pub(crate) use batching::{batched, deferring, neutral_recording, speculating};
pub use hello::{Capabilities, Hello, SyncTerms};
pub use json::Json;
pub use model::{AdapterModel, BatchCounts, DEFAULT_TIMEOUT, Message, Replica};
pub use process::{AdapterError, HANDSHAKE_TIMEOUT, PROTOCOL_VERSION, Stderr};
pub use serve::{FromWire, ToWire, serve, serve_on, serve_snapshots, serve_snapshots_on};
pub use sync::{AdapterSync, SyncState};
pub use vocab::{
    CustomOp, Generator, ListSpec, RegisterSemantics, SetWins, Vocabulary, counter_json,
    counter_op, list_json, set_json, set_op,
};
