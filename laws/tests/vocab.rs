//! The reference specifications of `crdt_laws::vocab` used as a third-party user would: a small
//! model of an outside CRDT states its `spec` with one call, the correct CRDT passes the
//! specification law, and a broken one is caught by it.

use std::collections::{BTreeMap, BTreeSet};

use crdt_laws::proptest::prelude::*;
use crdt_laws::testing::assert_caught;
use crdt_laws::vocab::counter::{self, CounterOp};
use crdt_laws::vocab::list::{self, ListOp, TaggedText};
use crdt_laws::vocab::map::{self, MapOp};
use crdt_laws::vocab::register::{self, RegisterOp};
use crdt_laws::vocab::set::{self, SetOp};
use crdt_laws::{Config, Dot, History, Law, Model, ReplicaId, StateCrdt, check_state};

fn spec_only(seed: u64) -> Config {
    Config::default()
        .with_seed(seed)
        .only([Law::ValueMatchesSpec])
}

/// The model passes the specification law.
macro_rules! passes {
    ($model:expr) => {{
        let report = check_state(&$model, &spec_only(1));
        assert!(report.all_passed(), "{report}");
    }};
}

/// The specification law catches the model.
macro_rules! caught {
    ($model:expr) => {
        assert_caught(&check_state(&$model, &spec_only(1)), Law::ValueMatchesSpec)
    };
}

/// A PN-counter: per replica, (increments, decrements); the broken merge forgets the other
/// replica's decrements.
struct PnCounter {
    merge_decrements: bool,
}

type Slots = BTreeMap<ReplicaId, (u64, u64)>;

impl Model for PnCounter {
    type State = Slots;
    type Op = CounterOp;
    type Value = i128;
    fn new_replica(&self, _: ReplicaId) -> Slots {
        Slots::new()
    }
    fn value(&self, s: &Slots) -> i128 {
        s.values()
            .map(|&(p, n)| i128::from(p) - i128::from(n))
            .sum()
    }
    fn ops(&self) -> BoxedStrategy<CounterOp> {
        CounterOp::strategy(5, 1)
    }
    fn spec(&self, history: &History<CounterOp>) -> Option<i128> {
        Some(counter::sum(history))
    }
}

impl StateCrdt for PnCounter {
    fn apply(&self, s: &mut Slots, r: ReplicaId, op: &CounterOp) {
        let slot = s.entry(r).or_default();
        match *op {
            CounterOp::Increment(n) => slot.0 += u64::from(n),
            CounterOp::Decrement(n) => slot.1 += u64::from(n),
        }
    }
    fn merge(&self, into: &mut Slots, from: &Slots) {
        for (r, &(p, n)) in from {
            let slot = into.entry(*r).or_default();
            slot.0 = slot.0.max(p);
            if self.merge_decrements {
                slot.1 = slot.1.max(n);
            }
        }
    }
}

#[test]
fn counter_sum_passes_a_pn_counter_and_catches_lost_decrements() {
    passes!(PnCounter {
        merge_decrements: true,
    });
    caught!(PnCounter {
        merge_decrements: false,
    });
}

/// A tombstone OR-Set (tagged adds, removed tags), and, when `two_phase`, a two-phase set
/// instead: a remove tombstones the element itself, so it also removes adds it never saw.
struct Set {
    two_phase: bool,
    remove_wins: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Tagged {
    adds: BTreeSet<(u8, ReplicaId, usize)>,
    removed: BTreeSet<(ReplicaId, usize)>,
    gone: BTreeSet<u8>,
}

impl Model for Set {
    type State = Tagged;
    type Op = SetOp<u8>;
    type Value = BTreeSet<u8>;
    fn new_replica(&self, _: ReplicaId) -> Tagged {
        Tagged::default()
    }
    fn value(&self, s: &Tagged) -> BTreeSet<u8> {
        s.adds
            .iter()
            .filter(|(x, r, n)| !s.removed.contains(&(*r, *n)) && !s.gone.contains(x))
            .map(|a| a.0)
            .collect()
    }
    fn ops(&self) -> BoxedStrategy<SetOp<u8>> {
        SetOp::strategy(4, 2)
    }
    fn spec(&self, history: &History<SetOp<u8>>) -> Option<BTreeSet<u8>> {
        Some(if self.remove_wins {
            set::remove_wins(history)
        } else {
            set::add_wins(history)
        })
    }
}

impl StateCrdt for Set {
    fn apply(&self, s: &mut Tagged, r: ReplicaId, op: &SetOp<u8>) {
        match *op {
            SetOp::Add(x) => {
                let n = s.adds.iter().filter(|a| a.1 == r).count();
                s.adds.insert((x, r, n));
            }
            SetOp::Remove(x) if self.two_phase => {
                s.gone.insert(x);
            }
            SetOp::Remove(x) => {
                let tags: Vec<_> = s
                    .adds
                    .iter()
                    .filter(|a| a.0 == x)
                    .map(|a| (a.1, a.2))
                    .collect();
                s.removed.extend(tags);
            }
        }
    }
    fn merge(&self, into: &mut Tagged, from: &Tagged) {
        into.adds.extend(from.adds.iter().copied());
        into.removed.extend(from.removed.iter().copied());
        into.gone.extend(from.gone.iter().copied());
    }
}

#[test]
fn add_wins_passes_an_or_set_and_catches_a_two_phase_set() {
    passes!(Set {
        two_phase: false,
        remove_wins: false,
    });
    caught!(Set {
        two_phase: true,
        remove_wins: false,
    });
}

#[test]
fn remove_wins_catches_an_add_wins_set() {
    caught!(Set {
        two_phase: false,
        remove_wins: true,
    });
}

/// A Lamport-stamped register; the broken one breaks ties between equal times by value instead
/// of by writer.
struct Lww {
    ties_by_value: bool,
}

type Stamped = Option<(u64, ReplicaId, u8)>;

impl Model for Lww {
    type State = Stamped;
    type Op = RegisterOp<u8>;
    type Value = Option<u8>;
    fn new_replica(&self, _: ReplicaId) -> Stamped {
        None
    }
    fn value(&self, s: &Stamped) -> Option<u8> {
        s.map(|(_, _, v)| v)
    }
    fn ops(&self) -> BoxedStrategy<RegisterOp<u8>> {
        RegisterOp::strategy(4)
    }
    fn spec(&self, history: &History<RegisterOp<u8>>) -> Option<Option<u8>> {
        Some(register::last_writer_wins(history))
    }
}

impl StateCrdt for Lww {
    fn apply(&self, s: &mut Stamped, r: ReplicaId, op: &RegisterOp<u8>) {
        let time = s.map_or(0, |(t, _, _)| t) + 1;
        *s = Some((time, r, *op.written()));
    }
    fn merge(&self, into: &mut Stamped, from: &Stamped) {
        let key = |s: &Stamped| {
            s.map(|(t, r, v)| {
                if self.ties_by_value {
                    (t, u32::from(v), r.0)
                } else {
                    (t, r.0, u32::from(v))
                }
            })
        };
        if key(from) > key(into) {
            *into = *from;
        }
    }
}

#[test]
fn last_writer_wins_passes_a_stamped_register_and_catches_ties_broken_by_value() {
    passes!(Lww {
        ties_by_value: false,
    });
    caught!(Lww {
        ties_by_value: true,
    });
}

/// A map from keys to grow-only counters; the broken merge replaces a key's counter with the
/// other replica's instead of joining them.
struct Counters {
    join_values: bool,
}

type PerKey = BTreeMap<u8, BTreeMap<ReplicaId, u64>>;

impl Model for Counters {
    type State = PerKey;
    type Op = MapOp<u8, CounterOp>;
    type Value = BTreeMap<u8, u128>;
    fn new_replica(&self, _: ReplicaId) -> PerKey {
        PerKey::new()
    }
    fn value(&self, s: &PerKey) -> BTreeMap<u8, u128> {
        s.iter()
            .map(|(k, c)| (*k, c.values().map(|&n| u128::from(n)).sum()))
            .collect()
    }
    fn ops(&self) -> BoxedStrategy<Self::Op> {
        MapOp::strategy(3, CounterOp::strategy(5, 0))
    }
    fn spec(&self, history: &History<Self::Op>) -> Option<Self::Value> {
        map::map(history, |at_key| Some(counter::grow_only_sum(at_key)))
    }
}

impl StateCrdt for Counters {
    fn apply(&self, s: &mut PerKey, r: ReplicaId, op: &Self::Op) {
        let MapOp::Update(key, CounterOp::Increment(n)) = *op else {
            return;
        };
        *s.entry(key).or_default().entry(r).or_default() += u64::from(n);
    }
    fn merge(&self, into: &mut PerKey, from: &PerKey) {
        for (key, counter) in from {
            let mine = into.entry(*key).or_default();
            if !self.join_values {
                mine.clone_from(counter);
                continue;
            }
            for (r, &n) in counter {
                let slot = mine.entry(*r).or_default();
                *slot = (*slot).max(n);
            }
        }
    }
}

#[test]
fn map_passes_a_map_of_counters_and_catches_a_merge_that_overwrites_keys() {
    passes!(Counters { join_values: true });
    caught!(Counters { join_values: false });
}

/// A text replicated as the set of its edits (each a tagged insert or a delete, with what its
/// origin had seen), shown by replaying them on a Fugue tree; the broken merge drops the other
/// replica's deletes. With `tags_only`, an insert writes its tag alone, not the value, and the
/// value is the text of tags.
struct Text {
    merge_deletes: bool,
    tags_only: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Edits(BTreeMap<Dot, (Vec<Dot>, ListOp<String>)>);

impl Edits {
    fn text(&self) -> String {
        // Dependencies are transitive: an event depends on fewer events than any later one.
        let mut events: Vec<_> = self.0.iter().collect();
        events.sort_by_key(|(_, (deps, _))| deps.len());
        let mut history = History::new();
        for (dot, (deps, op)) in events {
            history.push(*dot, op.clone(), deps.clone());
        }
        list::fugue(&history).concat()
    }
}

impl Model for Text {
    type State = Edits;
    type Op = ListOp<char>;
    type Value = String;
    fn new_replica(&self, _: ReplicaId) -> Edits {
        Edits::default()
    }
    fn value(&self, s: &Edits) -> String {
        if self.tags_only {
            return s.text();
        }
        TaggedText::pairs(&s.text())
            .expect("every element is a (value, tag) pair")
            .value()
            .to_owned()
    }
    fn element_ids(&self, s: &Edits) -> Option<Vec<Dot>> {
        Some(TaggedText::split(&s.text()).ids().to_vec())
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        ListOp::strategy(4, 2)
    }
    fn spec(&self, history: &History<ListOp<char>>) -> Option<String> {
        if self.tags_only {
            let ids = list::tree(history, list::RightSiblings::ById).ids();
            return Some(ids.into_iter().map(list::tag_char).collect());
        }
        Some(list::fugue(history).into_iter().collect())
    }
}

impl StateCrdt for Text {
    fn apply(&self, s: &mut Edits, r: ReplicaId, op: &ListOp<char>) {
        let seq = s.0.keys().filter(|d| d.replica == r).count() as u64 + 1;
        let dot = Dot::new(r, seq);
        let op = match *op {
            ListOp::Insert { at, .. } if self.tags_only => ListOp::Insert {
                at,
                value: list::tag_char(dot).to_string(),
            },
            ListOp::Insert { at, value } => ListOp::Insert {
                at,
                value: list::tagged(value, dot),
            },
            ListOp::Delete { at } => ListOp::Delete { at },
        };
        let deps = s.0.keys().copied().collect();
        s.0.insert(dot, (deps, op));
    }
    fn merge(&self, into: &mut Edits, from: &Edits) {
        for (dot, edit) in &from.0 {
            if self.merge_deletes || matches!(edit.1, ListOp::Insert { .. }) {
                into.0.insert(*dot, edit.clone());
            }
        }
    }
}

#[test]
fn fugue_passes_a_text_tagged_with_dots_and_catches_lost_deletes() {
    for tags_only in [false, true] {
        passes!(Text {
            merge_deletes: true,
            tags_only,
        });
        caught!(Text {
            merge_deletes: false,
            tags_only,
        });
    }
}

/// The element ids read back from the tags are the dots of the inserting updates, in the order
/// the Fugue specification gives.
#[test]
fn tags_read_back_as_the_specification_s_element_ids() {
    let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    let model = Text {
        merge_deletes: true,
        tags_only: false,
    };
    let (mut x, mut y) = (model.new_replica(a), model.new_replica(b));
    model.apply(&mut x, a, &ListOp::Insert { at: 0, value: 'h' });
    model.apply(&mut x, a, &ListOp::Insert { at: 1, value: 'i' });
    model.apply(&mut y, b, &ListOp::Insert { at: 0, value: '!' });
    model.merge(&mut x, &y);
    model.apply(&mut x, a, &ListOp::Delete { at: 0 });
    let ids = model.element_ids(&x).unwrap();
    let mut events: Vec<_> = x.0.iter().collect();
    events.sort_by_key(|(_, (deps, _))| deps.len());
    let mut history = History::new();
    for (dot, (deps, op)) in events {
        let op = match op {
            ListOp::Insert { at, value } => ListOp::Insert {
                at: *at,
                value: value.chars().next().unwrap(),
            },
            ListOp::Delete { at } => ListOp::Delete { at: *at },
        };
        history.push(*dot, op, deps.clone());
    }
    let tree = list::tree(&history, list::RightSiblings::ById);
    assert_eq!(ids, tree.ids());
    assert_eq!(
        model.value(&x),
        tree.values().into_iter().collect::<String>()
    );
    assert_eq!(ids.len(), 2);
}
