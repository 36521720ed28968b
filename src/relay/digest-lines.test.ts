import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDigestLines, DIGEST_INDEX } from './digest-lines.ts';
import type { DigestLineDeps } from './digest-lines.ts';
import type { RelayRecord } from './journal-state.ts';
import { apply, emptyState } from './journal-state.ts';
import type { RelayJob } from './relay-queue.ts';
import { slackJob } from './relay-queue.ts';
import { createDeliveryWindow } from './delivery-window.ts';
import { PODINFO_ERROR } from '../../test/support/flux-events.ts';

const event = { ...PODINFO_ERROR, reason: 'HealthCheckFailed' };

/** Lines over a real journal state; `sent`: ids handed to the delivery thread, in order. */
function fixture(o: Partial<DigestLineDeps> = {}) {
  const state = emptyState();
  const sent: RelayJob[] = [];
  const records: RelayRecord[] = [];
  let ids = 0;
  const record = (r: RelayRecord) => {
    records.push(r);
    apply(state, r, 100);
  };
  const lines = createDigestLines({
    settings: { maxQueued: 5, maxSendMs: 10_000 },
    pacing: { perSecond: 1, burst: 3 },
    send: (j) => sent.push(j),
    record,
    acc: (id) => state.digests.get(id)?.acc,
    waitMs: () => 0,
    newId: () => `d${++ids}`,
    ...o,
  });
  const job = (n: number, destination = 'apps/slack'): RelayJob => {
    record({
      t: 'accept',
      id: `e${n}`,
      at: n,
      key: `e${n}`,
      event,
      deliveries: [{ alert: 'apps/a', provider: destination, metadata: {} }],
    });
    return { id: `e${n}:0`, destination, acceptedAt: n, event, metadata: {}, eventId: `e${n}`, index: 0 };
  };
  return { state, sent, records, lines, job };
}

test('digest lines: five go alone, the rest fold, and the digest goes once those five are settled', () => {
  const f = fixture();
  const jobs = Array.from({ length: 12 }, (_, n) => f.job(n));
  for (const j of jobs) f.lines.deliver(j);
  assert.deepEqual(
    f.sent.map((j) => j.id),
    ['e0:0', 'e1:0', 'e2:0', 'e3:0', 'e4:0'],
  );
  assert.deepEqual([...f.state.events.keys()], ['e0', 'e1', 'e2', 'e3', 'e4']);
  assert.equal(f.lines.open(), 1);
  for (const j of jobs.slice(0, 4)) f.lines.settled(j);
  assert.equal(f.sent.length, 5);
  f.lines.settled(jobs[4]!);
  const digest = f.sent[5]!;
  assert.deepEqual(
    { id: digest.id, index: digest.index, count: digest.digest?.count, first: digest.acceptedAt, open: f.lines.open() },
    { id: 'digest:d1', index: DIGEST_INDEX, count: 7, first: 5, open: 0 },
  );
  assert.equal(digest.event.message, '7 events for apps/slack in 0s');
  // The next burst starts a new digest; while one is in flight, a short queue goes alone.
  f.lines.deliver(f.job(20));
  assert.deepEqual(f.sent.map((j) => j.id).slice(6), ['e20:0']);
});

test('digest lines: destinations are apart', () => {
  const f = fixture();
  for (let n = 0; n < 6; n++) f.lines.deliver(f.job(n, 'apps/a'));
  f.lines.deliver(f.job(10, 'apps/b'));
  assert.deepEqual(
    f.sent.map((j) => j.id),
    ['e0:0', 'e1:0', 'e2:0', 'e3:0', 'e4:0', 'e10:0'],
  );
  assert.deepEqual(
    f.records.filter((r) => r.t === 'fold'),
    [{ t: 'fold', id: 'e5', i: 0, digest: 'd1', destination: 'apps/a' }],
  );
});

test('digest lines: a destination paused longer than the window folds the second queued event', () => {
  const f = fixture({ waitMs: () => 30_000 });
  f.lines.deliver(f.job(0));
  f.lines.deliver(f.job(1));
  assert.deepEqual(
    f.sent.map((j) => j.id),
    ['e0:0'],
  );
  assert.deepEqual(f.state.digests.get('d1')?.acc.count, 1);
});

test('digest lines: with digests off (--digest-after 0) every delivery goes alone', () => {
  const f = fixture({ settings: { maxQueued: 0, maxSendMs: 10_000 } });
  for (let n = 0; n < 20; n++) f.lines.deliver(f.job(n));
  assert.equal(f.sent.length, 20);
  assert.equal(f.records.filter((r) => r.t === 'fold').length, 0);
});

test('digest lines: a digest left by a previous run is handed over on resume', () => {
  const f = fixture();
  for (let n = 0; n < 7; n++) f.lines.deliver(f.job(n));
  const state = f.state;
  const g = fixture({ acc: (id) => state.digests.get(id)?.acc });
  g.lines.resume('d1', 'apps/slack');
  assert.deepEqual(
    g.sent.map((j) => [j.id, j.digest?.count]),
    [['digest:d1', 2]],
  );
});

test('digest lines over a window: a waiting delivery settled before its turn is settled for the lines too', () => {
  const windowed: RelayJob[] = [];
  const f = fixture({ send: (j) => window.offer(j) });
  const window = createDeliveryWindow({
    settings: { maxJobs: 1, maxBytes: 10_000 },
    send: (j) => windowed.push(j),
    job: (id, index) => {
      const e = f.state.events.get(id);
      return e && !e.settled.has(index) ? slackJob(e.accept, index) : undefined;
    },
    bytes: () => 100,
    skipped: (ref) => f.lines.settled(ref),
  });
  // As relay.ts settledIn: the window, then the lines.
  const settle = (j: RelayJob) => {
    window.settled(j);
    f.lines.settled(j);
  };
  const e1 = f.job(1);
  const e2 = f.job(2);
  f.lines.deliver(e1);
  f.lines.deliver(e2);
  assert.equal(window.waiting(), 1);
  // Settled from outside (with replicas: handed to the sender, relay-sender.ts onHanded).
  apply(f.state, { t: 'done', id: 'e2', i: 0 }, 10);
  settle(e1);
  assert.deepEqual(
    { waiting: window.waiting(), windowed: windowed.map((j) => j.id) },
    { waiting: 0, windowed: ['e1:0'] },
  );
  // A burst: five go alone (one at a time through the window), the other three fold.
  const burst = Array.from({ length: 8 }, (_, n) => f.job(10 + n));
  for (const j of burst) f.lines.deliver(j);
  assert.equal(f.lines.open(), 1);
  // The delivery thread settles each job it was handed, in order, until the digest.
  for (let n = 1; n < windowed.length && !windowed[n]!.digest; n++) settle(windowed[n]!);
  const digest = windowed.at(-1)!;
  assert.deepEqual(
    { windowed: windowed.map((j) => j.id), count: digest.digest?.count, open: f.lines.open() },
    {
      windowed: ['e1:0', 'e10:0', 'e11:0', 'e12:0', 'e13:0', 'e14:0', 'digest:d1'],
      count: 3,
      open: 0,
    },
  );
});

test('digest lines: deliveries spilled behind the window count as queued, so a burst still folds', () => {
  const f = fixture({ spilled: (destination) => (destination === 'apps/slack' ? 3 : 0) });
  for (let n = 0; n < 3; n++) f.lines.deliver(f.job(n));
  f.lines.deliver(f.job(9, 'apps/other'));
  // Two handed over and three spilled: the third is the sixth queued, and folds; another destination does not.
  assert.deepEqual(
    f.sent.map((j) => j.id),
    ['e0:0', 'e1:0', 'e9:0'],
  );
  assert.deepEqual(
    f.records.filter((r) => r.t === 'fold'),
    [{ t: 'fold', id: 'e2', i: 0, digest: 'd1', destination: 'apps/slack' }],
  );
});
