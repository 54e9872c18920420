//! The result of checking one law of CRDT algebra on one model.

use serde::{Deserialize, Serialize};

/// The result of checking one law (e.g. `join_commutative`) on one model.
///
/// In JSON the outcome's `verdict` sits beside the other fields:
///
/// ```
/// use crdt_reports::{LawResult, Outcome, Premise};
/// let law = LawResult {
///     formula: "a ≤ b ∧ b ≤ a ⇒ a = b".into(),
///     outcome: Outcome::Vacuous,
///     cases: 256,
///     premise: Some(Premise { hits: 3, threshold: 10 }),
///     duration_us: 1_200,
///     seed: Some(7),
/// };
/// let json = serde_json::to_value(&law).unwrap();
/// assert_eq!(json["verdict"], "vacuous");
/// assert_eq!(json["premise"]["hits"], 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LawResult {
    /// The law as a formula, e.g. `a ⊔ b = b ⊔ a`.
    pub formula: String,
    /// Passed, failed (with a counterexample), vacuous or skipped.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Test cases run.
    pub cases: u64,
    /// For a law with a premise (`a ≤ b ∧ b ≤ a ⇒ ...`): how often it held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premise: Option<Premise>,
    /// Time spent checking the law, in microseconds.
    pub duration_us: u64,
    /// The seed that reproduces this check, when the runner recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// The verdict on a law, with what a failure or a skip needs to explain itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Every case held, and the premise (if any) held often enough to mean something.
    #[default]
    Passed,
    /// No case failed, but the premise held too rarely: the law was not really tested.
    Vacuous,
    /// The law does not apply or was not run.
    Skipped {
        /// Why, e.g. `the model declares no bottom`.
        reason: String,
    },
    /// A case broke the law.
    Failed {
        /// The minimal case found.
        counterexample: Box<Counterexample>,
    },
}

impl Outcome {
    /// The verdict's name as it appears in JSON: `passed`, `vacuous`, `skipped` or `failed`.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Vacuous => "vacuous",
            Self::Skipped { .. } => "skipped",
            Self::Failed { .. } => "failed",
        }
    }

    /// How bad the verdict is, for choosing between two results of the same law:
    /// failed > vacuous > passed > skipped.
    pub(crate) const fn severity(&self) -> u8 {
        match self {
            Self::Skipped { .. } => 0,
            Self::Passed => 1,
            Self::Vacuous => 2,
            Self::Failed { .. } => 3,
        }
    }
}

/// How often a law's premise held.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Premise {
    /// Cases in which the premise held.
    pub hits: u64,
    /// The fewest hits for which the law counts as tested; below it the law is vacuous.
    pub threshold: u64,
}

/// A minimal case that breaks a law.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Counterexample {
    /// What went wrong, in a sentence, e.g. `a ⊔ b ≠ b ⊔ a`.
    pub message: String,
    /// The inputs the law was applied to, in order (`a`, `b`, `op`, ...).
    pub inputs: Vec<Term>,
    /// The two sides of the broken equation or inequality, e.g. `a ⊔ b` and `b ⊔ a`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sides: Option<[Term; 2]>,
    /// The execution that produced the inputs, one step per line (`A applies Add(3)`,
    /// `B merges from A`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub execution: Vec<String>,
    /// The states involved and their order, for a Hasse diagram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lattice: Option<Lattice>,
}

/// A named value: an input (`a`), an expression (`a ⊔ b`) or a state, with its `Debug` text.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Term {
    /// The name or expression, e.g. `a ⊔ b`.
    pub label: String,
    /// The value's `Debug` text.
    pub debug: String,
    /// Where the value came from, when known: `B after step 3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Term {
    /// A term from its label and its value's `Debug` text, of unknown source.
    #[must_use]
    pub fn new(label: impl Into<String>, debug: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            debug: debug.into(),
            source: None,
        }
    }

    /// The same term, noting where its value came from.
    #[must_use]
    pub fn from_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// True when the label names this expression: the label itself, or one of the names it
    /// joins with ` = ` (a lattice element that several expressions evaluate to is labelled
    /// `a ⊔ b = b`).
    ///
    /// ```
    /// let element = crdt_reports::Term::new("a ⊔ b = b", "{1}");
    /// assert!(element.names("a ⊔ b") && element.names("b"));
    /// assert!(!element.names("a"));
    /// ```
    #[must_use]
    pub fn names(&self, expression: &str) -> bool {
        self.label.split(" = ").any(|name| name == expression)
    }
}

/// Some states and the order between them, drawn as a Hasse diagram.
///
/// Each element is a distinct state, labelled with every expression that evaluates to it,
/// joined by ` = ` (`a ⊔ b = b`).
/// `leq` lists pairs `(i, j)` of indices into `elements` with `elements[i] ≤ elements[j]`. It may
/// be the whole relation or any part of it that implies the rest: the diagram draws its
/// transitive reduction. Pairs whose indices are out of range are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Lattice {
    /// The states.
    pub elements: Vec<Term>,
    /// `(i, j)`: `elements[i] ≤ elements[j]`.
    pub leq: Vec<(u32, u32)>,
}
