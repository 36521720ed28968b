import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BLOCK_ENTRIES, SpillFifo, spareBlocks } from './spill-fifo.ts';
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

test('a spill FIFO keeps its order across block boundaries, taking a block as it fills one and letting it go as it drains', () => {
  const fifo = new SpillFifo();
  const B = BLOCK_ENTRIES;
  for (let n = 0; n < B; n++) fifo.push(ref(n));
  assert.equal(fifo.blockCount, 1);
  fifo.push(ref(B));
  assert.equal(fifo.blockCount, 2);
  for (let n = B + 1; n < 3 * B + 5; n++) fifo.push(ref(n));
  assert.deepEqual([fifo.size, fifo.blockCount], [3 * B + 5, 4]);
  for (let n = 0; n < B - 1; n++) assert.deepEqual(fifo.shift(), ref(n));
  assert.equal(fifo.blockCount, 4);
  assert.deepEqual([fifo.peek(), fifo.shift(), fifo.blockCount, fifo.peek()], [ref(B - 1), ref(B - 1), 3, ref(B)]);
  const out: SpillRef[] = [];
  for (let r = fifo.shift(); r; r = fifo.shift()) out.push(r);
  assert.equal(out.length, 2 * B + 5);
  assert.ok(out.every((r, k) => r.offset === ref(B + k).offset && r.index === ref(B + k).index));
  assert.deepEqual([out[0], out.at(-1), fifo.size, fifo.blockCount], [ref(B), ref(3 * B + 4), 0, 0]);
});

test('a drained FIFO hands its blocks to a growing one (the shared spares), and holds none when empty', () => {
  const draining = new SpillFifo();
  const growing = new SpillFifo();
  for (let n = 0; n < 2 * BLOCK_ENTRIES; n++) draining.push(ref(n));
  const spares = spareBlocks();
  for (let n = 0; n < BLOCK_ENTRIES; n++) draining.shift();
  assert.deepEqual([draining.blockCount, spareBlocks()], [1, spares + 1]);
  growing.push(ref(7));
  assert.deepEqual([growing.blockCount, spareBlocks(), growing.peek()], [1, spares, ref(7)]);
  while (draining.shift());
  growing.shift();
  assert.deepEqual([draining.blockCount, growing.blockCount, spareBlocks()], [0, 0, spares + 2]);
});

test('hasOffset searches across blocks while offsets ascend, with the front partly drained', () => {
  const fifo = new SpillFifo();
  for (let n = 0; n < 3 * BLOCK_ENTRIES; n++) fifo.push(ref(n));
  for (let n = 0; n < BLOCK_ENTRIES + 3; n++) fifo.shift();
  const first = BLOCK_ENTRIES + 3;
  const probes = [first - 1, first, 2 * BLOCK_ENTRIES - 1, 2 * BLOCK_ENTRIES, 3 * BLOCK_ENTRIES - 1, 3 * BLOCK_ENTRIES];
  assert.deepEqual(
    probes.map((n) => fifo.hasOffset(n * 1000)),
    [false, true, true, true, true, false],
  );
  assert.equal(fifo.hasOffset(first * 1000 + 1), false);
});

test('removeOffset closes gaps across blocks, front first, and lets go of the blocks left empty', () => {
  const fifo = new SpillFifo();
  const at = (offset: number, index: number) => ({ offset, length: 10, index, acceptedAt: offset });
  const B = BLOCK_ENTRIES;
  for (let k = 0; k < 5; k++) fifo.push(at(k, k));
  for (let k = 0; k < 3; k++) fifo.shift(); // the front 3 slots of block 0 are drained
  // 3B more, every second one a reference to the damaged record at 1,000,000: 4 blocks in all.
  for (let k = 5; k < 3 * B + 5; k++) fifo.push(at(k % 2 === 0 ? 1_000_000 : k, k));
  assert.deepEqual([fifo.size, fifo.blockCount], [3 * B + 2, 4]);
  const removed = fifo.removeOffset(1_000_000);
  assert.deepEqual(
    removed.map((r) => r.index),
    Array.from({ length: (3 * B) / 2 }, (_, k) => 6 + 2 * k),
  );
  const left = [3, 4, ...Array.from({ length: (3 * B) / 2 }, (_, k) => 5 + 2 * k)];
  assert.deepEqual(
    fifo.refs(),
    left.map((k) => at(k, k)),
  );
  assert.deepEqual([fifo.size, fifo.blockCount], [left.length, Math.ceil((3 + left.length) / B)]);
  fifo.push(at(9_999, 1));
  assert.deepEqual([fifo.refs().at(-1), fifo.shift()], [at(9_999, 1), at(3, 3)]);
});

test('remap moves the references in every block, and the next push compares with the moved back', () => {
  const fifo = new SpillFifo();
  for (let n = 0; n < 2 * BLOCK_ENTRIES + 10; n++) fifo.push(ref(n));
  for (let n = 0; n < 5; n++) fifo.shift();
  fifo.remap((offset) => offset / 10);
  const offsets = [...fifo.offsetsInOrder()];
  assert.deepEqual(
    [offsets.length, offsets[0], offsets[BLOCK_ENTRIES], offsets.at(-1)],
    [2 * BLOCK_ENTRIES + 5, 500, (BLOCK_ENTRIES + 5) * 100, (2 * BLOCK_ENTRIES + 9) * 100],
  );
  assert.ok(offsets.every((o, k) => o === (k + 5) * 100));
  // Pushed after the back's new offset: still ascending, so the search finds the front.
  fifo.push({ ...ref(0), offset: (2 * BLOCK_ENTRIES + 10) * 100 });
  assert.deepEqual([fifo.hasOffset(500), fifo.hasOffset(501)], [true, false]);
});
