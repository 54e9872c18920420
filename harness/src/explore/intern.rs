//! An append-only table shared by the explorer's threads: what the model made (replica states,
//! message payloads, lists of issued updates) is stored once and named by a `u32`, so that a
//! global state is plain data (copied with `memcpy`, dropped for free, no reference counts).
//!
//! Entries live in chunks that double in size (64, 128, 256, ...), each allocated when the
//! first entry lands in it, and never move: a reader gets `&T` with two atomic loads and no
//! lock. An id is handed out by one atomic increment.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Entries in the first chunk, as a power of two.
const FIRST: u32 = 6;

/// Chunks: `2^6 + 2^7 + ... + 2^32` entries in all, more than a `u32` names.
const CHUNKS: usize = (33 - FIRST) as usize;

/// An append-only table, read without locks.
pub(crate) struct Table<T> {
    chunks: [OnceLock<Box<[OnceLock<T>]>>; CHUNKS],
    len: AtomicU32,
}

/// The chunk holding entry `id`, and the entry's place in it.
fn place(id: u32) -> (usize, usize) {
    let shifted = u64::from(id) + (1 << FIRST);
    let chunk = 63 - shifted.leading_zeros() - FIRST;
    let start = 1u64 << (chunk + FIRST);
    (chunk as usize, (shifted - start) as usize)
}

impl<T> Table<T> {
    pub(crate) fn new() -> Self {
        Table {
            chunks: std::array::from_fn(|_| OnceLock::new()),
            len: AtomicU32::new(0),
        }
    }

    /// Stores `value` and returns its id.
    ///
    /// # Panics
    /// Past `u32::MAX` entries.
    pub(crate) fn push(&self, value: T) -> u32 {
        let id = self.len.fetch_add(1, Ordering::Relaxed);
        assert!(id != u32::MAX, "the explorer's table is full");
        let (chunk, at) = place(id);
        let slots = self.chunks[chunk].get_or_init(|| {
            (0..1usize << (chunk as u32 + FIRST))
                .map(|_| OnceLock::new())
                .collect()
        });
        if slots[at].set(value).is_err() {
            unreachable!("ids are handed out once");
        }
        id
    }

    /// The entry `id`.
    ///
    /// # Panics
    /// When `id` was not returned by [`push`](Self::push) (a bug in the explorer).
    pub(crate) fn get(&self, id: u32) -> &T {
        let (chunk, at) = place(id);
        self.chunks[chunk]
            .get()
            .and_then(|slots| slots[at].get())
            .expect("an id the table handed out")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_cover_the_ids_in_order() {
        assert_eq!(place(0), (0, 0));
        assert_eq!(place(63), (0, 63));
        assert_eq!(place(64), (1, 0));
        assert_eq!(place(191), (1, 127));
        assert_eq!(place(192), (2, 0));
        assert_eq!(place(u32::MAX - 1).0, CHUNKS - 1);
    }

    #[test]
    fn entries_come_back_by_id_across_chunks() {
        let table = Table::new();
        let ids: Vec<u32> = (0..1000u32).map(|v| table.push(v * 3)).collect();
        assert_eq!(ids, (0..1000).collect::<Vec<_>>());
        for id in [0, 63, 64, 191, 192, 999] {
            assert_eq!(*table.get(id), id * 3);
        }
    }

    #[test]
    fn threads_push_and_read_at_once() {
        let table = Table::new();
        std::thread::scope(|s| {
            for t in 0..4u32 {
                let table = &table;
                s.spawn(move || {
                    for v in 0..500u32 {
                        let id = table.push(t * 1000 + v);
                        assert_eq!(*table.get(id), t * 1000 + v);
                    }
                });
            }
        });
        let mut all: Vec<u32> = (0..2000).map(|id| *table.get(id)).collect();
        all.sort_unstable();
        let expected: Vec<u32> = (0..4)
            .flat_map(|t| (0..500).map(move |v| t * 1000 + v))
            .collect();
        assert_eq!(all, expected);
    }
}
