//! Bad input is an error, never a panic: messages delivered out of causal order or malformed,
//! corrupted encoded lists, and broken trace files.

use crdt_impls::fugue::{Deletion, Error, FugueList, FugueMaxList, Id, IdRange, Insertion, Side};
use crdt_impls::traces::{self, TraceError};
use crdt_laws::ReplicaId;
use proptest::prelude::*;

fn id(replica: u32, counter: u32) -> Id {
    Id::new(ReplicaId::new(replica), counter)
}

fn list_with(text: &str) -> FugueList<char> {
    let mut list = FugueList::new(ReplicaId::new(0));
    list.insert_many(0, text.chars());
    list
}

fn insertion(at: Id, parent: Option<Id>, side: Side, values: &str) -> Insertion<char> {
    Insertion::new(at, parent, side, None, values.chars())
}

#[test]
fn messages_out_of_causal_order_are_refused_and_change_nothing() {
    let mut list = list_with("ab");
    let before = list.clone();
    // Parent unknown.
    let orphan = insertion(id(1, 0), Some(id(2, 0)), Side::Right, "x");
    assert_eq!(
        list.integrate_insertion(&orphan),
        Err(Error::MissingDependency { id: id(2, 0) })
    );
    // Counters skipped: B1 before B0.
    let early = insertion(id(1, 1), Some(id(0, 0)), Side::Right, "x");
    assert!(matches!(
        list.integrate_insertion(&early),
        Err(Error::MissingDependency { .. })
    ));
    // A deletion whose second range is unknown: nothing is deleted.
    let deletion = Deletion::new([
        IdRange {
            start: id(0, 0),
            len: 1,
        },
        IdRange {
            start: id(5, 0),
            len: 1,
        },
    ]);
    assert!(list.integrate_deletion(&deletion).is_err());
    assert_eq!(list, before);
    assert_eq!(list.value(), ['a', 'b']);
}

#[test]
fn malformed_messages_are_refused() {
    let mut list = list_with("ab");
    let root_left = insertion(id(1, 0), None, Side::Left, "x");
    assert!(matches!(
        list.integrate_insertion(&root_left),
        Err(Error::Invalid(_))
    ));
    let overflow = insertion(id(1, u32::MAX), None, Side::Right, "xy");
    assert!(matches!(
        list.integrate_insertion(&overflow),
        Err(Error::Invalid(_))
    ));
    assert_eq!(list.value(), ['a', 'b']);
}

#[test]
fn retransmissions_are_idempotent_even_when_they_overlap() {
    let mut a = FugueList::new(ReplicaId::new(0));
    a.insert_many(0, "ab".chars());
    let mut b = FugueList::new(ReplicaId::new(1));
    b.merge(&a);
    // A retransmission of A0..A3 that overlaps the A0, A1 that b already has.
    let more = insertion(id(0, 0), None, Side::Right, "abcd");
    b.integrate_insertion(&more).unwrap();
    b.integrate_insertion(&more).unwrap();
    assert_eq!(b.iter().collect::<String>(), "abcd");
}

#[test]
fn corrupted_encodings_are_refused() {
    let cases = [
        // Runs must start at 0.
        r#"{"replica":0,"elements":[{"replica":0,"values":["a"],"runs":[{"start":1,"parent":null,"side":"Right","right_origin":null}],"deleted":[]}]}"#,
        // A left child of the root.
        r#"{"replica":0,"elements":[{"replica":0,"values":["a"],"runs":[{"start":0,"parent":null,"side":"Left","right_origin":null}],"deleted":[]}]}"#,
        // An unknown parent.
        r#"{"replica":0,"elements":[{"replica":0,"values":["a"],"runs":[{"start":0,"parent":{"replica":3,"counter":0},"side":"Right","right_origin":null}],"deleted":[]}]}"#,
        // A cycle: A0 is the child of A1, which follows A0.
        r#"{"replica":0,"elements":[{"replica":0,"values":["a","b"],"runs":[{"start":0,"parent":{"replica":0,"counter":1},"side":"Left","right_origin":null},{"start":1,"parent":null,"side":"Right","right_origin":null}],"deleted":[]}]}"#,
        // A deleted range out of range.
        r#"{"replica":0,"elements":[{"replica":0,"values":["a"],"runs":[{"start":0,"parent":null,"side":"Right","right_origin":null}],"deleted":[[0,4294967295]]}]}"#,
        // A replica listed twice.
        r#"{"replica":0,"elements":[{"replica":1,"values":[],"runs":[],"deleted":[]},{"replica":1,"values":[],"runs":[],"deleted":[]}]}"#,
        // Values without runs.
        r#"{"replica":0,"elements":[{"replica":1,"values":["a"],"runs":[],"deleted":[]}]}"#,
    ];
    for json in cases {
        assert!(
            serde_json::from_str::<FugueList<char>>(json).is_err(),
            "accepted {json}"
        );
    }
}

proptest! {
    /// Decoding arbitrary small encodings (all fields random) never panics, and whatever is
    /// accepted is a usable list.
    #[test]
    fn decoding_random_encodings_never_panics(
        replicas in prop::collection::vec(
            (0u32..3, 0usize..4, prop::collection::vec((0u32..4, prop::option::of((0u32..3, 0u32..4)), any::<bool>(), prop::option::of((0u32..3, 0u32..4))), 0..4), prop::collection::vec((0u32..4, 0u32..4), 0..2)),
            0..3,
        )
    ) {
        let elements: Vec<serde_json::Value> = replicas.iter().map(|(replica, values, runs, deleted)| {
            let runs: Vec<serde_json::Value> = runs.iter().map(|(start, parent, left, origin)| {
                let id = |o: &Option<(u32, u32)>| o.map(|(r, c)| serde_json::json!({"replica": r, "counter": c}));
                serde_json::json!({"start": start, "parent": id(parent), "side": if *left { "Left" } else { "Right" }, "right_origin": id(origin)})
            }).collect();
            serde_json::json!({"replica": replica, "values": vec!["v"; *values], "runs": runs, "deleted": deleted.iter().map(|(s, l)| [s, l]).collect::<Vec<_>>()})
        }).collect();
        let json = serde_json::json!({"replica": 0, "elements": elements});
        if let Ok(list) = serde_json::from_value::<FugueMaxList<String>>(json) {
            let values = list.value();
            prop_assert_eq!(values.len(), list.len());
            let again: FugueMaxList<String> = serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
            prop_assert!(again == list);
        }
    }
}

#[test]
fn broken_trace_files_are_errors() {
    let dir = std::env::temp_dir().join(format!("fugue-traces-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write_gz = |name: &str, json: &str| {
        use std::io::Write;
        let file = std::fs::File::create(dir.join(format!("{name}.json.gz"))).unwrap();
        let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        gz.write_all(json.as_bytes()).unwrap();
        gz.finish().unwrap();
    };
    std::fs::write(dir.join("not-gzip.json.gz"), b"plain text").unwrap();
    write_gz("not-json", "{ nope");
    write_gz(
        "bad-parent",
        r#"{"kind":"concurrent","endContent":"","numAgents":1,"txns":[{"parents":[0],"agent":0,"patches":[]}]}"#,
    );
    write_gz(
        "bad-agent",
        r#"{"kind":"concurrent","endContent":"","numAgents":1,"txns":[{"parents":[],"agent":3,"patches":[]}]}"#,
    );
    write_gz(
        "bad-patch",
        r#"{"startContent":"","endContent":"","txns":[{"patches":[[5,1,""]]}]}"#,
    );
    write_gz(
        "good",
        r#"{"startContent":"","endContent":"hé","txns":[{"patches":[[0,0,"hx"],[1,1,"é"]]}]}"#,
    );
    assert!(matches!(
        traces::load(&dir, "not-gzip"),
        Err(TraceError::Io { .. })
    ));
    assert!(matches!(
        traces::load(&dir, "not-json"),
        Err(TraceError::Json { .. })
    ));
    assert!(matches!(
        traces::load(&dir, "bad-parent"),
        Err(TraceError::Invalid { .. })
    ));
    assert!(matches!(
        traces::load(&dir, "bad-agent"),
        Err(TraceError::Invalid { .. })
    ));
    let bad_patch = traces::load_sequential(&dir, "bad-patch").unwrap();
    assert!(bad_patch.replay_on_string().is_err());
    let good = traces::load_sequential(&dir, "good").unwrap();
    assert_eq!(good.replay_on_string().unwrap(), "hé");
    let names: Vec<String> = traces::list(&dir)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(names.contains(&"good".to_string()) && names.contains(&"bad-agent".to_string()));
    std::fs::remove_dir_all(&dir).unwrap();
}
