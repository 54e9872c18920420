//! `crdts::Map` of `MVReg`s: writes at keys 0 to 3 and removes of keys, with read contexts.

use crdt_laws::{Delivery, Event, History, Model, OpCrdt, ReplicaId, StateCrdt, json_round_trip};
use crdts::map::{Map, Op};
use crdts::{CmRDT, CvRDT, MVReg};
use proptest::prelude::*;

use super::MultiMap;

/// What a user does to the map: write a value at a key, or remove a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapEdit {
    /// Write `.1` into the register at key `.0`.
    Write(u8, u8),
    /// Remove key `.0`, with the context of what was read there.
    Remove(u8),
}

/// The model of `crdts::Map<u8, MVReg<u8, ReplicaId>, ReplicaId>`: the map's update context
/// (`read_ctx().derive_add_ctx`) is passed to the register's `write`; a remove carries the
/// key's clock as read (`get(key).derive_rm_ctx()`), as the `crdts` README prescribes and
/// its own tests do. Delivery: causal, for the specification; `crdts`' promise of convergence
/// under per-actor order is checked with `Relaxed`.
///
/// Specification (reset-remove, as `riak_dt_map`): a write survives unless a remove of its key
/// happened after it; a key is present while some write to it survives, and shows the values
/// of its surviving writes that no other surviving write to it happened after.
#[derive(Clone, Copy, Debug, Default)]
pub struct MapModel;

type Mvmap = Map<u8, MVReg<u8, ReplicaId>, ReplicaId>;

impl Model for MapModel {
    type State = Mvmap;
    type Op = MapEdit;
    type Value = MultiMap;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }

    fn new_replica(&self, _: ReplicaId) -> Mvmap {
        Map::new()
    }
    fn value(&self, s: &Mvmap) -> MultiMap {
        let read = |(k, reg): (&u8, &MVReg<u8, ReplicaId>)| (*k, reg.read().val);
        let mut map: MultiMap = s.iter().map(|entry| read(entry.val)).collect();
        map.values_mut().for_each(|values| values.sort_unstable());
        map
    }
    fn ops(&self) -> BoxedStrategy<MapEdit> {
        prop_oneof![
            3 => (0..4u8, 0..4u8).prop_map(|(k, v)| MapEdit::Write(k, v)),
            1 => (0..4u8).prop_map(MapEdit::Remove),
        ]
        .boxed()
    }
    fn spec(&self, h: &History<MapEdit>) -> Option<MultiMap> {
        let write = |e: &Event<MapEdit>| match e.op {
            MapEdit::Write(k, v) => Some((k, v, e.dot)),
            MapEdit::Remove(_) => None,
        };
        let removed = |k, d| {
            (h.events().iter()).any(|r| r.op == MapEdit::Remove(k) && h.happens_before(d, r.dot))
        };
        let live: Vec<_> = h
            .events()
            .iter()
            .filter_map(write)
            .filter(|&(k, _, d)| !removed(k, d))
            .collect();
        let mut map = MultiMap::new();
        for &(k, v, d) in &live {
            if !live
                .iter()
                .any(|&(k2, _, d2)| k2 == k && h.happens_before(d, d2))
            {
                map.entry(k).or_default().push(v);
            }
        }
        map.values_mut().for_each(|values| values.sort_unstable());
        Some(map)
    }
    fn round_trip(&self, s: &Mvmap) -> Option<Result<Mvmap, crdt_laws::Error>> {
        Some(json_round_trip(s))
    }
}

impl StateCrdt for MapModel {
    fn apply(&self, s: &mut Mvmap, id: ReplicaId, op: &MapEdit) {
        s.apply(
            self.prepare(s, id, op)
                .expect("every operation prepares a message"),
        );
    }
    fn merge(&self, into: &mut Mvmap, from: &Mvmap) {
        into.merge(from.clone());
    }
    fn bottom(&self) -> Option<Mvmap> {
        Some(Map::new())
    }
}

impl OpCrdt for MapModel {
    type Message = Op<u8, MVReg<u8, ReplicaId>, ReplicaId>;

    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn prepare(&self, s: &Mvmap, id: ReplicaId, op: &MapEdit) -> Option<Self::Message> {
        Some({
            match *op {
                MapEdit::Write(k, v) => s.update(k, s.read_ctx().derive_add_ctx(id), |reg, ctx| {
                    reg.write(v, ctx)
                }),
                MapEdit::Remove(k) => s.rm(k, s.get(&k).derive_rm_ctx()),
            }
        })
    }
    fn effect(&self, s: &mut Mvmap, op: &Self::Message) {
        s.apply(op.clone());
    }
}
