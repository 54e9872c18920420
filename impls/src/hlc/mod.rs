//! Hybrid logical clocks, and the last-writer-wins register and map they stamp.
//!
//! A last-writer-wins type needs timestamps that never put a write before one it has seen. A
//! Lamport clock gives that, but its times mean nothing to a user ("write 17"); a wall clock
//! means something ("10:02:31") but machines' clocks drift and jump, so a write made after
//! seeing another can carry an *earlier* wall time and lose to it. The hybrid logical clock of
//! Kulkarni, Demirbas, Madappa, Avva and Leone ("Logical physical clocks", OPODIS 2014) is
//! both: a timestamp is `(l, c)`, where `l` is the largest physical time the replica has heard
//! of (its own clock's or a message's) and `c` a counter that orders events sharing one `l`:
//!
//! - **local or send event** at physical time `pt`: `l' = max(l, pt)`; `c' = c + 1` if `l'`
//!   is `l`, else `0`;
//! - **receive** of a message stamped `(l_m, c_m)`: `l' = max(l, l_m, pt)`; `c'` is
//!   `max(c, c_m) + 1` if `l'` equals both `l` and `l_m`, `c + 1` if only `l`, `c_m + 1` if
//!   only `l_m`, and `0` if the physical clock is ahead of both.
//!
//! So `l` stays within the clock skew of true time, `c` stays small (bounded by the number of
//! events within a skew interval), and `e → f` implies `hlc(e) < hlc(f)`, whatever the skew.
//! The maximum with the message's `l_m` on receive is what makes the last property hold: drop
//! it and a replica whose clock is behind stamps a write that saw another one with an earlier
//! time (the gallery's `hlc-without-max-on-receive`).
//!
//! [`Hlc`] is the clock, [`HlcTimestamp`] a timestamp with the writer as tie-break,
//! [`HlcRegister`] and [`HlcMap`] the last-writer-wins register and map it stamps; they read
//! the replica's physical clock from [`crdt_laws::env::physical_time`], which the harness
//! drives (with drift and jumps under its `clock-skew` fault). Their models
//! ([`HlcRegisterModel`], [`HlcMapModel`]) state the specification that survives any skew: a
//! write that saw every other visible write wins.

mod model;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ReplicaId;

pub use model::{HlcMapModel, HlcMapOp, HlcRegisterModel, causally_last};

/// A hybrid logical clock: the largest physical time heard of, and a counter (Kulkarni et al.
/// 2014).
///
/// ```
/// use crdt_impls::hlc::Hlc;
///
/// let mut clock = Hlc::new();
/// assert_eq!(clock.tick(100), (100, 0)); // physical time ahead: take it
/// assert_eq!(clock.tick(90), (100, 1)); // the wall clock went back: count instead
/// // A message from a replica whose clock is far ahead: its time is taken.
/// assert_eq!(clock.receive((500, 3), 120), (500, 4));
/// assert_eq!(clock.tick(130), (500, 5)); // still after everything heard of
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Hlc {
    /// `l`: the largest physical time heard of.
    pub wall: u64,
    /// `c`: orders events with the same `l`.
    pub logical: u32,
}

impl Hlc {
    /// A clock that has heard of nothing: `(0, 0)`.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            wall: 0,
            logical: 0,
        }
    }

    /// The clock's current `(l, c)`.
    #[must_use]
    pub const fn now(&self) -> (u64, u32) {
        (self.wall, self.logical)
    }

    /// A local or send event at physical time `physical`: returns the event's `(l, c)`, larger
    /// than every time the clock had.
    ///
    /// The counter saturates at `u32::MAX`, which takes 2³² events within one unit of
    /// physical time to reach.
    pub fn tick(&mut self, physical: u64) -> (u64, u32) {
        let wall = self.wall.max(physical);
        self.logical = if wall == self.wall {
            self.logical.saturating_add(1)
        } else {
            0
        };
        self.wall = wall;
        self.now()
    }

    /// The receive of a message stamped `message` at physical time `physical`: returns the
    /// receive event's `(l, c)`, larger than both the clock's time and the message's.
    pub fn receive(&mut self, message: (u64, u32), physical: u64) -> (u64, u32) {
        let (wall_m, logical_m) = message;
        let wall = self.wall.max(wall_m).max(physical);
        self.logical = match (wall == self.wall, wall == wall_m) {
            (true, true) => self.logical.max(logical_m).saturating_add(1),
            (true, false) => self.logical.saturating_add(1),
            (false, true) => logical_m.saturating_add(1),
            (false, false) => 0,
        };
        self.wall = wall;
        self.now()
    }

    /// Takes in a time heard of without stamping an event: the clock becomes the larger of its
    /// time and `heard`. This is the receive rule of a state-based type, whose merge is not an
    /// event (merging the same state twice must change nothing); the next [`tick`](Self::tick)
    /// then comes after `heard` just as after a [`receive`](Self::receive).
    pub fn observe(&mut self, heard: (u64, u32)) {
        if heard > self.now() {
            (self.wall, self.logical) = heard;
        }
    }
}

/// A hybrid logical timestamp with its writer as tie-break: a total order on writes.
///
/// Compares by `wall`, then `logical`, then `replica`. Two writes by one replica never share
/// `(wall, logical)` (its clock only moves forward), so distinct writes never share a whole
/// timestamp.
///
/// ```
/// use crdt_impls::hlc::HlcTimestamp;
/// use crdt_impls::ReplicaId;
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// assert!(HlcTimestamp::new((2_000, 0), a) > HlcTimestamp::new((1_000, 7), b));
/// assert!(HlcTimestamp::new((2_000, 0), b) > HlcTimestamp::new((2_000, 0), a));
/// assert_eq!(format!("{:?}", HlcTimestamp::new((2_000, 1), b)), "2000.1B");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HlcTimestamp {
    /// `l`: the physical part.
    pub wall: u64,
    /// `c`: the logical part.
    pub logical: u32,
    /// The writer.
    pub replica: ReplicaId,
}

impl HlcTimestamp {
    /// The timestamp `(l, c)` of `replica`.
    #[must_use]
    pub const fn new(time: (u64, u32), replica: ReplicaId) -> Self {
        Self {
            wall: time.0,
            logical: time.1,
            replica,
        }
    }

    /// Its `(l, c)`.
    #[must_use]
    pub const fn time(&self) -> (u64, u32) {
        (self.wall, self.logical)
    }
}

impl fmt::Debug for HlcTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}{:?}", self.wall, self.logical, self.replica)
    }
}

/// A last-writer-wins register stamped by a hybrid logical clock.
///
/// A write reads the replica's physical clock ([`crdt_laws::env::physical_time`]; pass it
/// yourself with [`set_at`](Self::set_at)) and is stamped with the register's clock ticked
/// to it; a merge keeps the later write and takes in the other state's clock time.
///
/// # Conflict rule
/// The larger [`HlcTimestamp`] wins: of two concurrent writes, roughly the one made later by
/// the wall clock (within the clocks' skew), then the larger counter, then the larger replica
/// id. A write that saw another always wins over it, whatever the skew.
///
/// # Metadata cost
/// One timestamp (`u64`, `u32`, replica id), whatever the number of replicas or writes; the
/// clock is the current write's timestamp (the largest time the register heard of), so none is
/// stored apart.
///
/// ```
/// use crdt_impls::hlc::HlcRegister;
/// use crdt_impls::ReplicaId;
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let (mut alice, mut bob) = (HlcRegister::new(), HlcRegister::new());
/// alice.set_at(a, "draft", 5_000); // alice's clock is 4 seconds fast
/// bob.merge(&alice);
/// bob.set_at(b, "final", 1_000); // bob saw the draft: his write is later, whatever his clock
/// alice.merge(&bob);
/// assert_eq!((alice.get(), bob.get()), (Some(&"final"), Some(&"final")));
/// assert_eq!(bob.timestamp().unwrap().time(), (5_000, 1));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HlcRegister<T> {
    latest: Option<(HlcTimestamp, T)>,
}

impl<T> HlcRegister<T> {
    /// An empty register.
    #[must_use]
    pub const fn new() -> Self {
        Self { latest: None }
    }

    /// The current value, or `None` if nothing was written.
    #[must_use]
    pub fn get(&self) -> Option<&T> {
        self.latest.as_ref().map(|(_, v)| v)
    }

    /// The timestamp of the current value.
    #[must_use]
    pub fn timestamp(&self) -> Option<HlcTimestamp> {
        self.latest.as_ref().map(|(t, _)| *t)
    }

    /// The register's clock: the largest time it has heard of.
    #[must_use]
    pub fn clock(&self) -> Hlc {
        self.timestamp().map_or(Hlc::new(), |t| Hlc {
            wall: t.wall,
            logical: t.logical,
        })
    }

    /// Writes `value` at `replica` (the replica this state belongs to) at physical time
    /// `physical`, and returns the write's timestamp.
    pub fn set_at(&mut self, replica: ReplicaId, value: T, physical: u64) -> HlcTimestamp {
        let stamp = HlcTimestamp::new(self.clock().tick(physical), replica);
        self.latest = Some((stamp, value));
        stamp
    }

    /// Writes `value` at `replica` at the replica's physical time
    /// ([`crdt_laws::env::physical_time`]).
    pub fn set(&mut self, replica: ReplicaId, value: T) -> HlcTimestamp {
        self.set_at(replica, value, crdt_laws::env::physical_time())
    }

    /// The lattice order: `self`'s write is not later than `other`'s.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.timestamp() <= other.timestamp()
    }
}

impl<T: Clone> HlcRegister<T> {
    /// Joins `other` into `self`: keeps the later write (and so the later clock).
    pub fn merge(&mut self, other: &Self) {
        if other.timestamp() > self.timestamp() {
            self.latest.clone_from(&other.latest);
        }
    }
}

impl_lattice!(HlcRegister<T> where T: Clone + PartialEq);

impl<T: fmt::Debug> fmt::Debug for HlcRegister<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.latest {
            None => write!(f, "HlcRegister(empty)"),
            Some((t, v)) => write!(f, "HlcRegister({v:?} at {t:?})"),
        }
    }
}

/// A last-writer-wins map stamped by a hybrid logical clock: each key holds its latest write,
/// a value or a removal.
///
/// # Conflict rule
/// Per key, the larger [`HlcTimestamp`] wins, a removal like a write; a write that saw another
/// to the same key always wins over it, whatever the skew.
///
/// # Metadata cost
/// One timestamp per key ever written, removed keys included (a removal is kept as a
/// timestamped tombstone, so an older write arriving later cannot bring the key back), and
/// one clock.
///
/// ```
/// use crdt_impls::hlc::HlcMap;
/// use crdt_impls::ReplicaId;
///
/// let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
/// let (mut alice, mut bob) = (HlcMap::new(), HlcMap::new());
/// alice.insert_at(a, "colour", "red", 9_000); // alice's clock runs fast
/// bob.merge(&alice);
/// bob.remove_at(b, "colour", 2_000); // bob saw it: his removal wins
/// alice.insert_at(a, "size", "L", 9_100);
/// alice.merge(&bob);
/// bob.merge(&alice);
/// assert_eq!(alice, bob);
/// assert_eq!(alice.iter().collect::<Vec<_>>(), [(&"size", &"L")]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HlcMap<K: Ord, V> {
    clock: Hlc,
    entries: BTreeMap<K, (HlcTimestamp, Option<V>)>,
}

impl<K: Ord, V> HlcMap<K, V> {
    /// An empty map.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            clock: Hlc::new(),
            entries: BTreeMap::new(),
        }
    }

    /// The value at `key`, if present.
    #[must_use]
    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key).and_then(|(_, v)| v.as_ref())
    }

    /// The present keys and their values, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries
            .iter()
            .filter_map(|(k, (_, v))| v.as_ref().map(|v| (k, v)))
    }

    /// The map's clock: the largest time it has heard of.
    #[must_use]
    pub fn clock(&self) -> Hlc {
        self.clock
    }

    /// Writes `value` at `key` (`None` removes it) at `replica` (the replica this state
    /// belongs to) at physical time `physical`, and returns the write's timestamp.
    pub fn write_at(
        &mut self,
        replica: ReplicaId,
        key: K,
        value: Option<V>,
        physical: u64,
    ) -> HlcTimestamp {
        let stamp = HlcTimestamp::new(self.clock.tick(physical), replica);
        self.entries.insert(key, (stamp, value));
        stamp
    }

    /// Puts `value` at `key` at physical time `physical`.
    pub fn insert_at(
        &mut self,
        replica: ReplicaId,
        key: K,
        value: V,
        physical: u64,
    ) -> HlcTimestamp {
        self.write_at(replica, key, Some(value), physical)
    }

    /// Removes `key` at physical time `physical` (a timestamped tombstone).
    pub fn remove_at(&mut self, replica: ReplicaId, key: K, physical: u64) -> HlcTimestamp {
        self.write_at(replica, key, None, physical)
    }

    /// Writes at the replica's physical time ([`crdt_laws::env::physical_time`]).
    pub fn write(&mut self, replica: ReplicaId, key: K, value: Option<V>) -> HlcTimestamp {
        self.write_at(replica, key, value, crdt_laws::env::physical_time())
    }

    /// The lattice order: every write `self` holds is held, or overwritten, by `other`, and
    /// `other`'s clock is not behind.
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.clock <= other.clock
            && self
                .entries
                .iter()
                .all(|(k, (t, _))| other.entries.get(k).is_some_and(|(u, _)| t <= u))
    }
}

impl<K: Ord + Clone, V: Clone> HlcMap<K, V> {
    /// Joins `other` into `self`: per key the later write; the clock takes in `other`'s.
    pub fn merge(&mut self, other: &Self) {
        self.clock.observe(other.clock.now());
        for (key, (stamp, value)) in &other.entries {
            match self.entries.get_mut(key) {
                Some(mine) if mine.0 >= *stamp => {}
                Some(mine) => *mine = (*stamp, value.clone()),
                None => {
                    self.entries.insert(key.clone(), (*stamp, value.clone()));
                }
            }
        }
    }
}

impl_lattice!(HlcMap<K, V> where K: Ord + Clone, V: Clone + PartialEq);

impl<K: Ord + fmt::Debug, V: fmt::Debug> fmt::Debug for HlcMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HlcMap(clock {}.{}, ",
            self.clock.wall, self.clock.logical
        )?;
        f.debug_map()
            .entries(self.entries.iter().map(|(k, (t, v))| (k, (t, v))))
            .finish()?;
        f.write_str(")")
    }
}
