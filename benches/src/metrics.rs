//! Measurements criterion does not take (memory, encoded sizes), saved beside criterion's own
//! results so that [`crate::report`] shows them in the notes column.
//!
//! A bench writes `crdt-metrics.json`, an object of numbers, into its criterion folder
//! `<criterion dir>/<group>/<function>/<value>/`:
//!
//! ```
//! use crdt_benches::metrics::{self, Metrics};
//!
//! let dir = std::env::temp_dir().join("crdt-benches-doc-metrics");
//! let mut m = Metrics::new();
//! m.insert("peak_bytes_per_char".into(), 24.5);
//! metrics::write_in(&dir, "lists-replay", "FugueText", "automerge-paper", &m).unwrap();
//! let saved = std::fs::read_to_string(dir.join("lists-replay/FugueText/automerge-paper/crdt-metrics.json")).unwrap();
//! assert_eq!(saved, r#"{"peak_bytes_per_char":24.5}"#);
//! assert_eq!(metrics::describe("peak_bytes_per_char", 24.5), "peak 24.5 B/char");
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name, in a bench's criterion folder.
pub const FILE_NAME: &str = "crdt-metrics.json";

/// Named measurements: the name says the unit (see [`describe`]).
pub type Metrics = BTreeMap<String, f64>;

/// criterion's output folder, found as criterion finds it: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else this workspace's `target/criterion`.
#[must_use]
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        PathBuf::from(home)
    } else if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        PathBuf::from(target).join("criterion")
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion")
    }
}

/// Saves `metrics` for bench `group/function/value` under [`criterion_dir`].
///
/// # Errors
/// When the folder cannot be created or the file written.
pub fn write(group: &str, function: &str, value: &str, metrics: &Metrics) -> std::io::Result<()> {
    write_in(&criterion_dir(), group, function, value, metrics)
}

/// Saves `metrics` for bench `group/function/value` under `dir`.
///
/// # Errors
/// When the folder cannot be created or the file written.
pub fn write_in(
    dir: &Path,
    group: &str,
    function: &str,
    value: &str,
    metrics: &Metrics,
) -> std::io::Result<()> {
    let folder = dir.join(group).join(function).join(value);
    std::fs::create_dir_all(&folder)?;
    let json = serde_json::to_string(metrics).map_err(std::io::Error::other)?;
    std::fs::write(folder.join(FILE_NAME), json)
}

/// A metric as a note: the known names get their unit, others show as `name = value`.
#[must_use]
pub fn describe(name: &str, value: f64) -> String {
    match name {
        "peak_bytes_per_char" => format!("peak {value:.1} B/char"),
        "retained_bytes_per_char" => format!("kept {value:.1} B/char"),
        "estimate_bytes_per_char" => format!("self-estimate {value:.1} B/char"),
        "json_bytes_per_element" => format!("JSON {value:.1} B/elem"),
        "final_chars" => format!("{value:.0} chars"),
        _ => format!("{name} = {value}"),
    }
}
