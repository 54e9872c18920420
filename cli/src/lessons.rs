//! The lessons in `docs/lessons/`, compiled and run as doc-tests: every Rust block of every
//! lesson is a test (`cargo test -p crdt-cli --doc lessons`).
//!
//! The counterexamples and drawings the lessons show are checked against what the code
//! produces by `cli/tests/lessons.rs`.

/// Lesson 1: orders.
#[doc = include_str!("../../docs/lessons/01-orders.md")]
pub struct Lesson01;

/// Lesson 2: join semilattices.
#[doc = include_str!("../../docs/lessons/02-semilattices.md")]
pub struct Lesson02;

/// Lesson 3: monotone updates and the G-Set.
#[doc = include_str!("../../docs/lessons/03-monotone-updates.md")]
pub struct Lesson03;

/// Lesson 4: counters.
#[doc = include_str!("../../docs/lessons/04-counters.md")]
pub struct Lesson04;

/// Lesson 5: last writer wins, and ties.
#[doc = include_str!("../../docs/lessons/05-lww.md")]
pub struct Lesson05;

/// Lesson 6: the OR-Set and add-wins.
#[doc = include_str!("../../docs/lessons/06-or-set.md")]
pub struct Lesson06;

/// Lesson 7: deltas.
#[doc = include_str!("../../docs/lessons/07-deltas.md")]
pub struct Lesson07;

/// Lesson 8: op-based CRDTs and delivery.
#[doc = include_str!("../../docs/lessons/08-op-based.md")]
pub struct Lesson08;

/// Lesson 9: Fugue and interleaving.
#[doc = include_str!("../../docs/lessons/09-fugue.md")]
pub struct Lesson09;

/// Lesson 10: moving things.
#[doc = include_str!("../../docs/lessons/10-moving.md")]
pub struct Lesson10;

/// Lesson 11: causal stability and garbage.
#[doc = include_str!("../../docs/lessons/11-causal-stability.md")]
pub struct Lesson11;
