//! Reading criterion's saved estimates and printing them as Markdown tables: each bench's
//! median, its ratio to the floor and to each peer measured in the same run, and its change
//! since a saved baseline, with regressions flagged. The `bench-report` binary is a thin
//! command line over this module.
//!
//! # What it reads
//! criterion keeps, for every benchmark `group/function/value`, a folder
//! `<criterion dir>/<group>/<function>/<value>/` holding `new/benchmark.json` (the id and the
//! throughput), `new/estimates.json` (the statistics of the latest run) and, after
//! `cargo bench -- --save-baseline <name>`, `<name>/estimates.json`. The benchmarks of this
//! crate may add a `crdt-metrics.json` beside them (see [`crate::metrics`]).
//!
//! # Roles
//! The function name says what a bench is (see [`Role`]): `floor-*` benches are physical
//! floors, `peer-*` benches are other crates doing the same work, every other bench is one of
//! ours. Ratios compare benches of the same group and value, so they come from the same run.
//!
//! ```
//! use crdt_benches::report::{Bench, Options, render};
//!
//! let bench = |function: &str, median_ns: f64| Bench {
//!     group: "merge-gset-disjoint".into(),
//!     function: function.into(),
//!     value: Some("1000".into()),
//!     median_ns,
//!     baseline_ns: Some(1000.0),
//!     elements: Some(2000),
//!     metrics: Default::default(),
//! };
//! let benches = [
//!     bench("GSet", 1200.0),
//!     bench("floor-vec-union", 1000.0),
//!     bench("peer-crdts", 12000.0),
//! ];
//! let report = render(&benches, &Options::default());
//! assert!(report.markdown.contains("| 1000 | GSet | 1.20 µs | 1.67 G/s | 1.20× | 10.0× faster | ⚠ +20.0% |"));
//! // The peer is flagged too (+1100%), but only our benches fail a run.
//! assert_eq!(report.regressions.len(), 2);
//! assert_eq!(report.our_regressions().count(), 1);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// What can go wrong while reading criterion's results.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The results folder does not exist.
    #[error(
        "no criterion results at {}: run `cargo bench -p crdt-benches` first, or pass --dir",
        .0.display()
    )]
    MissingDir(PathBuf),
    /// A file or folder could not be read.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file is not JSON.
    #[error("parsing {}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// A file is JSON but not in the expected shape.
    #[error("{}: expected {expected}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What was expected and not found.
        expected: &'static str,
    },
    /// The folder holds no benchmark results.
    #[error("no benchmark results under {}", .0.display())]
    Empty(PathBuf),
    /// No benchmark has the baseline asked for.
    #[error(
        "no benchmark under {} has a baseline named {name:?}: save one with \
         `cargo bench -p crdt-benches -- --save-baseline {name}`",
        dir.display()
    )]
    NoBaseline {
        /// The baseline's name.
        name: String,
        /// The results folder.
        dir: PathBuf,
    },
}

/// What a bench is, from its function name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// One of this project's implementations.
    Ours,
    /// A physical floor (`floor-*`): the least work that computes the same result.
    Floor,
    /// Another crate doing the same work (`peer-*`).
    Peer,
}

impl Role {
    /// The role of a bench named `function`.
    #[must_use]
    pub fn of(function: &str) -> Self {
        if function.starts_with("floor-") {
            Role::Floor
        } else if function.starts_with("peer-") {
            Role::Peer
        } else {
            Role::Ours
        }
    }
}

/// One benchmark's results.
#[derive(Clone, Debug, PartialEq)]
pub struct Bench {
    /// criterion's group.
    pub group: String,
    /// The function: the implementation measured (see [`Role`]).
    pub function: String,
    /// The parameter (a size, a trace name), if any.
    pub value: Option<String>,
    /// The median time per iteration, in nanoseconds.
    pub median_ns: f64,
    /// The saved baseline's median, when there is one.
    pub baseline_ns: Option<f64>,
    /// Elements processed per iteration (criterion's `Throughput::Elements`).
    pub elements: Option<u64>,
    /// Extra measurements written by the bench (`crdt-metrics.json`), by name.
    pub metrics: BTreeMap<String, f64>,
}

impl Bench {
    /// `group/function/value`, criterion's id.
    #[must_use]
    pub fn id(&self) -> String {
        match &self.value {
            Some(value) => format!("{}/{}/{}", self.group, self.function, value),
            None => format!("{}/{}", self.group, self.function),
        }
    }

    /// The bench's [`Role`].
    #[must_use]
    pub fn role(&self) -> Role {
        Role::of(&self.function)
    }

    /// The change of the median since the baseline, as a fraction (`0.1` is 10% slower).
    #[must_use]
    pub fn change(&self) -> Option<f64> {
        self.baseline_ns
            .filter(|&base| base > 0.0)
            .map(|base| self.median_ns / base - 1.0)
    }
}

/// Reads every benchmark under `dir` (criterion's output folder), with the medians of the
/// baseline `baseline` when given. Benches are sorted by id.
///
/// # Errors
/// [`ReportError::MissingDir`] when `dir` does not exist, [`ReportError::Empty`] when it holds
/// no results, [`ReportError::NoBaseline`] when no bench has the baseline, and the I/O and
/// format errors of the files read.
pub fn load(dir: &Path, baseline: Option<&str>) -> Result<Vec<Bench>, ReportError> {
    if !dir.is_dir() {
        return Err(ReportError::MissingDir(dir.to_path_buf()));
    }
    let mut bench_dirs = Vec::new();
    find_bench_dirs(dir, &mut bench_dirs)?;
    bench_dirs.sort();
    let mut benches = Vec::with_capacity(bench_dirs.len());
    for bench_dir in &bench_dirs {
        benches.push(load_bench(bench_dir, baseline)?);
    }
    if benches.is_empty() {
        return Err(ReportError::Empty(dir.to_path_buf()));
    }
    if let Some(name) = baseline
        && benches.iter().all(|b| b.baseline_ns.is_none())
    {
        return Err(ReportError::NoBaseline {
            name: name.to_owned(),
            dir: dir.to_path_buf(),
        });
    }
    benches.sort_by_key(Bench::id);
    Ok(benches)
}

/// Collects the folders under `dir` that hold a `new/benchmark.json`.
fn find_bench_dirs(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    };
    if dir.join("new").join("benchmark.json").is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        // criterion's HTML lives in `report` folders; nothing to read there.
        if entry.file_type().map_err(io)?.is_dir() && entry.file_name() != "report" {
            find_bench_dirs(&entry.path(), out)?;
        }
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        source,
    })
}

/// The median of an `estimates.json`, in nanoseconds.
fn read_median(path: &Path) -> Result<f64, ReportError> {
    read_json(path)?
        .pointer("/median/point_estimate")
        .and_then(Value::as_f64)
        .filter(|m| m.is_finite() && *m >= 0.0)
        .ok_or_else(|| ReportError::Malformed {
            path: path.to_path_buf(),
            expected: "a non-negative number at median.point_estimate",
        })
}

fn load_bench(dir: &Path, baseline: Option<&str>) -> Result<Bench, ReportError> {
    let id_path = dir.join("new").join("benchmark.json");
    let id = read_json(&id_path)?;
    let malformed = |expected| ReportError::Malformed {
        path: id_path.clone(),
        expected,
    };
    let group = id
        .get("group_id")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("a string at group_id"))?;
    let function = id
        .get("function_id")
        .and_then(Value::as_str)
        .unwrap_or(group);
    let value = id.get("value_str").and_then(Value::as_str);
    let elements = id.get("throughput").and_then(|t| {
        t.get("Elements")
            .or_else(|| t.pointer("/ElementsAndBytes/elements"))
            .and_then(Value::as_u64)
    });
    let median_ns = read_median(&dir.join("new").join("estimates.json"))?;
    let baseline_ns = match baseline {
        Some(name) => {
            let path = dir.join(name).join("estimates.json");
            if path.is_file() {
                Some(read_median(&path)?)
            } else {
                None
            }
        }
        None => None,
    };
    let metrics_path = dir.join(crate::metrics::FILE_NAME);
    let metrics = if metrics_path.is_file() {
        serde_json::from_value(read_json(&metrics_path)?).map_err(|_| ReportError::Malformed {
            path: metrics_path,
            expected: "an object of numbers",
        })?
    } else {
        BTreeMap::new()
    };
    Ok(Bench {
        group: group.to_owned(),
        function: function.to_owned(),
        value: value.map(str::to_owned),
        median_ns,
        baseline_ns,
        elements,
        metrics,
    })
}

/// How to render the tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// A change since the baseline above this fraction is a regression (`0.1` for 10%).
    pub threshold: f64,
    /// Only groups whose name contains this.
    pub filter: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            threshold: 0.10,
            filter: None,
        }
    }
}

/// A bench slower than its baseline by more than the threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Regression {
    /// The bench's id.
    pub id: String,
    /// Its role: only regressions of ours fail a run (peers and floors flag machine noise).
    pub role: Role,
    /// The change, as a fraction.
    pub change: f64,
}

/// The rendered report.
#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    /// One Markdown table per group.
    pub markdown: String,
    /// Every regression above the threshold, of any role.
    pub regressions: Vec<Regression>,
}

impl Rendered {
    /// The regressions of our own benches: those that fail `--fail-on-regression`.
    pub fn our_regressions(&self) -> impl Iterator<Item = &Regression> {
        self.regressions.iter().filter(|r| r.role == Role::Ours)
    }
}

/// Renders `benches` as one Markdown table per group, in group order.
///
/// Columns: the parameter; the bench; its median; its throughput (elements per second); its
/// time as a multiple of the fastest floor with the same parameter (`1.20×`: 20% slower than
/// the floor); for each peer of the group, how many times faster or slower ours is than the
/// peer; the change since the baseline (`⚠` beyond the threshold); and notes (the bench's
/// metrics, and for `N-threads` parameters the speedup over `1-thread`).
#[must_use]
pub fn render(benches: &[Bench], options: &Options) -> Rendered {
    let mut groups: BTreeMap<&str, Vec<&Bench>> = BTreeMap::new();
    for bench in benches {
        if options
            .filter
            .as_ref()
            .is_none_or(|f| bench.group.contains(f.as_str()))
        {
            groups.entry(&bench.group).or_default().push(bench);
        }
    }
    let has_baseline = benches.iter().any(|b| b.baseline_ns.is_some());
    let mut markdown = String::new();
    let mut regressions = Vec::new();
    for (group, mut rows) in groups {
        rows.sort_by(|a, b| {
            value_key(a.value.as_deref())
                .cmp(&value_key(b.value.as_deref()))
                .then(a.role().cmp(&b.role()))
                .then(a.function.cmp(&b.function))
        });
        let peers: BTreeSet<&str> = rows
            .iter()
            .filter(|b| b.role() == Role::Peer)
            .map(|b| b.function.as_str())
            .collect();
        let has_floor = rows.iter().any(|b| b.role() == Role::Floor);
        let mut header = vec!["param", "bench", "median", "throughput"];
        if has_floor {
            header.push("vs floor");
        }
        let peer_headers: Vec<String> = peers
            .iter()
            .map(|p| format!("vs {}", p.trim_start_matches("peer-")))
            .collect();
        header.extend(peer_headers.iter().map(String::as_str));
        if has_baseline {
            header.push("vs baseline");
        }
        header.push("notes");
        let _ = writeln!(markdown, "### {group}\n");
        let _ = writeln!(markdown, "| {} |", header.join(" | "));
        let _ = writeln!(
            markdown,
            "|{}",
            header
                .iter()
                .enumerate()
                .map(|(i, _)| if i < 2 || i + 1 == header.len() {
                    "---|"
                } else {
                    "---:|"
                })
                .collect::<String>()
        );
        for bench in &rows {
            let same_value = |b: &&&Bench| b.value == bench.value;
            let mut cells = vec![
                bench.value.clone().unwrap_or_default(),
                bench.function.clone(),
                format_duration(bench.median_ns),
                bench
                    .elements
                    .map(|n| format_rate(n as f64 * 1e9 / bench.median_ns))
                    .unwrap_or_default(),
            ];
            if has_floor {
                let floor = rows
                    .iter()
                    .filter(same_value)
                    .filter(|b| b.role() == Role::Floor)
                    .map(|b| b.median_ns)
                    .fold(f64::INFINITY, f64::min);
                cells.push(if bench.role() == Role::Floor || !floor.is_finite() {
                    String::new()
                } else {
                    format!("{:.2}×", bench.median_ns / floor)
                });
            }
            for peer in &peers {
                let theirs = rows.iter().filter(same_value).find(|b| b.function == *peer);
                cells.push(match theirs {
                    Some(theirs) if bench.role() == Role::Ours => {
                        format_speedup(theirs.median_ns / bench.median_ns)
                    }
                    _ => String::new(),
                });
            }
            if has_baseline {
                cells.push(match bench.change() {
                    None => "new".to_owned(),
                    Some(change) if change > options.threshold => {
                        regressions.push(Regression {
                            id: bench.id(),
                            role: bench.role(),
                            change,
                        });
                        format!("⚠ {}", format_change(change))
                    }
                    Some(change) => format_change(change),
                });
            }
            cells.push(notes(bench, &rows));
            let _ = writeln!(markdown, "| {} |", cells.join(" | "));
        }
        markdown.push('\n');
    }
    Rendered {
        markdown,
        regressions,
    }
}

/// Sorts parameters numerically when they are numbers, then by name.
fn value_key(value: Option<&str>) -> (u8, u64, String) {
    match value {
        None => (0, 0, String::new()),
        Some(v) => match leading_number(v) {
            Some(n) => (1, n, v.to_owned()),
            None => (2, 0, v.to_owned()),
        },
    }
}

/// The number a parameter starts with: `1000`, or `2` for `2-threads`.
fn leading_number(value: &str) -> Option<u64> {
    let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The notes of a bench: its metrics, and its speedup when its parameter counts threads.
fn notes(bench: &Bench, rows: &[&Bench]) -> String {
    let mut notes: Vec<String> = bench
        .metrics
        .iter()
        .map(|(name, value)| crate::metrics::describe(name, *value))
        .collect();
    if let Some(value) = &bench.value
        && let Some(threads) = leading_number(value).filter(|&t| t > 1)
        && value.ends_with("-threads")
        && let Some(one) = rows
            .iter()
            .find(|b| b.function == bench.function && b.value.as_deref() == Some("1-thread"))
    {
        let speedup = one.median_ns / bench.median_ns;
        notes.push(format!(
            "{speedup:.2}× over 1 thread ({:.2} per thread)",
            speedup / threads as f64
        ));
    }
    notes.join("; ")
}

/// `812 ns`, `12.3 µs`, `4.56 ms`, `1.23 s`.
#[must_use]
pub fn format_duration(ns: f64) -> String {
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    format!("{} {unit}", three_digits(value))
}

/// Elements per second: `1.67 G/s`, `456 K/s`.
#[must_use]
pub fn format_rate(per_second: f64) -> String {
    let (value, unit) = if per_second < 1e3 {
        (per_second, "")
    } else if per_second < 1e6 {
        (per_second / 1e3, "K")
    } else if per_second < 1e9 {
        (per_second / 1e6, "M")
    } else {
        (per_second / 1e9, "G")
    };
    format!("{} {unit}/s", three_digits(value))
}

/// Three significant digits: `1.23`, `12.3`, `123`.
fn three_digits(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2}")
    } else if value < 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    }
}

/// `theirs / ours` as `6.1× faster` (ours is faster) or `2.0× slower`.
#[must_use]
pub fn format_speedup(ratio: f64) -> String {
    if ratio >= 1.0 {
        format!("{ratio:.1}× faster")
    } else {
        format!("{:.1}× slower", 1.0 / ratio)
    }
}

/// `+12.0%`, `−3.1%`.
#[must_use]
pub fn format_change(change: f64) -> String {
    let percent = change * 100.0;
    if percent < 0.0 {
        format!("−{:.1}%", -percent)
    } else {
        format!("+{percent:.1}%")
    }
}

/// Parses a threshold: `10%`, `10` (percent) or `2.5%`.
///
/// # Errors
/// A message when it is not a non-negative number of percent.
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches('%').trim();
    match number.parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p / 100.0),
        _ => Err(format!(
            "expected a percentage such as 10% or 2.5, found {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
    }

    #[test]
    fn loads_the_fixture_results_with_their_baseline_and_metrics() {
        let benches = load(&fixtures().join("criterion"), Some("main")).unwrap();
        let ids: Vec<String> = benches.iter().map(Bench::id).collect();
        assert_eq!(
            ids,
            [
                "harness/or-set-delta/1-thread",
                "harness/or-set-delta/2-threads",
                "lists-replay/FugueText/automerge-paper",
                "lists-replay/floor-ropey/automerge-paper",
                "lists-replay/peer-yrs/automerge-paper",
                "merge-gset-disjoint/GSet/1000",
                "merge-gset-disjoint/GSet/100000",
                "merge-gset-disjoint/floor-vec-union/1000",
                "merge-gset-disjoint/floor-vec-union/100000",
                "merge-gset-disjoint/peer-crdts/100000",
            ]
        );
        let gset = &benches[5];
        assert_eq!(gset.median_ns, 1500.0);
        assert_eq!(gset.baseline_ns, Some(1000.0));
        assert_eq!(gset.elements, Some(2000));
        assert_eq!(gset.role(), Role::Ours);
        assert_eq!(benches[2].metrics["peak_bytes_per_char"], 24.5);
        // Added since the baseline was saved.
        assert_eq!(benches[9].baseline_ns, None);
        assert_eq!(benches[9].role(), Role::Peer);
    }

    #[test]
    fn renders_ratios_to_the_floor_and_peers_and_flags_regressions() {
        let benches = load(&fixtures().join("criterion"), Some("main")).unwrap();
        let report = render(&benches, &Options::default());
        let md = &report.markdown;
        assert!(md.contains("### merge-gset-disjoint\n"), "{md}");
        assert!(
            md.contains(
                "| param | bench | median | throughput | vs floor | vs crdts | vs baseline | notes |"
            ),
            "{md}"
        );
        // 1.5 µs against a floor of 1 µs, 50% slower than its baseline.
        assert!(
            md.contains("| 1000 | GSet | 1.50 µs | 1.33 G/s | 1.50× |  | ⚠ +50.0% |  |"),
            "{md}"
        );
        // The peer takes 10 ms where we take 200 µs.
        assert!(
            md.contains("| 100000 | GSet | 200 µs | 1.00 G/s | 2.00× | 50.0× faster | −20.0% |  |"),
            "{md}"
        );
        assert!(md.contains("| 100000 | peer-crdts | 10.0 ms | 20.0 M/s | 100.00× |  | new |  |"));
        assert!(md.contains("peak 24.5 B/char"), "{md}");
        assert!(
            md.contains(
                "| automerge-paper | FugueText | 50.0 ms | 5.20 M/s | 2.00× | 3.0× slower |"
            ),
            "{md}"
        );
        assert!(md.contains("1.80× over 1 thread (0.90 per thread)"), "{md}");
        let ids: Vec<&str> = report.regressions.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["merge-gset-disjoint/GSet/1000"]);
        assert_eq!(report.our_regressions().count(), 1);
        // A higher threshold lets it pass; a filter keeps one group.
        let lenient = Options {
            threshold: 0.6,
            filter: Some("merge".into()),
        };
        let report = render(&benches, &lenient);
        assert!(report.regressions.is_empty());
        assert!(!report.markdown.contains("lists-replay"));
    }

    #[test]
    fn without_a_baseline_there_is_no_baseline_column() {
        let benches = load(&fixtures().join("criterion"), None).unwrap();
        assert!(benches.iter().all(|b| b.baseline_ns.is_none()));
        let report = render(&benches, &Options::default());
        assert!(!report.markdown.contains("vs baseline"));
        assert!(report.regressions.is_empty());
    }

    #[test]
    fn errors_name_the_file_and_what_was_expected() {
        let missing = load(&fixtures().join("nowhere"), None).unwrap_err();
        assert!(matches!(missing, ReportError::MissingDir(_)));
        assert!(missing.to_string().contains("cargo bench -p crdt-benches"));
        let malformed = load(&fixtures().join("malformed-json"), None).unwrap_err();
        assert!(matches!(malformed, ReportError::Json { .. }), "{malformed}");
        assert!(malformed.to_string().contains("estimates.json"));
        let no_median = load(&fixtures().join("no-median"), None).unwrap_err();
        assert_eq!(
            no_median.to_string(),
            format!(
                "{}: expected a non-negative number at median.point_estimate",
                fixtures()
                    .join("no-median/g/f/1/new/estimates.json")
                    .display()
            )
        );
        let empty = load(&fixtures().join("empty"), None).unwrap_err();
        assert!(matches!(empty, ReportError::Empty(_)), "{empty}");
        let no_baseline = load(&fixtures().join("criterion"), Some("nope")).unwrap_err();
        assert!(no_baseline.to_string().contains("--save-baseline nope"));
    }

    #[test]
    fn formats() {
        assert_eq!(format_duration(812.0), "812 ns");
        assert_eq!(format_duration(12_345.0), "12.3 µs");
        assert_eq!(format_duration(4_560_000.0), "4.56 ms");
        assert_eq!(format_duration(1.5e9), "1.50 s");
        assert_eq!(format_rate(456_000.0), "456 K/s");
        assert_eq!(format_speedup(6.12), "6.1× faster");
        assert_eq!(format_speedup(0.5), "2.0× slower");
        assert_eq!(format_change(-0.031), "−3.1%");
        assert_eq!(parse_percent("10%"), Ok(0.1));
        assert_eq!(parse_percent("2.5"), Ok(0.025));
        assert!(parse_percent("-3%").is_err());
        assert!(parse_percent("ten").unwrap_err().contains("\"ten\""));
        assert_eq!(Role::of("floor-ropey"), Role::Floor);
        assert_eq!(Role::of("peer-cola"), Role::Peer);
        assert_eq!(Role::of("OrSet"), Role::Ours);
    }
}
