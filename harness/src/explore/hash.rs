//! The explorer's hashing and memoization: cheap hashers for keys that are already hashes,
//! a 128-bit fingerprint hasher, and sharded memo tables that remember what the model computed
//! for a replica state (so that a merge, an update or a check seen once is never recomputed).
//!
//! Memo tables are keyed by the hash of a replica state's `Debug` text, the identity the
//! fingerprint already relies on (two states with the same text are one state). The model's
//! functions are deterministic (the harness requires it), so a memoized result is the result
//! a recomputation would give, and exploring with memo tables finds exactly what exploring
//! without them finds, with any number of threads.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;

const K1: u64 = 0x9e37_79b9_7f4a_7c15;
const K2: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// The 64-bit finalizer of MurmurHash3: every input bit affects every output bit.
pub(crate) const fn fmix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// A fast hasher for hash-table keys made of a few integers (no cryptographic strength:
/// the keys are the explorer's own hashes and small numbers, not adversarial input).
#[derive(Default, Clone, Copy)]
pub(crate) struct Mix(u64);

impl Hasher for Mix {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, x: u8) {
        self.write_u64(u64::from(x));
    }

    fn write_u16(&mut self, x: u16) {
        self.write_u64(u64::from(x));
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x).wrapping_mul(K1).rotate_left(29);
    }

    fn write_u128(&mut self, x: u128) {
        self.write_u64(x as u64);
        self.write_u64((x >> 64) as u64);
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }

    fn finish(&self) -> u64 {
        fmix(self.0)
    }
}

/// A hasher for keys that are already hashes (fingerprints, [`Fp128`], or a memo key's
/// [`Mix`]): their bits are mixed, so the hash is the key itself (a fingerprint's two halves
/// folded), without another round of mixing.
#[derive(Default, Clone, Copy)]
pub(crate) struct Folded(u64);

impl Hasher for Folded {
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` and `u128` keys reach this hasher; other keys still hash, by mixing.
        let mut mix = Mix(self.0);
        mix.write(bytes);
        self.0 = mix.finish();
    }

    fn write_u64(&mut self, x: u64) {
        self.0 ^= x;
    }

    fn write_u128(&mut self, x: u128) {
        self.0 ^= x as u64 ^ (x >> 64) as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Sets of fingerprints, with [`Folded`].
pub(crate) type FpSet = HashSet<u128, BuildHasherDefault<Folded>>;
/// Maps keyed by fingerprints, with [`Folded`].
pub(crate) type FpMap<V> = HashMap<u128, V, BuildHasherDefault<Folded>>;

/// A 128-bit hash of a sequence of 64-bit words, in two independent lanes: for global-state
/// fingerprints, whose collisions would merge two states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fp128 {
    a: u64,
    b: u64,
}

impl Default for Fp128 {
    fn default() -> Self {
        Fp128::new()
    }
}

impl Fp128 {
    pub(crate) const fn new() -> Self {
        Fp128 { a: K1, b: K2 }
    }

    pub(crate) fn word(&mut self, x: u64) {
        self.a = (self.a ^ x).wrapping_mul(K1).rotate_left(31);
        self.b = (self.b ^ x.rotate_left(23))
            .wrapping_mul(K2)
            .rotate_left(27);
    }

    pub(crate) fn finish(&self) -> u128 {
        let low = fmix(self.a ^ self.b.rotate_left(17));
        let high = fmix(self.b.wrapping_add(self.a.rotate_left(41)) ^ K1);
        (u128::from(high) << 64) | u128::from(low)
    }
}

/// Shards of a memo table.
const SHARDS: usize = 16;

/// A memo key with its hash, computed once: it picks the shard and is the shard map's hash.
struct Hashed<K> {
    hash: u64,
    key: K,
}

impl<K> Hash for Hashed<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl<K: Eq> PartialEq for Hashed<K> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl<K: Eq> Eq for Hashed<K> {}

/// A memo table shared by the explorer's threads: a key's value is computed once (or a few
/// times, by threads that miss at once: the model is deterministic, so they agree) and then
/// looked up.
pub(crate) struct Memo<K, V> {
    shards: Vec<Mutex<Shard<K, V>>>,
}

/// One shard of a [`Memo`]: keys hashed once, by [`Mix`], then taken as they are.
type Shard<K, V> = HashMap<Hashed<K>, V, BuildHasherDefault<Folded>>;

impl<K: Hash + Eq, V: Clone> Memo<K, V> {
    pub(crate) fn new() -> Self {
        Memo {
            shards: (0..SHARDS)
                .map(|_| Mutex::new(HashMap::default()))
                .collect(),
        }
    }

    /// The value for `key`, computed by `make` when it is not known yet (outside the lock,
    /// so that a panicking model poisons nothing and is not remembered).
    pub(crate) fn get_or(&self, key: K, make: impl FnOnce() -> V) -> V {
        let mut h = Mix::default();
        key.hash(&mut h);
        let key = Hashed {
            hash: h.finish(),
            key,
        };
        // The shard from bits the shard's map uses for neither its buckets nor its tags.
        let shard = &self.shards[(key.hash >> 32) as usize % SHARDS];
        if let Some(v) = shard.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return v.clone();
        }
        let made = make();
        shard
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_insert(made)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_separate_orders_and_values() {
        let fp = |words: &[u64]| {
            let mut h = Fp128::new();
            for &w in words {
                h.word(w);
            }
            h.finish()
        };
        assert_ne!(fp(&[1, 2]), fp(&[2, 1]));
        assert_ne!(fp(&[0]), fp(&[0, 0]));
        assert_eq!(fp(&[7, 8, 9]), fp(&[7, 8, 9]));
    }

    #[test]
    fn folded_hashes_fingerprints_by_both_halves() {
        let hash = |x: u128| {
            let mut h = Folded::default();
            h.write_u128(x);
            h.finish()
        };
        assert_ne!(hash(1), hash(1 << 64 | 2));
        assert_eq!(hash(5 << 64), hash(5));
        let mut set = FpSet::default();
        assert!(set.insert(u128::MAX));
        assert!(!set.insert(u128::MAX));
        assert!(set.insert(0));
    }

    #[test]
    fn memo_keeps_each_key_apart() {
        let memo: Memo<(u64, u16), u64> = Memo::new();
        for k in 0..2000u64 {
            assert_eq!(memo.get_or((k, 7), || k * 3), k * 3);
        }
        for k in 0..2000u64 {
            assert_eq!(memo.get_or((k, 7), || 0), k * 3);
            assert_eq!(memo.get_or((k, 8), || k + 1), k + 1);
        }
    }

    #[test]
    fn memo_computes_once() {
        let memo: Memo<u64, u64> = Memo::new();
        let mut calls = 0;
        assert_eq!(
            memo.get_or(3, || {
                calls += 1;
                9
            }),
            9
        );
        assert_eq!(
            memo.get_or(3, || {
                calls += 1;
                10
            }),
            9
        );
        assert_eq!(calls, 1);
    }
}
