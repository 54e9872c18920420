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
use std::sync::OnceLock;

use smallvec::SmallVec;

use super::hash::{Fp128, Memo, Mix, fmix};
use super::intern::Table;

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

/// No id: a replica that has not crashed.
const NONE: u32 = u32::MAX;

/// One replica in a global state: plain data (32 bytes), its state named by an id in the
/// explorer's table of states ([`Memos::state`]).
#[derive(Clone, Copy)]
pub(crate) struct Rep {
    pub seen: Bits,
    /// Hash of the state's `Debug` text.
    pub hash: u64,
    /// The state.
    pub made: u32,
    /// A crashed replica: the state it had when it crashed (its `made` is the snapshot it
    /// restarts from), for the monotone-growth check at the restart; [`NONE`] otherwise (the
    /// replica is up).
    pub at_crash: u32,
}

impl Rep {
    /// Up: not crashed.
    pub(crate) fn up(&self) -> bool {
        self.at_crash == NONE
    }
}

/// A message's payload, with the hash of its content: its `Debug` text (operation messages)
/// or the sending state's (state messages, whose payload is a function of that state).
pub(crate) struct Sent<P: Protocol> {
    pub payload: P::Payload,
    pub content: u64,
}

/// [`Msg::update`] of a state message.
const NO_UPDATE: u8 = u8::MAX;

/// One message in flight: plain data (32 bytes), its payload named by an id in the
/// explorer's table of payloads.
#[derive(Clone, Copy)]
pub(crate) struct Msg {
    /// The updates it carries.
    pub seen: Bits,
    /// Hash of sender, receiver, updates and the payload's content: the message's identity
    /// across interleavings.
    pub key: u64,
    /// The payload.
    pub sent: u32,
    pub from: u8,
    pub to: u8,
    /// Operation messages: the index of the update's bit; [`NO_UPDATE`] for state messages.
    update: u8,
    /// Made by a send or a duplicate (not by an update's broadcast): a step that only adds
    /// this message, which a shortest counterexample never leaves untouched (see
    /// [`Ctx::pending`]).
    pub optional: bool,
}

impl Msg {
    /// Operation messages: the update's bit.
    pub(crate) fn update(&self) -> Option<Bits> {
        (self.update != NO_UPDATE).then(|| 1 << self.update)
    }
}

/// The updates issued so far: per replica, its updates in order (operation index, what its
/// origin had seen), and a hash of them all (the sum of the entries' hashes).
pub(crate) struct Issued {
    pub lists: SmallVec<[Vec<(u16, Bits)>; 3]>,
    pub hash: u64,
}

/// A global state: plain data (a clone copies two inline vectors, a drop frees nothing
/// unless the flight outgrew its inline room). The default, empty, is a placeholder in
/// reused buffers.
#[derive(Default)]
pub(crate) struct Global {
    pub reps: SmallVec<[Rep; 3]>,
    /// The updates issued ([`Memos::issued`]).
    pub issued: u32,
    /// Messages in flight, in the order the simulator keeps them.
    pub flight: SmallVec<[Msg; 6]>,
    /// One side of the partition (a replica mask), or 0.
    pub side: u32,
    /// Faults used: drops, duplicates, partitions, crashes.
    pub used: [u8; 4],
}

impl Clone for Global {
    fn clone(&self) -> Self {
        Global {
            reps: SmallVec::from_slice(&self.reps),
            issued: self.issued,
            flight: SmallVec::from_slice(&self.flight),
            side: self.side,
            used: self.used,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        // In place: the vectors keep their room, and the common prefix is overwritten
        // without growing them.
        copy_into(&mut self.reps, &source.reps);
        self.issued = source.issued;
        copy_into(&mut self.flight, &source.flight);
        self.side = source.side;
        self.used = source.used;
    }
}

/// Makes `to` a copy of `from`, overwriting what it holds first and growing it only past that.
fn copy_into<A: smallvec::Array>(to: &mut SmallVec<A>, from: &[A::Item])
where
    A::Item: Copy,
{
    if to.len() >= from.len() {
        to.truncate(from.len());
        to.copy_from_slice(from);
    } else {
        let held = to.len();
        to.copy_from_slice(&from[..held]);
        to.extend_from_slice(&from[held..]);
    }
}

/// A transition, as the explorer enumerates it: replica ids and a flight index (which
/// means the same message in every symmetric image of a state, since images evolve in step).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Move {
    Update {
        r: u8,
        op: u16,
    },
    Send {
        from: u8,
        to: u8,
    },
    Deliver {
        to: u8,
        k: u32,
    },
    Drop {
        k: u32,
    },
    Duplicate {
        k: u32,
    },
    Partition {
        side: u32,
    },
    /// (The default: a placeholder in reused buffers.)
    #[default]
    Heal,
    Crash {
        r: u8,
    },
    Restart {
        r: u8,
    },
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
    pub state: StateOf<P>,
    pub value: ValueOf<P>,
    /// Hash of the state's `Debug` text, and the text's length.
    pub hash: u64,
    pub len: usize,
    /// The model's invariant on the value.
    pub invariant: Result<(), String>,
    /// The payload it sends (state-based protocols), made at its first send: a lookup
    /// without a lock or a hash.
    pub payload: OnceLock<u32>,
}

/// A state after an update, and the payload the update broadcasts (both by id).
type Updated = (u32, Option<u32>);

/// The explorer's memo tables (see [`super::hash`]) and its tables of what the model made
/// (see [`super::intern`]).
pub(crate) struct Memos<P: Protocol> {
    /// Replica states, by id.
    made: Table<Made<P>>,
    /// Message payloads, by id.
    sent: Table<Sent<P>>,
    /// The updates issued along paths, by id.
    issued: Table<Issued>,
    /// (state, operation, replica, sequence number) to the state after the update and its
    /// message.
    updates: Memo<(u64, u16, u8, u64), Updated>,
    /// (state, payload content) to the state after receiving it.
    receives: Memo<(u64, u64), u32>,
    /// (updates issued, replica, operation, what it had seen) to the updates issued after it.
    issue: Memo<(u32, u8, u16, Bits), u32>,
    /// (before, after) to the protocol's order on them.
    leq: Memo<(u64, u64), Option<bool>>,
    /// (state, updates seen, their history's hash) to the specification's verdict (the
    /// expected value's text when it is not the state's).
    spec: Memo<(u64, Bits, u64), Result<(), String>>,
}

impl<P: Protocol> Memos<P> {
    pub(crate) fn new() -> Self {
        Memos {
            made: Table::new(),
            sent: Table::new(),
            issued: Table::new(),
            updates: Memo::new(),
            receives: Memo::new(),
            issue: Memo::new(),
            leq: Memo::new(),
            spec: Memo::new(),
        }
    }

    /// The replica state `id`.
    pub(crate) fn state(&self, id: u32) -> &Made<P> {
        self.made.get(id)
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

/// The hash of one issued update, for [`Issued::hash`] and the specification's memo:
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
    pub(crate) fn root(&self) -> (Global, Option<Broken>) {
        let model = self.p.model();
        let n = self.layout.replicas;
        let made = catch_panic(|| {
            (0..n)
                .map(|r| self.made(model.new_replica(ReplicaId::new(r as u32))))
                .collect::<Vec<_>>()
        });
        let made = match made {
            Ok(made) => made,
            Err(panic) => panic!("the model {panic} while the replicas were created"),
        };
        let reps = made
            .into_iter()
            .map(|made| Rep {
                seen: 0,
                hash: made.hash,
                made: self.memo.made.push(made),
                at_crash: NONE,
            })
            .collect();
        let issued = self.memo.issued.push(Issued {
            lists: (0..n).map(|_| Vec::new()).collect(),
            hash: 0,
        });
        let g = Global {
            reps,
            issued,
            flight: SmallVec::new(),
            side: 0,
            used: [0; 4],
        };
        let mut broken = None;
        for i in 0..n {
            if let Err(b) = self.after_change(&g, i, None) {
                broken = Some(b);
                break;
            }
        }
        (g, broken)
    }

    /// The updates issued in `g`.
    fn issued(&self, g: &Global) -> &Issued {
        self.memo.issued.get(g.issued)
    }

    fn blocked(&self, g: &Global, a: u8, b: u8) -> bool {
        g.side != 0 && ((g.side >> a) & 1) != ((g.side >> b) & 1)
    }

    /// The simulator's `allowed`: the declared delivery lets message `m` arrive now.
    fn allowed(&self, g: &Global, m: &Msg) -> bool {
        let Some(bit) = m.update() else {
            return true;
        };
        let seen = g.reps[m.to as usize].seen;
        if seen & bit != 0 {
            return true;
        }
        let (origin, seq) = self.layout.dot(bit.trailing_zeros() as usize);
        match self.p.delivery() {
            Delivery::Causal => {
                let deps = self.issued(g).lists[origin][seq - 1].1;
                deps & !seen == 0
            }
            Delivery::FifoPerSender => (1..seq).all(|s| seen & self.layout.bit(origin, s) != 0),
            _ => true,
        }
    }

    fn ready(&self, g: &Global, k: usize) -> bool {
        let m = &g.flight[k];
        !self.blocked(g, m.from, m.to) && self.allowed(g, m)
    }

    /// The moves enabled in `g`, in a fixed order.
    pub(crate) fn moves(&self, g: &Global) -> Moves {
        let n = self.layout.replicas;
        let mut moves = Moves::new();
        let issued = self.issued(g);
        for r in 0..n {
            if g.reps[r].up() && issued.lists[r].len() < self.layout.per {
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
                if g.reps[from].up() {
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
            if !g.reps[to].up() {
                continue;
            }
            let mut addressed = (0..g.flight.len()).filter(|&k| g.flight[k].to as usize == to);
            if self.reorder {
                // One move per distinct message (copies of one message lead to one state).
                let mut keys: Vec<u64> = Vec::new();
                for k in addressed {
                    if self.ready(g, k) && !keys.contains(&g.flight[k].key) {
                        keys.push(g.flight[k].key);
                        moves.push(Move::Deliver {
                            to: to as u8,
                            k: k as u32,
                        });
                    }
                }
            } else if let Some(k) = addressed.next()
                && self.ready(g, k)
            {
                moves.push(Move::Deliver {
                    to: to as u8,
                    k: k as u32,
                });
            }
        }
        if g.used[0] < self.bounds[0] {
            moves.extend((0..g.flight.len() as u32).map(|k| Move::Drop { k }));
        }
        if g.used[1] < self.bounds[1] {
            moves.extend((0..g.flight.len() as u32).map(|k| Move::Duplicate { k }));
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
            if g.reps[r].up() && g.used[3] < self.bounds[3] {
                moves.push(Move::Crash { r: r as u8 });
            }
            if !g.reps[r].up() {
                moves.push(Move::Restart { r: r as u8 });
            }
        }
        moves
    }

    /// The simulator step that performs `mv` in `g`.
    pub(crate) fn step(&self, g: &Global, mv: Move) -> Step<OpOf<P>> {
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
                    let pos = candidates
                        .iter()
                        .position(|&j| j == k as usize)
                        .unwrap_or(0);
                    back(candidates.len(), pos)
                } else {
                    0
                };
                Step::Deliver { to: id(to), pick }
            }
            Move::Drop { k } => Step::Drop {
                pick: back(g.flight.len(), k as usize),
            },
            Move::Duplicate { k } => Step::Duplicate {
                pick: back(g.flight.len(), k as usize),
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
    pub(crate) fn apply(&self, g: &mut Global, mv: Move) -> Checked {
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
            state,
            value,
            hash,
            len,
            invariant,
            payload: OnceLock::new(),
        }
    }

    /// Replica `i` takes the state `made`, within the state-size limit.
    fn install(&self, g: &mut Global, i: usize, made: u32) -> Checked {
        let state = self.memo.state(made);
        if state.len > self.limits.max_state_bytes {
            return Err(Broken {
                property: Property::StateExplosion,
                message: format!(
                    "{}'s state grew to {} bytes of Debug text, over the limit of {}",
                    ReplicaId::new(i as u32),
                    state.len,
                    self.limits.max_state_bytes
                ),
            });
        }
        g.reps[i].made = made;
        g.reps[i].hash = state.hash;
        Ok(())
    }

    fn apply_inner(&self, g: &mut Global, mv: Move) -> Checked {
        let model = self.p.model();
        match mv {
            Move::Update { r, op } => {
                let i = r as usize;
                let issued = self.issued(g);
                let seq = issued.lists[i].len() + 1;
                let before = g.reps[i].made;
                let key = (g.reps[i].hash, op, r, seq as u64);
                let (made, broadcast) = self.memo.updates.get_or(key, || {
                    let dot = Dot::new(ReplicaId::new(u32::from(r)), seq as u64);
                    let mut state = model.fork(&self.memo.state(before).state);
                    let produced = self.p.update(&mut state, dot, &self.alphabet[op as usize]);
                    let broadcast = match produced {
                        Produced::Nothing => None,
                        Produced::Delta(_) => {
                            unreachable!("the explorer refuses delta-state models up front")
                        }
                        Produced::Broadcast(payload) => {
                            let (content, _) = debug_hash(&payload);
                            Some(self.memo.sent.push(Sent { payload, content }))
                        }
                    };
                    (self.memo.made.push(self.made(state)), broadcast)
                });
                let bit = self.layout.bit(i, seq);
                let seen = g.reps[i].seen;
                g.issued = self.memo.issue.get_or((g.issued, r, op, seen), || {
                    let mut lists = issued.lists.clone();
                    lists[i].push((op, seen));
                    let entry = entry_hash(bit.trailing_zeros() as usize, op, seen);
                    self.memo.issued.push(Issued {
                        lists,
                        hash: issued.hash.wrapping_add(entry),
                    })
                });
                g.reps[i].seen |= bit;
                self.install(g, i, made)?;
                if let Some(sent) = broadcast {
                    let content = self.memo.sent.get(sent).content;
                    for j in (0..self.layout.replicas).filter(|&j| j != i) {
                        g.flight.push(Msg {
                            seen: bit,
                            key: message_key(r, j as u8, bit, Some(bit), content),
                            sent,
                            from: r,
                            to: j as u8,
                            update: bit.trailing_zeros() as u8,
                            optional: false,
                        });
                    }
                }
                self.after_change(g, i, Some(before))
            }
            Move::Send { from, to } => {
                let sender = g.reps[from as usize];
                let content = sender.hash;
                let made = self.memo.state(sender.made);
                let sent = *made.payload.get_or_init(|| {
                    let payload = self
                        .p
                        .state_payload(&made.state)
                        .expect("state-based protocols ship states");
                    self.memo.sent.push(Sent { payload, content })
                });
                g.flight.push(Msg {
                    seen: sender.seen,
                    key: message_key(from, to, sender.seen, None, content),
                    sent,
                    from,
                    to,
                    update: NO_UPDATE,
                    optional: true,
                });
                Ok(())
            }
            Move::Deliver { k, .. } => {
                let m = g.flight.remove(k as usize);
                let i = m.to as usize;
                if let Some(bit) = m.update()
                    && g.reps[i].seen & bit != 0
                    && !self.p.delivery().duplicates()
                {
                    // The harness discards a duplicate the model cannot take.
                    return Ok(());
                }
                let before = g.reps[i].made;
                let sent = self.memo.sent.get(m.sent);
                let made = self
                    .memo
                    .receives
                    .get_or((g.reps[i].hash, sent.content), || {
                        let mut state = model.fork(&self.memo.state(before).state);
                        self.p.receive(&mut state, &sent.payload);
                        self.memo.made.push(self.made(state))
                    });
                g.reps[i].seen |= m.seen;
                self.install(g, i, made)?;
                self.after_change(g, i, Some(before))
            }
            Move::Drop { k } => {
                g.flight.remove(k as usize);
                g.used[0] += 1;
                Ok(())
            }
            Move::Duplicate { k } => {
                let mut copy = g.flight[k as usize];
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
                let at_crash = g.reps[i].made;
                let state = &self.memo.state(at_crash).state;
                let restored = match model.round_trip(state) {
                    None => model.fork(state),
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
                g.reps[i].at_crash = at_crash;
                g.used[3] += 1;
                // The snapshot is what the replica restarts from; its value is judged then.
                let restored = self.memo.made.push(self.made(restored));
                self.install(g, i, restored)
            }
            Move::Restart { r } => {
                let i = r as usize;
                let at_crash = g.reps[i].at_crash;
                assert_ne!(at_crash, NONE, "a crashed replica");
                g.reps[i].at_crash = NONE;
                self.after_change(g, i, Some(at_crash))
            }
        }
    }

    /// The simulator's oracles after replica `i` changed (from `before`): invariant, monotone
    /// growth, specification, one order of sequence elements among the replicas now, and
    /// convergence of `i` with every replica that has seen the same updates.
    fn after_change(&self, g: &Global, i: usize, before: Option<u32>) -> Checked {
        let r = ReplicaId::new(i as u32);
        let rep = &g.reps[i];
        let made = self.memo.state(rep.made);
        if let Err(broken) = &made.invariant {
            return Err(Broken {
                property: Property::Invariant,
                message: format!("{r} shows a value that breaks the model's invariant: {broken}"),
            });
        }
        if let Some(before) = before.map(|id| self.memo.state(id))
            && self.memo.leq.get_or((before.hash, made.hash), || {
                self.p.leq(&before.state, &made.state)
            }) == Some(false)
        {
            return Err(Broken {
                property: Property::MonotoneGrowth,
                message: format!("{r}'s state moved down: the new state is not above the old one"),
            });
        }
        let key = (made.hash, rep.seen, self.history_hash(g, rep.seen));
        let verdict = self.memo.spec.get_or(key, || {
            if let Some(history) = self.history(g, rep.seen)
                && let Some(expected) = self.p.model().spec(&history)
                && expected != made.value
            {
                Err(format!(
                    "has seen {} update(s) and shows a value its specification does not \
                     allow: {:?}, expected {expected:?}",
                    rep.seen.count_ones(),
                    made.value
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
            if j == i || !other.up() || !rep.up() || other.seen != rep.seen {
                continue;
            }
            let o = ReplicaId::new(j as u32);
            if other.made == rep.made {
                // One state (ids are handed out per state made).
                continue;
            }
            let theirs = self.memo.state(other.made);
            if theirs.value != made.value {
                return Err(Broken {
                    property: Property::Convergence,
                    message: format!(
                        "{r} and {o} have seen the same {} update(s) but show different values: \
                         {:?} and {:?}",
                        rep.seen.count_ones(),
                        made.value,
                        theirs.value
                    ),
                });
            }
            if self.state_based
                && self.p.model().state_eq(&made.state, &theirs.state) == Some(false)
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
    fn history_hash(&self, g: &Global, seen: Bits) -> u64 {
        let per = self.layout.per;
        let issued = self.issued(g);
        let mut sum = 0u64;
        let mut rest = seen;
        while rest != 0 {
            let bit = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let (op, deps) = issued.lists[bit / per][bit % per];
            sum = sum.wrapping_add(entry_hash(bit, op, deps));
        }
        sum
    }

    /// The history a specification receives for a replica that has seen `seen`, or `None` when
    /// what it has seen is not causally complete (the simulator does not judge it then).
    fn history(&self, g: &Global, seen: Bits) -> Option<History<OpOf<P>>> {
        let per = self.layout.per;
        let issued = self.issued(g);
        let mut visible: Vec<(usize, usize, Bits)> = Vec::new();
        let mut rest = seen;
        while rest != 0 {
            let bit = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let (origin, seq) = (bit / per, bit % per + 1);
            let deps = issued.lists[origin][seq - 1].1;
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
            let op = issued.lists[origin][seq - 1].0;
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
    fn check_order(&self, g: &Global, i: usize) -> Checked {
        let model = self.p.model();
        let Some(mine) = model.element_ids(&self.memo.state(g.reps[i].made).state) else {
            return Ok(());
        };
        for (j, other) in g.reps.iter().enumerate() {
            if j == i || !other.up() {
                continue;
            }
            let Some(theirs) = model.element_ids(&self.memo.state(other.made).state) else {
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
    pub(crate) fn fingerprint(&self, g: &Global) -> u128 {
        self.fingerprint_from(self.prefix(g), g)
    }

    /// The fingerprint's hash of everything but the messages in flight (hashed last, by
    /// [`fingerprint_from`](Self::fingerprint_from)): a send changes nothing else, so its
    /// child's prefix is its parent's.
    pub(crate) fn prefix(&self, g: &Global) -> Fp128 {
        let mut h = Fp128::new();
        let reps: &[Rep] = &g.reps;
        // Which replicas hold a state from a crash (are down); then those states' hashes.
        let mut down = 0u64;
        for (r, rep) in reps.iter().enumerate() {
            h.word(rep.hash);
            h.word(rep.seen as u64);
            h.word((rep.seen >> 64) as u64);
            down |= u64::from(!rep.up()) << r;
        }
        let full = (1u32 << self.layout.replicas) - 1;
        let side = if g.side & 1 == 0 && g.side != 0 {
            !g.side & full
        } else {
            g.side
        };
        h.word(down | u64::from(side) << 8 | u64::from(u32::from_le_bytes(g.used)) << 32);
        if down != 0 {
            for rep in reps.iter().filter(|rep| !rep.up()) {
                h.word(self.memo.state(rep.at_crash).hash);
            }
        }
        h.word(self.issued(g).hash);
        h
    }

    /// The fingerprint of `g`, from its [`prefix`](Self::prefix).
    pub(crate) fn fingerprint_from(&self, mut h: Fp128, g: &Global) -> u128 {
        let flight: &[Msg] = &g.flight;
        // The messages last: the count of words tells their number.
        let word = |to: u8, key: u64| u64::from(to) << 56 ^ key;
        if self.reorder {
            // A multiset: the keys sorted.
            let mut keys: SmallVec<[(u8, u64); 16]> =
                flight.iter().map(|m| (m.to, m.key)).collect();
            keys.sort_unstable();
            for &(to, key) in &keys {
                h.word(word(to, key));
            }
        } else {
            // Each receiver's queue in order.
            let mut present = 0u32;
            for m in flight {
                present |= 1 << m.to;
            }
            while present != 0 {
                let to = present.trailing_zeros() as u8;
                present &= present - 1;
                for m in flight {
                    if m.to == to {
                        h.word(word(to, m.key));
                    }
                }
            }
        }
        h.finish()
    }

    /// The messages in flight made by sends and duplicates: each needs a step of its own (a
    /// delivery, a drop or a duplicate) before a shortest counterexample ends, since a path
    /// that leaves one untouched is still a counterexample without the step that made it.
    pub(crate) fn pending(&self, g: &Global) -> usize {
        g.flight.iter().filter(|m| m.optional).count()
    }

    /// What tells whether two moves, both enabled in one state, commute and neither disables
    /// the other ([`Footprint::independent`]): steps at different replicas (updates, sends,
    /// deliveries) that do not both append to one receiver's queue (when messages do not
    /// overtake, the order of two appends to a queue matters). Faults, partitions and crashes
    /// interact with everything.
    pub(crate) fn footprint(&self, l: Label) -> Footprint {
        let full = (1u32 << self.layout.replicas) - 1;
        // Appends commute when messages may overtake each other.
        let ordered = !self.reorder;
        let (actor, appends) = match l {
            Label::Update { r, .. } if ordered && !self.state_based => (r, full & !(1 << r)),
            Label::Update { r, .. } => (r, 0),
            Label::Send { from, to } => (from, if ordered { 1 << to } else { 0 }),
            Label::Deliver { to, .. } => (to, 0),
            Label::Fault => (Footprint::FAULT, 0),
        };
        Footprint { actor, appends }
    }

    /// The label a move keeps in sleep sets: its message is named by content, not position.
    pub(crate) fn label(&self, g: &Global, mv: Move) -> Label {
        match mv {
            Move::Update { r, op } => Label::Update { r, op },
            Move::Send { from, to } => Label::Send { from, to },
            Move::Deliver { to, k } => Label::Deliver {
                to,
                key: g.flight[k as usize].key,
            },
            _ => Label::Fault,
        }
    }
}

/// A label's replica (the one acting) and the queues it appends to (when messages keep their
/// order): two labels are independent when both have a replica, the replicas differ, and
/// they append to no common queue.
#[derive(Clone, Copy)]
pub(crate) struct Footprint {
    actor: u8,
    appends: u32,
}

impl Footprint {
    /// The actor of faults, partitions and crashes, which interact with everything.
    const FAULT: u8 = u8::MAX;

    pub(crate) fn independent(self, other: Footprint) -> bool {
        self.actor != Footprint::FAULT
            && other.actor != Footprint::FAULT
            && self.actor != other.actor
            && self.appends & other.appends == 0
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_into_overwrites_shrinks_and_grows() {
        let mut to: SmallVec<[u8; 4]> = SmallVec::from_slice(&[9, 9, 9]);
        copy_into(&mut to, &[1]);
        assert_eq!(&to[..], &[1]);
        copy_into(&mut to, &[1, 2, 3, 4, 5, 6]);
        assert_eq!(&to[..], &[1, 2, 3, 4, 5, 6]);
        assert!(to.spilled());
        copy_into(&mut to, &[7, 8]);
        assert_eq!(&to[..], &[7, 8]);
        copy_into(&mut to, &[]);
        assert!(to.is_empty());
    }
}
