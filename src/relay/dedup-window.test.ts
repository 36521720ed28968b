import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createKeyRing, indexBits, seededHome } from './dedup-window.ts';
import type { HomeOf, KeyRing } from './dedup-window.ts';

/** A hex key whose first word (4 bytes, little-endian, as the ring reads it) is `home`, told apart by `n`. */
const key = (home: number, n: number) => {
  const b = Buffer.alloc(32, 0xff);
  b.writeUInt32LE(home, 0);
  b.writeUInt32LE(n, 4);
  return b.toString('hex');
};
/** Homes a key at its first word: tests place keys at the positions they choose. */
const atFirstWord: HomeOf = (w0) => w0;
/** An index of 32 positions (8 keys), keys homed at their first word. */
const ring32 = () => createKeyRing(8, { homeOf: atFirstWord });
/** Each key's slot and the positions its find looked at (1 + how far past its home it lies, or the run's length + 1). */
const walks = (ring: KeyRing, keys: readonly string[]) =>
  keys.map((k) => {
    const before = ring.probes();
    const slot = ring.find(k);
    return [slot, ring.probes() - before];
  });

test('keys with the same home stay findable as others in their run are dropped', () => {
  const ring = ring32();
  assert.equal(indexBits(8), 5);
  // Homes 5, 5, 5, 6, 31 and 31 wrapping to 0: runs that collide and wrap around the index's end.
  const keys = [key(5, 1), key(5, 2), key(5, 3), key(6, 1), key(31, 1), key(31, 2)];
  keys.forEach((k, slot) => ring.put(slot, k));
  assert.deepEqual(walks(ring, keys), [
    [0, 1],
    [1, 2],
    [2, 3],
    [3, 3],
    [4, 1],
    [5, 2],
  ]);
  ring.drop(0);
  ring.drop(4);
  // 5,2 and 5,3 moved back to positions 5 and 6, 6,1 to 7; 31,2 back across the end to 31.
  assert.deepEqual(walks(ring, keys), [
    [-1, 4],
    [1, 1],
    [2, 2],
    [3, 2],
    [-1, 2],
    [5, 1],
  ]);
  ring.put(0, key(6, 2)); // a new key in a freed slot: position 8
  ring.put(4, key(5, 2)); // a key put again moves to its new slot, at the same position
  assert.deepEqual(walks(ring, [...keys, key(6, 2)]), [
    [-1, 5],
    [4, 1],
    [2, 2],
    [3, 2],
    [-1, 2],
    [5, 1],
    [0, 3],
  ]);
  ring.drop(1); // its key lives in slot 4 now: nothing to drop
  assert.equal(ring.find(key(5, 2)), 4);
});

test('a run wrapping the index end: dropping its head shifts entries back across the end', () => {
  const ring = ring32();
  // Homes 30, 30, 31, 30, 0, 1, 4, 2 take positions 30, 31, 0, 1, 2, 3, 4, 5.
  const keys = [key(30, 1), key(30, 2), key(31, 1), key(30, 3), key(0, 1), key(1, 1), key(4, 1), key(2, 1)];
  keys.forEach((k, slot) => ring.put(slot, k));
  assert.deepEqual(walks(ring, keys), [
    [0, 1],
    [1, 2],
    [2, 2],
    [3, 4],
    [4, 3],
    [5, 3],
    [6, 1],
    [7, 4],
  ]);
  ring.drop(0);
  // Every entry from 31 to 3 moves back one (31 to 30 and 0 to 31 across the end); 4,1 stays at its
  // home 4; 2,1 moves from 5 to 3; position 5 empties. The dropped key's find walks 30..5.
  assert.deepEqual(walks(ring, keys), [
    [-1, 8],
    [1, 1],
    [2, 1],
    [3, 3],
    [4, 2],
    [5, 2],
    [6, 1],
    [7, 2],
  ]);
});

test('across the index end, an entry at its home stays and one homed before the gap moves', () => {
  const ring = ring32();
  // Homes 30, 31, 0, 30 take positions 30, 31, 0, 1.
  const keys = [key(30, 1), key(31, 1), key(0, 1), key(30, 2)];
  keys.forEach((k, slot) => ring.put(slot, k));
  ring.drop(0);
  // 31,1 and 0,1 are at their homes (between the gap and themselves, the second across the end):
  // they stay; 30,2 at 1 moves back to 30.
  assert.deepEqual(walks(ring, keys), [
    [-1, 4],
    [1, 1],
    [2, 1],
    [3, 1],
  ]);
  ring.put(0, key(31, 2)); // position 1, after the run 31, 0
  ring.drop(1);
  // The gap at 31 (i > j at j = 0): 0,1 stays at its home 0, 31,2 at 1 moves to 31.
  assert.deepEqual(walks(ring, [...keys, key(31, 2)]), [
    [-1, 4],
    [-1, 3],
    [2, 1],
    [3, 1],
    [0, 1],
  ]);
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
