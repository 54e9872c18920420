//! Times rendering a big report: 100,000 schedules over 4 shards for each of 10 models,
//! 17 laws per model (one failed with a lattice, one vacuous), 10,000 metric samples per
//! model, and 5 findings with 40-step schedules.
//!
//! ```text
//! cargo run --release -p crdt-reports --example render_big
//! ```
//!
//! prints, per format, the output size and the median time of 5 renderings; then the time to
//! read the JSON back and to merge the 4 shard reports.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crdt_reports::{
    Counterexample, Event, Fault, Finding, Flavour, HarnessRun, Invocation, Lattice, LawResult,
    ModelReport, Outcome, Premise, Property, Report, RunConfig, Sample, Shard, ShardResult, Term,
    render,
};

const MODELS: u32 = 10;
const SHARDS: u32 = 4;
const SCHEDULES: u64 = 100_000;
const SAMPLES: u64 = 10_000;
const LAWS: u32 = 17;
const FINDINGS: u32 = 5;

fn main() {
    let shards: Vec<Report> = (0..SHARDS).map(shard_report).collect();
    let started = Instant::now();
    let report = Report::merged(shards.iter().cloned());
    let merge_time = started.elapsed();
    let summary = report.summary();
    println!(
        "report: {} models, {} laws, {} schedules, {} steps, {} findings",
        summary.models,
        summary.laws.total(),
        summary.schedules,
        summary.steps,
        summary.findings
    );
    for format in [
        crdt_reports::Format::Terminal { colour: false },
        crdt_reports::Format::Markdown,
        crdt_reports::Format::Junit,
        crdt_reports::Format::Html,
        crdt_reports::Format::Json,
    ] {
        let (time, bytes) = median(|| render(&report, format).len());
        println!(
            "{:<8} {:>10} bytes  {:>9.2?}",
            format.extension(),
            bytes,
            time
        );
    }
    let json = report.to_json();
    let (read, _) = median(|| {
        Report::from_json(&json)
            .map(|r| r.models.len())
            .unwrap_or(0)
    });
    println!("reading the JSON back: {read:.2?}");
    println!("merging the {SHARDS} shard reports: {merge_time:.2?}");
}

fn median<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let started = Instant::now();
        last = Some(black_box(f()));
        times.push(started.elapsed());
    }
    times.sort();
    (times[times.len() / 2], last.expect("five runs"))
}

fn shard_report(index: u32) -> Report {
    let mut report = Report::new(Invocation {
        run: crdt_reports::RunMeta {
            seed: 42,
            threads: 2,
            shard: Shard {
                index,
                count: SHARDS,
            },
            duration_us: 60_000_000,
            complete: true,
            ..Default::default()
        },
        ..Default::default()
    });
    for m in 0..MODELS {
        let config = RunConfig {
            seed: 42,
            replicas: 4,
            steps_per_schedule: 50,
            faults: [Fault::Drop, Fault::Duplicate, Fault::Reorder].into(),
            shards: SHARDS,
            oracles: [Property::Convergence, Property::MonotoneGrowth].into(),
        };
        let per_shard = SCHEDULES / u64::from(SHARDS);
        let metrics = (0..SAMPLES / u64::from(SHARDS))
            .map(|i| Sample {
                step: i % 50,
                state_bytes: Some(64 + (i % 50) * 12 + i % 7),
                merge_ns: Some(300 + (i % 50) * 20 + i % 13),
            })
            .collect();
        let findings = (0..FINDINGS)
            .filter(|f| m == 0 && f % SHARDS == index)
            .map(finding)
            .collect();
        let result = ShardResult {
            threads: 2,
            schedules: per_shard,
            steps: per_shard * 50,
            duration_us: 15_000_000,
            complete: true,
            metrics,
            findings,
            sync: None,
        };
        let mut model = ModelReport::new(Flavour::StateBased)
            .with_run(config, HarnessRun::single(index, result));
        for l in 0..LAWS {
            model = model.with_law(format!("law_{l:02}"), law(l));
        }
        report = report.with_model(format!("model_{m:02}"), model);
    }
    report
}

fn law(l: u32) -> LawResult {
    let outcome = match l {
        0 => Outcome::Failed {
            counterexample: Box::new(Counterexample {
                message: "a ⊔ b ≠ b ⊔ a".into(),
                inputs: vec![Term::new("a", "{1, 2}"), Term::new("b", "{2, 3}")],
                sides: Some([Term::new("a ⊔ b", "{1, 2}"), Term::new("b ⊔ a", "{2, 3}")]),
                execution: (0..10).map(|i| format!("A applies add({i})")).collect(),
                lattice: Some(Lattice {
                    elements: (0..6)
                        .map(|i| Term::new(format!("s{i}"), format!("{{{i}}}")))
                        .collect(),
                    leq: vec![(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (3, 5), (0, 5)],
                }),
            }),
        },
        1 => Outcome::Vacuous,
        _ => Outcome::Passed,
    };
    LawResult {
        formula: "a ⊔ b = b ⊔ a".into(),
        outcome,
        cases: 256,
        premise: (l == 1).then_some(Premise {
            hits: 3,
            threshold: 26,
        }),
        duration_us: 2_000,
        seed: Some(42),
    }
}

fn finding(f: u32) -> Finding {
    let schedule: Vec<Event> = (0..10)
        .flat_map(|i| {
            [
                Event::Update {
                    replica: i % 4,
                    label: format!("add({i})"),
                },
                Event::Send {
                    from: i % 4,
                    to: Some((i + 1) % 4),
                    message_id: i,
                    label: format!("state {{{i}}}"),
                },
                if i % 3 == 0 {
                    Event::Duplicate { message_id: i }
                } else {
                    Event::Drop { message_id: i }
                },
                Event::Deliver {
                    to: (i + 1) % 4,
                    message_id: i,
                },
            ]
        })
        .collect();
    Finding {
        property: Property::Convergence,
        message: format!("finding {f}: replicas disagree"),
        seed: u64::from(f),
        schedule_index: u64::from(f) * 1_000,
        original_steps: 50,
        shrunk_steps: schedule.len() as u64,
        replicas: 4,
        schedule,
        final_values: (0..4).map(|r| format!("{{{r}}}")).collect(),
        diverging: [1, 2].into(),
        ..Finding::default()
    }
}
