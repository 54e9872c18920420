//! The `crdt-harness` command, end to end: exit codes, errors, reports, replay, shards.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{harness, path, scratch, stderr, stdout};

use crdt_reports::Report;

#[test]
fn list_shows_the_models_and_the_gallery() {
    let out = harness(&["list"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("or-set"));
    assert!(!stdout(&out).contains("broken/"));
    let out = harness(&["list", "--broken"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("broken/two-slot-counter"));
    assert!(stdout(&out).contains("caught by"));
}

#[test]
fn bad_input_is_a_one_line_error_and_exit_2() {
    for args in [
        &["check", "no-such-model"][..],
        &["check", "g-set", "--faults", "drop,fire"],
        &["check", "g-set", "--shard", "3/2"],
        &["check", "g-set", "--replicas", "40"],
        &["check", "g-set", "--time", "soon"],
        &["replay", "/no/such/file.json"],
        &["merge-reports"],
        &["render", "/no/such/report.json"],
        &["bogus-command"],
    ] {
        let out = harness(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let dir = scratch("bad-input");
    let bad = dir.join("bad.json");
    for text in [
        "{",
        r#"{"format": "crdt-harness replay", "version": 7}"#,
        "[]",
    ] {
        std::fs::write(&bad, text).unwrap();
        let out = harness(&["replay", path(&bad)]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
        let out = harness(&["merge-reports", path(&bad)]);
        assert_eq!(out.status.code(), Some(2), "{text}: {}", stderr(&out));
    }
}

#[test]
fn a_lawful_model_passes_and_the_report_is_written() {
    let dir = scratch("lawful");
    let report = dir.join("report.json");
    let out = harness(&[
        "check",
        "g-set",
        "--schedules",
        "100",
        "--cases",
        "16",
        "--out",
        path(&report),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("report: {}", report.display())));
    let read = Report::read(&report).unwrap();
    assert!(read.summary().passed());
    assert!(read.is_complete());
    assert_eq!(
        read.models["g-set"].laws["join_commutative"].outcome.name(),
        "passed"
    );
}

#[test]
fn a_broken_model_fails_writes_a_replay_file_and_replays() {
    let dir = scratch("broken");
    let report = dir.join("report.html");
    let out = harness(&[
        "check",
        "broken/two-slot-counter",
        "--replicas",
        "3",
        "--no-laws",
        "--replay-dir",
        path(&dir),
        "--report",
        "html",
        "--out",
        path(&report),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("#[test]"), "a ready-to-paste test: {err}");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<svg"));
    let replay = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a replay file");
    let out = harness(&["replay", path(&replay)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("reproduced"));
}

fn schedules_and_steps(report: &Path) -> (u64, u64) {
    let r = Report::read(report).unwrap();
    let run = r.models["or-set"].runs.values().next().unwrap();
    (run.schedules(), run.steps())
}

/// `check model --schedules schedules` in scratch directory `dir`, on one machine and split
/// into two shards whose reports are merged: the reports `[whole, shard 1, shard 2, merged]`.
fn whole_and_merged_shards(dir: &str, model: &str, schedules: &str) -> [PathBuf; 4] {
    let dir = scratch(dir);
    let run = |shard: &str, out: &Path| {
        let o = harness(&[
            "check",
            model,
            "--no-laws",
            "--schedules",
            schedules,
            "--shard",
            shard,
            "--out",
            path(out),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    };
    let reports = ["whole", "a", "b", "merged"].map(|name| dir.join(format!("{name}.json")));
    let [whole, a, b, merged] = &reports;
    run("1/1", whole);
    run("1/2", a);
    run("2/2", b);
    let out = harness(&["merge-reports", path(a), path(b), "--out", path(merged)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    reports
}

#[test]
fn shard_reports_merge_into_the_single_machine_run() {
    let [whole, a, _, merged] = whole_and_merged_shards("shards", "or-set", "150");
    let dir = merged.parent().unwrap().to_path_buf();
    assert_eq!(schedules_and_steps(&merged), schedules_and_steps(&whole));
    // Merging a shard twice does not count it twice.
    let again = dir.join("again.json");
    let out = harness(&[
        "merge-reports",
        path(&merged),
        path(&a),
        "--out",
        path(&again),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(schedules_and_steps(&again), schedules_and_steps(&whole));
    // And the merged report renders.
    let md = dir.join("merged.md");
    let out = harness(&[
        "render",
        path(&merged),
        "--report",
        "md",
        "--out",
        path(&md),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::read_to_string(md).unwrap().contains("or-set"));
}

#[test]
fn the_same_seed_gives_the_same_counterexample_with_any_number_of_threads() {
    let replay = |threads: &str| {
        let dir = scratch(&format!("threads-{threads}"));
        let out = harness(&[
            "check",
            "broken/or-set-assuming-causal-delivery",
            "--no-laws",
            "--seed",
            "3",
            "--threads",
            threads,
            "--replay-dir",
            path(&dir),
            "--out",
            path(&dir.join("r.json")),
        ]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let file = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with("broken")
            })
            .unwrap();
        std::fs::read_to_string(file).unwrap()
    };
    assert_eq!(replay("1"), replay("2"));
}

#[test]
fn fuzzing_entry_point_runs_and_finds() {
    let out = harness(&["fuzz", "g-set", "--iterations", "100"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = harness(&["fuzz", "broken/index-list", "--iterations", "2000"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("sequence_order") || stdout(&out).contains("convergence"));
}

/// Ctrl-C stops the run between batches; the report is still written, marked incomplete.
#[cfg(unix)]
#[test]
fn an_interrupted_run_writes_an_incomplete_report() {
    use std::time::{Duration, Instant};
    let dir = scratch("interrupted");
    let report = dir.join("report.json");
    let child = Command::new(env!("CARGO_BIN_EXE_crdt-harness"))
        .args([
            "check",
            "or-set",
            "--no-laws",
            "--time",
            "10m",
            "--out",
            path(&report),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the run did not stop"
    );
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("interrupted"), "{}", stderr(&out));
    let read = Report::read(&report).unwrap();
    assert!(!read.is_complete());
    let run = read.models["or-set"].runs.values().next().unwrap();
    assert!(run.schedules() > 0);
}

/// `check` on a sync protocol writes its cost in the report (the same split into shards), and
/// the Markdown rendering shows it; a run of another flavour writes none.
#[test]
fn a_sync_check_writes_the_sync_cost() {
    let sync = |report: &Path, model: &str| {
        let r = Report::read(report).unwrap();
        r.models[model].runs.values().next().unwrap().sync()
    };
    let [whole, _, _, merged] = whole_and_merged_shards("sync-cost", "sync/server", "120");
    let totals = sync(&whole, "sync/server").expect("a sync run records its cost");
    assert_eq!(totals.schedules, 120);
    assert_eq!(
        Report::read(&whole).unwrap().models["sync/server"].flavour,
        crdt_reports::Flavour::Sync,
        "a sync model's laws are its CRDT's, but it replicates by its sync"
    );
    assert!(totals.final_bytes > 0 && totals.bytes >= totals.final_bytes);
    assert_eq!(
        sync(&merged, "sync/server"),
        Some(totals),
        "shards add up to the whole run"
    );
    let md = whole.with_extension("md");
    let out = harness(&["render", path(&whole), "--report", "md", "--out", path(&md)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(md)
            .unwrap()
            .contains("### Sync cost")
    );
    let [or_set, ..] = whole_and_merged_shards("sync-cost-or-set", "or-set", "20");
    assert_eq!(sync(&or_set, "or-set"), None);
}
