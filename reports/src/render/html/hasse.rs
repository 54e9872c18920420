//! The Hasse diagram of the states in a counterexample.

use std::fmt::Write as _;

use petgraph::algo::tred::{dag_to_toposorted_adjacency_list, dag_transitive_reduction_closure};
use petgraph::algo::{condensation, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::IntoNeighbors;

use super::svg::{self, Colour, MONO, SANS_BOLD};
use crate::render::source_note;
use crate::render::text::{truncate, xml};
use crate::{Counterexample, Lattice};

const LAYER_GAP: f64 = 84.0;
const NODE_GAP: f64 = 26.0;
const NODE_HEIGHT: f64 = 42.0;
const MARGIN: f64 = 16.0;
const CHARS: usize = 30;

/// Draws the states of a counterexample as an SVG Hasse diagram, or `None` when it has no
/// [`Lattice`].
///
/// A state is drawn above another when it is greater, with a line between them when nothing
/// lies in between: the transitive reduction of the order, computed with petgraph after
/// collapsing states that are below each other (a broken antisymmetry) into one dashed red box.
/// States named by the two sides of the broken equation are red. Layers are the longest chains
/// from the bottom, ordered within to reduce crossings.
///
/// ```
/// let report = crdt_reports::example_report();
/// let law = &report.models["g_set_meet"].laws["update_inflationary"];
/// let crdt_reports::Outcome::Failed { counterexample } = &law.outcome else { unreachable!() };
/// let svg = crdt_reports::hasse_svg(counterexample).unwrap();
/// assert_eq!(svg.matches("<line").count(), 4); // five pairs, one implied by two others
/// ```
#[must_use]
pub fn hasse_svg(counterexample: &Counterexample) -> Option<String> {
    let lattice = counterexample.lattice.as_ref()?;
    let highlighted: Vec<&str> = counterexample
        .sides
        .iter()
        .flatten()
        .map(|side| side.label.as_str())
        .collect();
    Some(draw(&Layout::new(lattice), lattice, &highlighted))
}

/// Classes of equivalent states, their covering relation, and where each class sits.
struct Layout {
    /// Each class: the indices of its states into `Lattice::elements`.
    classes: Vec<Vec<usize>>,
    /// `(lower, upper)` class pairs of the transitive reduction.
    covers: Vec<(usize, usize)>,
    /// Each class's layer (0 at the bottom) and centre x.
    position: Vec<(usize, f64)>,
    width: Vec<f64>,
    layers: usize,
    canvas_width: f64,
}

impl Layout {
    fn new(lattice: &Lattice) -> Self {
        let n = lattice.elements.len();
        let mut graph = DiGraph::<usize, ()>::new();
        let nodes: Vec<NodeIndex> = (0..n).map(|i| graph.add_node(i)).collect();
        for &(i, j) in &lattice.leq {
            let (i, j) = (i as usize, j as usize);
            if i != j && i < n && j < n {
                graph.update_edge(nodes[i], nodes[j], ());
            }
        }
        // States below each other form one class; the quotient is a DAG.
        let quotient = condensation(graph, true);
        let order = toposort(&quotient, None).unwrap_or_else(|_| quotient.node_indices().collect());
        let (sorted, _) = dag_to_toposorted_adjacency_list::<_, u32>(&quotient, &order);
        let (reduction, _) = dag_transitive_reduction_closure(&sorted);
        let mut classes: Vec<Vec<usize>> = order.iter().map(|&c| quotient[c].clone()).collect();
        for class in &mut classes {
            class.sort_unstable();
        }
        let k = classes.len();
        let mut covers = Vec::new();
        let mut layer = vec![0usize; k];
        for lower in 0..k {
            for upper in reduction.neighbors(lower as u32) {
                let upper = upper as usize;
                covers.push((lower, upper));
                layer[upper] = layer[upper].max(layer[lower] + 1);
            }
        }
        let width: Vec<f64> = classes
            .iter()
            .map(|class| {
                let (label, debug) = texts(lattice, class);
                let chars = label.chars().count().max(debug.chars().count());
                (chars as f64 * 7.2 + 20.0).max(56.0)
            })
            .collect();
        let layers = layer.iter().max().map_or(0, |m| m + 1);
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
        for (class, &l) in layer.iter().enumerate() {
            rows[l].push(class);
        }
        order_by_barycentres(&mut rows, &covers);
        let row_width = |row: &[usize]| {
            row.iter().map(|&c| width[c]).sum::<f64>()
                + NODE_GAP * row.len().saturating_sub(1) as f64
        };
        let canvas_width = rows.iter().map(|r| row_width(r)).fold(0.0, f64::max) + 2.0 * MARGIN;
        let mut position = vec![(0, 0.0); k];
        for (l, row) in rows.iter().enumerate() {
            let mut x = (canvas_width - row_width(row)) / 2.0;
            for &class in row {
                position[class] = (l, x + width[class] / 2.0);
                x += width[class] + NODE_GAP;
            }
        }
        Self {
            classes,
            covers,
            position,
            width,
            layers,
            canvas_width,
        }
    }

    fn y(&self, class: usize) -> f64 {
        let layer = self.position[class].0;
        MARGIN + (self.layers - 1 - layer) as f64 * LAYER_GAP + NODE_HEIGHT / 2.0
    }
}

/// Reorders each layer by the mean position of its neighbours in the layer below, then above,
/// a few times: the barycentre heuristic for fewer crossings.
fn order_by_barycentres(rows: &mut [Vec<usize>], covers: &[(usize, usize)]) {
    let classes = rows.iter().map(Vec::len).sum();
    let mut slot = vec![0.0; classes];
    let update = |rows: &[Vec<usize>], slot: &mut Vec<f64>| {
        for row in rows {
            for (i, &c) in row.iter().enumerate() {
                slot[c] = i as f64;
            }
        }
    };
    update(rows, &mut slot);
    for sweep in 0..4 {
        let upward = sweep % 2 == 0;
        let layer_order: Vec<usize> = if upward {
            (1..rows.len()).collect()
        } else {
            (0..rows.len().saturating_sub(1)).rev().collect()
        };
        for l in layer_order {
            let key = |c: usize| {
                let neighbours: Vec<f64> = covers
                    .iter()
                    .filter_map(|&(lo, up)| {
                        if upward && up == c {
                            Some(slot[lo])
                        } else if !upward && lo == c {
                            Some(slot[up])
                        } else {
                            None
                        }
                    })
                    .collect();
                if neighbours.is_empty() {
                    slot[c]
                } else {
                    neighbours.iter().sum::<f64>() / neighbours.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize)> = rows[l].iter().map(|&c| (key(c), c)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            rows[l] = keyed.into_iter().map(|(_, c)| c).collect();
            update(rows, &mut slot);
        }
    }
}

/// A class's two lines: its states' labels, and their `Debug` texts.
fn texts(lattice: &Lattice, class: &[usize]) -> (String, String) {
    let terms = class.iter().map(|&i| &lattice.elements[i]);
    let labels: Vec<&str> = terms.clone().map(|t| t.label.as_str()).collect();
    let mut debugs: Vec<&str> = terms.map(|t| t.debug.as_str()).collect();
    debugs.dedup();
    (
        truncate(&labels.join(" ≡ "), CHARS),
        truncate(&debugs.join(" / "), CHARS),
    )
}

fn draw(layout: &Layout, lattice: &Lattice, highlighted: &[&str]) -> String {
    let height = 2.0 * MARGIN + layout.layers.saturating_sub(1) as f64 * LAYER_GAP + NODE_HEIGHT;
    let mut out = svg::open(
        layout.canvas_width,
        height,
        "Hasse diagram of the states involved",
    );
    for &(lower, upper) in &layout.covers {
        let _ = write!(
            out,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"1.6\"/>",
            layout.position[lower].1,
            layout.y(lower) - NODE_HEIGHT / 2.0,
            layout.position[upper].1,
            layout.y(upper) + NODE_HEIGHT / 2.0,
            Colour::MESSAGE.0
        );
    }
    for (c, class) in layout.classes.iter().enumerate() {
        let (label, debug) = texts(lattice, class);
        let hot = class.iter().any(|&i| {
            highlighted
                .iter()
                .any(|side| lattice.elements[i].names(side))
        });
        let collapsed = class.len() > 1;
        let stroke = if hot || collapsed {
            Colour::DIVERGE
        } else {
            Colour::UPDATE
        };
        let fill = if hot { Colour::PARTITION } else { Colour::NODE };
        let dash = if collapsed {
            " stroke-dasharray=\"5 3\""
        } else {
            ""
        };
        let mut title: Vec<String> = class
            .iter()
            .map(|&i| {
                let element = &lattice.elements[i];
                format!(
                    "{} = {}{}",
                    element.label,
                    element.debug,
                    source_note(element)
                )
            })
            .collect();
        if collapsed {
            title.push("each is ≤ the other: the order is not antisymmetric here".to_owned());
        }
        let (cx, cy, w) = (layout.position[c].1, layout.y(c), layout.width[c]);
        let _ = write!(
            out,
            "<g><title>{}</title><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{NODE_HEIGHT}\" rx=\"8\" \
             fill=\"{}\" stroke=\"{}\" stroke-width=\"1.8\"{dash}/>{}{}</g>",
            xml(&title.join("\n")),
            cx - w / 2.0,
            cy - NODE_HEIGHT / 2.0,
            fill.0,
            stroke.0,
            svg::text_with(
                cx,
                cy - 4.0,
                12.5,
                Colour::TEXT,
                "middle",
                SANS_BOLD,
                &label
            ),
            svg::text_with(cx, cy + 13.0, 12.0, Colour::MUTED, "middle", MONO, &debug),
        );
    }
    out.push_str("</svg>");
    out
}
