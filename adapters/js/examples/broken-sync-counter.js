#!/usr/bin/env node
// A broken sync: a replica takes a state it sent as received and never asks for a confirmation,
// so a lost message is never sent again. crdt-harness finds it: after a loss the sync falls
// silent while the replicas show different counts (silent_disagreement).
import { serve } from 'crdt-verify-adapter';

class ForgetfulCounter {
  new(actor) { return {}; }
  apply(state, op, dot) { state[dot.actor] = (state[dot.actor] ?? 0) + op.increment; }
  merge(into, from) {
    for (const [actor, n] of Object.entries(from)) into[actor] = Math.max(into[actor] ?? 0, n);
  }
  value(state) { return Object.values(state).reduce((a, b) => a + b, 0); }
  // Per peer: the state last sent (JSON text).
  newSync(actor, replicas) { return {}; }
  message(state, sync, peer) {
    const text = JSON.stringify(state);
    if (sync[peer] === text) return null;
    sync[peer] = text; // the bug: what was sent counts as received
    return { state };
  }
  receive(state, sync, peer, message) { this.merge(state, message.state); }
}

serve(new ForgetfulCounter(), {
  name: 'forgetful sync counter (js, broken)',
  vocabulary: { kind: 'counter', decrements: false },
  sync: { durable: false, silence: { rounds: 4 } },
});
