import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptIdHash, repeatFinder } from './journal-repeats.ts';

const PREFIX = '{"t":"accept",'.length;
const payload = (id: string, at: number) => Buffer.from(JSON.stringify({ t: 'accept', id, at, key: 'k' }));
const hash = (id: string, at = 1) => acceptIdHash(payload(id, at), PREFIX);

test("an accept id's hash depends on its id alone, not on what follows it", () => {
  assert.equal(hash('x', 1), hash('x', 2));
  assert.notEqual(hash('x'), hash('y'));
  assert.notEqual(hash('ab'), hash('ba'));
});

test('the finder answers exactly the hashes added more than once, across growth', () => {
  const f = repeatFinder();
  for (let n = 0; n < 3000; n++) f.add(hash(`id-${n}`));
  f.add(hash('id-7'));
  f.add(hash('id-2999'));
  f.add(hash('id-2999'));
  assert.deepEqual(f.repeated(), new Set([hash('id-7'), hash('id-2999')]));
});

test('two hundred thousand distinct ids (UUID-like) hash without a collision', () => {
  const f = repeatFinder();
  for (let n = 0; n < 200_000; n++) f.add(hash(`3f2a${n.toString(16).padStart(8, '0')}-1b2c-4d5e-8f90-a1b2c3d4e5f6`));
  assert.equal(f.repeated().size, 0);
});
