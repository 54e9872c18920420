//! Broken clocks: a hybrid logical clock that forgets what it heard.

use crdt_laws::{Error, History, Model, ReplicaId, StateCrdt, json_round_trip};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::hlc::{Hlc, HlcRegisterModel, HlcTimestamp};
use crate::ops::RegisterOp;

/// A last-writer-wins register stamped by a hybrid logical clock that does not take the
/// maximum with the message's time on receive.
///
/// The story: each node keeps one hybrid logical clock and stamps its writes with it, and it
/// applies its own writes the way it applies everyone's, keeping the write with the larger
/// stamp. On receiving another node's state it keeps the later write, and advances its clock
/// only to its own physical time, `l = max(l, pt)`, forgetting the `l_m` of the paper's
/// `l = max(l, l_m, pt)`. While the clocks agree nobody notices: a write made after receiving
/// another is made later by every clock. Under skew, a node whose clock is behind receives a
/// write stamped by a fast clock, overwrites it, and stamps the overwrite with its own, earlier
/// time: the causally later write loses, at once and at every replica. The fix is the maximum
/// on receive. Caught by `value_matches_spec` (the laws drive no physical clock, so there the
/// clock is a Lamport clock without its receive rule), and by the harness's specification
/// oracle under the `clock-skew` fault, and only under it: with every clock showing true time,
/// each write is later than everything before it.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoMaxHlcRegister;

/// The state of [`NoMaxHlcRegister`]: the node's clock and the last write.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NodeClocked {
    /// The node's clock, which stamps its writes (the node's, not replicated state).
    pub clock: Hlc,
    /// The last write and its stamp.
    pub latest: Option<(HlcTimestamp, u8)>,
}

impl Model for NoMaxHlcRegister {
    type State = NodeClocked;
    type Op = RegisterOp<u8>;
    type Value = Option<u8>;

    /// The replicated state is the write; the clock belongs to the node.
    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a.latest == b.latest)
    }
    fn new_replica(&self, _: ReplicaId) -> NodeClocked {
        NodeClocked::default()
    }
    fn round_trip(&self, state: &NodeClocked) -> Option<Result<NodeClocked, Error>> {
        Some(json_round_trip(state))
    }
    fn value(&self, state: &NodeClocked) -> Option<u8> {
        state.latest.map(|(_, v)| v)
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        HlcRegisterModel::default().ops()
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
        HlcRegisterModel::default().spec(history)
    }
}

impl StateCrdt for NoMaxHlcRegister {
    fn apply(&self, state: &mut NodeClocked, replica: ReplicaId, op: &RegisterOp<u8>) {
        let stamp = HlcTimestamp::new(state.clock.tick(crdt_laws::env::physical_time()), replica);
        // Applied like any write: kept only if its stamp is the larger.
        if state.latest.is_none_or(|(t, _)| stamp > t) {
            state.latest = Some((stamp, *op.written()));
        }
    }
    fn merge(&self, into: &mut NodeClocked, from: &NodeClocked) {
        // The mistake: l = max(l, pt), without the message's l_m.
        let physical = crdt_laws::env::physical_time();
        if physical > into.clock.wall {
            into.clock = Hlc {
                wall: physical,
                logical: 0,
            };
        }
        let stamp = |s: &NodeClocked| s.latest.map(|(t, _)| t);
        if stamp(from) > stamp(into) {
            into.latest = from.latest;
        }
    }
    fn leq(&self, a: &NodeClocked, b: &NodeClocked) -> Option<bool> {
        Some(a.latest.map(|(t, _)| t) <= b.latest.map(|(t, _)| t))
    }
}
