//! Reading the real editing traces used to test and benchmark list CRDTs.
//!
//! The traces come from Joseph Gentle's `editing-traces` collection
//! (<https://github.com/josephg/editing-traces>), licensed CC BY 4.0. They are not copied into
//! this project: tests and benches read them from a folder found by [`traces_dir`], and skip
//! with a message when it is absent.
//!
//! Two formats, both gzipped JSON:
//! - **sequential** ([`SequentialTrace`]): one author; apply every [`Patch`] in order to the
//!   start content and get the end content;
//! - **concurrent** ([`ConcurrentTrace`]): several agents; each transaction applies its patches to
//!   the document version formed by merging its parents.
//!
//! Positions and lengths count `char`s (Unicode scalar values), not bytes.
//!
//! ```no_run
//! use crdt_impls::traces::{self, Trace};
//!
//! let Some(dir) = traces::traces_dir() else {
//!     eprintln!("no traces folder: skipping");
//!     return Ok(());
//! };
//! for file in traces::list(&dir)? {
//!     match traces::load(&dir, &file.name)? {
//!         Trace::Sequential(trace) => {
//!             assert_eq!(trace.replay_on_string()?, trace.end_content);
//!         }
//!         Trace::Concurrent(trace) => println!("{}: {} agents", file.name, trace.num_agents),
//!     }
//! }
//! # Ok::<(), traces::TraceError>(())
//! ```

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The environment variable that overrides the traces folder.
pub const TRACES_DIR_ENV: &str = "CRDT_TRACES_DIR";

/// The sequential traces of the shared folder, by name.
pub const SEQUENTIAL: [&str; 4] = [
    "automerge-paper",
    "seph-blog1",
    "sveltecomponent",
    "rustcode",
];

/// The concurrent traces of the shared folder, by name.
pub const CONCURRENT: [&str; 2] = ["friendsforever", "clownschool"];

/// The file name suffix of a trace.
const SUFFIX: &str = ".json.gz";

/// What can go wrong when reading a trace.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// No trace of that name in the folder.
    #[error("no trace named {name:?} in {}", dir.display())]
    NotFound {
        /// The name asked for.
        name: String,
        /// The folder searched.
        dir: PathBuf,
    },
    /// The file or folder could not be read.
    #[error("reading {}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid gzipped JSON in the trace format.
    #[error("parsing {}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The trace is well formed but inconsistent (a parent after its child, a patch out of
    /// range, a sequential trace where a concurrent one was expected, ...).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file, or the trace name.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The folder holding the traces, if it exists: the `CRDT_TRACES_DIR` environment variable if
/// set, else `../shared/traces` relative to the workspace root.
#[must_use]
pub fn traces_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os(TRACES_DIR_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/traces"),
    };
    dir.is_dir().then_some(dir)
}

/// One trace file in a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFile {
    /// The trace's name: the file name without `.json.gz`.
    pub name: String,
    /// The file.
    pub path: PathBuf,
}

/// The trace files (`*.json.gz`) in `dir`, sorted by name.
///
/// # Errors
/// [`TraceError::Io`] when the folder cannot be read.
pub fn list(dir: &Path) -> Result<Vec<TraceFile>, TraceError> {
    let io = |source| TraceError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(name) = name.strip_suffix(SUFFIX) {
            files.push(TraceFile {
                name: name.to_owned(),
                path: path.clone(),
            });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// Loads trace `name` (without `.json.gz`) from `dir`.
///
/// # Errors
/// [`TraceError::NotFound`] when there is no such file; otherwise as [`load_path`].
pub fn load(dir: &Path, name: &str) -> Result<Trace, TraceError> {
    let path = dir.join(format!("{name}{SUFFIX}"));
    if !path.is_file() {
        return Err(TraceError::NotFound {
            name: name.to_owned(),
            dir: dir.to_path_buf(),
        });
    }
    load_path(&path)
}

/// Loads a sequential trace by name. See [`load`].
///
/// # Errors
/// As [`load`], and [`TraceError::Invalid`] when the trace is concurrent.
pub fn load_sequential(dir: &Path, name: &str) -> Result<SequentialTrace, TraceError> {
    match load(dir, name)? {
        Trace::Sequential(trace) => Ok(trace),
        Trace::Concurrent(_) => Err(invalid(dir.join(name), "expected a sequential trace")),
    }
}

/// Loads a concurrent trace by name. See [`load`].
///
/// # Errors
/// As [`load`], and [`TraceError::Invalid`] when the trace is sequential.
pub fn load_concurrent(dir: &Path, name: &str) -> Result<ConcurrentTrace, TraceError> {
    match load(dir, name)? {
        Trace::Concurrent(trace) => Ok(trace),
        Trace::Sequential(_) => Err(invalid(dir.join(name), "expected a concurrent trace")),
    }
}

/// Loads the trace in file `path` (gzipped JSON) and validates it.
///
/// # Errors
/// [`TraceError::Io`] when the file cannot be read or decompressed, [`TraceError::Json`] when it
/// is not in the trace format, [`TraceError::Invalid`] when it is inconsistent.
pub fn load_path(path: &Path) -> Result<Trace, TraceError> {
    let io = |source| TraceError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let mut json = Vec::new();
    GzDecoder::new(BufReader::new(file))
        .read_to_end(&mut json)
        .map_err(io)?;
    let raw: RawTrace = serde_json::from_slice(&json).map_err(|source| TraceError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    raw.validate()
        .map_err(|message| invalid(path.to_path_buf(), message))
}

fn invalid(path: PathBuf, message: impl Into<String>) -> TraceError {
    TraceError::Invalid {
        path,
        message: message.into(),
    }
}

/// A loaded trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trace {
    /// One author.
    Sequential(SequentialTrace),
    /// Several agents.
    Concurrent(ConcurrentTrace),
}

impl Trace {
    /// The document's content at the end of the trace.
    #[must_use]
    pub fn end_content(&self) -> &str {
        match self {
            Self::Sequential(trace) => &trace.end_content,
            Self::Concurrent(trace) => &trace.end_content,
        }
    }

    /// Every patch of the trace, transaction by transaction.
    pub fn patches(&self) -> Box<dyn Iterator<Item = &Patch> + '_> {
        match self {
            Self::Sequential(trace) => Box::new(trace.patches()),
            Self::Concurrent(trace) => Box::new(trace.txns.iter().flat_map(|t| &t.patches)),
        }
    }
}

/// One edit: delete `delete` chars at `pos`, then insert `insert` at `pos`.
///
/// In JSON, `[pos, delete, insert]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// The position, in chars.
    pub pos: usize,
    /// The number of chars deleted at `pos`.
    pub delete: usize,
    /// The text inserted at `pos` (after the deletion).
    pub insert: String,
}

impl Patch {
    /// The number of chars inserted.
    #[must_use]
    pub fn insert_len(&self) -> usize {
        self.insert.chars().count()
    }
}

/// A trace with one author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequentialTrace {
    /// The document before the first patch (always empty in the shared traces).
    pub start_content: String,
    /// The document after the last patch.
    pub end_content: String,
    /// The transactions, in order.
    pub txns: Vec<SequentialTxn>,
}

/// One transaction of a [`SequentialTrace`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SequentialTxn {
    /// The patches, applied in order.
    pub patches: Vec<Patch>,
}

impl SequentialTrace {
    /// Every patch, in order.
    pub fn patches(&self) -> impl Iterator<Item = &Patch> + '_ {
        self.txns.iter().flat_map(|t| &t.patches)
    }

    /// The number of patches.
    #[must_use]
    pub fn num_patches(&self) -> usize {
        self.txns.iter().map(|t| t.patches.len()).sum()
    }

    /// Replays the trace on a plain `Vec<char>`: the reference any list CRDT must match.
    ///
    /// # Errors
    /// [`TraceError::Invalid`] when a patch is out of range.
    pub fn replay_on_string(&self) -> Result<String, TraceError> {
        let mut doc: Vec<char> = self.start_content.chars().collect();
        for (i, patch) in self.patches().enumerate() {
            apply_patch(&mut doc, patch).map_err(|message| {
                invalid(
                    PathBuf::from("sequential trace"),
                    format!("patch {i}: {message}"),
                )
            })?;
        }
        Ok(doc.into_iter().collect())
    }
}

/// Applies `patch` to a document of chars.
///
/// # Errors
/// A message when the patch is out of range.
pub fn apply_patch(doc: &mut Vec<char>, patch: &Patch) -> Result<(), String> {
    let end = patch
        .pos
        .checked_add(patch.delete)
        .filter(|&end| end <= doc.len())
        .ok_or_else(|| {
            format!(
                "deleting {} chars at {} in a document of {}",
                patch.delete,
                patch.pos,
                doc.len()
            )
        })?;
    doc.splice(patch.pos..end, patch.insert.chars());
    Ok(())
}

/// A trace with several agents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConcurrentTrace {
    /// The number of agents; they are numbered `0..num_agents`.
    pub num_agents: usize,
    /// The document after every transaction is merged.
    pub end_content: String,
    /// The transactions, in an order consistent with causality (parents first).
    pub txns: Vec<ConcurrentTxn>,
}

/// One transaction of a [`ConcurrentTrace`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConcurrentTxn {
    /// The transactions (indices into `txns`, all earlier) whose merged result this
    /// transaction edits; empty for the empty document.
    pub parents: Vec<usize>,
    /// The agent that made the transaction.
    pub agent: usize,
    /// The patches, applied in order; positions are relative to the parents' merged document.
    pub patches: Vec<Patch>,
}

impl ConcurrentTrace {
    /// The number of patches.
    #[must_use]
    pub fn num_patches(&self) -> usize {
        self.txns.iter().map(|t| t.patches.len()).sum()
    }

    /// How to replay the trace with one replica per agent, as data.
    ///
    /// Transactions are taken in index order (which respects causality). Before each one, its
    /// agent [receives](ReplayStep::Receive) every ancestor of the transaction's parents that it
    /// has not applied yet, in index order; then it [makes](ReplayStep::Edit) the transaction.
    /// At the end every agent receives what it has not seen, so all replicas should show
    /// [`end_content`](Self::end_content). An operation-based CRDT replays the schedule by
    /// keeping the messages each `Edit` produced and integrating them on `Receive`.
    #[must_use]
    pub fn replay_schedule(&self) -> Vec<ReplayStep> {
        let n = self.txns.len();
        let mut applied = vec![vec![false; n]; self.num_agents];
        let mut steps = Vec::with_capacity(n * 2);
        let mut missing = Vec::new();
        let mut todo = Vec::new();
        for (txn, t) in self.txns.iter().enumerate() {
            let seen = &mut applied[t.agent];
            // The applied set is closed under ancestry, so the search stops at applied nodes.
            todo.extend(t.parents.iter().copied());
            while let Some(p) = todo.pop() {
                if !seen[p] {
                    seen[p] = true;
                    missing.push(p);
                    todo.extend(self.txns[p].parents.iter().copied());
                }
            }
            missing.sort_unstable();
            steps.extend(missing.drain(..).map(|txn| ReplayStep::Receive {
                agent: t.agent,
                txn,
            }));
            seen[txn] = true;
            steps.push(ReplayStep::Edit {
                agent: t.agent,
                txn,
            });
        }
        for (agent, seen) in applied.iter().enumerate() {
            steps.extend(
                (0..n)
                    .filter(|&txn| !seen[txn])
                    .map(|txn| ReplayStep::Receive { agent, txn }),
            );
        }
        steps
    }
}

/// One step of [`ConcurrentTrace::replay_schedule`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReplayStep {
    /// Agent `agent` integrates the edits of transaction `txn`, made by another agent.
    Receive {
        /// The receiving agent.
        agent: usize,
        /// The transaction received.
        txn: usize,
    },
    /// Agent `agent` makes transaction `txn`: it applies its patches locally.
    Edit {
        /// The agent (the transaction's own).
        agent: usize,
        /// The transaction made.
        txn: usize,
    },
}

/// The JSON layout shared by both formats.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTrace {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    start_content: Option<String>,
    end_content: String,
    #[serde(default)]
    num_agents: Option<usize>,
    txns: Vec<RawTxn>,
}

#[derive(Deserialize)]
struct RawTxn {
    #[serde(default)]
    parents: Option<Vec<usize>>,
    #[serde(default)]
    agent: Option<usize>,
    patches: Vec<Patch>,
}

impl RawTrace {
    fn validate(self) -> Result<Trace, String> {
        let concurrent = self.kind.as_deref() == Some("concurrent") || self.num_agents.is_some();
        if !concurrent {
            let txns = self
                .txns
                .into_iter()
                .map(|t| SequentialTxn { patches: t.patches })
                .collect();
            return Ok(Trace::Sequential(SequentialTrace {
                start_content: self.start_content.unwrap_or_default(),
                end_content: self.end_content,
                txns,
            }));
        }
        let num_agents = self
            .num_agents
            .ok_or("a concurrent trace without numAgents")?;
        let mut txns = Vec::with_capacity(self.txns.len());
        for (i, txn) in self.txns.into_iter().enumerate() {
            let parents = txn.parents.unwrap_or_default();
            if let Some(&p) = parents.iter().find(|&&p| p >= i) {
                return Err(format!(
                    "transaction {i} has parent {p}, which does not precede it"
                ));
            }
            let agent = txn
                .agent
                .filter(|&a| a < num_agents)
                .ok_or_else(|| format!("transaction {i} has no agent below {num_agents}"))?;
            txns.push(ConcurrentTxn {
                parents,
                agent,
                patches: txn.patches,
            });
        }
        Ok(Trace::Concurrent(ConcurrentTrace {
            num_agents,
            end_content: self.end_content,
            txns,
        }))
    }
}

impl<'de> Deserialize<'de> for Patch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PatchVisitor;
        impl<'de> Visitor<'de> for PatchVisitor {
            type Value = Patch;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a patch [position, deleted count, inserted text]")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Patch, A::Error> {
                let missing = |i| de::Error::invalid_length(i, &self);
                let pos = seq.next_element()?.ok_or_else(|| missing(0))?;
                let delete = seq.next_element()?.ok_or_else(|| missing(1))?;
                let insert = seq.next_element()?.ok_or_else(|| missing(2))?;
                // Some traces append a timestamp: ignore anything after the third field.
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Patch {
                    pos,
                    delete,
                    insert,
                })
            }
        }
        deserializer.deserialize_seq(PatchVisitor)
    }
}
