//! Text edits as the list benchmarks feed them to every implementation, the floors (plain
//! ropes replaying the same edits), and [`replay_fugue`], the Fugue text replaying them.
//!
//! The traces count positions in `char`s. Most list CRDTs take `char` positions too; `yrs`
//! takes UTF-8 byte offsets, so [`to_bytes`] converts a sequential trace once, outside the
//! timing.
//!
//! ```
//! use crdt_benches::text::{Edit, replay_fugue, replay_jumprope, replay_ropey, to_bytes};
//!
//! let edits = [Edit::new(0, 0, "héllo"), Edit::new(1, 1, "e"), Edit::new(5, 0, "!")];
//! assert_eq!(replay_ropey(&edits).to_string(), "hello!");
//! assert_eq!(replay_jumprope(&edits).to_string(), "hello!");
//! assert_eq!(replay_fugue(&edits).to_string(), "hello!");
//! let bytes = to_bytes(&edits);
//! assert_eq!((bytes[1].pos, bytes[1].delete), (1, 2)); // 'é' is two bytes
//! ```

use crdt_impls::FugueText;
use crdt_impls::fugue::replay::apply_patch;
use crdt_impls::traces::{ConcurrentTrace, Patch, ReplayStep, SequentialTrace};
use jumprope::JumpRope;
use ropey::Rope;

/// One edit: delete `delete` units at `pos`, then insert `insert` at `pos`. The unit is the
/// `char` unless said otherwise (see [`to_bytes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit<'a> {
    /// Where the edit happens.
    pub pos: usize,
    /// How many units it deletes there.
    pub delete: usize,
    /// What it then inserts there.
    pub insert: &'a str,
}

impl<'a> Edit<'a> {
    /// Deletes `delete` units at `pos`, then inserts `insert`.
    #[must_use]
    pub const fn new(pos: usize, delete: usize, insert: &'a str) -> Self {
        Self {
            pos,
            delete,
            insert,
        }
    }

    /// The number of `char`s inserted.
    #[must_use]
    pub fn insert_chars(&self) -> usize {
        self.insert.chars().count()
    }
}

/// One transaction of a concurrent trace: an agent's edits, applied in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Txn<'a> {
    /// The agent that makes it.
    pub agent: usize,
    /// Its edits, positions in the agent's text at that point.
    pub edits: Vec<Edit<'a>>,
}

impl<'a> Txn<'a> {
    /// The transaction of `agent` made of `edits`.
    #[must_use]
    pub const fn new(agent: usize, edits: Vec<Edit<'a>>) -> Self {
        Self { agent, edits }
    }
}

/// One step of the replay of a concurrent trace with one replica per agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `agent` makes transaction `txn`.
    Edit {
        /// The agent.
        agent: usize,
        /// The transaction.
        txn: usize,
    },
    /// `agent` receives the edits of transaction `txn`, made by another agent.
    Receive {
        /// The receiving agent.
        agent: usize,
        /// The transaction.
        txn: usize,
    },
}

/// A concurrent trace ready to replay: its transactions and the order of the steps (every
/// agent receives a transaction's causal past before it, and everything by the end).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Concurrent<'a> {
    /// The number of agents, numbered from 0.
    pub agents: usize,
    /// The transactions.
    pub txns: Vec<Txn<'a>>,
    /// The replay schedule.
    pub steps: Vec<Step>,
}

impl<'a> From<&'a Patch> for Edit<'a> {
    fn from(p: &'a Patch) -> Self {
        Edit::new(p.pos, p.delete, &p.insert)
    }
}

/// The edits of a sequential trace, in order.
#[must_use]
pub fn sequential(trace: &SequentialTrace) -> Vec<Edit<'_>> {
    trace.patches().map(Edit::from).collect()
}

impl<'a> Concurrent<'a> {
    /// A concurrent trace with its replay schedule
    /// ([`ConcurrentTrace::replay_schedule`]).
    #[must_use]
    pub fn new(trace: &'a ConcurrentTrace) -> Self {
        Self {
            agents: trace.num_agents,
            txns: trace
                .txns
                .iter()
                .map(|t| Txn::new(t.agent, t.patches.iter().map(Edit::from).collect()))
                .collect(),
            steps: trace
                .replay_schedule()
                .into_iter()
                .map(|step| match step {
                    ReplayStep::Edit { agent, txn } => Step::Edit { agent, txn },
                    ReplayStep::Receive { agent, txn } => Step::Receive { agent, txn },
                })
                .collect(),
        }
    }

    /// The edits of each transaction with UTF-8 byte offsets in its agent's text at that
    /// point, found by replaying the trace on Fugue texts (as `yrs` wants them).
    ///
    /// # Panics
    /// If a patch is out of range for its agent's text (the trace is inconsistent).
    #[must_use]
    pub fn byte_edits(&self, trace: &'a ConcurrentTrace) -> Vec<Vec<Edit<'a>>> {
        let mut texts: Vec<FugueText> = (0..self.agents)
            .map(|a| FugueText::new(crdt_impls::ReplicaId::new(a as u32)))
            .collect();
        let mut sent = vec![Vec::new(); self.txns.len()];
        let mut byte_edits = vec![Vec::new(); self.txns.len()];
        for step in &self.steps {
            match *step {
                Step::Edit { agent, txn } => {
                    let text = &mut texts[agent];
                    let mut mirror = text.to_string();
                    for patch in &trace.txns[txn].patches {
                        let start = byte_offset(&mirror, patch.pos);
                        let end = start + byte_offset(&mirror[start..], patch.delete);
                        mirror.replace_range(start..end, &patch.insert);
                        byte_edits[txn].push(Edit::new(start, end - start, &patch.insert));
                        apply_patch(text, patch, |m| sent[txn].push(m));
                    }
                }
                Step::Receive { agent, txn } => {
                    for message in &sent[txn] {
                        texts[agent]
                            .integrate(message)
                            .expect("a causal replay integrates every message");
                    }
                }
            }
        }
        byte_edits
    }

    /// The number of edits.
    #[must_use]
    pub fn num_edits(&self) -> usize {
        self.txns.iter().map(|t| t.edits.len()).sum()
    }
}

/// Replays `edits` on `rope` through its `remove` and `insert` (the two rope floors differ only
/// in their types).
fn replay_on<R>(
    edits: &[Edit<'_>],
    mut rope: R,
    remove: impl Fn(&mut R, std::ops::Range<usize>),
    insert: impl Fn(&mut R, usize, &str),
) -> R {
    for e in edits {
        if e.delete > 0 {
            remove(&mut rope, e.pos..e.pos + e.delete);
        }
        if !e.insert.is_empty() {
            insert(&mut rope, e.pos, e.insert);
        }
    }
    rope
}

/// Replays `edits` on a [`ropey::Rope`]: the rope floor.
#[must_use]
pub fn replay_ropey(edits: &[Edit<'_>]) -> Rope {
    replay_on(
        edits,
        Rope::new(),
        |r, range| r.remove(range),
        |r, at, s| r.insert(at, s),
    )
}

/// Replays `edits` on a [`jumprope::JumpRope`] (the rope inside diamond-types): the other
/// rope floor.
#[must_use]
pub fn replay_jumprope(edits: &[Edit<'_>]) -> JumpRope {
    replay_on(
        edits,
        JumpRope::new(),
        |r, range| r.remove(range),
        |r, at, s| r.insert(at, s),
    )
}

/// Replays `edits` on a new [`FugueText`] at replica 0, as the ropes replay them (each edit's
/// message is made and dropped: the local editing cost of the CRDT).
#[must_use]
pub fn replay_fugue(edits: &[Edit<'_>]) -> FugueText {
    replay_on(
        edits,
        FugueText::new(crdt_impls::ReplicaId::new(0)),
        |t, range| drop(t.delete(range.start, range.len())),
        |t, at, s| drop(t.insert_str(at, s)),
    )
}

/// The same edits with UTF-8 byte offsets and lengths instead of `char`s, computed by
/// replaying them on a rope.
#[must_use]
pub fn to_bytes<'a>(edits: &[Edit<'a>]) -> Vec<Edit<'a>> {
    let mut rope = Rope::new();
    edits
        .iter()
        .map(|e| {
            let start = rope.char_to_byte(e.pos);
            let end = rope.char_to_byte(e.pos + e.delete);
            if e.delete > 0 {
                rope.remove(e.pos..e.pos + e.delete);
            }
            rope.insert(e.pos, e.insert);
            Edit::new(start, end - start, e.insert)
        })
        .collect()
}

/// The UTF-8 byte offset of `char` index `pos` in `text`.
#[must_use]
pub fn byte_offset(text: &str, pos: usize) -> usize {
    text.char_indices().nth(pos).map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_count_utf8() {
        assert_eq!(byte_offset("aé€z", 0), 0);
        assert_eq!(byte_offset("aé€z", 2), 3);
        assert_eq!(byte_offset("aé€z", 3), 6);
        assert_eq!(byte_offset("aé€z", 4), 7);
        let edits = [Edit::new(0, 0, "a€b"), Edit::new(2, 1, "")];
        assert_eq!(to_bytes(&edits)[1], Edit::new(4, 1, ""));
        assert_eq!(replay_ropey(&edits).to_string(), "a€");
        assert_eq!(Edit::new(0, 0, "a€b").insert_chars(), 3);
    }

    #[test]
    fn concurrent_traces_convert_with_byte_offsets_in_the_agents_texts() {
        let Some(dir) = crdt_impls::traces::traces_dir() else {
            eprintln!("no traces folder: skipping");
            return;
        };
        let trace = crdt_impls::traces::load_concurrent(&dir, "friendsforever").unwrap();
        let replay = Concurrent::new(&trace);
        assert_eq!(replay.agents, trace.num_agents);
        assert_eq!(replay.num_edits(), trace.num_patches());
        assert_eq!(replay.steps.len(), trace.replay_schedule().len());
        let bytes = replay.byte_edits(&trace);
        for (chars, bytes) in replay.txns.iter().zip(&bytes) {
            assert_eq!(chars.edits.len(), bytes.len());
            for (c, b) in chars.edits.iter().zip(bytes) {
                assert_eq!(c.insert, b.insert);
                assert!(b.pos >= c.pos && b.delete >= c.delete, "{c:?} {b:?}");
            }
        }
        // The shared concurrent traces are ASCII: bytes and chars agree.
        assert!(trace.end_content.is_ascii());
        assert_eq!(bytes.iter().flatten().count(), trace.num_patches());
        let same = replay.txns.iter().zip(&bytes).all(|(c, b)| c.edits == *b);
        assert!(same);
    }
}
