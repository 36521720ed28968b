import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createKeyRing, indexBits, seededHome } from './dedup-window.ts';
import type { KeyRing } from './dedup-window.ts';

/** A hex key whose first 4 bytes (its home in the index) are `home`, told apart by `n`. */
const key = (home: number, n: number) =>
  home.toString(16).padStart(8, '0') + n.toString(16).padStart(24, '0') + 'f'.repeat(32);

test('keys with the same home stay findable as others in their run are dropped', () => {
  const ring = createKeyRing(8); // an index of 32 positions
  // Homes 5, 5, 5, 6, 31 and 31 wrapping to 0: runs that collide and wrap around the index's end.
  const keys = [key(5, 1), key(5, 2), key(5, 3), key(6, 1), key(31, 1), key(31, 2)];
  keys.forEach((k, slot) => ring.put(slot, k));
  assert.deepEqual(
    keys.map((k) => ring.find(k)),
    [0, 1, 2, 3, 4, 5],
  );
  ring.drop(0);
  ring.drop(4);
  assert.deepEqual(
    keys.map((k) => ring.find(k)),
    [-1, 1, 2, 3, -1, 5],
  );
  ring.put(0, key(6, 2)); // a new key in a freed slot
  ring.put(4, key(5, 2)); // a key put again moves to its new slot
  assert.deepEqual([...keys.map((k) => ring.find(k)), ring.find(key(6, 2))], [-1, 4, 2, 3, -1, 5, 0]);
  ring.drop(1); // its key lives in slot 4 now: nothing to drop
  assert.equal(ring.find(key(5, 2)), 4);
});

test('a key that is not hex is held by its SHA-256', () => {
  const ring = createKeyRing(4);
  ring.put(2, 'some key');
  assert.deepEqual([ring.find('some key'), ring.find('some other key'), ring.find('SOME KEY')], [2, -1, -1]);
});

/** `n` hex keys sharing their first 4 bytes (`ab cd ef 01`), the rest random. */
const sameFirstWord = (n: number) => Array.from({ length: n }, () => 'abcdef01' + randomBytes(28).toString('hex'));

test('keys sharing their first 4 bytes do not share a probe run (the seeded home)', () => {
  const keys = sameFirstWord(1000);
  const finds = (ring: KeyRing) => {
    keys.forEach((k, slot) => ring.put(slot, k));
    const before = ring.probes();
    assert.deepEqual(
      keys.map((k) => ring.find(k)),
      keys.map((_, slot) => slot),
    );
    return ring.probes() - before;
  };
  // Homed by their first word, as they were: one run, the n-th key's find walks n positions.
  assert.equal(finds(createKeyRing(1000, { homeOf: (w0, _w1, bits) => w0 & (2 ** bits - 1) })), (1000 * 1001) / 2);
  // Seeded: about 1.2 positions a find at 24 % full (2.5 would take a run of chance far beyond any seed).
  assert.ok(finds(createKeyRing(1000)) < 2500);
});

test('the seeded home takes the high bits of the seeded mix, so a home is below 2^bits', () => {
  const home = seededHome(new Uint32Array([1, 2]));
  assert.equal(home(0, 0, 5), (Math.imul(1, 0x9e3779b1) ^ Math.imul(2, 0x85ebca77)) >>> 27);
  assert.equal(home(0xffffffff, 0xffffffff, 17) < 2 ** 17, true);
  assert.equal(indexBits(100_000), 18);
  assert.equal(indexBits(1), 3);
});
