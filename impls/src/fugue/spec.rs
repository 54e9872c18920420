//! A specification of the Fugue list: a deliberately naive implementation of the paper's tree,
//! and the value a replica must show given the edits visible to it.
//!
//! Both live in `crdt-laws` ([`crdt_laws::vocab::list`]), so that a model of another library's
//! list can state the Fugue or FugueMax specification without depending on this crate; they are
//! re-exported here. [`NaiveFugue`] shares no code with [`FugueList`](super::FugueList) beyond
//! the [`Side`](super::Side) and [`RightSiblings`](super::RightSiblings) enums, so comparing the
//! two is a meaningful test. It is quadratic: use it on small histories only.

pub use crdt_laws::vocab::list::{NaiveFugue, Origin, fugue, fugue_max, tree, value};
