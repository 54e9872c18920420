//! Real text CRDTs verified as they are (issue 11, item 7): yrs 0.28, automerge 0.12 and
//! diamond-types 1.0, each model's state the library's own document type (see `real/mod.rs`).
//! Loro takes minutes to build: its tests are in `real_libraries_loro.rs`, behind the
//! `real-loro` feature.
//!
//! Each model passes the op-based laws and the harness's runs. Non-interleaving is what "The
//! Art of the Fugue" (Weidner and Kleppmann, arXiv 2305.00583, Table 1) says of each
//! algorithm: automerge (RGA) and yrs (YATA) promise forward non-interleaving and keep it;
//! made to promise backward non-interleaving, automerge breaks it with two replicas and yrs
//! with three (the paper's Prop. C.4); diamond-types (FugueMax) promises maximal
//! non-interleaving and keeps it, and agrees with FugueMax's specification. yrs diverges when
//! updates arrive out of causal order, which its documentation allows
//! (`yrs_leaves_updates_pending_*`): it passes under causal delivery.
//!
//! The default tests are sized for a debug build (`QUICK`); the `#[ignore]`d `*_full` tests run
//! the laws' default cases, the harness's default 1,000 schedules and 300 with every fault:
//! `cargo test --release -p crdt-harness --test real_libraries -- --ignored`.

#[allow(dead_code)] // shared with `real_libraries_loro.rs`
pub mod real;

use crdt_harness::Property;
use crdt_laws::vocab::list::{ListOp, RightSiblings};
use crdt_laws::{Delivery, Dot, Model, NonInterleaving, OpCrdt, ReplicaId};
use real::automerge::AutomergeText;
use real::diamond::DiamondText;
use real::yrs::YrsText;
use real::{
    FULL, QUICK, SOURCES, Scale, Variant, assert_sequential_edits, code_lines, runs_interleave,
    verify,
};

/// Edits at the ends, in the middle, past the end (taken modulo the length), and deletes down
/// to an empty text and past it.
fn edits() -> Vec<ListOp<char>> {
    let ins = |at| ListOp::Insert { at, value: 'x' };
    let del = |at| ListOp::Delete { at };
    vec![
        ins(0),
        ins(0),
        ins(2),
        ins(1),
        ins(7),
        del(1),
        ins(3),
        del(0),
        del(9),
        del(0),
        del(0),
        del(4),
        ins(5),
    ]
}

const YRS: YrsText = YrsText {
    non_interleaving: NonInterleaving::Forward,
};
/// yrs with the delivery under which it converges.
const YRS_CAUSAL: Variant<YrsText> = Variant {
    delivery: Some(Delivery::Causal),
    ..Variant::of(YRS)
};
const AUTOMERGE: AutomergeText = AutomergeText {
    non_interleaving: NonInterleaving::Forward,
};
/// RGA made to promise what it does not keep.
const AUTOMERGE_PROMISING: AutomergeText = AutomergeText {
    non_interleaving: NonInterleaving::Backward,
};
const DIAMOND: DiamondText = DiamondText {
    non_interleaving: NonInterleaving::Maximal,
};

#[test]
fn edits_land_where_asked() {
    assert_sequential_edits(&YRS, &edits());
    assert_sequential_edits(&AUTOMERGE, &edits());
    assert_sequential_edits(&DIAMOND, &edits());
}

#[test]
fn yrs_converges_under_causal_delivery() {
    verify(&YRS_CAUSAL, QUICK, 1, &[]);
}

#[test]
fn automerge_converges() {
    verify(&AUTOMERGE, QUICK, 2, &[]);
}

#[test]
fn diamond_converges_without_interleaving_as_fugue_max() {
    verify(&DIAMOND, QUICK, 3, &[]);
}

/// RGA interleaves concurrent backward runs: made to promise backward non-interleaving,
/// automerge breaks it (the backward-interleaving oracle: a run typed backwards is split) and
/// the contiguity of a replica's own runs, and nothing else. The laws are those of
/// `automerge_converges` (a promise changes none), so only the runs, a few schedules each, with
/// little shrinking (automerge is slow to replay).
#[test]
fn automerge_interleaves_backward() {
    let few = Scale {
        defaults: Some(12),
        faulty: 6,
        shrink_attempts: Some(20),
        ..QUICK
    };
    let summaries = real::runs(&AUTOMERGE_PROMISING, few, 4);
    let found = real::broken(&summaries);
    assert_eq!(
        found,
        [Property::Contiguity, Property::BackwardInterleaving],
        "{}\n{}",
        summaries[0],
        summaries[1]
    );
}

/// diamond-types needs causal delivery: a patch whose parents have not arrived is rejected
/// (`merge_data_and_ff` fails, the model panics), which the harness reports as such.
#[test]
fn diamond_needs_causal_delivery() {
    let unordered = Variant {
        delivery: Some(Delivery::Unordered),
        ..Variant::of(DIAMOND)
    };
    let summaries = real::runs(&unordered, QUICK, 5);
    assert!(
        real::broken(&summaries).contains(&Property::Panic),
        "{}\n{}",
        summaries[0],
        summaries[1]
    );
}

/// Table 1 of "The Art of the Fugue", two replicas each typing three characters concurrently:
/// (forwards interleaved, backwards interleaved).
#[test]
fn two_concurrent_runs_interleave_only_backwards_in_rga() {
    assert_eq!(runs_interleave(&AUTOMERGE), (false, true));
    assert_eq!(runs_interleave(&DIAMOND), (false, false));
    assert_eq!(runs_interleave(&YRS), (false, false));
}

/// Found by the harness (yrs 0.28.1, the default run of `yrs_full`, schedule 303) and reduced
/// by hand: A inserts "a"; C receives it and inserts "b" after it; A receives that and inserts
/// "c" after it. B receives C's update, then A's second, then A's first: all three updates
/// have arrived, yet B shows "a" only: the other two stay in yrs' pending store until an update
/// arrives a second time. Each update delivered once (`Unordered`), B diverges
/// for ever. yrs documents that updates may be applied in any order ("It doesn't matter in which order
/// document updates are applied"), which is why `YrsText` declares `UnorderedDuplicating`.
#[test]
fn yrs_leaves_updates_pending_after_their_dependencies_arrive() {
    let ids = [0, 1, 2].map(ReplicaId::new);
    let [mut a, mut b, mut c] = ids.map(|id| YRS.new_replica(id));
    let end = |at| ListOp::Insert { at, value: 'x' };
    let first = YRS.local(&mut a, Dot::new(ids[0], 1), &end(0));
    YRS.effect(&mut c, &first);
    let second = YRS.local(&mut c, Dot::new(ids[2], 1), &end(1));
    YRS.effect(&mut a, &second);
    let third = YRS.local(&mut a, Dot::new(ids[0], 2), &end(2));
    YRS.effect(&mut c, &third);
    for update in [&second, &third, &first] {
        YRS.effect(&mut b, update);
    }
    assert_eq!(YRS.value(&a), YRS.value(&c));
    assert_eq!(YRS.value(&a).chars().count(), 3);
    assert_eq!(
        YRS.value(&b).chars().count(),
        1,
        "B shows A's first insert only"
    );
    YRS.effect(&mut b, &second);
    assert_eq!(YRS.value(&b), YRS.value(&a), "C's update again: all three");
}

/// The same three updates in causal order converge: the delivery `YRS_CAUSAL` declares.
#[test]
fn yrs_converges_when_updates_arrive_in_causal_order() {
    let ids = [0, 1, 2].map(ReplicaId::new);
    let [mut a, mut b, mut c] = ids.map(|id| YRS.new_replica(id));
    let end = |at| ListOp::Insert { at, value: 'x' };
    let first = YRS.local(&mut a, Dot::new(ids[0], 1), &end(0));
    YRS.effect(&mut c, &first);
    let second = YRS.local(&mut c, Dot::new(ids[2], 1), &end(1));
    YRS.effect(&mut a, &second);
    let third = YRS.local(&mut a, Dot::new(ids[0], 2), &end(2));
    for update in [&first, &second, &third] {
        YRS.effect(&mut b, update);
    }
    assert_eq!(YRS.value(&b), YRS.value(&a));
}

/// Found while writing `YrsText::fork` (yrs 0.28.1): `encode_state_as_update_v1` merges the
/// document's pending updates into its state, and a document loaded from that shows less than
/// the original. B has integrated A's third insert ("c", whose origins it has) but keeps A's
/// second pending (its origin, A's first insert, has not arrived); loaded into a new document,
/// the merged update starts at A's clock 1, so the whole of A's part waits for clock 0, the
/// integrated "c" included. `fork` therefore loads the integrated blocks first.
#[test]
fn yrs_snapshot_with_pending_hides_an_insert() {
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};
    let edit = |doc: &Doc, at: u32, s: &str| {
        let text = doc.get_or_insert_text("text");
        let mut txn = doc.transact_mut();
        text.insert(&mut txn, at, s);
        txn.encode_update_v1()
    };
    let apply = |doc: &Doc, update: &[u8]| {
        let update = Update::decode_v1(update).expect("decodes");
        doc.transact_mut().apply_update(update).expect("applies");
    };
    let show = |doc: &Doc| doc.get_or_insert_text("text").get_string(&doc.transact());
    let (a, b) = (Doc::with_client_id(1), Doc::with_client_id(2));
    apply(&a, &edit(&b, 0, "x"));
    let first = edit(&a, 1, "a");
    let second = edit(&a, 2, "b");
    let third = edit(&a, 0, "c");
    apply(&b, &third);
    apply(&b, &second);
    assert_eq!(show(&b), "cx");
    let loaded = Doc::with_client_id(2);
    apply(
        &loaded,
        &b.transact()
            .encode_state_as_update_v1(&StateVector::default()),
    );
    assert_eq!(show(&loaded), "x", "the snapshot hides \"c\"");
    let forked = YRS.fork(&b);
    assert_eq!(show(&forked), "cx", "the model's fork does not");
    for doc in [&loaded, &forked, &b] {
        apply(doc, &first);
        assert_eq!(show(doc), "cxab");
    }
}

/// `Doc::clone` is a handle to the same document: the default `fork` would share state (the
/// harness refuses such a model at start); `YrsText::fork` copies.
#[test]
fn yrs_clone_is_a_handle_and_fork_a_copy() {
    let id = ReplicaId::new(0);
    let insert = ListOp::Insert { at: 0, value: 'x' };
    let mut doc = YRS.new_replica(id);
    let mut forked = YRS.fork(&doc);
    YRS.local(&mut forked, Dot::new(id, 1), &insert);
    assert_eq!(YRS.value(&doc), "");
    let mut cloned = doc.clone();
    YRS.local(&mut cloned, Dot::new(id, 1), &insert);
    assert_eq!(YRS.value(&doc), YRS.value(&cloned));
    YRS.local(&mut doc, Dot::new(id, 2), &insert);
    assert_eq!(YRS.value(&cloned).chars().count(), 2);
}

/// The count the issue asks for (at most 60 lines each, id handling included): printed with
/// `--nocapture`, and bounded here.
#[test]
fn models_fit_in_sixty_lines() {
    for (file, source) in SOURCES {
        let lines = code_lines(source);
        println!("{file}: {lines} lines of code");
        assert!(lines <= 60, "{file}: {lines} lines");
    }
}

#[test]
#[ignore = "minutes in debug: run in release"]
fn yrs_full() {
    verify(&YRS, FULL, 11, &[Property::Convergence]);
    verify(&YRS_CAUSAL, FULL, 12, &[]);
}

#[test]
#[ignore = "minutes in debug: run in release"]
fn automerge_full() {
    verify(&AUTOMERGE, FULL, 13, &[]);
    let rga = [Property::Contiguity, Property::BackwardInterleaving];
    verify(&AUTOMERGE_PROMISING, FULL, 14, &rga);
}

/// diamond-types agrees with FugueMax's specification, and the check is not vacuous: plain
/// Fugue's, which orders concurrent right siblings differently (a rare case), fails.
#[test]
#[ignore = "minutes in debug: run in release"]
fn diamond_full() {
    verify(&DIAMOND, FULL, 15, &[]);
    let plain = Variant {
        fugue: Some(RightSiblings::ById),
        ..Variant::of(DIAMOND)
    };
    assert_eq!(
        real::first_finding(&plain, 5_000, 16),
        Some(Property::Specification)
    );
}

/// yrs (YATA) keeps forward runs together (`YRS` promises that and passes), but not backward
/// ones: the backward-interleaving oracle finds the three-replica anomaly of Yjs (Weidner and
/// Kleppmann, "The Art of the Fugue", Prop. C.4), within 2,000 schedules of seed 21 (the search
/// stops at the first), shrunk to a few steps: A, B and C insert concurrently, and A shows
/// `[A1 B1 C1]` although A1 was inserted just before C1. Under causal delivery, where yrs
/// converges.
#[test]
fn yrs_interleaves_backward_with_three_replicas() {
    let promising = Variant {
        delivery: Some(Delivery::Causal),
        ..Variant::of(YrsText {
            non_interleaving: NonInterleaving::Backward,
        })
    };
    let found = real::first_finding(&promising, 2_000, 21);
    assert_eq!(found, Some(Property::BackwardInterleaving));
}
