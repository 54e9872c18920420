//! The built-in catalogue: the models `crdt-harness` knows by name.
//!
//! Each entry erases its model's types behind [`Entry`], so the command line can list, check
//! and replay models of every flavour alike.

use crdt_laws::{Config, DeltaCrdt, Flavour, LawReport, OpCrdt, StateCrdt};

/// A model the command line can check, with its types erased.
pub trait Entry: Sync {
    /// The name users type: `g-set`, `or-set`.
    fn name(&self) -> &str;
    /// One line on what the model is.
    fn description(&self) -> &str;
    /// The model's flavour.
    fn flavour(&self) -> Flavour;
    /// Runs the law catalogue on the model.
    fn check_laws(&self, config: &Config) -> LawReport;
}

struct Named<M> {
    name: &'static str,
    description: &'static str,
    flavour: Flavour,
    model: M,
    laws: fn(&M, &Config) -> LawReport,
}

impl<M: Sync> Entry for Named<M> {
    fn name(&self) -> &str {
        self.name
    }
    fn description(&self) -> &str {
        self.description
    }
    fn flavour(&self) -> Flavour {
        self.flavour
    }
    fn check_laws(&self, config: &Config) -> LawReport {
        (self.laws)(&self.model, config)
    }
}

/// An entry for a state-based model.
pub fn state<M: StateCrdt + Sync + 'static>(
    name: &'static str,
    description: &'static str,
    model: M,
) -> Box<dyn Entry>
where
    M::Op: 'static,
{
    Box::new(Named {
        name,
        description,
        flavour: Flavour::StateBased,
        model,
        laws: crdt_laws::check_state::<M>,
    })
}

/// An entry for a delta-state model.
pub fn delta<M: DeltaCrdt + Sync + 'static>(
    name: &'static str,
    description: &'static str,
    model: M,
) -> Box<dyn Entry>
where
    M::Op: 'static,
{
    Box::new(Named {
        name,
        description,
        flavour: Flavour::DeltaState,
        model,
        laws: crdt_laws::check_delta::<M>,
    })
}

/// An entry for an operation-based model.
pub fn op<M: OpCrdt + Sync + 'static>(
    name: &'static str,
    description: &'static str,
    model: M,
) -> Box<dyn Entry>
where
    M::Op: 'static,
{
    Box::new(Named {
        name,
        description,
        flavour: Flavour::OpBased,
        model,
        laws: crdt_laws::check_op::<M>,
    })
}

/// The built-in models, in the order `crdt-harness list` shows them.
#[must_use]
pub fn builtin() -> Vec<Box<dyn Entry>> {
    use crdt_laws::toys::{Divisibility, MaxRegister, OpCounter, OpGrowSet, SetUnion};
    vec![
        delta(
            "toy/max-register",
            "u64 under ≤, joined by max",
            MaxRegister,
        ),
        state(
            "toy/divisibility",
            "u64 under divisibility, joined by lcm",
            Divisibility,
        ),
        delta(
            "toy/set-union",
            "BTreeSet<u8> under ⊆, joined by union",
            SetUnion::default(),
        ),
        op(
            "toy/op-counter",
            "op-based counter, exactly-once delivery in any order",
            OpCounter,
        ),
        op(
            "toy/op-grow-set",
            "op-based grow-only set, duplicating network",
            OpGrowSet,
        ),
    ]
}

/// The built-in model called `name`.
#[must_use]
pub fn find(name: &str) -> Option<Box<dyn Entry>> {
    builtin().into_iter().find(|e| e.name() == name)
}
