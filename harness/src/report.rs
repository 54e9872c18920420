//! Results as `crdt-reports` data: law reports and run summaries converted to the versioned
//! report schema, for every renderer.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use crdt_laws::{Binding, Flavour, LawReport, Verdict};
use crdt_reports as r;

use crate::runner::{Failure, Shard, Summary};
use crate::sim::{Event, Property};

/// The report's flavour for a model's.
#[must_use]
pub fn flavour(f: Flavour) -> r::Flavour {
    match f {
        Flavour::StateBased => r::Flavour::StateBased,
        Flavour::DeltaState => r::Flavour::DeltaState,
        Flavour::OpBased => r::Flavour::OpBased,
        Flavour::Sync => r::Flavour::Sync,
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

fn term(b: &Binding) -> r::Term {
    let t = r::Term::new(&b.name, &b.value);
    match &b.source {
        Some(source) => t.from_source(source),
        None => t,
    }
}

/// A model's law results as a report model (no harness runs yet).
#[must_use]
pub fn laws(report: &LawReport) -> r::ModelReport {
    let mut model = r::ModelReport::new(flavour(report.flavour));
    for result in &report.results {
        let outcome = match result.verdict {
            Verdict::Passed => r::Outcome::Passed,
            Verdict::Vacuous => r::Outcome::Vacuous,
            Verdict::Failed => {
                let cx = result
                    .counterexample
                    .as_ref()
                    .expect("a failed law has a counterexample");
                let v = &cx.violation;
                r::Outcome::Failed {
                    counterexample: Box::new(r::Counterexample {
                        message: format!("{} failed: {}", v.law, v.claim),
                        inputs: v.inputs.iter().map(term).collect(),
                        sides: Some([term(&v.left), term(&v.right)]),
                        execution: cx.execution.clone(),
                        lattice: v.lattice.as_ref().map(|l| r::Lattice {
                            elements: l.elements.iter().map(term).collect(),
                            leq: l.leq.iter().map(|&(a, b)| (a as u32, b as u32)).collect(),
                        }),
                    }),
                }
            }
        };
        model = model.with_law(
            result.law.name(),
            r::LawResult {
                formula: result.law.formula().to_string(),
                outcome,
                cases: u64::from(result.cases),
                premise: result.premise_hits.zip(result.premise_threshold).map(
                    |(hits, threshold)| r::Premise {
                        hits: u64::from(hits),
                        threshold: u64::from(threshold),
                    },
                ),
                duration_us: micros(result.duration),
                seed: result.seed,
            },
        );
    }
    for skipped in &report.skipped {
        model = model.with_law(
            skipped.law.name(),
            r::LawResult {
                formula: skipped.law.formula().to_string(),
                outcome: r::Outcome::Skipped {
                    reason: skipped.reason.clone(),
                },
                ..r::LawResult::default()
            },
        );
    }
    model
}

/// The report's property for a harness property.
#[must_use]
pub fn property(p: Property) -> r::Property {
    serde_json::from_value(serde_json::Value::String(p.name().to_string()))
        .unwrap_or_else(|_| r::Property::Other(p.name().to_string()))
}

/// A run's events, among `replicas` replicas, as report events. Copies of duplicated messages
/// keep the original's id (the report draws one message that may arrive twice); a duplicate the
/// harness discarded counts as arriving; a partition lists both sides.
#[must_use]
pub fn events(events: &[Event], replicas: u32) -> Vec<r::Event> {
    let mut original: HashMap<u64, u64> = HashMap::new();
    let id = |m: u64, original: &HashMap<u64, u64>| {
        u32::try_from(*original.get(&m).unwrap_or(&m)).unwrap_or(u32::MAX)
    };
    let mut out = Vec::new();
    for event in events {
        if let Event::Clock { .. } = event {
            // A clock jump is no message and no update: the report's diagrams have no mark for
            // it, and the updates after it show their physical time in their labels.
            continue;
        }
        out.push(match event {
            Event::Update { replica, label, .. } => r::Event::Update {
                replica: replica.0,
                label: label.clone(),
            },
            Event::Send {
                from,
                to,
                message,
                label,
                ..
            } => r::Event::Send {
                from: from.0,
                to: Some(to.0),
                message_id: id(*message, &original),
                label: label.clone(),
            },
            Event::Deliver { to, message, .. } | Event::Discard { to, message, .. } => {
                r::Event::Deliver {
                    to: to.0,
                    message_id: id(*message, &original),
                }
            }
            Event::Drop { message, .. } => r::Event::Drop {
                message_id: id(*message, &original),
            },
            Event::Duplicate { message, copy, .. } => {
                let root = *original.get(message).unwrap_or(message);
                original.insert(*copy, root);
                r::Event::Duplicate {
                    message_id: id(root, &original),
                }
            }
            Event::Partition { side, .. } => {
                let one: Vec<u32> = side.iter().map(|r| r.0).collect();
                let rest = (0..replicas).filter(|r| !one.contains(r)).collect();
                r::Event::Partition {
                    groups: vec![one, rest],
                }
            }
            Event::Heal { .. } => r::Event::Heal,
            Event::Crash { replica, .. } => r::Event::Crash { replica: replica.0 },
            Event::Restart { replica, .. } => r::Event::Restart { replica: replica.0 },
            Event::Join { replica, .. } => r::Event::Join { replica: replica.0 },
            Event::Quiesce | Event::Clock { .. } => r::Event::Quiesce,
        });
    }
    out
}

/// A failure as a report finding.
#[must_use]
pub fn finding<Op: Debug>(
    failure: &Failure<Op>,
    replay_file: Option<String>,
    regression_test: Option<String>,
) -> r::Finding {
    let replicas = failure.shrunk.replicas;
    let mut final_values = vec![String::new(); replicas as usize];
    for (replica, value) in &failure.values {
        if let Some(slot) = final_values.get_mut(replica.index()) {
            slot.clone_from(value);
        }
    }
    let schedule = events(&failure.events, replicas);
    r::Finding {
        property: property(failure.finding.property),
        message: failure
            .finding
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
        seed: failure.seed,
        schedule_index: failure.schedule_index,
        original_steps: failure.shrink.steps_before as u64,
        shrunk_steps: failure.shrunk.steps.len() as u64,
        replay_file,
        regression_test,
        replicas,
        schedule,
        final_values,
        diverging: failure.finding.replicas.iter().map(|r| r.0).collect(),
    }
}

/// A run's configuration and result, for [`r::ModelReport::with_run`]. `extras` gives each
/// failure's replay file and regression test.
#[must_use]
pub fn run<Op: Debug>(
    summary: &Summary<Op>,
    extras: &[(Option<String>, Option<String>)],
) -> (r::RunConfig, r::HarnessRun) {
    let f = summary.shape.faults.bound();
    let faults: BTreeSet<r::Fault> = [
        (f.drop, r::Fault::Drop),
        (f.duplicate, r::Fault::Duplicate),
        (f.reorder, r::Fault::Reorder),
        (f.partition, r::Fault::Partition),
        (f.crash, r::Fault::Crash),
        (f.clock_skew, r::Fault::ClockSkew),
    ]
    .into_iter()
    .filter_map(|(on, fault)| on.then_some(fault))
    .collect();
    let config = r::RunConfig {
        seed: summary.seed,
        replicas: summary.shape.replicas.bound(),
        steps_per_schedule: u32::try_from(summary.shape.steps.bound()).unwrap_or(u32::MAX),
        faults,
        shards: summary.shard.count,
        oracles: Property::ALL.into_iter().map(property).collect(),
    };
    let findings = summary
        .failures
        .iter()
        .enumerate()
        .map(|(k, failure)| {
            let (file, test) = extras.get(k).cloned().unwrap_or_default();
            finding(failure, file, test)
        })
        .collect();
    let result = r::ShardResult {
        threads: u32::try_from(summary.threads).unwrap_or(u32::MAX),
        schedules: summary.schedules,
        steps: summary.steps,
        duration_us: micros(summary.duration),
        complete: summary.complete,
        metrics: summary
            .measurements
            .iter()
            .map(|m| r::Sample {
                step: m.step as u64,
                state_bytes: Some(m.state_bytes.round() as u64),
                merge_ns: Some(m.merge_nanos.round() as u64),
            })
            .collect(),
        findings,
        sync: summary.sync,
    };
    (config, r::HarnessRun::single(summary.shard.index, result))
}

/// The invocation record of a run of this tool.
#[must_use]
pub fn invocation(
    command: Vec<String>,
    seed: u64,
    threads: usize,
    shard: Shard,
    started: SystemTime,
    duration: Duration,
    complete: bool,
) -> r::Invocation {
    r::Invocation {
        tool: r::Tool {
            name: "crdt-harness".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        environment: r::Environment::current([
            ("crdt-harness", env!("CARGO_PKG_VERSION")),
            ("crdt-laws", env!("CARGO_PKG_VERSION")),
            ("crdt-impls", env!("CARGO_PKG_VERSION")),
            ("crdt-reports", env!("CARGO_PKG_VERSION")),
        ]),
        run: r::RunMeta {
            command,
            seed,
            threads: u32::try_from(threads).unwrap_or(u32::MAX),
            shard: r::Shard {
                index: shard.index,
                count: shard.count,
            },
            started_at: r::rfc3339(started),
            duration_us: micros(duration),
            complete,
        },
    }
}
