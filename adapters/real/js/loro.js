#!/usr/bin/env node
// Loro (loro-crdt: text, list, movable list, map) over the adapter protocol:
// `node loro.js text|list|movable-list|map`. A replica is a LoroDoc whose peer id is the
// harness's actor (timestamps are off by default: no clock). A local edit is one commit; its
// message is the export of the updates since the version before it. A remote update goes to
// import, which keeps updates whose dependencies have not arrived and skips what it has: any
// order, duplicates. Loro's snapshot and fork leave out those pending updates, so a copy also
// imports `exportPendingUpdates()`, as Loro's documentation says to.
import { serve } from 'crdt-verify-adapter';
import { LoroDoc, VersionVector } from 'loro-crdt';

import { base64, bytes, chooseType, list, listEdit, lwwMap, mapSet, pack, sharedText, syncFlag, unpack } from './common.js';

const sequence = (get) => ({
  vocabulary: list('backward'),
  make: get,
  length: (l) => l.length,
  edit(l, e) {
    if (e.insert !== undefined) l.insert(e.at, e.insert);
    else l.delete(e.delete, 1);
  },
  value: (l) => l.toArray(),
});

const TYPES = {
  text: sharedText('backward'),
  list: sequence((doc) => doc.getList('list')),
  'movable-list': sequence((doc) => doc.getMovableList('list')),
  map: {
    vocabulary: lwwMap,
    make: (doc) => doc.getMap('map'),
    value: (m) => m.toJSON(),
  },
};

function withPeer(doc, actor) {
  doc.setPeerId(BigInt(actor));
  return doc;
}

class Loro {
  constructor(type) { this.type = type; }
  new(actor) { return withPeer(new LoroDoc(), actor); }
  local(doc, op) {
    const before = doc.oplogVersion();
    const shared = this.type.make(doc);
    if (this.type.length === undefined) {
      const [key, value] = mapSet(op);
      shared.set(key, value);
    } else {
      const e = listEdit(op, this.type.length(shared));
      if (e !== null) this.type.edit(shared, e);
    }
    doc.commit();
    return doc.export({ mode: 'update', from: before });
  }
  effect(doc, update) { doc.import(update); }
  value(doc) { return this.type.value(this.type.make(doc)); }
  fork(doc) {
    const copy = withPeer(doc.fork(), doc.peerId);
    const pending = doc.exportPendingUpdates();
    if (pending !== undefined) copy.import(pending);
    return copy;
  }
  snapshot(doc) {
    const pending = doc.exportPendingUpdates();
    return { doc: base64(doc.export({ mode: 'snapshot' })), pending: pending && base64(pending) };
  }
  restore(actor, snapshot) {
    const doc = withPeer(new LoroDoc(), actor);
    doc.import(bytes(snapshot.doc));
    if (snapshot.pending) doc.import(bytes(snapshot.pending));
    return doc;
  }
}

// With `--sync`: version vectors and `export({ mode: 'update', from })`. A replica sends a peer
// its version vector (`oplogVersion()`) and, unless its version is within the peer's last
// reported one, the updates since that version; a message that brought updates is answered
// with the receiver's version vector. A deletion is an operation with its own id in Loro, so
// the version vector alone tells what a peer lacks. Nothing of the sync state is kept at a crash.
/** The version holding both `a` and `b`. */
function joined(a, b) {
  const peers = a.toJSON();
  for (const [peer, n] of b.toJSON()) peers.set(peer, Math.max(peers.get(peer) ?? 0, n));
  return VersionVector.parseJSON(peers);
}

class LoroSync extends Loro {
  apply(doc, op) { this.local(doc, op); }
  merge(into, from) {
    into.import(from.export({ mode: 'update' }));
    const pending = from.exportPendingUpdates();
    if (pending !== undefined) into.import(pending);
  }
  newSync() { return new Map(); }
  message(doc, sync, peer) {
    const known = sync.get(peer) ?? { version: null, owed: false };
    sync.set(peer, known);
    const ours = doc.oplogVersion();
    const order = known.version === null ? undefined : ours.compare(known.version);
    const lacking = !(order === 0 || order === -1);
    const update = lacking
      ? doc.export(known.version === null ? { mode: 'update' } : { mode: 'update', from: known.version })
      : null;
    if (update === null && !known.owed) return null;
    known.owed = false;
    return pack(ours.encode(), update);
  }
  receive(doc, sync, peer, message) {
    const { have, update } = unpack(message);
    if (update !== null) doc.import(update);
    const known = sync.get(peer) ?? { version: null, owed: false };
    // Messages may arrive out of order: keep the newest version the peer is known to have.
    const version = VersionVector.decode(have);
    known.version = known.version === null ? version : joined(known.version, version);
    known.owed ||= update !== null;
    sync.set(peer, known);
  }
}

const { sync, rest } = syncFlag();
const { name, type, vocabulary } = chooseType(TYPES, rest);
if (sync) {
  serve(new LoroSync(type), { name: `loro ${name} (sync)`, vocabulary, sync: { durable: false, silence: { rounds: 4 } } });
} else {
  serve(new Loro(type), { name: `loro ${name}`, vocabulary, delivery: 'duplicating' });
}
