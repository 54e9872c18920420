//! Every entry of the gallery of broken CRDTs is caught by *each* law and oracle it names, and
//! by no law it does not name: a 100% catch rate, one test per entry.
//!
//! - **Laws**: the catalogue runs on the entry's model with a fixed seed and 256 cases per law;
//!   the laws that fail must be exactly the ones the entry names.
//! - **Oracles**: the harness runs the entry's model, with the faults and replicas the entry
//!   says it needs, until it finds each named property, within a budget of [`BUDGET`]
//!   schedules per property. Schedules run in batches of 64 (each batch with its own seed) and
//!   the search stops at the first batch that finds the property; shrinking is skipped, as
//!   only detection is measured here (`cli/examples/detection.rs` measures shrinking).
//!
//! Every entry names at least one oracle, so every entry is also caught by the harness (the
//! lessons in `docs/lessons/` show which), except an entry whose mistake is in a diff: the
//! harness ships whole states and never calls a model's diff, so only the diff laws see it.

use std::collections::BTreeSet;

use crdt_cli::catalogue::{self, Entry, gallery_shape};
use crdt_harness::runner::BATCH;
use crdt_harness::{Dimension, Faults, Options};
use crdt_laws::{Config, Law, Verdict};

/// The seed of every law run and of the first batch of schedules.
const SEED: u64 = 0x5eed;
/// Cases per law.
const CASES: u32 = 256;
/// The most schedules the harness may take to find one named property.
const BUDGET: u64 = 10_000;

fn entry(name: &str) -> Box<dyn Entry> {
    catalogue::find(&format!("broken/{name}"))
        .unwrap_or_else(|| panic!("broken/{name} is not in the catalogue"))
}

/// The laws that fail must be exactly the laws the entry names.
fn assert_laws(entry: &dyn Entry) {
    let gallery = entry.gallery().expect("a gallery entry");
    let report = entry.check_laws(&Config::default().with_seed(SEED).with_cases(CASES));
    let named: BTreeSet<Law> = gallery.laws().collect();
    for law in &named {
        let verdict = report.get(*law).map(|r| r.verdict);
        assert_eq!(
            verdict,
            Some(Verdict::Failed),
            "{}: named law {law} did not catch it:\n{report}",
            entry.name()
        );
    }
    let failed: BTreeSet<Law> = report.with_verdict(Verdict::Failed).collect();
    assert_eq!(
        failed,
        named,
        "{}: the laws that fail are not the laws it names:\n{report}",
        entry.name()
    );
}

/// How many schedules the harness runs, batch by batch, until one breaks `property`; `None`
/// when [`BUDGET`] schedules do not.
fn schedules_to_find(entry: &dyn Entry, property: &str) -> Option<u64> {
    let shape = gallery_shape(entry.gallery().expect("a gallery entry"));
    let mut ran = 0;
    for seed in SEED.. {
        if ran >= BUDGET {
            return None;
        }
        let options = Options {
            shape,
            seed,
            schedules: Some(BATCH),
            keep_going: true,
            max_shrink_attempts: 0,
            ..Options::default()
        };
        let summary = entry.run(&options);
        if let Some(failure) = summary
            .failures
            .iter()
            .find(|f| f.finding.property.name() == property)
        {
            return Some(ran + failure.schedule_index + 1);
        }
        ran += summary.schedules;
    }
    unreachable!("the seeds run out after the budget")
}

fn assert_oracles(entry: &dyn Entry) {
    let gallery = entry.gallery().expect("a gallery entry");
    let oracles: Vec<&str> = gallery.oracles().collect();
    let diff_only = gallery
        .laws()
        .all(|law| matches!(law, Law::DiffRestoresJoin | Law::DiffBelowLocal));
    assert!(
        !oracles.is_empty() || diff_only,
        "{}: every gallery entry names an oracle (unless only a diff is wrong)",
        entry.name()
    );
    for property in oracles {
        let found = schedules_to_find(entry, property);
        assert!(
            found.is_some(),
            "{}: named oracle {property} did not catch it in {BUDGET} schedules \
             (faults {}, {} replicas)",
            entry.name(),
            gallery.faults(),
            gallery.replicas()
        );
    }
}

fn assert_caught(name: &str) {
    let entry = entry(name);
    assert_laws(entry.as_ref());
    assert_oracles(entry.as_ref());
}

macro_rules! gallery_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                assert_caught($name);
            }
        )*

        #[test]
        fn every_entry_has_a_test() {
            let tested: BTreeSet<&str> = [$($name),*].into_iter().collect();
            let entries: BTreeSet<&str> =
                crdt_impls::broken::gallery().iter().map(|e| e.name).collect();
            assert_eq!(tested, entries);
        }
    };
}

gallery_tests! {
    divisibility_merged_by_max => "divisibility-merged-by-max",
    averaging_merge => "averaging-merge",
    two_phase_set_clearing_tombstones => "two-phase-set-clearing-tombstones",
    forgotten_tombstones => "forgotten-tombstones",
    counter_larger_total => "counter-larger-total",
    pn_counter_merged_by_sum => "pn-counter-merged-by-sum",
    pn_counter_lowering_decrement => "pn-counter-lowering-decrement",
    two_slot_counter => "two-slot-counter",
    lww_no_tie_break => "lww-no-tie-break",
    lamport_clock_not_advanced_on_receive => "lamport-clock-not-advanced-on-receive",
    hash_map_order_tie_break => "hash-map-order-tie-break",
    or_set_remove_by_value => "or-set-remove-by-value",
    orswot_clock_dominance => "orswot-clock-dominance",
    orswot_entry_kept_whole => "orswot-entry-kept-whole",
    remove_wins_sold_as_add_wins => "remove-wins-sold-as-add-wins",
    delta_differs_from_update => "delta-differs-from-update",
    counter_on_duplicating_network => "counter-on-duplicating-network",
    or_set_assuming_causal_delivery => "or-set-assuming-causal-delivery",
    float_counter_arrival_order => "float-counter-arrival-order",
    index_list => "index-list",
    rga_backward_interleaving => "rga-backward-interleaving",
    move_as_delete_and_insert => "move-as-delete-and-insert",
    tree_move_without_undo_redo => "tree-move-without-undo-redo",
    map_remove_drops_concurrent_updates => "map-remove-drops-concurrent-updates",
    diff_misses_concurrent_entries => "diff-misses-concurrent-entries",
    hlc_without_max_on_receive => "hlc-without-max-on-receive",
    gc_before_causal_stability => "gc-before-causal-stability",
    sync_increments_without_acks => "sync-increments-without-acks",
    sync_bloom_in_flight_never_cleared => "sync-bloom-in-flight-never-cleared",
    sync_server_trimming_early => "sync-server-trimming-early",
    sync_dropping_early_updates => "sync-dropping-early-updates",
}

/// Collection by causal stability survives what makes replicas fall silent: schedules with
/// partitions and crashes (restarts from a snapshot taken while the others collected) all
/// converge to the add-wins specification, while the set that collects before stability is
/// caught under the same faults.
#[test]
fn a_returning_replica_converges_with_replicas_that_collected() {
    use crdt_harness::Shape;
    let options = Options {
        shape: Shape {
            replicas: Dimension::Fixed(3),
            steps: Dimension::Fixed(50),
            faults: Dimension::Fixed(Faults::parse("partition,crash").unwrap()),
            ..Shape::default()
        },
        schedules: Some(2_000),
        seed: SEED,
        max_shrink_attempts: 0,
        ..Options::default()
    };
    let correct = catalogue::find("stable-set").expect("stable-set is in the catalogue");
    let summary = correct.run(&options);
    assert!(summary.passed(), "{summary}");
    let broken = entry("gc-before-causal-stability").run(&options);
    assert!(!broken.passed(), "collection before stability not caught");
}

/// The HLC without the maximum on receive is a wall-clock bug: with every clock showing true
/// time the harness cannot see it, every network fault on; the `clock-skew` fault is what
/// makes it findable.
#[test]
fn the_hlc_bug_needs_clock_skew() {
    use crdt_harness::Shape;
    let entry = entry("hlc-without-max-on-receive");
    let options = |faults: Faults| Options {
        shape: Shape {
            replicas: Dimension::Fixed(4),
            steps: Dimension::Fixed(50),
            faults: Dimension::Fixed(faults),
            ..Shape::default()
        },
        schedules: Some(2_000),
        seed: SEED,
        max_shrink_attempts: 0,
        ..Options::default()
    };
    let calm = entry.run(&options(Faults::ALL));
    assert!(calm.passed(), "found without clock skew:\n{calm}");
    let skewed = entry.run(&options(Faults::parse("all,clock-skew").unwrap()));
    assert!(!skewed.passed(), "not found with clock skew");
}

#[test]
fn the_gallery_has_at_least_fifteen_entries_with_stories() {
    let gallery = crdt_impls::broken::gallery();
    assert!(gallery.len() >= 15, "{} entries", gallery.len());
    for entry in &gallery {
        assert!(!entry.mistake.is_empty(), "{}", entry.name);
        assert!(
            Faults::parse(entry.faults()).is_ok(),
            "{}: needs {:?}",
            entry.name,
            entry.needs
        );
    }
}

/// With every fault on (not only the ones an entry needs), the first finding on each entry that
/// names an oracle is one of its named oracles.
#[test]
fn every_gallery_entry_is_caught_by_the_harness() {
    use crdt_harness::Shape;
    // Every entry is run and every miss reported, not only the first.
    let mut misses = Vec::new();
    for entry in catalogue::gallery() {
        let gallery = entry.gallery().unwrap();
        let wants_oracle = gallery
            .caught_by
            .iter()
            .any(|c| matches!(c, crdt_impls::broken::Catcher::Oracle(_)));
        if !wants_oracle {
            continue;
        }
        let replicas = if gallery.needs.contains("three") {
            3
        } else {
            4
        };
        let options = Options {
            shape: Shape {
                replicas: Dimension::Fixed(replicas),
                steps: Dimension::Fixed(50),
                // Every network fault, and clock skew for the entries that need it (it is no
                // part of `all`).
                faults: Dimension::Fixed(Faults {
                    clock_skew: Faults::parse(gallery.faults()).is_ok_and(|f| f.clock_skew),
                    ..Faults::ALL
                }),
                ..Shape::default()
            },
            schedules: Some(10_000),
            seed: 7,
            ..Options::default()
        };
        let summary = entry.run(&options);
        let Some(first) = summary.failures.first() else {
            misses.push(format!("{} not caught:\n{summary}", entry.name()));
            continue;
        };
        let property = first.finding.property.name();
        if !gallery
            .caught_by
            .contains(&crdt_impls::broken::Catcher::Oracle(property))
        {
            misses.push(format!(
                "{} caught by {property}, not by its named oracle:\n{summary}",
                entry.name()
            ));
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}
