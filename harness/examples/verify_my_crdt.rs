//! Verify your own CRDT in 17 lines: a type of your own, a model that says how to use it, and
//! one check that runs every law and randomized schedules over a faulty network.
//!
//! ```text
//! cargo run -p crdt-harness --example verify_my_crdt    # exits non-zero on a finding
//! cargo test -p crdt-harness --example verify_my_crdt   # the same check as a #[test]
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;

use crdt_harness::crdt_laws::Event;
use crdt_harness::prelude::*;
use crdt_harness::proptest::sample::select;

// ----- Your type: nothing here knows about the framework. -----------------------------------

/// A user profile whose fields are edited on several devices: per field, the last edit wins,
/// "last" by a Lamport time with the editor's id breaking ties.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    fields: BTreeMap<String, (u64, u32, String)>,
}

impl Profile {
    /// `editor` sets `field` to `value`, later than anything this profile has seen.
    pub fn edit(&mut self, editor: u32, field: &str, value: &str) {
        let time = self.fields.values().map(|(t, _, _)| *t).max().unwrap_or(0) + 1;
        let edit = (time, editor, value.to_string());
        self.fields.insert(field.to_string(), edit);
    }

    /// Takes in the edits of another copy of the profile: per field, the later edit wins.
    pub fn merge(&mut self, other: &Profile) {
        for (field, theirs) in &other.fields {
            let ours = self
                .fields
                .entry(field.clone())
                .or_insert_with(|| theirs.clone());
            *ours = ours.clone().max(theirs.clone());
        }
    }

    /// The profile as its user sees it.
    pub fn view(&self) -> BTreeMap<String, String> {
        let fields = self.fields.iter();
        fields
            .map(|(f, (_, _, v))| (f.clone(), v.clone()))
            .collect()
    }
}

// ----- Its model: 17 lines, and 6 more for a specification. --------------------------------

/// What a user does: set a field to a value.
type Edit = (&'static str, &'static str);

/// How the framework sees a `Profile`.
#[derive(Clone)]
struct ProfileModel;

#[rustfmt::skip] // one line per method, to read as one screen
impl Model for ProfileModel {
    type State = Profile;
    type Op = Edit;
    type Value = BTreeMap<String, String>;

    fn state_eq(&self, a: &Self::State, b: &Self::State) -> Option<bool> {
        Some(a == b)
    }
    fn new_replica(&self, _: ReplicaId) -> Profile { Profile::default() }
    fn value(&self, p: &Profile) -> Self::Value { p.view() }
    fn ops(&self) -> BoxedStrategy<Edit> { (select(vec!["name", "city"]), select(vec!["Ada", "Oslo"])).boxed() }
    /// Optional: per field, the visible edit with the greatest (Lamport time, editor) wins.
    fn spec(&self, h: &History<Edit>) -> Option<Self::Value> {
        let stamped = |e: &Event<Edit>| (e.op.0, (h.lamport(e.dot), e.dot.replica, e.op.1));
        let mut latest = BTreeMap::new();
        for (field, edit) in h.events().iter().map(stamped) { latest.entry(field).and_modify(|l| *l = edit.max(*l)).or_insert(edit); }
        Some(latest.into_iter().map(|(f, (_, _, v))| (f.to_string(), v.to_string())).collect())
    }
}

#[rustfmt::skip]
impl StateCrdt for ProfileModel {
    fn apply(&self, p: &mut Profile, id: ReplicaId, (field, value): &Edit) { p.edit(id.0, field, value) }
    fn merge(&self, into: &mut Profile, from: &Profile) { into.merge(from) }
}

// ----- The check. -----------------------------------------------------------------------------

/// Every law, then 2,000 schedules of 4 replicas with drops, duplicates, reordering,
/// partitions and crashes; the findings, if any.
fn verify() -> Result<(), String> {
    let laws = check_state(&ProfileModel, &Config::default());
    let schedules = Harness::state(&ProfileModel)
        .replicas(4)
        .faults(Faults::ALL)
        .schedules(2_000)
        .run();
    match (laws.all_passed(), schedules.passed()) {
        (true, true) => Ok(()),
        _ => Err(format!("{laws}\n{schedules}")),
    }
}

#[test]
fn profile_is_a_crdt() {
    verify().unwrap_or_else(|findings| panic!("{findings}"));
}

fn main() -> ExitCode {
    match verify() {
        Ok(()) => {
            println!("Profile: every law holds, and 2,000 schedules found nothing.");
            ExitCode::SUCCESS
        }
        Err(findings) => {
            eprintln!("{findings}");
            ExitCode::FAILURE
        }
    }
}
