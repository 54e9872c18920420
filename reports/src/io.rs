//! Reading and writing report files.

use std::ffi::OsString;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

use crate::{Error, Format, Report, SCHEMA_VERSION};

impl Report {
    /// Reads a report from JSON text, checking its schema version first.
    ///
    /// ```
    /// use crdt_reports::{Error, Report};
    /// assert!(matches!(Report::from_json("{"), Err(Error::Malformed(_))));
    /// assert!(matches!(Report::from_json("{}"), Err(Error::MissingVersion)));
    /// assert!(matches!(Report::from_json(r#"{"schema_version": 2}"#),
    ///                  Err(Error::NewerVersion { found: 2, supported: 1 })));
    /// assert!(matches!(Report::from_json(r#"{"schema_version": "1.0.0"}"#),
    ///                  Err(Error::UnknownVersion { .. })));
    /// assert!(matches!(Report::from_json(r#"{"schema_version": 1}"#), Err(Error::NoRun)));
    /// let report = crdt_reports::example_report();
    /// assert_eq!(Report::from_json(&report.to_json())?, report);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Malformed`] for text that is not a JSON object, [`Error::MissingVersion`],
    /// [`Error::UnknownVersion`] or [`Error::NewerVersion`] for a version this crate does not
    /// read, [`Error::Invalid`] for content that does not match the schema, and
    /// [`Error::NoRun`] for a report that records no run.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        #[derive(Deserialize)]
        struct Probe {
            // `Some(Null)` for an explicit `null`: that is a wrong version, not a missing one.
            #[serde(default, deserialize_with = "present")]
            schema_version: Option<serde_json::Value>,
        }
        fn present<'de, D: serde::Deserializer<'de>>(
            d: D,
        ) -> Result<Option<serde_json::Value>, D::Error> {
            serde_json::Value::deserialize(d).map(Some)
        }
        let probe: Probe = serde_json::from_str(text).map_err(Error::Malformed)?;
        let found = probe.schema_version.ok_or(Error::MissingVersion)?;
        match found.as_u64() {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            Some(v) if v > u64::from(SCHEMA_VERSION) => {
                return Err(Error::NewerVersion {
                    found: v,
                    supported: SCHEMA_VERSION,
                });
            }
            _ => {
                return Err(Error::UnknownVersion {
                    found: found.to_string(),
                    supported: SCHEMA_VERSION,
                });
            }
        }
        let report: Report = serde_json::from_str(text).map_err(|source| Error::Invalid {
            version: SCHEMA_VERSION,
            source,
        })?;
        if report.invocations.is_empty() {
            return Err(Error::NoRun);
        }
        Ok(report)
    }

    /// The report as pretty-printed JSON. Equal reports give equal text.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self)
            .expect("a report serializes: its map keys are strings or integers")
    }

    /// Reads a report file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, and the errors of [`Report::from_json`].
    pub fn read(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = fs::read_to_string(path).map_err(|source| Error::Io {
            action: "reading",
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Renders the report in `format` and writes it to `path` atomically (see [`write_atomic`]).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn write(&self, path: impl AsRef<Path>, format: Format) -> Result<(), Error> {
        write_atomic(path.as_ref(), crate::render(self, format).as_bytes())
    }
}

/// Writes `contents` to `path` so that readers see the old file or the new one, never a part:
/// it writes a temporary file in the same directory, flushes it to disk and renames it over
/// `path`. Missing parent directories are created.
///
/// Only a regular file (or nothing) is ever replaced. A symbolic link is followed, and the file
/// it names is written in its place; a device, a pipe or a socket (`/dev/null`, `/dev/stdout`)
/// is written through, with its write errors returned; a directory is refused.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("crdt-reports-doc-{}", std::process::id()));
/// let path = dir.join("report.json");
/// crdt_reports::write_atomic(&path, b"{}")?;
/// assert_eq!(std::fs::read(&path).unwrap(), b"{}");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), crdt_reports::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] when the directory cannot be created or the file cannot be written or renamed;
/// the temporary file is removed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match fs::canonicalize(path) {
            Ok(target) => return write_atomic(&target, contents),
            // A link to nothing: creating through it makes the file it names.
            Err(_) => return write_through(path, contents, true),
        },
        Ok(meta) if meta.is_dir() => {
            return Err(Error::Io {
                action: "writing",
                path: path.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "it is a directory; give a file name",
                ),
            });
        }
        Ok(meta) if !meta.is_file() => return write_through(path, contents, false),
        _ => {}
    }
    replace_atomically(path, contents)
}

/// Writes `contents` into what `path` names, in place (a device, a pipe): never replaced.
fn write_through(path: &Path, contents: &[u8], create: bool) -> Result<(), Error> {
    fs::OpenOptions::new()
        .write(true)
        .create(create)
        .open(path)
        .and_then(|mut file| {
            file.write_all(contents)?;
            file.flush()
        })
        .map_err(|source| Error::Io {
            action: "writing",
            path: path.to_owned(),
            source,
        })
}

fn replace_atomically(path: &Path, contents: &[u8]) -> Result<(), Error> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let io_error = |action, path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(io_error("creating directory", dir))?;
    let mut temp_name = OsString::from(".");
    temp_name.push(path.file_name().unwrap_or_else(|| "report".as_ref()));
    temp_name.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = dir.join(temp_name);
    let written = fs::File::create_new(&temp)
        .and_then(|mut file| {
            file.write_all(contents)?;
            file.sync_all()
        })
        .map_err(io_error("writing", &temp))
        .and_then(|()| fs::rename(&temp, path).map_err(io_error("renaming a file to", path)));
    if written.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = fs::remove_file(&temp);
    }
    written
}

/// Where reports go by default: `target/crdt-reports/` under the Cargo workspace that contains
/// the current directory (honouring `CARGO_TARGET_DIR`), or under the current directory when
/// there is no workspace.
#[must_use]
pub fn default_output_dir() -> PathBuf {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    output_dir_from(&here, std::env::var_os("CARGO_TARGET_DIR"))
}

/// The default path of a report in `format`: `report.<extension>` in [`default_output_dir`].
#[must_use]
pub fn default_output_path(format: Format) -> PathBuf {
    default_output_dir().join(format!("report.{}", format.extension()))
}

fn output_dir_from(start: &Path, target_dir: Option<OsString>) -> PathBuf {
    let root = workspace_root(start).unwrap_or(start);
    let target = target_dir.map_or_else(|| root.join("target"), |dir| root.join(dir));
    target.join("crdt-reports")
}

/// The nearest ancestor whose `Cargo.toml` declares a `[workspace]`, else the nearest one with
/// a `Cargo.toml`.
fn workspace_root(start: &Path) -> Option<&Path> {
    let manifests = || {
        start.ancestors().filter_map(|dir| {
            fs::read_to_string(dir.join("Cargo.toml"))
                .ok()
                .map(|text| (dir, text))
        })
    };
    manifests()
        .find(|(_, text)| text.lines().any(|line| line.trim() == "[workspace]"))
        .or_else(|| manifests().next())
        .map(|(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_dir_is_under_the_workspace_target() {
        let member = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = member.parent().unwrap();
        assert_eq!(
            output_dir_from(member, None),
            root.join("target/crdt-reports")
        );
        assert_eq!(
            output_dir_from(&member.join("src"), Some("/elsewhere".into())),
            Path::new("/elsewhere/crdt-reports")
        );
        assert_eq!(
            output_dir_from(member, Some("tgt".into())),
            root.join("tgt/crdt-reports")
        );
    }

    #[test]
    fn no_workspace_means_the_start_directory() {
        let dir = std::env::temp_dir().join(format!("crdt-reports-nows-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        // The temp directory is not inside a Cargo workspace on any sane machine.
        if workspace_root(&dir).is_none() {
            assert_eq!(output_dir_from(&dir, None), dir.join("target/crdt-reports"));
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("crdt-reports-atomic-{}", std::process::id()));
        let path = dir.join("nested/r.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![OsString::from("r.json")]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_regular_files_are_replaced() {
        let dir = std::env::temp_dir().join(format!("crdt-reports-kinds-{}", std::process::id()));
        fs::create_dir_all(dir.join("sub")).unwrap();
        let err = write_atomic(&dir.join("sub"), b"x").unwrap_err();
        assert!(err.to_string().contains("directory"), "{err}");
        assert!(dir.join("sub").is_dir());
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt as _;
            // A link is followed: the file it names is replaced, the link stays a link.
            let target = dir.join("target.json");
            write_atomic(&target, b"old").unwrap();
            std::os::unix::fs::symlink(&target, dir.join("link")).unwrap();
            write_atomic(&dir.join("link"), b"new").unwrap();
            assert!(
                fs::symlink_metadata(dir.join("link"))
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(fs::read(&target).unwrap(), b"new");
            // A device is written through and stays a device.
            write_atomic(Path::new("/dev/null"), b"x").unwrap();
            assert!(
                fs::metadata("/dev/null")
                    .unwrap()
                    .file_type()
                    .is_char_device()
            );
            if Path::new("/dev/full").exists() {
                let err = write_atomic(Path::new("/dev/full"), b"x").unwrap_err();
                assert!(matches!(err, Error::Io { .. }), "{err}");
                assert!(
                    fs::metadata("/dev/full")
                        .unwrap()
                        .file_type()
                        .is_char_device()
                );
            }
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_write_into_a_file_path_fails_cleanly() {
        let dir = std::env::temp_dir().join(format!("crdt-reports-fail-{}", std::process::id()));
        let file = dir.join("plain");
        write_atomic(&file, b"x").unwrap();
        let err = write_atomic(&file.join("r.json"), b"y").unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
