//! The README's Rust examples, compiled and run as doc-tests.
#![doc = include_str!("../../README.md")]
