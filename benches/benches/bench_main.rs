//! The benchmark groups of `cargo bench -p crdt-benches`; each lives in its own file under
//! `benchmarks/`. Run one group with a filter: `cargo bench -p crdt-benches -- merge-orset`.

mod benchmarks;

fn main() {
    // The adapter group's child process: serve, do not benchmark.
    if std::env::var_os(benchmarks::adapter::SERVE_ENV).is_some() {
        benchmarks::adapter::serve_child();
        return;
    }
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
}

/// Every group, in order (what `criterion_main!` would run).
fn benches() {
    benchmarks::merge_sets::benches();
    benchmarks::merge_counters::benches();
    benchmarks::merge_registers::benches();
    benchmarks::merge_ormap::benches();
    benchmarks::updates::benches();
    benchmarks::serialization::benches();
    benchmarks::lists::benches();
    benchmarks::moves::benches();
    benchmarks::harness::benches();
    benchmarks::explore::benches();
    benchmarks::adapter::benches();
    benchmarks::sync::benches();
}
