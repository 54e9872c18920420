//! Renders the example report (`crdt_reports::example_report`) in every format.
//!
//! ```text
//! cargo run -p crdt-reports --example render_example -- [DIR]
//! ```
//!
//! writes `report.{txt,md,xml,html,json}` into `DIR` (default: `target/crdt-reports/example/`)
//! and prints each path with its size.

use std::path::PathBuf;

use crdt_reports::{Format, default_output_dir, example_report};

fn main() -> Result<(), crdt_reports::Error> {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| default_output_dir().join("example"), PathBuf::from);
    let report = example_report();
    for format in [
        Format::Terminal { colour: false },
        Format::Markdown,
        Format::Junit,
        Format::Html,
        Format::Json,
    ] {
        let path = dir.join(format!("report.{}", format.extension()));
        report.write(&path, format)?;
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!("{:>8} bytes  {}", bytes, path.display());
    }
    Ok(())
}
