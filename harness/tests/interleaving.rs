//! The non-interleaving oracles on whole executions: a Yjs-style (YATA) list, written small
//! here, interleaves backward only with three replicas (Weidner and Kleppmann, "The Art of the
//! Fugue", Prop. C.4); Fugue keeps forward and backward runs together and FugueMax is maximally
//! non-interleaving; and the forward oracle catches a list that splits forward runs.

use crdt_harness::{Faults, Harness, Property, Schedule, Step};
use crdt_impls::fugue::{FugueListModel, FugueMaxListModel, ListOp};
use crdt_laws::{Delivery, Dot, Model, NonInterleaving, OpCrdt, ReplicaId};
use proptest::prelude::*;

/// One element of a YATA list: Yjs's `Item`, reduced to what integration needs.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Item {
    id: Dot,
    /// The item just before it when it was inserted (its left origin).
    origin: Option<Dot>,
    /// The item just after it then, tombstones included (its right origin).
    right: Option<Dot>,
    value: char,
    deleted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum YataMessage {
    Insert(Item),
    Delete(Dot),
}

/// YATA as Yjs integrates it (`Item.integrate`): scan from the left origin towards the right
/// origin; among items with the same left origin, order by client id, stopping at one with the
/// same right origin; skip over the subtrees of items passed.
#[derive(Clone, Copy, Default)]
struct YataModel {
    /// `Forward` is honest; `Backward` is the promise Yjs cannot keep with three replicas.
    promise: NonInterleaving,
}

fn position(list: &[Item], id: Option<Dot>) -> Option<usize> {
    id.and_then(|id| list.iter().position(|item| item.id == id))
}

fn integrate(list: &mut Vec<Item>, item: Item) {
    if list.iter().any(|x| x.id == item.id) {
        return;
    }
    let mut left = position(list, item.origin);
    let right = position(list, item.right).unwrap_or(list.len());
    let mut o = left.map_or(0, |l| l + 1);
    let mut before_origin: Vec<Dot> = Vec::new();
    let mut conflicting: Vec<Dot> = Vec::new();
    while o < right {
        let other = &list[o];
        before_origin.push(other.id);
        conflicting.push(other.id);
        if other.origin == item.origin {
            if other.id.replica < item.id.replica {
                left = Some(o);
                conflicting.clear();
            } else if other.right == item.right {
                break;
            }
        } else if other.origin.is_some_and(|x| before_origin.contains(&x)) {
            if !other.origin.is_some_and(|x| conflicting.contains(&x)) {
                left = Some(o);
                conflicting.clear();
            }
        } else {
            break;
        }
        o += 1;
    }
    list.insert(left.map_or(0, |l| l + 1), item);
}

fn visible(list: &[Item]) -> impl Iterator<Item = &Item> {
    list.iter().filter(|x| !x.deleted)
}

impl Model for YataModel {
    type State = Vec<Item>;
    type Op = ListOp<char>;
    type Value = String;
    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn name(&self) -> String {
        "YataList".into()
    }
    fn new_replica(&self, _: ReplicaId) -> Vec<Item> {
        Vec::new()
    }
    fn value(&self, list: &Vec<Item>) -> String {
        visible(list).map(|x| x.value).collect()
    }
    fn ops(&self) -> BoxedStrategy<ListOp<char>> {
        prop_oneof![
            4 => (any::<u32>(), proptest::char::range('a', 'z'))
                .prop_map(|(at, value)| ListOp::Insert { at, value }),
            1 => any::<u32>().prop_map(|at| ListOp::Delete { at }),
        ]
        .boxed()
    }
    fn element_ids(&self, list: &Vec<Item>) -> Option<Vec<Dot>> {
        Some(visible(list).map(|x| x.id).collect())
    }
    fn non_interleaving(&self) -> NonInterleaving {
        self.promise
    }
}

impl OpCrdt for YataModel {
    type Message = YataMessage;
    fn delivery(&self) -> Delivery {
        Delivery::Causal
    }
    fn local(&self, list: &mut Vec<Item>, dot: Dot, op: &ListOp<char>) -> YataMessage {
        let shown: Vec<usize> = (0..list.len()).filter(|&k| !list[k].deleted).collect();
        match *op {
            ListOp::Insert { at, value } => {
                let at = at as usize % (shown.len() + 1);
                let origin = at.checked_sub(1).map(|k| list[shown[k]].id);
                let after = at.checked_sub(1).map_or(0, |k| shown[k] + 1);
                let right = list.get(after).map(|x| x.id);
                let item = Item {
                    id: dot,
                    origin,
                    right,
                    value,
                    deleted: false,
                };
                integrate(list, item.clone());
                YataMessage::Insert(item)
            }
            ListOp::Delete { at } => {
                if shown.is_empty() {
                    return YataMessage::Delete(dot);
                }
                let k = shown[at as usize % shown.len()];
                list[k].deleted = true;
                YataMessage::Delete(list[k].id)
            }
        }
    }
    fn effect(&self, list: &mut Vec<Item>, message: &YataMessage) {
        match message {
            YataMessage::Insert(item) => integrate(list, item.clone()),
            YataMessage::Delete(id) => {
                if let Some(x) = list.iter_mut().find(|x| x.id == *id) {
                    x.deleted = true;
                }
            }
        }
    }
}

fn insert(replica: u32, at: u32, value: char) -> Step<ListOp<char>> {
    Step::Update {
        replica: ReplicaId::new(replica),
        op: ListOp::Insert { at, value },
    }
}

fn deliver(to: u32) -> Step<ListOp<char>> {
    Step::Deliver {
        to: ReplicaId::new(to),
        pick: 0,
    }
}

/// Prop. C.4: C inserts 'c'; A receives it and inserts 'a' at index 0; B, concurrently,
/// inserts 'b' into its empty list. Yjs shows "abc" (a is kept from its right origin c by b);
/// Fugue shows "bac".
fn prop_c4() -> Schedule<ListOp<char>> {
    Schedule {
        replicas: 3,
        late: vec![],
        steps: vec![
            insert(2, 0, 'c'),
            deliver(0),
            insert(0, 0, 'a'),
            insert(1, 0, 'b'),
        ],
    }
}

#[test]
fn yjs_prop_c4_interleaves_backward_with_three_replicas() {
    let yjs = YataModel {
        promise: NonInterleaving::Backward,
    };
    let outcome = Harness::op(&yjs).faults(Faults::NONE).replay(&prop_c4());
    let finding = outcome.finding.expect("the backward interleaving is found");
    assert_eq!(
        finding.property,
        Property::BackwardInterleaving,
        "{finding}"
    );
    assert!(
        finding.message.contains("a run typed backwards was split"),
        "{finding}"
    );
    // Found as soon as a replica shows "abc" (here B, as the network settles).
    assert!(
        outcome.values.iter().any(|(_, v)| v == "\"abc\""),
        "{:?}",
        outcome.values
    );
    // Forward non-interleaving, which Yjs keeps, is not broken.
    let honest = YataModel {
        promise: NonInterleaving::Forward,
    };
    let outcome = Harness::op(&honest).faults(Faults::NONE).replay(&prop_c4());
    assert!(outcome.finding.is_none(), "{:?}", outcome.finding);
}

#[test]
fn fugue_keeps_the_prop_c4_run_together() {
    let outcome = Harness::op(&FugueMaxListModel::default())
        .faults(Faults::NONE)
        .replay(&prop_c4());
    assert!(outcome.finding.is_none(), "{:?}", outcome.finding);
    assert_eq!(outcome.values[0].1, "\"bac\"");
}

#[test]
fn random_schedules_find_the_yjs_anomaly_and_only_with_three_replicas() {
    let yjs = YataModel {
        promise: NonInterleaving::Backward,
    };
    let two = Harness::op(&yjs).replicas(2).schedules(2_000).seed(5).run();
    assert!(
        two.failures
            .iter()
            .all(|f| f.finding.property != Property::BackwardInterleaving),
        "{two}"
    );
    let three = Harness::op(&yjs)
        .replicas(3)
        .schedules(10_000)
        .seed(5)
        .run();
    let failure = three.failures.first().expect("found with three replicas");
    assert_eq!(
        failure.finding.property,
        Property::BackwardInterleaving,
        "{three}"
    );
    // Converges all the same, and forward runs stay together.
    let honest = YataModel {
        promise: NonInterleaving::Forward,
    };
    Harness::op(&honest)
        .replicas(3)
        .schedules(2_000)
        .seed(5)
        .run()
        .assert_passed();
}

#[test]
fn fugue_and_fuguemax_keep_their_promises() {
    Harness::op(&FugueListModel::default())
        .replicas(4)
        .faults(Faults::ALL)
        .schedules(2_000)
        .seed(6)
        .run()
        .assert_passed();
    Harness::op(&FugueMaxListModel::default())
        .replicas(4)
        .faults(Faults::ALL)
        .schedules(2_000)
        .seed(6)
        .run()
        .assert_passed();
}
