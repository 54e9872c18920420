//! The harness's standard workload (the `harness` criterion group's): the delta OR-Set model,
//! 4 replicas, 50 steps per schedule, every fault, seed 6, for instruction counts on a fixed
//! number of schedules (robust to the load of a shared machine):
//!
//! ```text
//! cargo build --release -p crdt-benches --example standard_workload
//! valgrind --tool=callgrind target/release/examples/standard_workload 1000 1
//! ```
//!
//! Arguments: schedules (default 1000) and threads (default 1). Prints the summary line.

use crdt_harness::{Faults, Harness};
use crdt_impls::models::OrSetModel;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut number = |default: u64| -> u64 {
        args.next().map_or(default, |a| {
            a.parse().unwrap_or_else(|_| {
                eprintln!("error: expected a number, found {a:?}");
                std::process::exit(2)
            })
        })
    };
    let schedules = number(1000);
    let threads = usize::try_from(number(1).max(1)).unwrap_or(1);
    let model = OrSetModel::default();
    let summary = Harness::delta(&model)
        .replicas(4)
        .steps(50)
        .faults(Faults::ALL)
        .schedules(schedules)
        .seed(6)
        .threads(threads)
        .run();
    print!("{summary}");
    if !summary.passed() {
        std::process::exit(1);
    }
}
