//! A versioned JSON schema for the results of CRDT verification runs, and its renderers:
//! terminal, Markdown, JUnit XML and self-contained HTML with SVG diagrams.
//!
//! This crate depends on no checker code: it renders data.
#![deny(missing_docs)]
