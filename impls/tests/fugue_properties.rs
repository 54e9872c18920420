//! Property tests of the public API: local edits behave like a plain `Vec<char>`, and replicas
//! converge whatever the order in which they integrate messages or merge states.

use crdt_impls::fugue::{Fugue, FugueMax, Message, SiblingOrder, Text};
use crdt_laws::ReplicaId;
use proptest::prelude::*;

/// A local edit: insert `text` at `at`, or delete up to `len` chars from `at` (both modulo the
/// length).
#[derive(Clone, Debug)]
enum Edit {
    Insert { at: usize, text: String },
    Delete { at: usize, len: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<usize>(), "[a-cé€😀\n]{1,5}").prop_map(|(at, text)| Edit::Insert { at, text }),
        1 => (any::<usize>(), 1usize..4).prop_map(|(at, len)| Edit::Delete { at, len }),
    ]
}

/// Applies `edit` to `text` and to `oracle`, and returns the message (if any).
fn apply<O: SiblingOrder>(
    text: &mut Text<O>,
    oracle: &mut Vec<char>,
    edit: &Edit,
) -> Option<Message<char>> {
    match edit {
        Edit::Insert { at, text: s } => {
            let at = at % (oracle.len() + 1);
            oracle.splice(at..at, s.chars());
            Some(text.insert_str(at, s))
        }
        Edit::Delete { .. } if oracle.is_empty() => None,
        Edit::Delete { at, len } => {
            let at = at % oracle.len();
            let len = (*len).min(oracle.len() - at);
            oracle.drain(at..at + len);
            Some(text.delete(at, len))
        }
    }
}

fn matches_vec<O: SiblingOrder>(edits: &[Edit]) -> Result<(), TestCaseError> {
    let mut text = Text::<O>::new(ReplicaId::new(0));
    let mut oracle = Vec::new();
    for edit in edits {
        apply(&mut text, &mut oracle, edit);
        prop_assert_eq!(text.len(), oracle.len());
        prop_assert_eq!(text.to_string(), oracle.iter().collect::<String>());
    }
    let list = text.as_list();
    for (i, c) in oracle.iter().enumerate() {
        prop_assert_eq!(list.get(i), Some(*c));
    }
    prop_assert_eq!(list.get(oracle.len()), None);
    Ok(())
}

/// Replicas edit concurrently from a shared start, then each integrates everybody's messages
/// in its own order (per-sender order kept, which is causal here); finally states are merged
/// in a random order. Everything must converge to equal states.
fn converges<O: SiblingOrder>(
    start: &[Edit],
    edits: &[(usize, Edit)],
    orders: &[Vec<usize>],
    merge_order: &[usize],
) -> Result<(), TestCaseError> {
    let n = orders.len();
    let mut origin = Text::<O>::new(ReplicaId::new(100));
    let mut scratch = Vec::new();
    let shared: Vec<Message<char>> = start
        .iter()
        .filter_map(|e| apply(&mut origin, &mut scratch, e))
        .collect();
    let mut replicas: Vec<Text<O>> = (0..n)
        .map(|i| {
            let mut r = Text::<O>::new(ReplicaId::new(i as u32));
            for m in &shared {
                r.integrate(m).unwrap();
            }
            r
        })
        .collect();
    let mut oracles: Vec<Vec<char>> = vec![origin.chars().collect(); n];
    let mut logs: Vec<Vec<Message<char>>> = vec![Vec::new(); n];
    for (r, e) in edits {
        let r = r % n;
        if let Some(m) = apply(&mut replicas[r], &mut oracles[r], e) {
            logs[r].push(m);
        }
    }
    let before_merge = replicas.clone();
    // Operation-based: replica `i` takes messages from senders in the order `orders[i]`
    // says (a sequence of sender choices), keeping each sender's own order.
    for (i, order) in orders.iter().enumerate() {
        let mut next = vec![0usize; n];
        let mut choices = order
            .iter()
            .map(|s| s % n)
            .chain((0..n).cycle().take(n * 64));
        while (0..n).any(|s| s != i && next[s] < logs[s].len()) {
            let s = choices.next().unwrap_or(0);
            if s == i || next[s] >= logs[s].len() {
                continue;
            }
            replicas[i].integrate(&logs[s][next[s]]).unwrap();
            next[s] += 1;
        }
    }
    for r in &replicas[1..] {
        prop_assert_eq!(r.to_string(), replicas[0].to_string());
        prop_assert!(*r == replicas[0], "equal states");
    }
    // State-based: merging the pre-exchange states in any order gives the same state.
    let mut merged = Text::<O>::new(ReplicaId::new(200));
    for &i in merge_order {
        merged.merge(&before_merge[i % n]);
    }
    for r in &before_merge {
        merged.merge(r);
    }
    prop_assert!(merged == replicas[0], "merge equals integration");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn fugue_text_local_edits_match_a_vec_of_chars(edits in prop::collection::vec(edit(), 0..80)) {
        matches_vec::<Fugue>(&edits)?;
        matches_vec::<FugueMax>(&edits)?;
    }

    #[test]
    fn fugue_replicas_converge_in_any_delivery_or_merge_order(
        start in prop::collection::vec(edit(), 0..8),
        edits in prop::collection::vec((0usize..4, edit()), 0..30),
        orders in prop::collection::vec(prop::collection::vec(0usize..4, 0..40), 2..5),
        merge_order in prop::collection::vec(0usize..4, 0..6),
    ) {
        converges::<Fugue>(&start, &edits, &orders, &merge_order)?;
        converges::<FugueMax>(&start, &edits, &orders, &merge_order)?;
    }
}
