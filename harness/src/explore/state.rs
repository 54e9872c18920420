//! The explorer's global state, its transitions, its fingerprint, and the oracles it checks
//! on every transition.
//!
//! A global state holds every replica (state, value, the updates it has seen, whether it is
//! up), the updates issued so far with what their origin had seen, the messages in flight in
//! the simulator's order, the partition and the faults used. Transitions mirror the
//! simulator's steps one for one ([`crate::sim`]), so that a path converts to a
//! [`Schedule`](crate::Schedule) that [`sim::run`](crate::sim::run) replays exactly.
//!
//! The fingerprint hashes the `Debug` text of every replica's state (computed once, when the
//! state changes). This assumes `Debug` is deterministic: two equal states print the same text.
//! States built from `BTreeMap`, `Vec` and plain fields are; a `HashMap` iterates in a random
//! order and breaks the assumption (the explorer then finds fewer duplicates, never wrong
//! ones). Two different states with the same text would be merged: `Debug` must show
//! everything that matters.

use std::collections::hash_map::DefaultHasher;
use std::fmt::{self, Debug, Write as _};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use smallvec::SmallVec;

use super::hash::{Fp128, Memo, Mix, fmix};

use crdt_laws::contain::catch_panic;
use crdt_laws::{Delivery, Dot, Flavour, History, Model, ReplicaId};

use crate::protocol::{Produced, Protocol};
use crate::schedule::Step;
use crate::sim::{Limits, Property};

/// A set of updates, one bit per dot: bit `replica * per + seq - 1`.
pub(crate) type Bits = u128;

pub(crate) type StateOf<P> = <<P as Protocol>::Model as Model>::State;
pub(crate) type ValueOf<P> = <<P as Protocol>::Model as Model>::Value;
pub(crate) type OpOf<P> = <<P as Protocol>::Model as Model>::Op;

/// Where each dot's bit lives.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Layout {
    /// Replicas.
    pub replicas: usize,
    /// Bits per replica: the most updates one replica may issue.
    pub per: usize,
}

impl Layout {
    pub(crate) fn new(replicas: usize) -> Self {
        Layout {
            replicas,
            per: 128 / replicas,
        }
    }

    pub(crate) fn bit(&self, replica: usize, seq: usize) -> Bits {
        1 << (replica * self.per + seq - 1)
    }

    pub(crate) fn dot(&self, bit: usize) -> (usize, usize) {
        (bit / self.per, bit % self.per + 1)
    }
}

/// One replica in a global state.
pub(crate) struct Rep<P: Protocol> {
    pub state: Arc<StateOf<P>>,
    pub value: Arc<ValueOf<P>>,
    /// Hash of the state's `Debug` text.
    pub hash: u64,
    pub seen: Bits,
    pub up: bool,
    /// A crashed replica: the state it had when it crashed (its `state` is the snapshot it
    /// restarts from), for the monotone-growth check at the restart.
    pub at_crash: Option<(Arc<StateOf<P>>, u64)>,
}

impl<P: Protocol> Clone for Rep<P> {
    fn clone(&self) -> Self {
        Rep {
            state: Arc::clone(&self.state),
            value: Arc::clone(&self.value),
            hash: self.hash,
            seen: self.seen,
            up: self.up,
            at_crash: self.at_crash.clone(),
        }
    }
}

/// One message in flight.
pub(crate) struct Msg<P: Protocol> {
    pub from: u8,
    pub to: u8,
    /// The updates it carries.
    pub seen: Bits,
    /// Operation messages: the update's bit.
    pub update: Option<Bits>,
    pub payload: Arc<P::Payload>,
    /// Hash of the payload's content: its `Debug` text (operation messages) or the sending
    /// state's (state messages, whose payload is a function of that state).
    pub content: u64,
    /// Hash of sender, receiver, updates and the payload's content: the message's identity
    /// across interleavings.
    pub key: u64,
    /// Made by a send or a duplicate (not by an update's broadcast): a step that only adds
    /// this message, which a shortest counterexample never leaves untouched (see
    /// [`Ctx::pending`]).
    pub optional: bool,
}

impl<P: Protocol> Clone for Msg<P> {
    fn clone(&self) -> Self {
        Msg {
            from: self.from,
            to: self.to,
            seen: self.seen,
            update: self.update,
            payload: Arc::clone(&self.payload),
            content: self.content,
            key: self.key,
            optional: self.optional,
        }
    }
}

/// One replica's updates in order: (operation index, what its origin had seen).
pub(crate) type Issued = Arc<Vec<(u16, Bits)>>;

/// A global state.
pub(crate) struct Global<P: Protocol> {
    pub reps: SmallVec<[Rep<P>; 3]>,
    /// Per replica, its updates in order: (operation index, what its origin had seen).
    /// Each replica's list is shared between states until an update of that replica changes
    /// it.
    pub updates: SmallVec<[Issued; 3]>,
    /// A hash of `updates` (the sum of its entries' hashes, kept as updates are issued).
    pub updates_hash: u64,
    /// Messages in flight, in the order the simulator keeps them.
    pub flight: SmallVec<[Msg<P>; 4]>,
    /// One side of the partition (a replica mask), or 0.
    pub side: u32,
    /// Faults used: drops, duplicates, partitions, crashes.
    pub used: [u8; 4],
}

impl<P: Protocol> Clone for Global<P> {
    fn clone(&self) -> Self {
        Global {
            reps: self.reps.clone(),
            updates: self.updates.clone(),
            updates_hash: self.updates_hash,
            flight: self.flight.clone(),
            side: self.side,
            used: self.used,
        }
    }
}

/// A transition, as the explorer enumerates it: replica ids and a flight index (which
/// means the same message in every symmetric image of a state, since images evolve in step).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Move {
    Update { r: u8, op: u16 },
    Send { from: u8, to: u8 },
    Deliver { to: u8, k: usize },
    Drop { k: usize },
    Duplicate { k: usize },
    Partition { side: u32 },
    Heal,
    Crash { r: u8 },
    Restart { r: u8 },
}

impl Move {
    /// The move with replica ids mapped by `perm` (flight indices stay).
    pub(crate) fn rename(self, perm: &[u8]) -> Move {
        let p = |r: u8| perm[r as usize];
        match self {
            Move::Update { r, op } => Move::Update { r: p(r), op },
            Move::Send { from, to } => Move::Send {
                from: p(from),
                to: p(to),
            },
            Move::Deliver { to, k } => Move::Deliver { to: p(to), k },
            Move::Partition { side } => {
                let mut mapped = 0;
                for (r, &to) in perm.iter().enumerate() {
                    if side & (1 << r) != 0 {
                        mapped |= 1 << to;
                    }
                }
                Move::Partition { side: mapped }
            }
            Move::Crash { r } => Move::Crash { r: p(r) },
            Move::Restart { r } => Move::Restart { r: p(r) },
            other => other,
        }
    }
}

/// What the explorer checks finds: a property broken, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Broken {
    pub property: Property,
    pub message: String,
}

/// What stays fixed during one exploration.
pub(crate) struct Ctx<'a, P: Protocol> {
    pub p: &'a P,
    pub alphabet: &'a [OpOf<P>],
    pub layout: Layout,
    pub reorder: bool,
    pub limits: Limits,
    pub sequence_model: bool,
    pub state_based: bool,
    /// Bounds: drops, duplicates, partitions, crashes.
    pub bounds: [u8; 4],
    /// What the model computed, by replica state.
    pub memo: Memos<P>,
}

/// A replica state the model made, with what the explorer derives from it once.
pub(crate) struct Made<P: Protocol> {
    pub state: Arc<StateOf<P>>,
    pub value: Arc<ValueOf<P>>,
    /// Hash of the state's `Debug` text, and the text's length.
    pub hash: u64,
    pub len: usize,
    /// The model's invariant on the value.
    pub invariant: Result<(), String>,
}

/// An operation message: its payload and the hash of its `Debug` text.
type Broadcast<P> = Option<(Arc<<P as Protocol>::Payload>, u64)>;

/// A state after an update, and the message the update broadcasts.
type Updated<P> = (Arc<Made<P>>, Broadcast<P>);

/// The explorer's memo tables (see [`super::hash`]).
pub(crate) struct Memos<P: Protocol> {
    /// (state, operation, replica, sequence number) to the state after the update and its
    /// message.
    updates: Memo<(u64, u16, u8, u64), Updated<P>>,
    /// (state, payload content) to the state after receiving it.
    receives: Memo<(u64, u64), Arc<Made<P>>>,
    /// A state to the payload it sends.
    payloads: Memo<u64, Arc<P::Payload>>,
    /// (before, after) to the protocol's order on them.
    leq: Memo<(u64, u64), Option<bool>>,
    /// (state, updates seen, their history's hash) to the specification's verdict (the
    /// expected value's text when it is not the state's).
    spec: Memo<(u64, Bits, u64), Result<(), String>>,
}

impl<P: Protocol> Memos<P> {
    pub(crate) fn new() -> Self {
        Memos {
            updates: Memo::new(),
            receives: Memo::new(),
            payloads: Memo::new(),
            leq: Memo::new(),
            spec: Memo::new(),
        }
    }
}

/// Feeds `Debug` text into a hasher without building a string, and counts its length.
struct HashWriter<'h> {
    hasher: &'h mut DefaultHasher,
    len: usize,
}

impl fmt::Write for HashWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.hasher.write(s.as_bytes());
        self.len += s.len();
        Ok(())
    }
}

/// The hash of `value`'s `Debug` text, and the text's length.
pub(crate) fn debug_hash(value: &impl Debug) -> (u64, usize) {
    let mut hasher = DefaultHasher::new();
    let mut writer = HashWriter {
        hasher: &mut hasher,
        len: 0,
    };
    let _ = write!(writer, "{value:?}");
    let len = writer.len;
    (hasher.finish(), len)
}

fn message_key(from: u8, to: u8, seen: Bits, update: Option<Bits>, payload: u64) -> u64 {
    let mut h = Mix::default();
    (from, to, seen, update, payload).hash(&mut h);
    h.finish()
}

/// The hash of one issued update, for [`Global::updates_hash`] and the specification's memo:
/// its dot's bit, its operation and what its origin had seen.
fn entry_hash(bit: usize, op: u16, deps: Bits) -> u64 {
    fmix(
        (bit as u64 | u64::from(op) << 8)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(fmix(deps as u64) ^ fmix((deps >> 64) as u64).rotate_left(7)),
    )
}

type Checked<T = ()> = Result<T, Broken>;

impl<P: Protocol> Ctx<'_, P>
where
    OpOf<P>: Clone,
{
    /// The initial global state, and what its oracles say.
    pub(crate) fn root(&self) -> (Global<P>, Option<Broken>) {
        let model = self.p.model();
        let n = self.layout.replicas;
        let made = catch_panic(|| {
            (0..n)
                .map(|r| {
                    let made = self.made(model.new_replica(ReplicaId::new(r as u32)));
                    Rep {
                        state: made.state,
                        value: made.value,
                        hash: made.hash,
                        seen: 0,
                        up: true,
                        at_crash: None,
                    }
                })
                .collect::<SmallVec<_>>()
        });
        let reps = match made {
            Ok(reps) => reps,
            Err(panic) => panic!("the model {panic} while the replicas were created"),
        };
        let mut g = Global {
            reps,
            updates: (0..n).map(|_| Arc::new(Vec::new())).collect(),
            updates_hash: 0,
            flight: SmallVec::new(),
            side: 0,
            used: [0; 4],
        };
        let mut broken = None;
        for i in 0..n {
            let made = Made {
                state: Arc::clone(&g.reps[i].state),
                value: Arc::clone(&g.reps[i].value),
                hash: g.reps[i].hash,
                len: 0,
                invariant: model.invariant(&g.reps[i].value),
            };
            if let Err(b) = self.after_change(&mut g, i, None, &made) {
                broken = Some(b);
                break;
            }
        }
        (g, broken)
    }

    fn blocked(&self, g: &Global<P>, a: u8, b: u8) -> bool {
        g.side != 0 && ((g.side >> a) & 1) != ((g.side >> b) & 1)
    }

    /// The simulator's `allowed`: the declared delivery lets message `m` arrive now.
    fn allowed(&self, g: &Global<P>, m: &Msg<P>) -> bool {
        let Some(bit) = m.update else {
            return true;
        };
        let seen = g.reps[m.to as usize].seen;
        if seen & bit != 0 {
            return true;
        }
        let (origin, seq) = self.layout.dot(bit.trailing_zeros() as usize);
        match self.p.delivery() {
            Delivery::Causal => {
                let deps = g.updates[origin][seq - 1].1;
                deps & !seen == 0
            }
            Delivery::FifoPerSender => (1..seq).all(|s| seen & self.layout.bit(origin, s) != 0),
            _ => true,
        }
    }

    fn ready(&self, g: &Global<P>, k: usize) -> bool {
        let m = &g.flight[k];
        !self.blocked(g, m.from, m.to) && self.allowed(g, m)
    }

    /// The moves enabled in `g`, in a fixed order.
    pub(crate) fn moves(&self, g: &Global<P>) -> Moves {
        let n = self.layout.replicas;
        let mut moves = Moves::new();
        for r in 0..n {
            if g.reps[r].up && g.updates[r].len() < self.layout.per {
                for op in 0..self.alphabet.len() {
                    moves.push(Move::Update {
                        r: r as u8,
                        op: op as u16,
                    });
                }
            }
        }
        if self.state_based {
            for from in 0..n {
                if g.reps[from].up {
                    for to in (0..n).filter(|&to| to != from) {
                        moves.push(Move::Send {
                            from: from as u8,
                            to: to as u8,
                        });
                    }
                }
            }
        }
        for to in 0..n {
            if !g.reps[to].up {
                continue;
            }
            let mut addressed = (0..g.flight.len()).filter(|&k| g.flight[k].to as usize == to);
            if self.reorder {
                // One move per distinct message (copies of one message lead to one state).
                let mut keys: Vec<u64> = Vec::new();
                for k in addressed {
                    if self.ready(g, k) && !keys.contains(&g.flight[k].key) {
                        keys.push(g.flight[k].key);
                        moves.push(Move::Deliver { to: to as u8, k });
                    }
                }
            } else if let Some(k) = addressed.next()
                && self.ready(g, k)
            {
                moves.push(Move::Deliver { to: to as u8, k });
            }
        }
        if g.used[0] < self.bounds[0] {
            moves.extend((0..g.flight.len()).map(|k| Move::Drop { k }));
        }
        if g.used[1] < self.bounds[1] {
            moves.extend((0..g.flight.len()).map(|k| Move::Duplicate { k }));
        }
        if g.side == 0 && g.used[2] < self.bounds[2] {
            // One side of each split: the side that holds replica A.
            let full = (1u32 << n) - 1;
            moves.extend(
                (1..full)
                    .filter(|s| s & 1 == 1)
                    .map(|side| Move::Partition { side }),
            );
        }
        if g.side != 0 {
            moves.push(Move::Heal);
        }
        for r in 0..n {
            if g.reps[r].up && g.used[3] < self.bounds[3] {
                moves.push(Move::Crash { r: r as u8 });
            }
            if !g.reps[r].up {
                moves.push(Move::Restart { r: r as u8 });
            }
        }
        moves
    }

    /// The simulator step that performs `mv` in `g`.
    pub(crate) fn step(&self, g: &Global<P>, mv: Move) -> Step<OpOf<P>> {
        let id = |r: u8| ReplicaId::new(u32::from(r));
        let back = |len: usize, pos: usize| (len - 1 - pos) as u32;
        match mv {
            Move::Update { r, op } => Step::Update {
                replica: id(r),
                op: self.alphabet[op as usize].clone(),
            },
            Move::Send { from, to } => Step::Send {
                from: id(from),
                to: id(to),
            },
            Move::Deliver { to, k } => {
                let pick = if self.reorder {
                    let candidates: Vec<usize> = (0..g.flight.len())
                        .filter(|&j| g.flight[j].to == to && self.ready(g, j))
                        .collect();
                    let pos = candidates.iter().position(|&j| j == k).unwrap_or(0);
                    back(candidates.len(), pos)
                } else {
                    0
                };
                Step::Deliver { to: id(to), pick }
            }
            Move::Drop { k } => Step::Drop {
                pick: back(g.flight.len(), k),
            },
            Move::Duplicate { k } => Step::Duplicate {
                pick: back(g.flight.len(), k),
            },
            Move::Partition { side } => Step::Partition {
                side: (0..self.layout.replicas as u32)
                    .filter(|r| side & (1 << r) != 0)
                    .map(ReplicaId::new)
                    .collect(),
            },
            Move::Heal => Step::Heal,
            Move::Crash { r } => Step::Crash { replica: id(r) },
            Move::Restart { r } => Step::Restart { replica: id(r) },
        }
    }

    /// Performs `mv` on `g` and runs the oracles on what changed.
    pub(crate) fn apply(&self, g: &mut Global<P>, mv: Move) -> Checked {
        match catch_panic(|| self.apply_inner(g, mv)) {
            Ok(result) => result,
            Err(panic) => Err(Broken {
                property: Property::Panic,
                message: format!("the model {panic}"),
            }),
        }
    }

    /// A state the model made, with its hash, value and invariant.
    fn made(&self, state: StateOf<P>) -> Made<P> {
        let (hash, len) = debug_hash(&state);
        let value = self.p.model().value(&state);
        let invariant = self.p.model().invariant(&value);
        Made {
            state: Arc::new(state),
            value: Arc::new(value),
            hash,
            len,
            invariant,
        }
    }

    /// Replica `i` takes the state `made`, within the state-size limit.
    fn install(&self, g: &mut Global<P>, i: usize, made: &Made<P>) -> Checked {
        if made.len > self.limits.max_state_bytes {
            return Err(Broken {
                property: Property::StateExplosion,
                message: format!(
                    "{}'s state grew to {} bytes of Debug text, over the limit of {}",
                    ReplicaId::new(i as u32),
                    made.len,
                    self.limits.max_state_bytes
                ),
            });
        }
        let rep = &mut g.reps[i];
        rep.state = Arc::clone(&made.state);
        rep.value = Arc::clone(&made.value);
        rep.hash = made.hash;
        Ok(())
    }

    fn push(&self, g: &mut Global<P>, msg: Msg<P>) {
        g.flight.push(msg);
    }

    fn apply_inner(&self, g: &mut Global<P>, mv: Move) -> Checked {
        let model = self.p.model();
        match mv {
            Move::Update { r, op } => {
                let i = r as usize;
                let seq = g.updates[i].len() + 1;
                let before = (Arc::clone(&g.reps[i].state), g.reps[i].hash);
                let (made, broadcast) =
                    self.memo.updates.get_or((before.1, op, r, seq as u64), || {
                        let dot = Dot::new(ReplicaId::new(u32::from(r)), seq as u64);
                        let mut state = model.fork(&before.0);
                        let produced = self.p.update(&mut state, dot, &self.alphabet[op as usize]);
                        let broadcast = match produced {
                            Produced::Nothing => None,
                            Produced::Delta(_) => {
                                unreachable!("the explorer refuses delta-state models up front")
                            }
                            Produced::Broadcast(message) => {
                                let (hash, _) = debug_hash(&message);
                                Some((Arc::new(message), hash))
                            }
                        };
                        (Arc::new(self.made(state)), broadcast)
                    });
                let bit = self.layout.bit(i, seq);
                let seen = g.reps[i].seen;
                Arc::make_mut(&mut g.updates[i]).push((op, seen));
                g.updates_hash = g.updates_hash.wrapping_add(entry_hash(
                    bit.trailing_zeros() as usize,
                    op,
                    seen,
                ));
                g.reps[i].seen |= bit;
                self.install(g, i, &made)?;
                if let Some((payload, content)) = broadcast {
                    for j in (0..self.layout.replicas).filter(|&j| j != i) {
                        let key = message_key(r, j as u8, bit, Some(bit), content);
                        self.push(
                            g,
                            Msg {
                                from: r,
                                to: j as u8,
                                seen: bit,
                                update: Some(bit),
                                payload: Arc::clone(&payload),
                                content,
                                key,
                                optional: false,
                            },
                        );
                    }
                }
                self.after_change(g, i, Some((&before.0, before.1)), &made)
            }
            Move::Send { from, to } => {
                let sender = &g.reps[from as usize];
                let content = sender.hash;
                let payload = self.memo.payloads.get_or(content, || {
                    Arc::new(
                        self.p
                            .state_payload(&sender.state)
                            .expect("state-based protocols ship states"),
                    )
                });
                let seen = sender.seen;
                let key = message_key(from, to, seen, None, content);
                self.push(
                    g,
                    Msg {
                        from,
                        to,
                        seen,
                        update: None,
                        payload,
                        content,
                        key,
                        optional: true,
                    },
                );
                Ok(())
            }
            Move::Deliver { k, .. } => {
                let m = g.flight.remove(k);
                let i = m.to as usize;
                if let Some(bit) = m.update
                    && g.reps[i].seen & bit != 0
                    && !self.p.delivery().duplicates()
                {
                    // The harness discards a duplicate the model cannot take.
                    return Ok(());
                }
                let before = (Arc::clone(&g.reps[i].state), g.reps[i].hash);
                let made = self.memo.receives.get_or((before.1, m.content), || {
                    let mut state = model.fork(&before.0);
                    self.p.receive(&mut state, &m.payload);
                    Arc::new(self.made(state))
                });
                g.reps[i].seen |= m.seen;
                self.install(g, i, &made)?;
                self.after_change(g, i, Some((&before.0, before.1)), &made)
            }
            Move::Drop { k } => {
                g.flight.remove(k);
                g.used[0] += 1;
                Ok(())
            }
            Move::Duplicate { k } => {
                let mut copy = g.flight[k].clone();
                copy.optional = true;
                g.flight.push(copy);
                g.used[1] += 1;
                Ok(())
            }
            Move::Partition { side } => {
                g.side = side;
                g.used[2] += 1;
                Ok(())
            }
            Move::Heal => {
                g.side = 0;
                Ok(())
            }
            Move::Crash { r } => {
                let i = r as usize;
                let at_crash = Arc::clone(&g.reps[i].state);
                let restored = match model.round_trip(&at_crash) {
                    None => model.fork(&at_crash),
                    Some(Ok(restored)) => restored,
                    Some(Err(e)) => {
                        return Err(Broken {
                            property: Property::Persistence,
                            message: format!(
                                "{}'s state could not be saved at a crash: {e}",
                                ReplicaId::new(u32::from(r))
                            ),
                        });
                    }
                };
                let hash = g.reps[i].hash;
                g.reps[i].at_crash = Some((at_crash, hash));
                g.reps[i].up = false;
                g.used[3] += 1;
                // The snapshot is what the replica restarts from; its value is judged then.
                self.install(g, i, &self.made(restored))
            }
            Move::Restart { r } => {
                let i = r as usize;
                let (at_crash, hash) = g.reps[i].at_crash.take().expect("a crashed replica");
                g.reps[i].up = true;
                let made = Made {
                    state: Arc::clone(&g.reps[i].state),
                    value: Arc::clone(&g.reps[i].value),
                    hash: g.reps[i].hash,
                    len: 0,
                    invariant: model.invariant(&g.reps[i].value),
                };
                self.after_change(g, i, Some((&at_crash, hash)), &made)
            }
        }
    }

    /// The simulator's oracles after replica `i` changed (from `before`): invariant, monotone
    /// growth, specification, one order of sequence elements among the replicas now, and
    /// convergence of `i` with every replica that has seen the same updates.
    fn after_change(
        &self,
        g: &mut Global<P>,
        i: usize,
        before: Option<(&StateOf<P>, u64)>,
        made: &Made<P>,
    ) -> Checked {
        let r = ReplicaId::new(i as u32);
        let rep = &g.reps[i];
        if let Err(broken) = &made.invariant {
            return Err(Broken {
                property: Property::Invariant,
                message: format!("{r} shows a value that breaks the model's invariant: {broken}"),
            });
        }
        if let Some((before, before_hash)) = before
            && self
                .memo
                .leq
                .get_or((before_hash, rep.hash), || self.p.leq(before, &rep.state))
                == Some(false)
        {
            return Err(Broken {
                property: Property::MonotoneGrowth,
                message: format!("{r}'s state moved down: the new state is not above the old one"),
            });
        }
        let key = (rep.hash, rep.seen, self.history_hash(g, rep.seen));
        let verdict = self.memo.spec.get_or(key, || {
            if let Some(history) = self.history(g, rep.seen)
                && let Some(expected) = self.p.model().spec(&history)
                && expected != *rep.value
            {
                Err(format!(
                    "has seen {} update(s) and shows a value its specification does not \
                     allow: {:?}, expected {expected:?}",
                    rep.seen.count_ones(),
                    rep.value
                ))
            } else {
                Ok(())
            }
        });
        if let Err(message) = verdict {
            return Err(Broken {
                property: Property::Specification,
                message: format!("{r} {message}"),
            });
        }
        if self.sequence_model {
            self.check_order(g, i)?;
        }
        for (j, other) in g.reps.iter().enumerate() {
            if j == i || !other.up || !rep.up || other.seen != rep.seen {
                continue;
            }
            let o = ReplicaId::new(j as u32);
            if !Arc::ptr_eq(&other.value, &rep.value) && other.value != rep.value {
                return Err(Broken {
                    property: Property::Convergence,
                    message: format!(
                        "{r} and {o} have seen the same {} update(s) but show different values: \
                         {:?} and {:?}",
                        rep.seen.count_ones(),
                        rep.value,
                        other.value
                    ),
                });
            }
            if self.state_based
                && !Arc::ptr_eq(&rep.state, &other.state)
                && self.p.model().state_eq(&rep.state, &other.state) == Some(false)
            {
                return Err(Broken {
                    property: Property::EqualValuesDifferentStates,
                    message: format!(
                        "{r} and {o} have seen the same updates and show the same value, but \
                         their states differ"
                    ),
                });
            }
        }
        Ok(())
    }

    /// A hash of the updates in `seen` (their dots, operations and dependencies): equal for
    /// equal histories.
    fn history_hash(&self, g: &Global<P>, seen: Bits) -> u64 {
        let per = self.layout.per;
        let mut sum = 0u64;
        let mut rest = seen;
        while rest != 0 {
            let bit = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let (op, deps) = g.updates[bit / per][bit % per];
            sum = sum.wrapping_add(entry_hash(bit, op, deps));
        }
        sum
    }

    /// The history a specification receives for a replica that has seen `seen`, or `None` when
    /// what it has seen is not causally complete (the simulator does not judge it then).
    fn history(&self, g: &Global<P>, seen: Bits) -> Option<History<OpOf<P>>> {
        let per = self.layout.per;
        let mut visible: Vec<(usize, usize, Bits)> = Vec::new();
        let mut rest = seen;
        while rest != 0 {
            let bit = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let (origin, seq) = (bit / per, bit % per + 1);
            let deps = g.updates[origin][seq - 1].1;
            if deps & !seen != 0 {
                return None;
            }
            visible.push((origin, seq, deps));
        }
        // Topological order (a linear extension of happens-before), ties by dot.
        let mut history = History::new();
        let mut placed: Bits = 0;
        while !visible.is_empty() {
            let k = visible
                .iter()
                .position(|&(_, _, deps)| deps & !placed == 0)
                .expect("happens-before is acyclic");
            let (origin, seq, deps) = visible.remove(k);
            let mut dep_dots = Vec::new();
            let mut d = deps;
            while d != 0 {
                let bit = d.trailing_zeros() as usize;
                d &= d - 1;
                let (o, s) = (bit / per, bit % per + 1);
                dep_dots.push(Dot::new(ReplicaId::new(o as u32), s as u64));
            }
            let op = g.updates[origin][seq - 1].0;
            history.push(
                Dot::new(ReplicaId::new(origin as u32), seq as u64),
                self.alphabet[op as usize].clone(),
                dep_dots,
            );
            placed |= self.layout.bit(origin, seq);
        }
        Some(history)
    }

    /// Sequences: replica `i` orders the elements it shares with every other live replica the
    /// same way they do.
    fn check_order(&self, g: &Global<P>, i: usize) -> Checked {
        let model = self.p.model();
        let Some(mine) = model.element_ids(&g.reps[i].state) else {
            return Ok(());
        };
        for (j, other) in g.reps.iter().enumerate() {
            if j == i || !other.up {
                continue;
            }
            let Some(theirs) = model.element_ids(&other.state) else {
                continue;
            };
            let common_mine: Vec<Dot> = mine
                .iter()
                .copied()
                .filter(|d| theirs.contains(d))
                .collect();
            let common_theirs: Vec<Dot> = theirs
                .iter()
                .copied()
                .filter(|d| mine.contains(d))
                .collect();
            if common_mine != common_theirs {
                let (r, o) = (ReplicaId::new(i as u32), ReplicaId::new(j as u32));
                return Err(Broken {
                    property: Property::SequenceOrder,
                    message: format!(
                        "{r} orders the elements {common_mine:?}, {o} orders them \
                         {common_theirs:?}"
                    ),
                });
            }
        }
        Ok(())
    }

    /// The fingerprint of `g`: every replica (state text, updates seen, up, the state at a
    /// crash), the updates issued, the messages in flight (a multiset when messages may
    /// overtake each other, else each receiver's queue in order), the partition and the faults
    /// used.
    pub(crate) fn fingerprint(&self, g: &Global<P>) -> u128 {
        let mut h = Fp128::new();
        for rep in &g.reps {
            h.word(rep.hash);
            h.word(rep.seen as u64);
            h.word((rep.seen >> 64) as u64);
            h.word(match &rep.at_crash {
                None => u64::from(rep.up),
                Some((_, hash)) => fmix(*hash) ^ 2,
            });
        }
        h.word(g.updates_hash);
        // The flight's keys, sorted, in a buffer on the stack when the flight is small.
        let mut buffer = [(0u8, 0u64); 32];
        let mut heap = Vec::new();
        let keys: &mut [(u8, u64)] = if g.flight.len() <= buffer.len() {
            for (slot, m) in buffer.iter_mut().zip(&g.flight) {
                *slot = (m.to, m.key);
            }
            &mut buffer[..g.flight.len()]
        } else {
            heap.extend(g.flight.iter().map(|m| (m.to, m.key)));
            &mut heap
        };
        if self.reorder {
            keys.sort_unstable();
        } else {
            keys.sort_by_key(|&(to, _)| to);
        }
        h.word(keys.len() as u64);
        for &(to, key) in keys.iter() {
            h.word(u64::from(to) << 56 ^ key);
        }
        let full = (1u32 << self.layout.replicas) - 1;
        let side = if g.side & 1 == 0 && g.side != 0 {
            !g.side & full
        } else {
            g.side
        };
        h.word(u64::from(side) | u64::from(u32::from_le_bytes(g.used)) << 32);
        h.finish()
    }

    /// The messages in flight made by sends and duplicates: each needs a step of its own (a
    /// delivery, a drop or a duplicate) before a shortest counterexample ends, since a path
    /// that leaves one untouched is still a counterexample without the step that made it.
    pub(crate) fn pending(&self, g: &Global<P>) -> usize {
        g.flight.iter().filter(|m| m.optional).count()
    }

    /// Whether two moves, both enabled in one state, commute and neither disables the other:
    /// steps at different replicas (updates, sends, deliveries) that do not both append to
    /// one receiver's queue (when messages do not overtake, the order of two appends to a
    /// queue matters). Faults, partitions and crashes interact with everything.
    pub(crate) fn independent(&self, a: Label, b: Label) -> bool {
        let actor = |l: Label| match l {
            Label::Update { r, .. } => Some(r),
            Label::Send { from, .. } => Some(from),
            Label::Deliver { to, .. } => Some(to),
            Label::Fault => None,
        };
        let (Some(x), Some(y)) = (actor(a), actor(b)) else {
            return false;
        };
        if x == y {
            return false;
        }
        if self.reorder {
            return true;
        }
        let full = (1u32 << self.layout.replicas) - 1;
        let appends = |l: Label| match l {
            Label::Update { r, .. } if !self.state_based => full & !(1 << r),
            Label::Send { to, .. } => 1 << to,
            _ => 0,
        };
        appends(a) & appends(b) == 0
    }

    /// The label a move keeps in sleep sets: its message is named by content, not position.
    pub(crate) fn label(&self, g: &Global<P>, mv: Move) -> Label {
        match mv {
            Move::Update { r, op } => Label::Update { r, op },
            Move::Send { from, to } => Label::Send { from, to },
            Move::Deliver { to, k } => Label::Deliver {
                to,
                key: g.flight[k].key,
            },
            _ => Label::Fault,
        }
    }
}

/// The moves enabled in a state.
pub(crate) type Moves = SmallVec<[Move; 32]>;

/// A sleep set.
pub(crate) type Sleep = SmallVec<[Label; 8]>;

/// A move as sleep sets remember it (only the moves that can be independent of others).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Label {
    Update { r: u8, op: u16 },
    Send { from: u8, to: u8 },
    Deliver { to: u8, key: u64 },
    Fault,
}

/// True for the flavours the explorer drives.
pub(crate) fn supported(flavour: Flavour) -> bool {
    matches!(flavour, Flavour::StateBased | Flavour::OpBased)
}
