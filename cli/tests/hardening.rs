//! The command line under hostile input: what it must never do to files, the exit statuses it
//! owes, flag combinations it refuses, and what it prints.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{harness, path, stderr, stdout};

/// A fresh directory under the target directory, named for this file.
fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("hardening-{name}"))
}

/// A quick failing check: the two-slot counter on three replicas, schedules only.
const FAILING: [&str; 5] = [
    "check",
    "broken/two-slot-counter",
    "--replicas",
    "3",
    "--no-laws",
];

/// A quick passing check.
const PASSING: [&str; 6] = ["check", "g-set", "--no-laws", "--schedules", "20", "--seed"];

#[cfg(unix)]
#[test]
fn a_device_is_written_through_never_replaced() {
    use std::os::unix::fs::FileTypeExt as _;
    let is_device = |p: &str| {
        std::fs::metadata(p)
            .map(|m| m.file_type().is_char_device())
            .unwrap_or(false)
    };
    if !is_device("/dev/full") || !is_device("/dev/null") {
        return; // not a Linux-like /dev
    }
    // /dev/null takes the report; it stays a device.
    let out = harness(&[&PASSING[..], &["1", "--out", "/dev/null"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(is_device("/dev/null"));
    // /dev/full refuses it: the write error is reported, exit 2, and the device stays.
    let out = harness(&[&PASSING[..], &["1", "--out", "/dev/full"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("/dev/full"), "{}", stderr(&out));
    assert!(is_device("/dev/full"), "/dev/full was replaced");
}

#[test]
fn a_directory_as_out_is_refused_before_any_work() {
    let dir = scratch("out-dir");
    for args in [
        [&PASSING[..], &["1", "--out", path(&dir)]].concat(),
        [&PASSING[..], &["1", "--json", path(&dir)]].concat(),
        vec!["render", "/no/such.json", "--out", path(&dir)],
    ] {
        let out = harness(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
        assert!(stderr(&out).contains("is a directory"), "{}", stderr(&out));
        assert!(dir.is_dir());
    }
}

#[test]
fn a_finding_exits_1_even_when_the_report_cannot_be_written() {
    let dir = scratch("unwritable");
    // A report path under a regular file cannot be created.
    let file = dir.join("plain");
    std::fs::write(&file, "x").unwrap();
    let report = file.join("report.json");
    let replays = dir.join("replays");
    let out = harness(
        &[
            &FAILING[..],
            &["--out", path(&report), "--replay-dir", path(&replays)],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("the report could not be written"), "{err}");
    assert!(err.contains("exit status 1"), "{err}");
    // A replay file that cannot be written: said, and the finding still exits 1.
    let out = harness(
        &[
            &FAILING[..],
            &[
                "--out",
                path(&dir.join("r.json")),
                "--replay-dir",
                path(&file),
            ],
        ]
        .concat(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no replay file:"), "{}", stderr(&out));
    assert!(dir.join("r.json").is_file());
    // Without a finding, the same unwritable report is exit 2.
    let out = harness(&[&PASSING[..], &["1", "--out", path(&report)]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn replay_files_go_beside_the_report() {
    let dir = scratch("beside");
    let report = dir.join("nested/report.json");
    let out = harness(&[&FAILING[..], &["--out", path(&report)]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let replays: Vec<PathBuf> = std::fs::read_dir(dir.join("nested/replays"))
        .expect("replays/ beside the report")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(replays.len(), 1, "{replays:?}");
    assert!(path(&replays[0]).ends_with(".json"));
}

/// The replay command printed is run, as printed, by a shell: it reproduces the failure.
#[cfg(unix)]
#[test]
fn the_printed_replay_command_runs_as_printed() {
    let dir = scratch("printed command");
    let out = harness(&[&FAILING[..], &["--out", path(&dir.join("r.json"))]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let command = err
        .lines()
        .find_map(|l| l.trim().strip_prefix("replay: "))
        .unwrap_or_else(|| panic!("no replay command printed:\n{err}"));
    let elsewhere = scratch("elsewhere");
    let replayed = Command::new("sh")
        .args(["-c", command])
        .current_dir(&elsewhere)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(
        replayed.status.code(),
        Some(1),
        "{command}: {}",
        stderr(&replayed)
    );
    assert!(
        stdout(&replayed).contains("reproduced"),
        "{}",
        stdout(&replayed)
    );
}

/// Flags that make no sense are refused before any work, each with one line and exit 2.
#[test]
fn senseless_flags_are_one_line_errors() {
    for (flags, says) in [
        (&["--time", "0s"][..], "--time"),
        (&["--step-budget", "0s"], "--step-budget"),
        (&["--hang-timeout", "0s"], "--hang-timeout"),
        (&["--faults", ""], "--faults"),
        (&["--faults", " , "], "--faults"),
        (&["--no-laws", "--no-schedules"], "nothing to check"),
        (
            &["--schedules", "10", "--time", "1s"],
            "cannot be used with",
        ),
    ] {
        let out = harness(&[&["check", "g-set"][..], flags].concat());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{flags:?}: {err}");
        assert!(
            err.contains("error:") && err.contains(says),
            "{flags:?}: {err}"
        );
    }
}

/// Every error says each fact once: no cause repeated by its context, no path twice.
#[test]
fn each_error_is_printed_once() {
    let dir = scratch("once");
    let malformed = dir.join("malformed.json");
    std::fs::write(&malformed, "{").unwrap();
    let not_replay = dir.join("not-replay.json");
    std::fs::write(&not_replay, "[]").unwrap();
    let missing = "/no/such/file.json";
    for (args, path) in [
        (vec!["render", missing], missing),
        (vec!["merge-reports", missing], missing),
        (vec!["replay", missing], missing),
        (
            vec!["render", self::path(&malformed)],
            self::path(&malformed),
        ),
        (
            vec!["merge-reports", self::path(&malformed)],
            self::path(&malformed),
        ),
        (
            vec!["replay", self::path(&malformed)],
            self::path(&malformed),
        ),
        (
            vec!["replay", self::path(&not_replay)],
            self::path(&not_replay),
        ),
    ] {
        let out = harness(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert_eq!(err.matches(path).count(), 1, "{args:?}: {err}");
        assert!(err.matches("os error").count() <= 1, "{args:?}: {err}");
        // No cause said twice: each ": "-separated part differs from the others.
        let parts: Vec<&str> = err.trim().split(": ").collect();
        for (i, part) in parts.iter().enumerate() {
            assert!(!parts[i + 1..].contains(part), "{args:?}: {err}");
        }
    }
}

#[test]
fn a_report_of_only_a_schema_version_is_an_error() {
    let dir = scratch("schema-only");
    let empty = dir.join("empty.json");
    std::fs::write(&empty, r#"{"schema_version":1}"#).unwrap();
    for command in ["render", "merge-reports"] {
        let out = harness(&[command, path(&empty), "--out", path(&dir.join("out.md"))]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{command}: {err}");
        assert_eq!(err.lines().count(), 1, "{command}: {err}");
        assert!(err.contains("records no run"), "{command}: {err}");
        assert!(!dir.join("out.md").exists());
    }
}

#[test]
fn a_finished_shard_does_not_say_incomplete() {
    let dir = scratch("shard");
    let out = harness(&[
        "check",
        "g-set",
        "--no-laws",
        "--schedules",
        "20",
        "--shard",
        "1/2",
        "--out",
        path(&dir.join("r.json")),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("INCOMPLETE"), "{text}");
    assert!(!text.contains("incomplete"), "{text}");
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("complete shard (1 of 2)"),
        "{text}"
    );
    assert!(text.contains("PASSED: 1 model,"), "{text}");
}

/// A passing `check all` fits one screen: one row per model, skipped laws in one line (each
/// with its reason under `-v`), and nothing on stderr but where the report went.
#[test]
fn a_passing_check_all_fits_one_screen() {
    let dir = scratch("one-screen");
    let run = |verbose: bool| {
        let report = dir.join("all.json");
        let mut args = vec![
            "check",
            "all",
            "--schedules",
            "10",
            "--cases",
            "64",
            "--out",
            path(&report),
        ];
        if verbose {
            args.push("-v");
        }
        let out = harness(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out
    };
    let out = run(false);
    let (text, err) = (stdout(&out), stderr(&out));
    let models = crdt_cli::Catalogue::builtin().models().len();
    // One line per model, a dozen of headings and totals, and the sync-cost section: its
    // heading and one line per sync model.
    let sync = text
        .lines()
        .filter(|l| l.starts_with("sync/") && l.contains("bytes"))
        .count();
    assert!(sync >= 1, "{text}");
    assert!(text.lines().count() <= models + 12 + 2 + sync, "{text}");
    assert_eq!(text.matches("SKIPPED").count(), 1, "{text}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let verbose = stdout(&run(true));
    assert!(verbose.matches("SKIPPED").count() > 1, "{verbose}");
    assert!(verbose.contains("declares no"), "{verbose}");
}

/// A failed law is shrunk without proptest's "Aborting shrinking" lines on stderr: these
/// entries' laws needed more shrinking steps than proptest's default bound.
#[test]
fn failed_laws_shrink_without_proptest_noise() {
    for model in [
        "broken/divisibility-merged-by-max",
        "broken/two-slot-counter",
        "broken/lww-no-tie-break",
    ] {
        let dir = scratch("no-noise");
        let out = Command::new(env!("CARGO_BIN_EXE_crdt-harness"))
            .args(["check", model, "--no-schedules", "--out"])
            .arg(dir.join("r.json"))
            .env_remove("PROPTEST_MAX_SHRINK_ITERS")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{model}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("proptest:"),
            "{model}: {}",
            stderr(&out)
        );
    }
}
