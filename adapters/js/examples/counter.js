#!/usr/bin/env node
// A state-based PN-counter, served to crdt-harness: `crdt-harness check --adapter 'node counter.js'`.
import { serve } from 'crdt-verify-adapter';

class PnCounter {
  new(actor) { return { inc: {}, dec: {} }; }
  apply(state, op, dot) {
    const [side, n] = 'increment' in op ? [state.inc, op.increment] : [state.dec, op.decrement];
    side[dot.actor] = (side[dot.actor] ?? 0) + n;
  }
  merge(into, from) {
    for (const side of ['inc', 'dec']) {
      for (const [actor, n] of Object.entries(from[side])) {
        into[side][actor] = Math.max(into[side][actor] ?? 0, n);
      }
    }
  }
  value(state) {
    const sum = (side) => Object.values(side).reduce((a, b) => a + b, 0);
    return sum(state.inc) - sum(state.dec);
  }
  snapshot(state) { return state; }
  restore(actor, snapshot) { return structuredClone(snapshot); }
}

serve(new PnCounter(), { name: 'pn-counter (js)', vocabulary: { kind: 'counter' } });
