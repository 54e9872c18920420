//! Equality and serialization of lists, both defined on the CRDT state itself: the elements,
//! their places in the Fugue tree and their tombstones, never the layout of the index.
//!
//! The encoding lists, for each replica that inserted elements, its values, its insertion runs
//! and its deleted ranges. Decoding validates it and rebuilds the index by integrating the runs,
//! so a decoded list is as trustworthy as one built by edits; bad input is an error, never a
//! panic.

use std::collections::BTreeSet;

use crdt_laws::ReplicaId;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::compact::DELETED;
use super::integrate::PendingRun;
use super::list::List;
use super::message::{Id, Side};
use super::order::SiblingOrder;
use super::tree::{Agent, Lid, Tree};
use super::values::Values;

/// An insertion run in the encoding.
#[derive(PartialEq, Serialize, Deserialize)]
struct RunRepr {
    start: u32,
    parent: Option<Id>,
    side: Side,
    right_origin: Option<Id>,
}

/// The elements of one replica in the encoding.
#[derive(Serialize, Deserialize)]
struct ReplicaRepr<V> {
    replica: ReplicaId,
    values: V,
    runs: Vec<RunRepr>,
    /// Deleted counters, as `[start, len]` ranges.
    deleted: Vec<[u32; 2]>,
}

/// The encoding of a list.
#[derive(Serialize, Deserialize)]
struct ListRepr<V> {
    replica: ReplicaId,
    elements: Vec<ReplicaRepr<V>>,
}

fn run_repr<V: Values>(tree: &Tree<V>, run: &super::tree::Run) -> RunRepr {
    RunRepr {
        start: run.start,
        parent: run.parent.map(|lid| tree.to_id(lid)),
        side: run.side,
        right_origin: run.right_origin.map(|lid| tree.to_id(lid)),
    }
}

/// Values serialized as a sequence, whatever their storage.
struct Seq<'a, V>(&'a V);

impl<V: Values> Serialize for Seq<'_, V>
where
    V::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.range(0, self.0.len()))
    }
}

impl<T: Serialize, O, V: Values<Item = T>> Serialize for List<T, O, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let elements = self
            .tree
            .agents_by_replica()
            .map(|agent| ReplicaRepr {
                replica: agent.replica,
                values: Seq(&agent.values),
                runs: agent
                    .runs
                    .iter()
                    .map(|run| run_repr(&self.tree, run))
                    .collect(),
                deleted: agent
                    .deleted_ranges()
                    .map(|(start, len)| [start, len])
                    .collect(),
            })
            .collect();
        ListRepr {
            replica: self.replica,
            elements,
        }
        .serialize(serializer)
    }
}

impl<'de, T, O, V> Deserialize<'de> for List<T, O, V>
where
    T: Clone + Deserialize<'de>,
    O: SiblingOrder,
    V: Values<Item = T>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let repr = ListRepr::<Vec<T>>::deserialize(deserializer)?;
        decode(repr).map_err(D::Error::custom)
    }
}

/// Rebuilds a list from its encoding, validating it.
fn decode<T: Clone, O: SiblingOrder, V: Values<Item = T>>(
    repr: ListRepr<Vec<T>>,
) -> Result<List<T, O, V>, String> {
    let mut list = List::<T, O, V>::new(repr.replica);
    let mut agents = Vec::with_capacity(repr.elements.len());
    let mut seen = BTreeSet::new();
    for replica in &repr.elements {
        if !seen.insert(replica.replica) {
            return Err(format!("replica {} is listed twice", replica.replica));
        }
        agents.push(list.tree.agent_or_insert(replica.replica));
    }
    let mut batch = Vec::new();
    for (replica, &agent) in repr.elements.iter().zip(&agents) {
        let len = u32::try_from(replica.values.len())
            .map_err(|_| format!("replica {} has too many elements", replica.replica))?;
        for (i, run) in replica.runs.iter().enumerate() {
            let end = replica.runs.get(i + 1).map_or(len, |next| next.start);
            let expected_start = if i == 0 { Some(0) } else { None };
            if expected_start.is_some_and(|s| s != run.start) || run.start >= end || end > len {
                return Err(format!(
                    "replica {}: runs must start at 0, increase and stay within its {len} values",
                    replica.replica
                ));
            }
            if run.parent.is_none() && run.side == Side::Left {
                return Err(format!(
                    "element {} is a left child of the root",
                    Id::new(replica.replica, run.start)
                ));
            }
            batch.push(PendingRun {
                agent,
                start: run.start,
                parent: run.parent.map(|id| local_id(&mut list.tree, id)),
                side: run.side,
                right_origin: run.right_origin.map(|id| local_id(&mut list.tree, id)),
                values: &replica.values[run.start as usize..end as usize],
            });
        }
        if replica.runs.is_empty() && len > 0 {
            return Err(format!(
                "replica {} has values but no runs",
                replica.replica
            ));
        }
    }
    list.integrate_batch(&batch).map_err(|e| e.to_string())?;
    for (replica, &agent) in repr.elements.iter().zip(&agents) {
        for &[start, len] in &replica.deleted {
            let in_range = start
                .checked_add(len)
                .is_some_and(|end| end as usize <= replica.values.len());
            if !in_range {
                return Err(format!(
                    "replica {}: deleted range {start}+{len} is out of range",
                    replica.replica
                ));
            }
            if len > 0 {
                list.delete_ids(agent, start, len);
            }
        }
    }
    Ok(list)
}

/// The local id of `id` (its agent is created if needed; the element may not exist yet).
fn local_id<V: Values>(tree: &mut Tree<V>, id: Id) -> Lid {
    Lid::new(tree.agent_or_insert(id.replica), id.counter)
}

/// Two lists are equal when they hold the same CRDT state: the same elements (ids, values,
/// places in the tree) and the same tombstones, whichever replica owns them and whatever order
/// they were integrated in.
impl<T: PartialEq, O, V: Values<Item = T> + PartialEq> PartialEq for List<T, O, V> {
    fn eq(&self, other: &Self) -> bool {
        let same_agent = |a: &Agent<V>, b: &Agent<V>| {
            a.replica == b.replica
                && a.values == b.values
                && a.runs.len() == b.runs.len()
                && a.runs
                    .iter()
                    .zip(&b.runs)
                    .all(|(x, y)| run_repr(&self.tree, x) == run_repr(&other.tree, y))
                && a.flags.plane_eq(&b.flags, DELETED)
        };
        let mut ours = self.tree.agents_by_replica();
        let mut theirs = other.tree.agents_by_replica();
        loop {
            match (ours.next(), theirs.next()) {
                (None, None) => return true,
                (Some(a), Some(b)) if same_agent(a, b) => {}
                _ => return false,
            }
        }
    }
}

impl<T: Eq, O, V: Values<Item = T> + Eq> Eq for List<T, O, V> {}

impl<T: PartialEq, O, V: Values<Item = T>> List<T, O, V> {
    /// The lattice order of states: `self ≤ other` when `other` holds every element of `self`
    /// (same id, value and place in the tree) and every tombstone of `self`. Merging is the
    /// least upper bound for this order: `a ≤ b` exactly when `a.merge(b)` equals `b`.
    ///
    /// This is not [`PartialOrd`]: two lists are usually incomparable.
    ///
    /// ```
    /// use crdt_impls::fugue::FugueList;
    /// use crdt_laws::ReplicaId;
    ///
    /// let mut a = FugueList::new(ReplicaId::new(0));
    /// a.insert(0, 'x');
    /// let mut b = a.clone();
    /// b.delete(0);
    /// assert!(a.leq(&b) && !b.leq(&a));
    /// ```
    #[must_use]
    pub fn leq(&self, other: &Self) -> bool {
        self.tree.agents_by_replica().all(|mine| {
            let Some(agent) = other.tree.agent(mine.replica) else {
                return false;
            };
            let theirs = &other.tree.agents[agent as usize];
            let len = mine.values.len();
            let their_runs = theirs.runs.iter().take_while(|r| (r.start as usize) < len);
            mine.values.is_prefix_of(&theirs.values)
                && mine.runs.len() == their_runs.clone().count()
                && mine
                    .runs
                    .iter()
                    .zip(their_runs)
                    .all(|(x, y)| run_repr(&self.tree, x) == run_repr(&other.tree, y))
                && mine.flags.is_subset(&theirs.flags, DELETED)
        })
    }
}
