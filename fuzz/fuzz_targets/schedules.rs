//! Coverage-guided fuzzing of the harness: libFuzzer's bytes become a schedule (through
//! `Schedule::from_bytes`, the same path as `crdt-harness fuzz`) run against one catalogue
//! model; a finding is a crash libFuzzer keeps and minimizes.
//!
//! ```text
//! cargo install cargo-fuzz
//! cd fuzz
//! CRDT_FUZZ_MODEL=or-set RUSTC_BOOTSTRAP=1 cargo fuzz run schedules -- -max_total_time=60
//! ```
#![no_main]

use std::sync::OnceLock;

use crdt_harness::Options;
use crdt_cli::catalogue::{self, Entry};
use libfuzzer_sys::fuzz_target;

/// The model under test: `CRDT_FUZZ_MODEL` (a name from `crdt-harness list`), or `or-set`.
fn entry() -> &'static dyn Entry {
    static ENTRY: OnceLock<Box<dyn Entry>> = OnceLock::new();
    ENTRY
        .get_or_init(|| {
            let name = std::env::var("CRDT_FUZZ_MODEL").unwrap_or_else(|_| "or-set".into());
            catalogue::find(&name).unwrap_or_else(|| panic!("unknown model {name:?}"))
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    if let Some(outcome) = entry().run_bytes(data, &Options::default())
        && let Some(finding) = outcome.finding
    {
        panic!("{finding}");
    }
});
