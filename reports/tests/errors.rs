//! Bad input is an error that says what is wrong, never a panic.

mod common;

use crdt_reports::{Error, Report, SCHEMA_VERSION, example_report};
use proptest::prelude::*;

fn error(text: &str) -> Error {
    Report::from_json(text).expect_err("bad input must be an error")
}

#[test]
fn malformed_json_is_reported_with_its_position() {
    let e = error("{\"schema_version\": 1, \"models\": ");
    assert!(matches!(e, Error::Malformed(_)), "{e:?}");
    assert!(e.to_string().contains("line 1"), "{e}");
    assert!(matches!(error(""), Error::Malformed(_)));
    assert!(matches!(error("[1, 2]"), Error::Malformed(_)));
    assert!(matches!(error("null"), Error::Malformed(_)));
}

#[test]
fn a_missing_version_means_not_a_report() {
    let e = error(r#"{"models": {}}"#);
    assert!(matches!(e, Error::MissingVersion), "{e:?}");
    assert!(e.to_string().contains("schema_version"), "{e}");
}

#[test]
fn a_report_that_records_no_run_is_not_a_report() {
    for text in [
        r#"{"schema_version": 1}"#,
        r#"{"schema_version": 1, "invocations": []}"#,
        r#"{"schema_version": 1, "invocations": [], "models": {}}"#,
    ] {
        let e = error(text);
        assert!(matches!(e, Error::NoRun), "{text}: {e:?}");
        assert!(e.to_string().contains("records no run"), "{e}");
    }
}

#[test]
fn newer_and_unknown_versions_are_refused_before_the_content_is_read() {
    // A newer version may have any shape: the version is what the error must be about.
    let e = error(r#"{"schema_version": 2, "models": "a new shape"}"#);
    assert!(
        matches!(
            e,
            Error::NewerVersion {
                found: 2,
                supported: SCHEMA_VERSION
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("newer"), "{e}");
    for version in ["0", "-1", "1.5", "\"1\"", "\"1.0.0\"", "null", "{}"] {
        let e = error(&format!(r#"{{"schema_version": {version}}}"#));
        assert!(
            matches!(e, Error::UnknownVersion { .. }),
            "{version}: {e:?}"
        );
        assert!(e.to_string().contains("expected the integer 1"), "{e}");
    }
}

#[test]
fn content_that_does_not_match_the_schema_names_the_problem() {
    let e = error(r#"{"schema_version": 1, "models": {"g": {"flavour": "quantum"}}}"#);
    assert!(matches!(e, Error::Invalid { .. }), "{e:?}");
    assert!(e.to_string().contains("quantum"), "{e}");
    let e = error(
        r#"{"schema_version": 1, "models": {"g": {"laws": {"l": {"formula": "", "verdict": "maybe",
            "cases": 1, "duration_us": 1}}}}}"#,
    );
    assert!(e.to_string().contains("maybe"), "{e}");
}

#[test]
fn the_serde_path_refuses_other_versions_too() {
    let e = serde_json::from_str::<Report>(r#"{"schema_version": 3}"#).unwrap_err();
    assert!(e.to_string().contains("schema version 3"), "{e}");
}

#[test]
fn reading_a_missing_file_names_the_file() {
    let e = Report::read("/nonexistent/report.json").unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert!(e.to_string().contains("/nonexistent/report.json"), "{e}");
}

#[test]
fn unknown_formats_are_refused() {
    let e = "pdf".parse::<crdt_reports::Format>().unwrap_err();
    assert!(e.to_string().contains("`pdf`"), "{e}");
}

proptest! {
    /// Cutting or corrupting a valid report never panics.
    #[test]
    fn damaged_reports_give_errors_not_panics(
        cut in any::<prop::sample::Index>(),
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let json = example_report().to_json();
        let _ = Report::from_json(&json[..json.floor_char_boundary(cut.index(json.len()))]);
        let mut bytes = json.into_bytes();
        let at = position.index(bytes.len());
        bytes[at] = byte;
        if let Ok(text) = String::from_utf8(bytes) {
            let _ = Report::from_json(&text);
        }
    }

    #[test]
    fn arbitrary_text_gives_errors_not_panics(text in common::text()) {
        let _ = Report::from_json(&text);
    }
}
