//! criterion benchmarks of the reference CRDTs: merge performance, real editing traces, floors
//! and peers measured side by side in the same run.
#![deny(missing_docs)]
