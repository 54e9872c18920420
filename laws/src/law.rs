//! The law catalogue: names, formulas, premises, and what a broken law looks like.

use std::fmt::{self, Debug, Display};

use serde::{Deserialize, Serialize};

/// A law of the catalogue.
///
/// Each law has a snake_case [name](Law::name) (the name of its generated `#[test]`), a
/// [formula](Law::formula) and, for conditional laws, a [premise](Law::premise) whose hit rate
/// decides whether a run is [vacuous](crate::Verdict::Vacuous).
///
/// ```
/// use crdt_laws::Law;
/// assert_eq!(Law::JoinCommutative.name(), "join_commutative");
/// assert_eq!(Law::JoinCommutative.formula(), "a ⊔ b = b ⊔ a");
/// assert_eq!(Law::from_name("leq_transitive"), Some(Law::LeqTransitive));
/// assert_eq!(Law::LeqTransitive.premise(), Some("a ≤ b ∧ b ≤ c"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Law {
    /// The order is reflexive: `a ≤ a`.
    LeqReflexive,
    /// The order is antisymmetric: `a ≤ b ∧ b ≤ a ⇒ a = b`.
    LeqAntisymmetric,
    /// The order is transitive: `a ≤ b ∧ b ≤ c ⇒ a ≤ c`.
    LeqTransitive,
    /// A declared order is the one merge induces: `a ≤ b ⇔ a ⊔ b = b`.
    LeqAgreesWithMerge,
    /// Merge is associative: `(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)`.
    JoinAssociative,
    /// Merge is commutative: `a ⊔ b = b ⊔ a`.
    JoinCommutative,
    /// Merge is idempotent: `a ⊔ a = a`.
    JoinIdempotent,
    /// Merge is an upper bound: `a ≤ a ⊔ b ∧ b ≤ a ⊔ b`.
    JoinUpperBound,
    /// Merge is the least upper bound: `a ≤ z ∧ b ≤ z ⇒ a ⊔ b ≤ z`.
    JoinLeast,
    /// The declared bottom is the identity of merge: `⊥ ⊔ a = a ∧ ⊥ ≤ a`.
    BottomIdentity,
    /// Every update is inflationary: `s ≤ apply(s, op)`.
    UpdateInflationary,
    /// A declared-monotone query never decreases: `s ≤ t ⇒ value(s) ≤ value(t)`.
    ValueMonotone,
    /// A declared join-preserving query is a morphism: `value(a ⊔ b) = value(a) ⊔ value(b)`.
    ValuePreservesJoin,
    /// Merging a delta is the same as applying the update: `s ⊔ δ(s, op) = apply(s, op)`.
    DeltaMatchesUpdate,
    /// Deltas may be grouped, reordered and redelivered.
    DeltaGrouping,
    /// A declared diff brings the remote what the local state would:
    /// `remote ⊔ diff(local, remote) = remote ⊔ local`.
    DiffRestoresJoin,
    /// A declared diff ships nothing the local state does not have: `diff(local, remote) ≤ local`.
    DiffBelowLocal,
    /// Preparing a message does not change the state.
    PreparePure,
    /// Effects of messages deliverable in either order commute.
    EffectsCommute,
    /// Under duplicating delivery, effects are idempotent.
    EffectIdempotent,
    /// Serialization round-trips.
    SerdeRoundTrip,
    /// Merging the same inputs twice gives equal states.
    MergeDeterministic,
    /// Replaying the same execution from scratch gives equal states and values.
    ReplayDeterministic,
    /// Every replica's value is the specification of the updates visible to it.
    ValueMatchesSpec,
    /// A fork is an independent copy: updating it leaves the original unchanged.
    ForkIndependent,
    /// Every reachable value satisfies the model's invariant.
    InvariantHolds,
}

impl Law {
    /// Every law, in catalogue order.
    pub const ALL: [Law; 26] = [
        Law::LeqReflexive,
        Law::LeqAntisymmetric,
        Law::LeqTransitive,
        Law::LeqAgreesWithMerge,
        Law::JoinAssociative,
        Law::JoinCommutative,
        Law::JoinIdempotent,
        Law::JoinUpperBound,
        Law::JoinLeast,
        Law::BottomIdentity,
        Law::UpdateInflationary,
        Law::ValueMonotone,
        Law::ValuePreservesJoin,
        Law::DeltaMatchesUpdate,
        Law::DeltaGrouping,
        Law::DiffRestoresJoin,
        Law::DiffBelowLocal,
        Law::PreparePure,
        Law::EffectsCommute,
        Law::EffectIdempotent,
        Law::SerdeRoundTrip,
        Law::MergeDeterministic,
        Law::ReplayDeterministic,
        Law::ValueMatchesSpec,
        Law::ForkIndependent,
        Law::InvariantHolds,
    ];

    /// The law's snake_case name, as used for its generated test and in reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Law::LeqReflexive => "leq_reflexive",
            Law::LeqAntisymmetric => "leq_antisymmetric",
            Law::LeqTransitive => "leq_transitive",
            Law::LeqAgreesWithMerge => "leq_agrees_with_merge",
            Law::JoinAssociative => "join_associative",
            Law::JoinCommutative => "join_commutative",
            Law::JoinIdempotent => "join_idempotent",
            Law::JoinUpperBound => "join_upper_bound",
            Law::JoinLeast => "join_least",
            Law::BottomIdentity => "bottom_identity",
            Law::UpdateInflationary => "update_inflationary",
            Law::ValueMonotone => "value_monotone",
            Law::ValuePreservesJoin => "value_preserves_join",
            Law::DeltaMatchesUpdate => "delta_matches_update",
            Law::DeltaGrouping => "delta_grouping",
            Law::DiffRestoresJoin => "diff_restores_join",
            Law::DiffBelowLocal => "diff_below_local",
            Law::PreparePure => "prepare_pure",
            Law::EffectsCommute => "effects_commute",
            Law::EffectIdempotent => "effect_idempotent",
            Law::SerdeRoundTrip => "serde_round_trip",
            Law::MergeDeterministic => "merge_deterministic",
            Law::ReplayDeterministic => "replay_deterministic",
            Law::ValueMatchesSpec => "value_matches_spec",
            Law::ForkIndependent => "fork_independent",
            Law::InvariantHolds => "invariant_holds",
        }
    }

    /// The law with this [name](Law::name).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Law> {
        Law::ALL.into_iter().find(|law| law.name() == name)
    }

    /// The law as a formula. `⊔` is merge, `≤` the order, `δ` a delta mutator, `⊥` the bottom.
    #[must_use]
    pub const fn formula(self) -> &'static str {
        match self {
            Law::LeqReflexive => "a ≤ a",
            Law::LeqAntisymmetric => "a ≤ b ∧ b ≤ a ⇒ a = b",
            Law::LeqTransitive => "a ≤ b ∧ b ≤ c ⇒ a ≤ c",
            Law::LeqAgreesWithMerge => "a ≤ b ⇔ a ⊔ b = b",
            Law::JoinAssociative => "(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)",
            Law::JoinCommutative => "a ⊔ b = b ⊔ a",
            Law::JoinIdempotent => "a ⊔ a = a",
            Law::JoinUpperBound => "a ≤ a ⊔ b ∧ b ≤ a ⊔ b",
            Law::JoinLeast => "a ≤ z ∧ b ≤ z ⇒ a ⊔ b ≤ z",
            Law::BottomIdentity => "⊥ ⊔ a = a ∧ ⊥ ≤ a",
            Law::UpdateInflationary => "s ≤ apply(s, op)",
            Law::ValueMonotone => "s ≤ t ⇒ value(s) ≤ value(t)",
            Law::ValuePreservesJoin => "value(a ⊔ b) = value(a) ⊔ value(b)",
            Law::DeltaMatchesUpdate => "s ⊔ δ(s, op) = apply(s, op)",
            Law::DeltaGrouping => {
                "t ⊔ (δ₁ ⊔ δ₂) = (t ⊔ δ₁) ⊔ δ₂ = (t ⊔ δ₂) ⊔ δ₁ ∧ (t ⊔ δ₁) ⊔ δ₁ = t ⊔ δ₁"
            }
            Law::DiffRestoresJoin => "remote ⊔ diff(local, remote) = remote ⊔ local",
            Law::DiffBelowLocal => "diff(local, remote) ≤ local",
            Law::PreparePure => "prepare(s, op) leaves s unchanged",
            Law::EffectsCommute => "effect(effect(s, m₁), m₂) = effect(effect(s, m₂), m₁)",
            Law::EffectIdempotent => "effect(effect(s, m), m) = effect(s, m)",
            Law::SerdeRoundTrip => "decode(encode(a)) = a ∧ decode(encode(a)) ⊔ b = a ⊔ b",
            Law::MergeDeterministic => "a ⊔ b twice, from fresh clones, gives equal states",
            Law::ReplayDeterministic => "replaying an execution gives equal states and values",
            Law::ValueMatchesSpec => "value(s) = spec(visible updates of s)",
            Law::ForkIndependent => "t = fork(s); update(t, op) ⇒ value(s) unchanged",
            Law::InvariantHolds => "invariant(value(s)) for every reachable s",
        }
    }

    /// The premise of a conditional law: when it does not hold, a case says nothing.
    #[must_use]
    pub const fn premise(self) -> Option<&'static str> {
        match self {
            Law::LeqAntisymmetric => Some("a ≤ b ∧ b ≤ a"),
            Law::LeqTransitive => Some("a ≤ b ∧ b ≤ c"),
            Law::JoinLeast => Some("a ≤ z ∧ b ≤ z"),
            Law::ValueMonotone => Some("s ≤ t"),
            Law::EffectsCommute => Some("two distinct messages deliverable at s"),
            Law::EffectIdempotent => Some("a message has been sent"),
            Law::DiffRestoresJoin | Law::DiffBelowLocal => Some("local ≰ remote"),
            _ => None,
        }
    }

    /// One sentence on what the law means and what breaks without it.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Law::LeqReflexive => "Every state is below itself.",
            Law::LeqAntisymmetric => {
                "Two states each below the other are the same state; otherwise the order cannot \
                 tell replicas apart that differ."
            }
            Law::LeqTransitive => "Below-ness chains: a state below a state below c is below c.",
            Law::LeqAgreesWithMerge => {
                "The declared order is the one merge induces, so 'b knows everything a knows' \
                 means merging a into b changes nothing."
            }
            Law::JoinAssociative => {
                "How gossip groups states does not matter; otherwise the result depends on the \
                 route messages took."
            }
            Law::JoinCommutative => {
                "Who merges whom does not matter; otherwise two replicas that exchange states \
                 diverge."
            }
            Law::JoinIdempotent => {
                "Receiving the same state twice changes nothing; otherwise retransmission \
                 corrupts the state."
            }
            Law::JoinUpperBound => {
                "Merging never loses what either side knew; otherwise merges undo updates."
            }
            Law::JoinLeast => {
                "Merging adds nothing that neither side knew: any state that knows both knows \
                 their merge."
            }
            Law::BottomIdentity => "The empty state is below everything and merging it is a no-op.",
            Law::UpdateInflationary => {
                "Updates only move a state up; otherwise merging an older state undoes them."
            }
            Law::ValueMonotone => "A query declared monotone never decreases as states grow.",
            Law::ValuePreservesJoin => {
                "A query declared a morphism can be computed from the two sides of a merge."
            }
            Law::DeltaMatchesUpdate => {
                "Shipping the delta of an update is the same as shipping the whole new state."
            }
            Law::DeltaGrouping => {
                "Deltas may be joined into groups, delivered in any order and more than once."
            }
            Law::DiffRestoresJoin => {
                "The diff of a local state against a remote one carries everything the remote \
                 lacks, removals included; otherwise syncing by diff loses updates."
            }
            Law::DiffBelowLocal => {
                "A diff is a part of the local state: it invents nothing, and ships no entry the \
                 local state removed."
            }
            Law::PreparePure => {
                "Preparing a message only reads the state; the change happens in effect."
            }
            Law::EffectsCommute => {
                "Messages the network may deliver in either order have the same effect in \
                 either order; otherwise replicas receiving them differently diverge."
            }
            Law::EffectIdempotent => {
                "A duplicated message changes nothing the second time, as the declared network \
                 may duplicate."
            }
            Law::SerdeRoundTrip => {
                "A state read back from its serialized form is the same state, and merges the \
                 same way."
            }
            Law::MergeDeterministic => {
                "Merge depends only on its inputs: no clocks, randomness or global counters."
            }
            Law::ReplayDeterministic => {
                "The same updates and merges give the same states: no hash-map iteration order \
                 or other hidden nondeterminism."
            }
            Law::ValueMatchesSpec => {
                "What a replica shows is what the specification says for the updates it has \
                 seen."
            }
            Law::ForkIndependent => {
                "A copy made by the model's fork is independent of the original; a fork that \
                 shares state (a document handle) makes every check that keeps an old state \
                 compare a state with itself."
            }
            Law::InvariantHolds => {
                "What a replica shows always satisfies the model's invariant (no element twice, \
                 no cycle, never negative)."
            }
        }
    }
}

/// The flavour of a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    /// [`StateCrdt`](crate::StateCrdt).
    StateBased,
    /// [`DeltaCrdt`](crate::DeltaCrdt).
    DeltaState,
    /// [`OpCrdt`](crate::OpCrdt).
    OpBased,
    /// A model that brings its own sync protocol (anti-entropy) over any of the others: the
    /// harness provides nothing but delivery (`crdt_harness::sync`).
    Sync,
}

impl Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flavour::StateBased => "state-based",
            Flavour::DeltaState => "delta-state",
            Flavour::OpBased => "op-based",
            Flavour::Sync => "sync",
        })
    }
}

impl Law {
    /// The flavours of model this law applies to.
    #[must_use]
    pub const fn flavours(self) -> &'static [Flavour] {
        use Flavour::{DeltaState, OpBased, StateBased};
        match self {
            Law::DeltaMatchesUpdate | Law::DeltaGrouping => &[DeltaState],
            Law::PreparePure | Law::EffectsCommute | Law::EffectIdempotent => &[OpBased],
            Law::SerdeRoundTrip
            | Law::ReplayDeterministic
            | Law::ValueMatchesSpec
            | Law::ForkIndependent
            | Law::InvariantHolds => &[StateBased, DeltaState, OpBased],
            _ => &[StateBased, DeltaState],
        }
    }

    /// The laws that apply to a flavour of model, in catalogue order.
    ///
    /// ```
    /// use crdt_laws::{Flavour, Law};
    /// assert_eq!(Law::catalogue(Flavour::StateBased).len(), 21);
    /// assert_eq!(Law::catalogue(Flavour::DeltaState).len(), 23);
    /// assert_eq!(Law::catalogue(Flavour::OpBased).len(), 8);
    /// ```
    #[must_use]
    pub fn catalogue(flavour: Flavour) -> Vec<Law> {
        Law::ALL
            .into_iter()
            .filter(|law| law.flavours().contains(&flavour))
            .collect()
    }
}

impl Display for Law {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The outcome of checking one law on one input.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Outcome {
    /// The law held (and its premise, if any, was met).
    Held,
    /// The law has a premise and it did not hold for this input: the case says nothing.
    PremiseNotMet,
    /// The law is broken by this input.
    Broken(Box<Violation>),
}

impl Outcome {
    /// True unless the law is broken.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        !matches!(self, Outcome::Broken(_))
    }

    /// The violation, if the law is broken.
    #[must_use]
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            Outcome::Broken(v) => Some(v),
            _ => None,
        }
    }

    /// Panics with the violation's full text if the law is broken.
    ///
    /// # Panics
    /// When the outcome is [`Outcome::Broken`].
    #[track_caller]
    pub fn assert_ok(&self) {
        if let Outcome::Broken(v) = self {
            panic!("{v}");
        }
    }

    /// Combines two checks of one law: the first broken one wins, then a met premise.
    pub(crate) fn and(self, other: impl FnOnce() -> Outcome) -> Outcome {
        match self {
            Outcome::Broken(_) => self,
            Outcome::Held => match other() {
                Outcome::PremiseNotMet => Outcome::Held,
                o => o,
            },
            Outcome::PremiseNotMet => other(),
        }
    }
}

/// A named value in a counterexample: `a = {1, 2}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// The name or expression: `a`, `a ⊔ b`, `op`.
    pub name: String,
    /// The value's `Debug` text.
    pub value: String,
    /// Where the value came from, when known: `B after step 3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Binding {
    /// A binding of `name` to the `Debug` text of `value`.
    pub fn new(name: impl Into<String>, value: &impl Debug) -> Self {
        Self {
            name: name.into(),
            value: format!("{value:?}"),
            source: None,
        }
    }

    /// The same binding, noting where the value came from.
    #[must_use]
    pub fn from_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }
}

/// The states of a counterexample and the order between them, for drawing a Hasse diagram.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lattice {
    /// The distinct states, each named by every expression that evaluates to it (`a ⊔ b = b`).
    pub elements: Vec<Binding>,
    /// Pairs `(i, j)`, `i ≠ j`, with `elements[i] ≤ elements[j]`.
    pub leq: Vec<(usize, usize)>,
}

/// A broken law: the inputs, and the two sides that should agree but do not.
///
/// Its `Display` is written to be projected in a classroom:
///
/// ```text
/// join_commutative failed: a ⊔ b ≠ b ⊔ a
///   a     = Lww { time: 1, value: 3 }   (A after step 1)
///   b     = Lww { time: 1, value: 7 }   (B after step 2)
///   a ⊔ b = Lww { time: 1, value: 3 }
///   b ⊔ a = Lww { time: 1, value: 7 }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// The law that is broken.
    pub law: Law,
    /// What went wrong, as a formula: `a ⊔ b ≠ b ⊔ a`.
    pub claim: String,
    /// The inputs, minimized.
    pub inputs: Vec<Binding>,
    /// One side of the broken equation.
    pub left: Binding,
    /// The other side.
    pub right: Binding,
    /// The states involved and their order, when the law is about states of one lattice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lattice: Option<Lattice>,
}

impl Violation {
    /// A violation of `law`, claiming `claim`, with the two sides that differ.
    pub fn new(law: Law, claim: impl Into<String>, left: Binding, right: Binding) -> Self {
        Self {
            law,
            claim: claim.into(),
            inputs: Vec::new(),
            left,
            right,
            lattice: None,
        }
    }

    /// Adds an input.
    #[must_use]
    pub fn input(mut self, input: Binding) -> Self {
        self.inputs.push(input);
        self
    }

    /// Attaches the states involved and their order.
    #[must_use]
    pub fn with_lattice(mut self, lattice: Lattice) -> Self {
        self.lattice = Some(lattice);
        self
    }

    /// Wraps the violation in an [`Outcome`].
    pub fn broken(self) -> Outcome {
        Outcome::Broken(Box::new(self))
    }
}

impl Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} failed: {}", self.law, self.claim)?;
        writeln!(f, "  law: {}", self.law.formula())?;
        let rows: Vec<&Binding> = self
            .inputs
            .iter()
            .chain([&self.left, &self.right])
            .collect();
        let width = rows
            .iter()
            .map(|b| b.name.chars().count())
            .max()
            .unwrap_or(0);
        for b in rows {
            let pad = width - b.name.chars().count();
            write!(f, "  {}{} = {}", b.name, " ".repeat(pad), b.value)?;
            match &b.source {
                Some(source) => writeln!(f, "   ({source})")?,
                None => writeln!(f)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Law::ALL.iter().map(|l| l.name()).collect();
        for law in Law::ALL {
            assert_eq!(Law::from_name(law.name()), Some(law));
            assert_eq!(law.to_string(), law.name());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Law::ALL.len());
        assert_eq!(Law::from_name("no_such_law"), None);
    }

    #[test]
    fn violation_display_aligns_names() {
        let v = Violation::new(
            Law::JoinCommutative,
            "a ⊔ b ≠ b ⊔ a",
            Binding::new("a ⊔ b", &1),
            Binding::new("b ⊔ a", &2),
        )
        .input(Binding::new("a", &1).from_source("A after step 1"))
        .input(Binding::new("b", &2));
        let text = v.to_string();
        assert!(text.starts_with("join_commutative failed: a ⊔ b ≠ b ⊔ a\n"));
        assert!(text.contains("  a     = 1   (A after step 1)\n"));
        assert!(text.contains("  b ⊔ a = 2\n"));
    }

    #[test]
    fn outcomes_combine() {
        let broken = || {
            Violation::new(
                Law::JoinIdempotent,
                "x",
                Binding::new("l", &0),
                Binding::new("r", &1),
            )
            .broken()
        };
        assert_eq!(Outcome::Held.and(|| Outcome::PremiseNotMet), Outcome::Held);
        assert_eq!(
            Outcome::PremiseNotMet.and(|| Outcome::PremiseNotMet),
            Outcome::PremiseNotMet
        );
        assert!(!Outcome::Held.and(broken).is_ok());
        assert!(!broken().and(|| Outcome::Held).is_ok());
    }
}
