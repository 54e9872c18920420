//! A small, fixed report for documentation, tests and demonstrations.

use std::collections::{BTreeMap, BTreeSet};

use crate::{
    Counterexample, Environment, Event, Fault, Finding, Flavour, HarnessRun, Invocation, Lattice,
    LawResult, ModelReport, Outcome, Premise, Property, Report, RunConfig, RunMeta, Sample, Shard,
    ShardResult, Term, Tool,
};

/// A fixed report with something of everything, for docs, golden tests and demonstrations:
/// - `g_counter` passes its laws and 20,000 schedules, and measured state sizes and merge times;
/// - `or_set` passes, but one law is vacuous and one skipped; its run was split in two shards;
/// - `g_set_meet` (a G-Set merged by intersection) fails `update_inflationary`, with the states
///   involved for a Hasse diagram, and breaks monotone growth in a schedule with a partition,
///   a late join and a crash;
/// - `op_counter_dup` (an op-based counter whose effect is not idempotent) diverges in a schedule
///   where the network drops one message and duplicates another.
///
/// ```
/// let report = crdt_reports::example_report();
/// assert_eq!(report.models.len(), 4);
/// assert!(!report.summary().passed());
/// ```
#[must_use]
pub fn example_report() -> Report {
    Report::new(invocation())
        .with_model("g_counter", g_counter())
        .with_model("or_set", or_set())
        .with_model("g_set_meet", g_set_meet())
        .with_model("op_counter_dup", op_counter_dup())
}

fn invocation() -> Invocation {
    let command = "crdt-harness check all --faults drop,dup,reorder,partition,crash --seed 42";
    Invocation {
        tool: Tool {
            name: "crdt-harness".into(),
            version: "0.1.0".into(),
        },
        environment: Environment {
            os: "linux".into(),
            arch: "x86_64".into(),
            cpus: 2,
            crate_versions: BTreeMap::from([
                ("crdt-impls".into(), "0.1.0".into()),
                ("crdt-laws".into(), "0.1.0".into()),
            ]),
        },
        run: RunMeta {
            command: command.split(' ').map(str::to_owned).collect(),
            seed: 42,
            threads: 2,
            shard: Shard::default(),
            started_at: "2025-01-31T12:00:00Z".into(),
            duration_us: 3_250_000,
            complete: true,
        },
    }
}

fn passed(formula: &str, duration_us: u64) -> LawResult {
    LawResult {
        formula: formula.into(),
        outcome: Outcome::Passed,
        cases: 256,
        premise: None,
        duration_us,
        seed: Some(42),
    }
}

fn semilattice_laws(model: ModelReport) -> ModelReport {
    model
        .with_law(
            "join_associative",
            passed("(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", 2_100),
        )
        .with_law("join_commutative", passed("a ⊔ b = b ⊔ a", 1_300))
        .with_law("join_idempotent", passed("a ⊔ a = a", 900))
}

fn config(replicas: u32, faults: &[Fault], oracles: &[Property], shards: u32) -> RunConfig {
    RunConfig {
        seed: 42,
        replicas,
        steps_per_schedule: 50,
        faults: faults.iter().copied().collect(),
        shards,
        oracles: oracles.iter().cloned().collect(),
    }
}

/// A complete shard of 50-step schedules, run on two threads.
fn shard(
    schedules: u64,
    duration_us: u64,
    metrics: Vec<Sample>,
    findings: Vec<Finding>,
) -> ShardResult {
    ShardResult {
        threads: 2,
        schedules,
        steps: schedules * 50,
        duration_us,
        complete: true,
        metrics,
        findings,
        sync: None,
    }
}

const ALL_FAULTS: [Fault; 5] = [
    Fault::Drop,
    Fault::Duplicate,
    Fault::Reorder,
    Fault::Partition,
    Fault::Crash,
];

fn g_counter() -> ModelReport {
    let mut metrics = Vec::new();
    for step in (0..=50u64).step_by(5) {
        for schedule in 0..3 {
            metrics.push(Sample {
                step,
                state_bytes: Some(16 + 8 * (step / 5) + 4 * schedule),
                merge_ns: Some(180 + 9 * step + (step * 37 + schedule * 53) % 60),
            });
        }
    }
    let shard = shard(20_000, 1_600_000, metrics, Vec::new());
    let oracles = [Property::Convergence, Property::MonotoneGrowth];
    semilattice_laws(ModelReport::new(Flavour::StateBased))
        .with_law("update_inflationary", passed("s ≤ apply(s, op)", 1_700))
        .with_run(
            config(3, &ALL_FAULTS, &oracles, 1),
            HarnessRun::single(0, shard),
        )
}

fn or_set() -> ModelReport {
    let half = || shard(5_000, 300_000, Vec::new(), Vec::new());
    let run = HarnessRun {
        shards: BTreeMap::from([(0, half()), (1, half())]),
    };
    let oracles = [Property::Convergence, Property::Specification];
    semilattice_laws(ModelReport::new(Flavour::DeltaState))
        .with_law(
            "leq_antisymmetric",
            LawResult {
                formula: "a ≤ b ∧ b ≤ a ⇒ a = b".into(),
                outcome: Outcome::Vacuous,
                cases: 256,
                premise: Some(Premise {
                    hits: 3,
                    threshold: 10,
                }),
                duration_us: 2_400,
                seed: Some(42),
            },
        )
        .with_law(
            "bottom_is_identity",
            LawResult {
                formula: "⊥ ⊔ a = a".into(),
                outcome: Outcome::Skipped {
                    reason: "the model declares no bottom".into(),
                },
                cases: 0,
                premise: None,
                duration_us: 0,
                seed: None,
            },
        )
        .with_run(config(4, &ALL_FAULTS, &oracles, 2), run)
}

fn g_set_meet() -> ModelReport {
    let term = Term::new;
    let counterexample = Counterexample {
        message: "s ≰ apply(s, op): the update moved the state down".into(),
        inputs: vec![
            term("s", "{2}").from_source("A after step 1"),
            term("op", "add(1)"),
            term("b", "{1}").from_source("B after step 2"),
        ],
        sides: Some([term("s", "{2}"), term("apply(s, op)", "{1, 2}")]),
        execution: vec![
            "A applies add(2), giving s".into(),
            "B applies add(1), giving b".into(),
            "A applies op = add(1) to s".into(),
        ],
        lattice: Some(Lattice {
            elements: vec![
                term("s", "{2}"),
                term("apply(s, op)", "{1, 2}"),
                term("b", "{1}"),
                term("s ⊔ b", "{}"),
            ],
            // (1, 3) follows from (1, 0) and (0, 3): the diagram leaves it out.
            leq: vec![(1, 0), (1, 2), (0, 3), (2, 3), (1, 3)],
        }),
    };
    let finding = Finding {
        property: Property::MonotoneGrowth,
        message: "C's state moved down from {2} to {}".into(),
        seed: 0x5eed_0007,
        schedule_index: 311,
        original_steps: 47,
        shrunk_steps: 7,
        replay_file: Some("target/crdt-reports/replay/g_set_meet-311.json".into()),
        regression_test: None,
        replicas: 3,
        schedule: vec![
            Event::Update {
                replica: 0,
                label: "add(1)".into(),
            },
            Event::Join { replica: 2 },
            Event::Partition {
                groups: vec![vec![0], vec![1, 2]],
            },
            Event::Update {
                replica: 1,
                label: "add(2)".into(),
            },
            Event::Send {
                from: 1,
                to: Some(2),
                message_id: 1,
                label: "state {2}".into(),
            },
            Event::Deliver {
                to: 2,
                message_id: 1,
            },
            Event::Crash { replica: 1 },
            Event::Quiesce,
            Event::Restart { replica: 1 },
            Event::Heal,
            Event::Send {
                from: 0,
                to: Some(2),
                message_id: 2,
                label: "state {1}".into(),
            },
            Event::Deliver {
                to: 2,
                message_id: 2,
            },
        ],
        final_values: vec!["{1}".into(), "{2}".into(), "{}".into()],
        diverging: BTreeSet::from([2]),
    };
    let shard = shard(312, 41_000, Vec::new(), vec![finding]);
    let oracles = [Property::Convergence, Property::MonotoneGrowth];
    semilattice_laws(ModelReport::new(Flavour::StateBased))
        .with_law(
            "update_inflationary",
            LawResult {
                formula: "s ≤ apply(s, op)".into(),
                outcome: Outcome::Failed {
                    counterexample: Box::new(counterexample),
                },
                cases: 3,
                premise: None,
                duration_us: 700,
                seed: Some(42),
            },
        )
        .with_run(
            config(3, &ALL_FAULTS, &oracles, 1),
            HarnessRun::single(0, shard),
        )
}

fn op_counter_dup() -> ModelReport {
    let send = |to, message_id, label: &str| Event::Send {
        from: 0,
        to: Some(to),
        message_id,
        label: label.into(),
    };
    let finding = Finding {
        property: Property::Convergence,
        message: "after quiescence A and C show 1 while B shows 2".into(),
        seed: 0x5eed_0011,
        schedule_index: 17,
        original_steps: 38,
        shrunk_steps: 9,
        replay_file: Some("target/crdt-reports/replay/op_counter_dup-17.json".into()),
        regression_test: Some(
            "#[test]\nfn op_counter_dup_duplicated_increment() {\n    \
             crdt_harness::replay_file(\"target/crdt-reports/replay/op_counter_dup-17.json\");\n}"
                .into(),
        ),
        replicas: 3,
        schedule: vec![
            Event::Update {
                replica: 0,
                label: "inc".into(),
            },
            send(1, 1, "op inc"),
            send(2, 2, "op inc"),
            Event::Duplicate { message_id: 1 },
            Event::Drop { message_id: 2 },
            Event::Deliver {
                to: 1,
                message_id: 1,
            },
            Event::Deliver {
                to: 1,
                message_id: 1,
            },
            send(2, 3, "op inc, resent"),
            Event::Deliver {
                to: 2,
                message_id: 3,
            },
        ],
        final_values: vec!["1".into(), "2".into(), "1".into()],
        diverging: BTreeSet::from([1]),
    };
    let shard = shard(18, 2_900, Vec::new(), vec![finding]);
    let oracles = [Property::Convergence, Property::Specification];
    ModelReport::new(Flavour::OpBased)
        .with_law(
            "effects_commute",
            passed(
                "effect(effect(s, m₁), m₂) = effect(effect(s, m₂), m₁)",
                1_900,
            ),
        )
        .with_law(
            "prepare_pure",
            passed("prepare(s, op) leaves s unchanged", 600),
        )
        .with_run(
            config(3, &[Fault::Drop, Fault::Duplicate], &oracles, 1),
            HarnessRun::single(0, shard),
        )
}
