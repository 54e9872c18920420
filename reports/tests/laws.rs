//! Merging reports is checked with the project's own laws: a report is a state-based CRDT
//! whose updates merge in a generated report and whose merge is `Report::merge`, so
//! `crdt-laws` checks the join-semilattice laws (associative, commutative, idempotent, least
//! upper bound, bottom), inflationary updates, determinism and the JSON round trip on states
//! reached by executions of several replicas.

mod common;

use crdt_laws::{Model, ReplicaId, StateCrdt};
use crdt_reports::Report;
use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

/// Reports under merging.
struct ReportMerge;

impl Model for ReportMerge {
    type State = Report;
    type Op = Report;
    type Value = Report;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Report {
        Report::default()
    }

    fn value(&self, state: &Report) -> Report {
        state.clone()
    }

    fn ops(&self) -> BoxedStrategy<Report> {
        common::report().boxed()
    }

    fn round_trip(&self, state: &Report) -> Option<Result<Report, crdt_laws::Error>> {
        Some(crdt_laws::json_round_trip(state))
    }
}

impl StateCrdt for ReportMerge {
    /// A replica receives a report (a shard's, say) and merges it in.
    fn apply(&self, state: &mut Report, _: ReplicaId, op: &Report) {
        state.merge(op.clone());
    }

    fn merge(&self, into: &mut Report, from: &Report) {
        into.merge(from.clone());
    }

    fn bottom(&self) -> Option<Report> {
        Some(Report::default())
    }
}

crdt_laws::check_state_crdt!(
    report_merge,
    ReportMerge,
    crdt_laws::Config::default().with_cases(64)
);
