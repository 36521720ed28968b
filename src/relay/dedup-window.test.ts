import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKeyRing } from './dedup-window.ts';

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
