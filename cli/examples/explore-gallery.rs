//! Every gallery entry found by exhaustive exploration: the fewest replicas and the minimal
//! depth, the states and time, and the counterexample's length, as a Markdown table.
//! `docs/gallery.md` shows its output. Generic over the catalogue: new entries get a row.
//!
//! ```text
//! cargo run --release -p crdt-cli --example explore-gallery
//! ```

use crdt_cli::catalogue;
use crdt_cli::explore_gallery::{MAX_DEPTH, table};

fn main() {
    print!("{}", table(&catalogue::gallery(), MAX_DEPTH));
}
