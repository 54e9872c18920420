//! One workload of the `sync` bench group, run once, for instruction counts where the machine
//! is too noisy for times: `cargo build --release -p crdt-benches --example sync_vs_delta`, then
//! `valgrind --tool=cachegrind --cache-sim=no target/release/examples/sync_vs_delta sync gset`
//! (`I refs` is the count; `delta` or `sync`, `gcounter` or `gset`). The same shape as the
//! bench: 4 replicas, 50 steps, every fault, one thread, 256 schedules, seed 6.

use crdt_harness::{Faults, Harness};
use crdt_impls::models::{GCounterModel, GSetModel};
use crdt_impls::sync::DeltaIntervals;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [flavour, crdt] = [0, 1].map(|i| args.get(i).map_or("", String::as_str));
    macro_rules! run {
        ($harness:expr) => {{
            let summary = $harness
                .replicas(4)
                .steps(50)
                .faults(Faults::ALL)
                .schedules(256)
                .seed(6)
                .threads(1)
                .run();
            assert!(summary.passed(), "{summary}");
            println!(
                "{flavour} {crdt}: {} schedules, {} steps",
                summary.schedules, summary.steps
            );
        }};
    }
    match (flavour, crdt) {
        ("delta", "gcounter") => run!(Harness::delta(&GCounterModel::default())),
        ("sync", "gcounter") => run!(Harness::sync(
            &DeltaIntervals::new(GCounterModel::default())
        )),
        ("delta", "gset") => run!(Harness::delta(&GSetModel::default())),
        ("sync", "gset") => run!(Harness::sync(&DeltaIntervals::new(GSetModel::default()))),
        _ => {
            eprintln!("usage: sync_vs_delta <delta|sync> <gcounter|gset>");
            std::process::exit(2);
        }
    }
}
