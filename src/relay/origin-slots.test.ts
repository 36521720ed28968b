import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOriginSlots } from './origin-slots.ts';

test('each origin has its own slots; a waiting taker gets a given-back slot, first come first served', async () => {
  const slots = createOriginSlots(1);
  const order: string[] = [];
  await slots.take('a');
  await slots.take('b'); // another origin: not blocked by a
  const second = slots.take('a').then(() => order.push('second'));
  const third = slots.take('a').then(() => order.push('third'));
  await Promise.resolve();
  assert.deepEqual(order, []);
  slots.give('a');
  await second;
  assert.deepEqual(order, ['second']);
  slots.give('a');
  await third;
  assert.deepEqual(order, ['second', 'third']);
  slots.give('a');
  slots.give('b');
  // Nothing held: a new take is granted at once (and an origin never taken gives back nothing).
  slots.give('never');
  let granted = false;
  await slots.take('a').then(() => (granted = true));
  assert.equal(granted, true);
});
