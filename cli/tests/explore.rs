//! `crdt-harness explore`, end to end: a reference model is clean to the bound it states, a
//! broken one gives a shortest counterexample with a replay file that replays, the result does
//! not depend on the thread count, and bad input is a one-line error with exit status 2.

mod common;

use common::{harness, path, scratch, stderr, stdout};

#[test]
fn a_reference_model_is_clean_to_the_stated_bound() {
    let o = harness(&["explore", "g-counter", "--depth", "3", "--ops", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("g-counter: no counterexample within 3 replicas, 3 steps, operations {"),
        "{out}"
    );
    // The G-Counter declares its replicas interchangeable: symmetry prunes.
    assert!(!out.contains(" 0 pruned by symmetry"), "{out}");
    // A model that breaks ties by replica id does not: nothing is pruned by symmetry.
    let o = harness(&["explore", "lww-register", "--depth", "3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(" 0 pruned by symmetry"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_broken_model_gives_a_shortest_counterexample_that_replays() {
    let dir = scratch("explore-broken");
    let json = dir.join("explore.json");
    let o = harness(&[
        "explore",
        "broken/two-slot-counter",
        "--depth",
        "3",
        "--replay-dir",
        path(&dir),
        "--json",
        path(&json),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("counterexample of 1 step(s) over 3 replicas"),
        "{out}"
    );
    let err = stderr(&o);
    assert!(
        err.contains("as a test:") && err.contains("#[test]"),
        "{err}"
    );
    // The replay file reproduces the finding.
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json") && *p != json)
        .expect("a replay file");
    let replayed = harness(&["replay", path(&file)]);
    assert_eq!(replayed.status.code(), Some(1), "{}", stdout(&replayed));
    assert!(
        stdout(&replayed).contains("reproduced"),
        "{}",
        stdout(&replayed)
    );
    // The JSON says what was covered and what broke.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["version"], 1);
    let e = &report["explorations"][0];
    assert_eq!(e["coverage"]["model"], "broken/two-slot-counter");
    assert_eq!(e["coverage"]["depth_completed"], 0);
    assert_eq!(e["counterexample"]["property"], "convergence");
    assert_eq!(
        e["counterexample"]["schedule"]["steps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_broken_model_is_explored_under_the_faults_its_mistake_needs() {
    // The OR-Set that assumes causal delivery is only wrong when messages overtake each other:
    // without faults it is clean, with its own (reorder) the explorer finds it.
    let clean = harness(&[
        "explore",
        "broken/or-set-assuming-causal-delivery",
        "--depth",
        "3",
        "--faults",
        "none",
    ]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
    let found = harness(&[
        "explore",
        "broken/or-set-assuming-causal-delivery",
        "--depth",
        "5",
        "--replay-dir",
        path(&scratch("explore-causal")),
    ]);
    assert_eq!(found.status.code(), Some(1), "{}", stdout(&found));
    assert!(stdout(&found).contains("reorder"), "{}", stdout(&found));
}

#[test]
fn the_result_does_not_depend_on_the_thread_count() {
    let run = |threads: &str| {
        let o = harness(&[
            "explore",
            "or-set",
            "--depth",
            "4",
            "--faults",
            "drop,dup",
            "--threads",
            threads,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        // Everything but the time and the thread count.
        let out = stdout(&o);
        out.split(" (simulator checks").next().unwrap().to_string()
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn bad_input_is_a_one_line_error_and_exit_2() {
    let dir = scratch("explore-bad");
    for args in [
        vec!["explore", "no-such-model"],
        vec!["explore", "g-counter", "--replicas", "9"],
        vec!["explore", "g-counter", "--faults", "lightning"],
        vec!["explore", "g-counter", "--json", path(&dir)],
        vec!["explore", "g-counter", "--max-states", "0"],
    ] {
        let o = harness(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains("error"), "{args:?}: {err}");
    }
}
