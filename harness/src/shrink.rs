//! Shrinking a failing schedule to a minimal counterexample.
//!
//! Two phases. First proptest's own shrinking walks the schedule's value tree (dropping steps
//! and simplifying operations the way the model's strategy allows). Then a greedy pass tries
//! simpler schedules directly and keeps any that still break the same property, until none
//! does:
//! 1. cut the schedule after the step where the property broke;
//! 2. cut to the causal past of that step (the steps whose effects could reach it);
//! 3. remove a whole replica (renumbering the others);
//! 4. remove one step;
//! 5. simplify a step (a smaller pick, a smaller partition).
//!
//! Every candidate is smaller (fewer steps, fewer replicas, or smaller numbers), so the pass
//! ends, with a schedule from which no single step or replica can be removed.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Debug;

use crdt_laws::ReplicaId;
use proptest::strategy::ValueTree;

use crate::schedule::{Schedule, Step};
use crate::sim::{Event, Finding, Outcome};

/// What shrinking costs and achieves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShrinkStats {
    /// Schedules run while shrinking.
    pub attempts: u32,
    /// Steps before shrinking.
    pub steps_before: usize,
    /// Steps after.
    pub steps_after: usize,
}

/// Shrinks through proptest's value tree, then greedily; `fails` runs a schedule and returns
/// its outcome when it breaks the property being shrunk.
pub fn shrink<Op, T>(
    mut tree: T,
    fails: &dyn Fn(&Schedule<Op>) -> Option<Outcome>,
    max_attempts: u32,
) -> (Schedule<Op>, Outcome, ShrinkStats)
where
    Op: Clone + Debug,
    T: ValueTree<Value = Schedule<Op>>,
{
    let original = tree.current();
    let mut best = original.clone();
    let mut outcome = fails(&best).expect("shrinking starts from a failing schedule");
    let mut stats = ShrinkStats {
        attempts: 1,
        steps_before: original.steps.len(),
        steps_after: 0,
    };
    // Phase 1: proptest's value tree.
    if tree.simplify() {
        while stats.attempts < max_attempts / 2 {
            stats.attempts += 1;
            let candidate = tree.current();
            if let Some(o) = fails(&candidate) {
                best = candidate;
                outcome = o;
                if !tree.simplify() {
                    break;
                }
            } else if !tree.complicate() {
                break;
            }
        }
    }
    // Phase 2: greedy.
    'search: loop {
        for candidate in candidates(&best, outcome.finding.as_ref(), &outcome.events) {
            if stats.attempts >= max_attempts {
                break 'search;
            }
            stats.attempts += 1;
            if let Some(o) = fails(&candidate) {
                best = candidate;
                outcome = o;
                continue 'search;
            }
        }
        break;
    }
    stats.steps_after = best.steps.len();
    (best, outcome, stats)
}

/// Simpler schedules to try, most aggressive first.
fn candidates<Op: Clone>(
    s: &Schedule<Op>,
    finding: Option<&Finding>,
    events: &[Event],
) -> Vec<Schedule<Op>> {
    let mut out = Vec::new();
    let with_steps = |steps: Vec<Step<Op>>| Schedule {
        replicas: s.replicas,
        late: s.late.clone(),
        steps,
    };
    if let Some(step) = finding.and_then(|f| f.step)
        && step < s.steps.len()
    {
        out.push(with_steps(s.steps[..step].to_vec()));
    }
    if let Some(finding) = finding
        && let Some(kept) = causal_past(s, finding, events)
        && kept.len() < s.steps.len()
    {
        out.push(with_steps(kept));
    }
    for r in (0..s.replicas).rev() {
        if s.replicas > 1 {
            out.push(without_replica(s, ReplicaId::new(r)));
        }
    }
    if !s.late.is_empty() {
        out.push(Schedule {
            replicas: s.replicas,
            late: Vec::new(),
            steps: s
                .steps
                .iter()
                .filter(|step| !matches!(step, Step::Join { .. }))
                .cloned()
                .collect(),
        });
    }
    for i in (0..s.steps.len()).rev() {
        let mut steps = s.steps.clone();
        steps.remove(i);
        out.push(with_steps(steps));
    }
    if s.steps.len() <= 16 {
        for i in 0..s.steps.len() {
            for j in i + 1..s.steps.len() {
                let steps = s
                    .steps
                    .iter()
                    .enumerate()
                    .filter(|&(k, _)| k != i && k != j)
                    .map(|(_, step)| step.clone())
                    .collect();
                out.push(with_steps(steps));
            }
        }
    }
    for (i, step) in s.steps.iter().enumerate() {
        for simpler in simpler_step(step) {
            let mut steps = s.steps.clone();
            steps[i] = simpler;
            out.push(with_steps(steps));
        }
    }
    out
}

fn simpler_step<Op: Clone>(step: &Step<Op>) -> Vec<Step<Op>> {
    match step {
        Step::Deliver { to, pick } if *pick > 0 => (0..(*pick).min(64))
            .map(|p| Step::Deliver { to: *to, pick: p })
            .collect(),
        Step::Drop { pick } if *pick > 0 => (0..(*pick).min(64))
            .map(|p| Step::Drop { pick: p })
            .collect(),
        Step::Duplicate { pick } if *pick > 0 => (0..(*pick).min(64))
            .map(|p| Step::Duplicate { pick: p })
            .collect(),
        Step::Partition { side } if side.len() > 1 => (0..side.len())
            .map(|k| {
                let mut smaller = side.clone();
                smaller.remove(k);
                Step::Partition { side: smaller }
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The schedule without replica `gone`: its steps removed, higher replicas renumbered down.
fn without_replica<Op: Clone>(s: &Schedule<Op>, gone: ReplicaId) -> Schedule<Op> {
    let rename = |r: ReplicaId| {
        if r.0 > gone.0 {
            ReplicaId::new(r.0 - 1)
        } else {
            r
        }
    };
    let steps = s
        .steps
        .iter()
        .filter_map(|step| match step {
            Step::Partition { side } => {
                let side: Vec<ReplicaId> = side
                    .iter()
                    .filter(|&&r| r != gone)
                    .map(|&r| rename(r))
                    .collect();
                (!side.is_empty()).then_some(Step::Partition { side })
            }
            other if other.mentions(gone) => None,
            other => Some(other.map_replicas(rename)),
        })
        .collect();
    Schedule {
        replicas: s.replicas - 1,
        late: s
            .late
            .iter()
            .filter(|&&r| r != gone)
            .map(|&r| rename(r))
            .collect(),
        steps,
    }
}

/// The steps whose effects can reach the replicas of `finding` by its step: program order at
/// each replica, plus every message delivered to a replica that matters (the step that sent it
/// matters too). Network-wide steps (partitions, heals, drops, duplicates) are kept, since
/// they change which message a later delivery picks. `None` when the events do not say enough.
fn causal_past<Op: Clone>(
    s: &Schedule<Op>,
    finding: &Finding,
    events: &[Event],
) -> Option<Vec<Step<Op>>> {
    if finding.replicas.is_empty() {
        return None;
    }
    let last = finding.step.unwrap_or(s.steps.len()).min(s.steps.len());
    // Who sent each message, and which message each step delivered.
    let mut sender: HashMap<u64, ReplicaId> = HashMap::new();
    let mut delivered_at: HashMap<usize, u64> = HashMap::new();
    for event in events {
        match event {
            Event::Send { message, from, .. } => {
                sender.insert(*message, *from);
            }
            Event::Duplicate { message, copy, .. } => {
                if let Some(&from) = sender.get(message) {
                    sender.insert(*copy, from);
                }
            }
            Event::Deliver {
                step: Some(k),
                message,
                ..
            } => {
                delivered_at.insert(*k, *message);
            }
            _ => {}
        }
    }
    let mut relevant: BTreeSet<ReplicaId> = finding.replicas.iter().copied().collect();
    let mut keep = vec![false; last];
    for k in (1..=last).rev() {
        let step = &s.steps[k - 1];
        keep[k - 1] = match step {
            Step::Partition { .. } | Step::Heal | Step::Drop { .. } | Step::Duplicate { .. } => {
                true
            }
            Step::Deliver { to, .. } if relevant.contains(to) => {
                if let Some(from) = delivered_at.get(&k).and_then(|m| sender.get(m)) {
                    relevant.insert(*from);
                }
                true
            }
            other => relevant.iter().any(|&r| other.mentions(r)),
        };
    }
    Some(
        s.steps[..last]
            .iter()
            .zip(keep)
            .filter(|&(_, k)| k)
            .map(|(step, _)| step.clone())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(steps: Vec<Step<u8>>) -> Schedule<u8> {
        Schedule {
            replicas: 3,
            late: vec![ReplicaId::new(2)],
            steps,
        }
    }

    #[test]
    fn removing_a_replica_renumbers_the_rest() {
        let (a, b, c) = (ReplicaId::new(0), ReplicaId::new(1), ReplicaId::new(2));
        let s = schedule(vec![
            Step::Update { replica: a, op: 1 },
            Step::Update { replica: b, op: 2 },
            Step::Send { from: c, to: a },
            Step::Partition { side: vec![b, c] },
        ]);
        let t = without_replica(&s, b);
        assert_eq!(t.replicas, 2);
        assert_eq!(t.late, vec![b]);
        assert_eq!(
            t.steps,
            vec![
                Step::Update { replica: a, op: 1 },
                Step::Send { from: b, to: a },
                Step::Partition { side: vec![b] },
            ]
        );
        t.validate().unwrap();
    }

    #[test]
    fn candidates_are_smaller() {
        let a = ReplicaId::new(0);
        let s = schedule(vec![
            Step::Update { replica: a, op: 1 },
            Step::Deliver { to: a, pick: 5 },
            Step::Partition {
                side: vec![a, ReplicaId::new(1)],
            },
        ]);
        let size = |s: &Schedule<u8>| {
            let picks: u32 = s
                .steps
                .iter()
                .map(|st| match st {
                    Step::Deliver { pick, .. } => *pick,
                    Step::Partition { side } => side.len() as u32,
                    _ => 0,
                })
                .sum();
            (s.steps.len(), s.replicas, s.late.len(), picks)
        };
        for c in candidates(&s, None, &[]) {
            let (cs, cr, cl, cp) = size(&c);
            let (ss, sr, sl, sp) = size(&s);
            assert!(
                cs < ss || cr < sr || cl < sl || (cs == ss && cp < sp),
                "{c:?}"
            );
        }
    }
}
