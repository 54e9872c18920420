//! The whole `crdt-harness` command line over your own models: a counter written here, and its
//! first draft with a bug. `crdt_cli::main` does the rest.
//!
//! ```text
//! cargo run -p crdt-cli --example my_models -- list
//! cargo run -p crdt-cli --example my_models -- check my-counter             # exits 0
//! cargo run -p crdt-cli --example my_models -- check my-counter/first-draft # exits 1
//! cargo run -p crdt-cli --example my_models -- replay <the replay file it printed>
//! cargo run -p crdt-cli --example my_models -- check all --report html --out my.html
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;

// `crdt-cli` re-exports the model traits and proptest: one dependency (and serde, for the
// operations' derives).
use crdt_cli::Catalogue;
use crdt_cli::crdt_laws::{History, Model, ReplicaId, StateCrdt};
use crdt_cli::proptest::prelude::*;
use serde::{Deserialize, Serialize};

// ----- Your type: nothing here knows about the framework. -----------------------------------

/// A grow-only counter: per replica, how much that replica has added.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counter {
    added: BTreeMap<u32, u64>,
}

impl Counter {
    /// `replica` adds `n`.
    pub fn add(&mut self, replica: u32, n: u64) {
        *self.added.entry(replica).or_default() += n;
    }

    /// Takes in another copy: per replica, the most it is known to have added.
    pub fn merge(&mut self, other: &Counter) {
        for (replica, n) in &other.added {
            let mine = self.added.entry(*replica).or_default();
            *mine = (*mine).max(*n);
        }
    }

    /// The first draft of `merge`: keep whichever copy has the larger total.
    pub fn merge_first_draft(&mut self, other: &Counter) {
        if other.total() > self.total() {
            self.clone_from(other);
        }
    }

    /// The counter's value.
    pub fn total(&self) -> u64 {
        self.added.values().sum()
    }
}

// ----- Its models: the operations are serde types, so failures can be saved and replayed. ---

/// What a user does: add a small amount.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Add(u64);

/// The counter as the framework sees it.
pub struct MyCounter;

impl Model for MyCounter {
    type State = Counter;
    type Op = Add;
    type Value = u64;
    fn new_replica(&self, _: ReplicaId) -> Counter {
        Counter::default()
    }
    fn value(&self, counter: &Counter) -> u64 {
        counter.total()
    }
    /// Optional: states compare, so the laws about states themselves run too.
    fn state_eq(&self, a: &Counter, b: &Counter) -> Option<bool> {
        Some(a == b)
    }
    fn ops(&self) -> BoxedStrategy<Add> {
        (1..5u64).prop_map(Add).boxed()
    }
    /// The value is the sum of every addition seen.
    fn spec(&self, history: &History<Add>) -> Option<u64> {
        Some(history.events().iter().map(|e| e.op.0).sum())
    }
}

impl StateCrdt for MyCounter {
    fn apply(&self, counter: &mut Counter, replica: ReplicaId, op: &Add) {
        counter.add(replica.0, op.0);
    }
    fn merge(&self, into: &mut Counter, from: &Counter) {
        into.merge(from);
    }
}

/// The same counter with the first draft's merge.
pub struct FirstDraft;

impl Model for FirstDraft {
    type State = Counter;
    type Op = Add;
    type Value = u64;
    fn new_replica(&self, replica: ReplicaId) -> Counter {
        MyCounter.new_replica(replica)
    }
    fn value(&self, counter: &Counter) -> u64 {
        MyCounter.value(counter)
    }
    fn state_eq(&self, a: &Counter, b: &Counter) -> Option<bool> {
        MyCounter.state_eq(a, b)
    }
    fn ops(&self) -> BoxedStrategy<Add> {
        MyCounter.ops()
    }
    fn spec(&self, history: &History<Add>) -> Option<u64> {
        MyCounter.spec(history)
    }
}

impl StateCrdt for FirstDraft {
    fn apply(&self, counter: &mut Counter, replica: ReplicaId, op: &Add) {
        MyCounter.apply(counter, replica, op);
    }
    fn merge(&self, into: &mut Counter, from: &Counter) {
        into.merge_first_draft(from);
    }
}

fn main() -> ExitCode {
    crdt_cli::main(
        Catalogue::new()
            .state(
                "my-counter",
                "grow-only counter: per replica, the most it added",
                MyCounter,
            )
            .state(
                "my-counter/first-draft",
                "the first draft: merge keeps the copy with the larger total",
                FirstDraft,
            ),
    )
}
