//! Runs the law catalogue on every reference CRDT with a fixed seed and prints each report:
//! verdicts, cases run, premise hit rates and the laws that do not apply.
//!
//! ```text
//! cargo run --release -p crdt-impls --example law_report [SEED]
//! ```

use crdt_impls::models::{
    FriendshipModel, GCounterModel, GSetModel, LwwElementSetModel, LwwRegisterModel, MapModel,
    MvRegisterModel, OrSetModel, PairModel, PnCounterModel,
};
use crdt_laws::{Config, LawReport, check_delta, check_state};

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let config = Config::default().with_seed(seed);
    let reports: Vec<LawReport> = vec![
        check_delta(&GSetModel::default(), &config),
        check_delta(&GCounterModel::default(), &config),
        check_delta(&PnCounterModel::default(), &config),
        check_state(&LwwRegisterModel::default(), &config),
        check_state(&LwwElementSetModel::add_wins(), &config),
        check_state(&LwwElementSetModel::remove_wins(), &config),
        check_delta(&OrSetModel::default(), &config),
        check_state(&MvRegisterModel::default(), &config),
        check_delta(&PairModel::<GCounterModel, GSetModel>::default(), &config),
        check_delta(&MapModel::<PnCounterModel>::default(), &config),
        check_delta(&MapModel::<OrSetModel>::default(), &config),
        check_state(&FriendshipModel::default(), &config),
        check_state(&MapModel::<FriendshipModel>::default(), &config),
        check_state(
            &PairModel::<LwwRegisterModel, MvRegisterModel>::default(),
            &config,
        ),
    ];
    for report in &reports {
        println!("{report}");
    }
    let failing = reports.iter().filter(|r| !r.all_passed()).count();
    println!(
        "seed {seed}: {} models, {} with a law not passed",
        reports.len(),
        failing
    );
    if failing > 0 {
        std::process::exit(1);
    }
}
