#!/usr/bin/env node
// A broken PN-counter: `merge` adds the other replica's counts instead of taking the maximum,
// so a state received twice (or merged back into itself) counts twice. crdt-harness finds it:
// merge is not idempotent, and replicas that exchange states end up with different counts.
import { serve } from 'crdt-verify-adapter';

class AddingCounter {
  new(actor) { return { inc: {}, dec: {} }; }
  apply(state, op, dot) {
    const [side, n] = 'increment' in op ? [state.inc, op.increment] : [state.dec, op.decrement];
    side[dot.actor] = (side[dot.actor] ?? 0) + n;
  }
  merge(into, from) {
    for (const side of ['inc', 'dec']) {
      for (const [actor, n] of Object.entries(from[side])) {
        into[side][actor] = (into[side][actor] ?? 0) + n; // the bug: + instead of Math.max
      }
    }
  }
  value(state) {
    const sum = (side) => Object.values(side).reduce((a, b) => a + b, 0);
    return sum(state.inc) - sum(state.dec);
  }
}

serve(new AddingCounter(), { name: 'adding counter (js, broken)', vocabulary: { kind: 'counter' } });
