//! criterion benchmarks of the reference CRDTs: merge performance, real editing traces, floors
//! and peers measured side by side in the same run, and a report with regression baselines.
//!
//! The benchmarks live in `benches/` (run them with `cargo bench -p crdt-benches`); this
//! library holds what they share and what is worth testing on its own: deterministic inputs
//! ([`inputs`]), text edits and the rope floors ([`text`]), the other list CRDTs driven as
//! their docs recommend (`peers`, with the feature), a counting allocator for peak memory
//! ([`alloc`]), extra measurements saved beside criterion's ([`metrics`]), and the report
//! behind the `bench-report` binary ([`report`]).
//!
//! ```
//! use crdt_benches::inputs::{Overlap, orset_pair, vec_pair, vec_union};
//!
//! // The OR-Set merge a benchmark times, and the floor it is compared with.
//! let (mut left, right) = orset_pair(10_000, Overlap::Disjoint);
//! left.merge(&right);
//! let (a, b) = vec_pair(10_000, Overlap::Disjoint);
//! assert_eq!(left.len(), vec_union(&a, &b).len());
//! ```
//!
//! # Naming
//! Benchmark ids are `group/function/value`: the group is what is measured
//! (`merge-orset-disjoint`), the value the size or trace, and the function the implementation.
//! Functions named `floor-*` are physical floors and `peer-*` other crates; [`report`] computes
//! every ratio between benches of the same group and value, so only ratios from one run are
//! ever compared.
//!
//! # Feature flags
//! - `peers`: adds the other crates side by side (`crdts`, `cola-crdt`, `diamond-types`,
//!   `yrs`, `automerge`). They take long to build, so the default build leaves them out.
#![deny(missing_docs)]

pub mod alloc;
pub mod inputs;
pub mod metrics;
#[cfg(feature = "peers")]
pub mod peers;
pub mod report;
pub mod text;
