//! The HTML renderer: one self-contained page with inline CSS and SVG.

mod chart;
mod hasse;
mod spacetime;
mod svg;

use std::fmt::Write as _;

pub use hasse::hasse_svg;
pub use spacetime::spacetime_svg;

use super::story::{self, story};
use super::text::{count, count_usize, duration_us, rate, replica, xml};
use super::{
    NUMBER_HEADERS, finding_facts, law_facts, model_numbers, premise_note, provenance, source_note,
};
use crate::{
    Counterexample, Finding, HarnessRun, LawResult, ModelReport, Outcome, Report, RunConfig,
};

const STYLE: &str = include_str!("style.css");

/// Renders one self-contained HTML page: no scripts, no network, no external assets (the CSS
/// and every drawing are inline). It shows the summary, then per model (failed ones first) its
/// laws (verdict, cases, premise hits, time) and harness runs (shards, schedules, steps,
/// throughput), with
/// - per failed law: the formula, the inputs and the two sides, the execution, and a
///   [Hasse diagram](hasse_svg) of the states involved;
/// - per finding: its facts, a plain-words [story](crate::story), a
///   [space-time diagram](spacetime_svg) of the minimal schedule, the final values with the
///   diverging replicas marked, the replay command and the regression test;
/// - per run that measured them: charts (plotters) of state size and merge time against steps.
///
/// ```
/// let html = crdt_reports::html(&crdt_reports::example_report());
/// assert!(html.contains("<svg") && html.ends_with("</html>\n"));
/// assert!(!html.contains("<script") && !html.contains("src="));
/// ```
#[must_use]
pub fn html(report: &Report) -> String {
    let summary = report.summary();
    let status = summary.status();
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>CRDT verification: {status}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <header>\n<h1>CRDT verification report</h1>\n\
         <p class=\"verdict\"><span class=\"badge {status}\">{status}</span> {} models · {} laws: \
         {} passed, {} vacuous, {} skipped, {} failed · {} schedules · {} findings</p>\n\
         <p class=\"meta\">{}</p>\n</header>\n<main>\n",
        count_usize(summary.models),
        count_usize(summary.laws.total()),
        count_usize(summary.laws.passed),
        count_usize(summary.laws.vacuous),
        count_usize(summary.laws.skipped),
        count_usize(summary.laws.failed),
        count(summary.schedules),
        count_usize(summary.findings),
        xml(&provenance(report)),
        status = status.name(),
    );
    summary_table(report, &mut out);
    // Failures first: that is what a reader opened the page for.
    let mut models: Vec<_> = report.models.iter().collect();
    models.sort_by_key(|(name, model)| (std::cmp::Reverse(model.summary().status()), *name));
    for (name, model) in models {
        model_section(name, model, &mut out);
    }
    let _ = write!(
        out,
        "</main>\n<footer>Written by crdt-reports {} · schema version {}</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        crate::SCHEMA_VERSION
    );
    out
}

fn anchor(model: &str) -> String {
    let safe: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("model-{safe}")
}

fn summary_table(report: &Report, out: &mut String) {
    out.push_str("<h2>Summary</h2>\n<table>\n<tr><th>Model</th><th>Flavour</th>");
    for header in NUMBER_HEADERS {
        let _ = write!(out, "<th>{header}</th>");
    }
    out.push_str("<th>Status</th></tr>\n");
    for (name, model) in &report.models {
        let (status, numbers) = model_numbers(model);
        let status = status.name();
        let _ = write!(
            out,
            "<tr class=\"{status}\"><td><a href=\"#{}\"><code>{}</code></a></td><td>{}</td>",
            xml(&anchor(name)),
            xml(name),
            model.flavour,
        );
        for number in numbers {
            let _ = write!(out, "<td class=\"num\">{number}</td>");
        }
        let _ = writeln!(
            out,
            "<td><span class=\"badge {status}\">{status}</span></td></tr>"
        );
    }
    out.push_str("</table>\n");
}

fn model_section(name: &str, model: &ModelReport, out: &mut String) {
    let status = model.summary().status().name();
    let _ = writeln!(
        out,
        "<section id=\"{}\">\n<h2><code>{}</code> <span class=\"badge {status}\">{status}</span> \
         <span class=\"flavour\">{}</span></h2>",
        xml(&anchor(name)),
        xml(name),
        model.flavour
    );
    if !model.laws.is_empty() {
        laws_table(model, out);
        for (law_name, law) in &model.laws {
            if let Outcome::Failed { counterexample } = &law.outcome {
                law_failure(law_name, law, counterexample, out);
            }
        }
    }
    if !model.runs.is_empty() {
        runs_table(model, out);
        for (config, run) in &model.runs {
            for finding in run.findings() {
                finding_article(config, finding, out);
            }
            charts(config, run, out);
        }
    }
    out.push_str("</section>\n");
}

fn laws_table(model: &ModelReport, out: &mut String) {
    out.push_str(
        "<h3>Laws</h3>\n<table>\n<tr><th>Law</th><th>Formula</th><th>Verdict</th><th>Cases</th>\
         <th>Notes</th><th>Time</th></tr>\n",
    );
    for (law_name, law) in &model.laws {
        let verdict = law.outcome.name();
        let note = match &law.outcome {
            Outcome::Failed { counterexample } => counterexample.message.clone(),
            Outcome::Skipped { reason } => reason.clone(),
            Outcome::Passed | Outcome::Vacuous if law.premise.is_some() => premise_note(law),
            Outcome::Passed | Outcome::Vacuous => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr class=\"{verdict}\"><td><code>{}</code></td><td><code>{}</code></td>\
             <td><span class=\"badge {verdict}\">{verdict}</span></td><td class=\"num\">{}</td>\
             <td>{}</td><td class=\"num\">{}</td></tr>",
            xml(law_name),
            xml(&law.formula),
            count(law.cases),
            xml(&note),
            duration_us(law.duration_us)
        );
    }
    out.push_str("</table>\n");
}

fn law_failure(law_name: &str, law: &LawResult, c: &Counterexample, out: &mut String) {
    let _ = writeln!(
        out,
        "<article>\n<h3>Law <code>{}</code> failed: <code>{}</code></h3>\n<p><strong>{}</strong></p>\n\
         <p class=\"facts\">{}</p>",
        xml(law_name),
        xml(&law.formula),
        xml(&c.message),
        xml(&law_facts(law))
    );
    let failed = " class=\"failed\"";
    let rows =
        c.inputs
            .iter()
            .map(|t| ("input", t, ""))
            .chain(c.sides.iter().flat_map(|[left, right]| {
                [("left side", left, failed), ("right side", right, failed)]
            }));
    let mut table = String::new();
    for (role, term, class) in rows {
        let _ = writeln!(
            table,
            "<tr{class}><td>{role}</td><td><code>{}</code></td><td><code>{}</code>\
             <span class=\"facts\">{}</span></td></tr>",
            xml(&term.label),
            xml(&term.debug),
            xml(&source_note(term))
        );
    }
    if !table.is_empty() {
        let _ = writeln!(
            out,
            "<table>\n<tr><th></th><th>Term</th><th>Value</th></tr>\n{table}</table>"
        );
    }
    if let Some(svg) = hasse_svg(c) {
        let _ = writeln!(
            out,
            "<div class=\"diagram\">{svg}</div>\n<p class=\"caption\">The states involved: a state \
             is below another when it is smaller in the order, with a line when nothing lies \
             between them. The two sides of the broken law are red.</p>"
        );
    }
    if !c.execution.is_empty() {
        out.push_str("<details><summary>Execution that produced the inputs</summary>\n<ol>\n");
        for step in &c.execution {
            let _ = writeln!(out, "<li>{}</li>", xml(step));
        }
        out.push_str("</ol>\n</details>\n");
    }
    out.push_str("</article>\n");
}

fn runs_table(model: &ModelReport, out: &mut String) {
    out.push_str(
        "<h3>Harness runs</h3>\n<table>\n<tr><th>Configuration</th><th>Shards</th>\
         <th>Schedules</th><th>Steps</th><th>Time</th><th>Schedules/s</th><th>Findings</th></tr>\n",
    );
    for (config, run) in &model.runs {
        let complete = if run.is_complete(config) {
            ""
        } else {
            " (incomplete)"
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{} of {}{complete}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            xml(&config.to_string()),
            run.shards.len(),
            config.shards,
            count(run.schedules()),
            count(run.steps()),
            duration_us(run.duration_us()),
            rate(run.throughput()),
            run.findings().count()
        );
    }
    out.push_str("</table>\n");
}

fn finding_article(config: &RunConfig, finding: &Finding, out: &mut String) {
    let _ = writeln!(
        out,
        "<article>\n<h3>Finding: <code>{}</code></h3>\n<p><strong>{}</strong></p>\n\
         <p class=\"facts\">{} · {}</p>\n<p class=\"story\">{}</p>\n\
         <div class=\"diagram\">{}</div>",
        xml(finding.property.name()),
        xml(&finding.message),
        xml(&finding_facts(finding)),
        xml(&config.to_string()),
        xml(&story(finding)),
        spacetime_svg(finding)
    );
    if !finding.final_values.is_empty() {
        out.push_str("<table>\n<tr><th>Replica</th><th>Final value</th></tr>\n");
        for (i, value) in (0u32..).zip(&finding.final_values) {
            let class = if finding.diverging.contains(&i) {
                " class=\"diverging\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<tr><td{class}>{}</td><td{class}><code>{}</code></td></tr>",
                replica(i),
                xml(value)
            );
        }
        out.push_str("</table>\n");
    }
    if let Some(path) = &finding.replay_file {
        let _ = writeln!(
            out,
            "<p>Replay: <code>crdt-harness replay {}</code></p>",
            xml(path)
        );
    }
    let _ = writeln!(
        out,
        "<details><summary>Minimal schedule ({})</summary>\n<ol>",
        story::size(finding)
    );
    for step in story::steps(&finding.schedule) {
        let _ = writeln!(out, "<li>{}</li>", xml(&step));
    }
    out.push_str("</ol>\n</details>\n");
    if let Some(test) = &finding.regression_test {
        let _ = writeln!(
            out,
            "<details><summary>Regression test</summary>\n<pre><code>{}</code></pre>\n</details>",
            xml(test)
        );
    }
    out.push_str("</article>\n");
}

fn charts(config: &RunConfig, run: &HarnessRun, out: &mut String) {
    let figures: Vec<String> = [chart::STATE_SIZE, chart::MERGE_TIME]
        .iter()
        .filter_map(|series| chart::chart(series, run.samples()))
        .map(|drawn| match drawn {
            Ok(svg) => format!("<figure>{svg}</figure>"),
            Err(error) => format!("<p>chart not drawn: {}</p>", xml(&error)),
        })
        .collect();
    if !figures.is_empty() {
        let _ = writeln!(
            out,
            "<h3>Measurements</h3>\n<p class=\"caption\">{}: mean per step over the sampled \
             schedules.</p>\n<div class=\"charts\">{}</div>",
            xml(&config.to_string()),
            figures.concat()
        );
    }
}
