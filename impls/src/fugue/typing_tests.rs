//! The typing fast path ([`List::insert_many`] right after the last local insertion) against
//! the general path ([`List::insert_many_placed`]) and against full integration: the same
//! messages, the same representation (tree, index layout, cursor), the same state and encoding.

use crdt_laws::ReplicaId;
use proptest::prelude::*;

use super::*;

/// The pieces of the index in document order, as (first id, length, tombstones): the layout,
/// arena slots aside.
fn layout<T: Clone, O: SiblingOrder, V: Values<Item = T>>(
    list: &List<T, O, V>,
) -> Vec<(Id, u32, bool)> {
    list.index
        .pieces()
        .map(|(_, p)| {
            let id = list.tree.to_id(super::tree::Lid::new(p.agent, p.counter));
            (id, p.len, p.deleted)
        })
        .collect()
}

/// `fast` and `placed` went through the same edits, with and without the typing fast path:
/// their representations must be identical, not only their CRDT states (`assert!`, not
/// `assert_eq!`: the states of whole traces are too long to print).
fn assert_same_representation<T, O, V>(fast: &List<T, O, V>, placed: &List<T, O, V>, when: &str)
where
    T: Clone + PartialEq,
    O: SiblingOrder,
    V: Values<Item = T> + PartialEq,
{
    assert!(fast.tree == placed.tree, "{when}: the trees differ");
    assert!(fast.index == placed.index, "{when}: the indexes differ");
    assert_eq!(fast.cursor, placed.cursor, "{when}: the cursors differ");
}

/// `mirror` integrated the messages of `list`'s local edits (and the same remote ones):
/// the same CRDT state, encoding, values and index layout.
fn assert_same_state<O: SiblingOrder, V: Values<Item = char> + PartialEq>(
    list: &List<char, O, V>,
    mirror: &List<char, O, V>,
    when: &str,
) {
    assert!(list == mirror, "{when}: the states differ");
    assert_eq!(
        serde_json::to_string(list).unwrap(),
        serde_json::to_string(mirror).unwrap(),
        "{when}: the encodings differ"
    );
    assert_eq!(list.value(), mirror.value(), "{when}: the values differ");
    assert_eq!(layout(list), layout(mirror), "{when}: the layouts differ");
}

#[test]
fn typing_and_pasting_extend_one_run_and_one_piece() {
    let mut text = FugueList::<char>::new(ReplicaId::new(0));
    let mut placed = text.clone();
    let mut messages = Vec::new();
    for (at, s) in [(0, "ab"), (2, "c"), (3, "def"), (6, "g")] {
        let message = text.insert_many(at, s.chars());
        assert_eq!(placed.insert_many_placed(at, s.chars()), message);
        assert_same_representation(&text, &placed, s);
        messages.push(message);
    }
    assert_eq!(text.value().into_iter().collect::<String>(), "abcdefg");
    assert_eq!(text.tree.agents[0].runs.len(), 1, "one insertion run");
    assert_eq!(layout(&text).len(), 1, "one piece");
    // Each continuation names the element before it as its parent.
    let Message::Insert(third) = &messages[2] else {
        panic!("an insertion")
    };
    assert_eq!(third.parent, Some(Id::new(ReplicaId::new(0), 2)));
    assert_eq!((third.side, third.right_origin), (Side::Right, None));
    // Typing elsewhere, or after a deletion, is not a continuation.
    let mut mirror = FugueList::<char>::new(ReplicaId::new(0));
    for m in &messages {
        mirror.integrate(m).unwrap();
    }
    assert_same_state(&text, &mirror, "integrated");
    for list in [&mut text, &mut placed] {
        list.insert_many(1, "x".chars());
        list.insert_many(2, "y".chars());
        list.delete(2);
        list.insert_many(2, "z".chars());
    }
    assert_same_representation(&text, &placed, "after edits elsewhere");
    assert_eq!(text.value().into_iter().collect::<String>(), "axzbcdefg");
    assert_eq!(text.tree.agents[0].runs.len(), 3);
}

#[test]
fn typing_before_a_tombstone_keeps_its_right_origin() {
    // "ab", delete "b", then type after "a": a left child of the tombstone, whose run then
    // continues with the tombstone as every element's right origin.
    let mut list = FugueMaxList::<char>::new(ReplicaId::new(0));
    let mut placed = list.clone();
    for l in [&mut list, &mut placed] {
        l.insert_many(0, "ab".chars());
        l.delete(1);
    }
    let mut messages = vec![];
    for (at, c) in [(1, 'x'), (2, 'y'), (3, 'z')] {
        let m = list.insert(at, c);
        assert_eq!(placed.insert_many_placed(at, [c]), m);
        messages.push(m);
    }
    assert_same_representation(&list, &placed, "typed");
    let Message::Insert(last) = &messages[2] else {
        panic!("an insertion")
    };
    assert_eq!(last.right_origin, Some(Id::new(ReplicaId::new(0), 1)));
    assert_eq!(list.tree.agents[0].runs.len(), 2);
}

/// One step of a random execution of a local replica (edited three ways) beside a remote one.
#[derive(Clone, Debug)]
enum Step {
    /// The local replica types `len` letters right after its last inserted element (where it
    /// is now), else at the start.
    Type { len: usize },
    /// The local replica inserts `len` letters at `at` (modulo the length).
    Insert { at: usize, len: usize },
    /// The local replica deletes up to `len` elements from `at` (modulo the length).
    Delete { at: usize, len: usize },
    /// The remote replica inserts (or deletes) at `at`.
    Remote { at: usize, len: usize, delete: bool },
    /// The local replicas integrate the remote replica's next `k` messages.
    Deliver { k: usize },
    /// The remote replica integrates every local message so far.
    Sync,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (1usize..4).prop_map(|len| Step::Type { len }),
        2 => (any::<usize>(), 1usize..4).prop_map(|(at, len)| Step::Insert { at, len }),
        2 => (any::<usize>(), 1usize..3).prop_map(|(at, len)| Step::Delete { at, len }),
        3 => (any::<usize>(), 1usize..3, any::<bool>())
            .prop_map(|(at, len, delete)| Step::Remote { at, len, delete }),
        2 => (1usize..4).prop_map(|k| Step::Deliver { k }),
        1 => Just(Step::Sync),
    ]
}

/// The local replica three ways (`fast`: `insert_many`; `placed`: never the fast path;
/// `mirror`: integrates `fast`'s messages), and a remote replica that edits concurrently.
struct Execution<O, V> {
    fast: List<char, O, V>,
    placed: List<char, O, V>,
    mirror: List<char, O, V>,
    remote: List<char, O, V>,
    /// The remote replica's messages, and how many of them the local replicas integrated.
    from_remote: Vec<Message<char>>,
    delivered: usize,
    /// The local replica's messages, and how many of them the remote replica integrated.
    from_local: Vec<Message<char>>,
    synced: usize,
    /// The local replica's last inserted element.
    last: Option<Id>,
    letter: u32,
}

impl<O: SiblingOrder, V: Values<Item = char> + PartialEq + Clone> Execution<O, V> {
    fn new() -> Self {
        let local = List::new(ReplicaId::new(1));
        Self {
            fast: local.clone(),
            placed: local.clone(),
            mirror: local,
            remote: List::new(ReplicaId::new(0)),
            from_remote: Vec::new(),
            delivered: 0,
            from_local: Vec::new(),
            synced: 0,
            last: None,
            letter: 0,
        }
    }

    /// `len` new letters, one in four non-ASCII.
    fn letters(&mut self, len: usize) -> Vec<char> {
        (0..len)
            .map(|_| {
                self.letter += 1;
                if self.letter.is_multiple_of(4) {
                    char::from_u32(0x3b0 + self.letter % 20).unwrap()
                } else {
                    char::from(b'a' + (self.letter % 26) as u8)
                }
            })
            .collect()
    }

    fn insert_local(&mut self, at: usize, len: usize) {
        let values = self.letters(len);
        let prepared = self.fast.prepare_insert(at, values.iter().copied());
        let message = self.fast.insert_many(at, values.iter().copied());
        assert_eq!(prepared, message, "prepare_insert predicts the fast path");
        let placed = self.placed.insert_many_placed(at, values.iter().copied());
        assert_eq!(
            placed, message,
            "the fast and general paths send the same message"
        );
        self.mirror.integrate(&message).unwrap();
        let Message::Insert(insertion) = &message else {
            panic!("an insertion")
        };
        let first = insertion.id;
        self.last = Some(Id::new(first.replica, first.counter + len as u32 - 1));
        self.from_local.push(message);
    }

    fn apply(&mut self, step: &Step) {
        match *step {
            Step::Type { len } => {
                let at = self
                    .last
                    .and_then(|last| self.fast.ids().position(|id| id == last))
                    .map_or(0, |p| p + 1);
                self.insert_local(at, len);
            }
            Step::Insert { at, len } => {
                let at = at % (self.fast.len() + 1);
                self.insert_local(at, len);
            }
            Step::Delete { at, len } => {
                if self.fast.is_empty() {
                    return;
                }
                let at = at % self.fast.len();
                let len = len.min(self.fast.len() - at);
                let message = self.fast.delete_range(at, len);
                assert_eq!(self.placed.delete_range(at, len), message);
                self.mirror.integrate(&message).unwrap();
                self.from_local.push(message);
            }
            Step::Remote { at, len, delete } => {
                let message = if delete && !self.remote.is_empty() {
                    let at = at % self.remote.len();
                    self.remote
                        .delete_range(at, len.min(self.remote.len() - at))
                } else {
                    let at = at % (self.remote.len() + 1);
                    let values = self.letters(len);
                    self.remote.insert_many(at, values)
                };
                self.from_remote.push(message);
            }
            Step::Deliver { k } => {
                let end = (self.delivered + k).min(self.from_remote.len());
                for message in &self.from_remote[self.delivered..end] {
                    for list in [&mut self.fast, &mut self.placed, &mut self.mirror] {
                        list.integrate(message).unwrap();
                    }
                }
                self.delivered = end;
            }
            Step::Sync => {
                for message in &self.from_local[self.synced..] {
                    self.remote.integrate(message).unwrap();
                }
                self.synced = self.from_local.len();
            }
        }
    }

    fn check(&self, when: &str) {
        self.fast.index.assert_invariants();
        assert_same_representation(&self.fast, &self.placed, when);
        assert_same_state(&self.fast, &self.mirror, when);
    }
}

/// Runs `steps`, checking after each, then delivers everything both ways: all converge.
fn run<O: SiblingOrder, V: Values<Item = char> + PartialEq + Clone>(steps: &[Step]) {
    let mut execution = Execution::<O, V>::new();
    for (i, step) in steps.iter().enumerate() {
        execution.apply(step);
        execution.check(&format!("step {i}: {step:?}"));
    }
    execution.apply(&Step::Deliver { k: usize::MAX / 2 });
    execution.apply(&Step::Sync);
    execution.check("at the end");
    assert!(execution.fast == execution.remote, "convergence");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn typing_fast_path_matches_the_general_path_and_integration(
        steps in proptest::collection::vec(step(), 0..80),
    ) {
        run::<Fugue, Vec<char>>(&steps);
    }

    #[test]
    fn typing_fast_path_matches_on_fugue_max_texts(
        steps in proptest::collection::vec(step(), 0..80),
    ) {
        run::<FugueMax, CompactChars>(&steps);
    }
}

/// Replays the first `patches` patches of every sequential trace three ways (the fast path,
/// the general path, and integrating the first one's messages) and compares representations
/// every 5,000 patches and at the end.
fn replay_three_ways(patches: usize) {
    let Some(dir) = crate::traces::traces_dir() else {
        eprintln!("no traces folder: skipping");
        return;
    };
    for name in crate::traces::SEQUENTIAL {
        let trace = crate::traces::load_sequential(&dir, name).expect("a valid trace");
        type Chars = List<char, Fugue, CompactChars>;
        let mut fast = Chars::new(ReplicaId::new(0));
        let mut placed = fast.clone();
        let mut mirror = fast.clone();
        for (i, patch) in trace.patches().take(patches).enumerate() {
            if patch.delete > 0 {
                let message = fast.delete_range(patch.pos, patch.delete);
                placed.delete_range(patch.pos, patch.delete);
                mirror.integrate(&message).unwrap();
            }
            if !patch.insert.is_empty() {
                let message = fast.insert_many(patch.pos, patch.insert.chars());
                let expected = placed.insert_many_placed(patch.pos, patch.insert.chars());
                assert_eq!(message, expected, "{name}: patch {i}");
                mirror.integrate(&message).unwrap();
            }
            if i % 5_000 == 0 {
                assert_same_representation(&fast, &placed, &format!("{name}: patch {i}"));
            }
        }
        assert_same_representation(&fast, &placed, name);
        assert_same_state(&fast, &mirror, name);
        if patches >= trace.num_patches() {
            assert_eq!(
                fast.value().into_iter().collect::<String>(),
                trace.end_content
            );
        }
    }
}

/// The traces' first 10,000 patches, three ways (a few seconds in debug builds).
#[test]
fn trace_prefixes_replay_the_same_three_ways() {
    replay_three_ways(10_000);
}

/// Whole traces, three ways. Ignored by default (slow in debug builds): run with
/// `cargo test -p crdt-impls --release -- --include-ignored`.
#[test]
#[ignore = "slow in debug builds; run with --release -- --include-ignored"]
fn traces_replay_the_same_three_ways() {
    replay_three_ways(usize::MAX);
}
