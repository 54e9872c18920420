//! Replay files and ready-to-paste regression tests.
//!
//! Every failure is written as a small JSON file: the model's name, the seed and schedule
//! index, the property broken, the faults and limits in force, and the shrunk schedule.
//! `crdt-harness replay FILE` runs it again and reports the same finding; [`regression_test`]
//! prints the same schedule as a `#[test]` to paste into the model's crate.

use std::fmt::Debug;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::runner::Failure;
use crate::schedule::{Faults, Schedule};
use crate::sim::{Limits, Property};

/// The `format` field every replay file carries.
pub const FORMAT: &str = "crdt-harness replay";
/// The replay file version this crate writes and reads.
pub const VERSION: u32 = 1;

/// A failure, saved for replay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplayFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The file's version, [`VERSION`].
    pub version: u32,
    /// The model's name in the catalogue (`crdt-harness list`).
    pub model: String,
    /// The property broken.
    pub property: Property,
    /// What the oracle saw.
    pub message: String,
    /// The run's seed.
    pub seed: u64,
    /// The failing schedule's index in the run.
    pub schedule_index: u64,
    /// The faults in force (reordering changes how deliveries pick messages).
    pub faults: Faults,
    /// The limits in force.
    pub limits: Limits,
    /// Steps before shrinking.
    pub original_steps: usize,
    /// The shrunk schedule.
    pub schedule: serde_json::Value,
}

impl ReplayFile {
    /// The replay file of `failure`, for the catalogue model `model`.
    ///
    /// # Errors
    /// [`Error::Json`] if the schedule's operations do not serialize.
    pub fn new<Op: Serialize>(
        model: &str,
        failure: &Failure<Op>,
        faults: Faults,
        limits: Limits,
    ) -> Result<Self, Error> {
        Ok(ReplayFile {
            format: FORMAT.to_string(),
            version: VERSION,
            model: model.to_string(),
            property: failure.finding.property,
            message: failure.finding.message.clone(),
            seed: failure.seed,
            schedule_index: failure.schedule_index,
            faults,
            limits,
            original_steps: failure.original.steps.len(),
            schedule: serde_json::to_value(&failure.shrunk).map_err(|error| Error::Json {
                context: "serializing the shrunk schedule".into(),
                error,
            })?,
        })
    }

    /// Reads and checks a replay file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::Json`] when it is not JSON of this
    /// shape, [`Error::InvalidReplay`] for another format or a newer version.
    pub fn read(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|error| Error::Io {
            path: path.display().to_string(),
            error,
        })?;
        Self::from_json(&text).map_err(|e| match e {
            Error::Json { error, .. } => Error::Json {
                context: format!("reading replay file {}", path.display()),
                error,
            },
            other => other,
        })
    }

    /// Parses and checks a replay file's text.
    ///
    /// # Errors
    /// As [`ReplayFile::read`].
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|error| Error::Json {
            context: "reading a replay file".into(),
            error,
        })?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(Error::InvalidReplay(format!(
                    "expected format {FORMAT:?}, found {other:?}"
                )));
            }
            None => {
                return Err(Error::InvalidReplay(format!(
                    "no \"format\" field; expected {FORMAT:?}"
                )));
            }
        }
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => {
                return Err(Error::InvalidReplay(format!(
                    "version {v} is not supported; this crdt-harness reads version {VERSION}"
                )));
            }
            None => return Err(Error::InvalidReplay("no \"version\" field".into())),
        }
        serde_json::from_value(value).map_err(|error| Error::Json {
            context: "reading a replay file".into(),
            error,
        })
    }

    /// The file as pretty JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("replay files serialize")
    }

    /// The shrunk schedule, with the model's operation type, checked.
    ///
    /// # Errors
    /// [`Error::InvalidReplay`] when the schedule does not fit the model or is invalid.
    pub fn schedule<Op: DeserializeOwned>(&self) -> Result<Schedule<Op>, Error> {
        let schedule: Schedule<Op> =
            serde_json::from_value(self.schedule.clone()).map_err(|e| {
                Error::InvalidReplay(format!(
                    "the schedule does not fit model {:?}: {e}",
                    self.model
                ))
            })?;
        schedule.validate()?;
        Ok(schedule)
    }
}

/// A ready-to-paste `#[test]` that replays `failure` on the model built by `constructor` (a
/// Rust expression, e.g. `crdt_impls::OrSetModel::default()`) through `Harness::{flavour}`, and
/// fails until the bug is fixed.
#[must_use]
pub fn regression_test<Op: Serialize + Debug>(
    test_name: &str,
    constructor: &str,
    flavour: &str,
    failure: &Failure<Op>,
    faults: Faults,
) -> String {
    let schedule = serde_json::to_string(&failure.shrunk).expect("schedules serialize");
    let name: String = test_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!(
        r####"#[test]
fn {name}() {{
    // crdt-harness found: {finding}
    // (seed {seed}, schedule {index}, shrunk from {before} to {after} steps)
    let schedule = serde_json::from_str(r#"{schedule}"#).unwrap();
    let outcome = crdt_harness::Harness::{flavour}(&{constructor})
        .faults(crdt_harness::Faults::parse("{faults}").unwrap())
        .replay(&schedule);
    assert!(outcome.finding.is_none(), "{{}}", outcome.finding.unwrap());
}}
"####,
        finding = failure
            .finding
            .to_string()
            .lines()
            .next()
            .unwrap_or_default(),
        seed = failure.seed,
        index = failure.schedule_index,
        before = failure.shrink.steps_before,
        after = failure.shrink.steps_after,
    )
}

/// The file name a failure is saved under: `model-property-seed-index.json`.
#[must_use]
pub fn file_name(model: &str, property: Property, seed: u64, index: u64) -> String {
    let model: String = model
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{model}-{property}-seed{seed}-{index}.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_files_are_clear_errors() {
        let err = |text: &str| ReplayFile::from_json(text).unwrap_err().to_string();
        assert!(err("{").contains("reading a replay file"));
        assert!(err(r#"{"version": 1}"#).contains("no \"format\""));
        assert!(err(r#"{"format": "pdf", "version": 1}"#).contains("expected format"));
        assert!(err(r#"{"format": "crdt-harness replay", "version": 9}"#).contains("version 9"));
        assert!(
            err(r#"{"format": "crdt-harness replay", "version": 1}"#).contains("missing field")
        );
    }

    #[test]
    fn file_names_are_tame() {
        assert_eq!(
            file_name("broken/or set", Property::Convergence, 7, 12),
            "broken-or-set-convergence-seed7-12.json"
        );
    }
}
