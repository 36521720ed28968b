import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STARTING_HEAP_FLAGS, STEADY_HEAP_FLAGS, relaxHeapWhileStarting } from './start-heap.ts';

const OFS = ['--max-semi-space-size=2', '--optimize-for-size'];

test('under --optimize-for-size the heap is loose until the view is ready, then tight again, once', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const set: string[] = [];
  let ready = false;
  relaxHeapWhileStarting({ ready: () => ready, execArgv: OFS, nodeOptions: undefined, setFlags: (f) => set.push(f) });
  assert.deepEqual(set, [STARTING_HEAP_FLAGS]);
  t.mock.timers.tick(500);
  assert.deepEqual(set, [STARTING_HEAP_FLAGS]);
  ready = true;
  t.mock.timers.tick(50);
  t.mock.timers.tick(500);
  assert.deepEqual(set, [STARTING_HEAP_FLAGS, STEADY_HEAP_FLAGS]);
  assert.equal(STARTING_HEAP_FLAGS, '--no-optimize-for-size --heap-growing-percent=20');
  assert.equal(STEADY_HEAP_FLAGS, '--optimize-for-size --heap-growing-percent=0');
});

test('a view that never syncs gets the tight heap back after maxMs', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const set: string[] = [];
  relaxHeapWhileStarting({
    ready: () => false,
    execArgv: OFS,
    nodeOptions: undefined,
    setFlags: (f) => set.push(f),
    pollMs: 50,
    maxMs: 1_000,
  });
  t.mock.timers.tick(950);
  assert.deepEqual(set, [STARTING_HEAP_FLAGS]);
  t.mock.timers.tick(50);
  assert.deepEqual(set, [STARTING_HEAP_FLAGS, STEADY_HEAP_FLAGS]);
});

test('stop() restores at once, and only once', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const set: string[] = [];
  const heap = relaxHeapWhileStarting({
    ready: () => false,
    execArgv: OFS,
    nodeOptions: undefined,
    setFlags: (f) => set.push(f),
  });
  heap.stop();
  heap.stop();
  t.mock.timers.tick(120_000);
  assert.deepEqual(set, [STARTING_HEAP_FLAGS, STEADY_HEAP_FLAGS]);
});

test('nothing is touched when the user turned --optimize-for-size off or set the heap growth', () => {
  const set: string[] = [];
  for (const [execArgv, nodeOptions] of [
    [['--optimize-for-size', '--no-optimize-for-size'], undefined],
    [['--max-semi-space-size=2'], undefined],
    [OFS, '--heap-growing-percent=50'],
    [[...OFS, '--heap_growing_percent=10'], undefined],
  ] as const)
    relaxHeapWhileStarting({ ready: () => false, execArgv, nodeOptions, setFlags: (f) => set.push(f) }).stop();
  assert.deepEqual(set, []);
});
