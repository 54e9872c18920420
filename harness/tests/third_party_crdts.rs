//! The `crdts` crate (7.3.2), verified through its public API: every law of the catalogue and
//! randomized schedules over a faulty network, for `GCounter`, `PNCounter`, `GSet`, `Orswot`,
//! `LWWReg` and `MVReg`, each as a state-based CRDT (`merge`), as an op-based one (`apply`,
//! causal delivery) and under the weaker delivery `crdts` documents (`Relaxed`).
//!
//! `Map` of `MVReg`s breaks laws and oracles: see `third_party_findings.rs`.
//!
//! The default run is sized for debug builds; the `#[ignore]`d `*_heavy` tests run 20,000
//! schedules per flavour: `cargo test --release -p crdt-harness --test third_party_crdts --
//! --ignored`.

#[allow(dead_code)] // shared with the other `third_party_*` tests and the example
pub mod third_party;

use crdt_harness::protocol::{OpProtocol, StateProtocol};
use crdt_laws::{Delivery, OpCrdt};
use third_party::g_counter::GCounterModel;
use third_party::g_set::GSetModel;
use third_party::lww_reg::LwwRegModel;
use third_party::mv_reg::MvRegModel;
use third_party::orswot::OrswotModel;
use third_party::pn_counter::PnCounterModel;
use third_party::{Relaxed, assert_schedules_pass};

/// Schedules per flavour in the default run, and in the heavy one.
const SCHEDULES: u64 = 300;
const HEAVY: u64 = 20_000;

/// For one model: the state-based and op-based laws, the op-based laws under the weaker
/// delivery, and schedules of all three.
macro_rules! verify {
    ($name:ident, $model:expr, $weaker:expr) => {
        mod $name {
            use super::*;

            fn relaxed() -> Relaxed<impl OpCrdt<Op: Send> + Copy + Sync> {
                Relaxed {
                    model: $model,
                    delivery: $weaker,
                }
            }

            crdt_laws::check_state_crdt!(state_laws, $model);
            crdt_laws::check_op_crdt!(op_laws, $model);
            crdt_laws::check_op_crdt!(relaxed_laws, relaxed());

            fn all_schedules(schedules: u64, seed: u64) {
                assert_schedules_pass(StateProtocol(&$model), schedules, seed);
                assert_schedules_pass(OpProtocol(&$model), schedules, seed + 1);
                assert_schedules_pass(OpProtocol(&relaxed()), schedules, seed + 2);
            }

            #[test]
            fn schedules() {
                all_schedules(SCHEDULES, 1);
            }

            #[test]
            #[ignore = "20,000 schedules per flavour: run in release"]
            fn heavy() {
                all_schedules(HEAVY, 11);
            }
        }
    };
}

verify!(g_counter, GCounterModel, Delivery::UnorderedDuplicating);
verify!(pn_counter, PnCounterModel, Delivery::UnorderedDuplicating);
verify!(g_set, GSetModel, Delivery::UnorderedDuplicating);
verify!(orswot, OrswotModel, Delivery::FifoPerSender);
verify!(lww_reg, LwwRegModel, Delivery::UnorderedDuplicating);
verify!(mv_reg, MvRegModel, Delivery::UnorderedDuplicating);

/// The assumption `LwwRegModel` encodes is needed: with markers that are Lamport times alone
/// (no writer to break ties), two concurrent writes can share a marker, and `LWWReg::merge`
/// then keeps whichever value the receiver had. Merge is not commutative and replicas
/// diverge: this is what `LWWReg::validate_merge` warns about, not a bug of `crdts`.
mod lww_reg_without_unique_markers {
    use crdt_impls::ops::RegisterOp;
    use crdt_laws::{Config, Law, Model, ReplicaId, StateCrdt, Verdict, check_state};
    use crdts::{CvRDT, LWWReg};
    use proptest::prelude::*;

    use super::third_party::written;

    struct TimeOnly;

    impl Model for TimeOnly {
        fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
            Some(a == b)
        }

        type State = LWWReg<Option<u8>, u64>;
        type Op = RegisterOp<u8>;
        type Value = Option<u8>;

        fn new_replica(&self, _: ReplicaId) -> Self::State {
            LWWReg::default()
        }
        fn value(&self, s: &Self::State) -> Option<u8> {
            s.val
        }
        fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
            (0..8u8).prop_map(RegisterOp::Set).boxed()
        }
    }

    impl StateCrdt for TimeOnly {
        fn apply(&self, s: &mut Self::State, _: ReplicaId, op: &RegisterOp<u8>) {
            let time = s.marker + 1;
            s.update(Some(written(op)), time);
        }
        fn merge(&self, into: &mut Self::State, from: &Self::State) {
            into.merge(from.clone());
        }
    }

    #[test]
    fn merge_is_not_commutative() {
        let config = Config::default().with_seed(1).only([Law::JoinCommutative]);
        let report = check_state(&TimeOnly, &config);
        assert_eq!(report.results[0].verdict, Verdict::Failed, "{report}");
    }
}
