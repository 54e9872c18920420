//! Containment in the laws: every callback of the model contract, panicking or never
//! returning, fails a law with a counterexample, and the law functions return.

mod faulty;

use std::time::Duration;

use crdt_laws::{
    Config, Law, LawReport, Verdict, check_delta, check_delta_owned, check_op, check_op_owned,
    check_state, check_state_owned,
};
use faulty::{Callback, Fault, Faulty, within};

fn config() -> Config {
    Config::default()
        .with_seed(3)
        .with_cases(32)
        .with_step_budget(Duration::from_millis(250))
}

/// The laws of `model`'s flavour, owning the model (hangs contained).
fn owned(model: Faulty) -> LawReport {
    within(Duration::from_secs(120), move || {
        match model.callback.flavour() {
            "delta" => check_delta_owned(model, &config()),
            "op" => check_op_owned(model, &config()),
            _ => check_state_owned(model, &config()),
        }
    })
}

/// The laws of `model`'s flavour, borrowing the model (panics contained).
fn borrowed(model: Faulty) -> LawReport {
    within(Duration::from_secs(120), move || {
        match model.callback.flavour() {
            "delta" => check_delta(&model, &config()),
            "op" => check_op(&model, &config()),
            _ => check_state(&model, &config()),
        }
    })
}

/// The first failed law whose violation says `claim`, and how many laws failed.
fn caught(report: &LawReport, claim: &str) -> (Law, usize) {
    let failed: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Failed)
        .collect();
    let law = failed
        .iter()
        .find(|r| {
            r.counterexample
                .as_ref()
                .is_some_and(|cx| cx.violation.claim.contains(claim))
        })
        .unwrap_or_else(|| panic!("no law failed with {claim:?}:\n{report}"))
        .law;
    (law, failed.len())
}

#[test]
fn a_lawful_faulty_model_passes() {
    for callback in [Callback::Merge, Callback::Delta, Callback::Effect] {
        let report = owned(Faulty {
            callback,
            fault: None,
        });
        assert!(report.all_passed(), "{report}");
    }
}

#[test]
fn every_callback_panicking_or_hanging_fails_a_law() {
    let mut table = String::from("| callback | flavour | panic | hang |\n|---|---|---|---|\n");
    for callback in Callback::ALL {
        let mut row = format!("| {callback} | {} |", callback.flavour());
        for (fault, claim) in [
            (Fault::Panic, "the model panicked"),
            (Fault::Hang, "step timeout"),
        ] {
            let report = owned(Faulty::new(callback, fault));
            let (law, failed) = caught(&report, claim);
            if fault == Fault::Hang {
                let cx = report.get(law).and_then(|r| r.counterexample.as_ref());
                assert!(
                    cx.is_some_and(|cx| !cx.execution.is_empty()),
                    "{callback}: a hung law shows its case:\n{report}"
                );
            }
            row += &format!(" {} ({failed} laws failed) |", law.name());
        }
        table += &row;
        table.push('\n');
    }
    println!("{table}");
}

#[test]
fn borrowed_models_contain_panics_too() {
    for callback in Callback::ALL {
        let report = borrowed(Faulty::new(callback, Fault::Panic));
        caught(&report, "the model panicked");
    }
}

#[test]
fn the_test_macros_fail_a_hung_law_instead_of_hanging() {
    let outcome = within(Duration::from_secs(60), || {
        std::panic::catch_unwind(|| {
            crdt_laws::runner::macro_support::state(
                Faulty::new(Callback::Merge, Fault::Hang),
                Law::JoinCommutative,
                config(),
                file!(),
                "containment::macro_hang",
            );
        })
    });
    let message = outcome.expect_err("the law fails");
    let message = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("step timeout"), "{message}");
}
