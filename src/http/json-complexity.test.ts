import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tooManyContainers } from './json-complexity.ts';

test('tooManyContainers counts { and [ bytes, strings included, and is true past the limit only', () => {
  assert.equal(tooManyContainers(Buffer.from('[{},[]]'), 4), false);
  assert.equal(tooManyContainers(Buffer.from('[{},[]] '), 4), false);
  assert.equal(tooManyContainers(Buffer.from('[{},[{}],[]]'), 4), true);
  assert.equal(tooManyContainers(Buffer.from('{"a":"[[[[["}'), 4), true);
  // No longer than the limit: cannot hold more containers than bytes, so not scanned.
  assert.equal(tooManyContainers(Buffer.from('[[[['), 4), false);
  assert.equal(tooManyContainers(Buffer.from('[[[[['), 4), true);
});
