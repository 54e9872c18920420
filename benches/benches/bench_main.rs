//! The benchmark groups of `cargo bench -p crdt-benches`; each lives in its own file under
//! `benchmarks/`. Run one group with a filter: `cargo bench -p crdt-benches -- merge-orset`.

mod benchmarks;

criterion::criterion_main! {
    benchmarks::merge_sets::benches,
    benchmarks::merge_counters::benches,
    benchmarks::merge_registers::benches,
    benchmarks::updates::benches,
    benchmarks::serialization::benches,
    benchmarks::lists::benches,
    benchmarks::harness::benches,
    benchmarks::explore::benches,
}
