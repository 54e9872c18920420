#!/usr/bin/env node
// A grow-only counter with its own sync protocol: a replica sends its state to a peer until the
// peer confirms holding it. `crdt-harness check --adapter 'node sync-counter.js'` drives the
// sync over a faulty network (loss, duplication, reordering, partitions, crashes).
import { serve } from 'crdt-verify-adapter';

class GossipCounter {
  new(actor) { return {}; }
  apply(state, op, dot) { state[dot.actor] = (state[dot.actor] ?? 0) + op.increment; }
  merge(into, from) {
    for (const [actor, n] of Object.entries(from)) into[actor] = Math.max(into[actor] ?? 0, n);
  }
  value(state) { return Object.values(state).reduce((a, b) => a + b, 0); }
  // Per peer: the state it confirmed holding (JSON text), and whether it asked us to confirm.
  newSync(actor, replicas) { return {}; }
  message(state, sync, peer) {
    const p = (sync[peer] ??= { confirmed: null, owed: false });
    if (p.confirmed !== JSON.stringify(state)) return { state, ask: true };
    if (p.owed) { p.owed = false; return { state, ask: false }; }
    return null; // nothing to say: the sync falls silent
  }
  receive(state, sync, peer, message) {
    this.merge(state, message.state);
    const p = (sync[peer] ??= { confirmed: null, owed: false });
    if (JSON.stringify(state) === JSON.stringify(message.state)) p.confirmed = JSON.stringify(state);
    p.owed ||= message.ask;
  }
}

serve(new GossipCounter(), {
  name: 'gossip counter (js)',
  vocabulary: { kind: 'counter', decrements: false },
  sync: { durable: false, silence: { rounds: 4 } },
});
