// The README's adapter is the example the tests run, character for character.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const read = (path) => readFileSync(new URL(path, import.meta.url), 'utf8');

it('the README section "Verify a JavaScript or Python CRDT" shows examples/counter.js', () => {
  const readme = read('../../../README.md');
  const section = readme.slice(readme.indexOf('## Verify a JavaScript or Python CRDT'));
  const block = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(block, 'no js block in the section');
  assert.equal(block[1], read('../examples/counter.js'));
});
