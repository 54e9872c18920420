//! Diff laws: the diff of a local state against a remote one brings the remote what the whole
//! local state would, and is a part of the local state.
//!
//! A model declares its diff with [`StateCrdt::diff`]; a replica that knows (or was told) a
//! peer's state ships `diff(local, remote)` instead of `local`.
//!
//! ```
//! use std::collections::BTreeSet;
//! use crdt_laws::diff::{diff_below_local, diff_restores_join};
//! use crdt_laws::toys::SetUnion;
//! use crdt_laws::Outcome;
//!
//! let (local, remote): (BTreeSet<u8>, BTreeSet<u8>) = ([1, 2].into(), [2, 3].into());
//! assert_eq!(diff_restores_join(&SetUnion::default(), &local, &remote), Outcome::Held);
//! assert_eq!(diff_below_local(&SetUnion::default(), &local, &remote), Outcome::Held);
//! // Nothing to ship: the premise `local ≰ remote` fails and the case says nothing.
//! assert_eq!(
//!     diff_restores_join(&SetUnion::default(), &[2].into(), &remote),
//!     Outcome::PremiseNotMet
//! );
//! ```

use crate::law::{Binding, Law, Outcome, Violation};
use crate::model::StateCrdt;
use crate::order::leq;
use crate::semilattice::join;

/// The diff of `local` against `remote`, or `None` when the premise `local ≰ remote` fails
/// (or the model declares no diff): then there is nothing to ship, and the case says nothing.
fn diff_when_needed<M: StateCrdt>(
    model: &M,
    local: &M::State,
    remote: &M::State,
) -> Option<M::State> {
    if leq(model, local, remote) {
        return None;
    }
    model.diff(local, remote)
}

/// `remote ⊔ diff(local, remote) = remote ⊔ local`, when `local ≰ remote`.
pub fn diff_restores_join<M: StateCrdt>(model: &M, local: &M::State, remote: &M::State) -> Outcome {
    let Some(diff) = diff_when_needed(model, local, remote) else {
        return Outcome::PremiseNotMet;
    };
    let (synced, joined) = (join(model, remote, &diff), join(model, remote, local));
    if crate::model::same_state(model, &synced, &joined) {
        return Outcome::Held;
    }
    Violation::new(
        Law::DiffRestoresJoin,
        "remote ⊔ diff(local, remote) ≠ remote ⊔ local",
        Binding::new("remote ⊔ diff(local, remote)", &synced),
        Binding::new("remote ⊔ local", &joined),
    )
    .input(Binding::new("local", local))
    .input(Binding::new("remote", remote))
    .input(Binding::new("diff(local, remote)", &diff))
    .broken()
}

/// `diff(local, remote) ≤ local`, when `local ≰ remote`.
pub fn diff_below_local<M: StateCrdt>(model: &M, local: &M::State, remote: &M::State) -> Outcome {
    let Some(diff) = diff_when_needed(model, local, remote) else {
        return Outcome::PremiseNotMet;
    };
    if leq(model, &diff, local) {
        return Outcome::Held;
    }
    Violation::new(
        Law::DiffBelowLocal,
        "diff(local, remote) ≰ local",
        Binding::new("diff(local, remote)", &diff),
        Binding::new("local", local),
    )
    .input(Binding::new("remote", remote))
    .broken()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::model::{History, Model, ReplicaId};
    use crate::toys::SetUnion;
    use crate::{Config, Verdict, check_state};
    use proptest::prelude::*;

    /// A grow-only set whose diff is broken in one of two ways.
    #[derive(Clone, Copy, Debug)]
    enum BrokenDiff {
        /// Ships only the elements above the remote's largest: "what is new since the version
        /// you have", with the remote's version taken as one number. Misses concurrent
        /// elements below it.
        AboveRemoteMax,
        /// Ships the local state with an element of the remote's thrown in ("it does no harm,
        /// the remote has it anyway"): the remote is restored, but the diff is not a part of
        /// the local state.
        WithRemoteElement,
    }

    impl Model for BrokenDiff {
        type State = BTreeSet<u8>;
        type Op = u8;
        type Value = BTreeSet<u8>;
        fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
            Some(a == b)
        }
        fn new_replica(&self, r: ReplicaId) -> Self::State {
            SetUnion::default().new_replica(r)
        }
        fn value(&self, s: &Self::State) -> Self::Value {
            s.clone()
        }
        fn ops(&self) -> BoxedStrategy<u8> {
            SetUnion::default().ops()
        }
        fn spec(&self, history: &History<u8>) -> Option<Self::Value> {
            SetUnion::default().spec(history)
        }
    }

    impl StateCrdt for BrokenDiff {
        fn apply(&self, s: &mut Self::State, r: ReplicaId, op: &u8) {
            SetUnion::default().apply(s, r, op);
        }
        fn merge(&self, into: &mut Self::State, from: &Self::State) {
            SetUnion::default().merge(into, from);
        }
        fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
            Some(match self {
                BrokenDiff::AboveRemoteMax => {
                    let max = remote.last().copied();
                    local
                        .iter()
                        .copied()
                        .filter(|x| max.is_none_or(|m| *x > m))
                        .collect()
                }
                BrokenDiff::WithRemoteElement => {
                    local.iter().chain(remote.first()).copied().collect()
                }
            })
        }
    }

    fn verdict(model: &BrokenDiff, law: Law) -> Verdict {
        let report = check_state(model, &Config::default().with_seed(7).only([law]));
        report.get(law).expect("the law ran").verdict
    }

    #[test]
    fn a_diff_that_misses_concurrent_elements_breaks_diff_restores_join() {
        let model = BrokenDiff::AboveRemoteMax;
        let (local, remote) = ([1, 2].into(), [3].into());
        let outcome = diff_restores_join(&model, &local, &remote);
        assert!(!outcome.is_ok(), "{outcome:?}");
        assert_eq!(verdict(&model, Law::DiffRestoresJoin), Verdict::Failed);
        // It is a part of the local state all the same.
        assert_eq!(verdict(&model, Law::DiffBelowLocal), Verdict::Passed);
    }

    #[test]
    fn a_diff_with_more_than_local_breaks_diff_below_local() {
        let model = BrokenDiff::WithRemoteElement;
        let (local, remote) = ([1].into(), [0, 3].into());
        assert!(!diff_below_local(&model, &local, &remote).is_ok());
        assert_eq!(verdict(&model, Law::DiffBelowLocal), Verdict::Failed);
        // The remote gets everything all the same.
        assert_eq!(verdict(&model, Law::DiffRestoresJoin), Verdict::Passed);
    }

    #[test]
    fn a_correct_diff_passes_both_laws_and_their_premise_holds_often() {
        let report = check_state(
            &SetUnion::default(),
            &Config::default()
                .with_seed(7)
                .only([Law::DiffRestoresJoin, Law::DiffBelowLocal]),
        );
        assert!(report.all_passed(), "{report}");
    }

    #[test]
    fn a_model_without_diff_skips_the_laws() {
        let report = check_state(
            &crate::toys::MaxRegister,
            &Config::default().with_seed(7).only([Law::DiffRestoresJoin]),
        );
        assert!(report.get(Law::DiffRestoresJoin).is_none(), "{report}");
    }
}
