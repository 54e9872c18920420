//! Replays of the real editing traces (Joseph Gentle's `editing-traces`, CC BY 4.0) in
//! `../shared/traces/`: every trace must end with exactly its `endContent`. The tests skip,
//! saying so, when the folder is absent.

use crdt_impls::fugue::{Fugue, FugueMax, SiblingOrder, Text, replay};
use crdt_impls::traces::{self, ConcurrentTrace, SequentialTrace};

fn dir_or_skip(test: &str) -> Option<std::path::PathBuf> {
    let dir = traces::traces_dir();
    if dir.is_none() {
        eprintln!(
            "{test}: skipped: no traces folder (set {} or provide ../shared/traces)",
            traces::TRACES_DIR_ENV
        );
    }
    dir
}

fn sequential(name: &str) -> Option<SequentialTrace> {
    let dir = dir_or_skip(name)?;
    Some(traces::load_sequential(&dir, name).expect("a valid trace"))
}

fn concurrent(name: &str) -> Option<ConcurrentTrace> {
    let dir = dir_or_skip(name)?;
    Some(traces::load_concurrent(&dir, name).expect("a valid trace"))
}

/// Replays the first `patches` patches on both variants and compares with a plain `Vec<char>`.
fn check_prefix(trace: &SequentialTrace, patches: usize) {
    let mut doc: Vec<char> = trace.start_content.chars().collect();
    for patch in trace.patches().take(patches) {
        traces::apply_patch(&mut doc, patch).expect("a valid patch");
    }
    let expected: String = doc.into_iter().collect();
    let fugue = replay::replay_sequential::<Fugue>(trace, patches);
    assert_eq!(fugue.to_string(), expected, "Fugue");
    let fugue_max = replay::replay_sequential::<FugueMax>(trace, patches);
    assert_eq!(fugue_max.to_string(), expected, "FugueMax");
    if patches >= trace.num_patches() {
        assert_eq!(expected, trace.end_content);
    }
}

/// Every sequential trace replays, on one replica, to exactly its `endContent` (Fugue); and
/// its first 5,000 patches give the same text on Fugue, FugueMax and a plain `Vec<char>`.
///
/// This is the debug-friendly version (a few seconds); the full comparison of both variants
/// with the plain replay is `sequential_traces_replay_exactly_on_both_variants`, ignored by
/// default. `cargo run --release --example replay_traces` replays everything in release.
#[test]
fn sequential_traces_replay_exactly() {
    for name in traces::SEQUENTIAL {
        if let Some(trace) = sequential(name) {
            let text = replay::replay_sequential::<Fugue>(&trace, usize::MAX);
            assert_eq!(text.to_string(), trace.end_content, "{name}");
            check_prefix(&trace, 5_000);
        }
    }
}

/// Every sequential trace replays to exactly its `endContent` on both variants, patch for
/// patch the same as a plain `Vec<char>`. Ignored by default (slow in debug builds): run with
/// `cargo test -p crdt-impls --release --test fugue_traces -- --ignored`.
#[test]
#[ignore = "slow in debug builds; run with --release -- --ignored"]
fn sequential_traces_replay_exactly_on_both_variants() {
    for name in traces::SEQUENTIAL {
        if let Some(trace) = sequential(name) {
            check_prefix(&trace, usize::MAX);
        }
    }
}

/// Replays with one replica per agent, then checks every replica shows `endContent`, and
/// that merging the final states (state-based) gives the same list.
fn check_concurrent<O: SiblingOrder>(trace: &ConcurrentTrace) {
    let texts = replay::replay_concurrent::<O>(trace).expect("a causal schedule");
    for text in &texts {
        assert_eq!(text.to_string(), trace.end_content, "{}", O::NAME);
    }
    let mut merged = Text::<O>::new(crdt_laws::ReplicaId::new(99));
    for text in &texts {
        merged.merge(text);
    }
    assert!(
        texts.iter().all(|t| *t == merged),
        "{}: equal states",
        O::NAME
    );
}

/// The concurrent traces replay, one replica per agent, to exactly their `endContent`.
#[test]
fn concurrent_traces_replay_exactly() {
    for name in traces::CONCURRENT {
        if let Some(trace) = concurrent(name) {
            check_concurrent::<Fugue>(&trace);
            check_concurrent::<FugueMax>(&trace);
        }
    }
}

/// The trace reader lists every shared trace and rejects a missing one.
#[test]
fn trace_reader_lists_and_loads() {
    let Some(dir) = dir_or_skip("trace_reader_lists_and_loads") else {
        return;
    };
    let names: Vec<String> = traces::list(&dir)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    for name in traces::SEQUENTIAL.iter().chain(&traces::CONCURRENT) {
        assert!(names.iter().any(|n| n == name), "{name} is listed");
    }
    let missing = traces::load(&dir, "no-such-trace").unwrap_err();
    assert!(
        matches!(missing, traces::TraceError::NotFound { .. }),
        "{missing}"
    );
    let wrong_kind = traces::load_sequential(&dir, "friendsforever").unwrap_err();
    assert!(
        matches!(wrong_kind, traces::TraceError::Invalid { .. }),
        "{wrong_kind}"
    );
}
