//! The trait every state-based CRDT of this crate implements, so combinators can build on it.

/// A join-semilattice with a least element: the algebra of a state-based CRDT.
///
/// # Contract
/// Writing `a ⊔ b` for `a.merge(&b)` and `⊥` for [`bottom`](Self::bottom):
/// - `a ⊔ b = b ⊔ a`, `(a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)`, `a ⊔ a = a`;
/// - `⊥ ⊔ a = a`.
///
/// If merge is not commutative, two replicas that exchange states end up different; if it is
/// not associative, the result depends on how gossip grouped the states; if it is not
/// idempotent, a retransmitted state changes the result. [`Pair`](crate::Pair) and
/// [`Map`](crate::Map) are lattices whenever their parts are, which is why they are generic over
/// this trait. The `crdt-laws` models of this crate check the contract on every type.
///
/// ```
/// use crdt_impls::{GSet, Lattice};
///
/// let a: GSet<u8> = [1, 2].into_iter().collect();
/// let b: GSet<u8> = [2, 3].into_iter().collect();
/// assert_eq!(a.clone().join(&b), b.clone().join(&a));
/// assert!(a.leq(&a.clone().join(&b)));
/// assert!(GSet::bottom().leq(&a));
/// ```
pub trait Lattice: Clone + PartialEq {
    /// Joins `other` into `self`: `self ← self ⊔ other`.
    fn merge(&mut self, other: &Self);

    /// The least state, the identity of merge: a replica that has seen nothing.
    fn bottom() -> Self;

    /// `self ⊔ other`, by value.
    #[must_use]
    fn join(mut self, other: &Self) -> Self {
        self.merge(other);
        self
    }

    /// The order merge induces: `self ≤ other` when `self ⊔ other = other`, i.e. `other`
    /// already knows everything `self` knows.
    fn leq(&self, other: &Self) -> bool {
        other.clone().join(self) == *other
    }
}

/// Implements [`Lattice`] and `Default` (the bottom) for a type with inherent `merge`, `leq`
/// and `new` (its bottom): `impl_lattice!(GSet<T> where T: Ord + Clone);`.
macro_rules! impl_lattice {
    ($ty:ident $(<$($param:ident),+>)? $(where $($bound:tt)+)?) => {
        impl$(<$($param),+>)? Default for $ty$(<$($param),+>)? $(where $($bound)+)? {
            fn default() -> Self {
                Self::new()
            }
        }

        impl$(<$($param),+>)? $crate::Lattice for $ty$(<$($param),+>)? $(where $($bound)+)? {
            fn merge(&mut self, other: &Self) {
                Self::merge(self, other);
            }
            fn bottom() -> Self {
                Self::new()
            }
            fn leq(&self, other: &Self) -> bool {
                Self::leq(self, other)
            }
        }
    };
}
