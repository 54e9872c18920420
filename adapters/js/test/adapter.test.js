// The kit's side of the protocol (docs/protocol.md), request by request, without the harness.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Adapter, PROTOCOL, flavourOf, serve } from 'crdt-verify-adapter';

const dot = (actor, seq) => ({ actor, seq });

// A grow-only set of integers, in each flavour, small enough to read.
class StateSet {
  new() { return { items: [] }; }
  apply(state, op) { if (!state.items.includes(op.add)) state.items.push(op.add); }
  merge(into, from) { for (const x of from.items) this.apply(into, { add: x }); }
  value(state) { return [...state.items].sort((a, b) => a - b); }
  equal(a, b) { return JSON.stringify(this.value(a)) === JSON.stringify(this.value(b)); }
}

class DeltaSet extends StateSet {
  delta(state, op) { return { items: [op.add] }; }
}
delete DeltaSet.prototype.apply;

class OpSet {
  new() { return new Set(); }
  local(state, op) { state.add(op.add); return op.add; }
  effect(state, message) { state.add(message); }
  value(state) { return [...state].sort((a, b) => a - b); }
  fork(state) { return new Set(state); }
}

const SET = { kind: 'set', wins: 'grow' };

function greeted(crdt, options = {}) {
  const adapter = new Adapter(crdt, { vocabulary: SET, delivery: 'causal', ...options });
  assert.equal(adapter.handle({ type: 'hello', protocol: PROTOCOL }).ok, true);
  return adapter;
}

function ok(adapter, request) {
  const response = adapter.handle(request);
  assert.equal(response.ok, true, `${JSON.stringify(request)} -> ${JSON.stringify(response)}`);
  return response;
}

describe('hello', () => {
  it('answers with the flavour, vocabulary and capabilities', () => {
    const adapter = new Adapter(new StateSet(), { name: 'g-set', vocabulary: SET });
    assert.deepEqual(adapter.handle({ type: 'hello', protocol: 1 }), {
      ok: true,
      protocol: 1,
      name: 'g-set',
      flavour: 'state',
      vocabulary: SET,
      capabilities: { fork: true, snapshot: false, equal: true, leq: true, pipeline: true },
    });
  });

  it('gives the delivery of an op-based CRDT', () => {
    const hello = new Adapter(new OpSet(), { vocabulary: SET, delivery: 'unordered' })
      .handle({ type: 'hello', protocol: 1 });
    assert.equal(hello.flavour, 'op');
    assert.equal(hello.delivery, 'unordered');
  });

  it('refuses another protocol version and any request before hello', () => {
    const adapter = new Adapter(new StateSet(), { vocabulary: SET });
    assert.match(adapter.handle({ type: 'new', replica: 0, actor: 0 }).error, /before "hello"/);
    assert.match(adapter.handle({ type: 'hello', protocol: 2 }).error, /protocol 2 asked/);
    assert.equal(adapter.handle({ type: 'hello', protocol: 1 }).ok, true);
  });

  it('reads the flavour from the methods, and refuses a class that has no flavour', () => {
    assert.equal(flavourOf(new StateSet()), 'state');
    assert.equal(flavourOf(new DeltaSet()), 'delta');
    assert.equal(flavourOf(new OpSet()), 'op');
    assert.throws(() => flavourOf({ new() {}, value() {} }), /none of the method sets/);
    assert.throws(() => new Adapter(new OpSet(), { vocabulary: SET }), /needs options.delivery/);
  });
});

describe('state flavour', () => {
  it('applies, forks independently, merges and reads values', () => {
    const a = greeted(new StateSet());
    ok(a, { type: 'new', replica: 0, actor: 0 });
    ok(a, { type: 'new', replica: 1, actor: 1 });
    ok(a, { type: 'local', replica: 0, op: { add: 3 }, dot: dot(0, 1) });
    ok(a, { type: 'fork', replica: 0, out: 2 });
    ok(a, { type: 'local', replica: 0, op: { add: 1 }, dot: dot(0, 2) });
    assert.deepEqual(ok(a, { type: 'value', replica: 2 }).value, [3]);
    ok(a, { type: 'merge', into: 1, from: 2 });
    ok(a, { type: 'local', replica: 1, op: { add: 2 }, dot: dot(1, 1) });
    assert.deepEqual(ok(a, { type: 'values', replicas: [0, 1, 2] }).values, [[1, 3], [2, 3], [3]]);
    assert.deepEqual(ok(a, { type: 'equal', replica: 0, other: 1 }).equal, false);
    assert.match(a.handle({ type: 'deliver', replica: 0, message: 0 }).error, /state flavour/);
  });

  it('answers the state order: the class\'s own, or merge\'s from equal, leaving both unchanged', () => {
    const derived = greeted(new StateSet());
    class OwnOrder extends StateSet {
      leq(a, b) { return a.items.every((x) => b.items.includes(x)); }
    }
    OwnOrder.prototype.equal = undefined;
    for (const a of [derived, greeted(new OwnOrder())]) {
      ok(a, { type: 'new', replica: 0, actor: 0 });
      ok(a, { type: 'local', replica: 0, op: { add: 3 }, dot: dot(0, 1) });
      ok(a, { type: 'fork', replica: 0, out: 1 });
      ok(a, { type: 'local', replica: 1, op: { add: 4 }, dot: dot(0, 2) });
      assert.equal(ok(a, { type: 'leq', replica: 0, other: 1 }).leq, true);
      assert.equal(ok(a, { type: 'leq', replica: 1, other: 0 }).leq, false);
      assert.equal(ok(a, { type: 'leq', replica: 1, other: 1 }).leq, true);
      assert.deepEqual(ok(a, { type: 'values', replicas: [0, 1] }).values, [[3], [3, 4]]);
    }
    // Without an order or an equality there is no leq; an op-based CRDT has none.
    class NoOrder extends StateSet {}
    NoOrder.prototype.equal = undefined;
    const none = greeted(new NoOrder());
    assert.equal(none.handle({ type: 'hello', protocol: 1 }).capabilities.leq, false);
    assert.match(none.handle({ type: 'leq', replica: 0, other: 0 }).error, /no leq/);
    const op = greeted(new OpSet());
    assert.equal(op.handle({ type: 'hello', protocol: 1 }).capabilities.leq, false);
  });

  it('reports missing capabilities and unknown handles, and keeps serving', () => {
    const a = greeted(new StateSet());
    assert.match(a.handle({ type: 'snapshot', replica: 0 }).error, /no snapshot/);
    assert.equal(a.handle({ type: 'value', replica: 4 }).error, 'unknown replica 4');
    assert.match(a.handle({ type: 'local', replica: 0, op: { add: 1 } }).error, /missing field "dot"/);
    assert.match(a.handle({ type: 'frobnicate' }).error, /unknown request type "frobnicate"/);
    ok(a, { type: 'new', replica: 4, actor: 0 });
    assert.deepEqual(ok(a, { type: 'value', replica: 4 }).value, []);
  });

  it('turns an exception in the user code into an error of one line', () => {
    const a = greeted(Object.assign(new StateSet(), { value() { throw new TypeError('no\nway'); } }));
    ok(a, { type: 'new', replica: 0, actor: 0 });
    assert.deepEqual(a.handle({ type: 'value', replica: 0 }), { ok: false, error: 'TypeError: no way' });
  });

  it('drops replicas and resets', () => {
    const a = greeted(new StateSet());
    ok(a, { type: 'new', replica: 0, actor: 0 });
    ok(a, { type: 'new', replica: 1, actor: 1 });
    ok(a, { type: 'drop', replicas: [0, 7] });
    assert.equal(a.handle({ type: 'value', replica: 0 }).ok, false);
    ok(a, { type: 'value', replica: 1 });
    ok(a, { type: 'reset' });
    assert.equal(a.handle({ type: 'value', replica: 1 }).ok, false);
  });
});

describe('delta flavour', () => {
  it('keeps the delta of a local update as a replica of its own', () => {
    const a = greeted(new DeltaSet());
    ok(a, { type: 'new', replica: 0, actor: 0 });
    ok(a, { type: 'new', replica: 1, actor: 1 });
    ok(a, { type: 'local', replica: 0, op: { add: 5 }, dot: dot(0, 1), out: 2 });
    ok(a, { type: 'local', replica: 0, op: { add: 6 }, dot: dot(0, 2), out: 3 });
    assert.deepEqual(ok(a, { type: 'values', replicas: [0, 2, 3] }).values, [[5, 6], [5], [6]]);
    ok(a, { type: 'merge', into: 2, from: 3 });
    ok(a, { type: 'merge', into: 1, from: 2 });
    assert.deepEqual(ok(a, { type: 'value', replica: 1 }).value, [5, 6]);
    assert.match(a.handle({ type: 'local', replica: 0, op: { add: 1 }, dot: dot(0, 3) }).error, /"out"/);
  });
});

describe('op flavour', () => {
  it('keeps messages under their handles and delivers them any number of times', () => {
    const a = greeted(new OpSet());
    ok(a, { type: 'new', replica: 0, actor: 0 });
    ok(a, { type: 'new', replica: 1, actor: 1 });
    ok(a, { type: 'local', replica: 0, op: { add: 2 }, dot: dot(0, 1), message: 0 });
    ok(a, { type: 'deliver', replica: 1, message: 0 });
    ok(a, { type: 'deliver', replica: 1, message: 0 });
    ok(a, { type: 'fork', replica: 1, out: 2 });
    ok(a, { type: 'local', replica: 1, op: { add: 1 }, dot: dot(1, 1), message: 1 });
    assert.deepEqual(ok(a, { type: 'values', replicas: [0, 1, 2] }).values, [[2], [1, 2], [2]]);
    ok(a, { type: 'drop', replicas: [], messages: [0] });
    assert.equal(a.handle({ type: 'deliver', replica: 2, message: 0 }).error, 'unknown message 0');
    assert.match(a.handle({ type: 'merge', into: 0, from: 1 }).error, /op flavour/);
  });
});

describe('batch', () => {
  it('answers every sub-request in order', () => {
    const a = greeted(new OpSet());
    const response = ok(a, {
      type: 'batch',
      requests: [
        { type: 'new', replica: 0, actor: 0 },
        { type: 'local', replica: 0, op: { add: 1 }, dot: dot(0, 1), message: 0 },
        { type: 'values', replicas: [0] },
      ],
    });
    assert.deepEqual(response.results, [{ ok: true }, { ok: true }, { ok: true, values: [[1]] }]);
  });

  it('stops at the first failure, with its index and the results before it', () => {
    const a = greeted(new StateSet());
    const response = a.handle({
      type: 'batch',
      requests: [
        { type: 'new', replica: 0, actor: 0 },
        { type: 'merge', into: 0, from: 9 },
        { type: 'new', replica: 1, actor: 1 },
      ],
    });
    assert.deepEqual(response, { ok: false, error: 'unknown replica 9', index: 1, results: [{ ok: true }] });
    ok(a, { type: 'value', replica: 0 });
    assert.equal(a.handle({ type: 'value', replica: 1 }).ok, false, 'the sub-request after the failure ran');
  });

  it('refuses hello and batch inside a batch', () => {
    const a = greeted(new StateSet());
    assert.match(a.handle({ type: 'batch', requests: [{ type: 'hello', protocol: 1 }] }).error, /inside a batch/);
    assert.match(a.handle({ type: 'batch', requests: [{ type: 'batch', requests: [] }] }).error, /inside a batch/);
  });
});

describe('serve', () => {
  it('reads characters outside the BMP, escaped or not, and writes them back', () => {
    const text = { new: () => ({ s: '' }), apply: (st, op) => { st.s += op.insert.text; }, merge() {}, value: (st) => st.s };
    const a = new Adapter(text, { vocabulary: { kind: 'text' } });
    a.line('{"type":"hello","protocol":1}');
    a.line('{"type":"new","replica":0,"actor":0}');
    a.line('{"type":"local","replica":0,"op":{"insert":{"at":0,"text":"a\\udb80\\udc03"}},"dot":{"actor":0,"seq":1}}');
    a.line('{"type":"local","replica":0,"op":{"insert":{"at":0,"text":"b\u{F0004}"}},"dot":{"actor":0,"seq":2}}');
    const value = JSON.parse(a.line('{"type":"value","replica":0}')).value;
    assert.deepEqual([...value].map((c) => c.codePointAt(0)), [0x61, 0xf0003, 0x62, 0xf0004]);
  });

  // Every line is in the input before the first answer is read: what a harness sends to an
  // adapter declaring `pipeline`.
  it('answers line by line, in order, a bad line with an error, until the input ends', async () => {
    const [input, output] = [new PassThrough(), new PassThrough()];
    let written = '';
    output.on('data', (chunk) => { written += chunk; });
    const served = serve(new StateSet(), { vocabulary: SET }, { input, output });
    input.end([
      '{"type":"hello","protocol":1}',
      '',
      '{"type":"new","replica":0,"actor":0}',
      'not json',
      '[1]',
      '{"type":"local","replica":0,"op":{"add":1},"dot":{"actor":0,"seq":1}}',
      '{"type":"value","replica":0}',
    ].join('\n'));
    await served;
    const lines = written.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 6);
    assert.equal(lines[0].flavour, 'state');
    assert.match(lines[2].error, /^not JSON/);
    assert.equal(lines[3].error, 'a request must be a JSON object');
    assert.deepEqual(lines[5], { ok: true, value: [1] });
  });

  it('runs the example as a process that exits 0 at the end of its input', () => {
    const example = fileURLToPath(new URL('../examples/counter.js', import.meta.url));
    const input = [
      { type: 'hello', protocol: 1 },
      { type: 'new', replica: 0, actor: 0 },
      { type: 'local', replica: 0, op: { increment: 3 }, dot: dot(0, 1) },
      { type: 'local', replica: 0, op: { decrement: 1 }, dot: dot(0, 2) },
      { type: 'snapshot', replica: 0 },
    ].map((r) => `${JSON.stringify(r)}\n`).join('');
    const run = spawnSync(process.execPath, [example], { input, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines[4], { ok: true, snapshot: { inc: { 0: 3 }, dec: { 0: 1 } } });
  });
});

describe('stdout', () => {
  it('carries the protocol only: console.log of the CRDT goes to stderr', () => {
    const source = `import { serve } from 'crdt-verify-adapter';
      serve({ new() { console.log('chatty'); return 0; }, apply() {}, merge() {}, value: (s) => s },
            { vocabulary: { kind: 'counter' } });`;
    const input = '{"type":"hello","protocol":1}\n{"type":"new","replica":0,"actor":0}\n';
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', source], { input, encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).ok), [true, true]);
    assert.match(run.stderr, /chatty/);
  });
});

// A grow-only set with a (chatty) sync of its own: a replica sends its items, when it has some.
class SyncSet extends StateSet {
  newSync(actor, replicas) { return { actor, replicas }; }
  message(state) { return state.items.length ? { items: [...state.items] } : null; }
  receive(state, sync, peer, message) { this.merge(state, message); }
}

describe('the sync flavour', () => {
  const SYNC = { durable: true, silence: { messages: 10 } };

  it('is read from the methods and declares its terms at the handshake', () => {
    assert.equal(flavourOf(new SyncSet()), 'sync');
    const adapter = new Adapter(new SyncSet(), { name: 's', vocabulary: SET, sync: SYNC });
    const hello = adapter.handle({ type: 'hello', protocol: 1 });
    assert.equal(hello.flavour, 'sync');
    assert.deepEqual(hello.sync, SYNC);
  });

  it('needs its terms', () => {
    assert.throws(() => new Adapter(new SyncSet(), { vocabulary: SET }), /options\.sync/);
  });

  it('makes, receives and drops sync states', () => {
    const adapter = greeted(new SyncSet(), { sync: SYNC });
    ok(adapter, { type: 'new', replica: 0, actor: 0 });
    ok(adapter, { type: 'new', replica: 1, actor: 1 });
    ok(adapter, { type: 'sync_new', out: 2, actor: 0, replicas: 2 });
    ok(adapter, { type: 'sync_new', out: 3, actor: 1, replicas: 2 });
    assert.equal(ok(adapter, { type: 'sync_message', replica: 0, sync: 2, peer: 1 }).value, null);
    ok(adapter, { type: 'local', replica: 0, op: { add: 4 }, dot: dot(0, 1) });
    const { value } = ok(adapter, { type: 'sync_message', replica: 0, sync: 2, peer: 1 });
    assert.deepEqual(value, { items: [4] });
    ok(adapter, { type: 'sync_receive', replica: 1, sync: 3, peer: 0, message: value });
    assert.deepEqual(ok(adapter, { type: 'value', replica: 1 }).value, [4]);
    ok(adapter, { type: 'drop', replicas: [], syncs: [2] });
    const gone = adapter.handle({ type: 'sync_message', replica: 0, sync: 2, peer: 1 });
    assert.deepEqual(gone, { ok: false, error: 'unknown sync state 2' });
  });

  it('tells a sync state of a reconnection, in place or by a new state', () => {
    class Reconnecting extends SyncSet {
      reconnect(sync, peer) {
        if (sync.replaced) return { ...sync, reconnected: [peer] };
        sync.reconnected = [...(sync.reconnected ?? []), peer];
        return undefined;
      }
    }
    const sync = { ...SYNC, transport: 'connection' };
    const adapter = greeted(new Reconnecting(), { sync });
    assert.deepEqual(adapter.handle({ type: 'hello', protocol: 1 }).sync, sync);
    ok(adapter, { type: 'sync_new', out: 2, actor: 0, replicas: 3 });
    ok(adapter, { type: 'sync_reconnect', sync: 2, peer: 1 });
    ok(adapter, { type: 'sync_reconnect', sync: 2, peer: 2 });
    assert.deepEqual(adapter.syncState(2).reconnected, [1, 2]);
    adapter.syncState(2).replaced = true;
    ok(adapter, { type: 'sync_reconnect', sync: 2, peer: 0 });
    assert.deepEqual(adapter.syncState(2).reconnected, [0]);
    // Without a reconnect method the state is kept as it is.
    const plain = greeted(new SyncSet(), { sync });
    ok(plain, { type: 'sync_new', out: 0, actor: 0, replicas: 2 });
    ok(plain, { type: 'sync_reconnect', sync: 0, peer: 1 });
    assert.deepEqual(plain.syncState(0), { actor: 0, replicas: 2 });
  });

  it('refuses an unknown transport', () => {
    const sync = { ...SYNC, transport: 'carrier pigeon' };
    assert.throws(() => new Adapter(new SyncSet(), { vocabulary: SET, sync }), /transport/);
  });

  it('refuses sync requests in another flavour', () => {
    const adapter = greeted(new StateSet());
    const answer = adapter.handle({ type: 'sync_new', out: 0, actor: 0, replicas: 2 });
    assert.deepEqual(answer, { ok: false, error: '"sync_new" in the state flavour' });
  });
});
