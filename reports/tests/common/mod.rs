//! proptest strategies for reports, shared by the integration tests.
//!
//! Keys come from small domains so that generated reports often share models, laws, run
//! configurations and shards: that is where merging has to choose, and where bugs hide. Text
//! includes Markdown, HTML and XML metacharacters and control characters.

#![allow(dead_code, unreachable_pub)]

use crdt_reports::{
    Counterexample, Environment, Event, Fault, Finding, Flavour, HarnessRun, Invocation, Lattice,
    LawResult, ModelReport, Outcome, Premise, Property, Report, RunConfig, RunMeta, Sample, Shard,
    ShardResult, SyncTotals, Term, Tool,
};
use proptest::collection::{btree_map, btree_set, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

/// Short text, sometimes hostile.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z{}(), ]{0,8}",
        1 => "(?s).{0,6}",
        1 => Just("<a href=\"x\">&amp;'|`*_ ]]></a>\u{0}\u{1b}[31m".to_owned()),
    ]
}

fn term() -> impl Strategy<Value = Term> {
    (text(), text(), option::of(text())).prop_map(|(label, debug, source)| Term {
        label,
        debug,
        source,
    })
}

pub fn property() -> impl Strategy<Value = Property> {
    prop_oneof![
        select(Property::KNOWN.to_vec()),
        "[a-z_]{1,8}".prop_map(Property::from),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    select(vec![
        Fault::Drop,
        Fault::Duplicate,
        Fault::Reorder,
        Fault::Partition,
        Fault::Crash,
    ])
}

pub fn invocation() -> impl Strategy<Value = Invocation> {
    let tool =
        (select(vec!["crdt-harness", "cargo-test"]), "0\\.[12]\\.0").prop_map(|(name, version)| {
            Tool {
                name: name.to_owned(),
                version,
            }
        });
    let environment = (
        select(vec!["linux", "macos"]),
        1u32..4,
        btree_map("[a-z-]{1,6}", "[0-9.]{1,5}", 0..2),
    )
        .prop_map(|(os, cpus, crate_versions)| Environment {
            os: os.to_owned(),
            arch: "x86_64".to_owned(),
            cpus,
            crate_versions,
        });
    let run = (
        vec(text(), 0..3),
        0u64..3,
        1u32..3,
        (1u32..4).prop_flat_map(|count| (0..count, Just(count))),
        0u64..1_000_000,
        any::<bool>(),
    )
        .prop_map(
            |(command, seed, threads, (index, count), duration_us, complete)| RunMeta {
                command,
                seed,
                threads,
                shard: Shard { index, count },
                started_at: "2025-01-31T12:00:00Z".to_owned(),
                duration_us,
                complete,
            },
        );
    (tool, environment, run).prop_map(|(tool, environment, run)| Invocation {
        tool,
        environment,
        run,
    })
}

pub fn event() -> impl Strategy<Value = Event> {
    let replica = 0u32..4;
    let id = 0u32..4;
    prop_oneof![
        (replica.clone(), text()).prop_map(|(replica, label)| Event::Update { replica, label }),
        (
            replica.clone(),
            option::of(replica.clone()),
            id.clone(),
            text()
        )
            .prop_map(|(from, to, message_id, label)| Event::Send {
                from,
                to,
                message_id,
                label
            }),
        (replica.clone(), id.clone())
            .prop_map(|(to, message_id)| Event::Deliver { to, message_id }),
        id.clone().prop_map(|message_id| Event::Drop { message_id }),
        id.prop_map(|message_id| Event::Duplicate { message_id }),
        vec(vec(replica.clone(), 0..3), 0..3).prop_map(|groups| Event::Partition { groups }),
        Just(Event::Heal),
        Just(Event::Quiesce),
        replica.clone().prop_map(|replica| Event::Crash { replica }),
        replica
            .clone()
            .prop_map(|replica| Event::Restart { replica }),
        replica.prop_map(|replica| Event::Join { replica }),
    ]
}

pub fn finding() -> impl Strategy<Value = Finding> {
    (
        (property(), text(), 0u64..5, 0u64..100, 0u64..60, 0u64..20),
        (option::of(text()), option::of(text())),
        (
            0u32..5,
            vec(event(), 0..10),
            vec(text(), 0..4),
            btree_set(0u32..4, 0..3),
        ),
    )
        .prop_map(
            |(
                (property, message, seed, schedule_index, original_steps, shrunk_steps),
                (replay_file, regression_test),
                (replicas, schedule, final_values, diverging),
            )| Finding {
                property,
                message,
                seed,
                schedule_index,
                original_steps,
                shrunk_steps,
                replay_file,
                regression_test,
                replicas,
                schedule,
                final_values,
                diverging,
            },
        )
}

fn sample() -> impl Strategy<Value = Sample> {
    (
        0u64..60,
        option::of(0u64..10_000),
        option::of(0u64..100_000),
    )
        .prop_map(|(step, state_bytes, merge_ns)| Sample {
            step,
            state_bytes,
            merge_ns,
        })
}

pub fn shard_result() -> impl Strategy<Value = ShardResult> {
    (
        1u32..3,
        0u64..1_000,
        0u64..50_000,
        0u64..1_000_000,
        any::<bool>(),
        vec(sample(), 0..4),
        vec(finding(), 0..2),
        option::of(sync_totals()),
    )
        .prop_map(
            |(threads, schedules, steps, duration_us, complete, metrics, findings, sync)| {
                ShardResult {
                    threads,
                    schedules,
                    steps,
                    duration_us,
                    complete,
                    metrics,
                    findings,
                    sync,
                }
            },
        )
}

pub fn sync_totals() -> impl Strategy<Value = SyncTotals> {
    (0u64..1_000, vec(0u64..100_000, 6)).prop_map(|(schedules, f)| SyncTotals {
        schedules,
        messages: f[0],
        bytes: f[1],
        final_messages: f[2],
        final_bytes: f[3],
        final_rounds: f[4],
        state_bytes: f[5],
    })
}

pub fn run_config() -> impl Strategy<Value = RunConfig> {
    (
        0u64..2,
        2u32..4,
        select(vec![20u32, 50]),
        btree_set(fault(), 0..3),
        1u32..4,
        btree_set(property(), 0..3),
    )
        .prop_map(
            |(seed, replicas, steps_per_schedule, faults, shards, oracles)| RunConfig {
                seed,
                replicas,
                steps_per_schedule,
                faults,
                shards,
                oracles,
            },
        )
}

/// One of four run configurations, so that generated reports often hold the same run.
fn run_key() -> impl Strategy<Value = RunConfig> {
    (0u64..2, any::<bool>()).prop_map(|(seed, faulty)| RunConfig {
        seed,
        replicas: 3,
        steps_per_schedule: 50,
        faults: if faulty {
            [Fault::Drop].into()
        } else {
            [].into()
        },
        shards: 3,
        oracles: [Property::Convergence].into(),
    })
}

fn harness_run() -> impl Strategy<Value = HarnessRun> {
    btree_map(0u32..3, shard_result(), 0..3).prop_map(|shards| HarnessRun { shards })
}

fn counterexample() -> impl Strategy<Value = Counterexample> {
    let lattice = (vec(term(), 0..5), vec((0u32..6, 0u32..6), 0..8))
        .prop_map(|(elements, leq)| Lattice { elements, leq });
    (
        text(),
        vec(term(), 0..3),
        option::of((term(), term()).prop_map(|(l, r)| [l, r])),
        vec(text(), 0..3),
        option::of(lattice),
    )
        .prop_map(
            |(message, inputs, sides, execution, lattice)| Counterexample {
                message,
                inputs,
                sides,
                execution,
                lattice,
            },
        )
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Passed),
        Just(Outcome::Vacuous),
        text().prop_map(|reason| Outcome::Skipped { reason }),
        counterexample().prop_map(|c| Outcome::Failed {
            counterexample: Box::new(c)
        }),
    ]
}

pub fn law_result() -> impl Strategy<Value = LawResult> {
    (
        text(),
        outcome(),
        0u64..300,
        option::of((0u64..20, 0u64..20).prop_map(|(hits, threshold)| Premise { hits, threshold })),
        0u64..10_000,
        option::of(0u64..3),
    )
        .prop_map(
            |(formula, outcome, cases, premise, duration_us, seed)| LawResult {
                formula,
                outcome,
                cases,
                premise,
                duration_us,
                seed,
            },
        )
}

fn flavour() -> impl Strategy<Value = Flavour> {
    select(vec![
        Flavour::StateBased,
        Flavour::DeltaState,
        Flavour::OpBased,
    ])
}

pub fn model_report() -> impl Strategy<Value = ModelReport> {
    (
        flavour(),
        btree_map(
            select(vec![
                "join_commutative",
                "join_idempotent",
                "leq_antisymmetric",
            ])
            .prop_map(str::to_owned),
            law_result(),
            0..3,
        ),
        btree_map(run_key(), harness_run(), 0..3),
    )
        .prop_map(|(flavour, laws, runs)| ModelReport {
            flavour,
            laws,
            runs,
        })
}

/// Any report, with keys drawn from small domains.
pub fn report() -> impl Strategy<Value = Report> {
    (
        // Every report records at least one run: reading one that records none is an error.
        btree_set(invocation(), 1..3),
        btree_map(
            select(vec!["g_set", "or_set", "lww"]).prop_map(str::to_owned),
            model_report(),
            0..3,
        ),
    )
        .prop_map(|(invocations, models)| Report {
            invocations,
            models,
            ..Report::default()
        })
}
