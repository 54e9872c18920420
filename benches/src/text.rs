//! Text edits as the list benchmarks feed them to every implementation, and the floors: plain
//! ropes replaying the same edits.
//!
//! The traces count positions in `char`s. Most list CRDTs take `char` positions too; `yrs`
//! takes UTF-8 byte offsets, so [`to_bytes`] converts a sequential trace once, outside the
//! timing.
//!
//! ```
//! use crdt_benches::text::{Edit, replay_jumprope, replay_ropey, to_bytes};
//!
//! let edits = [Edit::new(0, 0, "héllo"), Edit::new(1, 1, "e"), Edit::new(5, 0, "!")];
//! assert_eq!(replay_ropey(&edits).to_string(), "hello!");
//! assert_eq!(replay_jumprope(&edits).to_string(), "hello!");
//! let bytes = to_bytes(&edits);
//! assert_eq!((bytes[1].pos, bytes[1].delete), (1, 2)); // 'é' is two bytes
//! ```

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

/// Replays `edits` on a [`ropey::Rope`]: the rope floor.
#[must_use]
pub fn replay_ropey(edits: &[Edit<'_>]) -> Rope {
    let mut rope = Rope::new();
    for e in edits {
        if e.delete > 0 {
            rope.remove(e.pos..e.pos + e.delete);
        }
        if !e.insert.is_empty() {
            rope.insert(e.pos, e.insert);
        }
    }
    rope
}

/// Replays `edits` on a [`jumprope::JumpRope`] (the rope inside diamond-types): the other
/// rope floor.
#[must_use]
pub fn replay_jumprope(edits: &[Edit<'_>]) -> JumpRope {
    let mut rope = JumpRope::new();
    for e in edits {
        if e.delete > 0 {
            rope.remove(e.pos..e.pos + e.delete);
        }
        if !e.insert.is_empty() {
            rope.insert(e.pos, e.insert);
        }
    }
    rope
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
}
