//! Broken maps and diffs: a map removal that drops concurrent nested updates, and a diff that
//! misses concurrent entries.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crdt_laws::vocab::map::{OrMapOp, update_wins};
use crdt_laws::{Dot, Error, History, Model, ReplicaId, StateCrdt, json_round_trip};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

use crate::models::{OrSetModel, PnCounterModel};
use crate::ops::{CounterOp, SetOp};
use crate::ormap::OrMapModel;
use crate::sorted::{Side, merge_join_by};
use crate::{CausalContext, Lattice, OrSet, PnCounter};

/// The state of [`BirthDotMap`]: each present key with the dot of the update that created it
/// and its counter, and the dots of every update seen. Its `Debug` text is the entries
/// (`key@birth: value`), then the context.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BirthDotEntries {
    /// Present keys, sorted, each with its birth dot and value.
    pub entries: Vec<(u8, Dot, PnCounter)>,
    /// The dots of every update seen.
    pub context: CausalContext,
}

impl fmt::Debug for BirthDotEntries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(
                self.entries
                    .iter()
                    .map(|(k, d, v)| (format!("{k}@{d}"), v.value())),
            )
            .finish()?;
        write!(f, " seen {:?}", self.context)
    }
}

/// A map of counters whose keys are observed-remove, but identified by the update that
/// created them: a removal drops concurrent nested updates.
///
/// The story (riak_kv issue #761): a map tags each key with a dot when the key is created and
/// removes what it has seen; nested updates change the value in place, keeping the key's
/// birth dot. Alice removes a key; Bob, concurrently, increments the counter in it. Bob's
/// update did not give the key a new dot, and Alice has seen its birth dot: the merge takes
/// the key as removed, and Bob's increment is silently lost. Every lattice law holds (it is an
/// OR-Set of birth dots with values merged in place) and replicas converge, to a map without
/// the update. Caught by the update-wins specification of [`OrMap`](crate::OrMap)
/// (`value_matches_spec`, the harness's `specification` oracle): an update concurrent with a
/// removal survives. The fix is [`OrMap`](crate::OrMap)'s: every update tags the value with a
/// fresh dot, replacing the ones it saw.
#[derive(Clone, Copy, Debug, Default)]
pub struct BirthDotMap;

impl BirthDotMap {
    const VALUES: PnCounterModel = PnCounterModel { max_amount: 3 };

    fn range(s: &BirthDotEntries, key: u8) -> std::ops::Range<usize> {
        let start = s.entries.partition_point(|e| e.0 < key);
        let len = s.entries[start..].partition_point(|e| e.0 == key);
        start..start + len
    }
}

impl Model for BirthDotMap {
    type State = BirthDotEntries;
    type Op = OrMapOp<u8, CounterOp>;
    type Value = BTreeMap<u8, i128>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Self::State {
        BirthDotEntries::default()
    }
    fn value(&self, s: &Self::State) -> Self::Value {
        let mut value = BTreeMap::new();
        for (k, _, v) in &s.entries {
            let joined = value.entry(*k).or_insert_with(PnCounter::new);
            Lattice::merge(joined, v);
        }
        value.into_iter().map(|(k, v)| (k, v.value())).collect()
    }
    fn ops(&self) -> BoxedStrategy<Self::Op> {
        OrMapOp::strategy(3, Self::VALUES.ops())
    }
    fn round_trip(&self, s: &Self::State) -> Option<Result<Self::State, Error>> {
        Some(json_round_trip(s))
    }
    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        update_wins(history, |at_key| Self::VALUES.spec(at_key))
    }
}

impl StateCrdt for BirthDotMap {
    fn apply(&self, s: &mut Self::State, replica: ReplicaId, op: &Self::Op) {
        let dot = s.context.next_dot(replica);
        let nested = OrMapModel::<PnCounterModel>::nested_replica(dot).unwrap_or(replica);
        match op {
            OrMapOp::Update(key, op) => {
                s.context.insert(dot);
                let range = Self::range(s, *key);
                if let Some(entry) = s.entries[range.clone()].first_mut() {
                    // The mistake: the update changes the value in place, under the key's
                    // birth dot, so a removal that saw the birth takes it for seen too.
                    Self::VALUES.apply(&mut entry.2, nested, op);
                } else {
                    let mut value = PnCounter::new();
                    Self::VALUES.apply(&mut value, nested, op);
                    s.entries.insert(range.start, (*key, dot, value));
                }
            }
            OrMapOp::Remove(key) => {
                let range = Self::range(s, *key);
                s.entries.drain(range);
            }
        }
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        let cmp =
            |a: &(u8, Dot, PnCounter), b: &(u8, Dot, PnCounter)| a.0.cmp(&b.0).then(a.1.cmp(&b.1));
        let entries = merge_join_by(&into.entries, &from.entries, cmp)
            .filter_map(|side| match side {
                Side::Both(mine, theirs) => Some((mine.0, mine.1, mine.2.clone().join(&theirs.2))),
                Side::Left(e) => (!from.context.contains(e.1)).then(|| e.clone()),
                Side::Right(e) => (!into.context.contains(e.1)).then(|| e.clone()),
            })
            .collect();
        into.entries = entries;
        into.context.merge(&from.context);
    }
}

/// An OR-Set whose diff ships what is newer than the remote's latest sequence number: it
/// misses concurrent entries.
///
/// The story: a replica syncs a peer by diff instead of whole states ("send only what you
/// lack"). To avoid keeping the peer's whole version vector, it keeps one number: the highest
/// sequence number the peer has seen from anyone, and ships the entries and removals numbered
/// above it. An entry from another replica that is concurrent with the peer's latest but
/// numbered lower (replica C's third insert, while the peer has seen A's fifth) is never
/// shipped: the peer never learns it, though the diff looks complete. The set itself is the
/// crate's correct [`OrSet`] (merges, laws and harness see nothing wrong, as the harness ships
/// whole states); the diff breaks `diff_restores_join`
/// (`remote ⊔ diff(local, remote) ≠ remote ⊔ local`), and nothing else: it is still a part of
/// the local state. The fix is [`OrSet::diff`]: compare against the peer's whole context.
#[derive(Clone, Copy, Debug, Default)]
pub struct WatermarkDiffOrSet;

impl WatermarkDiffOrSet {
    const SET: OrSetModel = OrSetModel { domain: 8 };
}

impl Model for WatermarkDiffOrSet {
    type State = OrSet<u8>;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, replica: ReplicaId) -> Self::State {
        Self::SET.new_replica(replica)
    }
    fn value(&self, s: &Self::State) -> Self::Value {
        Self::SET.value(s)
    }
    fn ops(&self) -> BoxedStrategy<Self::Op> {
        Self::SET.ops()
    }
    fn round_trip(&self, s: &Self::State) -> Option<Result<Self::State, Error>> {
        Self::SET.round_trip(s)
    }
    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        Self::SET.spec(history)
    }
}

impl StateCrdt for WatermarkDiffOrSet {
    fn apply(&self, s: &mut Self::State, replica: ReplicaId, op: &Self::Op) {
        Self::SET.apply(s, replica, op);
    }
    fn merge(&self, into: &mut Self::State, from: &Self::State) {
        Self::SET.merge(into, from);
    }
    fn leq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Self::SET.leq(a, b)
    }
    fn bottom(&self) -> Option<Self::State> {
        Self::SET.bottom()
    }
    fn diff(&self, local: &Self::State, remote: &Self::State) -> Option<Self::State> {
        // The mistake: the remote summarised by one number, as if it had seen every dot up to
        // it from every replica (and kept every entry of ours so numbered).
        let watermark = remote
            .context()
            .version_vector()
            .iter()
            .map(|(_, seq)| seq)
            .max()
            .unwrap_or(0);
        let mut assumed = CausalContext::new();
        for (replica, _) in local.context().version_vector().iter() {
            for seq in 1..=watermark {
                assumed.insert(Dot::new(replica, seq));
            }
        }
        let kept = local
            .entries()
            .filter(|(_, d)| d.seq <= watermark)
            .map(|(x, d)| (*x, d))
            .collect();
        Some(local.diff(&OrSet::from_parts(kept, assumed)))
    }
}
