#!/usr/bin/env node
// Yjs (Y.Text, Y.Array, Y.Map) over the adapter protocol: `node yjs.js text|array|map`.
// A replica is a Y.Doc whose clientID is the harness's actor. A local edit is one transaction;
// its message is the update the transaction emits. A remote update goes to Y.applyUpdate,
// which keeps updates whose dependencies have not arrived and skips what it has: any order,
// duplicates. Forks and snapshots go through Yjs' own encoding (pending updates included).
import { serve } from 'crdt-verify-adapter';
import * as Y from 'yjs';

import { base64, bytes, chooseType, list, listEdit, lwwMap, mapSet, pack, sharedText, syncFlag, unpack } from './common.js';

const TYPES = {
  text: sharedText('forward'),
  array: {
    vocabulary: list('forward'),
    make: (doc) => doc.getArray('array'),
    length: (a) => a.length,
    edit(a, e) {
      if (e.insert !== undefined) a.insert(e.at, [e.insert]);
      else a.delete(e.delete, 1);
    },
    value: (a) => a.toArray(),
  },
  map: {
    vocabulary: lwwMap,
    make: (doc) => doc.getMap('map'),
    value: (m) => m.toJSON(),
  },
};

class Yjs {
  constructor(type) { this.type = type; }
  new(actor) {
    const doc = new Y.Doc();
    doc.clientID = actor;
    return doc;
  }
  local(doc, op) {
    const shared = this.type.make(doc);
    let update = null;
    const keep = (u) => { update = u; };
    doc.on('update', keep);
    doc.transact(() => {
      if (this.type === TYPES.map) {
        const [key, value] = mapSet(op);
        shared.set(key, value);
      } else {
        const e = listEdit(op, this.type.length(shared));
        if (e !== null) this.type.edit(shared, e);
      }
    });
    doc.off('update', keep);
    return update;
  }
  effect(doc, update) {
    if (update === null) return;
    // An update holding this client's own ids that the doc lacks (a fork's, or a replica's
    // before a crash) makes Yjs pick a new random clientID: keep the harness's one.
    const id = doc.clientID;
    Y.applyUpdate(doc, update);
    doc.clientID = id;
  }
  value(doc) { return this.type.value(this.type.make(doc)); }
  fork(doc) { return this.restore(doc.clientID, base64(Y.encodeStateAsUpdate(doc))); }
  snapshot(doc) { return base64(Y.encodeStateAsUpdate(doc)); }
  restore(actor, snapshot) {
    const doc = this.new(actor);
    Y.applyUpdate(doc, bytes(snapshot));
    return doc;
  }
}

// With `--sync`: state vectors, a request and an answer per peer. A replica sends a peer its
// snapshot (state vector and delete set) and, unless the peer's last reported snapshot equals
// its own, `encodeStateAsUpdate(doc, peer's state vector)`; a message that brought an update is
// answered with the receiver's snapshot. (A state vector alone does not tell that a peer lacks
// a deletion, which does not move it: the delete sets are compared too.) Nothing of the sync
// state is kept at a crash.
class YjsSync extends Yjs {
  apply(doc, op) { this.local(doc, op); }
  merge(into, from) { this.effect(into, Y.encodeStateAsUpdate(from)); }
  newSync() { return new Map(); }
  message(doc, sync, peer) {
    const known = sync.get(peer) ?? { snapshot: null, owed: false };
    sync.set(peer, known);
    const ours = Y.snapshot(doc);
    const behind = known.snapshot === null || !Y.equalSnapshots(known.snapshot, ours);
    const update = behind
      ? Y.encodeStateAsUpdate(doc, known.snapshot === null ? undefined : Y.encodeStateVector(known.snapshot.sv))
      : null;
    if (update === null && !known.owed) return null;
    known.owed = false;
    return pack(Y.encodeSnapshot(ours), update);
  }
  receive(doc, sync, peer, message) {
    const { have, update } = unpack(message);
    if (update !== null) this.effect(doc, update);
    sync.set(peer, { snapshot: Y.decodeSnapshot(have), owed: (sync.get(peer)?.owed ?? false) || update !== null });
  }
}

const { sync, rest } = syncFlag();
const { name, type, vocabulary } = chooseType(TYPES, rest);
const title = `yjs Y.${name[0].toUpperCase()}${name.slice(1)}`;
if (sync) {
  serve(new YjsSync(type), { name: `${title} (sync)`, vocabulary, sync: { durable: false, silence: { rounds: 4 } } });
} else {
  serve(new Yjs(type), { name: title, vocabulary, delivery: 'duplicating' });
}
