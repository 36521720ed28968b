import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import { createRoutingGate } from './routing-gate.ts';

const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
/** Lets the gate's promise chains run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

test('holds events until the view syncs, then releases them in order and opens', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let synced = false;
  const released: string[][] = [];
  const gate = createRoutingGate<string>({
    synced: () => synced,
    logger,
    pollMs: 25,
    release: async (items) => {
      released.push(items);
    },
  });
  gate.hold('a');
  gate.hold('b');
  t.mock.timers.tick(100);
  await settle();
  assert.deepEqual({ open: gate.open(), held: gate.held(), released }, { open: false, held: 2, released: [] });
  synced = true;
  t.mock.timers.tick(25);
  await settle();
  assert.deepEqual({ open: gate.open(), held: gate.held(), released }, { open: true, held: 0, released: [['a', 'b']] });
  gate.stop();
});

test('events held while a release is under way are released after it, before the gate opens', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const released: string[][] = [];
  let finish!: () => void;
  const gate = createRoutingGate<string>({
    synced: () => true,
    logger,
    initial: ['replayed'],
    release: (items) => {
      released.push(items);
      return released.length === 1
        ? new Promise<void>((r) => {
            finish = r;
          })
        : Promise.resolve();
    },
  });
  assert.equal(gate.open(), false, 'a replayed event keeps the gate closed even on a synced view');
  t.mock.timers.tick(0);
  await settle();
  gate.hold('during');
  finish();
  await settle();
  assert.deepEqual({ open: gate.open(), released }, { open: true, released: [['replayed'], ['during']] });
  gate.stop();
});

test('an event held just after the gate opened (its caller saw it closed, then journaled) is still released', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const released: string[][] = [];
  const gate = createRoutingGate<string>({
    synced: () => true,
    logger,
    initial: ['replayed'],
    release: async (items) => {
      released.push(items);
    },
  });
  t.mock.timers.tick(0);
  await settle();
  assert.equal(gate.open(), true);
  gate.hold('late');
  assert.deepEqual({ open: gate.open(), held: gate.held() }, { open: false, held: 1 });
  t.mock.timers.tick(0);
  await settle();
  assert.deepEqual(
    { open: gate.open(), held: gate.held(), released },
    { open: true, held: 0, released: [['replayed'], ['late']] },
  );
  gate.stop();
});

test('a failed release keeps the events held and retries them after retryMs', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let fail = true;
  const released: string[][] = [];
  const gate = createRoutingGate<string>({
    synced: () => true,
    logger,
    retryMs: 1_000,
    initial: ['x'],
    release: async (items) => {
      if (fail) throw new Error('journal unavailable');
      released.push(items);
    },
  });
  t.mock.timers.tick(0);
  await settle();
  assert.deepEqual({ open: gate.open(), held: gate.held(), released }, { open: false, held: 1, released: [] });
  fail = false;
  t.mock.timers.tick(999);
  await settle();
  assert.deepEqual(released, []);
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual({ open: gate.open(), held: gate.held(), released }, { open: true, held: 0, released: [['x']] });
  gate.stop();
});

test('opens at once on a synced view with nothing replayed', () => {
  const gate = createRoutingGate<string>({
    synced: () => true,
    logger,
    release: async () => {
      throw new Error('nothing to release');
    },
  });
  assert.equal(gate.open(), true);
  gate.stop();
});

test('an event held just after the gate opened (its journal write was slow) is still released', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const released: string[][] = [];
  const gate = createRoutingGate<string>({
    synced: () => true,
    logger,
    release: async (items) => {
      released.push(items);
    },
  });
  assert.equal(gate.open(), true);
  gate.hold('late');
  assert.equal(gate.open(), false);
  t.mock.timers.tick(0);
  await settle();
  assert.deepEqual({ open: gate.open(), held: gate.held(), released }, { open: true, held: 0, released: [['late']] });
  gate.stop();
});

test('asked once the view has synced, with nothing held, the gate opens at once, not at its next poll; never during a release', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let synced = false;
  let finish!: () => void;
  const gate = createRoutingGate<string>({
    synced: () => synced,
    logger,
    pollMs: 25,
    release: () => new Promise<void>((r) => (finish = r)),
  });
  assert.equal(gate.open(), false);
  synced = true;
  assert.equal(gate.open(), true); // no tick of the 25 ms poll has run
  gate.hold('a'); // held just as it opened: closed until 'a' is routed
  t.mock.timers.tick(0);
  await settle();
  assert.deepEqual({ open: gate.open(), held: gate.held() }, { open: false, held: 0 }); // 'a' is being released
  finish();
  await settle();
  assert.equal(gate.open(), true);
  gate.stop();
});
