//! A driver for profilers: merges the inputs of `merge-<type>-<overlap>` at one size, many
//! times, as the criterion bench does (the left side cloned before each merge, the result
//! dropped after), and prints the minor page faults taken inside the merges alone (read from
//! `/proc/self/stat` around each merge; 0 where that file does not exist).
//!
//! ```text
//! cargo run --release -p crdt-benches --example merge_profile -- orset disjoint 1000000 20
//! perf stat -e page-faults,instructions target/release/examples/merge_profile gset disjoint 1000000 20
//! ```
//!
//! `floor` merges the floor's vectors (`vec_union`) instead; `setup` only builds and clones the
//! inputs of the OR-Set, so that `perf stat` of the merges alone is the difference of two runs.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crdt_benches::inputs::{Overlap, gset_pair, orset_pair, vec_pair, vec_union};

/// The minor page faults of this process so far (field 10 of `/proc/self/stat`).
fn minor_faults() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The command name, field 2, is in parentheses and may hold spaces.
            let rest = &stat[stat.rfind(')')? + 2..];
            rest.split(' ').nth(7)?.parse().ok()
        })
        .unwrap_or(0)
}

/// Runs `merge` on a fresh copy of `left` `rounds` times; returns the time and the faults
/// inside the merges. What `merge` returns is dropped after the timing, with the copy.
fn rounds<T: Clone, R>(
    left: &T,
    right: &T,
    rounds: u32,
    merge: impl Fn(&mut T, &T) -> R,
) -> (Duration, u64) {
    let (mut time, mut faults) = (Duration::ZERO, 0);
    for _ in 0..rounds {
        let mut state = left.clone();
        let (start, before) = (Instant::now(), minor_faults());
        let out = merge(&mut state, black_box(right));
        faults += minor_faults() - before;
        time += start.elapsed();
        drop(black_box((state, out)));
    }
    (time, faults)
}

/// Prints `message` and exits with status 2: bad arguments.
fn usage(message: &str) -> ! {
    eprintln!("merge_profile: {message}");
    std::process::exit(2)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, overlap, n, count] = &args[..] else {
        usage("usage: merge_profile <gset|orset|floor|setup> <disjoint|overlap50> <n> <rounds>");
    };
    let overlap = match overlap.as_str() {
        "disjoint" => Overlap::Disjoint,
        "overlap50" => Overlap::Half,
        other => usage(&format!("unknown overlap {other:?}: disjoint or overlap50")),
    };
    let n: usize = n
        .parse()
        .unwrap_or_else(|_| usage(&format!("<n>: not a size: {n:?}")));
    let count: u32 = match count.parse() {
        Ok(c) if c > 0 => c,
        _ => usage(&format!("<rounds>: not a positive count: {count:?}")),
    };
    let (time, faults) = match kind.as_str() {
        "gset" => {
            let (l, r) = gset_pair(n, overlap);
            rounds(&l, &r, count, |a, b| a.merge(b))
        }
        "orset" => {
            let (l, r) = orset_pair(n, overlap);
            rounds(&l, &r, count, |a, b| a.merge(b))
        }
        "setup" => {
            let (l, r) = orset_pair(n, overlap);
            rounds(&l, &r, count, |_, _| {})
        }
        "floor" => {
            let (l, r) = vec_pair(n, overlap);
            rounds(&l, &r, count, |a, b| vec_union(a, b))
        }
        other => usage(&format!(
            "unknown kind {other:?}: gset, orset, floor or setup"
        )),
    };
    println!(
        "{kind} {} n={n}: {:?} per merge, {} minor faults per merge",
        overlap.name(),
        time / count,
        faults / u64::from(count)
    );
}
