#!/usr/bin/env node
// Automerge (text, list, map, counter) over the adapter protocol:
// `node automerge.js text|list|map|counter`. A replica is an Automerge document whose actor id
// is the harness's actor (8 bytes, big-endian, so that byte order is the actors' order). Every
// replica starts from one genesis change, made once by a fixed actor, that creates the objects
// (concurrent creations of one key would be concurrent objects). A local edit is one change,
// timestamp 0 (never the clock); its message is that change. A remote change goes to
// applyChanges, which queues changes whose dependencies have not arrived and skips what it
// has: any order, duplicates. Forks and snapshots go through clone and save/load, which keep
// the queue.
import * as A from '@automerge/automerge';
import { serve } from 'crdt-verify-adapter';

import { UNITS, base64, bytes, chooseType, list, listEdit, lwwMap, mapSet, syncFlag, text } from './common.js';

const NO_CLOCK = { time: 0 };
const actorId = (actor) => actor.toString(16).padStart(16, '0');
const GENESIS = A.save(A.change(A.init({ actor: 'ff'.repeat(8) }), NO_CLOCK, (d) => {
  d.text = '';
  d.list = [];
  d.map = {};
  d.counter = new A.Counter();
}));

const TYPES = {
  text: {
    vocabulary: text('forward'),
    length: (d) => d.text.length / UNITS,
    edit(d, e) {
      if (e.insert !== undefined) A.splice(d, ['text'], e.at * UNITS, 0, e.insert);
      else A.splice(d, ['text'], e.delete * UNITS, UNITS);
    },
    value: (d) => d.text,
  },
  list: {
    vocabulary: list('forward'),
    length: (d) => d.list.length,
    edit(d, e) {
      if (e.insert !== undefined) d.list.insertAt(e.at, e.insert);
      else d.list.deleteAt(e.delete);
    },
    value: (d) => [...d.list],
  },
  map: {
    vocabulary: lwwMap,
    edit(d, op) {
      const [key, value] = mapSet(op);
      d.map[key] = value;
    },
    value: (d) => ({ ...d.map }),
  },
  counter: {
    vocabulary: { kind: 'counter' },
    edit(d, op) {
      d.counter.increment('increment' in op ? op.increment : -op.decrement);
    },
    value: (d) => d.counter.value,
  },
};

class Automerge {
  constructor(type) { this.type = type; }
  new(actor) { return { doc: A.load(GENESIS, { actor: actorId(actor) }) }; }
  local(state, op) {
    const heads = A.getHeads(state.doc);
    state.doc = A.change(state.doc, NO_CLOCK, (d) => {
      if (this.type.length === undefined) return this.type.edit(d, op);
      const e = listEdit(op, this.type.length(d));
      if (e !== null) this.type.edit(d, e);
    });
    const changed = A.getHeads(state.doc).join() !== heads.join();
    return changed ? A.getLastLocalChange(state.doc) : null;
  }
  effect(state, change) {
    if (change !== null) [state.doc] = A.applyChanges(state.doc, [change]);
  }
  value(state) { return this.type.value(state.doc); }
  fork(state) { return { doc: A.clone(state.doc, { actor: A.getActorId(state.doc) }) }; }
  snapshot(state) { return base64(A.save(state.doc)); }
  restore(actor, snapshot) { return { doc: A.load(bytes(snapshot), { actor: actorId(actor) }) }; }
}

// With `--sync`: Automerge's own sync protocol (one sync state per peer, `generateSyncMessage`,
// `receiveSyncMessage`), the harness only delivering its messages, over connections as the
// protocol assumes (in order; a loss breaks the connection, and at a reconnection each end
// reloads its sync state, `decodeSyncState(encodeSyncState(s))`, which keeps only the shared
// heads). Sync states are not kept at a crash (a restarted replica starts new ones).
// `--sync --datagram` runs the same protocol over datagrams, outside its contract: a lost
// message is never recovered (automerge issues #772 and #1284).
class AutomergeSync extends Automerge {
  apply(state, op) { this.local(state, op); }
  merge(into, from) { into.doc = A.merge(into.doc, A.clone(from.doc)); }
  newSync() { return new Map(); }
  message(state, sync, peer) {
    const [next, message] = A.generateSyncMessage(state.doc, sync.get(peer) ?? A.initSyncState());
    sync.set(peer, next);
    return message === null ? null : base64(message);
  }
  receive(state, sync, peer, message) {
    const [doc, next] = A.receiveSyncMessage(state.doc, sync.get(peer) ?? A.initSyncState(), bytes(message));
    state.doc = doc;
    sync.set(peer, next);
  }
  reconnect(sync, peer) {
    const state = sync.get(peer);
    if (state !== undefined) sync.set(peer, A.decodeSyncState(A.encodeSyncState(state)));
  }
}

const { sync, rest } = syncFlag();
const datagram = rest.includes('--datagram');
const { name, type, vocabulary } = chooseType(TYPES, rest.filter((a) => a !== '--datagram'));
if (sync) {
  serve(new AutomergeSync(type), {
    name: `automerge ${name} (sync${datagram ? ', datagrams' : ''})`,
    vocabulary,
    sync: { durable: false, silence: { rounds: 6 }, transport: datagram ? 'datagram' : 'connection' },
  });
} else {
  serve(new Automerge(type), { name: `automerge ${name}`, vocabulary, delivery: 'duplicating' });
}
