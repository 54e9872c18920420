//! Reductions: symmetry over replicas, and sleep sets for independent steps.
//!
//! **Symmetry.** When replicas are interchangeable up to renaming, a global state and its
//! renamings have the same futures up to renaming, so only one of them needs exploring. The
//! explorer cannot rename the ids inside a user's state, so it keeps, for every state, its
//! images under each permutation of the replicas, built by performing the renamed steps on the
//! renamed images (`A` does `x` becomes `B` does `x`); the canonical fingerprint is the least
//! fingerprint of the images. This is sound only when the model treats replicas alike: a model
//! that breaks ties by replica id (the larger id wins), or whose initial replicas differ, is
//! **not** symmetric, and reducing it may hide a counterexample that exists for one naming
//! only. Symmetry is therefore opt-in ([`Explorer::symmetric`](super::Explorer::symmetric)). It
//! costs `R!` transitions per explored transition and pays off where many states are renamings
//! of each other.
//!
//! **Sleep sets** (Godefroid, 1996). When two steps at different replicas are independent
//! (they commute and neither disables the other, see the explorer's `footprint`), exploring
//! `t` after `u` is useless once `u` after `t` has been explored: each state carries the set of
//! moves already covered by a sibling, and skips them. Sleep sets alone never lose a reachable
//! state (every state is still visited, at the same depth, since commuted paths have the same
//! length); they save the transitions that would only re-reach known states. Where a state is
//! reached several times in one breadth-first level, its sleep set is the intersection of the
//! arrivals' (a move is skipped only if every arrival has it covered); where arrivals are
//! renamings of each other rather than the same state, the sleep set is emptied (the labels
//! would need renaming).
//!
//! **Depth pruning** (with fast checks). Sends and duplicates only add messages; a
//! counterexample that never touches one of them is still one without the step that made it.
//! A state holding more such messages than steps are left lies on no shortest counterexample
//! within the bound: it is checked on arrival but not kept nor expanded, and its move is not
//! remembered as explored for the sleep sets of its siblings (no sibling sleeps on a subtree
//! that is not explored). The properties broken within the bound, their least depths and a
//! shortest counterexample are preserved (see the explorer's documentation).

use super::state::{Label, Sleep};

/// Every permutation of `0..n`, the identity first, in lexicographic order.
pub(crate) fn permutations(n: usize) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut current: Vec<u8> = (0..n as u8).collect();
    loop {
        out.push(current.clone());
        // Next lexicographic permutation.
        let Some(i) = (1..n).rev().find(|&i| current[i - 1] < current[i]) else {
            return out;
        };
        let j = (i..n)
            .rev()
            .find(|&j| current[j] > current[i - 1])
            .expect("a larger element exists");
        current.swap(i - 1, j);
        current[i..].reverse();
    }
}

/// The intersection of two sleep sets.
pub(crate) fn intersect(a: &[Label], b: &[Label]) -> Sleep {
    // Pushed one by one: `collect` into a `SmallVec` goes through its slower `extend`.
    let mut both = Sleep::new();
    for l in a {
        if b.contains(l) {
            both.push(*l);
        }
    }
    both
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersection_keeps_the_order_of_the_first() {
        let u = |r| Label::Update { r, op: 0 };
        let s = |from, to| Label::Send { from, to };
        let both = intersect(&[u(0), s(0, 1), u(2), s(1, 2)], &[s(1, 2), u(2), u(1)]);
        assert_eq!(&both[..], &[u(2), s(1, 2)]);
        assert!(intersect(&[u(0)], &[]).is_empty());
    }

    #[test]
    fn permutations_of_three() {
        let p = permutations(3);
        assert_eq!(p.len(), 6);
        assert_eq!(p[0], vec![0, 1, 2]);
        assert_eq!(p[5], vec![2, 1, 0]);
        let mut sorted = p.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 6);
    }
}
