//! The document-order index: a B-tree of *pieces* with visible-length sums.
//!
//! A piece is a run of elements that are adjacent in document order, were inserted by one
//! replica with consecutive counters, belong to one insertion run of the Fugue tree (each element
//! after the first is the right child of the one before it), and share one deletion state. The
//! index stores every element ever inserted, tombstones included, as such pieces, and answers:
//!
//! - which element is at visible index `i` (descend by the visible sums: `O(log n)`);
//! - where element `(agent, counter)` is (`blocks`, one slot per [`BLOCK`] counters of each
//!   agent, then at most [`BLOCK`] steps along the agent's pieces in counter order: `O(1)`);
//! - which of two elements comes first (compare their root paths: `O(log n)`).
//!
//! Pieces live in an arena (`pieces`) and keep their slot for life, so the map `blocks` (the
//! piece of every [`BLOCK`]-th element of each agent) only changes when a piece is split or
//! joined; the smaller half is the one relocated, so an element is relocated `O(log n)` times at
//! most. Each piece links to the piece that holds its agent's next counter. Nodes hold up to [`MAX_CHILDREN`]
//! children with the visible length of each child's subtree, in contiguous arrays, in the style of
//! cola's `gtree.rs`; every node and piece records its parent and its rank among the parent's
//! children, so updating the sums above a piece is a walk up without searching. Nodes are never
//! merged: deletions only turn elements into tombstones, and the only removal, joining two
//! adjacent tombstone pieces of one node, leaves that node non-empty. The usual backspace does
//! not even split: it moves the boundary between a visible piece and the tombstones after it.

use std::cmp::Ordering;

use super::compact;

/// The index of a piece in the arena.
pub(crate) type Slot = u32;

/// The largest number of children of one node. 32 keeps a node's arrays in a few cache lines.
const MAX_CHILDREN: usize = 32;

/// One entry of `blocks` per this many counters of an agent.
const BLOCK: u32 = 16;

/// No piece: the end of an agent's chain of pieces.
const NO_SLOT: Slot = u32::MAX;

/// No node: the parent of the root.
const NO_NODE: u32 = u32::MAX;

/// The deepest a tree can be. Internal nodes other than the root keep at least
/// `MAX_CHILDREN / 2` children (only bottom nodes lose children, when pieces are joined), so
/// nine levels already address more than 2^32 pieces.
const MAX_DEPTH: usize = 16;

/// A run of elements, adjacent in document order (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    /// The local index of the replica that inserted the elements.
    pub agent: u32,
    /// The counter of the first element; the others follow consecutively.
    pub counter: u32,
    /// The number of elements.
    pub len: u32,
    /// Whether the elements are tombstones.
    pub deleted: bool,
    /// The piece that holds element `counter + len` of the same agent ([`NO_SLOT`]: none yet).
    next: Slot,
    /// The bottom node that holds this piece.
    node: u32,
    /// This piece's position among the node's children.
    rank: u8,
}

impl Piece {
    /// The number of visible elements in the piece.
    pub(crate) fn visible_len(&self) -> u32 {
        if self.deleted { 0 } else { self.len }
    }
}

/// A node of the B-tree. Bottom nodes have pieces as children, the others have nodes.
///
/// `repr(C)` keeps the header and the first sums in the first cache line: walking up to update
/// the sums reads the header of each ancestor.
#[derive(Clone, Debug)]
#[cfg_attr(test, derive(PartialEq, Eq))]
#[repr(C)]
struct Node {
    parent: u32,
    /// This node's position among its parent's children (0 for the root).
    rank: u32,
    len: usize,
    bottom: bool,
    visible: [u32; MAX_CHILDREN],
    children: [u32; MAX_CHILDREN],
}

impl Node {
    fn new(parent: u32, bottom: bool) -> Self {
        Self {
            parent,
            rank: 0,
            bottom,
            len: 0,
            children: [0; MAX_CHILDREN],
            visible: [0; MAX_CHILDREN],
        }
    }

    fn children(&self) -> &[u32] {
        &self.children[..self.len]
    }

    fn total_visible(&self) -> u32 {
        self.visible[..self.len].iter().sum()
    }
}

/// The position of one element: its piece and its offset in the piece.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    pub slot: Slot,
    pub offset: u32,
}

/// Where [`Index::delete`] left things.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deleted {
    /// The tombstone piece that holds the deleted elements.
    pub tombstones: Slot,
    /// The piece that holds the elements of the original piece before the deleted ones (still
    /// visible, starting where the original piece did), if any.
    pub before: Option<Slot>,
}

/// Where new elements go: at the very start, or right after an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Start,
    After(Pos),
}

/// The document-order index. See the module docs.
///
/// In tests, `==` compares the layout itself (arena slots, nodes, free list), not only the
/// elements: two indexes that went through the same operations are equal.
#[derive(Clone, Debug)]
#[cfg_attr(test, derive(PartialEq, Eq))]
pub(crate) struct Index {
    pieces: Vec<Piece>,
    free: Vec<Slot>,
    nodes: Vec<Node>,
    root: u32,
    /// The number of visible elements (the root's sum).
    visible: u32,
    /// `blocks[agent][b]`: the piece that holds element `(agent, b * BLOCK)`.
    blocks: Vec<Vec<Slot>>,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            pieces: Vec::new(),
            free: Vec::new(),
            nodes: vec![Node::new(NO_NODE, true)],
            root: 0,
            visible: 0,
            blocks: Vec::new(),
        }
    }
}

impl Index {
    /// The number of visible elements.
    pub(crate) fn visible_len(&self) -> u32 {
        self.visible
    }

    /// True when the index holds no element, not even a tombstone.
    pub(crate) fn is_empty(&self) -> bool {
        self.nodes[self.root as usize].len == 0
    }

    pub(crate) fn piece(&self, slot: Slot) -> &Piece {
        &self.pieces[slot as usize]
    }

    /// Memory held by the index, in bytes (capacity, not just length).
    pub(crate) fn heap_size(&self) -> usize {
        self.pieces.capacity() * size_of::<Piece>()
            + self.free.capacity() * size_of::<Slot>()
            + self.nodes.capacity() * size_of::<Node>()
            + self.blocks.capacity() * size_of::<Vec<Slot>>()
            + self
                .blocks
                .iter()
                .map(|v| v.capacity() * size_of::<Slot>())
                .sum::<usize>()
    }

    /// The position of element `(agent, counter)`, if present.
    pub(crate) fn pos_of(&self, agent: u32, counter: u32) -> Option<Pos> {
        let mut slot = *self
            .blocks
            .get(agent as usize)?
            .get((counter / BLOCK) as usize)?;
        loop {
            let piece = &self.pieces[slot as usize];
            if counter < piece.counter + piece.len {
                return Some(Pos {
                    slot,
                    offset: counter - piece.counter,
                });
            }
            slot = piece.next;
            if slot == NO_SLOT {
                return None;
            }
        }
    }

    /// The element at visible index `index` (`index < visible_len()`), and the visible index
    /// of the first element of its piece.
    pub(crate) fn find_visible(&self, mut index: u32) -> (Pos, u32) {
        debug_assert!(index < self.visible_len());
        let mut start = 0;
        let mut node = &self.nodes[self.root as usize];
        loop {
            let mut chosen = node.len - 1;
            for i in 0..node.len {
                let v = node.visible[i];
                if index < v {
                    chosen = i;
                    break;
                }
                index -= v;
                start += v;
            }
            let child = node.children[chosen];
            if node.bottom {
                let pos = Pos {
                    slot: child,
                    offset: index,
                };
                return (pos, start);
            }
            node = &self.nodes[child as usize];
        }
    }

    /// Like [`find_visible`](Self::find_visible), starting from a piece whose first element has
    /// visible index `hint_start` and walking at most a few pieces before descending from the
    /// root: consecutive edits are usually near each other.
    pub(crate) fn find_visible_near(&self, index: u32, hint: (Slot, u32)) -> (Pos, u32) {
        const MAX_WALK: usize = 8;
        let (mut slot, mut start) = hint;
        for _ in 0..MAX_WALK {
            let vis = self.pieces[slot as usize].visible_len();
            if index < start {
                match self.prev_piece(slot) {
                    Some(prev) => {
                        slot = prev;
                        start -= self.pieces[prev as usize].visible_len();
                    }
                    None => break,
                }
            } else if index >= start + vis {
                match self.next_piece(slot) {
                    Some(next) => {
                        slot = next;
                        start += vis;
                    }
                    None => break,
                }
            } else {
                let pos = Pos {
                    slot,
                    offset: index - start,
                };
                return (pos, start);
            }
        }
        self.find_visible(index)
    }

    /// The first piece in document order.
    pub(crate) fn first_piece(&self) -> Option<Slot> {
        self.edge_piece(Direction::Prev)
    }

    /// The last piece in document order.
    pub(crate) fn last_piece(&self) -> Option<Slot> {
        self.edge_piece(Direction::Next)
    }

    /// The piece at the start (`Prev`) or the end (`Next`) of the document.
    fn edge_piece(&self, towards: Direction) -> Option<Slot> {
        let mut node = &self.nodes[self.root as usize];
        loop {
            let child = match towards {
                Direction::Prev => *node.children().first()?,
                Direction::Next => *node.children().last()?,
            };
            if node.bottom {
                return Some(child);
            }
            node = &self.nodes[child as usize];
        }
    }

    /// The piece after `slot` in document order.
    pub(crate) fn next_piece(&self, slot: Slot) -> Option<Slot> {
        self.neighbour(slot, Direction::Next)
    }

    /// The piece before `slot` in document order.
    pub(crate) fn prev_piece(&self, slot: Slot) -> Option<Slot> {
        self.neighbour(slot, Direction::Prev)
    }

    fn neighbour(&self, slot: Slot, direction: Direction) -> Option<Slot> {
        let mut node = self.pieces[slot as usize].node;
        let mut at = self.rank(slot);
        // Climb until a node has a child on the requested side of position `at`.
        let mut depth = 0;
        let next = loop {
            let n = &self.nodes[node as usize];
            let next = match direction {
                Direction::Next => (at + 1 < n.len).then(|| at + 1),
                Direction::Prev => at.checked_sub(1),
            };
            if let Some(next) = next {
                break n.children[next];
            }
            if n.parent == NO_NODE {
                return None;
            }
            at = n.rank as usize;
            node = n.parent;
            depth += 1;
        };
        // Descend to the nearest piece on that side.
        let mut child = next;
        for _ in 0..depth {
            let n = &self.nodes[child as usize];
            child = match direction {
                Direction::Next => n.children[0],
                Direction::Prev => n.children[n.len - 1],
            };
        }
        Some(child)
    }

    /// The element after `pos` in document order (tombstones included).
    pub(crate) fn next_pos(&self, pos: Pos) -> Option<Pos> {
        if pos.offset + 1 < self.pieces[pos.slot as usize].len {
            return Some(Pos {
                slot: pos.slot,
                offset: pos.offset + 1,
            });
        }
        let slot = self.next_piece(pos.slot)?;
        Some(Pos { slot, offset: 0 })
    }

    /// The element before `pos` in document order (tombstones included).
    pub(crate) fn prev_pos(&self, pos: Pos) -> Option<Pos> {
        if pos.offset > 0 {
            return Some(Pos {
                slot: pos.slot,
                offset: pos.offset - 1,
            });
        }
        let slot = self.prev_piece(pos.slot)?;
        let offset = self.pieces[slot as usize].len - 1;
        Some(Pos { slot, offset })
    }

    /// The place right before `pos`.
    pub(crate) fn place_before(&self, pos: Pos) -> Place {
        match self.prev_pos(pos) {
            Some(prev) => Place::After(prev),
            None => Place::Start,
        }
    }

    /// The place after the last element.
    pub(crate) fn place_at_end(&self) -> Place {
        match self.last_piece() {
            Some(slot) => Place::After(Pos {
                slot,
                offset: self.pieces[slot as usize].len - 1,
            }),
            None => Place::Start,
        }
    }

    /// The document order of two elements.
    pub(crate) fn cmp_pos(&self, a: Pos, b: Pos) -> Ordering {
        if a.slot == b.slot {
            return a.offset.cmp(&b.offset);
        }
        // All bottom nodes are at the same depth, so the two root paths have equal lengths.
        let path_a = self.path(a.slot);
        let path_b = self.path(b.slot);
        path_a.cmp(&path_b)
    }

    /// The child positions from the root down to piece `slot`.
    fn path(&self, slot: Slot) -> ([u8; MAX_DEPTH], usize) {
        let mut up = [0u8; MAX_DEPTH];
        let mut node = self.pieces[slot as usize].node;
        up[0] = self.rank(slot) as u8;
        let mut depth = 1;
        loop {
            let n = &self.nodes[node as usize];
            if n.parent == NO_NODE {
                break;
            }
            up[depth] = n.rank as u8;
            depth += 1;
            node = n.parent;
        }
        up[..depth].reverse();
        (up, depth)
    }

    /// The pieces in document order.
    pub(crate) fn pieces(&self) -> Pieces<'_> {
        Pieces {
            index: self,
            stack: vec![(self.root, 0)],
        }
    }

    // --- Mutation -------------------------------------------------------------------------

    /// Inserts `len` new visible elements `(agent, counter..counter + len)` at `place`, and
    /// returns the slot of the piece that holds them.
    ///
    /// The counters must be the next ones of `agent` (`counter` equals the number of elements of
    /// `agent` already in the index). When `continues_run` is true the first new element is the
    /// right child of the element before it, in the same insertion run, so the new elements may
    /// simply extend that element's piece.
    pub(crate) fn insert(
        &mut self,
        place: Place,
        agent: u32,
        counter: u32,
        len: u32,
        continues_run: bool,
    ) -> Slot {
        debug_assert!(len > 0);
        if self.blocks.len() <= agent as usize {
            self.blocks.resize_with(agent as usize + 1, Vec::new);
        }
        debug_assert_eq!(
            self.blocks[agent as usize].len(),
            counter.div_ceil(BLOCK) as usize
        );
        let new_piece = |node| Piece {
            agent,
            counter,
            len,
            deleted: false,
            next: NO_SLOT,
            node,
            rank: 0,
        };
        let slot = match place {
            Place::Start => {
                let mut node = self.root;
                while !self.nodes[node as usize].bottom {
                    node = self.nodes[node as usize].children[0];
                }
                let slot = self.alloc(new_piece(node));
                self.insert_child(node, 0, slot, len);
                slot
            }
            Place::After(pos) => {
                let piece = self.pieces[pos.slot as usize];
                if pos.offset + 1 < piece.len {
                    let (left, _) = self.split(pos.slot, pos.offset + 1);
                    self.insert_after_piece(left, new_piece(0))
                } else if continues_run
                    && !piece.deleted
                    && piece.agent == agent
                    && piece.counter + piece.len == counter
                {
                    self.pieces[pos.slot as usize].len += len;
                    self.add_visible(pos.slot, len as i64);
                    pos.slot
                } else {
                    self.insert_after_piece(pos.slot, new_piece(0))
                }
            }
        };
        let extended = self.pieces[slot as usize].counter != counter;
        if !extended {
            self.link_to(agent, counter, slot);
        }
        self.push_blocks(agent, counter, len, slot);
        self.visible += len;
        slot
    }

    /// Appends `len` new visible elements of the piece's agent to the end of piece `slot`, which
    /// holds the agent's last elements: the same as [`insert`](Self::insert) after that piece's
    /// last element with `continues_run`, without looking anything up.
    pub(crate) fn extend_piece(&mut self, slot: Slot, len: u32) {
        let piece = &mut self.pieces[slot as usize];
        debug_assert!(!piece.deleted && piece.next == NO_SLOT && len > 0);
        let (agent, counter) = (piece.agent, piece.counter + piece.len);
        piece.len += len;
        self.add_visible(slot, i64::from(len));
        self.push_blocks(agent, counter, len, slot);
        self.visible += len;
    }

    /// Points the `blocks` entries of new elements `counter..counter + len` of `agent` (the
    /// agent's next ones) at `slot`.
    fn push_blocks(&mut self, agent: u32, counter: u32, len: u32, slot: Slot) {
        let blocks = &mut self.blocks[agent as usize];
        debug_assert_eq!(blocks.len(), counter.div_ceil(BLOCK) as usize);
        let new_blocks = (counter + len).div_ceil(BLOCK) - counter.div_ceil(BLOCK);
        // Usually none: a keystroke starts a block once in 16.
        if new_blocks == 0 {
            return;
        }
        compact::reserve(blocks, new_blocks as usize);
        blocks.extend(std::iter::repeat_n(slot, new_blocks as usize));
    }

    /// Marks `len` visible elements of piece `pos.slot`, from `pos.offset`, as deleted, and
    /// says where they are now (joined with adjacent tombstones where `joinable` allows).
    ///
    /// `joinable(agent, counter)` tells whether element `counter` of `agent` may share a piece
    /// with element `counter - 1` (both are in one insertion run).
    pub(crate) fn delete(
        &mut self,
        pos: Pos,
        len: u32,
        joinable: impl Fn(u32, u32) -> bool,
    ) -> Deleted {
        let piece = self.pieces[pos.slot as usize];
        debug_assert!(!piece.deleted && pos.offset + len <= piece.len && len > 0);
        let before = (pos.offset > 0).then_some(pos.slot);
        if let Some(tombstones) = self.shift_into_tombstones(pos, len, &joinable) {
            return Deleted { tombstones, before };
        }
        let mut slot = pos.slot;
        let mut before = None;
        if pos.offset > 0 {
            let (left, right) = self.split(slot, pos.offset);
            (before, slot) = (Some(left), right);
        }
        if len < self.pieces[slot as usize].len {
            slot = self.split(slot, len).0;
        }
        self.pieces[slot as usize].deleted = true;
        self.add_visible(slot, -(len as i64));
        self.visible -= len;
        // Join with tombstones on either side, within the same bottom node.
        if let Some(prev) = self.sibling_piece(slot, Direction::Prev)
            && self.can_join(prev, slot, &joinable)
        {
            slot = self.join(prev, slot);
        }
        if let Some(next) = self.sibling_piece(slot, Direction::Next)
            && self.can_join(slot, next, &joinable)
        {
            slot = self.join(slot, next);
        }
        Deleted {
            tombstones: slot,
            before,
        }
    }

    /// The fast path of [`delete`](Self::delete) for the usual backspace or forward delete:
    /// when the deleted elements end (or start) a piece that keeps other elements, and the
    /// next (or previous) piece is a tombstone they may join, move the boundary between the
    /// two pieces instead of splitting and joining. Returns the tombstone piece, or `None` when
    /// the fast path does not apply.
    fn shift_into_tombstones(
        &mut self,
        pos: Pos,
        len: u32,
        joinable: &impl Fn(u32, u32) -> bool,
    ) -> Option<Slot> {
        let piece = self.pieces[pos.slot as usize];
        let first = piece.counter + pos.offset;
        let (tombstones, moved_to_start) = if pos.offset > 0 && pos.offset + len == piece.len {
            (self.next_piece(pos.slot)?, true)
        } else if pos.offset == 0 && len < piece.len {
            (self.prev_piece(pos.slot)?, false)
        } else {
            return None;
        };
        let t = self.pieces[tombstones as usize];
        let adjacent = if moved_to_start {
            t.counter == piece.counter + piece.len && joinable(t.agent, t.counter)
        } else {
            t.counter + t.len == piece.counter && joinable(piece.agent, piece.counter)
        };
        if !t.deleted || t.agent != piece.agent || !adjacent {
            return None;
        }
        let t = &mut self.pieces[tombstones as usize];
        t.len += len;
        if moved_to_start {
            t.counter = first;
        }
        let p = &mut self.pieces[pos.slot as usize];
        p.len -= len;
        if !moved_to_start {
            p.counter += len;
        }
        self.point(piece.agent, first, first + len, tombstones);
        self.add_visible(pos.slot, -i64::from(len));
        self.visible -= len;
        Some(tombstones)
    }

    fn can_join(&self, left: Slot, right: Slot, joinable: &impl Fn(u32, u32) -> bool) -> bool {
        let (l, r) = (&self.pieces[left as usize], &self.pieces[right as usize]);
        l.deleted == r.deleted
            && l.agent == r.agent
            && l.counter + l.len == r.counter
            && joinable(r.agent, r.counter)
    }

    /// The piece next to `slot` in the same bottom node, if any.
    fn sibling_piece(&self, slot: Slot, direction: Direction) -> Option<Slot> {
        let node = &self.nodes[self.pieces[slot as usize].node as usize];
        let at = self.rank(slot);
        match direction {
            Direction::Next => node.children().get(at + 1).copied(),
            Direction::Prev => at.checked_sub(1).map(|i| node.children[i]),
        }
    }

    /// Joins two adjacent pieces of one bottom node into one and returns the surviving slot
    /// (the larger piece's, so that fewer elements are relocated).
    fn join(&mut self, left: Slot, right: Slot) -> Slot {
        let (l, r) = (self.pieces[left as usize], self.pieces[right as usize]);
        let (keep, gone) = if l.len >= r.len {
            (left, right)
        } else {
            (right, left)
        };
        let gone_piece = self.pieces[gone as usize];
        let node = l.node;
        let at_gone = self.rank(gone);
        let n = &mut self.nodes[node as usize];
        let gone_visible = n.visible[at_gone];
        n.children.copy_within(at_gone + 1..n.len, at_gone);
        n.visible.copy_within(at_gone + 1..n.len, at_gone);
        n.len -= 1;
        self.adopt(node, at_gone);
        let at_keep = self.rank(keep);
        self.nodes[node as usize].visible[at_keep] += gone_visible;
        let kept = &mut self.pieces[keep as usize];
        kept.counter = l.counter;
        kept.len = l.len + r.len;
        kept.next = r.next;
        self.relocate(&gone_piece, keep);
        if gone == left {
            self.link_to(l.agent, l.counter, keep);
        }
        self.free.push(gone);
        keep
    }

    /// Splits piece `slot` before offset `at` (`0 < at < len`) and returns the slots of the
    /// left and right parts. The smaller part moves to a new slot.
    fn split(&mut self, slot: Slot, at: u32) -> (Slot, Slot) {
        let piece = self.pieces[slot as usize];
        debug_assert!(0 < at && at < piece.len);
        self.ensure_room(piece.node, usize::from(piece.rank));
        // Making room may have moved the piece to a new node.
        let piece = self.pieces[slot as usize];
        let (node, position) = (piece.node, usize::from(piece.rank));
        let left = Piece { len: at, ..piece };
        let right = Piece {
            counter: piece.counter + at,
            len: piece.len - at,
            ..piece
        };
        // The smaller part moves; the node's total does not change.
        let (moved, moved_at, result) = if at <= piece.len - at {
            self.pieces[slot as usize] = right;
            let new = self.alloc(left);
            (left, position, (new, slot))
        } else {
            self.pieces[slot as usize] = left;
            let new = self.alloc(right);
            (right, position + 1, (slot, new))
        };
        self.pieces[result.0 as usize].next = result.1;
        self.pieces[result.1 as usize].next = piece.next;
        if result.0 != slot {
            self.link_to(piece.agent, piece.counter, result.0);
        }
        let new = if result.0 == slot { result.1 } else { result.0 };
        self.relocate(&moved, new);
        self.nodes[node as usize].visible[position] -= moved.visible_len();
        self.insert_into(node, moved_at, new, moved.visible_len());
        result
    }

    /// Points the elements of `piece` at `slot`.
    fn relocate(&mut self, piece: &Piece, slot: Slot) {
        self.point(piece.agent, piece.counter, piece.counter + piece.len, slot);
    }

    /// Links the piece that holds element `counter - 1` of `agent` (if `counter > 0`) to
    /// `slot`, the new home of element `counter`. The chain up to that piece must be intact.
    fn link_to(&mut self, agent: u32, counter: u32, slot: Slot) {
        if let Some(before) = counter.checked_sub(1) {
            let before = self
                .pos_of(agent, before)
                .expect("the agent's earlier elements are in the index");
            self.pieces[before.slot as usize].next = slot;
        }
    }

    /// Points the `blocks` entries of elements `start..end` of `agent` at `slot`.
    fn point(&mut self, agent: u32, start: u32, end: u32, slot: Slot) {
        let blocks = start.div_ceil(BLOCK) as usize..end.div_ceil(BLOCK) as usize;
        // Usually empty: a backspace moves one element, a block starts every 16.
        if !blocks.is_empty() {
            self.blocks[agent as usize][blocks].fill(slot);
        }
    }

    fn alloc(&mut self, piece: Piece) -> Slot {
        match self.free.pop() {
            Some(slot) => {
                self.pieces[slot as usize] = piece;
                slot
            }
            None => {
                compact::push(&mut self.pieces, piece);
                (self.pieces.len() - 1) as Slot
            }
        }
    }

    fn insert_after_piece(&mut self, anchor: Slot, piece: Piece) -> Slot {
        let node = self.pieces[anchor as usize].node;
        let at = self.rank(anchor) + 1;
        let visible = piece.visible_len();
        let slot = self.alloc(piece);
        self.insert_child(node, at, slot, visible);
        slot
    }

    /// Inserts `child` (with `visible` visible elements) at position `at` of `node`, and adds
    /// `visible` to the sums of all ancestors.
    fn insert_child(&mut self, node: u32, at: usize, child: u32, visible: u32) {
        let (node, at) = self.ensure_room(node, at);
        self.insert_into(node, at, child, visible);
        self.add_visible_from(node, visible as i64);
    }

    /// Inserts `child` at position `at` of `node`, which has room, without updating the
    /// ancestors' sums.
    fn insert_into(&mut self, node: u32, at: usize, child: u32, visible: u32) {
        let n = &mut self.nodes[node as usize];
        debug_assert!(n.len < MAX_CHILDREN);
        n.children.copy_within(at..n.len, at + 1);
        n.visible.copy_within(at..n.len, at + 1);
        n.children[at] = child;
        n.visible[at] = visible;
        n.len += 1;
        self.adopt(node, at);
    }

    /// Points the children of `node`, from position `from` on, at it: their parent link and
    /// rank.
    fn adopt(&mut self, node: u32, from: usize) {
        let n = &self.nodes[node as usize];
        if n.bottom {
            for (rank, &child) in (from..).zip(&n.children[from..n.len]) {
                let piece = &mut self.pieces[child as usize];
                piece.node = node;
                piece.rank = rank as u8;
            }
        } else {
            let (children, len) = (n.children, n.len);
            for (rank, &child) in (from..).zip(&children[from..len]) {
                let c = &mut self.nodes[child as usize];
                c.parent = node;
                c.rank = rank as u32;
            }
        }
    }

    /// The position of piece `slot` among its node's children.
    fn rank(&self, slot: Slot) -> usize {
        usize::from(self.pieces[slot as usize].rank)
    }

    /// Makes room for one more child in `node`, splitting it (and its ancestors) if full, and
    /// returns which node and position now correspond to position `at` of `node`. The sums are
    /// consistent before and after.
    fn ensure_room(&mut self, node: u32, at: usize) -> (u32, usize) {
        if self.nodes[node as usize].len < MAX_CHILDREN {
            return (node, at);
        }
        // The parent needs room for the new sibling first.
        let parent = self.nodes[node as usize].parent;
        if parent != NO_NODE {
            let rank = self.nodes[node as usize].rank as usize;
            self.ensure_room(parent, rank);
        }
        const HALF: usize = MAX_CHILDREN / 2;
        let old = &self.nodes[node as usize];
        let parent = old.parent;
        let mut upper = Node::new(parent, old.bottom);
        upper.len = MAX_CHILDREN - HALF;
        upper.children[..upper.len].copy_from_slice(&old.children[HALF..]);
        upper.visible[..upper.len].copy_from_slice(&old.visible[HALF..]);
        let moved_visible = upper.total_visible();
        let new = self.nodes.len() as u32;
        compact::push(&mut self.nodes, upper);
        self.nodes[node as usize].len = HALF;
        self.adopt(new, 0);
        if parent == NO_NODE {
            let mut root = Node::new(NO_NODE, false);
            root.len = 2;
            root.children[..2].copy_from_slice(&[node, new]);
            root.visible[0] = self.nodes[node as usize].total_visible();
            root.visible[1] = moved_visible;
            let root_idx = self.nodes.len() as u32;
            compact::push(&mut self.nodes, root);
            self.root = root_idx;
            self.adopt(root_idx, 0);
        } else {
            let rank = self.nodes[node as usize].rank as usize;
            self.nodes[parent as usize].visible[rank] -= moved_visible;
            self.insert_into(parent, rank + 1, new, moved_visible);
        }
        if at <= HALF {
            (node, at)
        } else {
            (new, at - HALF)
        }
    }

    /// Adds `delta` to the visible length of piece `slot` in all its ancestors.
    fn add_visible(&mut self, slot: Slot, delta: i64) {
        let piece = &self.pieces[slot as usize];
        let (node, at) = (piece.node, usize::from(piece.rank));
        let n = &mut self.nodes[node as usize];
        // The sums stay in `u32`, so adding `delta` modulo 2^32 gives the exact result.
        n.visible[at] = n.visible[at].wrapping_add(delta as u32);
        self.add_visible_from(node, delta);
    }

    /// Adds `delta` to the sums that cover `node`, in all ancestors of `node`.
    fn add_visible_from(&mut self, mut node: u32, delta: i64) {
        if delta == 0 {
            return;
        }
        let delta = delta as u32;
        loop {
            let Node { parent, rank, .. } = self.nodes[node as usize];
            if parent == NO_NODE {
                return;
            }
            let sum = &mut self.nodes[parent as usize].visible[rank as usize];
            *sum = sum.wrapping_add(delta);
            node = parent;
        }
    }

    /// Checks the structural invariants (tests only): sums, parent links, `blocks` and the
    /// chains of pieces.
    #[cfg(test)]
    pub(crate) fn assert_invariants(&self) {
        fn check(index: &Index, node: u32, depth: usize, leaf_depth: &mut Option<usize>) -> u32 {
            let n = &index.nodes[node as usize];
            let mut total = 0;
            for (i, &child) in n.children().iter().enumerate() {
                let visible = if n.bottom {
                    let piece = &index.pieces[child as usize];
                    assert_eq!(piece.node, node, "piece parent link");
                    assert_eq!(usize::from(piece.rank), i, "piece rank");
                    assert!(piece.len > 0, "empty piece");
                    assert_eq!(*leaf_depth.get_or_insert(depth), depth, "unbalanced");
                    for c in piece.counter..piece.counter + piece.len {
                        let pos = index.pos_of(piece.agent, c).expect("pos_of");
                        assert_eq!(pos.slot, child, "pos_of");
                    }
                    if piece.next != NO_SLOT {
                        let next = &index.pieces[piece.next as usize];
                        assert_eq!(next.agent, piece.agent, "chain agent");
                        assert_eq!(next.counter, piece.counter + piece.len, "chain counter");
                    }
                    piece.visible_len()
                } else {
                    assert_eq!(index.nodes[child as usize].parent, node, "node parent link");
                    assert_eq!(index.nodes[child as usize].rank as usize, i, "node rank");
                    check(index, child, depth + 1, leaf_depth)
                };
                assert_eq!(n.visible[i], visible, "visible sum");
                total += visible;
            }
            total
        }
        assert_eq!(check(self, self.root, 0, &mut None), self.visible, "total");
    }
}

#[derive(Clone, Copy)]
enum Direction {
    Next,
    Prev,
}

/// The pieces of an [`Index`] in document order.
#[derive(Clone)]
pub(crate) struct Pieces<'a> {
    index: &'a Index,
    /// The path to the next child to visit: (node, position).
    stack: Vec<(u32, usize)>,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = (Slot, &'a Piece);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (node, at) = self.stack.last_mut()?;
            let n = &self.index.nodes[*node as usize];
            if *at == n.len {
                self.stack.pop();
                continue;
            }
            let child = n.children[*at];
            *at += 1;
            if n.bottom {
                return Some((child, &self.index.pieces[child as usize]));
            }
            self.stack.push((child, 0));
        }
    }
}
