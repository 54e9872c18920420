//! The `bench-report` binary on the fixture results: output, exit codes and error messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench-report"))
        .args(args)
        .output()
        .expect("running bench-report")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn prints_tables_and_fails_only_when_asked() {
    let dir = fixtures().join("criterion");
    let dir = dir.to_str().unwrap();
    let out = run(&["--dir", dir, "--baseline", "main"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("### merge-gset-disjoint"), "{stdout}");
    assert!(stdout.contains("⚠ +50.0%"), "{stdout}");
    assert!(
        stdout.contains("1 regressions above 10.0% (1 of ours)"),
        "{stdout}"
    );

    let out = run(&[
        "--dir",
        dir,
        "--baseline",
        "main",
        "--fail-on-regression",
        "10%",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("regression: merge-gset-disjoint/GSet/1000 +50.0%"));

    let out = run(&[
        "--dir",
        dir,
        "--baseline",
        "main",
        "--fail-on-regression",
        "60%",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn errors_exit_with_status_2_and_a_message() {
    let missing = fixtures().join("nowhere");
    let out = run(&["--dir", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no criterion results at"),
        "{}",
        text(&out.stderr)
    );

    let malformed = fixtures().join("malformed-json");
    let out = run(&["--dir", malformed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("estimates.json"));

    let dir = fixtures().join("criterion");
    let out = run(&[
        "--dir",
        dir.to_str().unwrap(),
        "--fail-on-regression",
        "ten",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected a percentage"),
        "{}",
        text(&out.stderr)
    );

    let out = run(&["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["--dir", dir.to_str().unwrap(), "--filter", "zzz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no group matches"));
}
