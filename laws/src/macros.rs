//! The test macros: one named `#[test]` per law of a model's flavour.

/// Expands into a module `$name` with one `#[test]` per state-based law, so `cargo test` lists
/// `g_set::join_commutative`, `g_set::leq_transitive`, ...
///
/// Each test runs one law through proptest (respecting `PROPTEST_CASES` and friends, and
/// persisting failing seeds in `proptest-regressions/` next to the calling file) and panics with
/// the minimal counterexample unless the law passed: a vacuous law fails its test. Laws that do
/// not apply to the model (no declared bottom, no codec, ...) print `not applicable` and pass.
///
/// An optional third argument is a [`Config`](crate::Config) expression (premise threshold,
/// execution size, seed).
///
/// ```
/// use crdt_laws::toys::SetUnion;
/// crdt_laws::check_state_crdt!(set_union, SetUnion::default());
/// crdt_laws::check_state_crdt!(
///     small_set_union,
///     SetUnion { domain: 3 },
///     crdt_laws::Config::default().with_cases(64)
/// );
/// ```
#[macro_export]
macro_rules! check_state_crdt {
    ($name:ident, $model:expr $(,)?) => {
        $crate::check_state_crdt!($name, $model, $crate::Config::default());
    };
    ($name:ident, $model:expr, $config:expr $(,)?) => {
        #[cfg(test)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__state_law_tests!(state, $model, $config);
        }
    };
}

/// Like [`check_state_crdt!`], for a [`DeltaCrdt`](crate::DeltaCrdt): the state-based laws and
/// the delta laws.
///
/// ```
/// use crdt_laws::toys::SetUnion;
/// crdt_laws::check_delta_crdt!(delta_set_union, SetUnion::default());
/// ```
#[macro_export]
macro_rules! check_delta_crdt {
    ($name:ident, $model:expr $(,)?) => {
        $crate::check_delta_crdt!($name, $model, $crate::Config::default());
    };
    ($name:ident, $model:expr, $config:expr $(,)?) => {
        #[cfg(test)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__state_law_tests!(delta, $model, $config);
            $crate::__law_tests!(delta, $model, $config;
                delta_matches_update DeltaMatchesUpdate,
                delta_grouping DeltaGrouping,
            );
        }
    };
}

/// Like [`check_state_crdt!`], for an [`OpCrdt`](crate::OpCrdt): the operation-based laws.
#[macro_export]
macro_rules! check_op_crdt {
    ($name:ident, $model:expr $(,)?) => {
        $crate::check_op_crdt!($name, $model, $crate::Config::default());
    };
    ($name:ident, $model:expr, $config:expr $(,)?) => {
        #[cfg(test)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $crate::__law_tests!(op, $model, $config;
                prepare_pure PreparePure,
                effects_commute EffectsCommute,
                effect_idempotent EffectIdempotent,
                serde_round_trip SerdeRoundTrip,
                replay_deterministic ReplayDeterministic,
                value_matches_spec ValueMatchesSpec,
                fork_independent ForkIndependent,
                invariant_holds InvariantHolds,
            );
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __law_tests {
    ($flavour:ident, $model:expr, $config:expr; $($test:ident $law:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                $crate::runner::macro_support::$flavour(
                    $model,
                    $crate::Law::$law,
                    $config,
                    file!(),
                    concat!(module_path!(), "::", stringify!($test)),
                );
            }
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __state_law_tests {
    ($flavour:ident, $model:expr, $config:expr) => {
        $crate::__law_tests!($flavour, $model, $config;
            leq_reflexive LeqReflexive,
            leq_antisymmetric LeqAntisymmetric,
            leq_transitive LeqTransitive,
            leq_agrees_with_merge LeqAgreesWithMerge,
            join_associative JoinAssociative,
            join_commutative JoinCommutative,
            join_idempotent JoinIdempotent,
            join_upper_bound JoinUpperBound,
            join_least JoinLeast,
            bottom_identity BottomIdentity,
            update_inflationary UpdateInflationary,
            value_monotone ValueMonotone,
            value_preserves_join ValuePreservesJoin,
            diff_restores_join DiffRestoresJoin,
            diff_below_local DiffBelowLocal,
            serde_round_trip SerdeRoundTrip,
            merge_deterministic MergeDeterministic,
            replay_deterministic ReplayDeterministic,
            value_matches_spec ValueMatchesSpec,
            fork_independent ForkIndependent,
            invariant_holds InvariantHolds,
        );
    };
}
