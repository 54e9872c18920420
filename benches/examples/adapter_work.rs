//! A fixed amount of adapter-group work, for instruction counts and whole-run times (the
//! shared machine's criterion figures are noisy): the bench group `adapter`'s OR-Set workload
//! (3 replicas, 50 steps, every fault, seed 6, one thread), `N` schedules, natively or served
//! by this program itself in a child process over the protocol.
//!
//! ```text
//! cargo build --profile bench -p crdt-benches --example adapter_work
//! valgrind --tool=callgrind --trace-children=yes target/release/examples/adapter_work served 480
//! time target/release/examples/adapter_work native 10000
//! time target/release/examples/adapter_work served 10000
//! ```
//!
//! Callgrind writes a file per process (this one, `sh`, the child); the difference between two
//! runs' totals (160 and 480 schedules, say) is the cost of the schedules alone, start-up
//! aside. Instructions do not show the overlap of the two processes (the child runs one
//! schedule's batch while this one records the next); the times do. Served, it also prints how
//! the batched runs went ([`AdapterModel::batch_counts`]).

use crdt_harness::adapter::{AdapterModel, DEFAULT_TIMEOUT, Vocabulary, serve};
use crdt_harness::protocol::StateProtocol;
use crdt_harness::runner::{Options, search};
use crdt_harness::{Dimension, Faults, Shape};
use crdt_impls::models::OrSetModel;

/// Set in the child: serve the OR-Set.
const SERVE_ENV: &str = "CRDT_ADAPTER_WORK_SERVE";

fn vocabulary(model: &OrSetModel) -> Vocabulary {
    let v =
        serde_json::json!({"kind": "set", "wins": "add", "domain": model.domain, "add_weight": 2});
    Vocabulary::parse(&v).expect("a valid vocabulary")
}

fn main() {
    let model = OrSetModel::default();
    if std::env::var_os(SERVE_ENV).is_some() {
        serve(&StateProtocol(&model), &vocabulary(&model)).expect("stdin and stdout work");
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(Ok(schedules))) = (args.get(1), args.get(2).map(|n| n.parse::<u64>()))
    else {
        eprintln!("usage: adapter_work native|served SCHEDULES");
        std::process::exit(2);
    };
    let options = Options {
        seed: 6,
        schedules: Some(schedules),
        threads: Some(1),
        keep_going: true,
        shape: Shape {
            replicas: Dimension::Fixed(3),
            steps: Dimension::Fixed(50),
            faults: Dimension::Fixed(Faults::ALL),
            ..Shape::default()
        },
        ..Options::default()
    };
    let (ran, passed) = match mode.as_str() {
        "native" => {
            let summary = search(&StateProtocol(&model), &options);
            (summary.schedules, summary.passed())
        }
        "served" => {
            let exe = std::env::current_exe().expect("this program's path");
            let command = format!("{SERVE_ENV}=1 '{}'", exe.display());
            let served = AdapterModel::start(&command, DEFAULT_TIMEOUT).expect("the child starts");
            let summary = search(&StateProtocol(&served), &options);
            eprintln!("{:?}", served.batch_counts());
            (summary.schedules, summary.passed())
        }
        other => {
            eprintln!("usage: adapter_work native|served SCHEDULES (not {other:?})");
            std::process::exit(2);
        }
    };
    println!("{mode}: {ran} schedules, passed {passed}");
}
