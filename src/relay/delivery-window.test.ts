import { test } from 'node:test';
import assert from 'node:assert/strict';
import { READ_BACKS_PER_TURN, createDeliveryWindow } from './delivery-window.ts';
import type { WindowSettings } from './delivery-window.ts';
import { DIGEST_INDEX } from './digest-lines.ts';
import type { RelayJob } from './relay-queue.ts';
import { PODINFO_ERROR } from '../../test/support/flux-events.ts';

const event = { ...PODINFO_ERROR, reason: 'HealthCheckFailed' };

/** A window over events e<n> of `sizes[n]` bytes (default 100); `sent`: job ids handed to the thread, in order. */
function fixture(settings: WindowSettings, sizes: Record<number, number> = {}) {
  const sent: string[] = [];
  const gone = new Set<string>();
  const job = (n: number, destination = 'apps/slack'): RelayJob => ({
    id: `e${n}:0`,
    destination,
    acceptedAt: 1000 + n,
    event,
    metadata: {},
    eventId: `e${n}`,
    index: 0,
  });
  const byId = (id: string) => Number(id.slice(1));
  const built: string[] = [];
  const skipped: string[] = [];
  const window = createDeliveryWindow({
    settings,
    send: (j) => sent.push(j.id),
    job: (id, index) => {
      built.push(`${id}:${index}`);
      return gone.has(id) ? undefined : job(byId(id));
    },
    bytes: (j) => (j.digest ? 500 : (sizes[byId(j.eventId)] ?? 100)),
    skipped: (ref) => skipped.push(`${ref.eventId}:${ref.index}`),
    open: (id) => !gone.has(id),
  });
  return { window, sent, built, gone, job, skipped };
}

test('delivery window: at most maxJobs go to the thread per destination; the rest wait, and go in order as jobs settle', () => {
  const f = fixture({ maxJobs: 2, maxBytes: 10_000 });
  for (let n = 0; n < 5; n++) f.window.offer(f.job(n));
  f.window.offer(f.job(9, 'ops/slack'));
  assert.deepEqual(f.sent, ['e0:0', 'e1:0', 'e9:0']);
  assert.equal(f.window.waiting(), 3);
  f.window.settled(f.job(1));
  assert.deepEqual(f.sent, ['e0:0', 'e1:0', 'e9:0', 'e2:0']);
  f.window.settled(f.job(0));
  f.window.settled(f.job(2));
  assert.deepEqual(f.sent, ['e0:0', 'e1:0', 'e9:0', 'e2:0', 'e3:0', 'e4:0']);
  assert.deepEqual(f.built, ['e2:0', 'e3:0', 'e4:0'], 'a waiting delivery is built only when it is handed over');
  assert.equal(f.window.waiting(), 0);
});

test('delivery window: the byte budget holds back a job that does not fit; one larger than the budget goes alone', () => {
  const f = fixture({ maxJobs: 8, maxBytes: 1000 }, { 0: 600, 1: 500, 2: 5000, 3: 100 });
  for (let n = 0; n < 4; n++) f.window.offer(f.job(n));
  assert.deepEqual(f.sent, ['e0:0'], '600 + 500 > 1000: e1 waits');
  f.window.settled(f.job(0));
  assert.deepEqual(f.sent, ['e0:0', 'e1:0'], 'e2 (5000 bytes) waits until the window is empty');
  f.window.settled(f.job(1));
  assert.deepEqual(f.sent, ['e0:0', 'e1:0', 'e2:0'], 'alone, although larger than the budget');
  f.window.settled(f.job(2));
  assert.deepEqual(f.sent, ['e0:0', 'e1:0', 'e2:0', 'e3:0']);
});

test('delivery window: a waiting delivery settled meanwhile is skipped, and a digest waits its turn', () => {
  const f = fixture({ maxJobs: 1, maxBytes: 10_000 });
  for (let n = 0; n < 3; n++) f.window.offer(f.job(n));
  const digest: RelayJob = {
    ...f.job(7),
    id: 'digest:d1',
    eventId: 'd1',
    index: DIGEST_INDEX,
    digest: {} as NonNullable<RelayJob['digest']>,
  };
  f.window.offer(digest);
  f.gone.add('e1');
  f.window.settled(f.job(0));
  assert.deepEqual(f.sent, ['e0:0', 'e2:0']);
  f.window.settled(f.job(2));
  assert.deepEqual(f.sent, ['e0:0', 'e2:0', 'digest:d1']);
  assert.equal(f.window.waiting(), 0);
});

test('delivery window: the oldest pending delivery is read from the windows and the first waiting ones', () => {
  const f = fixture({ maxJobs: 1, maxBytes: 10_000 });
  assert.equal(f.window.oldestAcceptedAt(), undefined);
  f.window.offer(f.job(5));
  f.window.offer(f.job(6));
  f.window.offer(f.job(2, 'ops/slack'));
  assert.equal(f.window.oldestAcceptedAt(), 1002);
  f.window.settled(f.job(2, 'ops/slack'));
  assert.equal(f.window.oldestAcceptedAt(), 1005);
  f.window.settled(f.job(5));
  assert.equal(f.window.oldestAcceptedAt(), 1006);
  f.window.settled(f.job(6));
  assert.equal(f.window.oldestAcceptedAt(), undefined);
});

test('delivery window: a long backlog goes through in order (the waiting arrays are trimmed as they empty)', () => {
  const f = fixture({ maxJobs: 3, maxBytes: 10_000 });
  for (let n = 0; n < 5000; n++) f.window.offer(f.job(n));
  for (let n = 0; n < 5000; n++) f.window.settled(f.job(n));
  assert.equal(f.sent.length, 5000);
  assert.deepEqual(f.sent.slice(0, 4).concat(f.sent.slice(-2)), ['e0:0', 'e1:0', 'e2:0', 'e3:0', 'e4998:0', 'e4999:0']);
  assert.ok(f.sent.every((id, n) => id === `e${n}:0`));
  assert.equal(f.window.waiting(), 0);
  assert.equal(f.window.oldestAcceptedAt(), undefined);
});

test('delivery window: settled deliveries at the head of the waiting ones are neither counted nor read, and are told as skipped', () => {
  const f = fixture({ maxJobs: 1, maxBytes: 10_000 });
  for (const n of [5, 1, 2, 3]) f.window.offer(f.job(n));
  f.gone.add('e1');
  f.gone.add('e3');
  assert.deepEqual(
    { waiting: f.window.waiting(), oldest: f.window.oldestAcceptedAt(), skipped: f.skipped, built: f.built },
    { waiting: 2, oldest: 1002, skipped: ['e1:0'], built: [] },
  );
  // e2 goes; e3, settled meanwhile, is dropped as it comes up.
  f.window.settled(f.job(5));
  assert.deepEqual(
    { sent: f.sent, skipped: f.skipped, waiting: f.window.waiting(), oldest: f.window.oldestAcceptedAt() },
    { sent: ['e5:0', 'e2:0'], skipped: ['e1:0', 'e3:0'], waiting: 0, oldest: 1002 },
  );
});

test('delivery window: spilled deliveries go before those offered since, read back one at a time; a diverted one takes no room', () => {
  const sent: string[] = [];
  const spilled = [20, 21, 22, 23]; // e20..e23 spilled for apps/slack; e21 is folded when read back
  const readBack: string[] = [];
  const job = (n: number): RelayJob => ({
    ...{ id: `e${n}:0`, destination: 'apps/slack', acceptedAt: 1000 + n, event },
    ...{ metadata: {}, eventId: `e${n}`, index: 0 },
  });
  const window = createDeliveryWindow({
    settings: { maxJobs: 2, maxBytes: 10_000 },
    send: (j) => sent.push(j.id),
    job: (id) => job(Number(id.slice(1))),
    bytes: () => 100,
    spilled: {
      count: (destination) => (destination === undefined || destination === 'apps/slack' ? spilled.length : 0),
      oldest: () => (spilled.length > 0 ? 1000 + spilled[0]! : undefined),
      unspill: () => {
        const n = spilled.shift();
        if (n !== undefined) readBack.push(`e${n}`);
        return n === undefined ? undefined : job(n);
      },
    },
    divert: (j) => j.eventId === 'e21',
  });
  window.offer(job(1)); // offered while spilled deliveries wait: behind them
  assert.deepEqual(sent, []);
  assert.equal(window.waiting(), 5);
  assert.equal(window.oldestAcceptedAt(), 1001);
  window.resumeSpilled(['apps/slack']);
  assert.deepEqual(sent, ['e20:0', 'e22:0'], 'e21 folded: e22 takes the room');
  assert.deepEqual(readBack, ['e20', 'e21', 'e22']);
  window.settled(job(20));
  window.settled(job(22));
  assert.deepEqual(sent, ['e20:0', 'e22:0', 'e23:0', 'e1:0']);
  assert.equal(window.waiting(), 0);
});

test('with a digest open, a spilled backlog is read back READ_BACKS_PER_TURN at a time, one turn after another', () => {
  let left = 250;
  let reads = 0;
  const turns: (() => void)[] = [];
  const job = (n: number): RelayJob => ({
    ...{ id: `e${n}:0`, destination: 'apps/slack', acceptedAt: 1000 + n, event, metadata: {} },
    ...{ eventId: `e${n}`, index: 0 },
  });
  const window = createDeliveryWindow({
    settings: { maxJobs: 8, maxBytes: 1 << 20 },
    send: () => assert.fail('every read back is folded'),
    job: () => undefined,
    bytes: () => 100,
    spilled: {
      count: () => left,
      oldest: () => (left > 0 ? 1000 : undefined),
      unspill: () => (left > 0 ? (reads++, job(left--)) : undefined),
    },
    divert: () => true, // the destination's digest is open: each read back folds
    later: (fn) => turns.push(fn),
  });
  window.resumeSpilled(['apps/slack']);
  window.resumeSpilled(['apps/slack']); // asked again meanwhile: it goes on in its turn
  const perTurn = [reads];
  while (turns.length > 0) {
    const before = reads;
    turns.shift()!();
    perTurn.push(reads - before);
  }
  assert.equal(READ_BACKS_PER_TURN, 100);
  assert.deepEqual(perTurn, [100, 100, 50]);
});
