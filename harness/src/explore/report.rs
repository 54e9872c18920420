//! What an exploration covered, in numbers and in one sentence.

use std::collections::BTreeMap;
use std::fmt::{self, Display};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::schedule::Faults;
use crate::sim::Property;

/// How many faults of each kind one path may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FaultBounds {
    /// Messages lost.
    pub drop: u8,
    /// Messages duplicated.
    pub duplicate: u8,
    /// Partitions (each may be healed).
    pub partition: u8,
    /// Crashes (each may be followed by a restart).
    pub crash: u8,
}

impl Default for FaultBounds {
    /// One of each.
    fn default() -> Self {
        FaultBounds {
            drop: 1,
            duplicate: 1,
            partition: 1,
            crash: 1,
        }
    }
}

impl FaultBounds {
    /// The same bound for every kind.
    #[must_use]
    pub const fn each(bound: u8) -> Self {
        FaultBounds {
            drop: bound,
            duplicate: bound,
            partition: bound,
            crash: bound,
        }
    }
}

/// How the explorer judges states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// The simulator's own oracles: every new state's path is replayed by
    /// [`sim::run`](crate::sim::run), which checks every step and ends with quiescence (heal,
    /// restart, deliver everything, synchronize, then require agreement), exactly like a
    /// random schedule. Costs a replay of the path per state; the counterexample length is
    /// then that of a random schedule's shrunk counterexample.
    #[default]
    Replay,
    /// The explorer's own checks on every transition (invariant, monotone growth,
    /// specification, one order of sequence elements among the replicas at that moment, and
    /// convergence of replicas that have seen the same updates), without quiescence and
    /// without the contiguity oracle; a violation is confirmed by replaying its path with
    /// [`sim::run`](crate::sim::run) before it is reported. Much faster; finds convergence
    /// bugs a few steps deeper (the messages must be exchanged within the bound).
    Fast,
}

/// What one exploration covered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The model's name.
    pub model: String,
    /// Replicas.
    pub replicas: u32,
    /// The depth asked for: the most steps per path.
    pub depth: usize,
    /// Every path of at most this many steps was explored (and found clean when there is no
    /// counterexample). Less than [`depth`](Self::depth) when the memory cap or a
    /// counterexample ended the exploration.
    pub depth_completed: usize,
    /// The operation alphabet, as `Debug` text.
    pub operations: Vec<String>,
    /// The faults explored.
    pub faults: Faults,
    /// Their bounds.
    pub bounds: FaultBounds,
    /// How states were judged.
    pub check: Check,
    /// Symmetry reduction on.
    pub symmetric: bool,
    /// Sleep sets on.
    pub sleep_sets: bool,
    /// Depth pruning on (it acts with fast checks only).
    #[serde(default)]
    pub depth_pruning: bool,
    /// Distinct global states visited (up to symmetry when it is on).
    pub states: u64,
    /// Transitions performed (steps from a visited state).
    pub transitions: u64,
    /// Transitions that reached a state new but for renaming: pruned by symmetry.
    pub pruned_by_symmetry: u64,
    /// Transitions not performed because a sibling order covers them: pruned by independence.
    pub pruned_by_independence: u64,
    /// Transitions checked whose state was neither kept nor expanded: it holds more messages
    /// made by sends and duplicates than steps are left (depth pruning).
    #[serde(default)]
    pub pruned_by_depth: u64,
    /// Violations the explorer's own checks saw that replaying the path did not confirm.
    pub unconfirmed: u64,
    /// States visited at each depth (index 0: the initial state).
    pub states_per_depth: Vec<u64>,
    /// The memory cap (states) that ended the exploration early, if it did.
    pub capped_at: Option<u64>,
    /// Every property seen broken, with the least depth it was seen at (with
    /// [`Explorer::keep_going`](super::Explorer::keep_going); otherwise at most the first).
    pub violations: BTreeMap<Property, usize>,
    /// Wall-clock time.
    pub elapsed: Duration,
    /// Worker threads.
    pub threads: usize,
}

impl Coverage {
    /// States per second of wall-clock time.
    #[must_use]
    pub fn states_per_second(&self) -> f64 {
        self.states as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn faults_text(&self) -> String {
        let f = self.faults;
        let b = self.bounds;
        let mut parts = Vec::new();
        if f.drop {
            parts.push(format!("drop≤{}", b.drop));
        }
        if f.duplicate {
            parts.push(format!("dup≤{}", b.duplicate));
        }
        if f.reorder {
            parts.push("reorder".to_string());
        }
        if f.partition {
            parts.push(format!("partition≤{}", b.partition));
        }
        if f.crash {
            parts.push(format!("crash≤{}", b.crash));
        }
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    }
}

impl Display for Coverage {
    /// `no counterexample within 3 replicas, 8 steps, operations {...}, faults {...}: N
    /// states, M transitions, K pruned by symmetry, J by independence`, or what was
    /// completed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let within = format!(
            "{} replicas, {} steps, operations {{{}}}, faults {{{}}}",
            self.replicas,
            self.depth_completed,
            self.operations.join(", "),
            self.faults_text()
        );
        write!(
            f,
            "{}: no counterexample within {within}: {} states, {} transitions, {} pruned by \
             symmetry, {} by independence, {} by depth ({} checks, {:.2?}, {} thread(s))",
            self.model,
            self.states,
            self.transitions,
            self.pruned_by_symmetry,
            self.pruned_by_independence,
            self.pruned_by_depth,
            match self.check {
                Check::Replay => "simulator",
                Check::Fast => "fast",
            },
            self.elapsed,
            self.threads,
        )?;
        if let Some(cap) = self.capped_at {
            write!(
                f,
                "; stopped at the memory cap of {cap} states: depth {} of {} completed",
                self.depth_completed, self.depth
            )?;
        }
        if self.unconfirmed > 0 {
            write!(f, "; {} unconfirmed violation(s)", self.unconfirmed)?;
        }
        Ok(())
    }
}
