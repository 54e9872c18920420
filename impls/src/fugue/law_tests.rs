//! The law catalogue of `crdt-laws` on the Fugue list models: state-based (merge) and
//! operation-based (causal delivery), for Fugue and FugueMax. Every law must pass, none vacuous.
//!
//! The tests live in the crate (not in `tests/`) so that proptest can persist failing seeds in
//! `proptest-regressions/`, which it locates from the crate's `lib.rs`.

use super::{FugueListModel, FugueMaxListModel};

crdt_laws::check_state_crdt!(fugue_state, FugueListModel::default());
crdt_laws::check_state_crdt!(fugue_max_state, FugueMaxListModel::default());
crdt_laws::check_op_crdt!(fugue_op, FugueListModel::default());
crdt_laws::check_op_crdt!(fugue_max_op, FugueMaxListModel::default());
