// crdt-verify-adapter: turns a small CRDT class into an adapter for `crdt-harness check
// --adapter '<command>'`, speaking the adapter protocol (docs/protocol.md, version 1): JSON
// Lines on stdin and stdout, one process holding many replicas.
//
// The class gives one of four shapes (the flavour is read from the methods it has):
//   sync:        the state-based methods, and its own sync protocol: newSync(actor, replicas),
//                message(state, sync, peer) -> a JSON message or null, receive(state, sync,
//                peer, message), and over connections reconnect(sync, peer) (options.sync:
//                {durable, silence, transport}, docs/protocol.md)
//   state-based: new(actor), apply(state, op, dot), merge(into, from), value(state)
//   delta-state: new(actor), delta(state, op, dot) -> delta, merge(into, from), value(state)
//   op-based:    new(actor), local(state, op, dot) -> message, effect(state, message), value(state)
// and optionally fork(state), snapshot(state) with restore(actor, snapshot), equal(a, b) and
// leq(a, b) (the state order; without it, derived from merge and equal in the adapter).
// `apply`, `merge` and `effect` change the state in place, or return the new state.

import { Console } from 'node:console';
import { createInterface } from 'node:readline';

/** The protocol version this kit speaks. */
export const PROTOCOL = 1;

const FLAVOURS = {
  sync: ['new', 'apply', 'merge', 'value', 'newSync', 'message', 'receive'],
  op: ['new', 'local', 'effect', 'value'],
  delta: ['new', 'delta', 'merge', 'value'],
  state: ['new', 'apply', 'merge', 'value'],
};

/** The flavour a CRDT object's methods give: `"sync"`, `"op"`, `"delta"` or `"state"`. */
export function flavourOf(crdt) {
  for (const [flavour, methods] of Object.entries(FLAVOURS)) {
    if (methods.every((m) => typeof crdt[m] === 'function')) return flavour;
  }
  const wanted = Object.values(FLAVOURS).map((ms) => ms.join('/')).join(', or ');
  throw new Error(`the CRDT has none of the method sets ${wanted}`);
}

class RequestError extends Error {}

function need(request, field) {
  const v = request[field];
  if (v === undefined) throw new RequestError(`${request.type}: missing field "${field}"`);
  return v;
}

// An error as one line: a user's exception keeps its class name (`TypeError: ...`).
function oneLine(error) {
  let text = String(error);
  if (error instanceof Error) {
    const plain = error instanceof RequestError || error.name === 'Error';
    text = plain ? error.message : `${error.name}: ${error.message}`;
  }
  return text.replace(/\s*\n\s*/g, ' ') || 'error';
}

/**
 * The protocol's requests over one CRDT: `handle(request)` answers one parsed request with its
 * response object. `serve` feeds it lines; tests may call it directly.
 */
export class Adapter {
  /**
   * @param {object} crdt the CRDT (an instance of the user's class)
   * @param {object} options `name` (for reports), `vocabulary` (an object, docs/protocol.md),
   *   `delivery` (op flavour: "causal", "fifo", "unordered" or "duplicating"),
   *   `sync` (sync flavour: `{durable, silence}`, e.g. `{durable: false, silence: {rounds: 4}}`,
   *   and `transport: "connection"` for a protocol that assumes in-order connections and is told
   *   of a broken one by `reconnect(sync, peer)`, which changes the sync state in place or
   *   returns the new one),
   *   optional `flavour` to override the one read from the methods
   */
  constructor(crdt, options = {}) {
    this.crdt = crdt;
    this.flavour = options.flavour ?? flavourOf(crdt);
    this.name = options.name ?? crdt.constructor?.name ?? 'crdt';
    this.vocabulary = options.vocabulary;
    this.delivery = options.delivery;
    if (this.vocabulary === undefined) throw new Error('options.vocabulary is required');
    if (this.flavour === 'op' && this.delivery === undefined) {
      throw new Error('an op-based CRDT needs options.delivery');
    }
    this.sync = options.sync;
    if (this.flavour === 'sync' && (typeof this.sync?.durable !== 'boolean' || typeof this.sync?.silence !== 'object')) {
      throw new Error('a CRDT with its own sync needs options.sync: {durable: bool, silence: {rounds: n}}');
    }
    if (this.flavour === 'sync' && !['datagram', 'connection', undefined].includes(this.sync.transport)) {
      throw new Error('options.sync.transport must be "datagram" or "connection"');
    }
    this.syncs = new Map();
    this.canSnapshot = typeof crdt.snapshot === 'function' && typeof crdt.restore === 'function';
    this.canEqual = typeof crdt.equal === 'function';
    // The state order, for the state and delta flavours: the class's own, or merge's
    // (a ≤ b ⇔ a ⊔ b = b) from a copy, merge and equal, done here rather than in round trips.
    this.canLeq = (this.flavour === 'state' || this.flavour === 'delta')
      && (typeof crdt.leq === 'function' || this.canEqual);
    this.replicas = new Map();
    this.messages = new Map();
    this.greeted = false;
  }

  replica(handle) {
    const r = this.replicas.get(handle);
    if (r === undefined) throw new RequestError(`unknown replica ${handle}`);
    return r;
  }

  syncState(handle) {
    if (!this.syncs.has(handle)) throw new RequestError(`unknown sync state ${handle}`);
    return this.syncs.get(handle);
  }

  message(handle) {
    if (!this.messages.has(handle)) throw new RequestError(`unknown message ${handle}`);
    return this.messages.get(handle);
  }

  // Runs a state-changing method: its result, when not undefined, is the new state.
  update(handle, method, ...args) {
    const r = this.replica(handle);
    const next = this.crdt[method](r.state, ...args);
    if (next !== undefined) r.state = next;
  }

  copy(state) {
    return typeof this.crdt.fork === 'function' ? this.crdt.fork(state) : structuredClone(state);
  }

  value(handle) {
    return this.crdt.value(this.replica(handle).state);
  }

  // a ≤ b: the class's order, or merge's (a ⊔ b = b) on a copy of a.
  leq(a, b) {
    if (typeof this.crdt.leq === 'function') return this.crdt.leq(a, b);
    const copy = this.copy(a);
    const joined = this.crdt.merge(copy, b);
    return this.crdt.equal(joined === undefined ? copy : joined, b);
  }

  /** Answers one request (a parsed JSON object) with its response object. */
  handle(request) {
    try {
      if (request === null || typeof request !== 'object' || Array.isArray(request)) {
        throw new RequestError('a request must be a JSON object');
      }
      if (!this.greeted && request.type !== 'hello') {
        throw new RequestError(`"${request.type}" before "hello"`);
      }
      return { ok: true, ...this.dispatch(request, false) };
    } catch (error) {
      const response = { ok: false, error: oneLine(error) };
      if (error.index !== undefined) Object.assign(response, { index: error.index, results: error.results });
      return response;
    }
  }

  dispatch(request, inBatch) {
    const crdt = this.crdt;
    switch (request.type) {
      case 'hello': {
        if (inBatch) throw new RequestError('"hello" inside a batch');
        if (need(request, 'protocol') !== PROTOCOL) {
          throw new RequestError(`protocol ${request.protocol} asked, this kit speaks ${PROTOCOL}`);
        }
        this.greeted = true;
        const hello = {
          protocol: PROTOCOL,
          name: this.name,
          flavour: this.flavour,
          vocabulary: this.vocabulary,
          // `pipeline`: `serve` answers each line before it reads the next.
          capabilities: {
            fork: true,
            snapshot: this.canSnapshot,
            equal: this.canEqual,
            leq: this.canLeq,
            pipeline: true,
          },
        };
        if (this.flavour === 'op') hello.delivery = this.delivery;
        if (this.flavour === 'sync') hello.sync = this.sync;
        return hello;
      }
      case 'new': {
        const actor = need(request, 'actor');
        this.replicas.set(need(request, 'replica'), { actor, state: crdt.new(actor) });
        return {};
      }
      case 'local': {
        const [handle, op, dot] = [need(request, 'replica'), need(request, 'op'), need(request, 'dot')];
        if (this.flavour === 'state' || this.flavour === 'sync') {
          this.update(handle, 'apply', op, dot);
        } else if (this.flavour === 'delta') {
          const out = need(request, 'out');
          const r = this.replica(handle);
          const delta = crdt.delta(r.state, op, dot);
          this.update(handle, 'merge', delta);
          this.replicas.set(out, { actor: r.actor, state: delta });
        } else {
          const message = need(request, 'message');
          this.messages.set(message, crdt.local(this.replica(handle).state, op, dot));
        }
        return {};
      }
      case 'deliver': {
        if (this.flavour !== 'op') throw new RequestError(`"deliver" in the ${this.flavour} flavour`);
        const message = this.message(need(request, 'message'));
        this.update(need(request, 'replica'), 'effect', message);
        return {};
      }
      case 'merge': {
        if (this.flavour === 'op') throw new RequestError('"merge" in the op flavour');
        const from = this.replica(need(request, 'from'));
        this.update(need(request, 'into'), 'merge', from.state);
        return {};
      }
      case 'sync_new':
        this.needSync(request);
        this.syncs.set(need(request, 'out'), crdt.newSync(need(request, 'actor'), need(request, 'replicas')));
        return {};
      case 'sync_message': {
        this.needSync(request);
        const r = this.replica(need(request, 'replica'));
        const m = crdt.message(r.state, this.syncState(need(request, 'sync')), need(request, 'peer'));
        return { value: m ?? null };
      }
      case 'sync_reconnect': {
        this.needSync(request);
        const handle = need(request, 'sync');
        const sync = this.syncState(handle);
        const next = crdt.reconnect?.(sync, need(request, 'peer'));
        if (next !== undefined) this.syncs.set(handle, next);
        return {};
      }
      case 'sync_receive': {
        this.needSync(request);
        const sync = this.syncState(need(request, 'sync'));
        this.update(need(request, 'replica'), 'receive', sync, need(request, 'peer'), need(request, 'message'));
        return {};
      }
      case 'value':
        return { value: this.value(need(request, 'replica')) };
      case 'values':
        return { values: need(request, 'replicas').map((h) => this.value(h)) };
      case 'fork': {
        const r = this.replica(need(request, 'replica'));
        this.replicas.set(need(request, 'out'), { actor: r.actor, state: this.copy(r.state) });
        return {};
      }
      case 'snapshot':
        if (!this.canSnapshot) throw new RequestError('"snapshot": the CRDT has no snapshot/restore');
        return { snapshot: crdt.snapshot(this.replica(need(request, 'replica')).state) };
      case 'restore': {
        if (!this.canSnapshot) throw new RequestError('"restore": the CRDT has no snapshot/restore');
        const [out, actor, snapshot] = [need(request, 'out'), need(request, 'actor'), need(request, 'snapshot')];
        this.replicas.set(out, { actor, state: crdt.restore(actor, snapshot) });
        return {};
      }
      case 'equal': {
        if (!this.canEqual) throw new RequestError('"equal": the CRDT has no equal');
        const a = this.replica(need(request, 'replica'));
        const b = this.replica(need(request, 'other'));
        return { equal: Boolean(crdt.equal(a.state, b.state)) };
      }
      case 'leq': {
        if (!this.canLeq) throw new RequestError(`"leq": the CRDT has no leq (and no equal) in the ${this.flavour} flavour`);
        const a = this.replica(need(request, 'replica'));
        const b = this.replica(need(request, 'other'));
        return { leq: Boolean(this.leq(a.state, b.state)) };
      }
      case 'drop':
        for (const h of need(request, 'replicas')) this.replicas.delete(h);
        for (const h of request.messages ?? []) this.messages.delete(h);
        for (const h of request.syncs ?? []) this.syncs.delete(h);
        return {};
      case 'reset':
        this.replicas.clear();
        this.messages.clear();
        this.syncs.clear();
        return {};
      case 'batch':
        return this.batch(need(request, 'requests'), inBatch);
      default:
        throw new RequestError(`unknown request type ${JSON.stringify(request.type)}`);
    }
  }

  needSync(request) {
    if (this.flavour !== 'sync') throw new RequestError(`"${request.type}" in the ${this.flavour} flavour`);
  }

  batch(requests, inBatch) {
    if (inBatch) throw new RequestError('"batch" inside a batch');
    const results = [];
    for (let index = 0; index < requests.length; index++) {
      try {
        results.push({ ok: true, ...this.dispatch(requests[index], true) });
      } catch (error) {
        // The whole response is the failure: rethrown as one, with the index and what ran.
        throw Object.assign(new RequestError(oneLine(error)), { index, results });
      }
    }
    return { results };
  }

  /** Answers one line of input with one line of output (without its newline). */
  line(text) {
    let request;
    try {
      request = JSON.parse(text);
    } catch (error) {
      return JSON.stringify({ ok: false, error: `not JSON: ${oneLine(error)}` });
    }
    return JSON.stringify(this.handle(request));
  }
}

/**
 * Serves `crdt` over the protocol on stdin and stdout until stdin closes; resolves then.
 * `io` (optional) gives other `input` and `output` streams, for tests.
 */
export function serve(crdt, options, io = {}) {
  const adapter = new Adapter(crdt, options);
  const input = io.input ?? process.stdin;
  const output = io.output ?? process.stdout;
  // Stdout carries the protocol only: what the CRDT or its library logs goes to stderr (Yjs,
  // for one, prints its warnings with console.log).
  if (output === process.stdout) globalThis.console = new Console(process.stderr, process.stderr);
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  lines.on('line', (text) => {
    if (text.trim() === '') return;
    output.write(`${adapter.line(text)}\n`);
  });
  return new Promise((resolve) => lines.on('close', () => resolve(adapter)));
}
