import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpillFifo } from './spill-fifo.ts';
import type { SpillRef } from './spill-fifo.ts';

const ref = (n: number): SpillRef => ({
  offset: n * 1000,
  length: 500 + n,
  index: n % 3,
  acceptedAt: 1_700_000_000_000 + n,
});

test('a spill FIFO gives its deliveries back front first, with every field as pushed', () => {
  const fifo = new SpillFifo();
  for (let n = 0; n < 3; n++) fifo.push(ref(n));
  assert.equal(fifo.size, 3);
  assert.deepEqual(fifo.peek(), ref(0));
  assert.deepEqual([fifo.shift(), fifo.shift(), fifo.shift()], [ref(0), ref(1), ref(2)]);
  assert.equal(fifo.shift(), undefined);
  assert.equal(fifo.peek(), undefined);
  assert.equal(fifo.size, 0);
});

test('a spill FIFO keeps its order across growth while its ring has wrapped', () => {
  const fifo = new SpillFifo();
  for (let n = 0; n < 10; n++) fifo.push(ref(n));
  for (let n = 0; n < 8; n++) assert.deepEqual(fifo.shift(), ref(n));
  // 2 left at slots 8-9; 14 more wrap around slot 0, then 30 more make it grow twice.
  for (let n = 10; n < 54; n++) fifo.push(ref(n));
  assert.equal(fifo.size, 46);
  const out: SpillRef[] = [];
  for (let r = fifo.shift(); r; r = fifo.shift()) out.push(r);
  assert.deepEqual(
    out,
    Array.from({ length: 46 }, (_, k) => ref(k + 8)),
  );
});

test('remap moves every waiting reference and only those, keeping their order', () => {
  const fifo = new SpillFifo();
  for (let n = 0; n < 5; n++) fifo.push(ref(n));
  fifo.shift();
  fifo.remap((offset) => offset / 10);
  assert.deepEqual([...fifo.offsetsInOrder()], [100, 200, 300, 400]);
  assert.deepEqual(fifo.shift(), { ...ref(1), offset: 100 });
});

test('offsets above 4 GiB and delivery indexes above 65,535 are kept exactly', () => {
  const fifo = new SpillFifo();
  const big = { offset: 5 * 2 ** 32 + 7, length: 4 * 1024 * 1024 + 8, index: 70_000, acceptedAt: 1_800_000_000_123 };
  fifo.push(big);
  assert.deepEqual(fifo.shift(), big);
});

test('removeOffset takes every reference to one record out, wrapped or not, keeping the others in order', () => {
  const fifo = new SpillFifo();
  const ref = (offset: number, index: number) => ({ offset, length: 10, index, acceptedAt: offset });
  for (let k = 0; k < 10; k++) fifo.push(ref(k * 10, 0));
  for (let k = 0; k < 8; k++) fifo.shift(); // the ring wraps from here on
  for (let k = 10; k < 20; k++) fifo.push(ref(k % 2 === 0 ? 500 : k * 10, k));
  const removed = fifo.removeOffset(500);
  assert.deepEqual(
    removed.map((r) => r.index),
    [10, 12, 14, 16, 18],
  );
  assert.deepEqual(
    fifo.refs().map((r) => r.offset),
    [80, 90, 110, 130, 150, 170, 190],
  );
  fifo.push(ref(1, 1));
  assert.deepEqual([fifo.size, fifo.removeOffset(7), fifo.shift()?.offset], [8, [], 80]);
});

test('hasOffset finds a waiting reference by binary search while offsets ascend, and by a scan once they do not', () => {
  const fifo = new SpillFifo();
  const ref = (offset: number) => ({ offset, length: 10, index: 0, acceptedAt: 1 });
  for (let k = 0; k < 20; k++) fifo.push(ref(k * 100));
  for (let k = 0; k < 5; k++) fifo.shift();
  for (let k = 20; k < 30; k++) fifo.push(ref(k * 100)); // wrapped around the ring
  assert.deepEqual(
    [0, 400, 500, 1250, 2900, 3000].map((o) => fifo.hasOffset(o)),
    [false, false, true, false, true, false],
  );
  fifo.push(ref(50)); // out of order: found by a scan
  assert.deepEqual([fifo.hasOffset(50), fifo.hasOffset(2900), fifo.hasOffset(51)], [true, true, false]);
});
