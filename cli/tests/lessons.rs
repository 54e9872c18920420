//! The counterexamples shown in the lessons (`docs/lessons/*.md`) are the ones the code
//! produces, and the drawings in `docs/images/` are current.
//!
//! A lesson shows an output in a `text` block right after a marker comment naming it:
//!
//! ```text
//! <!-- output: law lww-no-tie-break join_commutative -->
//! <!-- output: finding lww-no-tie-break -->
//! ```
//!
//! `law ENTRY LAW` is the counterexample of that law on the gallery entry `broken/ENTRY` (fixed
//! seed, 256 cases); `finding ENTRY` is the harness's first finding on it (seed 0, the faults
//! and replicas the entry needs), with its minimal schedule and its story. Drawings are named
//! the same way: `docs/images/law-ENTRY-LAW.svg` is the counterexample's Hasse diagram,
//! `docs/images/finding-ENTRY.svg` the finding's space-time diagram, and
//! `docs/images/order-divisibility.svg` the divisibility order of lesson 1.
//!
//! Run with `CRDT_UPDATE_DOCS=1` to rewrite the shown outputs and the drawings instead of
//! checking them:
//!
//! ```text
//! CRDT_UPDATE_DOCS=1 cargo test -p crdt-cli --test lessons
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crdt_cli::catalogue::{self, Entry};
use crdt_harness::Options;
use crdt_harness::report;
use crdt_harness::runner::Failure;
use crdt_laws::{Config, Law, Verdict};
use crdt_reports as r;

/// The seed of the law runs shown.
const LAW_SEED: u64 = 0x5eed;
/// The seed of the harness runs shown.
const RUN_SEED: u64 = 0;

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

fn updating() -> bool {
    std::env::var_os("CRDT_UPDATE_DOCS").is_some_and(|v| v != "0")
}

fn entry(name: &str) -> Box<dyn Entry> {
    catalogue::find(&format!("broken/{name}"))
        .unwrap_or_else(|| panic!("broken/{name} is not in the catalogue"))
}

/// The failed law's counterexample on a gallery entry, as text and as a report counterexample.
fn law_failure(name: &str, law: &str) -> (String, r::Counterexample) {
    let law = Law::from_name(law).unwrap_or_else(|| panic!("no law named {law}"));
    let config = Config::default()
        .with_seed(LAW_SEED)
        .with_cases(256)
        .only([law]);
    let report = entry(name).check_laws(&config);
    let result = report.get(law).expect("the law ran");
    assert_eq!(result.verdict, Verdict::Failed, "{report}");
    let text = result
        .counterexample
        .as_ref()
        .expect("a failed law has a counterexample")
        .to_string();
    let converted = report::laws(&report);
    let r::Outcome::Failed { counterexample } = &converted.laws[law.name()].outcome else {
        panic!("{law} failed in the law report but not in the converted report");
    };
    (text, (**counterexample).clone())
}

/// The harness's first finding on a gallery entry, shrunk.
fn first_failure(name: &str) -> Failure<catalogue::ErasedOp> {
    let entry = entry(name);
    let options = Options {
        shape: catalogue::gallery_shape(entry.gallery().expect("a gallery entry")),
        seed: RUN_SEED,
        schedules: Some(10_000),
        ..Options::default()
    };
    let summary = entry.run(&options);
    summary
        .failures
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("broken/{name} not caught in 10,000 schedules"))
}

/// A finding as the lessons show it: what broke, the minimal schedule, and its story.
fn finding_text(failure: &Failure<catalogue::ErasedOp>) -> String {
    let mut text = format!("{}\n", failure.finding);
    let replicas = failure.shrunk.replicas;
    let plural = if replicas == 1 { "" } else { "s" };
    text.push_str(&format!("minimal schedule ({replicas} replica{plural}):\n"));
    for (k, step) in failure.shrunk.steps.iter().enumerate() {
        text.push_str(&format!("  {}. {step}\n", k + 1));
    }
    text.push('\n');
    text.push_str(&wrap(&r::story(&report::finding(failure, None, None)), 96));
    text.push('\n');
    text
}

/// Wraps prose at `width` columns.
fn wrap(prose: &str, width: usize) -> String {
    let mut lines = vec![String::new()];
    for word in prose.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n")
}

/// The text an output marker names.
fn output(marker: &str) -> String {
    let words: Vec<&str> = marker.split_whitespace().collect();
    match words.as_slice() {
        ["law", name, law] => law_failure(name, law).0,
        ["finding", name] => finding_text(&first_failure(name)),
        _ => panic!("unknown output marker {marker:?}"),
    }
}

/// The drawing an image file name names.
fn drawing(file: &str) -> String {
    let stem = file.strip_suffix(".svg").expect("an SVG file");
    if stem == "order-divisibility" {
        return divisibility_order();
    }
    if let Some(name) = stem.strip_prefix("finding-") {
        return r::spacetime_svg(&report::finding(&first_failure(name), None, None));
    }
    if let Some((name, law)) = stem
        .strip_prefix("law-")
        .and_then(|rest| rest.rsplit_once('-'))
    {
        return r::hasse_svg(&law_failure(name, law).1)
            .unwrap_or_else(|| panic!("{law} on {name} has no states to draw"));
    }
    panic!("no drawing is named {file}");
}

/// The divisors of 12 under divisibility, drawn as a Hasse diagram: 1 is the bottom, and 12 the
/// join of 4 and 6.
fn divisibility_order() -> String {
    let divisors = [1u64, 2, 3, 4, 6, 12];
    let elements = divisors
        .iter()
        .map(|&d| {
            let name = match d {
                1 => "⊥".to_string(),
                12 => "4 ⊔ 6".to_string(),
                d => d.to_string(),
            };
            r::Term::new(name, d.to_string())
        })
        .collect();
    let mut leq = Vec::new();
    for (i, a) in divisors.iter().enumerate() {
        for (j, b) in divisors.iter().enumerate() {
            if i != j && b % a == 0 {
                leq.push((i as u32, j as u32));
            }
        }
    }
    let counterexample = r::Counterexample {
        lattice: Some(r::Lattice { elements, leq }),
        ..r::Counterexample::default()
    };
    r::hasse_svg(&counterexample).expect("a lattice to draw")
}

/// The lesson files, in order.
fn lessons() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(docs().join("lessons"))
        .expect("docs/lessons")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

/// Every `<!-- output: ... -->` block of a Markdown text, made current. Returns the new text
/// and the markers whose block changed.
fn refresh_outputs(markdown: &str) -> (String, Vec<String>) {
    const OPEN: &str = "<!-- output: ";
    let mut out = String::with_capacity(markdown.len());
    let mut changed = Vec::new();
    let mut rest = markdown;
    while let Some(at) = rest.find(OPEN) {
        let (before, from_marker) = rest.split_at(at);
        out.push_str(before);
        let end = from_marker.find("-->").expect("a closed marker");
        let marker = from_marker[OPEN.len()..end].trim().to_string();
        let after_marker = &from_marker[end + 3..];
        let fence = after_marker
            .strip_prefix("\n```text\n")
            .unwrap_or_else(|| panic!("marker {marker:?} is not followed by a text block"));
        // The block's text ends where a line starts with the closing fence.
        let close = if fence.starts_with("```") {
            0
        } else {
            fence.find("\n```").expect("a closed text block") + 1
        };
        let shown = &fence[..close];
        let current = output(&marker);
        if shown != current {
            changed.push(marker.clone());
        }
        out.push_str(&from_marker[..end + 3]);
        out.push_str("\n```text\n");
        out.push_str(&current);
        out.push_str("```");
        rest = &fence[close + 3..];
    }
    out.push_str(rest);
    (out, changed)
}

/// The `images/*.svg` files a Markdown text refers to.
fn images(markdown: &str) -> BTreeSet<String> {
    markdown
        .split("images/")
        .skip(1)
        .filter_map(|s| s.split(".svg").next())
        .filter(|s| !s.contains([' ', ')', '\n']))
        .map(|s| format!("{s}.svg"))
        .collect()
}

#[test]
fn shown_counterexamples_are_current() {
    let mut stale = Vec::new();
    for lesson in lessons() {
        let markdown = std::fs::read_to_string(&lesson).expect("a lesson");
        let (current, changed) = refresh_outputs(&markdown);
        if changed.is_empty() {
            continue;
        }
        if updating() {
            std::fs::write(&lesson, current).expect("rewriting a lesson");
        } else {
            stale.extend(changed.iter().map(|m| format!("{}: {m}", lesson.display())));
        }
    }
    assert!(
        stale.is_empty(),
        "outputs differ from what the code produces (rerun with CRDT_UPDATE_DOCS=1):\n{}",
        stale.join("\n")
    );
}

#[test]
fn drawings_are_current_and_used() {
    let mut referenced = BTreeSet::new();
    for page in lessons().into_iter().chain([docs().join("README.md")]) {
        referenced.extend(images(&std::fs::read_to_string(&page).expect("a page")));
    }
    let dir = docs().join("images");
    let mut stale = Vec::new();
    for file in &referenced {
        let path = dir.join(file);
        let current = drawing(file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(current.as_str()) {
            if updating() {
                std::fs::write(&path, current).expect("writing a drawing");
            } else {
                stale.push(file.clone());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "drawings differ from what the code draws (rerun with CRDT_UPDATE_DOCS=1): {stale:?}"
    );
    let unused: Vec<String> = std::fs::read_dir(&dir)
        .expect("docs/images")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|f| f.ends_with(".svg") && !referenced.contains(f))
        .collect();
    assert!(unused.is_empty(), "drawings no page shows: {unused:?}");
}

#[test]
fn markers_are_read_and_rewritten() {
    let page =
        "Intro.\n<!-- output: law lww-no-tie-break join_commutative -->\n```text\nold\n```\nEnd.\n";
    let (current, changed) = refresh_outputs(page);
    assert_eq!(changed, ["law lww-no-tie-break join_commutative"]);
    assert!(current.starts_with("Intro.\n<!-- output: law lww-no-tie-break join_commutative -->\n```text\njoin_commutative failed: a ⊔ b ≠ b ⊔ a\n"), "{current}");
    assert!(current.ends_with("```\nEnd.\n"), "{current}");
    // A current page is left as it is.
    assert_eq!(refresh_outputs(&current), (current.clone(), vec![]));
    assert_eq!(
        images("![a](../images/law-x-y.svg) and ![b](../images/finding-z.svg)"),
        BTreeSet::from(["law-x-y.svg".to_string(), "finding-z.svg".to_string()])
    );
}

#[test]
fn the_gallery_page_lists_every_entry() {
    let page = std::fs::read_to_string(docs().join("gallery.md")).expect("docs/gallery.md");
    for entry in crdt_impls::broken::gallery() {
        assert!(
            page.contains(&format!("| `{}` |", entry.name)),
            "docs/gallery.md: {} is not in the table of entries",
            entry.name
        );
        assert!(
            page.contains(&format!("| `broken/{}` |", entry.name)),
            "docs/gallery.md: {} is not in the detection table (rerun the detection example)",
            entry.name
        );
    }
}
