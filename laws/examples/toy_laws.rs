//! Runs the law catalogue on the toy models and prints each report: verdicts, cases, premise
//! hit rates and durations.
//!
//! ```text
//! cargo run --release -p crdt-laws --example toy_laws [SEED]
//! ```

use crdt_laws::toys::{Divisibility, MaxRegister, OpCounter, OpGrowSet, SetUnion};
use crdt_laws::{Config, check_delta, check_op, check_state};

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let config = Config::default().with_seed(seed);
    print!("{}", check_delta(&MaxRegister, &config));
    print!("{}", check_state(&Divisibility, &config));
    print!("{}", check_delta(&SetUnion::default(), &config));
    print!("{}", check_op(&OpCounter, &config));
    print!("{}", check_op(&OpGrowSet, &config));
}
