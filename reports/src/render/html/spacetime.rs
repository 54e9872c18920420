//! The space-time diagram of a schedule: a line per replica, time running right.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::svg::{self, Colour, MONO, SANS, SANS_BOLD};
use crate::render::story::group;
use crate::render::text::{replica, truncate, xml};
use crate::{Event, Finding};

const COLUMN: f64 = 86.0;
const ROW: f64 = 66.0;
const LEFT: f64 = 48.0;
const TOP: f64 = 52.0;
const LABEL_CHARS: usize = 13;
const VALUE_CHARS: usize = 28;

/// Draws a finding's minimal schedule as an SVG space-time diagram.
///
/// Time runs left to right, one column per step (numbered at the top); each replica is a
/// horizontal line. Updates are blue dots labelled with the operation; a message is an arrow
/// from its send to each delivery; a repeated delivery (after a duplication) is a dashed orange
/// arrow, a dropped message a dashed red arrow ending in a cross. A crash is a red cross, the
/// replica's line dashed until it restarts (a green ring); a late joiner's line starts where it
/// joins; a partition shades its columns until the network heals. The diverging replicas'
/// lines, names and final values (at the right) are red. Every mark has a tooltip with its
/// full text. The SVG uses presentation attributes only, no ids and no CSS, so several can sit
/// in one page.
///
/// ```
/// let report = crdt_reports::example_report();
/// let finding = report.models["op_counter_dup"].runs.values().next().unwrap()
///     .findings().next().unwrap();
/// let svg = crdt_reports::spacetime_svg(finding);
/// assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
/// ```
#[must_use]
pub fn spacetime_svg(finding: &Finding) -> String {
    Diagram::new(finding).draw()
}

struct Diagram<'a> {
    finding: &'a Finding,
    replicas: u32,
    width: f64,
    height: f64,
    /// message id → (send column, sender, addressee)
    sends: BTreeMap<u32, (usize, u32, Option<u32>)>,
    /// message id → (column, receiver) of its first delivery
    first_delivery: BTreeMap<u32, (usize, u32)>,
}

fn x(column: usize) -> f64 {
    LEFT + (column as f64 + 0.5) * COLUMN
}

fn y(replica: u32) -> f64 {
    TOP + f64::from(replica) * ROW
}

impl<'a> Diagram<'a> {
    fn new(finding: &'a Finding) -> Self {
        let mut replicas = finding
            .replicas
            .max(u32::try_from(finding.final_values.len()).unwrap_or(u32::MAX));
        let mut sends = BTreeMap::new();
        let mut first_delivery = BTreeMap::new();
        for (column, event) in finding.schedule.iter().enumerate() {
            for r in replicas_in(event) {
                replicas = replicas.max(r.saturating_add(1));
            }
            if let Event::Send {
                from,
                to,
                message_id,
                ..
            } = event
            {
                sends.insert(*message_id, (column, *from, *to));
            }
            if let Event::Deliver { to, message_id } = event {
                first_delivery.entry(*message_id).or_insert((column, *to));
            }
        }
        // Keep a hostile report from asking for a gigantic picture.
        let replicas = replicas.clamp(1, 64);
        let values_width = finding
            .final_values
            .iter()
            .map(|v| v.chars().count().min(VALUE_CHARS))
            .max()
            .map_or(0.0, |chars| chars as f64 * 7.4 + 28.0);
        Self {
            finding,
            replicas,
            width: x(finding.schedule.len()) - COLUMN / 2.0 + 16.0 + values_width,
            height: y(replicas - 1) + 78.0,
            sends,
            first_delivery,
        }
    }

    fn diverges(&self, r: u32) -> bool {
        self.finding.diverging.contains(&r)
    }

    fn draw(&self) -> String {
        let mut out = svg::open(
            self.width,
            self.height,
            "space-time diagram of the minimal schedule",
        );
        self.partitions(&mut out);
        self.step_numbers(&mut out);
        self.lifelines(&mut out);
        self.messages(&mut out);
        self.marks(&mut out);
        self.final_values(&mut out);
        self.legend(&mut out);
        out.push_str("</svg>");
        out
    }

    fn end_x(&self) -> f64 {
        x(self.finding.schedule.len()) - COLUMN / 2.0 + 8.0
    }

    fn partitions(&self, out: &mut String) {
        let schedule = &self.finding.schedule;
        for (column, event) in schedule.iter().enumerate() {
            let Event::Partition { groups } = event else {
                continue;
            };
            let heal = schedule[column..]
                .iter()
                .position(|e| matches!(e, Event::Heal))
                .map_or(schedule.len(), |offset| column + offset);
            let (left, right) = (x(column), x(heal.min(schedule.len())).min(self.end_x()));
            let names: Vec<String> = groups.iter().map(|g| group(g)).collect();
            let label = format!("partition {}", names.join(" | "));
            let bottom = y(self.replicas - 1) + 22.0;
            let _ = write!(
                out,
                "<rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\">\
                 <title>{}</title></rect>",
                TOP - 22.0,
                (right - left).max(4.0),
                bottom - TOP + 22.0,
                Colour::PARTITION.0,
                xml(&label)
            );
            out.push_str(&svg::text(
                left + 4.0,
                bottom - 4.0,
                11.0,
                Colour::DROP,
                "start",
                &label,
            ));
        }
    }

    fn step_numbers(&self, out: &mut String) {
        for column in 0..self.finding.schedule.len() {
            out.push_str(&svg::text(
                x(column),
                14.0,
                10.0,
                Colour::MUTED,
                "middle",
                &(column + 1).to_string(),
            ));
        }
    }

    fn lifelines(&self, out: &mut String) {
        let schedule = &self.finding.schedule;
        for r in 0..self.replicas {
            let (colour, name_colour, width) = if self.diverges(r) {
                (Colour::DIVERGE, Colour::DIVERGE, 2.5)
            } else {
                (Colour::LINE, Colour::TEXT, 1.5)
            };
            let start = schedule
                .iter()
                .position(|e| matches!(e, Event::Join { replica } if *replica == r))
                .map_or(LEFT - 6.0, x);
            let _ = write!(
                out,
                "<line x1=\"{start:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                self.end_x(),
                colour.0,
                y = y(r)
            );
            // While crashed, the line is pale and dashed.
            for (column, event) in schedule.iter().enumerate() {
                if let Event::Crash { replica } = event
                    && *replica == r
                {
                    let restart = schedule[column..]
                        .iter()
                        .position(|e| matches!(e, Event::Restart { replica } if *replica == r))
                        .map_or(self.end_x(), |offset| x(column + offset));
                    let _ = write!(
                        out,
                        "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{restart:.1}\" y2=\"{y:.1}\" stroke=\"white\" stroke-width=\"4\"/>\
                         <line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{restart:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"3 4\"/>",
                        x(column),
                        x(column),
                        Colour::MUTED.0,
                        y = y(r)
                    );
                }
            }
            let weight = if self.diverges(r) { SANS_BOLD } else { SANS };
            out.push_str(&svg::text_with(
                LEFT - 14.0,
                y(r) + 5.0,
                15.0,
                name_colour,
                "end",
                weight,
                &replica(r),
            ));
        }
    }

    /// Where message `id` is "in the network" at `column`, and whether that point lies on the
    /// arrow of its first delivery (otherwise a connector from the send is drawn): on that arrow
    /// if it is in flight then, else half a row from the sender towards its addressee.
    fn in_flight(&self, column: usize, id: u32) -> Option<((f64, f64), bool)> {
        let &(sent, from, to) = self.sends.get(&id)?;
        let first = self.first_delivery.get(&id).copied();
        if let Some((delivered, receiver)) = first
            && sent < column
            && column < delivered
        {
            let t = (x(column) - x(sent)) / (x(delivered) - x(sent));
            let along = y(from) + (y(receiver) - y(from)) * t;
            return Some(((x(column), along), true));
        }
        let towards = to.or(first.map(|(_, receiver)| receiver));
        let down = match towards {
            Some(r) if r != from => r > from,
            _ => from + 1 < self.replicas,
        };
        let offset = if down { ROW / 2.0 } else { -ROW / 2.0 };
        Some(((x(column), y(from) + offset), false))
    }

    /// Message arrows, then (on top) where the network dropped or copied them.
    fn messages(&self, out: &mut String) {
        let mut delivered: BTreeSet<(u32, u32)> = BTreeSet::new();
        let mut marks = String::new();
        for (column, event) in self.finding.schedule.iter().enumerate() {
            let (id, what) = match event {
                Event::Deliver { to, message_id } => {
                    let Some(&(sent, from, _)) = self.sends.get(message_id) else {
                        continue;
                    };
                    let again = !delivered.insert((*message_id, *to));
                    let (colour, what) = if again {
                        (Colour::DUPLICATE, "delivered again")
                    } else {
                        (Colour::MESSAGE, "delivered")
                    };
                    out.push_str(&svg::arrow(
                        (x(sent), y(from)),
                        (x(column), y(*to)),
                        colour,
                        again,
                        &format!("m{message_id} {what} to {}", replica(*to)),
                    ));
                    continue;
                }
                Event::Drop { message_id } => (*message_id, "dropped"),
                Event::Duplicate { message_id } => (*message_id, "duplicated"),
                _ => continue,
            };
            let (Some(&(sent, from, _)), Some(((mx, my), on_arrow))) =
                (self.sends.get(&id), self.in_flight(column, id))
            else {
                continue;
            };
            let dropped = matches!(event, Event::Drop { .. });
            let colour = if dropped {
                Colour::DROP
            } else {
                Colour::DUPLICATE
            };
            if !on_arrow {
                let _ = write!(
                    out,
                    "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{mx:.1}\" y2=\"{my:.1}\" stroke=\"{}\" \
                     stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>",
                    x(sent),
                    y(from),
                    colour.0
                );
            }
            let mark = if dropped {
                svg::cross(mx, my, 6.0, Colour::DROP)
            } else {
                format!(
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"26\" height=\"17\" rx=\"4\" fill=\"white\" \
                     stroke=\"{}\" stroke-width=\"1.5\"/>{}",
                    mx - 13.0,
                    my - 8.5,
                    colour.0,
                    svg::text(mx, my + 4.5, 12.0, colour, "middle", "×2")
                )
            };
            let _ = write!(
                marks,
                "<g><title>step {}: the network {what} m{id}</title>{mark}</g>",
                column + 1
            );
        }
        out.push_str(&marks);
    }

    fn marks(&self, out: &mut String) {
        for (column, event) in self.finding.schedule.iter().enumerate() {
            let cx = x(column);
            if matches!(event, Event::Quiesce) {
                // A dashed line between the schedule and the settling that follows it.
                let qx = cx - COLUMN / 2.0;
                let _ = write!(
                    out,
                    "<g><title>step {}: the schedule ends; quiescence: the network heals and \
                     delivers every message</title><line x1=\"{qx:.1}\" y1=\"{:.1}\" \
                     x2=\"{qx:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"1.5\" \
                     stroke-dasharray=\"5 4\"/>{}</g>",
                    column + 1,
                    TOP - 30.0,
                    y(self.replicas.saturating_sub(1)) + 20.0,
                    Colour::MUTED.0,
                    svg::text(
                        qx + 4.0,
                        TOP - 30.0,
                        11.0,
                        Colour::MUTED,
                        "start",
                        "quiescence"
                    )
                );
                continue;
            }
            let (r, label, mark) = match event {
                Event::Update { replica, label } => (
                    *replica,
                    label.clone(),
                    format!(
                        "<circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"{}\"/>",
                        y(*replica),
                        Colour::UPDATE.0
                    ),
                ),
                Event::Send {
                    from,
                    message_id,
                    label,
                    ..
                } => (
                    *from,
                    if label.is_empty() {
                        format!("m{message_id}")
                    } else {
                        format!("m{message_id}: {label}")
                    },
                    format!(
                        "<circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{}\"/>",
                        y(*from),
                        Colour::MESSAGE.0
                    ),
                ),
                Event::Crash { replica } => (
                    *replica,
                    "crash".to_owned(),
                    svg::cross(cx, y(*replica), 7.0, Colour::DIVERGE),
                ),
                Event::Restart { replica } => (
                    *replica,
                    "restart".to_owned(),
                    format!(
                        "<circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"6\" fill=\"white\" stroke=\"{}\" stroke-width=\"2.5\"/>",
                        y(*replica),
                        Colour::RESTART.0
                    ),
                ),
                Event::Join { replica } => (
                    *replica,
                    "joins".to_owned(),
                    format!(
                        "<line x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"3\"/>",
                        y(*replica) - 9.0,
                        y(*replica) + 9.0,
                        Colour::RESTART.0
                    ),
                ),
                _ => continue,
            };
            let _ = write!(
                out,
                "<g><title>{}</title>{mark}{}</g>",
                xml(&format!("step {}: {} · {label}", column + 1, replica(r))),
                svg::text(
                    cx,
                    y(r) - 12.0,
                    11.0,
                    Colour::TEXT,
                    "middle",
                    &truncate(&label, LABEL_CHARS)
                )
            );
        }
    }

    fn final_values(&self, out: &mut String) {
        let left = self.end_x() + 12.0;
        for (r, value) in (0u32..self.replicas).zip(&self.finding.final_values) {
            let shown = truncate(value, VALUE_CHARS);
            let colour = if self.diverges(r) {
                Colour::DIVERGE
            } else {
                Colour::TEXT
            };
            let box_width = shown.chars().count() as f64 * 7.4 + 12.0;
            let _ = write!(
                out,
                "<g><title>{} shows {}</title><rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{box_width:.1}\" height=\"22\" rx=\"4\" fill=\"{}\" stroke=\"{}\"/>{}</g>",
                replica(r),
                xml(value),
                y(r) - 11.0,
                if self.diverges(r) {
                    Colour::PARTITION.0
                } else {
                    "white"
                },
                colour.0,
                svg::text_with(left + 6.0, y(r) + 4.5, 12.5, colour, "start", MONO, &shown)
            );
        }
    }

    fn legend(&self, out: &mut String) {
        let ly = self.height - 14.0;
        let items: [(Mark, &str); 7] = [
            (
                |x, y| {
                    format!(
                        "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{}\"/>",
                        x + 5.0,
                        Colour::UPDATE.0
                    )
                },
                "update",
            ),
            (
                |x, y| {
                    svg::arrow(
                        (x - 2.0, y),
                        (x + 11.0, y),
                        Colour::MESSAGE,
                        false,
                        "message",
                    )
                },
                "message",
            ),
            (
                |x, y| {
                    svg::arrow(
                        (x - 2.0, y),
                        (x + 11.0, y),
                        Colour::DUPLICATE,
                        true,
                        "duplicate",
                    )
                },
                "duplicate delivery",
            ),
            (
                |x, y| svg::cross(x + 5.0, y, 5.0, Colour::DROP),
                "dropped / crash",
            ),
            (
                |x, y| {
                    format!(
                        "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"white\" stroke=\"{}\" stroke-width=\"2\"/>",
                        x + 5.0,
                        Colour::RESTART.0
                    )
                },
                "restart",
            ),
            (
                |x, y| {
                    format!(
                        "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"11\" height=\"11\" fill=\"{}\"/>",
                        y - 5.5,
                        Colour::PARTITION.0
                    )
                },
                "partition",
            ),
            (
                |x, y| {
                    format!(
                        "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"2.5\"/>",
                        x + 11.0,
                        Colour::DIVERGE.0
                    )
                },
                "diverging replica",
            ),
        ];
        let mut lx = 8.0;
        for (mark, label) in items {
            out.push_str(&mark(lx, ly));
            out.push_str(&svg::text(
                lx + 14.0,
                ly + 4.0,
                11.0,
                Colour::MUTED,
                "start",
                label,
            ));
            lx += 22.0 + label.chars().count() as f64 * 6.4;
        }
    }
}

/// Draws a legend mark at `(x, y)`.
type Mark = fn(f64, f64) -> String;

fn replicas_in(event: &Event) -> Vec<u32> {
    match event {
        Event::Update { replica, .. }
        | Event::Crash { replica }
        | Event::Restart { replica }
        | Event::Join { replica } => vec![*replica],
        Event::Send { from, to, .. } => std::iter::once(*from).chain(*to).collect(),
        Event::Deliver { to, .. } => vec![*to],
        Event::Partition { groups } => groups.iter().flatten().copied().collect(),
        Event::Drop { .. } | Event::Duplicate { .. } | Event::Heal | Event::Quiesce => Vec::new(),
    }
}
