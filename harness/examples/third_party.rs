//! Verifies CRDTs we did not write, through their public API only, and prints the results as a
//! Markdown table: the `crdts` crate's `GCounter`, `PNCounter`, `GSet`, `Orswot`, `LWWReg`,
//! `MVReg` and `Map` of `MVReg`s, and diamond-types' list.
//!
//! ```text
//! cargo run --release -p crdt-harness --example third_party            # 10,000 schedules per run
//! cargo run --release -p crdt-harness --example third_party -- 100000   # more
//! ```
//!
//! Each `crdts` type is checked three ways: state-based (`merge`), op-based (`apply`, causal
//! delivery, with its specification), and op-based under the weaker delivery `crdts` documents
//! (convergence only, see `Relaxed`). The models live in `harness/tests/third_party/`, shared
//! with the integration tests.

#[allow(dead_code)] // the tests use the rest
#[path = "../tests/third_party/mod.rs"]
pub mod third_party;

use std::collections::BTreeSet;
use std::fmt::Debug;

use crdt_harness::Faults;
use crdt_harness::protocol::{OpProtocol, Protocol, StateProtocol};
use crdt_laws::{
    Config, Delivery, LawReport, Model, OpCrdt, StateCrdt, Verdict, check_op, check_state,
};
use third_party::diamond::DiamondModel;
use third_party::{Relaxed, SOURCES, code_lines, harness};

/// How much to run: laws with a fixed seed, and this many schedules per flavour.
struct Run {
    config: Config,
    schedules: u64,
}

/// What one type's checks add up to, as a row of the table.
struct Row {
    name: &'static str,
    checked_as: String,
    file: &'static str,
    passed: usize,
    applicable: usize,
    schedules: u64,
    findings: Vec<String>,
    details: Vec<String>,
}

impl Row {
    fn new(name: &'static str, checked_as: String, file: &'static str) -> Row {
        Row {
            name,
            checked_as,
            file,
            passed: 0,
            applicable: 0,
            schedules: 0,
            findings: Vec::new(),
            details: Vec::new(),
        }
    }

    fn laws(&mut self, label: &str, report: &LawReport) {
        self.passed += report.with_verdict(Verdict::Passed).count();
        self.applicable += report.results.len();
        for result in report
            .results
            .iter()
            .filter(|r| r.verdict != Verdict::Passed)
        {
            self.findings
                .push(format!("{label} law `{}`", result.law.name()));
            self.details.push(result.to_string());
        }
    }

    fn schedules<P: Protocol>(&mut self, label: &str, protocol: P, run: &Run)
    where
        <P::Model as Model>::Op: 'static + Debug,
    {
        let summary = harness(protocol, Faults::ALL, run.schedules, 1)
            .keep_going(true)
            .run();
        self.schedules += summary.schedules;
        if summary.passed() {
            return;
        }
        let failing = summary.failures.len() as u64 + summary.more_failures;
        let properties: BTreeSet<String> = (summary.failures.iter())
            .map(|f| format!("`{}`", f.finding.property))
            .collect();
        let properties: Vec<String> = properties.into_iter().collect();
        self.findings.push(format!(
            "{label}: {} in {failing} of {} schedules",
            properties.join(", "),
            summary.schedules
        ));
        self.details.push(summary.to_string());
    }

    fn print(&self) {
        let findings = match self.findings.is_empty() {
            true => "none".to_string(),
            false => self.findings.join("; "),
        };
        let (_, source) = (SOURCES.iter())
            .find(|(name, _)| *name == self.file)
            .expect("a model file");
        println!(
            "| {} | {} | {} of {} | {} | {findings} | {} |",
            self.name,
            self.checked_as,
            self.passed,
            self.applicable,
            self.schedules,
            code_lines(source)
        );
    }
}

impl Run {
    /// A `crdts` model three ways: state-based, op-based under causal delivery, and op-based
    /// under the weaker delivery `weaker` (convergence only).
    fn crdts<M>(&self, name: &'static str, file: &'static str, model: M, weaker: Delivery) -> Row
    where
        M: StateCrdt + OpCrdt + Copy + Sync,
        M::Op: 'static + Debug,
    {
        let relaxed = Relaxed {
            model,
            delivery: weaker,
        };
        let weaker = match weaker {
            Delivery::FifoPerSender => "per-actor order",
            _ => "any order, duplicates",
        };
        let checked_as = format!("state; op (causal); op ({weaker})");
        let mut row = Row::new(name, checked_as, file);
        row.laws("state", &check_state(&model, &self.config));
        row.laws("op", &check_op(&model, &self.config));
        row.laws("relaxed", &check_op(&relaxed, &self.config));
        row.schedules("state", StateProtocol(&model), self);
        row.schedules("op (causal)", OpProtocol(&model), self);
        row.schedules(&format!("op ({weaker})"), OpProtocol(&relaxed), self);
        row
    }

    /// The diamond-types model, op-based under causal delivery.
    fn diamond(&self, name: &'static str, model: DiamondModel) -> Row {
        let checked_as = match model.as_fugue_max {
            false => "op (causal), sequence oracles",
            true => "the same, and FugueMax spec, non-interleaving",
        };
        let mut row = Row::new(name, checked_as.to_string(), "diamond.rs");
        row.laws("op", &check_op(&model, &self.config));
        row.schedules("op (causal)", OpProtocol(&model), self);
        row
    }
}

fn main() {
    let schedules: u64 = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("a number of schedules"))
        .unwrap_or(10_000);
    let run = Run {
        config: Config::default().with_seed(1),
        schedules,
    };
    use Delivery::{FifoPerSender as PerActor, UnorderedDuplicating as Any};
    use third_party::*;
    let rows = [
        run.crdts(
            "`crdts::GCounter`",
            "g_counter.rs",
            g_counter::GCounterModel,
            Any,
        ),
        run.crdts(
            "`crdts::PNCounter`",
            "pn_counter.rs",
            pn_counter::PnCounterModel,
            Any,
        ),
        run.crdts("`crdts::GSet`", "g_set.rs", g_set::GSetModel, Any),
        run.crdts(
            "`crdts::Orswot`",
            "orswot.rs",
            orswot::OrswotModel,
            PerActor,
        ),
        run.crdts("`crdts::LWWReg`", "lww_reg.rs", lww_reg::LwwRegModel, Any),
        run.crdts("`crdts::MVReg`", "mv_reg.rs", mv_reg::MvRegModel, Any),
        run.crdts(
            "`crdts::Map` of `MVReg`s",
            "map.rs",
            map::MapModel,
            PerActor,
        ),
        run.diamond(
            "diamond-types `ListCRDT`",
            DiamondModel {
                as_fugue_max: false,
            },
        ),
        run.diamond(
            "diamond-types, as FugueMax",
            DiamondModel { as_fugue_max: true },
        ),
    ];
    println!(
        "| type | checked as | laws passed (of applicable) | schedules run | findings | model lines |"
    );
    println!("|---|---|---|---|---|---|");
    rows.iter().for_each(Row::print);
    for row in &rows {
        for detail in &row.details {
            println!("\n### {}\n\n```text\n{detail}```", row.name);
        }
    }
    if rows.iter().any(|row| !row.details.is_empty()) {
        println!("\n(The findings are explained in `harness/tests/third_party_findings.rs`.)");
    }
}
