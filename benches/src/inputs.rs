//! Deterministic inputs for the merge benchmarks: pairs of states of a given size, disjoint or
//! overlapping by half, for every reference CRDT (and, with the `peers` feature, for the
//! `crdts` crate's equivalents), plus the floor they are compared with.
//!
//! Elements are pseudo-random `u64` keys (the SplitMix64 sequence, a bijection, so keys never
//! repeat): the two sides of a merge interleave unpredictably, as real replicas' elements do,
//! rather than in alternation, which a branch predictor would learn.
//!
//! ```
//! use crdt_benches::inputs::{Overlap, gset_pair};
//!
//! let (left, right) = gset_pair(1000, Overlap::Half);
//! let mut merged = left.clone();
//! merged.merge(&right);
//! assert_eq!((left.len(), right.len(), merged.len()), (1000, 1000, 1500));
//! ```

use crdt_impls::{
    GCounter, GSet, LwwElementSet, LwwRegister, Map, MvRegister, OrMap, OrSet, Pair, PnCounter,
    ReplicaId,
};

/// How the two inputs of a merge relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Overlap {
    /// Nothing in common: every element (or replica entry) is on one side only.
    Disjoint,
    /// Half of each side's elements (or replica entries) are also on the other side.
    Half,
}

impl Overlap {
    /// Both kinds, in the order the benchmarks run them.
    pub const ALL: [Overlap; 2] = [Overlap::Disjoint, Overlap::Half];

    /// The name used in benchmark ids: `disjoint` or `overlap50`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Overlap::Disjoint => "disjoint",
            Overlap::Half => "overlap50",
        }
    }
}

/// The `i`-th key: SplitMix64's output function, a bijection on `u64`.
#[must_use]
pub const fn key(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The elements of a pair of inputs, each part sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// On both sides.
    pub shared: Vec<u64>,
    /// On the left side only.
    pub left_only: Vec<u64>,
    /// On the right side only.
    pub right_only: Vec<u64>,
}

impl Split {
    /// `n` elements per side, related by `overlap`.
    #[must_use]
    pub fn new(n: usize, overlap: Overlap) -> Self {
        let shared = match overlap {
            Overlap::Disjoint => 0,
            Overlap::Half => n / 2,
        };
        let own = n - shared;
        let part = |from: usize, len: usize| {
            let mut keys: Vec<u64> = (from..from + len).map(|i| key(i as u64)).collect();
            keys.sort_unstable();
            keys
        };
        Self {
            shared: part(0, shared),
            left_only: part(shared, own),
            right_only: part(shared + own, own),
        }
    }

    /// The left side's elements, sorted.
    #[must_use]
    pub fn left(&self) -> Vec<u64> {
        vec_union(&self.shared, &self.left_only)
    }

    /// The right side's elements, sorted.
    #[must_use]
    pub fn right(&self) -> Vec<u64> {
        vec_union(&self.shared, &self.right_only)
    }
}

/// The floor of a set merge: the union of two sorted, duplicate-free vectors into a new one,
/// with one allocation and one pass. No CRDT merge of the same elements can do less work.
#[must_use]
pub fn vec_union(left: &[u64], right: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        let (x, y) = (left[i], right[j]);
        out.push(x.min(y));
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
}

/// The replica that made the shared part of two inputs: neither side's own.
const COMMON: ReplicaId = ReplicaId::new(2);
/// The replicas that made each side's own part.
const LEFT: ReplicaId = ReplicaId::new(0);
const RIGHT: ReplicaId = ReplicaId::new(1);

/// Two sorted vectors of `n` elements each: the floor's input.
#[must_use]
pub fn vec_pair(n: usize, overlap: Overlap) -> (Vec<u64>, Vec<u64>) {
    let split = Split::new(n, overlap);
    (split.left(), split.right())
}

/// Two G-Sets of `n` elements each.
#[must_use]
pub fn gset_pair(n: usize, overlap: Overlap) -> (GSet<u64>, GSet<u64>) {
    let split = Split::new(n, overlap);
    (
        split.left().into_iter().collect(),
        split.right().into_iter().collect(),
    )
}

/// An OR-Set holding `keys` (sorted), each inserted once by `replica`.
fn orset_of(replica: ReplicaId, keys: &[u64]) -> OrSet<u64> {
    let mut set = OrSet::new();
    // In increasing order, each insertion appends.
    for &k in keys {
        set.insert(replica, k);
    }
    set
}

/// Two OR-Sets of `n` elements each. Each side inserted its own elements at its own replica;
/// the shared ones were inserted at a third replica and merged into both sides, so they carry
/// the same tags on both sides, as after a real synchronization.
#[must_use]
pub fn orset_pair(n: usize, overlap: Overlap) -> (OrSet<u64>, OrSet<u64>) {
    let split = Split::new(n, overlap);
    let common = orset_of(COMMON, &split.shared);
    let mut left = orset_of(LEFT, &split.left_only);
    let mut right = orset_of(RIGHT, &split.right_only);
    left.merge(&common);
    right.merge(&common);
    (left, right)
}

/// An LWW element set holding `keys` (sorted), inserted in order.
fn lww_set_of(keys: &[u64]) -> LwwElementSet<u64> {
    let mut set = LwwElementSet::new();
    for &k in keys {
        set.insert(k);
    }
    set
}

/// Two LWW element sets of `n` elements each, the shared ones from a common ancestor.
#[must_use]
pub fn lww_set_pair(n: usize, overlap: Overlap) -> (LwwElementSet<u64>, LwwElementSet<u64>) {
    let split = Split::new(n, overlap);
    let common = lww_set_of(&split.shared);
    let mut left = lww_set_of(&split.left_only);
    let mut right = lww_set_of(&split.right_only);
    left.merge(&common);
    right.merge(&common);
    (left, right)
}

/// The map the benchmarks use: LWW registers by key.
pub type RegisterMap = Map<u64, LwwRegister<u64>>;

/// A map with a register at each of `keys`, written by `replica`.
fn map_of(replica: ReplicaId, keys: &[u64]) -> RegisterMap {
    keys.iter()
        .map(|&k| {
            let mut register = LwwRegister::new();
            register.set(replica, k);
            (k, register)
        })
        .collect()
}

/// Two maps of `n` keys each. The shared keys hold concurrent writes (the same Lamport time,
/// different replicas), so merging them compares the registers.
#[must_use]
pub fn map_pair(n: usize, overlap: Overlap) -> (RegisterMap, RegisterMap) {
    let split = Split::new(n, overlap);
    let mut left = map_of(LEFT, &split.left_only);
    let mut right = map_of(RIGHT, &split.right_only);
    left.merge(&map_of(LEFT, &split.shared));
    right.merge(&map_of(RIGHT, &split.shared));
    (left, right)
}

/// The OR-Map the benchmarks use: G-Counters by key.
pub type CounterOrMap = OrMap<u64, GCounter>;

/// An OR-Map with a counter incremented once by `replica` at each of `keys` (sorted).
fn ormap_of(replica: ReplicaId, keys: &[u64]) -> CounterOrMap {
    let mut map = OrMap::new();
    // In increasing order, each update appends.
    for &k in keys {
        map.update(replica, k, |c: &mut GCounter| c.increment(replica, 1))
            .expect("one increment cannot overflow");
    }
    map
}

/// Two OR-Maps of `n` keys each. Each side updated its own keys at its own replica; the shared
/// ones were updated at a third replica and merged into both sides, as after a real
/// synchronization.
#[must_use]
pub fn ormap_pair(n: usize, overlap: Overlap) -> (CounterOrMap, CounterOrMap) {
    let split = Split::new(n, overlap);
    let common = ormap_of(COMMON, &split.shared);
    let mut left = ormap_of(LEFT, &split.left_only);
    let mut right = ormap_of(RIGHT, &split.right_only);
    left.merge(&common);
    right.merge(&common);
    (left, right)
}

/// The pair the benchmarks use: a G-Set beside an LWW element set.
pub type SetPair = Pair<GSet<u64>, LwwElementSet<u64>>;

/// Two pairs of `n` elements per part.
#[must_use]
pub fn pair_pair(n: usize, overlap: Overlap) -> (SetPair, SetPair) {
    let (g1, g2) = gset_pair(n, overlap);
    let (l1, l2) = lww_set_pair(n, overlap);
    (Pair::new(g1, l1), Pair::new(g2, l2))
}

/// The replica ids of each side of a counter or register pair with `replicas` entries per side,
/// as index ranges: `(shared, left only, right only)`.
fn replica_split(replicas: usize, overlap: Overlap) -> [std::ops::Range<u32>; 3] {
    let shared = match overlap {
        Overlap::Disjoint => 0,
        Overlap::Half => replicas / 2,
    };
    let own = replicas - shared;
    let n = |x: usize| u32::try_from(x).expect("fewer than 2^32 replicas");
    [
        0..n(shared),
        n(shared)..n(shared + own),
        n(shared + own)..n(shared + 2 * own),
    ]
}

/// Two G-Counters with `replicas` entries each. Shared replicas have different counts on each
/// side (each side saw a different prefix of their increments), so the merge takes maxima.
#[must_use]
pub fn gcounter_pair(replicas: usize, overlap: Overlap) -> (GCounter, GCounter) {
    let [shared, left_only, right_only] = replica_split(replicas, overlap);
    let mut left = GCounter::new();
    let mut right = GCounter::new();
    for r in shared {
        let count = key(u64::from(r)) % 1000 + 1;
        left.increment(ReplicaId::new(r), count)
            .expect("small counts");
        right
            .increment(ReplicaId::new(r), count + u64::from(r % 2))
            .expect("small counts");
    }
    for r in left_only {
        left.increment(ReplicaId::new(r), 7).expect("small counts");
    }
    for r in right_only {
        right.increment(ReplicaId::new(r), 7).expect("small counts");
    }
    (left, right)
}

/// Two PN-Counters with `replicas` entries each, in both their increments and decrements.
#[must_use]
pub fn pncounter_pair(replicas: usize, overlap: Overlap) -> (PnCounter, PnCounter) {
    let [shared, left_only, right_only] = replica_split(replicas, overlap);
    let mut left = PnCounter::new();
    let mut right = PnCounter::new();
    for r in shared {
        let id = ReplicaId::new(r);
        let count = key(u64::from(r)) % 1000 + 1;
        left.increment(id, count).expect("small counts");
        left.decrement(id, count / 2).expect("small counts");
        right
            .increment(id, count + u64::from(r % 2))
            .expect("small counts");
        right.decrement(id, count / 2).expect("small counts");
    }
    for (side, replicas) in [(&mut left, left_only), (&mut right, right_only)] {
        for r in replicas {
            side.increment(ReplicaId::new(r), 7).expect("small counts");
            side.decrement(ReplicaId::new(r), 3).expect("small counts");
        }
    }
    (left, right)
}

/// Two MV-registers each holding `replicas` concurrent values, one written by each of its
/// replicas; with [`Overlap::Half`], half of those writes are known to both sides.
#[must_use]
pub fn mvregister_pair(replicas: usize, overlap: Overlap) -> (MvRegister<u64>, MvRegister<u64>) {
    let [shared, left_only, right_only] = replica_split(replicas, overlap);
    let written = |ids: std::ops::Range<u32>| {
        let mut register = MvRegister::new();
        for r in ids {
            let mut write = MvRegister::new();
            write.set(ReplicaId::new(r), u64::from(r));
            register.merge(&write);
        }
        register
    };
    let common = written(shared);
    let mut left = written(left_only);
    let mut right = written(right_only);
    left.merge(&common);
    right.merge(&common);
    (left, right)
}

/// Two LWW registers written concurrently (the same Lamport time) at different replicas.
#[must_use]
pub fn lww_register_pair() -> (LwwRegister<u64>, LwwRegister<u64>) {
    let mut left = LwwRegister::new();
    let mut right = LwwRegister::new();
    left.set(LEFT, 1);
    right.set(RIGHT, 2);
    (left, right)
}

/// The `crdts` crate's equivalents of the pairs above, for the `peers` benchmarks.
#[cfg(feature = "peers")]
pub mod crdts_peer {
    use super::{Overlap, Split, replica_split};
    use crdts::{CmRDT, CvRDT, GCounter, GSet, LWWReg, MVReg, Map, Orswot, PNCounter};

    /// Actors are `u32`, like [`ReplicaId`](crdt_impls::ReplicaId)'s index.
    pub type Actor = u32;
    const LEFT: Actor = 0;
    const RIGHT: Actor = 1;
    const COMMON: Actor = 2;

    /// Two `crdts::GSet`s of `n` elements each.
    #[must_use]
    pub fn gset_pair(n: usize, overlap: Overlap) -> (GSet<u64>, GSet<u64>) {
        let split = Split::new(n, overlap);
        let set = |keys: Vec<u64>| {
            let mut set = GSet::new();
            for k in keys {
                set.insert(k);
            }
            set
        };
        (set(split.left()), set(split.right()))
    }

    /// An ORSWOT holding `keys`, each added once by `actor` (one `add` op per element, applied
    /// as the crate's docs show).
    fn orswot_of(actor: Actor, keys: &[u64]) -> Orswot<u64, Actor> {
        let mut set = Orswot::new();
        for &k in keys {
            let op = set.add(k, set.read_ctx().derive_add_ctx(actor));
            set.apply(op);
        }
        set
    }

    /// Two `crdts::Orswot`s built like [`super::orset_pair`].
    #[must_use]
    pub fn orswot_pair(n: usize, overlap: Overlap) -> (Orswot<u64, Actor>, Orswot<u64, Actor>) {
        let split = Split::new(n, overlap);
        let common = orswot_of(COMMON, &split.shared);
        let mut left = orswot_of(LEFT, &split.left_only);
        let mut right = orswot_of(RIGHT, &split.right_only);
        left.merge(common.clone());
        right.merge(common);
        (left, right)
    }

    /// A `crdts::Map` of G-Counters, built like [`super::ormap_pair`]'s sides: one `update`
    /// op per key, applied as the crate's docs show.
    pub type CounterMap = Map<u64, GCounter<Actor>, Actor>;

    fn map_of(actor: Actor, keys: &[u64]) -> CounterMap {
        let mut map = Map::new();
        for &k in keys {
            let op = map.update(
                k,
                map.read_ctx().derive_add_ctx(actor),
                |c: &GCounter<Actor>, ctx| c.inc(ctx.dot.actor),
            );
            map.apply(op);
        }
        map
    }

    /// Two `crdts::Map`s of `n` G-Counters each, built like [`super::ormap_pair`].
    #[must_use]
    pub fn map_pair(n: usize, overlap: Overlap) -> (CounterMap, CounterMap) {
        let split = Split::new(n, overlap);
        let common = map_of(COMMON, &split.shared);
        let mut left = map_of(LEFT, &split.left_only);
        let mut right = map_of(RIGHT, &split.right_only);
        left.merge(common.clone());
        right.merge(common);
        (left, right)
    }

    /// Two `crdts::GCounter`s built like [`super::gcounter_pair`].
    #[must_use]
    pub fn gcounter_pair(replicas: usize, overlap: Overlap) -> (GCounter<Actor>, GCounter<Actor>) {
        let mut sides = (GCounter::new(), GCounter::new());
        let (ours_left, ours_right) = super::gcounter_pair(replicas, overlap);
        for (theirs, ours) in [(&mut sides.0, ours_left), (&mut sides.1, ours_right)] {
            for (r, count) in ours.counts().iter() {
                theirs.apply(theirs.inc_many(r.index() as Actor, count));
            }
        }
        sides
    }

    /// Two `crdts::PNCounter`s built like [`super::pncounter_pair`].
    #[must_use]
    pub fn pncounter_pair(
        replicas: usize,
        overlap: Overlap,
    ) -> (PNCounter<Actor>, PNCounter<Actor>) {
        let mut sides = (PNCounter::new(), PNCounter::new());
        let (ours_left, ours_right) = super::pncounter_pair(replicas, overlap);
        for (theirs, ours) in [(&mut sides.0, ours_left), (&mut sides.1, ours_right)] {
            for (r, count) in ours.increments().counts().iter() {
                theirs.apply(theirs.inc_many(r.index() as Actor, count));
            }
            for (r, count) in ours.decrements().counts().iter() {
                theirs.apply(theirs.dec_many(r.index() as Actor, count));
            }
        }
        sides
    }

    /// Two `crdts::MVReg`s built like [`super::mvregister_pair`].
    #[must_use]
    pub fn mvreg_pair(replicas: usize, overlap: Overlap) -> (MVReg<u64, Actor>, MVReg<u64, Actor>) {
        let [shared, left_only, right_only] = replica_split(replicas, overlap);
        let written = |ids: std::ops::Range<u32>| {
            let mut register = MVReg::new();
            for r in ids {
                let mut write = MVReg::new();
                let op = write.write(u64::from(r), write.read_ctx().derive_add_ctx(r));
                write.apply(op);
                register.merge(write);
            }
            register
        };
        let common = written(shared);
        let mut left = written(left_only);
        let mut right = written(right_only);
        left.merge(common.clone());
        right.merge(common);
        (left, right)
    }

    /// A `crdts::LWWReg` whose marker is `(Lamport time, actor)`, like our timestamps.
    pub type LwwReg = LWWReg<u64, (u64, Actor)>;

    /// Two `crdts::LWWReg`s with concurrent writes.
    #[must_use]
    pub fn lwwreg_pair() -> (LwwReg, LwwReg) {
        (
            LWWReg {
                val: 1,
                marker: (1, LEFT),
            },
            LWWReg {
                val: 2,
                marker: (1, RIGHT),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_have_the_promised_sizes_and_overlap() {
        for overlap in Overlap::ALL {
            let split = Split::new(1001, overlap);
            let (left, right) = (split.left(), split.right());
            assert_eq!((left.len(), right.len()), (1001, 1001));
            let union = vec_union(&left, &right);
            let expected = match overlap {
                Overlap::Disjoint => 2002,
                Overlap::Half => 1001 + 501,
            };
            assert_eq!(union.len(), expected);
            assert!(union.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn vec_union_is_the_sorted_union() {
        assert_eq!(vec_union(&[1, 3, 5], &[2, 3, 9, 10]), [1, 2, 3, 5, 9, 10]);
        assert_eq!(vec_union(&[], &[4]), [4]);
    }

    #[test]
    fn every_pair_merges_to_the_expected_size() {
        let n = 100;
        for overlap in Overlap::ALL {
            let expected = if overlap == Overlap::Half { 150 } else { 200 };
            let (mut a, b) = gset_pair(n, overlap);
            a.merge(&b);
            assert_eq!(a.len(), expected);
            let (mut a, b) = orset_pair(n, overlap);
            assert_eq!((a.len(), b.len()), (n, n));
            a.merge(&b);
            assert_eq!(a.len(), expected);
            let (mut a, b) = lww_set_pair(n, overlap);
            a.merge(&b);
            assert_eq!(a.len(), expected);
            let (mut a, b) = map_pair(n, overlap);
            a.merge(&b);
            assert_eq!(a.len(), expected);
            let (mut a, b) = pair_pair(n, overlap);
            a.merge(&b);
            assert_eq!(a.first.len(), expected);
            let (mut a, b) = gcounter_pair(n, overlap);
            a.merge(&b);
            assert_eq!(a.counts().len(), expected);
            let (mut a, b) = pncounter_pair(n, overlap);
            a.merge(&b);
            assert_eq!(a.increments().counts().len(), expected);
            let (mut a, b) = mvregister_pair(n, overlap);
            assert_eq!(a.len(), n);
            a.merge(&b);
            assert_eq!(a.len(), expected);
        }
        let (mut a, b) = lww_register_pair();
        a.merge(&b);
        assert_eq!(a.get(), Some(&2));
    }

    #[cfg(feature = "peers")]
    #[test]
    fn the_peers_inputs_match_ours() {
        use ::crdts::CvRDT;
        for overlap in Overlap::ALL {
            let expected = if overlap == Overlap::Half { 150 } else { 200 };
            let (mut a, b) = crdts_peer::gset_pair(100, overlap);
            a.merge(b);
            assert_eq!(a.read().len(), expected);
            let (mut a, b) = crdts_peer::orswot_pair(100, overlap);
            a.merge(b);
            assert_eq!(a.read().val.len(), expected);
            let (ours, theirs) = (
                gcounter_pair(100, overlap),
                crdts_peer::gcounter_pair(100, overlap),
            );
            let (mut a, b) = theirs;
            a.merge(b);
            let mut o = ours.0;
            o.merge(&ours.1);
            assert_eq!(a.read().to_string(), o.value().to_string());
            let (mut a, b) = crdts_peer::mvreg_pair(100, overlap);
            a.merge(b);
            assert_eq!(a.read().val.len(), expected);
        }
    }
}
