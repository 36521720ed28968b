import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOriginSlots } from './origin-slots.ts';

test('each origin has its own slots; a waiting taker gets a given-back slot, first come first served', async () => {
  const slots = createOriginSlots(1);
  const order: string[] = [];
  assert.equal(await slots.take('a'), true);
  assert.equal(await slots.take('b'), true); // another origin: not blocked by a
  const second = slots.take('a').then((held) => order.push(`second ${held}`));
  const third = slots.take('a').then((held) => order.push(`third ${held}`));
  await Promise.resolve();
  assert.deepEqual(order, []);
  assert.equal(slots.waiting('a'), 2);
  slots.give('a');
  await second;
  assert.deepEqual(order, ['second true']);
  slots.give('a');
  await third;
  assert.deepEqual(order, ['second true', 'third true']);
  slots.give('a');
  slots.give('b');
  // Nothing held: a new take is granted at once (and an origin never taken gives back nothing).
  slots.give('never');
  assert.equal(await slots.take('a'), true);
});

test('a waiter that gives up leaves the queue holding nothing; the slot goes to the next waiter, then back', async () => {
  const slots = createOriginSlots(1);
  const order: string[] = [];
  const signals: AbortController[] = [];
  const giveUp = () => {
    const c = new AbortController();
    signals.push(c);
    return c.signal;
  };
  assert.equal(await slots.take('a', giveUp), true);
  assert.equal(signals.length, 0, 'a free slot starts no timer');
  const quitter = slots.take('a', giveUp).then((held) => order.push(`quitter ${held}`));
  const patient = slots.take('a', giveUp).then((held) => order.push(`patient ${held}`));
  assert.equal(slots.waiting('a'), 2);
  signals[0]!.abort();
  await quitter;
  assert.deepEqual(order, ['quitter false']);
  assert.equal(slots.waiting('a'), 1, 'the quitter left the queue');
  slots.give('a');
  await patient;
  assert.deepEqual(order, ['quitter false', 'patient true']);
  signals[1]!.abort(); // too late: it holds the slot, and keeps it
  assert.equal(slots.waiting('a'), 0);
  // One slot, held by patient: a third waits. When patient gives it back, the third has it; when
  // the third gives it back, nothing is held (a new take is granted at once: no slot was lost).
  const third = slots.take('a');
  assert.equal(slots.waiting('a'), 1);
  slots.give('a');
  assert.equal(await third, true);
  slots.give('a');
  assert.equal(await slots.take('a', giveUp), true);
  assert.equal(signals.length, 2);
});

test('a taker whose signal has already aborted is answered false without queueing', async () => {
  const slots = createOriginSlots(1);
  await slots.take('a');
  assert.equal(await slots.take('a', () => AbortSignal.abort()), false);
  assert.equal(slots.waiting('a'), 0);
  slots.give('a');
  assert.equal(await slots.take('a'), true);
});
