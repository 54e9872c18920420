//! Renderers: one report, five formats.

mod html;
mod junit;
mod markdown;
pub(crate) mod story;
mod terminal;
pub(crate) mod text;

use std::ffi::OsStr;
use std::str::FromStr;

pub use html::{hasse_svg, html, spacetime_svg};
pub use junit::junit;
pub use markdown::markdown;
pub use terminal::{terminal, terminal_verbose};

use crate::{Error, Report};

/// An output format for [`render`].
///
/// ```
/// use crdt_reports::Format;
/// assert_eq!("md".parse::<Format>()?, Format::Markdown);
/// assert_eq!(Format::Junit.extension(), "xml");
/// assert!("pdf".parse::<Format>().is_err());
/// # Ok::<(), crdt_reports::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// A compact summary table for a terminal; see [`terminal`].
    Terminal {
        /// Colour with ANSI escapes; decide with [`colour_wanted`].
        colour: bool,
    },
    /// Markdown for CI job summaries and pull-request comments; see [`markdown`].
    Markdown,
    /// JUnit XML for CI systems; see [`junit`].
    Junit,
    /// One self-contained HTML page with SVG diagrams and charts; see [`html`].
    Html,
    /// The report itself, as pretty-printed JSON; see [`Report::to_json`].
    Json,
}

impl Format {
    /// The usual file extension: `txt`, `md`, `xml`, `html`, `json`.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Terminal { .. } => "txt",
            Self::Markdown => "md",
            Self::Junit => "xml",
            Self::Html => "html",
            Self::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = Error;

    /// Parses `terminal` (or `text`), `markdown` (or `md`), `junit` (or `xml`), `html`, `json`;
    /// the terminal format parses without colour.
    fn from_str(name: &str) -> Result<Self, Error> {
        match name.to_ascii_lowercase().as_str() {
            "terminal" | "text" | "txt" => Ok(Self::Terminal { colour: false }),
            "markdown" | "md" => Ok(Self::Markdown),
            "junit" | "xml" => Ok(Self::Junit),
            "html" => Ok(Self::Html),
            "json" => Ok(Self::Json),
            _ => Err(Error::UnknownFormat(name.to_owned())),
        }
    }
}

/// Renders a report in a format.
///
/// ```
/// use crdt_reports::{Format, render};
/// let report = crdt_reports::example_report();
/// assert!(render(&report, Format::Html).starts_with("<!DOCTYPE html>"));
/// assert!(render(&report, Format::Junit).contains("<testsuite name=\"g_counter\""));
/// ```
#[must_use]
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Terminal { colour } => terminal(report, colour),
        Format::Markdown => markdown(report),
        Format::Junit => junit(report),
        Format::Html => html(report),
        Format::Json => report.to_json(),
    }
}

/// Whether terminal output should be coloured: only on a terminal, and only when the
/// `NO_COLOR` environment variable is unset or empty (<https://no-color.org>).
///
/// ```
/// use std::io::IsTerminal;
/// let colour = crdt_reports::colour_wanted(std::io::stdout().is_terminal());
/// let text = crdt_reports::render(&crdt_reports::example_report(),
///                                 crdt_reports::Format::Terminal { colour });
/// # let _ = text;
/// ```
#[must_use]
pub fn colour_wanted(is_terminal: bool) -> bool {
    colour_wanted_with(is_terminal, std::env::var_os("NO_COLOR").as_deref())
}

/// [`colour_wanted`] with the value of `NO_COLOR` given, for callers that read their
/// environment elsewhere.
///
/// ```
/// use crdt_reports::colour_wanted_with;
/// assert!(colour_wanted_with(true, None));
/// assert!(colour_wanted_with(true, Some("".as_ref())));
/// assert!(!colour_wanted_with(true, Some("1".as_ref())));
/// assert!(!colour_wanted_with(false, None));
/// ```
#[must_use]
pub fn colour_wanted_with(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// One line about where a report came from: `crdt-harness 0.1.0 · seed 42 · 2 threads ·
/// shard 1/1 · 3.25 s · complete`. Merged reports list the distinct values.
pub(crate) fn provenance(report: &Report) -> String {
    use std::collections::BTreeSet;
    let runs = &report.invocations;
    let distinct = |values: BTreeSet<String>| values.into_iter().collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    let tools = distinct(
        runs.iter()
            .map(|i| {
                format!("{} {}", i.tool.name, i.tool.version)
                    .trim()
                    .to_owned()
            })
            .filter(|t| !t.is_empty())
            .collect(),
    );
    if !tools.is_empty() {
        parts.push(tools);
    }
    let plural = |n: usize, one: &str, many: &str| if n == 1 { one } else { many }.to_owned();
    let seeds: BTreeSet<u64> = runs.iter().map(|i| i.run.seed).collect();
    if !seeds.is_empty() {
        let list: Vec<String> = seeds.iter().map(u64::to_string).collect();
        parts.push(format!(
            "{} {}",
            plural(seeds.len(), "seed", "seeds"),
            list.join(", ")
        ));
    }
    let threads: BTreeSet<u32> = runs.iter().map(|i| i.run.threads).collect();
    if !threads.is_empty() {
        let list: Vec<String> = threads.iter().map(u32::to_string).collect();
        let word = if threads.len() == 1 && threads.contains(&1) {
            "thread"
        } else {
            "threads"
        };
        parts.push(format!("{} {word}", list.join(", ")));
    }
    let shards: BTreeSet<crate::Shard> = runs.iter().map(|i| i.run.shard).collect();
    if !shards.is_empty() {
        let list: Vec<String> = shards.iter().map(ToString::to_string).collect();
        parts.push(format!(
            "{} {}",
            plural(shards.len(), "shard", "shards"),
            list.join(", ")
        ));
    }
    if !runs.is_empty() {
        let total: u64 = runs.iter().map(|i| i.run.duration_us).sum();
        let time = text::duration_us(total);
        parts.push(if runs.len() == 1 {
            time
        } else {
            format!("{} runs, {time} in total", runs.len())
        });
    }
    parts.push(completeness(report));
    parts.join(" · ")
}

/// Whether the run is all here: `complete`; `INCOMPLETE` when a run was interrupted; for
/// shards that finished but are not all merged, `complete shard (1 of 2)`.
pub(crate) fn completeness(report: &Report) -> String {
    if report.is_interrupted() {
        return "INCOMPLETE".to_owned();
    }
    match report.shards_present() {
        (present, count) if present < count => {
            let noun = if present == 1 { "shard" } else { "shards" };
            format!("complete {noun} ({present} of {count})")
        }
        _ => "complete".to_owned(),
    }
}

/// Why a law is vacuous: `premise held 3 times in 256 cases (threshold 10)`.
pub(crate) fn premise_note(law: &crate::LawResult) -> String {
    match law.premise {
        Some(p) => format!(
            "premise held {} {} in {} cases (threshold {})",
            text::count(p.hits),
            if p.hits == 1 { "time" } else { "times" },
            text::count(law.cases),
            text::count(p.threshold)
        ),
        None => format!("{} cases", text::count(law.cases)),
    }
}

/// The facts of a finding in one line: `seed 7, schedule 311, shrunk from 47 to 11 steps`.
pub(crate) fn finding_facts(finding: &crate::Finding) -> String {
    format!(
        "seed {}, schedule {}, shrunk from {} to {} steps",
        finding.seed,
        finding.schedule_index,
        text::count(finding.original_steps),
        text::count(finding.shrunk_steps)
    )
}

/// The headers of the numbers in a model's summary row.
pub(crate) const NUMBER_HEADERS: [&str; 7] = [
    "Laws",
    "Failed",
    "Vacuous",
    "Schedules",
    "Steps",
    "Schedules/s",
    "Findings",
];

/// A model's status and the numbers of its summary row, formatted, in [`NUMBER_HEADERS`] order.
pub(crate) fn model_numbers(model: &crate::ModelReport) -> (crate::Status, [String; 7]) {
    let s = model.summary();
    (
        s.status(),
        [
            text::count_usize(s.laws.total()),
            text::count_usize(s.laws.failed),
            text::count_usize(s.laws.vacuous),
            text::count(s.schedules),
            text::count(s.steps),
            text::rate(s.throughput()),
            text::count_usize(s.findings),
        ],
    )
}

/// The headers of a sync run's cost figures, in [`sync_costs`]' order: means per schedule.
pub(crate) const SYNC_HEADERS: [&str; 7] = [
    "Messages",
    "Bytes",
    "Final messages",
    "Final bytes",
    "Final rounds",
    "State bytes",
    "Schedules",
];

/// The sync protocol's cost in each run that recorded it (the sync flavour's), model by model:
/// the model, the run, and its figures in [`SYNC_HEADERS`] order (means per passing schedule,
/// then how many schedules passed).
pub(crate) fn sync_costs(report: &Report) -> Vec<(&str, &crate::RunConfig, [String; 7])> {
    let mut rows = Vec::new();
    for (model, m) in &report.models {
        for (config, run) in &m.runs {
            let Some(t) = run.sync() else { continue };
            let per = |total| text::rate(t.per_schedule(total));
            let figures = [
                per(t.messages),
                per(t.bytes),
                per(t.final_messages),
                per(t.final_bytes),
                per(t.final_rounds),
                per(t.state_bytes),
                text::count(t.schedules),
            ];
            rows.push((model.as_str(), config, figures));
        }
    }
    rows
}

/// Something a reader must look at: a law that did not pass, or a finding.
pub(crate) enum Notice<'a> {
    /// A failed, vacuous or skipped law.
    Law {
        model: &'a str,
        name: &'a str,
        law: &'a crate::LawResult,
    },
    /// A harness finding.
    Finding {
        model: &'a str,
        config: &'a crate::RunConfig,
        finding: &'a crate::Finding,
    },
}

/// Every notice of a report, model by model: its laws that did not pass, then its findings.
pub(crate) fn notices(report: &Report) -> impl Iterator<Item = Notice<'_>> {
    report.models.iter().flat_map(|(model, m)| {
        let laws = m
            .laws
            .iter()
            .filter(|(_, law)| law.outcome != crate::Outcome::Passed)
            .map(move |(name, law)| Notice::Law { model, name, law });
        let findings = m.runs.iter().flat_map(move |(config, run)| {
            run.findings().map(move |finding| Notice::Finding {
                model,
                config,
                finding,
            })
        });
        laws.chain(findings)
    })
}

/// The facts of a law's run: `3 cases, seed 42`.
pub(crate) fn law_facts(law: &crate::LawResult) -> String {
    let mut facts = format!(
        "{} {}",
        text::count(law.cases),
        if law.cases == 1 { "case" } else { "cases" }
    );
    if let Some(seed) = law.seed {
        facts.push_str(&format!(", seed {seed}"));
    }
    facts
}

/// Where a term's value came from, in parentheses with a leading space, or nothing.
pub(crate) fn source_note(term: &crate::Term) -> String {
    term.source
        .as_ref()
        .map(|source| format!(" ({source})"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Invocation, RunMeta, Shard};

    #[test]
    fn one_replica_and_one_step_are_singular() {
        let config = crate::RunConfig {
            replicas: 1,
            steps_per_schedule: 1,
            seed: 3,
            shards: 1,
            ..crate::RunConfig::default()
        };
        assert_eq!(config.to_string(), "1 replica × 1 step, no faults, seed 3");
        let config = crate::RunConfig {
            replicas: 2,
            steps_per_schedule: 50,
            ..config
        };
        assert_eq!(
            config.to_string(),
            "2 replicas × 50 steps, no faults, seed 3"
        );
    }

    #[test]
    fn a_finished_shard_is_complete_and_says_which_part_it_is() {
        let shard = |index, complete| {
            Report::new(Invocation {
                run: RunMeta {
                    seed: 7,
                    threads: 1,
                    shard: Shard { index, count: 2 },
                    duration_us: 1_000_000,
                    complete,
                    ..RunMeta::default()
                },
                ..Invocation::default()
            })
        };
        let one = provenance(&shard(0, true));
        assert!(one.ends_with("· complete shard (1 of 2)"), "{one}");
        assert!(!one.contains("INCOMPLETE"), "{one}");
        let both = provenance(&Report::merged([shard(0, true), shard(1, true)]));
        assert!(both.ends_with("· complete"), "{both}");
        let stopped = provenance(&shard(1, false));
        assert!(stopped.ends_with("· INCOMPLETE"), "{stopped}");
    }

    #[test]
    fn provenance_of_merged_shards_lists_them_in_order() {
        let shard = |index| {
            Report::new(Invocation {
                run: RunMeta {
                    seed: 7,
                    threads: 2,
                    shard: Shard { index, count: 12 },
                    duration_us: 1_000_000,
                    complete: index != 9,
                    ..RunMeta::default()
                },
                ..Invocation::default()
            })
        };
        let merged = Report::merged([shard(9), shard(1), shard(1)]);
        assert_eq!(
            provenance(&merged),
            "seed 7 · 2 threads · shards 2/12, 10/12 · 2 runs, 2.00 s in total · INCOMPLETE"
        );
    }
}
