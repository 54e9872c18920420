//! Counterexamples told in plain words.

use std::collections::{BTreeMap, BTreeSet};

use super::text::{prose_list, replica};
use crate::{Event, Finding};

/// One sentence per step of a schedule, in the indicative: `A applies add(3)`,
/// `A sends m1 (state {3}) to B`, `the network drops m1`.
pub(crate) fn steps(schedule: &[Event]) -> Vec<String> {
    let mut senders: BTreeMap<u32, u32> = BTreeMap::new();
    let mut delivered: BTreeSet<(u32, u32)> = BTreeSet::new();
    schedule
        .iter()
        .map(|event| match event {
            Event::Update { replica: r, label } => format!("{} applies {label}", replica(*r)),
            Event::Send {
                from,
                to,
                message_id,
                label,
            } => {
                senders.insert(*message_id, *from);
                let carrying = if label.is_empty() {
                    String::new()
                } else {
                    format!(" ({label})")
                };
                match to {
                    Some(to) => format!(
                        "{} sends m{message_id}{carrying} to {}",
                        replica(*from),
                        replica(*to)
                    ),
                    None => format!("{} broadcasts m{message_id}{carrying}", replica(*from)),
                }
            }
            Event::Deliver { to, message_id } => {
                let receiver = replica(*to);
                if !delivered.insert((*message_id, *to)) {
                    format!("{receiver} receives m{message_id} again")
                } else if let Some(from) = senders.get(message_id) {
                    format!("{receiver} receives m{message_id} from {}", replica(*from))
                } else {
                    format!("{receiver} receives m{message_id}")
                }
            }
            Event::Drop { message_id } => format!("the network drops m{message_id}"),
            Event::Duplicate { message_id } => format!("the network duplicates m{message_id}"),
            Event::Partition { groups } => {
                let groups: Vec<String> = groups.iter().map(|g| group(g)).collect();
                format!("the network splits into {}", prose_list(&groups))
            }
            Event::Heal => "the network heals".to_owned(),
            Event::Crash { replica: r } => format!("{} crashes", replica(*r)),
            Event::Restart { replica: r } => {
                format!("{} restarts from its last snapshot", replica(*r))
            }
            Event::Join { replica: r } => format!("{} joins late", replica(*r)),
            Event::Quiesce => "the schedule ends and the network settles".to_owned(),
        })
        .collect()
}

/// How long a minimal schedule is: `3 steps, then quiescence (9 events)`.
pub(crate) fn size(finding: &Finding) -> String {
    let steps = finding.shrunk_steps;
    let noun = if steps == 1 { "step" } else { "steps" };
    if finding.schedule.iter().any(|e| matches!(e, Event::Quiesce)) {
        format!(
            "{steps} {noun}, then quiescence; {} events",
            finding.schedule.len() - 1
        )
    } else {
        format!("{steps} {noun}; {} events", finding.schedule.len())
    }
}

/// A group of replicas: `{A, C}`.
pub(crate) fn group(replicas: &[u32]) -> String {
    let names: Vec<String> = replicas.iter().map(|r| replica(*r)).collect();
    format!("{{{}}}", names.join(", "))
}

/// A finding told as a story: "Let replica A add(3); let B remove(3); then A sends m1 ... So A
/// shows {3} while B shows {}. This breaks convergence: ..."
///
/// ```
/// use crdt_reports::{Event, Finding, Property};
/// let finding = Finding {
///     property: Property::Convergence,
///     replicas: 2,
///     schedule: vec![
///         Event::Update { replica: 0, label: "add(x)".into() },
///         Event::Update { replica: 1, label: "remove(x)".into() },
///         Event::Send { from: 0, to: Some(1), message_id: 1, label: "state {x}".into() },
///         Event::Drop { message_id: 1 },
///     ],
///     final_values: vec!["{x}".into(), "{}".into()],
///     ..Finding::default()
/// };
/// assert_eq!(
///     crdt_reports::story(&finding),
///     "Let replica A add(x); let B remove(x); then A sends m1 (state {x}) to B; \
///      the network drops m1. So A shows {x} while B shows {}. This breaks convergence: \
///      replicas that have seen the same updates must show the same value."
/// );
/// ```
#[must_use]
pub fn story(finding: &Finding) -> String {
    let mut clauses = Vec::with_capacity(finding.schedule.len());
    let mut leading_updates = true;
    let mut settling = false;
    for (i, (event, step)) in finding
        .schedule
        .iter()
        .zip(steps(&finding.schedule))
        .enumerate()
    {
        if matches!(event, Event::Quiesce) {
            // What follows is the settling: tell it as one clause with the end of the schedule.
            clauses.push(if clauses.is_empty() {
                "as the network settles".to_owned()
            } else {
                "then the schedule ends, and as the network settles".to_owned()
            });
            leading_updates = false;
            settling = true;
            continue;
        }
        if settling && let Some(last) = clauses.last_mut() {
            settling = false;
            last.push_str(", ");
            last.push_str(&step);
            continue;
        }
        let clause = match event {
            Event::Update { replica: r, label } if leading_updates => {
                let who = if i == 0 { "replica " } else { "" };
                format!("let {who}{} {label}", replica(*r))
            }
            _ if leading_updates && i > 0 => {
                leading_updates = false;
                format!("then {step}")
            }
            _ => {
                leading_updates = false;
                step
            }
        };
        clauses.push(clause);
    }
    let mut story = capitalized(&clauses.join("; "));
    if !story.is_empty() {
        story.push_str(". ");
    }
    if let Some(outcome) = outcome(&finding.final_values) {
        story.push_str(&outcome);
        story.push_str(". ");
    }
    story.push_str(&format!(
        "This breaks {}: {}.",
        finding.property.noun(),
        finding.property.explanation()
    ));
    story
}

/// "So A and C show {x} while B shows {}", or "So every replica shows {x}".
fn outcome(values: &[String]) -> Option<String> {
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let name = replica(u32::try_from(i).unwrap_or(u32::MAX));
        match groups.iter_mut().find(|(v, _)| *v == value.as_str()) {
            Some((_, names)) => names.push(name),
            None => groups.push((value, vec![name])),
        }
    }
    let shows = |(value, names): &(&str, Vec<String>)| {
        let verb = if names.len() == 1 { "shows" } else { "show" };
        format!("{} {verb} {value}", prose_list(names))
    };
    match groups.as_slice() {
        [] => None,
        [(value, _)] if values.len() > 1 => Some(format!("So every replica shows {value}")),
        [only] => Some(format!("So {}", shows(only))),
        [first, second] => Some(format!("So {} while {}", shows(first), shows(second))),
        many => {
            let parts: Vec<String> = many.iter().map(shows).collect();
            Some(format!("So {}", prose_list(&parts)))
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_step_reads_as_a_sentence() {
        let schedule = vec![
            Event::Join { replica: 2 },
            Event::Send {
                from: 0,
                to: None,
                message_id: 4,
                label: String::new(),
            },
            Event::Duplicate { message_id: 4 },
            Event::Deliver {
                to: 1,
                message_id: 4,
            },
            Event::Deliver {
                to: 1,
                message_id: 4,
            },
            Event::Deliver {
                to: 2,
                message_id: 9,
            },
            Event::Partition {
                groups: vec![vec![0, 2], vec![1]],
            },
            Event::Crash { replica: 2 },
            Event::Restart { replica: 2 },
            Event::Heal,
        ];
        assert_eq!(
            steps(&schedule),
            [
                "C joins late",
                "A broadcasts m4",
                "the network duplicates m4",
                "B receives m4 from A",
                "B receives m4 again",
                "C receives m9",
                "the network splits into {A, C} and {B}",
                "C crashes",
                "C restarts from its last snapshot",
                "the network heals",
            ]
        );
    }

    #[test]
    fn outcomes_group_replicas_by_value() {
        let v = |xs: &[&str]| xs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(outcome(&[]), None);
        assert_eq!(
            outcome(&v(&["1", "1"])).unwrap(),
            "So every replica shows 1"
        );
        assert_eq!(outcome(&v(&["1"])).unwrap(), "So A shows 1");
        assert_eq!(
            outcome(&v(&["1", "2", "1"])).unwrap(),
            "So A and C show 1 while B shows 2"
        );
        assert_eq!(
            outcome(&v(&["1", "2", "3"])).unwrap(),
            "So A shows 1, B shows 2 and C shows 3"
        );
    }

    #[test]
    fn a_story_without_steps_still_names_the_property() {
        let finding = Finding {
            property: crate::Property::Panic,
            ..Finding::default()
        };
        assert_eq!(
            story(&finding),
            "This breaks panic freedom: the model must not panic."
        );
    }
}
