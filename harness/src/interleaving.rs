//! Non-interleaving as Weidner and Kleppmann define it ("The Art of the Fugue", arXiv
//! 2305.00583): forward (Definition 2), backward with the Lemma 5 exception, and the tie rule
//! of maximal non-interleaving (Definition 4), judged on one replica's list from the left and
//! right origins recorded when each element was inserted.
//!
//! These are pure functions of a list and its elements' origins, so the paper's scenarios can
//! be checked directly; the simulator calls [`check`] on every replica it may judge (one that
//! has seen no deletion: the paper's origins count tombstones, which a black-box check cannot
//! see).
//!
//! ```
//! use std::collections::HashMap;
//! use crdt_harness::interleaving::{check, Broken, Origins};
//! use crdt_laws::{Dot, NonInterleaving, ReplicaId};
//!
//! // The paper's Prop. C.4 (Yjs): C inserts c; A receives it and inserts a at index 0; B,
//! // concurrently, inserts b into its empty list. Yjs shows "abc".
//! let dot = |r, s| Dot::new(ReplicaId::new(r), s);
//! let (a, b, c) = (dot(0, 1), dot(1, 1), dot(2, 1));
//! let origins = HashMap::from([
//!     (c, Origins { left: None, right: None }),
//!     (a, Origins { left: None, right: Some(c) }),
//!     (b, Origins { left: None, right: None }),
//! ]);
//! let yjs = check(&[a, b, c], &origins, NonInterleaving::Backward);
//! assert!(matches!(yjs, Some(Broken::Backward { run: true, .. })));
//! // Fugue shows "bac": a stays next to c.
//! assert_eq!(check(&[b, a, c], &origins, NonInterleaving::Maximal), None);
//! ```

use std::collections::HashMap;
use std::fmt::{self, Display};

use crdt_laws::{Dot, NonInterleaving};

/// Where an element was inserted: the visible elements just before and just after its
/// insertion position at its origin, `None` for the start and the end of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origins {
    /// The left origin (`None`: the start).
    pub left: Option<Dot>,
    /// The right origin (`None`: the end).
    pub right: Option<Dot>,
}

/// A broken non-interleaving property, with the elements that show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Broken {
    /// Definition 2: `b` is the first element whose left origin is `a`, yet `between` lies
    /// between them.
    Forward {
        /// The left origin (`None`: the start).
        a: Option<Dot>,
        /// Its first left-origin child.
        b: Dot,
        /// An element between them.
        between: Dot,
    },
    /// Definition 4 (2): `a` is the last element whose right origin is `b`, yet `between` lies
    /// between them, and Lemma 5 does not excuse it.
    Backward {
        /// The element inserted just before `b`.
        a: Dot,
        /// Its right origin (`None`: the end).
        b: Option<Dot>,
        /// An element between them.
        between: Dot,
        /// True when `a` and `b` have the same left origin: a run typed backwards at one place
        /// (by one replica, or by several in turn), which every backward non-interleaving
        /// algorithm keeps together. False for other pairs, which only maximal
        /// non-interleaving (FugueMax) keeps together where Lemma 5 allows.
        run: bool,
    },
    /// Definition 4 (3): `first` and `second` share both origins, and `first` has the larger id
    /// but comes first.
    Ties {
        /// The element shown first.
        first: Dot,
        /// The element shown second, with the smaller id.
        second: Dot,
    },
}

impl Broken {
    /// The promise this breaks.
    #[must_use]
    pub fn level(&self) -> NonInterleaving {
        match self {
            Broken::Forward { .. } => NonInterleaving::Forward,
            Broken::Backward { run: true, .. } => NonInterleaving::Backward,
            Broken::Backward { run: false, .. } => NonInterleaving::Maximal,
            Broken::Ties { .. } => NonInterleaving::Maximal,
        }
    }
}

fn end(d: Option<Dot>, name: &str) -> String {
    d.map_or(name.to_string(), |d| d.to_string())
}

impl Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Broken::Forward { a, b, between } => write!(
                f,
                "forward interleaving: {b} was inserted just after {} and comes before every \
                 other element inserted there, but {between} lies between them (a run typed \
                 forwards from {} was split)",
                end(*a, "the start"),
                end(*a, "the start"),
            ),
            Broken::Backward { a, b, between, run } => write!(
                f,
                "backward interleaving: {a} was inserted just before {} and comes after every \
                 other element inserted there, but {between} lies between them ({})",
                end(*b, "the end"),
                if *run {
                    "a run typed backwards was split"
                } else {
                    "their left origins differ, and Lemma 5 does not excuse it"
                },
            ),
            Broken::Ties { first, second } => write!(
                f,
                "tie order: {first} and {second} were inserted between the same two elements, \
                 and {second} has the smaller id but comes after {first}"
            ),
        }
    }
}

/// Checks `list` (element ids in list order) against `promise`, with each element's
/// `origins`. Elements with no recorded origins are not judged, and the Lemma 5 exception is
/// granted whenever it cannot be ruled out, so the check never blames an algorithm for what it
/// cannot see. Returns the first broken property, forward first.
#[must_use]
pub fn check(
    list: &[Dot],
    origins: &HashMap<Dot, Origins>,
    promise: NonInterleaving,
) -> Option<Broken> {
    if promise == NonInterleaving::None {
        return None;
    }
    let position: HashMap<Dot, usize> = list.iter().enumerate().map(|(k, &d)| (d, k)).collect();
    // Positions with the start at 0, the list at 1..=n and the end at n + 1.
    let at = |d: Option<Dot>, missing: usize| {
        d.map_or(Some(missing), |d| position.get(&d).map(|p| p + 1))
    };
    let known: Vec<(usize, Dot, Origins)> = list
        .iter()
        .enumerate()
        .filter_map(|(k, d)| origins.get(d).map(|o| (k + 1, *d, *o)))
        .collect();
    let maximal = promise.includes(NonInterleaving::Maximal);
    forward(list, &known, &at)
        .or_else(|| {
            promise
                .includes(NonInterleaving::Backward)
                .then(|| backward(list, origins, &known, &at, maximal))
                .flatten()
        })
        .or_else(|| {
            promise
                .includes(NonInterleaving::Maximal)
                .then(|| ties(&known))
                .flatten()
        })
}

type At<'a> = dyn Fn(Option<Dot>, usize) -> Option<usize> + 'a;

fn forward(list: &[Dot], known: &[(usize, Dot, Origins)], at: &At<'_>) -> Option<Broken> {
    // For each left origin, its first child in list order.
    let mut first: HashMap<Option<Dot>, (usize, Dot)> = HashMap::new();
    for &(p, d, o) in known {
        first.entry(o.left).or_insert((p, d));
    }
    let mut broken: Vec<(usize, Broken)> = first
        .into_iter()
        .filter_map(|(a, (pb, b))| {
            let pa = at(a, 0)?;
            (pb != pa + 1 && pb > pa).then(|| {
                let between = list[pa];
                (pb, Broken::Forward { a, b, between })
            })
        })
        .collect();
    broken.sort_by_key(|(p, _)| *p);
    broken.into_iter().next().map(|(_, b)| b)
}

fn backward(
    list: &[Dot],
    origins: &HashMap<Dot, Origins>,
    known: &[(usize, Dot, Origins)],
    at: &At<'_>,
    maximal: bool,
) -> Option<Broken> {
    let n = list.len();
    // For each right origin, its last child in list order.
    let mut last: HashMap<Option<Dot>, (usize, Dot, Origins)> = HashMap::new();
    for &(p, d, o) in known {
        last.insert(o.right, (p, d, o));
    }
    let mut broken: Vec<(usize, Broken)> = last
        .into_iter()
        .filter_map(|(b, (pa, a, oa))| {
            let pb = at(b, n + 1)?;
            if pa + 1 == pb || pa > pb {
                return None;
            }
            // A run typed backwards at one place: A and B share their left origin.
            let run = b.is_some_and(|b| origins.get(&b).is_some_and(|ob| ob.left == oa.left));
            if !run && (!maximal || lemma_5_excuses(list, origins, oa.left, pb, at)) {
                return None;
            }
            let between = list[pa];
            Some((pa, Broken::Backward { a, b, between, run }))
        })
        .collect();
    broken.sort_by_key(|(p, _)| *p);
    broken.into_iter().next().map(|(_, b)| b)
}

/// Lemma 5, for A (left origin `la`) and B (at position `pb`) with different left origins: some
/// C between `la` and B is not a descendant of `la` in the left-origin tree, so C must lie
/// between A and B. When that cannot be decided (an origin not recorded), the exception is
/// granted.
fn lemma_5_excuses(
    list: &[Dot],
    origins: &HashMap<Dot, Origins>,
    la: Option<Dot>,
    pb: usize,
    at: &At<'_>,
) -> bool {
    let Some(pl) = at(la, 0) else {
        return true;
    };
    let Some(la) = la else {
        // Every element descends from the start.
        return false;
    };
    list[pl..pb.saturating_sub(1)].iter().any(|&c| {
        let mut walk = Some(c);
        for _ in 0..=origins.len() {
            let Some(x) = walk else {
                // Reached the start without meeting `la`.
                return true;
            };
            if x == la {
                return false;
            }
            match origins.get(&x) {
                Some(o) => walk = o.left,
                None => return true,
            }
        }
        true
    })
}

fn ties(known: &[(usize, Dot, Origins)]) -> Option<Broken> {
    let mut by_origins: HashMap<(Option<Dot>, Option<Dot>), Vec<Dot>> = HashMap::new();
    for &(_, d, o) in known {
        by_origins.entry((o.left, o.right)).or_default().push(d);
    }
    let mut broken: Vec<Broken> = by_origins
        .into_values()
        .filter_map(|group| {
            group
                .windows(2)
                .find(|w| w[0] > w[1])
                .map(|w| Broken::Ties {
                    first: w[0],
                    second: w[1],
                })
        })
        .collect();
    broken.sort_by_key(|b| match b {
        Broken::Ties { first, .. } => *first,
        _ => unreachable!("only ties are collected here"),
    });
    broken.into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crdt_laws::ReplicaId;

    fn dot(r: u32, s: u64) -> Dot {
        Dot::new(ReplicaId::new(r), s)
    }

    fn o(left: Option<Dot>, right: Option<Dot>) -> Origins {
        Origins { left, right }
    }

    #[test]
    fn rga_backward_runs_interleave() {
        // A types "ab" backwards (b, then a before it); B types "xy" the same way, all at
        // the start of an empty list. RGA orders siblings newest first: a b y x or similar
        // interleavings; here "a y b x": a's right origin is b, but y lies between.
        let (b, a, x, y) = (dot(0, 1), dot(0, 2), dot(1, 1), dot(1, 2));
        let origins = HashMap::from([
            (b, o(None, None)),
            (a, o(None, Some(b))),
            (x, o(None, None)),
            (y, o(None, Some(x))),
        ]);
        let broken = check(&[a, y, b, x], &origins, NonInterleaving::Backward).unwrap();
        assert_eq!(
            broken,
            Broken::Backward {
                a,
                b: Some(b),
                between: y,
                run: true,
            }
        );
        assert_eq!(broken.level(), NonInterleaving::Backward);
        // Forward non-interleaving alone is not broken: no element has a left origin.
        assert_eq!(
            check(&[a, y, b, x], &origins, NonInterleaving::Forward),
            None
        );
        // Runs kept together pass.
        assert_eq!(
            check(&[a, b, y, x], &origins, NonInterleaving::Maximal),
            None
        );
    }

    #[test]
    fn forward_runs_split_are_caught() {
        // A types "ab" after s, B types "xy" after s; "s a x b y" splits both runs.
        let s = dot(2, 1);
        let (a, b, x, y) = (dot(0, 1), dot(0, 2), dot(1, 1), dot(1, 2));
        let origins = HashMap::from([
            (s, o(None, None)),
            (a, o(Some(s), None)),
            (b, o(Some(a), None)),
            (x, o(Some(s), None)),
            (y, o(Some(x), None)),
        ]);
        let broken = check(&[s, a, x, b, y], &origins, NonInterleaving::Forward).unwrap();
        assert_eq!(
            broken,
            Broken::Forward {
                a: Some(a),
                b,
                between: x
            }
        );
        assert_eq!(
            check(&[s, a, b, x, y], &origins, NonInterleaving::Maximal),
            None
        );
    }

    #[test]
    fn fugue_paper_figure_7_breaks_maximal_for_fugue_not_fuguemax() {
        // Figure 7: A, B, C inserted concurrently at the start and shown "A B C"; a replica
        // knowing A and C inserts X between them, another knowing A and B inserts Y between
        // them. X and Y are right siblings under A. Fugue may order them "A Y X B C": X then
        // lies between Y and its right origin B, and Lemma 5 does not excuse it (everything
        // between is a left-origin descendant of A): Fugue is not maximally non-interleaving.
        // FugueMax orders right siblings by their right origins, reversed: "A X Y B C", where
        // X is kept from C by B, which Lemma 5 excuses (B does not descend from A).
        let (a, b, c) = (dot(0, 1), dot(1, 1), dot(2, 1));
        let (x, y) = (dot(3, 1), dot(4, 1));
        let origins = HashMap::from([
            (a, o(None, None)),
            (b, o(None, None)),
            (c, o(None, None)),
            (x, o(Some(a), Some(c))),
            (y, o(Some(a), Some(b))),
        ]);
        let fugue = [a, y, x, b, c];
        // Y and B have different left origins: no backward run is split.
        assert_eq!(check(&fugue, &origins, NonInterleaving::Backward), None);
        let broken = check(&fugue, &origins, NonInterleaving::Maximal).unwrap();
        let expected = Broken::Backward {
            a: y,
            b: Some(b),
            between: x,
            run: false,
        };
        assert_eq!(broken, expected);
        assert_eq!(broken.level(), NonInterleaving::Maximal);
        let fuguemax = [a, x, y, b, c];
        assert_eq!(check(&fuguemax, &origins, NonInterleaving::Maximal), None);
    }

    #[test]
    fn ties_follow_ids() {
        let (x, y) = (dot(0, 1), dot(1, 1));
        let origins = HashMap::from([(x, o(None, None)), (y, o(None, None))]);
        assert_eq!(check(&[x, y], &origins, NonInterleaving::Maximal), None);
        assert_eq!(
            check(&[y, x], &origins, NonInterleaving::Maximal),
            Some(Broken::Ties {
                first: y,
                second: x
            })
        );
        // Below maximal, ties are free.
        assert_eq!(check(&[y, x], &origins, NonInterleaving::Backward), None);
    }

    #[test]
    fn unknown_origins_are_not_judged() {
        let (x, y) = (dot(0, 1), dot(1, 1));
        let origins = HashMap::from([(x, o(None, Some(y)))]);
        // y's origins are unknown; x must still sit just before y.
        assert!(check(&[x, y], &origins, NonInterleaving::Backward).is_none());
    }
}
