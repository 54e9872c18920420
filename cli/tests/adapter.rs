//! The adapter protocol end to end: the conformance test (a model checked natively and served
//! over the protocol by `crdt-harness serve` gives the same findings for the same seed), and
//! `check --adapter` on the command line.

mod common;

use common::{harness, path, scratch, stderr};
use crdt_harness::adapter::{AdapterModel, DEFAULT_TIMEOUT, counter_json, list_json, set_json};
use crdt_harness::protocol::StateProtocol;
use crdt_harness::runner::{Options, search};
use crdt_harness::{Dimension, Faults, Property, Shape, Step, Summary};
use crdt_impls::broken::{LoweringPnCounter, RemoveWinsSoldAsAddWins};
use crdt_impls::fugue::FugueListModel;
use crdt_impls::models::{OrSetModel, PnCounterModel};
use crdt_laws::{Config, StateCrdt};
use serde_json::Value;

fn served(name: &str) -> AdapterModel {
    let command = format!("{} serve {name}", env!("CARGO_BIN_EXE_crdt-harness"));
    AdapterModel::start(&command, DEFAULT_TIMEOUT).unwrap_or_else(|e| panic!("{e}"))
}

fn toy(args: &str) -> String {
    format!(
        "python3 {}/../harness/tests/adapters/toy.py {args}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn options(seed: u64, threads: usize) -> Options {
    Options {
        seed,
        schedules: Some(150),
        threads: Some(threads),
        keep_going: true,
        shape: Shape {
            replicas: Dimension::Fixed(3),
            steps: Dimension::Fixed(30),
            faults: Dimension::Fixed(Faults::ALL),
            ..Shape::default()
        },
        ..Options::default()
    }
}

/// A finding as both sides can state it: property, step, replicas, where it was found, and
/// the shrunk schedule with operations as protocol JSON.
type Comparable = (Property, Option<usize>, String, u64, Vec<Step<Value>>);

fn comparable<Op>(summary: &Summary<Op>, wire: impl Fn(&Op) -> Value) -> Vec<Comparable> {
    summary
        .failures
        .iter()
        .map(|f| {
            (
                f.finding.property,
                f.finding.step,
                format!("{:?}", f.finding.replicas),
                f.schedule_index,
                f.shrunk.map_ops(&wire).steps,
            )
        })
        .collect()
}

/// Checks `native` natively and `served` through the protocol with the same seed.
fn conform<M>(
    native: &M,
    served: &AdapterModel,
    wire: impl Fn(&M::Op) -> Value,
    threads: usize,
) -> Vec<Comparable>
where
    M: StateCrdt + Sync,
    M::Op: 'static,
{
    let opts = options(11, threads);
    let natively = comparable(&search(&StateProtocol(native), &opts), wire);
    let through = comparable(&search(&StateProtocol(served), &opts), |op| op.0.clone());
    assert_eq!(natively, through, "natively and through the protocol");
    natively
}

#[test]
fn the_reference_or_set_passes_natively_and_through_the_protocol() {
    let found = conform(&OrSetModel::default(), &served("or-set"), set_json, 2);
    assert!(found.is_empty(), "{found:?}");
    let found = conform(
        &PnCounterModel::default(),
        &served("pn-counter"),
        |op| counter_json(*op),
        2,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_gallery_entry_gives_the_same_findings_natively_and_through_the_protocol() {
    let model = served("broken/remove-wins-sold-as-add-wins");
    let found = conform(&RemoveWinsSoldAsAddWins, &model, set_json, 2);
    assert!(
        !found.is_empty(),
        "the two-phase set sold as add-wins is caught"
    );
    assert_eq!(found[0].0, Property::Specification);
    // And with another thread count, the same again.
    assert_eq!(
        conform(&RemoveWinsSoldAsAddWins, &model, set_json, 1),
        found
    );
}

#[test]
fn a_state_moving_down_is_caught_through_the_leq_request_as_natively() {
    // A counter whose decrement lowers a slot: only the monotone-growth oracle sees it, and
    // through the protocol it asks `leq` (the served model declares it) where natively it
    // compares in process.
    let model = served("broken/pn-counter-lowering-decrement");
    assert!(model.hello().capabilities.leq);
    let found = conform(&LoweringPnCounter, &model, |op| counter_json(*op), 2);
    assert!(!found.is_empty(), "the lowering decrement is caught");
    assert_eq!(found[0].0, Property::MonotoneGrowth);
}

#[test]
fn a_text_with_snapshots_gives_the_same_findings_natively_and_through_the_protocol() {
    // The Fugue list served as a text: tagged values, the sequence oracles and the exact Fugue
    // specification, crashes restarted from snapshots (every fault is on).
    let model = served("fugue-text");
    assert!(model.hello().capabilities.snapshot);
    let native = FugueListModel::default();
    let found = conform(&native, &model, list_json, 2);
    assert!(found.is_empty(), "{found:?}");
    // The laws through the protocol, the serialization round trip among them.
    let report = crdt_laws::check_state(&model, &Config::default().with_seed(3).with_cases(16));
    assert!(report.all_passed(), "{report}");
}

#[test]
fn check_adapter_passes_a_correct_adapter_and_catches_a_broken_one() {
    let dir = scratch("adapter_cli");
    let out = dir.join("report.json");
    let run = |adapter: &str, laws: bool| {
        harness(&[
            "check",
            "--adapter",
            adapter,
            if laws { "--cases" } else { "--no-laws" },
            if laws { "8" } else { "--verbose" },
            "--schedules",
            "30",
            "--threads",
            "2",
            "--out",
            path(&out),
            "--replay-dir",
            path(&dir),
        ])
    };
    let ok = run(&toy("orset"), true);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(
        report.contains("toy orset"),
        "the report names the adapter's CRDT"
    );
    let broken = run(&toy("lww-broken"), true);
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    let crash = run(&toy("orset crash 3"), false);
    assert_eq!(crash.status.code(), Some(1), "{}", stderr(&crash));
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(
        report.contains("adapter crashed"),
        "the finding says what happened"
    );
    assert!(
        report.contains("about to crash"),
        "and keeps the adapter's stderr"
    );
}

fn sync_toy(mode: &str) -> String {
    format!(
        "python3 {}/../harness/tests/adapters/sync_toy.py {mode}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn check_adapter_runs_a_sync_adapter_through_the_sync_simulator() {
    let dir = scratch("adapter_cli_sync");
    let out = dir.join("report.json");
    let run = |mode: &str| {
        harness(&[
            "check",
            "--adapter",
            &sync_toy(mode),
            "--cases",
            "8",
            "--faults",
            "all",
            "--schedules",
            "400",
            "--threads",
            "2",
            "--out",
            path(&out),
            "--replay-dir",
            path(&dir),
        ])
    };
    let ok = run("correct");
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(
        report.contains("\"sync\""),
        "the report has the sync cost: {report}"
    );
    let broken = run("forgetful");
    assert_eq!(broken.status.code(), Some(1), "{}", stderr(&broken));
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(report.contains("silent_disagreement"), "{report}");
    let o = harness(&[
        "check",
        "--adapter",
        &sync_toy("no-terms"),
        "--schedules",
        "1",
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains("must give `sync`"), "{err}");
}

#[test]
fn check_adapter_exits_2_with_one_line_on_a_bad_handshake() {
    for (adapter, expected) in [
        (
            toy("orset version 2"),
            "the adapter speaks protocol 2, this harness speaks protocol 1",
        ),
        (toy("orset no-fork"), "neither `fork` nor `snapshot`"),
        ("exit 0".to_string(), "adapter crashed"),
        ("echo hello".to_string(), "broke the protocol"),
        (" ".to_string(), "--adapter needs a command"),
    ] {
        let o = harness(&["check", "--adapter", &adapter, "--schedules", "1"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{adapter}: {err}");
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{adapter}: one line: {err}"
        );
        assert!(err.contains(expected), "{adapter}: {err}");
    }
    let o = harness(&["check"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "no model and no adapter: {}",
        stderr(&o)
    );
    let o = harness(&["serve", "no-such-model"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no served model"), "{}", stderr(&o));
}
