//! Bytes per sync against the state size, for the table in `benches/RESULTS.md` (issue 17):
//! the `#[ignore]`d `bytes_per_sync` tests of `sync_real.rs` and `sync_real_loro.rs` print one
//! row per protocol. Sizes are each protocol's own measure (`SyncModel::message_bytes` and
//! `state_bytes`: the libraries' binary encodings, the reference protocols' JSON), so the
//! figures are deterministic and independent of the machine and the build.

use crdt_harness::sync::{CrdtOp, CrdtState, SyncModel};
use crdt_harness::{Faults, Harness};
use crdt_laws::proptest::strategy::{Strategy, ValueTree};
use crdt_laws::proptest::test_runner::TestRunner;
use crdt_laws::{Dot, Model, ReplicaId};

/// Updates made at the first replica before the fresh replica syncs.
pub const HISTORY: usize = 100;

/// The table's header, in Markdown.
pub const HEADER: &str = "| protocol | state | fresh sync: messages | bytes | × state | \
                          one more update: messages | bytes | faulty runs: bytes per schedule | \
                          final sync bytes | mean state |\n\
                          |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|";

/// Two replicas on a reliable network: `a` and `b` ask each other for a message in turn (each
/// delivered at once) until neither has anything to say; the messages and bytes it took.
fn sync_pair<S: SyncModel>(
    model: &S,
    states: &mut [CrdtState<S>; 2],
    syncs: &mut [S::Sync; 2],
) -> (u64, u64) {
    let (mut messages, mut bytes) = (0, 0);
    for _round in 0..64 {
        let mut sent = false;
        for (from, to) in [(0, 1), (1, 0)] {
            let peer = ReplicaId::new(to as u32);
            let Some(m) = model.generate(&mut states[from], &mut syncs[from], peer) else {
                continue;
            };
            sent = true;
            messages += 1;
            bytes += model.message_bytes(&m) as u64;
            let sender = ReplicaId::new(from as u32);
            model.receive(&mut states[to], &mut syncs[to], sender, &m);
        }
        if !sent {
            return (messages, bytes);
        }
    }
    panic!("{} did not fall silent in 64 rounds", model.crdt().name());
}

/// One row of the table for `model`: replica A makes [`HISTORY`] updates (drawn from the
/// model's operation strategy with a fixed seed), a fresh replica B syncs with it; then A makes
/// one more update and they sync again; and the means of 200 harness runs with every fault (3
/// replicas, 30 steps, seed 17) from the report's figures.
pub fn row<S>(name: &str, model: &S) -> String
where
    S: SyncModel + Clone + Send + Sync + 'static,
    S::Crdt: Send + Sync,
    CrdtOp<S>: Send + 'static,
{
    let crdt = model.crdt();
    let (a, b) = (ReplicaId::new(0), ReplicaId::new(1));
    let mut states = [crdt.new_replica(a), crdt.new_replica(b)];
    let mut syncs = [model.new_sync(a, 2), model.new_sync(b, 2)];
    let strategy = crdt.ops();
    let mut runner = TestRunner::deterministic();
    let mut op = || {
        strategy
            .new_tree(&mut runner)
            .expect("the strategy generates")
            .current()
    };
    for seq in 1..=HISTORY as u64 {
        model.update(&mut states[0], &mut syncs[0], Dot::new(a, seq), &op());
    }
    let state = model.state_bytes(&states[0]) as u64;
    let fresh = sync_pair(model, &mut states, &mut syncs);
    assert_eq!(crdt.value(&states[0]), crdt.value(&states[1]), "{name}");
    let next = Dot::new(a, HISTORY as u64 + 1);
    model.update(&mut states[0], &mut syncs[0], next, &op());
    let more = sync_pair(model, &mut states, &mut syncs);
    assert_eq!(crdt.value(&states[0]), crdt.value(&states[1]), "{name}");

    let summary = Harness::sync(model)
        .faults(Faults::ALL)
        .replicas(3)
        .steps(30)
        .schedules(200)
        .seed(17)
        .run();
    summary.assert_passed();
    let totals = summary.sync.expect("a sync run records its cost");
    let mean = |total| totals.per_schedule(total).unwrap_or(0.0);
    format!(
        "| {name} | {state} | {} | {} | {:.2} | {} | {} | {:.0} | {:.0} | {:.0} |",
        fresh.0,
        fresh.1,
        fresh.1 as f64 / state.max(1) as f64,
        more.0,
        more.1,
        mean(totals.bytes),
        mean(totals.final_bytes),
        mean(totals.state_bytes),
    )
}
