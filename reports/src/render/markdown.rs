//! The Markdown renderer, for CI job summaries and pull-request comments (GitHub-flavoured).

use std::fmt::Write as _;

use super::story::{self, story};
use super::text::replica;
use super::{
    NUMBER_HEADERS, Notice, SYNC_HEADERS, finding_facts, law_facts, model_numbers, notices,
    premise_note, provenance, source_note, sync_costs,
};
use crate::{Counterexample, Finding, LawResult, Outcome, Report, Status};

/// Renders Markdown for CI job summaries and pull-request comments: a heading with the overall
/// verdict, a table with one row per model, a section per failed law (inputs, sides,
/// execution) and per finding (story, final values, minimal schedule, replay command), and a
/// list of vacuous and skipped laws. Long parts are folded in `<details>`.
///
/// ```
/// let md = crdt_reports::markdown(&crdt_reports::example_report());
/// assert!(md.starts_with("## CRDT verification: ❌ failed"));
/// assert!(md.contains("| `g_counter` |"));
/// ```
#[must_use]
pub fn markdown(report: &Report) -> String {
    let summary = report.summary();
    let status = summary.status();
    let mut out = format!(
        "## CRDT verification: {} {}\n\n{}\n\n",
        icon(status),
        status.name(),
        text(&provenance(report))
    );
    out.push_str("| Model | Flavour | ");
    out.push_str(&NUMBER_HEADERS.join(" | "));
    out.push_str(" | Status |\n|:--|:--|");
    out.push_str(&"--:|".repeat(NUMBER_HEADERS.len()));
    out.push_str(":--|\n");
    for (name, model) in &report.models {
        let (status, numbers) = model_numbers(model);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} {} |",
            cell_code(name),
            model.flavour,
            numbers.join(" | "),
            icon(status),
            status.name()
        );
    }
    sync_table(report, &mut out);

    let mut not_checked = Vec::new();
    for notice in notices(report) {
        match notice {
            Notice::Law { model, name, law } => {
                let what = format!("{} · {} ({})", code(model), code(name), code(&law.formula));
                match &law.outcome {
                    Outcome::Failed { counterexample } => {
                        let _ =
                            writeln!(out, "\n### ❌ {}: law {} failed\n", code(model), code(name));
                        counterexample_section(law, counterexample, &mut out);
                    }
                    Outcome::Vacuous => {
                        not_checked.push(format!("- ⚠️ {what}: vacuous, {}", premise_note(law)));
                    }
                    Outcome::Skipped { reason } => {
                        not_checked.push(format!("- ⏭️ {what}: skipped, {}", text(reason)));
                    }
                    Outcome::Passed => {}
                }
            }
            Notice::Finding {
                model,
                config,
                finding,
            } => {
                let _ = writeln!(
                    out,
                    "\n### ❌ {}: {}\n\n{}",
                    code(model),
                    finding.property,
                    text(&config.to_string())
                );
                finding_section(finding, &mut out);
            }
        }
    }
    if !not_checked.is_empty() {
        let _ = writeln!(out, "\n### Not fully checked\n\n{}", not_checked.join("\n"));
    }
    out
}

/// The sync protocols' cost, one row per sync run, when a run recorded it.
fn sync_table(report: &Report, out: &mut String) {
    let rows = sync_costs(report);
    if rows.is_empty() {
        return;
    }
    out.push_str("\n### Sync cost\n\nMeans per passing schedule; the final sync is the one on the healed, quiet network.\n\n| Model | Run | ");
    out.push_str(&SYNC_HEADERS.join(" | "));
    out.push_str(" |\n|:--|:--|");
    out.push_str(&"--:|".repeat(SYNC_HEADERS.len()));
    out.push('\n');
    for (model, config, figures) in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            cell_code(model),
            text(&config.to_string()),
            figures.join(" | ")
        );
    }
}

fn counterexample_section(law: &LawResult, c: &Counterexample, out: &mut String) {
    let _ = writeln!(
        out,
        "{} — {} ({})\n",
        code(&law.formula),
        text(&c.message),
        law_facts(law)
    );
    if !c.inputs.is_empty() {
        out.push_str("| Input | Value |\n|:--|:--|\n");
        for input in &c.inputs {
            let _ = writeln!(
                out,
                "| {} | {}{} |",
                cell_code(&input.label),
                cell_code(&input.debug),
                text(&source_note(input))
            );
        }
    }
    if let Some([left, right]) = &c.sides {
        let _ = writeln!(
            out,
            "\nThe two sides: {} = {} and {} = {}",
            code(&left.label),
            code(&left.debug),
            code(&right.label),
            code(&right.debug)
        );
    }
    if !c.execution.is_empty() {
        folded(
            &format!("Execution ({} steps)", c.execution.len()),
            &numbered(c.execution.iter().map(|s| text(s))),
            out,
        );
    }
}

fn finding_section(finding: &Finding, out: &mut String) {
    let _ = writeln!(
        out,
        "\n{} ({})\n\n> {}\n",
        text(&finding.message),
        finding_facts(finding),
        text(&story(finding))
    );
    if !finding.final_values.is_empty() {
        out.push_str("| Replica | Final value |\n|:--|:--|\n");
        for (i, value) in (0u32..).zip(&finding.final_values) {
            let name = if finding.diverging.contains(&i) {
                format!("**{}** (diverges)", replica(i))
            } else {
                replica(i)
            };
            let _ = writeln!(out, "| {name} | {} |", cell_code(value));
        }
    }
    if let Some(path) = &finding.replay_file {
        let _ = writeln!(
            out,
            "\nReplay: {}",
            code(&format!("crdt-harness replay {path}"))
        );
    }
    folded(
        &format!("Minimal schedule ({})", story::size(finding)),
        &numbered(story::steps(&finding.schedule).iter().map(|s| text(s))),
        out,
    );
    if let Some(test) = &finding.regression_test {
        let fence = "`".repeat(longest_run(test, '`').max(2) + 1);
        folded(
            "Regression test",
            &format!("{fence}rust\n{test}\n{fence}"),
            out,
        );
    }
}

fn folded(summary: &str, body: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "\n<details><summary>{}</summary>\n\n{body}\n\n</details>",
        text(summary)
    );
}

fn numbered(lines: impl Iterator<Item = String>) -> String {
    lines
        .enumerate()
        .map(|(i, line)| format!("{}. {line}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

const fn icon(status: Status) -> &'static str {
    match status {
        Status::Failed => "❌",
        Status::Vacuous => "⚠️",
        Status::Passed => "✅",
        Status::Empty => "➖",
    }
}

/// Plain text with Markdown's special characters escaped, on one line.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An inline code span that holds any text on one line.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// An inline code span inside a table cell, where `|` must be escaped even in code.
fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

fn longest_run(s: &str, ch: char) -> usize {
    s.split(|c| c != ch).map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks_pipes_and_newlines() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(cell_code("A | B"), "`A \\| B`");
    }

    #[test]
    fn text_escapes_markup() {
        assert_eq!(text("a_b *c* <d> |"), "a\\_b \\*c\\* &lt;d&gt; \\|");
    }
}
