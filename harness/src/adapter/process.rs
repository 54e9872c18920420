//! One adapter process: spawning, the handshake, requests with a timeout, pipelining, and
//! what goes wrong (crash, hang, malformed output) as [`AdapterError`]s.

use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crdt_laws::Dot;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value, json};

use super::hello::Hello;
use super::json::push_json;
use super::scan::Scan;

/// The protocol version this harness speaks.
pub const PROTOCOL_VERSION: u64 = 1;

/// The least time an adapter has to answer `hello`.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How much of an adapter's stderr is kept.
const STDERR_KEPT: usize = 64 * 1024;

/// How much of the kept stderr a finding's message quotes.
const STDERR_QUOTED: usize = 4 * 1024;

/// What went wrong with an adapter.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// The command could not be started.
    #[error("cannot start the adapter `{command}`: {reason}")]
    Start {
        /// The command.
        command: String,
        /// Why.
        reason: String,
    },
    /// The process ended.
    #[error("adapter crashed ({status}) during `{request}`{stderr}")]
    Crashed {
        /// How it ended.
        status: String,
        /// The request it was answering.
        request: String,
        /// Its stderr, quoted.
        stderr: Stderr,
    },
    /// No answer in time.
    #[error("adapter timed out: no answer to `{request}` within {after:?}{stderr}")]
    Timeout {
        /// The request.
        request: String,
        /// The timeout.
        after: Duration,
        /// Its stderr, quoted.
        stderr: Stderr,
    },
    /// An answer outside the protocol.
    #[error("adapter broke the protocol answering `{request}`: {why}: {line}{stderr}")]
    Malformed {
        /// The request.
        request: String,
        /// What is wrong.
        why: String,
        /// The line, shortened.
        line: String,
        /// Its stderr, quoted.
        stderr: Stderr,
    },
    /// The adapter answered `ok: false`.
    #[error("adapter error on `{request}`: {error}{stderr}")]
    Refused {
        /// The request.
        request: String,
        /// The adapter's error.
        error: String,
        /// Its stderr, quoted.
        stderr: Stderr,
    },
    /// The handshake's answer is not acceptable.
    #[error("adapter handshake failed: {0}")]
    Handshake(String),
}

impl AdapterError {
    /// True when the process cannot go on (crashed, hung, babbling): it is killed and
    /// restarted.
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        !matches!(self, AdapterError::Refused { .. })
    }
}

/// The tail of an adapter's stderr, printed after a finding's message.
#[derive(Clone, Debug, Default)]
pub struct Stderr(pub String);

impl std::fmt::Display for Stderr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.0.trim_end();
        if text.is_empty() {
            return Ok(());
        }
        let start = text.len().saturating_sub(STDERR_QUOTED);
        let start = (start..=text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let cut = if start > 0 { "..." } else { "" };
        write!(f, "; adapter stderr: {cut}{}", &text[start..])
    }
}

/// A request, written as its JSON text as it is built (no tree of it is made): the harness
/// sends hundreds per schedule.
///
/// `Request::new("merge").handle("into", 3).handle("from", 4)` is
/// `{"type":"merge","into":3,"from":4}`.
pub(super) struct Request {
    name: &'static str,
    text: String,
}

impl Request {
    /// A request of type `name` (a protocol request name: no escaping needed).
    pub(super) fn new(name: &'static str) -> Self {
        let mut text = String::with_capacity(48);
        text.push_str(r#"{"type":""#);
        text.push_str(name);
        text.push('"');
        Request { name, text }
    }

    /// Adds `,"<field>":` (a protocol field name: no escaping needed).
    fn key(&mut self, field: &str) {
        self.text.push_str(",\"");
        self.text.push_str(field);
        self.text.push_str("\":");
    }

    /// Adds the integer field `field`.
    pub(super) fn handle(mut self, field: &str, value: u64) -> Self {
        self.key(field);
        push_u64(&mut self.text, value);
        self
    }

    /// Adds the field `field`, an array of integers.
    pub(super) fn handles(mut self, field: &str, values: &[u64]) -> Self {
        self.key(field);
        self.text.push('[');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            push_u64(&mut self.text, *v);
        }
        self.text.push(']');
        self
    }

    /// Adds the field `field`, a JSON value.
    pub(super) fn json(mut self, field: &str, value: &Value) -> Self {
        self.key(field);
        push_json(&mut self.text, value);
        self
    }

    /// Adds the field `dot`: `{"actor": .., "seq": ..}`.
    pub(super) fn dot(mut self, dot: Dot) -> Self {
        self.text.push_str(r#","dot":{"actor":"#);
        push_u64(&mut self.text, u64::from(dot.replica.0));
        self.text.push_str(r#","seq":"#);
        push_u64(&mut self.text, dot.seq);
        self.text.push('}');
        self
    }

    /// Its JSON text.
    fn finish(mut self) -> String {
        self.text.push('}');
        self.text
    }
}

/// Appends `value` in decimal, as `write!` would, with `itoa` rather than the formatting
/// machinery (requests are mostly small integers, written hundreds of times per schedule).
fn push_u64(text: &mut String, value: u64) {
    text.push_str(itoa::Buffer::new().format(value));
}

/// An answer's fields that the harness reads (`ok: true` was checked): a value, a state
/// comparison, a snapshot. Most of a batch's answers are a bare `{"ok": true}`, which takes no
/// allocation and moves as a word.
#[derive(Clone, Debug)]
pub(super) enum Answer {
    /// `{"ok": true}` and nothing the harness reads.
    Ok,
    /// Any other answer.
    Fields(Box<Fields>),
}

/// The fields of an [`Answer`] the harness reads.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Fields {
    /// `value`, when given (`null` included).
    pub(super) value: Option<Value>,
    /// `equal`, when given.
    pub(super) equal: Option<Value>,
    /// `leq`, when given.
    pub(super) leq: Option<Value>,
    /// `snapshot`, when given.
    pub(super) snapshot: Option<Value>,
    /// `ok`, when given.
    ok: Option<Value>,
}

/// The `ok` of [`Answer::Ok`].
static TRUE: Value = Value::Bool(true);

impl Default for Answer {
    /// No field at all.
    fn default() -> Self {
        Answer::Fields(Box::default())
    }
}

impl PartialEq for Answer {
    /// The same fields, however held.
    fn eq(&self, other: &Self) -> bool {
        self.view() == other.view()
    }
}

impl Answer {
    fn from_value(answer: Value) -> Self {
        let Value::Object(mut fields) = answer else {
            return Answer::default();
        };
        Answer::Fields(Box::new(Fields {
            value: fields.remove("value"),
            equal: fields.remove("equal"),
            leq: fields.remove("leq"),
            snapshot: fields.remove("snapshot"),
            ok: fields.remove("ok"),
        }))
    }

    /// `ok`, `value`, `equal`, `leq` and `snapshot`.
    #[allow(clippy::type_complexity)]
    fn view(
        &self,
    ) -> (
        Option<&Value>,
        Option<&Value>,
        Option<&Value>,
        Option<&Value>,
        Option<&Value>,
    ) {
        match self {
            Answer::Ok => (Some(&TRUE), None, None, None, None),
            Answer::Fields(f) => (
                f.ok.as_ref(),
                f.value.as_ref(),
                f.equal.as_ref(),
                f.leq.as_ref(),
                f.snapshot.as_ref(),
            ),
        }
    }

    /// Whether its `ok` is `true`.
    fn is_ok(&self) -> bool {
        self.view().0 == Some(&TRUE)
    }

    /// Its `value`, when given.
    pub(super) fn value(&self) -> Option<&Value> {
        self.view().1
    }

    /// Its `equal`, when given.
    pub(super) fn equal(&self) -> Option<&Value> {
        self.view().2
    }

    /// Its `leq`, when given.
    pub(super) fn leq(&self) -> Option<&Value> {
        self.view().3
    }

    /// Its `snapshot`, when given.
    pub(super) fn into_snapshot(self) -> Option<Value> {
        match self {
            Answer::Ok => None,
            Answer::Fields(f) => f.snapshot,
        }
    }

    /// The answer as JSON, for a finding's message.
    pub(super) fn to_json(&self) -> Value {
        let (ok, value, equal, leq, snapshot) = self.view();
        let mut fields = Map::new();
        for (name, field) in [
            ("ok", ok),
            ("value", value),
            ("equal", equal),
            ("leq", leq),
            ("snapshot", snapshot),
        ] {
            if let Some(v) = field {
                fields.insert(name.into(), v.clone());
            }
        }
        Value::Object(fields)
    }
}

/// An answer's key, read without copying it.
enum Key {
    Ok,
    Value,
    Equal,
    Leq,
    Snapshot,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl Visitor<'_> for Name {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
                Ok(match key {
                    "ok" => Key::Ok,
                    "value" => Key::Value,
                    "equal" => Key::Equal,
                    "leq" => Key::Leq,
                    "snapshot" => Key::Snapshot,
                    _ => Key::Other,
                })
            }
        }
        deserializer.deserialize_str(Name)
    }
}

/// Reads an answer object's fields without a tree of the whole answer; only an object is an
/// answer (an array is not read by position).
impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Each;
        impl<'de> Visitor<'de> for Each {
            type Value = Answer;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an answer object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Answer, A::Error> {
                let mut answer = Fields::default();
                while let Some(key) = map.next_key::<Key>()? {
                    let slot = match key {
                        Key::Ok => &mut answer.ok,
                        Key::Value => &mut answer.value,
                        Key::Equal => &mut answer.equal,
                        Key::Leq => &mut answer.leq,
                        Key::Snapshot => &mut answer.snapshot,
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(map.next_value()?);
                }
                Ok(Answer::Fields(Box::new(answer)))
            }
        }
        deserializer.deserialize_map(Each)
    }
}

/// A batch's answer when everything went well: read without a tree of it.
#[derive(Deserialize)]
struct BatchAnswer {
    ok: bool,
    results: Vec<Answer>,
}

/// The answers of a batch whose answer line is an object with `ok: true` and `n` results, each
/// with `ok: true`; `None` otherwise (the line is then judged as a tree, which says what is
/// wrong). (The harness reads [`Received`] lines: this is how, for the tests.)
#[cfg(test)]
fn all_ok(line: &str, n: usize) -> Option<Vec<Answer>> {
    compact_all_ok(line, n).or_else(|| spaced_all_ok(line, n))
}

/// [`all_ok`] read by serde, for a line not written compactly.
fn spaced_all_ok(line: &str, n: usize) -> Option<Vec<Answer>> {
    let line = line.trim_end_matches(['\n', '\r']);
    if !line.trim_start().starts_with('{') {
        return None;
    }
    let answer: BatchAnswer = serde_json::from_str(line).ok()?;
    let fine = answer.ok && answer.results.len() == n && answer.results.iter().all(Answer::is_ok);
    fine.then_some(answer.results)
}

/// The answer object at the start of `text` and the bytes it takes: read by hand when it can
/// be ([`Scan`]), else by serde, which reads it alike.
fn one_answer(text: &str) -> Option<(Answer, usize)> {
    let mut scan = Scan::new(text);
    if let Some(answer) = answer_by_hand(&mut scan) {
        return Some((answer, scan.at));
    }
    let mut one = serde_json::Deserializer::from_str(text).into_iter::<Answer>();
    let answer = one.next()?.ok()?;
    Some((answer, one.byte_offset()))
}

/// An answer object read by [`Scan`], or `None` when it holds what that reader leaves to
/// serde (or is not an object).
fn answer_by_hand(scan: &mut Scan<'_>) -> Option<Answer> {
    let mut answer = Fields::default();
    scan.fields(|scan, key| {
        let value = scan.value()?;
        let slot = match key {
            "ok" => &mut answer.ok,
            "value" => &mut answer.value,
            "equal" => &mut answer.equal,
            "leq" => &mut answer.leq,
            "snapshot" => &mut answer.snapshot,
            _ => return Some(()),
        };
        *slot = Some(value);
        Some(())
    })?;
    Some(Answer::Fields(Box::new(answer)))
}

/// The answer of a request that returns nothing, as compact adapters write it.
const BARE_OK: &str = r#"{"ok":true}"#;

/// [`all_ok`] for a line written compactly (`{"ok":true,"results":[...]}`, no spaces between
/// the results), where most results are [`BARE_OK`]: those are recognised by their text, and
/// only the others (values, comparisons, snapshots) are parsed. `None` for any other shape,
/// which the general path then reads.
#[cfg(test)]
fn compact_all_ok(line: &str, n: usize) -> Option<Vec<Answer>> {
    compact_results(line).filter(|results| results.len() == n)
}

/// The results of a batch answer written compactly, each with `ok: true`, however many:
/// [`compact_all_ok`] without the count, as the reader thread reads every line it receives,
/// so that the harness's thread only checks the count.
fn compact_results(line: &str) -> Option<Vec<Answer>> {
    let mut rest = line.strip_prefix(r#"{"ok":true,"results":["#)?;
    let mut results = Vec::new();
    if let Some(after) = rest.strip_prefix(']') {
        rest = after;
    } else {
        loop {
            if let Some(after) = rest.strip_prefix(BARE_OK) {
                results.push(Answer::Ok);
                rest = after;
            } else {
                let (answer, used) = one_answer(rest)?;
                if !answer.is_ok() {
                    return None;
                }
                results.push(answer);
                rest = &rest[used..];
            }
            match rest.as_bytes().first() {
                Some(b',') => rest = &rest[1..],
                Some(b']') => {
                    rest = &rest[1..];
                    break;
                }
                _ => return None,
            }
        }
    }
    (rest.trim_end() == "}").then_some(results)
}

/// A line read from the adapter, with the results it holds when it is a batch's compact
/// answer (read by the reader thread, off the harness's thread: [`compact_results`]).
struct Received {
    line: String,
    results: Option<Vec<Answer>>,
}

/// A line read from the adapter, or the end of its stdout.
type Line = Option<Received>;

/// The most dropped handles [`Process::drop_later`] holds before queueing their `drop`.
const DROPS_HELD: usize = 256;

/// A running adapter.
pub(super) struct Process {
    command: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    /// Disconnected when the stderr reader has seen the end of the stream.
    stderr_closed: Receiver<()>,
    timeout: Duration,
    /// The queued requests' texts, comma-separated.
    pending: String,
    /// The types of the requests queued since the last [`flush`](Process::flush), in order:
    /// those sent ahead ([`send_ahead`](Process::send_ahead)) and those still in `pending`.
    pending_names: Vec<&'static str>,
    /// The batches sent ahead and not yet answered: how many requests each holds, and whether
    /// it could be written.
    ahead: Vec<(usize, bool)>,
    /// Replicas and messages dropped since the last batch: one `drop` request for all of
    /// them, queued before the next batch is sent ([`drop_later`](Self::drop_later)).
    dropped: (Vec<u64>, Vec<u64>),
    /// The line of the last batch, its buffer reused.
    line: String,
    /// The handshake's answer.
    pub(super) hello: Hello,
}

impl std::fmt::Debug for Process {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Process")
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

fn shorten(line: &str) -> String {
    const MAX: usize = 300;
    if line.len() <= MAX {
        return line.to_string();
    }
    let end = (0..=MAX)
        .rev()
        .find(|&i| line.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}...", &line[..end])
}

impl Process {
    /// Starts `command` with `sh -c` and says hello.
    ///
    /// # Errors
    /// [`AdapterError`] when the command cannot start or the handshake fails.
    pub(super) fn start(command: &str, timeout: Duration) -> Result<Self, AdapterError> {
        // Its own process group, so that killing it kills what `sh` started too.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| AdapterError::Start {
                command: command.to_string(),
                reason: e.to_string(),
            })?;
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut err = child.stderr.take().expect("stderr is piped");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => {
                        let _ = send.send(None);
                        return;
                    }
                    Ok(_) => {
                        let results = compact_results(&line);
                        if send.send(Some(Received { line, results })).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let kept = Arc::clone(&stderr);
        let (stderr_open, stderr_closed) = channel::<()>();
        std::thread::spawn(move || {
            // Dropped when the stream ends: the process's last words have been kept.
            let _open = stderr_open;
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    return;
                }
                let mut kept = kept
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                kept.extend(&buf[..n]);
                let excess = kept.len().saturating_sub(STDERR_KEPT);
                kept.drain(..excess);
            }
        });
        let mut process = Process {
            command: command.to_string(),
            child,
            stdin: Some(stdin),
            lines,
            stderr,
            stderr_closed,
            timeout,
            pending: String::new(),
            pending_names: Vec::new(),
            ahead: Vec::new(),
            dropped: (Vec::new(), Vec::new()),
            line: String::new(),
            hello: Hello::placeholder(),
        };
        // An interpreter may take a while to start: the handshake has at least
        // `HANDSHAKE_TIMEOUT`.
        process.timeout = timeout.max(HANDSHAKE_TIMEOUT);
        let hello = json!({"type": "hello", "protocol": PROTOCOL_VERSION}).to_string();
        let answer = process.exchange(hello, "hello");
        process.timeout = timeout;
        let answer = answer.map_err(|e| {
            let text = e.to_string();
            AdapterError::Handshake(text.replace("; adapter stderr:", "; stderr:"))
        });
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                process.kill();
                return Err(e);
            }
        };
        match Hello::parse(&answer) {
            Ok(hello) => {
                process.hello = hello;
                Ok(process)
            }
            Err(why) => {
                process.kill();
                Err(AdapterError::Handshake(why))
            }
        }
    }

    /// The adapter's stderr so far (its last 64 KiB).
    #[must_use]
    pub(super) fn stderr(&self) -> Stderr {
        let kept = self
            .stderr
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bytes: Vec<u8> = kept.iter().copied().collect();
        Stderr(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The adapter's stderr after it is killed, to its end: what it wrote just before an
    /// answer that ends it is read even when the answer came first.
    pub(super) fn last_stderr(&mut self) -> Stderr {
        self.kill();
        // The reader sees the end once every process holding the pipe is gone; a stray
        // grandchild that left the process group could hold it open, hence the bound.
        let _ = self.stderr_closed.recv_timeout(Duration::from_millis(500));
        self.stderr()
    }

    /// Queues a request whose answer carries nothing (`new`, `local`, `merge`, ...): it is sent
    /// with the next [`call`](Self::call), in one batch.
    pub(super) fn queue(&mut self, request: Request) {
        if !self.pending.is_empty() {
            self.pending.push(',');
        }
        self.pending_names.push(request.name);
        self.pending.push_str(&request.finish());
    }

    /// Drops `replicas` and `messages` with the next batch, in one `drop` request with every
    /// other drop until then. A simulated step drops the state it replaced: a request per
    /// drop was a quarter of a served schedule's requests. Handles are never reused, so a
    /// later drop changes nothing; at most [`DROPS_HELD`] wait.
    pub(super) fn drop_later(&mut self, replicas: &[u64], messages: &[u64]) {
        self.dropped.0.extend_from_slice(replicas);
        self.dropped.1.extend_from_slice(messages);
        if self.dropped.0.len() + self.dropped.1.len() >= DROPS_HELD {
            self.queue_drops();
        }
    }

    /// Queues the one `drop` request of what [`drop_later`](Self::drop_later) held.
    fn queue_drops(&mut self) {
        let (replicas, messages) = &mut self.dropped;
        if replicas.is_empty() && messages.is_empty() {
            return;
        }
        let request = Request::new("drop")
            .handles("replicas", replicas)
            .handles("messages", messages);
        replicas.clear();
        messages.clear();
        self.queue(request);
    }

    /// The types of the requests queued and not yet sent.
    pub(super) fn pending(&self) -> &[&'static str] {
        &self.pending_names
    }

    /// Sends the queued requests and `request` (as one batch when some are queued) and
    /// returns `request`'s answer.
    ///
    /// # Errors
    /// [`AdapterError`]: an `ok: false` on any of them, or a fatal failure.
    pub(super) fn call(&mut self, request: Request) -> Result<Answer, AdapterError> {
        self.queue_drops();
        if self.pending_names.is_empty() {
            let name = request.name;
            return self
                .exchange(request.finish(), name)
                .map(Answer::from_value);
        }
        self.queue(request);
        let mut results = self.flush()?;
        Ok(results.pop().expect("a batch of at least one request"))
    }

    /// Sends the queued requests as a batch now, without waiting for its answer: the adapter
    /// runs it while the harness goes on (for adapters that declare `pipeline`). The answers
    /// are read by the next [`flush`](Self::flush), in order. Returns how many requests went.
    pub(super) fn send_ahead(&mut self) -> usize {
        if self.pending.is_empty() {
            return 0;
        }
        let sent: usize = self.ahead.iter().map(|&(count, _)| count).sum();
        let count = self.pending_names.len() - sent;
        let written = self.write_batch();
        self.ahead.push((count, written));
        count
    }

    /// Writes the queued requests' texts as one batch line; false when the process cannot
    /// read it.
    fn write_batch(&mut self) -> bool {
        // The batch's line, written directly: no tree of the whole batch is built.
        let mut line = std::mem::take(&mut self.line);
        line.clear();
        line.push_str(r#"{"type":"batch","requests":["#);
        line.push_str(&self.pending);
        line.push_str("]}\n");
        self.pending.clear();
        let written = self.write_line(&line);
        self.line = line;
        written
    }

    /// Sends the queued requests as one batch and returns the answers of every request queued
    /// since the last flush (those sent ahead first), in order.
    ///
    /// # Errors
    /// [`AdapterError`]: an `ok: false` on any of them, or a fatal failure.
    pub(super) fn flush(&mut self) -> Result<Vec<Answer>, AdapterError> {
        self.queue_drops();
        self.send_ahead();
        let names = std::mem::take(&mut self.pending_names);
        let batches = std::mem::take(&mut self.ahead);
        let mut results = Vec::with_capacity(names.len());
        let mut offset = 0;
        let mut failure = None;
        for (count, written) in batches {
            let batch = &names[offset..offset + count];
            offset += count;
            let read = match failure {
                // The batches after a refused one were sent: their answers are read, so the
                // next request gets its own.
                Some(_) => self.read_answer(written, "batch").map(|_| Vec::new()),
                None => self.read_batch(written, batch),
            };
            match read {
                Ok(answers) => results.extend(answers),
                Err(e) => {
                    let fatal = e.is_fatal();
                    failure = Some(e);
                    if fatal {
                        break;
                    }
                }
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(results),
        }
    }

    /// The answers to a batch of the requests `names`.
    fn read_batch(
        &mut self,
        written: bool,
        names: &[&'static str],
    ) -> Result<Vec<Answer>, AdapterError> {
        let n = names.len();
        let Received {
            line: answer,
            results,
        } = self.read_answer(written, "batch")?;
        let results = match results {
            Some(results) => Some(results).filter(|r| r.len() == n),
            None => spaced_all_ok(&answer, n),
        };
        if let Some(results) = results {
            return Ok(results);
        }
        let answer = self.judge(&answer, "batch")?;
        if answer["ok"] == Value::Bool(false) {
            let index = answer.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
            let name = names.get(index).map_or("batch", |n| n);
            return Err(AdapterError::Refused {
                request: name.to_string(),
                error: error_text(&answer),
                stderr: self.stderr(),
            });
        }
        let results = match answer {
            Value::Object(mut fields) => fields.remove("results"),
            _ => None,
        };
        let results = match results {
            Some(Value::Array(results)) if results.len() == n => results,
            other => {
                let line = other.map_or_else(|| "(no `results`)".into(), |r| r.to_string());
                return Err(self.malformed(
                    "batch",
                    format!("`results` must hold {n} answers"),
                    &line,
                ));
            }
        };
        for (r, name) in results.iter().zip(names) {
            if r.get("ok") != Some(&Value::Bool(true)) {
                return Err(self.malformed(
                    name,
                    "a batch result without `ok: true`".into(),
                    &r.to_string(),
                ));
            }
        }
        Ok(results.into_iter().map(Answer::from_value).collect())
    }

    /// One request, one answer, `ok: true` required.
    fn exchange(&mut self, mut request: String, name: &str) -> Result<Value, AdapterError> {
        request.push('\n');
        let written = self.write_line(&request);
        let line = self.read_answer(written, name)?.line;
        let answer = self.judge(&line, name)?;
        if answer["ok"] == Value::Bool(false) {
            return Err(AdapterError::Refused {
                request: name.to_string(),
                error: error_text(&answer),
                stderr: self.stderr(),
            });
        }
        Ok(answer)
    }

    /// Writes `line` (with its newline) in one write; false when the process cannot read it.
    fn write_line(&mut self, line: &str) -> bool {
        let written = self.stdin.as_mut().map(|stdin| {
            stdin
                .write_all(line.as_bytes())
                .and_then(|()| stdin.flush())
        });
        matches!(written, Some(Ok(())))
    }

    /// The answer line to a request (`written` when it could be sent).
    fn read_answer(&mut self, written: bool, name: &str) -> Result<Received, AdapterError> {
        // A process that has exited cannot read the request, but may have answered before:
        // whatever it wrote is judged first (`echo hello` is out of protocol, not a crash).
        match self.lines.recv_timeout(self.timeout) {
            Ok(Some(line)) => Ok(line),
            Ok(None) | Err(RecvTimeoutError::Disconnected) => Err(self.crashed(name)),
            Err(RecvTimeoutError::Timeout) if !written => Err(self.crashed(name)),
            Err(RecvTimeoutError::Timeout) => Err(AdapterError::Timeout {
                request: name.to_string(),
                after: self.timeout,
                stderr: self.last_stderr(),
            }),
        }
    }

    /// An answer line as JSON: an object with a boolean `ok`.
    fn judge(&mut self, line: &str, name: &str) -> Result<Value, AdapterError> {
        let answer: Value = match serde_json::from_str(line.trim_end_matches(['\n', '\r'])) {
            Ok(v) => v,
            Err(e) => return Err(self.malformed(name, format!("not JSON ({e})"), line)),
        };
        match answer.get("ok") {
            Some(Value::Bool(_)) if answer.is_object() => Ok(answer),
            _ => Err(self.malformed(name, "not an object with a boolean `ok`".into(), line)),
        }
    }

    fn malformed(&mut self, name: &str, why: String, line: &str) -> AdapterError {
        AdapterError::Malformed {
            request: name.to_string(),
            why,
            line: shorten(line.trim_end()),
            stderr: self.last_stderr(),
        }
    }

    fn crashed(&mut self, name: &str) -> AdapterError {
        // Give the process a moment to be reaped, so the status is known.
        let mut status = None;
        for _ in 0..50 {
            if let Ok(Some(s)) = self.child.try_wait() {
                status = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let status = status.map_or_else(|| "closed its stdout".to_string(), |s| s.to_string());
        AdapterError::Crashed {
            status,
            request: name.to_string(),
            stderr: self.last_stderr(),
        }
    }

    /// Kills the process and everything it started (its process group), and reaps it.
    pub(super) fn kill(&mut self) {
        // `kill -KILL -PGID`: std has no call for a process group, and no `unsafe` here.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn error_text(answer: &Value) -> String {
    match answer.get("error") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "(no `error` given)".to_string(),
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Closing stdin asks the adapter to exit; a short grace period, then it is killed.
        drop(self.stdin.take());
        for i in 0..400 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            // Poll often at first (adapters exit at once), then every 10 ms, 2 s in all.
            std::thread::sleep(Duration::from_millis(if i < 50 { 1 } else { 10 }));
        }
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::super::scan::strategies::{json, key, text};
    use super::*;
    use crdt_laws::ReplicaId;

    /// The toy adapter of the harness's tests, serving its OR-Set.
    fn toy_orset() -> Process {
        let toy = format!(
            "python3 {}/tests/adapters/toy.py orset",
            env!("CARGO_MANIFEST_DIR")
        );
        Process::start(&toy, Duration::from_secs(20)).expect("the toy starts")
    }

    /// Drops wait for the next batch, as one request ahead of what that batch asks, and a
    /// full hold of them is queued at once (the toy adapter of the harness's tests).
    #[test]
    fn drops_go_as_one_request_ahead_of_the_next_batch() {
        let mut p = toy_orset();
        for h in 0..3 {
            p.queue(Request::new("new").handle("replica", h).handle("actor", h));
        }
        let value = |h| Request::new("value").handle("replica", h);
        assert!(p.call(value(2)).is_ok());
        p.drop_later(&[1], &[]);
        p.drop_later(&[2], &[9]);
        assert!(p.pending().is_empty(), "drops wait: {:?}", p.pending());
        // The drop goes first: the replica asked about is gone.
        match p.call(value(2)) {
            Err(AdapterError::Refused { request, .. }) => assert_eq!(request, "value"),
            other => panic!("replica 2 was not dropped first: {:?}", other.map(|_| ())),
        }
        assert!(p.call(value(0)).is_ok());
        assert!(p.dropped.0.is_empty() && p.dropped.1.is_empty());
        let many: Vec<u64> = (100..100 + DROPS_HELD as u64).collect();
        p.drop_later(&many[..DROPS_HELD - 1], &[]);
        assert!(p.pending().is_empty());
        p.drop_later(&[], &many[DROPS_HELD - 1..]);
        assert_eq!(p.pending(), ["drop"]);
        assert_eq!(p.flush().expect("the batch is answered").len(), 1);
        p.kill();
    }

    /// Batches sent ahead are answered in order by the next flush; a refusal in one of them
    /// is the flush's error, and the answers of the batches after it are read all the same,
    /// so the next request gets its own answer.
    #[test]
    fn batches_sent_ahead_are_answered_in_order_by_the_next_flush() {
        let mut p = toy_orset();
        let add = |h: u64, x: u64| {
            Request::new("local")
                .handle("replica", h)
                .json("op", &serde_json::json!({"add": x}))
                .dot(Dot::new(ReplicaId::new(0), x))
        };
        let value = |h| Request::new("value").handle("replica", h);
        p.queue(Request::new("new").handle("replica", 0).handle("actor", 0));
        p.queue(add(0, 1));
        p.send_ahead();
        p.queue(value(0));
        p.send_ahead();
        p.queue(add(0, 2));
        p.queue(value(0));
        let answers = p.flush().expect("every batch is answered");
        let values: Vec<_> = answers.iter().filter_map(|a| a.value().cloned()).collect();
        assert_eq!(answers.len(), 5);
        assert_eq!(values, [serde_json::json!([1]), serde_json::json!([1, 2])]);
        // A refused batch ahead (replica 7 does not exist) and one after it.
        p.queue(value(7));
        p.send_ahead();
        p.queue(value(0));
        match p.flush() {
            Err(AdapterError::Refused { request, .. }) => assert_eq!(request, "value"),
            other => panic!("the refusal is the error: {:?}", other.map(|_| ())),
        }
        let answer = p.call(value(0)).expect("the stream is in step");
        assert_eq!(answer.value(), Some(&serde_json::json!([1, 2])));
        p.kill();
    }

    #[test]
    fn integers_are_written_as_display_writes_them() {
        for v in [0, 1, 9, 10, 99, 100, 4_096, 1 << 40, u64::MAX - 1, u64::MAX] {
            let mut text = String::from("x");
            push_u64(&mut text, v);
            assert_eq!(text, format!("x{v}"));
        }
    }

    #[test]
    fn a_compact_batch_answer_reads_as_the_general_path_reads_it() {
        let lines = [
            r#"{"ok":true,"results":[{"ok":true},{"ok":true,"value":[1,{"a":"]},"}]},{"ok":true}]}"#,
            r#"{"ok":true,"results":[{"ok":true,"equal":false,"note":{"ok":true}}]}"#,
            r#"{"ok":true,"results":[]}"#,
            r#"{"ok":true,"results":[{"ok":true} ,{"ok":true}]}"#,
            r#"{"ok": true, "results": [{"ok": true}, {"ok": true, "value": 3}]}"#,
        ];
        for line in lines {
            let general: BatchAnswer = serde_json::from_str(line).expect("valid");
            let n = general.results.len();
            let read = all_ok(&format!("{line}\n"), n).expect("all ok");
            assert_eq!(read, general.results, "{line}");
            assert!(all_ok(line, n + 1).is_none(), "{line}: a wrong count");
        }
        for (line, n) in [
            (
                r#"{"ok":true,"results":[{"ok":true},{"ok":false,"error":"no"}]}"#,
                2,
            ),
            (
                r#"{"ok":true,"results":[{"ok":true},{"ok":true}]} trailing"#,
                2,
            ),
            (r#"{"ok":true,"results":[{"ok":true}{"ok":true}]}"#, 2),
            (r#"{"ok":true,"results":[{"ok":true},"#, 1),
            (r#"{"ok":false,"results":[{"ok":true}]}"#, 1),
        ] {
            assert!(all_ok(line, n).is_none(), "{line}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        /// An answer read by hand is the answer serde reads, and ends where serde's ends.
        #[test]
        fn an_answer_read_by_hand_is_read_as_serde_reads_it(
            fields in proptest::collection::vec(
                (key(&["ok", "value", "equal", "leq", "snapshot", "x"]), json()),
                0..5,
            ),
            spaced: bool,
        ) {
            let answer = text(&fields, spaced);
            let line = format!("{answer},{{\"ok\":true}}]}}");
            if let Some(read) = answer_by_hand(&mut Scan::new(&line)) {
                let serde: Answer = serde_json::from_str(&answer).expect("valid");
                proptest::prop_assert_eq!(read, serde, "{}", answer);
            }
            let (read, used) = one_answer(&line).expect("an answer");
            proptest::prop_assert_eq!(&line[used..], ",{\"ok\":true}]}");
            proptest::prop_assert_eq!(read, serde_json::from_str::<Answer>(&answer).expect("valid"));
        }
    }

    /// The answers adapters write are read by hand, not left to serde.
    #[test]
    fn usual_answers_are_read_by_hand() {
        for answer in [
            r#"{"ok":true,"value":[1,2,3]}"#,
            r#"{"ok":true,"value":"ab","ids":[[0,1],[1,1]]}"#,
            r#"{"ok":true,"equal":false}"#,
            r#"{ "ok": true, "leq": true }"#,
            r#"{"ok":true,"value":{"a":[1],"b":null}}"#,
        ] {
            let read = answer_by_hand(&mut Scan::new(answer)).expect(answer);
            assert_eq!(read, serde_json::from_str::<Answer>(answer).expect("valid"));
        }
    }

    #[test]
    fn requests_are_the_json_they_say() {
        let text = Request::new("local")
            .handle("replica", 12)
            .handles("drop", &[0, 7, 305])
            .handles("none", &[])
            .dot(Dot::new(ReplicaId::new(2), 41))
            .finish();
        assert_eq!(
            text,
            r#"{"type":"local","replica":12,"drop":[0,7,305],"none":[],"dot":{"actor":2,"seq":41}}"#
        );
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(parsed["dot"]["seq"], 41);
    }
}
