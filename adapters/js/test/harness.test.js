// The examples under `crdt-harness check --adapter`: the PN-counter passes, the broken one is
// caught. Needs a built harness: CRDT_HARNESS names it (.ci/kits-test.sh sets it); without it
// these tests are skipped, and say so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const harness = process.env.CRDT_HARNESS;
const example = (file) => `${process.execPath} ${fileURLToPath(new URL(`../examples/${file}`, import.meta.url))}`;

/** Runs the harness on an adapter command: its exit status, output and JSON report. */
function check(adapter, more = ['--schedules', '100']) {
  const out = join(mkdtempSync(join(tmpdir(), 'crdt-kit-')), 'report.json');
  const args = ['check', '--adapter', adapter, '--seed', '3', ...more, '--cases', '64', '--threads', '2', '--out', out];
  const run = spawnSync(harness, args, { encoding: 'utf8' });
  const report = run.status === 0 || run.status === 1 ? JSON.parse(readFileSync(out, 'utf8')) : null;
  return { ...run, report };
}

/** The laws that failed and the properties the schedules broke. */
function broken(report) {
  const found = new Set();
  for (const model of Object.values(report.models)) {
    for (const [name, law] of Object.entries(model.laws)) if (law.verdict === 'failed') found.add(name);
    for (const run of model.runs ?? []) {
      for (const shard of Object.values(run.shards)) for (const f of shard.findings ?? []) found.add(f.property);
    }
  }
  return found;
}

describe('crdt-harness check --adapter', { skip: harness ? false : 'CRDT_HARNESS is not set' }, () => {
  it('passes the PN-counter', () => {
    const run = check(example('counter.js'));
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.deepEqual([...broken(run.report)], []);
  });

  it('catches the counter whose merge adds: merge is not idempotent', () => {
    const run = check(example('broken-counter.js'));
    assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
    assert.ok(broken(run.report).has('join_idempotent'), [...broken(run.report)].join(', '));
  });

  // Every schedule with every fault, enough of them for a lost message to stay lost.
  const faulty = ['--schedules', '1000', '--faults', 'all'];

  it('passes the counter whose sync waits for confirmations', () => {
    const run = check(example('sync-counter.js'), faulty);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.deepEqual([...broken(run.report)], []);
  });

  it('catches the sync that takes what it sent as received: silent disagreement', () => {
    const run = check(example('broken-sync-counter.js'), faulty);
    assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
    assert.ok(broken(run.report).has('silent_disagreement'), [...broken(run.report)].join(', '));
  });
});
