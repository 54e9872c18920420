//! The JUnit XML renderer, for CI systems.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::story::{self, story};
use super::text::{replica, seconds, xml};
use super::{finding_facts, law_facts, premise_note, source_note};
use crate::{Counterexample, Finding, LawResult, ModelReport, Outcome, Report};

/// One `<testcase>` before it is written.
struct Case {
    classname: String,
    name: String,
    time_us: Option<u64>,
    result: CaseResult,
}

enum CaseResult {
    Passed,
    Skipped(String),
    Failed { message: String, body: String },
}

/// Renders JUnit XML: a `<testsuite>` per model, a `<testcase>` per law (class `model.laws`)
/// and per harness oracle and configuration (class `model.harness`). Failed laws and oracles
/// carry a `<failure>` with the counterexample; vacuous and skipped laws are `<skipped>` with
/// the reason, so CI shows them as not passed without failing the build on them.
///
/// ```
/// let xml = crdt_reports::junit(&crdt_reports::example_report());
/// assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
/// assert!(xml.contains(r#"<testcase classname="g_set_meet.laws" name="update_inflationary""#));
/// ```
#[must_use]
pub fn junit(report: &Report) -> String {
    let mut suites = String::new();
    let (mut tests, mut failures, mut skipped, mut time_us) = (0, 0, 0, 0);
    for (name, model) in &report.models {
        let cases = cases(name, model);
        let suite_failures = cases
            .iter()
            .filter(|c| matches!(c.result, CaseResult::Failed { .. }))
            .count();
        let suite_skipped = cases
            .iter()
            .filter(|c| matches!(c.result, CaseResult::Skipped(_)))
            .count();
        let suite_time: u64 = model.laws.values().map(|l| l.duration_us).sum::<u64>()
            + model.runs.values().map(|r| r.duration_us()).sum::<u64>();
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{suite_failures}\" errors=\"0\" \
             skipped=\"{suite_skipped}\" time=\"{}\">\n    <properties>\n      \
             <property name=\"flavour\" value=\"{}\"/>\n    </properties>",
            xml(name),
            cases.len(),
            seconds(suite_time),
            model.flavour
        );
        for case in &cases {
            write_case(case, &mut suites);
        }
        suites.push_str("  </testsuite>\n");
        tests += cases.len();
        failures += suite_failures;
        skipped += suite_skipped;
        time_us += suite_time;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"crdt-verify\" \
         tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" \
         time=\"{}\">\n{suites}</testsuites>\n",
        seconds(time_us)
    )
}

fn cases(model_name: &str, model: &ModelReport) -> Vec<Case> {
    let mut cases = Vec::new();
    for (law_name, law) in &model.laws {
        let result = match &law.outcome {
            Outcome::Passed => CaseResult::Passed,
            Outcome::Vacuous => CaseResult::Skipped(format!("vacuous: {}", premise_note(law))),
            Outcome::Skipped { reason } => CaseResult::Skipped(reason.clone()),
            Outcome::Failed { counterexample } => CaseResult::Failed {
                message: format!("{law_name} failed: {}", counterexample.message),
                body: law_body(law, counterexample),
            },
        };
        cases.push(Case {
            classname: format!("{model_name}.laws"),
            name: law_name.clone(),
            time_us: Some(law.duration_us),
            result,
        });
    }
    for (config, run) in &model.runs {
        let properties: BTreeSet<_> = config
            .oracles
            .iter()
            .chain(run.findings().map(|f| &f.property))
            .collect();
        for property in properties {
            let found: Vec<&Finding> = run.findings().filter(|f| &f.property == property).collect();
            let result = match found.first() {
                None => CaseResult::Passed,
                Some(first) => CaseResult::Failed {
                    message: format!("{property}: {}", first.message),
                    body: found
                        .iter()
                        .map(|f| finding_body(f))
                        .collect::<Vec<_>>()
                        .join("\n"),
                },
            };
            cases.push(Case {
                classname: format!("{model_name}.harness"),
                name: format!("{property} ({config})"),
                time_us: None,
                result,
            });
        }
    }
    cases
}

fn write_case(case: &Case, out: &mut String) {
    let time = case
        .time_us
        .map(|us| format!(" time=\"{}\"", seconds(us)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\"{time}",
        xml(&case.classname),
        xml(&case.name)
    );
    match &case.result {
        CaseResult::Passed => out.push_str("/>\n"),
        CaseResult::Skipped(message) => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                xml(message)
            );
        }
        CaseResult::Failed { message, body } => {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"AssertionError\">{}</failure>\n    </testcase>",
                xml(message),
                xml(body)
            );
        }
    }
}

fn law_body(law: &LawResult, c: &Counterexample) -> String {
    let mut body = format!("{}\n{} ({})\n", law.formula, c.message, law_facts(law));
    for term in &c.inputs {
        let _ = writeln!(body, "{} = {}{}", term.label, term.debug, source_note(term));
    }
    if let Some([left, right]) = &c.sides {
        let _ = writeln!(body, "left side: {} = {}", left.label, left.debug);
        let _ = writeln!(body, "right side: {} = {}", right.label, right.debug);
    }
    if !c.execution.is_empty() {
        body.push_str("execution:\n");
        for step in &c.execution {
            let _ = writeln!(body, "  {step}");
        }
    }
    body
}

fn finding_body(finding: &Finding) -> String {
    let mut body = format!("{}\n{}\n", finding_facts(finding), story(finding));
    body.push_str("minimal schedule:\n");
    for (i, step) in story::steps(&finding.schedule).iter().enumerate() {
        let _ = writeln!(body, "  {}. {step}", i + 1);
    }
    for (i, value) in (0u32..).zip(&finding.final_values) {
        let _ = writeln!(body, "{} shows {value}", replica(i));
    }
    if let Some(path) = &finding.replay_file {
        let _ = writeln!(body, "replay: crdt-harness replay {path}");
    }
    body
}
