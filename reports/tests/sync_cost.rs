//! The sync protocol's cost in reports: optional in the schema (reports written before it was
//! recorded still load), shown by the terminal and Markdown renderers when a run has it.

use crdt_reports::{Flavour, HarnessRun, ModelReport, Report, RunConfig, ShardResult, SyncTotals};

/// A report as written before the sync cost was recorded: a shard without the `sync` field.
const OLD: &str = r#"{
  "schema_version": 1,
  "invocations": [
    {
      "tool": { "name": "crdt-harness", "version": "0.1.0" },
      "environment": { "os": "linux", "arch": "x86_64", "cpus": 2, "crate_versions": {} },
      "run": {
        "command": ["crdt-harness", "check", "g-counter"],
        "seed": 42, "threads": 2, "shard": { "index": 0, "count": 1 },
        "started_at": "2025-01-31T12:00:00Z", "duration_us": 100000, "complete": true
      }
    }
  ],
  "models": {
    "g_counter": {
      "flavour": "state_based",
      "runs": [
        {
          "config": { "seed": 42, "replicas": 3, "steps_per_schedule": 50, "shards": 1 },
          "shards": {
            "0": { "threads": 2, "schedules": 100, "steps": 5000, "duration_us": 90000,
                   "complete": true }
          }
        }
      ]
    }
  }
}"#;

/// A sync run split into `count` shards, of which `shards` are present.
fn sync_report(count: u32, shards: &[(u32, SyncTotals)]) -> Report {
    let config = RunConfig {
        seed: 7,
        replicas: 4,
        steps_per_schedule: 50,
        shards: count,
        ..RunConfig::default()
    };
    let mut run = HarnessRun::default();
    for &(index, sync) in shards {
        let result = ShardResult {
            schedules: sync.schedules,
            complete: true,
            sync: Some(sync),
            ..ShardResult::default()
        };
        run.shards.insert(index, result);
    }
    let model = ModelReport::new(Flavour::Sync).with_run(config, run);
    let mut report = Report::default().with_model("sync/server", model);
    report.invocations = crdt_reports::example_report().invocations;
    report
}

const TOTALS: SyncTotals = SyncTotals {
    schedules: 4,
    messages: 40,
    bytes: 2_000,
    final_messages: 8,
    final_bytes: 480,
    final_rounds: 6,
    state_bytes: 400,
};

#[test]
fn an_old_report_without_sync_cost_still_loads() {
    let report = Report::from_json(OLD).expect("an old report loads");
    let run = report.models["g_counter"]
        .runs
        .values()
        .next()
        .expect("a run");
    assert_eq!(run.schedules(), 100);
    assert_eq!(run.sync(), None);
    assert!(
        !report.to_json().contains("\"sync\""),
        "nothing written when absent"
    );
    assert!(!crdt_reports::markdown(&report).contains("Sync cost"));
    assert!(!crdt_reports::terminal(&report, false).contains("SYNC COST"));
}

#[test]
fn the_sync_cost_survives_the_round_trip_and_adds_up_over_shards() {
    let report = sync_report(2, &[(0, TOTALS), (1, TOTALS)]);
    let back = Report::from_json(&report.to_json()).expect("reads its own report");
    assert_eq!(back, report);
    let run = back.models["sync/server"]
        .runs
        .values()
        .next()
        .expect("a run");
    let sum = run.sync().expect("recorded");
    assert_eq!(sum.schedules, 8);
    assert_eq!(sum.bytes_per_final_sync(), Some(120.0));
    assert_eq!(sum.per_schedule(sum.messages), Some(10.0));
    // Merging the same shard again counts it once.
    let mut merged = back.clone();
    merged.merge(sync_report(2, &[(1, TOTALS)]));
    assert_eq!(merged, back);
}

#[test]
fn the_renderers_show_the_means_per_schedule() {
    let report = sync_report(1, &[(0, TOTALS)]);
    let md = crdt_reports::markdown(&report);
    assert!(md.contains("### Sync cost"), "{md}");
    // 40 messages, 2,000 bytes, 8 final messages, 480 final bytes, 6 rounds, 400 state bytes
    // over 4 schedules.
    assert!(
        md.contains("| 10.0 | 500 | 2.00 | 120 | 1.50 | 100 | 4 |"),
        "{md}"
    );
    let text = crdt_reports::terminal(&report, false);
    assert!(
        text.contains(
            "10.0 messages, 500 bytes; final sync 2.00 messages, 120 bytes in 1.50 rounds; \
             state 100 bytes; over 4 schedules"
        ),
        "{text}"
    );
}
