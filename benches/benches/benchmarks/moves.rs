//! Moves: the movable list and the tree with move, beside Loro's (feature `loro`, built only
//! on request: Loro takes minutes to build).
//!
//! - `moves-list-local`: 100 local moves (pseudo-random `from` and `to`, the same for everyone)
//!   on a list of 10^3 or 10^4 elements: [`MovableList::move_item`]; Loro's
//!   `LoroMovableList::mov`, committed once per batch (one transaction for the 100 moves).
//!   The same replica keeps moving, iteration after iteration (its state grows by the moves'
//!   positions or log entries): the steady state of a user dragging things.
//! - `moves-list-merge`: replicas A and B start from the same list and each make 100 moves
//!   concurrently (the same elements, so half the moves conflict); then A receives B's moves.
//!   Ours twice: `MovableList/updates` applies B's 100 [`Update`]s (operation-based),
//!   `MovableList/state` merges B's whole state. Loro imports B's updates since the common
//!   version (exported outside the timing).
//! - `moves-tree-local`: 100 local moves of a pseudo-random node under a pseudo-random parent,
//!   in a tree of 10^3 or 10^4 nodes built by putting each node under a random earlier one;
//!   moves that would make a cycle are refused by both (ours logs them, Loro returns an error);
//!   one long-lived replica, as for the list.
//!   Loro's tree with its fractional index disabled (it then does not order siblings, like
//!   ours): its fastest setting.
//!
//! The local groups edit one long-lived replica (a copy per iteration would time Loro's lazy
//! loading of a forked document: about 9 ms per 100 moves at 10^4 elements instead of 0.7). The
//! merge group receives into a copy made outside the timing (for Loro, a `fork` whose containers
//! are then loaded). Throughput counts the moves.

use std::hint::black_box;

use crdt_impls::movable_list::Update;
use crdt_impls::tree::MoveTree;
use crdt_impls::{MovableList, ReplicaId};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};

use super::{batch_for, config};

/// Moves per iteration.
const BATCH: usize = 100;
/// The sizes of the lists and trees.
const SIZES: [usize; 2] = [1_000, 10_000];

const A: ReplicaId = ReplicaId::new(0);
const B: ReplicaId = ReplicaId::new(1);

/// A deterministic stream of pseudo-random numbers (splitmix64).
struct Numbers(u64);

impl Numbers {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// `BATCH` moves `(from, to)` on a list of `n` elements, from seed `seed`.
fn list_moves(n: usize, seed: u64) -> Vec<(usize, usize)> {
    let mut numbers = Numbers(seed);
    (0..BATCH)
        .map(|_| (numbers.below(n), numbers.below(n)))
        .collect()
}

/// The parent of each node `1..=n` of the initial tree (node 0 is the root): a random earlier
/// node.
fn tree_shape(n: usize) -> Vec<usize> {
    let mut numbers = Numbers(7);
    (1..=n).map(|node| numbers.below(node)).collect()
}

/// `BATCH` moves `(node, parent)` in a tree of nodes `1..=n` under root 0.
fn tree_moves(n: usize) -> Vec<(usize, usize)> {
    let mut numbers = Numbers(11);
    (0..BATCH)
        .map(|_| (1 + numbers.below(n), numbers.below(n + 1)))
        .collect()
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(BATCH as u64));
    group
}

/// A movable list of `n` elements `0..n` typed at replica A.
fn list_of(n: usize) -> MovableList<u64> {
    let mut list = MovableList::new(A);
    for k in 0..n {
        list.insert(k, k as u64);
    }
    list
}

/// Times `update` on a copy of `state` made outside the timing.
fn bench<S, R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    n: usize,
    copy: impl Fn() -> S,
    update: impl Fn(&mut S) -> R,
) {
    group.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter_batched(
            &copy,
            |mut s| {
                let r = update(&mut s);
                (s, r)
            },
            batch_for(n),
        );
    });
}

/// Times `update` on one long-lived `state`, iteration after iteration: the steady state of a
/// replica that keeps editing (the state grows by the positions or log entries of the moves).
fn bench_in_place<S, R>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    n: usize,
    mut state: S,
    update: impl Fn(&mut S) -> R,
) {
    group.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter(|| update(&mut state));
    });
}

fn list_local(c: &mut Criterion) {
    let mut group = group(c, "moves-list-local");
    for n in SIZES {
        let moves = list_moves(n, 3);
        bench_in_place(&mut group, "MovableList", n, list_of(n), |list| {
            for &(from, to) in &moves {
                black_box(list.move_item(from, to));
            }
        });
        #[cfg(feature = "loro")]
        {
            bench_in_place(&mut group, "peer-loro", n, loro_peer::list_of(n), |doc| {
                loro_peer::list_moves(doc, &moves);
            });
        }
    }
    group.finish();
}

fn list_merge(c: &mut Criterion) {
    let mut group = group(c, "moves-list-merge");
    for n in SIZES {
        let base = list_of(n);
        let mut a = base.clone();
        let mut b = MovableList::new(B);
        b.merge(&base);
        let a_moves = list_moves(n, 3);
        let b_moves = list_moves(n, 5);
        for &(from, to) in &a_moves {
            a.move_item(from, to);
        }
        let updates: Vec<Update<u64>> = b_moves
            .iter()
            .map(|&(from, to)| b.move_item(from, to))
            .collect();
        bench(
            &mut group,
            "MovableList/updates",
            n,
            || a.clone(),
            |a| {
                for update in &updates {
                    a.apply(black_box(update)).expect("causally ready");
                }
            },
        );
        bench(
            &mut group,
            "MovableList/state",
            n,
            || a.clone(),
            |a| {
                a.merge(black_box(&b));
            },
        );
        #[cfg(feature = "loro")]
        {
            let (a, bytes) = loro_peer::concurrent_moves(n, &a_moves, &b_moves);
            bench(
                &mut group,
                "peer-loro",
                n,
                || loro_peer::copy(&a),
                |a| {
                    a.import(black_box(&bytes))
                        .expect("Loro imports its own updates");
                },
            );
        }
    }
    group.finish();
}

fn tree_local(c: &mut Criterion) {
    let mut group = group(c, "moves-tree-local");
    for n in SIZES {
        let moves = tree_moves(n);
        let mut tree = MoveTree::new(A);
        for (k, &parent) in tree_shape(n).iter().enumerate() {
            tree.move_node(k as u32 + 1, parent as u32);
        }
        bench_in_place(&mut group, "MoveTree", n, tree, |tree| {
            for &(node, parent) in &moves {
                black_box(tree.move_node(node as u32, parent as u32));
            }
        });
        #[cfg(feature = "loro")]
        {
            let (doc, nodes) = loro_peer::tree_of(&tree_shape(n));
            bench_in_place(&mut group, "peer-loro", n, doc, |doc| {
                loro_peer::tree_moves(doc, &nodes, &moves);
            });
        }
    }
    group.finish();
}

/// Loro driven as its documentation shows: containers of one `LoroDoc`, edits committed.
#[cfg(feature = "loro")]
mod loro_peer {
    use loro::{ExportMode, LoroDoc, TreeID};

    /// An independent copy of `doc`, loaded: a fork decodes its containers lazily, on their
    /// first use, which must not be timed as part of the first edit.
    pub(super) fn copy(doc: &LoroDoc) -> LoroDoc {
        let copy = doc.fork();
        std::hint::black_box(copy.get_deep_value());
        copy
    }

    /// A document whose movable list "l" holds `0..n`, at peer 1.
    pub(super) fn list_of(n: usize) -> LoroDoc {
        let doc = LoroDoc::new();
        doc.set_peer_id(1).expect("a valid peer id");
        let list = doc.get_movable_list("l");
        for k in 0..n {
            list.insert(k, k as i64).expect("an index within the list");
        }
        doc.commit();
        doc
    }

    /// Moves `(from, to)` on the list, then commits.
    pub(super) fn list_moves(doc: &LoroDoc, moves: &[(usize, usize)]) {
        let list = doc.get_movable_list("l");
        for &(from, to) in moves {
            list.mov(from, to).expect("indices within the list");
        }
        doc.commit();
    }

    /// Replica A (peer 1) after its moves, and replica B's (peer 2) moves since the common
    /// list, exported as updates.
    pub(super) fn concurrent_moves(
        n: usize,
        a_moves: &[(usize, usize)],
        b_moves: &[(usize, usize)],
    ) -> (LoroDoc, Vec<u8>) {
        let a = list_of(n);
        let b = LoroDoc::new();
        b.set_peer_id(2).expect("a valid peer id");
        b.import(&a.export(ExportMode::Snapshot).expect("a snapshot"))
            .expect("a snapshot imports");
        let common = b.oplog_vv();
        list_moves(&a, a_moves);
        list_moves(&b, b_moves);
        let bytes = b
            .export(ExportMode::updates(&common))
            .expect("updates export");
        (a, bytes)
    }

    /// A document whose tree "t" has a root and nodes `1..=parents.len()`, node `k` under
    /// `parents[k - 1]`; with the node ids, the root's first.
    pub(super) fn tree_of(parents: &[usize]) -> (LoroDoc, Vec<TreeID>) {
        let doc = LoroDoc::new();
        doc.set_peer_id(1).expect("a valid peer id");
        let tree = doc.get_tree("t");
        tree.disable_fractional_index();
        let mut nodes = vec![tree.create(None).expect("a root")];
        for &parent in parents {
            nodes.push(tree.create(nodes[parent]).expect("a node"));
        }
        doc.commit();
        (doc, nodes)
    }

    /// Moves `(node, parent)` (indices into `nodes`), then commits; moves that would make a
    /// cycle are refused.
    pub(super) fn tree_moves(doc: &LoroDoc, nodes: &[TreeID], moves: &[(usize, usize)]) {
        let tree = doc.get_tree("t");
        for &(node, parent) in moves {
            let _refused_if_a_cycle = tree.mov(nodes[node], nodes[parent]);
        }
        doc.commit();
    }
}

criterion::criterion_group! {
    name = benches;
    config = config();
    targets = list_local, list_merge, tree_local
}
