//! Golden tests: every renderer on the fixed example report (a passed model, a vacuous and a
//! skipped law, a failed law with a Hasse diagram, findings with drops, duplicates, a
//! partition, a crash and a late join). Review changes with `cargo insta review`.

use crdt_reports::{Format, Report, example_report, render};

fn golden(format: Format) -> String {
    render(&example_report(), format)
}

#[test]
fn terminal_plain() {
    insta::assert_snapshot!(golden(Format::Terminal { colour: false }));
}

#[test]
fn terminal_colour() {
    insta::assert_snapshot!(golden(Format::Terminal { colour: true }));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(golden(Format::Markdown));
}

#[test]
fn junit() {
    let xml = golden(Format::Junit);
    roxmltree::Document::parse(&xml).expect("JUnit output is well-formed XML");
    insta::assert_snapshot!(xml);
}

#[test]
fn html() {
    insta::assert_snapshot!(golden(Format::Html));
}

#[test]
fn json() {
    let json = golden(Format::Json);
    assert_eq!(Report::from_json(&json).unwrap(), example_report());
    insta::assert_snapshot!(json);
}

/// The example in `reports/schema/example.json` is the example report, so the schema docs show
/// what the code writes.
#[test]
fn schema_example_file_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/example.json");
    let expected = example_report().to_json() + "\n";
    if std::env::var_os("UPDATE_SCHEMA_EXAMPLE").is_some() {
        std::fs::write(path, &expected).unwrap();
    }
    let found = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        found == expected,
        "{path} is out of date: run `UPDATE_SCHEMA_EXAMPLE=1 cargo test -p crdt-reports --test golden`"
    );
}
