//! The sibling rules that distinguish Fugue from FugueMax.

use std::fmt::Debug;

/// How a Fugue tree orders the right children of one node: shared with the naive tree of the
/// specification, in `crdt-laws`.
pub use crdt_laws::vocab::list::RightSiblings;

/// A Fugue variant: the rule that orders concurrent siblings. Implemented by [`Fugue`] and
/// [`FugueMax`] only.
pub trait SiblingOrder:
    Copy + Debug + Default + Eq + Send + Sync + 'static + sealed::Sealed
{
    /// How right siblings are ordered.
    const RIGHT_SIBLINGS: RightSiblings;
    /// The variant's name for reports: `"Fugue"` or `"FugueMax"`.
    const NAME: &'static str;
}

/// Fugue: concurrent siblings on either side are ordered by id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Fugue;

/// FugueMax: right siblings are ordered by the reverse order of their right origins (ties by
/// id), which makes it *maximally* non-interleaving; left siblings by id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FugueMax;

impl SiblingOrder for Fugue {
    const RIGHT_SIBLINGS: RightSiblings = RightSiblings::ById;
    const NAME: &'static str = "Fugue";
}

impl SiblingOrder for FugueMax {
    const RIGHT_SIBLINGS: RightSiblings = RightSiblings::ByRightOriginReversed;
    const NAME: &'static str = "FugueMax";
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Fugue {}
    impl Sealed for super::FugueMax {}
}
