//! Properties of reports: JSON round trips, merging is a join, renderers never fail.

mod common;

use std::collections::BTreeMap;

use common::{report, run_config, shard_result};
use crdt_reports::{Format, HarnessRun, ModelReport, Report, render};
use proptest::prelude::*;
use proptest::sample::Index;

fn merge(a: &Report, b: &Report) -> Report {
    let mut joined = a.clone();
    joined.merge(b.clone());
    joined
}

proptest! {
    #[test]
    fn json_round_trip(r in report()) {
        let json = r.to_json();
        prop_assert_eq!(Report::from_json(&json).unwrap(), r);
    }

    #[test]
    fn merge_is_commutative(a in report(), b in report()) {
        prop_assert_eq!(merge(&a, &b), merge(&b, &a));
    }

    #[test]
    fn merge_is_associative(a in report(), b in report(), c in report()) {
        prop_assert_eq!(merge(&merge(&a, &b), &c), merge(&a, &merge(&b, &c)));
    }

    #[test]
    fn merge_is_idempotent(a in report()) {
        prop_assert_eq!(merge(&a, &a), a);
    }

    #[test]
    fn the_empty_report_is_the_identity(a in report()) {
        prop_assert_eq!(merge(&a, &Report::default()), a.clone());
        prop_assert_eq!(merge(&Report::default(), &a), a);
    }

    #[test]
    fn merge_is_an_upper_bound(a in report(), b in report()) {
        let joined = merge(&a, &b);
        prop_assert_eq!(merge(&joined, &a), joined.clone());
        prop_assert_eq!(merge(&joined, &b), joined);
    }

    /// Split a run into shards, merge the shard reports in any order, some twice: the totals and
    /// the report are those of the single-machine run.
    #[test]
    fn merged_shards_equal_the_single_run(
        config in run_config(),
        shards in proptest::collection::vec(shard_result(), 1..5),
        order in proptest::collection::vec(any::<Index>(), 1..12),
    ) {
        let shards: BTreeMap<u32, _> = (0u32..).zip(shards).collect();
        let single = Report::default().with_model(
            "m",
            ModelReport::default().with_run(config.clone(), HarnessRun { shards: shards.clone() }),
        );
        let shard_report = |index: u32| {
            let run = HarnessRun::single(index, shards[&index].clone());
            Report::default().with_model("m", ModelReport::default().with_run(config.clone(), run))
        };
        // Every shard at least once, then extra copies in a generated order.
        let mut reports: Vec<Report> = shards.keys().map(|&i| shard_report(i)).collect();
        let n = shards.len();
        reports.extend(order.iter().map(|ix| shard_report(u32::try_from(ix.index(n)).unwrap())));
        reports.reverse();
        let merged = Report::merged(reports);
        prop_assert_eq!(merged.summary(), single.summary());
        prop_assert_eq!(merged, single);
    }

    /// Every renderer accepts every report; JUnit output is well-formed XML.
    #[test]
    fn renderers_accept_any_report(r in report()) {
        for format in [Format::Terminal { colour: true }, Format::Markdown, Format::Html, Format::Json] {
            prop_assert!(!render(&r, format).is_empty());
        }
        let xml = render(&r, Format::Junit);
        if let Err(e) = roxmltree::Document::parse(&xml) {
            prop_assert!(false, "JUnit output is not XML: {e}\n{xml}");
        }
        let html = render(&r, Format::Html);
        prop_assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    }
}
