// The scenarios of Table 1 of "The Art of the Fugue" (Weidner and Kleppmann, arXiv
// 2305.00583) through the protocol, by hand: what each library shows, whatever the harness's
// oracles say. Each adapter runs as a process, as under `crdt-harness check --adapter`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = (file) => fileURLToPath(new URL(`../${file}`, import.meta.url));

// A tag for the n-th insert of an actor (private use, outside the BMP; the adapter never
// decodes it) and the letters a value (a text, or a list's items) shows without its tags.
const tag = (actor, seq) => String.fromCodePoint(0xf0000 + actor * 256 + seq);
const letters = (value) => [...[value].flat().join('')].filter((c) => c.codePointAt(0) < 0xf0000).join('');

/** Runs `steps` (requests without the handshake) through a fresh adapter; the last response. */
function run(args, steps) {
  const requests = [{ type: 'hello', protocol: 1 }, ...steps];
  const input = requests.map((r) => `${JSON.stringify(r)}\n`).join('');
  const child = spawnSync(process.execPath, args, { input, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  const responses = child.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  responses.forEach((r, i) => assert.equal(r.ok, true, `${JSON.stringify(requests[i])} -> ${JSON.stringify(r)}`));
  return responses.at(-1);
}

/** A schedule of inserts and deliveries over `replicas` replicas, then every value. */
class Script {
  constructor(replicas) {
    this.replicas = replicas;
    this.steps = [...Array(replicas).keys()].map((r) => ({ type: 'new', replica: r, actor: r }));
    this.seqs = Array(replicas).fill(0);
    this.messages = 0;
  }
  insert(replica, at, letter) {
    const seq = ++this.seqs[replica];
    const message = this.messages++;
    this.steps.push({
      type: 'local', replica, op: { insert: { at, text: letter + tag(replica, seq) } },
      dot: { actor: replica, seq }, message,
    });
    return message;
  }
  deliver(replica, ...messages) {
    for (const message of messages) this.steps.push({ type: 'deliver', replica, message });
  }
  values(args) {
    const last = run(args, [...this.steps, { type: 'values', replicas: [...Array(this.replicas).keys()] }]);
    return last.values.map(letters);
  }
}

// Two replicas type a run concurrently: A "abc", B "xyz", each backwards (every letter at 0).
function backwardRuns() {
  const s = new Script(2);
  const a = ['c', 'b', 'a'].map((l) => s.insert(0, 0, l));
  const b = ['z', 'y', 'x'].map((l) => s.insert(1, 0, l));
  s.deliver(0, ...b);
  s.deliver(1, ...a);
  return s;
}

// The paper's Prop. C.4: C inserts 'c'; A receives it and inserts 'a' at 0; B, concurrently,
// inserts 'b' into its empty list. Then everyone receives everything.
function propositionC4() {
  const s = new Script(3);
  const c = s.insert(2, 0, 'c');
  s.deliver(0, c);
  const a = s.insert(0, 0, 'a');
  const b = s.insert(1, 0, 'b');
  s.deliver(0, b);
  s.deliver(1, c, a);
  s.deliver(2, a, b);
  return s;
}

const converged = (values) => {
  assert.ok(values.every((v) => v === values[0]), `diverged: ${values}`);
  return values[0];
};

describe('edits in the units of each library', () => {
  it('insert and delete at element indices, taken modulo the length', () => {
    const s = new Script(1);
    s.insert(0, 0, 'a');
    s.insert(0, 1, 'b');
    s.insert(0, 1, 'c');
    s.insert(0, 7, 'd'); // 7 % 4 = 3: the end
    s.steps.push({ type: 'local', replica: 0, op: { delete: { at: 5 } }, dot: { actor: 0, seq: 5 }, message: 4 });
    for (const args of [['yjs.js', 'text'], ['yjs.js', 'array'], ['automerge.js', 'text'], ['automerge.js', 'list'],
      ['loro.js', 'text'], ['loro.js', 'list'], ['loro.js', 'movable-list']]) {
      assert.deepEqual(s.values([here(args[0]), args[1]]), ['abd'], args.join(' '));
    }
  });
});

describe('Table 1 of the Fugue paper', () => {
  it('Yjs keeps two backward runs together but interleaves in the three-replica case (Prop. C.4)', () => {
    assert.ok(['abcxyz', 'xyzabc'].includes(converged(backwardRuns().values([here('yjs.js'), 'text']))));
    assert.equal(converged(propositionC4().values([here('yjs.js'), 'text'])), 'abc');
    assert.equal(converged(propositionC4().values([here('yjs.js'), 'array'])), 'abc');
  });

  it('Automerge (RGA) interleaves two backward runs', () => {
    const shown = converged(backwardRuns().values([here('automerge.js'), 'text']));
    assert.ok(!['abcxyz', 'xyzabc'].includes(shown), shown);
    assert.equal(converged(propositionC4().values([here('automerge.js'), 'list'])), 'acb');
  });

  it('Loro (Fugue) keeps backward runs together, and gives Fugue\'s "bac" in Prop. C.4', () => {
    for (const type of ['text', 'list', 'movable-list']) {
      assert.ok(['abcxyz', 'xyzabc'].includes(converged(backwardRuns().values([here('loro.js'), type]))));
      assert.equal(converged(propositionC4().values([here('loro.js'), type])), 'bac');
    }
  });
});
