//! Running on a cluster: `--shard auto` from the engines' environment, and `--resume`: a shard
//! killed at a random point and started again ends with the uninterrupted run's report.

mod common;

use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{harness, path, scratch, stderr};
use serde_json::Value;

/// The report's models with the times taken out: what two runs of the same work share.
fn models(report: &Path) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("duration_us");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(report).unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    let mut models = value["models"].take();
    strip(&mut models);
    models
}

/// A random number below `n`, different in each test run (printed, to repeat a failure).
fn random_below(n: u64) -> u64 {
    RandomState::new().hash_one(Instant::now()) % n
}

/// Two correct models and a broken one kept going: finished models, a model under way and
/// failures found before the kill all have to come back.
const WORK: &[&str] = &[
    "check",
    "g-counter",
    "broken/or-set-assuming-causal-delivery",
    "or-set",
    "--no-laws",
    "--keep-going",
    "--schedules",
    "1500",
    "--shard",
    "2/3",
    "--seed",
    "11",
    "--threads",
    "2",
];

fn work(out: &Path, replays: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_crdt-harness"));
    command
        .args(WORK)
        .args(["--out", path(out), "--replay-dir", path(replays)])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

fn checkpoint_of(report: &Path) -> PathBuf {
    let mut name = report.file_name().unwrap().to_os_string();
    name.push(".checkpoint");
    report.with_file_name(name)
}

#[test]
fn a_shard_killed_at_random_points_resumes_to_the_uninterrupted_report() {
    let dir = scratch("resume");
    let whole = dir.join("whole.json");
    let started = Instant::now();
    // One directory of replay files: the reports name them.
    let replays = dir.join("replays");
    let out = work(&whole, &replays, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let uninterrupted = started.elapsed();

    let resumed = dir.join("resumed.json");
    let resume = ["--resume", "--checkpoint-interval", "10ms"];
    let mut resumed_from_a_checkpoint = 0;
    let mut window = uninterrupted.as_millis() as u64 * 9 / 10;
    for _attempt in 0..12 {
        let mut child = work(&resumed, &replays, &resume).spawn().unwrap();
        // Kill only once this run has written a checkpoint of its own (the first run has
        // none; a later one starts from the previous kill's), so that every kill interrupts
        // work that can resume: then somewhere in the window.
        let started = Instant::now();
        let written = || {
            std::fs::metadata(checkpoint_of(&resumed))
                .and_then(|m| m.modified())
                .ok()
        };
        let before = written();
        while written() == before
            && child.try_wait().unwrap().is_none()
            && started.elapsed() < uninterrupted * 2
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        let after = Duration::from_millis(random_below(window.max(1)));
        std::thread::sleep(after);
        window /= 2;
        if child.try_wait().unwrap().is_some() {
            if resumed_from_a_checkpoint > 0 {
                break;
            }
            // Finished before any kill: start again from nothing, sooner.
            let _ = std::fs::remove_file(&resumed);
            let _ = std::fs::remove_file(checkpoint_of(&resumed));
            continue;
        }
        child.kill().unwrap();
        child.wait().unwrap();
        eprintln!("killed {after:?} after a checkpoint");
        if checkpoint_of(&resumed).exists() {
            resumed_from_a_checkpoint += 1;
        }
        if resumed_from_a_checkpoint == 3 {
            break;
        }
    }
    assert!(
        resumed_from_a_checkpoint > 0,
        "no kill left a checkpoint: the test did not resume anything"
    );
    let out = work(&resumed, &replays, &resume).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        !checkpoint_of(&resumed).exists(),
        "a finished run removes its checkpoint"
    );
    assert_eq!(models(&resumed), models(&whole));
}

#[test]
fn a_checkpoint_of_other_arguments_is_refused() {
    let dir = scratch("resume-other");
    let report = dir.join("r.json");
    std::fs::write(
        checkpoint_of(&report),
        r#"{"run":"another run","done":[],"current":null}"#,
    )
    .unwrap();
    let out = harness(&[
        "check",
        "g-counter",
        "--no-laws",
        "--resume",
        "--out",
        path(&report),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("another run's"), "{err}");
}

#[test]
fn shard_auto_reads_the_engines_and_refuses_none_or_a_disagreement() {
    let dir = scratch("shard-auto");
    let run = |vars: &[(&str, &str)], extra: &[&str], out: &Path| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_crdt-harness"));
        command
            .args(["check", "g-counter", "--no-laws", "--schedules", "90"])
            .args(["--shard", "auto", "--out", path(out)])
            .args(extra);
        for name in [
            "SLURM_ARRAY_TASK_ID",
            "SLURM_ARRAY_TASK_MIN",
            "SLURM_ARRAY_TASK_MAX",
            "SLURM_ARRAY_TASK_COUNT",
            "JOB_COMPLETION_INDEX",
            "CRDT_SHARD_COUNT",
            "CRDT_SHARD",
        ] {
            command.env_remove(name);
        }
        command.envs(vars.iter().copied()).output().unwrap()
    };
    let shard_of = |report: &Path| {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
        v["invocations"][0]["run"]["shard"].clone()
    };
    let slurm = [
        ("SLURM_ARRAY_TASK_ID", "2"),
        ("SLURM_ARRAY_TASK_MIN", "0"),
        ("SLURM_ARRAY_TASK_MAX", "2"),
        ("SLURM_ARRAY_TASK_COUNT", "3"),
    ];
    let out = dir.join("slurm.json");
    let o = run(&slurm, &[], &out);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(shard_of(&out), serde_json::json!({"index": 2, "count": 3}));

    let out = dir.join("k8s.json");
    let o = run(
        &[("JOB_COMPLETION_INDEX", "1")],
        &["--shard-count", "3"],
        &out,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(shard_of(&out), serde_json::json!({"index": 1, "count": 3}));

    for (vars, extra) in [
        (&[][..], &[][..]),
        (&[("JOB_COMPLETION_INDEX", "1")][..], &[][..]),
        (
            &[
                ("CRDT_SHARD", "1/3"),
                slurm[0],
                slurm[1],
                slurm[2],
                slurm[3],
            ][..],
            &[][..],
        ),
        (&[("CRDT_SHARD", "1/3")][..], &["--shard-count", "4"][..]),
    ] {
        let o = run(vars, extra, &dir.join("refused.json"));
        assert_eq!(o.status.code(), Some(2), "{vars:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    }
}
