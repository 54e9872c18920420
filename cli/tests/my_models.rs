//! The command line over a user's own models, end to end: the example `my_models` (a counter
//! written in the example and its buggy first draft, given to `crdt_cli::main`) checks, fails
//! with a replay file, and replays it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Builds the example with the cargo running this test, and returns its path.
fn example() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--package",
            "crdt-cli",
            "--example",
            "my_models",
            "--message-format",
            "json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The last compiler artifact with an executable is the example.
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .rev()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .find_map(|m| m.get("executable")?.as_str().map(PathBuf::from))
        .expect("cargo reports the example's executable")
}

fn run(exe: &Path, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .output()
        .expect("the example runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_users_models_get_the_whole_command_line() {
    let exe = example();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("my-models");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();

    let out = run(&exe, &["list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("my-counter/first-draft"));

    // The right counter passes laws and schedules.
    let report = path("good.json");
    let out = run(
        &exe,
        &[
            "check",
            "my-counter",
            "--schedules",
            "200",
            "--out",
            &report,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let read = crdt_reports::Report::read(&report).unwrap();
    assert!(read.summary().passed());
    assert!(read.models["my-counter"].laws.len() > 10);

    // Shards of a run merge into one report, rendered as HTML.
    for shard in ["1/2", "2/2"] {
        let out = run(
            &exe,
            &[
                "check",
                "my-counter",
                "--no-laws",
                "--schedules",
                "40",
                "--shard",
                shard,
                "--out",
                &path(&format!("shard{}.json", &shard[..1])),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let html = path("merged.html");
    let out = run(
        &exe,
        &[
            "merge-reports",
            &path("shard1.json"),
            &path("shard2.json"),
            "--report",
            "html",
            "--out",
            &html,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("my-counter")
    );

    // The first draft fails; its failure is saved beside the report and replays.
    let report = path("draft.json");
    let out = run(
        &exe,
        &[
            "check",
            "my-counter/first-draft",
            "--no-laws",
            "--out",
            &report,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let replay = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .and_then(|replays| std::fs::read_dir(replays).unwrap().next())
        .map(|e| e.unwrap().path())
        .expect("a replay file beside the report");
    let out = run(&exe, &["replay", replay.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("reproduced"),
        "{}",
        text(&out.stdout)
    );
}
