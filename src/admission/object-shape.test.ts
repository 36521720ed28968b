import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DEPTH, nestedTooDeep } from './object-shape.ts';

/** `levels` containers, one inside the other, alternating arrays and objects. */
function nested(levels: number): unknown {
  let v: unknown = levels % 2 === 0 ? {} : [];
  for (let i = 1; i < levels; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

test('nestedTooDeep allows exactly MAX_DEPTH levels of containers and refuses one more', () => {
  assert.equal(nestedTooDeep(nested(MAX_DEPTH)), false);
  assert.equal(nestedTooDeep(nested(MAX_DEPTH + 1)), true);
});

test('nestedTooDeep counts levels, not width, and ignores scalars', () => {
  assert.equal(nestedTooDeep({ a: [1, 'x', null, true], b: { c: [[]] } }, 4), false);
  assert.equal(nestedTooDeep({ a: [1, 'x', null, true], b: { c: [[[]]] } }, 4), true);
  assert.equal(
    nestedTooDeep(
      Array.from({ length: 100_000 }, () => []),
      2,
    ),
    false,
  );
  assert.equal(nestedTooDeep('text', 0), false);
  assert.equal(nestedTooDeep(null, 0), false);
});

test('nestedTooDeep finds the deep branch after shallow siblings, in objects and arrays', () => {
  assert.equal(nestedTooDeep([[], {}, 1, [[[]]]], 3), true);
  assert.equal(nestedTooDeep({ x: {}, y: [], z: { w: { v: {} } } }, 3), true);
  assert.equal(nestedTooDeep({ x: {}, y: [], z: { w: { v: 1 } } }, 3), false);
});
