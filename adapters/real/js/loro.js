#!/usr/bin/env node
// Loro (loro-crdt: text, list, movable list, map) over the adapter protocol:
// `node loro.js text|list|movable-list|map`. A replica is a LoroDoc whose peer id is the
// harness's actor (timestamps are off by default: no clock). A local edit is one commit; its
// message is the export of the updates since the version before it. A remote update goes to
// import, which keeps updates whose dependencies have not arrived and skips what it has: any
// order, duplicates. Loro's snapshot and fork leave out those pending updates, so a copy also
// imports `exportPendingUpdates()`, as Loro's documentation says to.
import { serve } from 'crdt-verify-adapter';
import { LoroDoc } from 'loro-crdt';

import { base64, bytes, chooseType, list, listEdit, lwwMap, mapSet, sharedText } from './common.js';

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

const { name, type, vocabulary } = chooseType(TYPES);
serve(new Loro(type), { name: `loro ${name}`, vocabulary, delivery: 'duplicating' });
