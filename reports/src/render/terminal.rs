//! The terminal renderer: a compact summary table.

use std::fmt::Write as _;

use super::story::story;
use super::text::{count, count_usize};
use super::{
    NUMBER_HEADERS, Notice, finding_facts, law_facts, model_numbers, notices, premise_note,
    provenance, source_note, sync_costs,
};
use crate::{Outcome, Report, Status};

/// ANSI styles, or nothing when colour is off.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn paint(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn status(self, status: Status, text: &str) -> String {
        let code = match status {
            Status::Failed => "1;31",
            Status::Vacuous => "33",
            Status::Passed => "32",
            Status::Empty => "2",
        };
        self.paint(code, text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// Renders a compact summary for a terminal: a header line, a table with one row per model,
/// then a short block per failed law and per finding, a line per vacuous law, and one line
/// for all skipped laws ([`terminal_verbose`] gives each with its reason). With `colour`,
/// statuses are coloured with ANSI escapes (decide with [`colour_wanted`](crate::colour_wanted)).
///
/// ```
/// let text = crdt_reports::terminal(&crdt_reports::example_report(), false);
/// assert!(text.contains("g_set_meet"));
/// assert!(text.contains("SKIPPED 1 law of 1 model"));
/// assert!(text.lines().last().unwrap().starts_with("FAILED"));
/// ```
#[must_use]
pub fn terminal(report: &Report, colour: bool) -> String {
    render(report, colour, false)
}

/// As [`terminal`], with each skipped law and why it was skipped.
///
/// ```
/// let text = crdt_reports::terminal_verbose(&crdt_reports::example_report(), false);
/// assert!(text.contains("SKIPPED or_set · law bottom_is_identity"));
/// ```
#[must_use]
pub fn terminal_verbose(report: &Report, colour: bool) -> String {
    render(report, colour, true)
}

fn render(report: &Report, colour: bool, verbose: bool) -> String {
    let paint = Paint(colour);
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint.dim(&provenance(report)));
    out.push('\n');
    table(report, paint, &mut out);
    sync_costs_section(report, paint, &mut out);
    details(report, paint, verbose, &mut out);

    let summary = report.summary();
    let status = summary.status();
    let mut last = format!(
        "{}: {} {}, {} laws ({} failed, {} vacuous), {} schedules, {} findings",
        status.name().to_uppercase(),
        count_usize(summary.models),
        if summary.models == 1 {
            "model"
        } else {
            "models"
        },
        count_usize(summary.laws.total()),
        count_usize(summary.laws.failed),
        count_usize(summary.laws.vacuous),
        count(summary.schedules),
        count_usize(summary.findings),
    );
    if report.is_interrupted() {
        last.push_str(" (incomplete run)");
    } else if let (present, count) = report.shards_present()
        && present < count
    {
        last.push_str(&format!(" ({present} of {count} shards)"));
    }
    let _ = writeln!(out, "\n{}", paint.status(status, &last));
    out
}

fn table(report: &Report, paint: Paint, out: &mut String) {
    let mut headers = vec!["MODEL".to_owned(), "FLAVOUR".to_owned()];
    headers.extend(NUMBER_HEADERS.map(str::to_uppercase));
    headers.push("STATUS".to_owned());
    let rows: Vec<(Status, Vec<String>)> = report
        .models
        .iter()
        .map(|(name, model)| {
            let (status, numbers) = model_numbers(model);
            let mut cells = vec![name.clone(), model.flavour.to_string()];
            cells.extend(numbers);
            cells.push(status.name().to_owned());
            (status, cells)
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for (_, cells) in &rows {
        for (w, cell) in widths.iter_mut().zip(cells) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let last = headers.len() - 1;
    let line = |cells: &[String]| {
        let mut line = String::new();
        for (i, (cell, &w)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(w - cell.chars().count());
            // Names left, numbers right; the status is last and not padded.
            match i {
                0 | 1 => line.push_str(&format!("{cell}{pad}  ")),
                i if i == last => line.push_str(cell),
                _ => line.push_str(&format!("{pad}{cell}  ")),
            }
        }
        line
    };
    let _ = writeln!(out, "{}", paint.dim(&line(&headers)));
    for (status, cells) in &rows {
        // Colour only the status word, after padding, so escapes do not upset the widths.
        let _ = writeln!(
            out,
            "{}{}",
            line(&cells[..last]),
            paint.status(*status, &cells[last])
        );
    }
}

/// The sync protocols' cost, one line per sync run, when a run recorded it.
fn sync_costs_section(report: &Report, paint: Paint, out: &mut String) {
    let rows = sync_costs(report);
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}",
        paint.dim("SYNC COST (means per passing schedule; final: on the healed, quiet network)")
    );
    // The run's configuration is in the table above; it is named here only for a model
    // with more than one sync run.
    let runs = |name: &str| rows.iter().filter(|(m, _, _)| *m == name).count();
    for (model, config, figures) in &rows {
        let [
            messages,
            bytes,
            final_messages,
            final_bytes,
            rounds,
            state,
            schedules,
        ] = figures;
        let name = if runs(model) > 1 {
            format!("{model} ({config})")
        } else {
            model.to_string()
        };
        let _ = writeln!(
            out,
            "{name}: {messages} messages, {bytes} bytes; final sync {final_messages} messages, \
             {final_bytes} bytes in {rounds} rounds; state {state} bytes; over {schedules} \
             schedules"
        );
    }
}

fn details(report: &Report, paint: Paint, verbose: bool, out: &mut String) {
    let (mut skipped, mut skipping) = (0usize, std::collections::BTreeSet::new());
    for notice in notices(report) {
        match notice {
            Notice::Law { model, name, law } => {
                let heading = format!("{model} · law {name}: {}", law.formula);
                match &law.outcome {
                    Outcome::Failed { counterexample: c } => {
                        let _ = writeln!(
                            out,
                            "\n{} {heading}\n    {} ({})",
                            paint.status(Status::Failed, "FAILED"),
                            c.message,
                            law_facts(law)
                        );
                        for input in &c.inputs {
                            let _ = writeln!(
                                out,
                                "    {} = {}{}",
                                input.label,
                                input.debug,
                                paint.dim(&source_note(input))
                            );
                        }
                        if let Some([left, right]) = &c.sides {
                            let _ = writeln!(
                                out,
                                "    {} = {}  but  {} = {}",
                                left.label, left.debug, right.label, right.debug
                            );
                        }
                    }
                    Outcome::Vacuous => {
                        let _ = writeln!(
                            out,
                            "\n{} {heading}\n    {}",
                            paint.status(Status::Vacuous, "VACUOUS"),
                            premise_note(law)
                        );
                    }
                    Outcome::Skipped { reason } if verbose => {
                        let _ = writeln!(out, "\n{} {heading}\n    {reason}", paint.dim("SKIPPED"));
                    }
                    Outcome::Skipped { .. } => {
                        skipped += 1;
                        skipping.insert(model);
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
                    "\n{} {model} · {} ({config})\n    {}\n    {}\n    {}",
                    paint.status(Status::Failed, "FAILED"),
                    finding.property,
                    finding_facts(finding),
                    finding.message,
                    story(finding)
                );
                if let Some(path) = &finding.replay_file {
                    // The file, not a command: which binary replays it depends on who reads this.
                    let _ = writeln!(out, "    replay file: {path}");
                }
            }
        }
    }
    if skipped > 0 {
        let _ = writeln!(
            out,
            "\n{} {skipped} {} of {} {} (what they need is not declared; the report lists them)",
            paint.dim("SKIPPED"),
            if skipped == 1 { "law" } else { "laws" },
            skipping.len(),
            if skipping.len() == 1 {
                "model"
            } else {
                "models"
            },
        );
    }
}
