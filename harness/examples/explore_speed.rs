//! The explorer's speed on one core: the G-Counter (operation `Increment(1)`), state-based, 3
//! replicas, depth 8, fast checks, no symmetry nor depth pruning, capped at 300,000 states
//! (the `explore` criterion bench's workload), timed once. For profiling:
//!
//! ```text
//! cargo build --release -p crdt-harness --example explore_speed
//! valgrind --tool=callgrind target/release/examples/explore_speed 100000
//! ```
//!
//! The optional argument is the state cap.

use crdt_harness::explore::{Check, Explorer};
use crdt_impls::models::GCounterModel;
use crdt_impls::ops::CounterOp;

fn main() {
    let cap = std::env::args()
        .nth(1)
        .map_or(300_000, |a| a.parse().expect("a state count"));
    let model = GCounterModel::default();
    let explorer = Explorer::state(&model)
        .replicas(3)
        .depth(8)
        .check(Check::Fast)
        .threads(1)
        .symmetric(false)
        .depth_pruning(false)
        .max_states(cap)
        .alphabet(vec![CounterOp::Increment(1)]);
    let started = std::time::Instant::now();
    let exploration = explorer.explore().expect("the G-Counter explores");
    let elapsed = started.elapsed();
    assert!(exploration.passed(), "{exploration}");
    let states = exploration.coverage.states;
    println!("{}", exploration.coverage);
    println!(
        "{states} states in {:.1} ms: {:.0} states/s",
        elapsed.as_secs_f64() * 1e3,
        states as f64 / elapsed.as_secs_f64()
    );
}
