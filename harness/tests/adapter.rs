//! The adapter model over real processes: small Python adapters (`tests/adapters/toy.py`), a
//! correct and a broken CRDT of each flavour, the same findings with any thread count, and
//! containment of adapters that crash, hang, babble or refuse.

use std::time::Duration;

use crdt_harness::adapter::{AdapterError, AdapterModel, DEFAULT_TIMEOUT, Json};
use crdt_harness::protocol::{DeltaProtocol, OpProtocol, Protocol, StateProtocol};
use crdt_harness::runner::{Options, Summary, search};
use crdt_harness::schedule::Step;
use crdt_harness::{Dimension, Faults, Property, Shape};
use crdt_laws::{Config, Flavour};

fn toy(args: &str) -> String {
    format!(
        "python3 {}/tests/adapters/toy.py {args}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn start(args: &str, timeout: Duration) -> AdapterModel {
    AdapterModel::start(&toy(args), timeout).unwrap_or_else(|e| panic!("{e}"))
}

fn options(schedules: u64, threads: usize) -> Options {
    Options {
        seed: 7,
        schedules: Some(schedules),
        threads: Some(threads),
        shape: Shape {
            replicas: Dimension::Fixed(3),
            steps: Dimension::Fixed(25),
            faults: Dimension::Fixed(Faults::ALL),
            ..Shape::default()
        },
        ..Options::default()
    }
}

fn run(model: &AdapterModel, options: &Options) -> Summary<Json> {
    match model.flavour() {
        Flavour::StateBased => search(&StateProtocol(model), options),
        Flavour::DeltaState => search(&DeltaProtocol(model), options),
        _ => search(&OpProtocol(model), options),
    }
}

/// Which schedules failed.
fn indices(summary: &Summary<Json>) -> Vec<u64> {
    summary.failures.iter().map(|f| f.schedule_index).collect()
}

/// What must not depend on the thread count: each failure's property, step, message and
/// shrunk steps.
fn findings(summary: &Summary<Json>) -> Vec<(Property, Option<usize>, String, Vec<String>)> {
    summary
        .failures
        .iter()
        .map(|f| {
            let steps = f.shrunk.steps.iter().map(|s| format!("{s}")).collect();
            (
                f.finding.property,
                f.finding.step,
                f.finding.message.clone(),
                steps,
            )
        })
        .collect()
}

#[test]
fn a_correct_adapter_of_each_flavour_passes_the_schedules() {
    for kind in ["orset", "counter", "gcounter-delta"] {
        let model = start(kind, DEFAULT_TIMEOUT);
        let summary = run(&model, &options(40, 2));
        assert!(
            summary.passed(),
            "{kind}: {:?}",
            summary.failure().map(|f| &f.finding)
        );
        assert_eq!(summary.schedules, 40);
    }
}

#[test]
fn a_text_adapter_gets_tagged_inserts_and_the_sequence_oracles() {
    let model = start("rga-text", DEFAULT_TIMEOUT);
    assert!(
        crdt_laws::Model::element_ids(
            &model,
            &crdt_laws::Model::new_replica(&model, crdt_laws::ReplicaId::new(0))
        )
        .is_some()
    );
    let summary = run(&model, &options(40, 2));
    assert!(
        summary.passed(),
        "{:?}",
        summary.failure().map(|f| &f.finding)
    );
    assert!(summary.steps > 0);
}

#[test]
fn a_text_adapter_ordering_concurrent_inserts_by_replica_is_caught_by_the_order_oracle() {
    let model = start("rga-text-own-first", DEFAULT_TIMEOUT);
    let one = run(&model, &options(40, 1));
    let failure = one
        .failures
        .first()
        .expect("replicas showing concurrent inserts in opposite orders must be caught");
    assert_eq!(
        failure.finding.property,
        Property::SequenceOrder,
        "{}",
        failure.finding.message
    );
    assert_eq!(findings(&one), findings(&run(&model, &options(40, 2))));
}

#[test]
fn a_text_adapter_inserting_one_place_off_is_caught_by_the_strong_list_specification() {
    // Every replica agrees on one order and converges, so the sequence oracles have nothing
    // to say; the lists are not what the edits' indices ask for.
    let model = start("rga-text-shifted", DEFAULT_TIMEOUT);
    let one = run(&model, &options(40, 1));
    let failure = one
        .failures
        .first()
        .expect("an insert landing one place off must be caught");
    assert_eq!(
        failure.finding.property,
        Property::Specification,
        "{}",
        failure.finding.message
    );
    assert!(
        failure.finding.message.contains("list specification"),
        "{}",
        failure.finding.message
    );
    assert_eq!(findings(&one), findings(&run(&model, &options(40, 2))));
    // The correct RGA meets the strong list specification on the same schedules.
    let correct = run(&start("rga-text", DEFAULT_TIMEOUT), &options(40, 2));
    assert!(correct.passed(), "{:?}", findings(&correct));
}

#[test]
fn a_correct_adapter_passes_the_laws() {
    let model = start("orset", DEFAULT_TIMEOUT);
    let report = crdt_laws::check_state(&model, &Config::default().with_seed(3).with_cases(24));
    assert!(report.all_passed(), "{report}");
    let counter = start("counter", DEFAULT_TIMEOUT);
    let report = crdt_laws::check_op(&counter, &Config::default().with_seed(3).with_cases(24));
    assert!(report.all_passed(), "{report}");
}

#[test]
fn a_broken_adapter_is_caught_with_the_same_findings_on_any_thread_count() {
    let model = start("lww-broken", DEFAULT_TIMEOUT);
    let one = run(&model, &options(60, 1));
    assert!(
        !one.passed(),
        "a merge that keeps the other side's state must be caught"
    );
    let property = one.failures[0].finding.property;
    assert!(
        matches!(
            property,
            Property::Convergence | Property::Specification | Property::MonotoneGrowth
        ),
        "{property:?}"
    );
    let three = run(&model, &options(60, 3));
    assert_eq!(findings(&one), findings(&three));
    assert!(
        model.processes() >= 2,
        "the worker threads ran their own processes"
    );
    // The laws see it too.
    let report = crdt_laws::check_state(&model, &Config::default().with_seed(3).with_cases(24));
    assert!(!report.all_passed());
}

/// A correct adapter's recordings stand for its runs: each schedule one simulation and one
/// batch, which the adapter runs while the next schedule is recorded when it declares
/// `pipeline`.
#[test]
fn a_correct_adapter_s_recordings_stand_for_its_runs() {
    for kind in ["orset", "counter", "gcounter-delta"] {
        for (args, pipelined) in [(kind.to_string(), 40), (format!("{kind} no-pipeline"), 0)] {
            let model = start(&args, DEFAULT_TIMEOUT);
            let summary = run(&model, &options(40, 1));
            assert!(summary.passed(), "{args}: {:?}", summary.failure());
            let counts = model.batch_counts();
            assert_eq!(counts.stood, 40, "{args}: {counts:?}");
            assert_eq!(counts.pipelined, pipelined, "{args}: {counts:?}");
            assert_eq!(
                (counts.replayed, counts.live, counts.redone),
                (0, 0, 0),
                "{args}: {counts:?}"
            );
        }
    }
}

/// Pipelining changes no finding: a schedule whose answers were not the ones its recording
/// assumed is run again on its own.
#[test]
fn a_broken_adapter_gives_the_same_findings_with_and_without_pipelining() {
    let options = Options {
        keep_going: true,
        ..options(40, 1)
    };
    let piped = start("lww-broken", DEFAULT_TIMEOUT);
    let plain = start("lww-broken no-pipeline", DEFAULT_TIMEOUT);
    let with = run(&piped, &options);
    let without = run(&plain, &options);
    assert!(!with.passed());
    assert_eq!(findings(&with), findings(&without));
    assert_eq!(indices(&with), indices(&without));
    let (piped, plain) = (piped.batch_counts(), plain.batch_counts());
    assert!(piped.pipelined > 0 && piped.redone > 0, "{piped:?}");
    assert!(
        plain.pipelined == 0 && plain.redone == 0 && plain.replayed > 0,
        "{plain:?}"
    );
}

#[test]
fn a_text_adapter_gives_the_same_findings_with_one_and_two_processes() {
    // RGA declared backward non-interleaving: the sequence oracles see it through the tags.
    let model = start("rga-text-backward", DEFAULT_TIMEOUT);
    let options = |threads| Options {
        keep_going: true,
        ..options(60, threads)
    };
    let one = run(&model, &options(1));
    let found = findings(&one);
    assert!(!found.is_empty(), "RGA keeps no backward runs together");
    assert!(
        found
            .iter()
            .all(|(p, ..)| matches!(p, Property::BackwardInterleaving | Property::Contiguity)),
        "{found:?}"
    );
    let two = run(&model, &options(2));
    assert_eq!(
        found,
        findings(&two),
        "one process and two give the same findings"
    );
    assert_eq!(indices(&one), indices(&two));
}

#[test]
fn a_register_with_any_winner_is_judged_where_no_writes_are_concurrent() {
    // The largest concurrent value wins: not last-writer-wins, but convergent and right
    // wherever one write overwrote the others.
    let any = run(&start("register-max", DEFAULT_TIMEOUT), &options(60, 2));
    assert!(any.passed(), "{:?}", any.failure().map(|f| &f.finding));
    let lww = run(
        &start("register-max-as-lww", DEFAULT_TIMEOUT),
        &options(60, 2),
    );
    assert_eq!(
        lww.failure().map(|f| f.finding.property),
        Some(Property::Specification),
        "the same register declared last-writer-wins is caught"
    );
    // Showing an overwritten write breaks the specification even with any winner allowed.
    let first = run(&start("register-first", DEFAULT_TIMEOUT), &options(60, 2));
    assert_eq!(
        first.failure().map(|f| f.finding.property),
        Some(Property::Specification),
        "{:?}",
        first.failure().map(|f| &f.finding)
    );
}

/// Runs an adapter that misbehaves when it is asked to add 3: the finding's message holds each
/// of `expected` (what happened, the adapter's stderr), and the schedule shrinks to that one
/// step, the adapter restarted for every candidate.
fn misbehaving(misbehaviour: &str, timeout: Duration, schedules: u64, expected: &[&str]) {
    let model = start(&format!("orset {misbehaviour} 3"), timeout);
    let mut opts = options(schedules, 2);
    // Every schedule runs, not only the first batch's (a hang costs a timeout each: fewer).
    opts.keep_going = misbehaviour != "hang";
    let summary = run(&model, &opts);
    if opts.keep_going {
        assert_eq!(
            summary.schedules, schedules,
            "the run goes on after the adapter failed"
        );
    }
    let failure = summary
        .failure()
        .unwrap_or_else(|| panic!("no finding: {summary:?}"));
    assert_eq!(failure.finding.property, Property::Panic);
    let message = &failure.finding.message;
    for e in expected {
        assert!(
            message.contains(e),
            "{misbehaviour}: {e:?} not in {message}"
        );
    }
    let steps = &failure.shrunk.steps;
    assert_eq!(steps.len(), 1, "{steps:?}");
    let add_three = serde_json::json!({"add": 3});
    assert!(
        matches!(&steps[0], Step::Update { op, .. } if op.0 == add_three),
        "{steps:?}"
    );
    // Every process it started is gone once the model is: killed (with what `sh` started)
    // when it failed, or ended when its stdin closed.
    drop(model);
    std::thread::sleep(Duration::from_millis(300));
    let ps = std::process::Command::new("ps")
        .args(["-eo", "args"])
        .output()
        .expect("ps runs");
    let needle = format!("toy.py orset {misbehaviour} 3");
    let left = String::from_utf8_lossy(&ps.stdout)
        .lines()
        .filter(|l| l.contains(&needle))
        .count();
    assert_eq!(left, 0, "adapter processes left behind: {misbehaviour}");
}

#[test]
fn a_crash_is_a_finding_with_its_schedule_and_stderr_and_the_run_goes_on() {
    let expected = [
        "adapter crashed",
        "exit status: 3",
        "toy adapter: about to crash",
    ];
    misbehaving("crash", DEFAULT_TIMEOUT, 12, &expected);
}

#[test]
fn a_hang_is_a_finding_after_the_timeout() {
    let expected = ["adapter timed out", "about to hang"];
    misbehaving("hang", Duration::from_secs(1), 6, &expected);
}

#[test]
fn output_outside_the_protocol_is_a_finding() {
    let expected = ["broke the protocol", "Traceback", "about to babble"];
    misbehaving("babble", DEFAULT_TIMEOUT, 12, &expected);
}

#[test]
fn an_error_answer_is_a_finding_and_the_process_is_kept() {
    let expected = ["adapter error on `local`", "the library rejected"];
    misbehaving("refuse", DEFAULT_TIMEOUT, 12, &expected);
}

#[test]
fn stderr_alone_is_no_finding() {
    let model = start("orset noise 3", DEFAULT_TIMEOUT);
    assert!(run(&model, &options(20, 1)).passed());
}

#[test]
fn a_bad_handshake_is_an_error_not_a_model() {
    let fails = |args: &str| match AdapterModel::start(&toy(args), DEFAULT_TIMEOUT) {
        Ok(_) => panic!("{args}: the handshake must fail"),
        Err(e) => e,
    };
    let e = fails("orset version 2");
    assert!(matches!(e, AdapterError::Handshake(_)));
    assert!(
        e.to_string()
            .contains("the adapter speaks protocol 2, this harness speaks protocol 1"),
        "{e}"
    );
    assert!(
        fails("orset no-fork")
            .to_string()
            .contains("neither `fork` nor `snapshot`")
    );
    let e = fails("no-such-kind");
    assert!(
        e.to_string().contains("KeyError"),
        "the stderr of a failed start is kept: {e}"
    );
    let e = AdapterModel::start("exec /nonexistent/adapter", DEFAULT_TIMEOUT).expect_err("fails");
    assert!(matches!(e, AdapterError::Handshake(_)), "{e}");
}

#[test]
fn the_model_reads_the_handshake() {
    let model = start("counter", DEFAULT_TIMEOUT);
    let p = OpProtocol(&model);
    assert_eq!(p.flavour(), Flavour::OpBased);
    assert_eq!(p.delivery(), crdt_laws::Delivery::Causal);
    assert_eq!(crdt_laws::Model::name(&model), "toy counter");
}
