//! Replaying the editing traces of [`crate::traces`] on Fugue texts.

use crdt_laws::ReplicaId;

use super::error::Error;
use super::message::Message;
use super::order::SiblingOrder;
use super::text::Text;
use crate::traces::{ConcurrentTrace, Patch, ReplayStep, SequentialTrace};

/// Applies one patch locally (delete, then insert, at `patch.pos`) and hands each message to
/// `send`.
///
/// # Panics
/// If the patch is out of range for the text.
pub fn apply_patch<O: SiblingOrder>(
    text: &mut Text<O>,
    patch: &Patch,
    mut send: impl FnMut(Message<char>),
) {
    if patch.delete > 0 {
        send(text.delete(patch.pos, patch.delete));
    }
    if !patch.insert.is_empty() {
        send(text.insert_str(patch.pos, &patch.insert));
    }
}

/// Replays the first `patches` patches of a sequential trace on a new text at replica 0
/// (`usize::MAX` for all of them).
///
/// # Panics
/// If a patch is out of range (the trace is inconsistent).
#[must_use]
pub fn replay_sequential<O: SiblingOrder>(trace: &SequentialTrace, patches: usize) -> Text<O> {
    let mut text = Text::new(ReplicaId::new(0));
    text.insert_str(0, &trace.start_content);
    for patch in trace.patches().take(patches) {
        apply_patch(&mut text, patch, drop);
    }
    text
}

/// Replays a concurrent trace with one text per agent (agent `i` is replica `i`), following
/// [`ConcurrentTrace::replay_schedule`], and returns the texts. After a correct replay each of
/// them shows the trace's end content.
///
/// # Errors
/// When a text refuses a message (it would be a bug: the schedule is causal).
///
/// # Panics
/// If a patch is out of range (the trace is inconsistent).
pub fn replay_concurrent<O: SiblingOrder>(trace: &ConcurrentTrace) -> Result<Vec<Text<O>>, Error> {
    replay_schedule(trace, &trace.replay_schedule())
}

/// Replays a concurrent trace along a precomputed schedule. See [`replay_concurrent`].
///
/// # Errors
/// As [`replay_concurrent`].
///
/// # Panics
/// As [`replay_concurrent`].
pub fn replay_schedule<O: SiblingOrder>(
    trace: &ConcurrentTrace,
    schedule: &[ReplayStep],
) -> Result<Vec<Text<O>>, Error> {
    let mut texts: Vec<Text<O>> = (0..trace.num_agents)
        .map(|agent| Text::new(ReplicaId::new(agent as u32)))
        .collect();
    let mut sent: Vec<Vec<Message<char>>> = vec![Vec::new(); trace.txns.len()];
    for step in schedule {
        match *step {
            ReplayStep::Receive { agent, txn } => {
                for message in &sent[txn] {
                    texts[agent].integrate(message)?;
                }
            }
            ReplayStep::Edit { agent, txn } => {
                let mut messages = Vec::new();
                for patch in &trace.txns[txn].patches {
                    apply_patch(&mut texts[agent], patch, |m| messages.push(m));
                }
                sent[txn] = messages;
            }
        }
    }
    Ok(texts)
}
