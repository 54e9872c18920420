//! What can go wrong when integrating a message or decoding a list.

use super::message::Id;

/// A message or an encoded list that a Fugue list cannot integrate. Nothing is changed when
/// integration fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The message refers to an element this replica has not integrated yet: it was delivered
    /// before one of its causal dependencies.
    #[error("element {id} is unknown here: deliver the messages it depends on first")]
    MissingDependency {
        /// The unknown element.
        id: Id,
    },
    /// The message is not well formed (for example a left child of the root).
    #[error("invalid message: {0}")]
    Invalid(String),
}
