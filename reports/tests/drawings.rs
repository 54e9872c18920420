//! The SVG drawings are well-formed XML for any finding or counterexample, so that a hostile
//! `Debug` text cannot break the page.

mod common;

use common::finding;
use crdt_reports::{Counterexample, Lattice, Term, hasse_svg, spacetime_svg};
use proptest::prelude::*;

fn assert_xml(svg: &str) -> Result<(), TestCaseError> {
    match roxmltree::Document::parse(svg) {
        Ok(doc) => {
            prop_assert_eq!(doc.root_element().tag_name().name(), "svg");
            Ok(())
        }
        Err(e) => Err(TestCaseError::fail(format!("not XML: {e}\n{svg}"))),
    }
}

proptest! {
    #[test]
    fn spacetime_diagrams_are_svg(f in finding()) {
        assert_xml(&spacetime_svg(&f))?;
    }

    #[test]
    fn hasse_diagrams_are_svg(
        elements in proptest::collection::vec(common::text(), 0..7),
        leq in proptest::collection::vec((0u32..8, 0u32..8), 0..16),
    ) {
        let lattice = Lattice {
            elements: elements.iter().map(|e| Term::new(e.clone(), e.clone())).collect(),
            leq,
        };
        let c = Counterexample { lattice: Some(lattice), ..Counterexample::default() };
        assert_xml(&hasse_svg(&c).unwrap())?;
    }
}

#[test]
fn hasse_draws_the_transitive_reduction_of_a_chain() {
    // 0 ≤ 1 ≤ 2 ≤ 3, given as the whole relation: only the three covering pairs are drawn.
    let leq = (0..4u32)
        .flat_map(|i| (i..4).map(move |j| (i, j)))
        .collect();
    let elements = (0..4)
        .map(|i| Term::new(format!("s{i}"), i.to_string()))
        .collect();
    let c = Counterexample {
        lattice: Some(Lattice { elements, leq }),
        ..Counterexample::default()
    };
    let svg = hasse_svg(&c).unwrap();
    assert_eq!(svg.matches("<line").count(), 3, "{svg}");
    assert_eq!(svg.matches("<rect").count(), 4, "{svg}");
}

#[test]
fn hasse_collapses_states_below_each_other() {
    // a ≤ b and b ≤ a with a ≠ b (antisymmetry broken), both above ⊥.
    let elements = vec![
        Term::new("⊥", "0"),
        Term::new("a", "x"),
        Term::new("b", "y"),
    ];
    let c = Counterexample {
        lattice: Some(Lattice {
            elements,
            leq: vec![(1, 2), (2, 1), (0, 1), (0, 2)],
        }),
        ..Counterexample::default()
    };
    let svg = hasse_svg(&c).unwrap();
    assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
    assert_eq!(svg.matches("<line").count(), 1, "{svg}");
    assert!(svg.contains("a ≡ b"), "{svg}");
    assert!(svg.contains("not antisymmetric"), "{svg}");
}
