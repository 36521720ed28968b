import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery } from './delivery-scheduler.ts';
import { createDeliveryScheduler } from './delivery-scheduler.ts';
import type { SendResult } from './slack-sender.ts';

interface D extends Delivery {
  readonly n: number;
}
const d = (n: number, destination = 'a', acceptedAt = Date.now()): D => ({
  id: `e${n}`,
  destination,
  acceptedAt,
  attempts: 0,
  n,
});

function harness(results: (d: D) => SendResult, o: { perSecond?: number; burst?: number; maxAgeMs?: number } = {}) {
  const log: string[] = [];
  const sentAt: number[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  const finished = (line: string) => {
    log.push(line);
    for (const w of waiting) if (log.length >= w.n) w.resolve();
  };
  /** Resolves once `n` deliveries have finished (sent or dead), when the scheduler reports the n-th. */
  const settled = (n: number) =>
    new Promise<void>((resolve) => (log.length >= n ? resolve() : waiting.push({ n, resolve })));
  const s = createDeliveryScheduler<D>({
    send: async (x) => {
      sentAt.push(Date.now());
      return results(x);
    },
    onDone: (x, outcome) => finished(`${outcome} ${x.destination}:${x.n}`),
    onDead: (x, reason) => finished(`dead ${x.destination}:${x.n} ${reason}`),
    perSecond: o.perSecond ?? 50,
    burst: o.burst ?? 2,
    backoff: { baseMs: 10, maxMs: 40 },
    maxAgeMs: o.maxAgeMs ?? 60_000,
    random: () => 1,
  });
  return { s, log, sentAt, settled };
}

test('keeps order per destination and paces to the rate after the burst', async () => {
  const { s, log, sentAt, settled } = harness(() => ({ kind: 'ok' }), { perSecond: 20, burst: 2 });
  const started = Date.now();
  for (let i = 1; i <= 5; i++) s.enqueue(d(i));
  await settled(5);
  assert.deepEqual(log, ['sent a:1', 'sent a:2', 'sent a:3', 'sent a:4', 'sent a:5']);
  // 2 at once, then 3 more at 20/s: at least ~150 ms in all.
  assert.ok(sentAt.at(-1)! - started >= 140, `took ${sentAt.at(-1)! - started} ms`);
  s.stop();
});

test('a 429 pauses only its destination, for its Retry-After', async () => {
  let limited = true;
  const { s, log, sentAt, settled } = harness((x) => {
    if (x.destination === 'slow' && limited) {
      limited = false;
      return { kind: 'rate-limited', retryAfterMs: 300 };
    }
    return { kind: 'ok' };
  });
  const started = Date.now();
  s.enqueue(d(1, 'slow'));
  s.enqueue(d(1, 'fast'));
  s.enqueue(d(2, 'fast'));
  await settled(3);
  assert.deepEqual(log, ['sent fast:1', 'sent fast:2', 'sent slow:1']);
  assert.ok(sentAt.at(-1)! - started >= 290);
  s.stop();
});

test('retries with backoff until it succeeds, or gives up past the maximum age', async () => {
  let failures = 3;
  const ok = harness(() => (failures-- > 0 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'ok' }));
  ok.s.enqueue(d(1));
  await ok.settled(1);
  assert.deepEqual(ok.log, ['sent a:1']);
  ok.s.stop();

  const old = harness(() => ({ kind: 'retry', reason: 'HTTP 500' }), { maxAgeMs: 50 });
  old.s.enqueue(d(1, 'a', Date.now() - 45));
  await old.settled(1);
  assert.match(old.log[0]!, /^dead a:1 gave up after \d+ attempts over \d+ s; last error: HTTP 500$/);
  old.s.stop();
});

test('a permanent error goes to dead letters and the queue moves on', async () => {
  const { s, log, settled } = harness((x) =>
    x.n === 1 ? { kind: 'permanent', reason: 'HTTP 404 channel_not_found' } : { kind: 'ok' },
  );
  s.enqueue(d(1));
  s.enqueue(d(2));
  await settled(2);
  assert.deepEqual(log, ['dead a:1 HTTP 404 channel_not_found', 'sent a:2']);
  s.stop();
});

test('a destination answering 429 forever sends its deliveries to the dead letters at the maximum age', async () => {
  const { s, log, sentAt, settled } = harness(() => ({ kind: 'rate-limited', retryAfterMs: 20 }), { maxAgeMs: 300 });
  s.enqueue(d(1));
  await settled(1);
  assert.equal(log.length, 1);
  assert.match(
    log[0]!,
    /^dead a:1 gave up after \d+ attempts over \d+ s; last error: rate-limited \(HTTP 429, Retry-After 1 s\)$/,
  );
  assert.ok(sentAt.length >= 2, `${sentAt.length} attempts`);
  s.stop();
});

test('a Retry-After longer than the maximum age dead-letters the queue at once instead of parking it', async () => {
  let answered = 0;
  const { s, log, settled } = harness(
    () => {
      answered++;
      return { kind: 'rate-limited', retryAfterMs: 3_600_000 };
    },
    { maxAgeMs: 60_000 },
  );
  s.enqueue(d(1));
  s.enqueue(d(2));
  await settled(2);
  // Ages in whole seconds, normalised: a loaded machine may take longer than half a second.
  assert.deepEqual(
    log.map((l) => l.replace(/(over|after) \d+ s/, '$1 N s')),
    [
      'dead a:1 gave up after 1 attempts over N s; last error: rate-limited (HTTP 429, Retry-After 3600 s)',
      'dead a:2 gave up after N s: not sent within the maximum delivery age while a waits (rate-limited (HTTP 429, Retry-After 3600 s))',
    ],
  );
  assert.equal(answered, 1);
  s.stop();
});

test('a send that ends in a retry after the scheduler stopped (the sender closing) is no attempt: nothing counted, nothing changed', async () => {
  const attempts: string[] = [];
  const answer = Promise.withResolvers<SendResult>();
  const asked = Promise.withResolvers<void>();
  const s = createDeliveryScheduler<D>({
    send: () => {
      asked.resolve();
      return answer.promise;
    },
    onAttempt: (x, result) => attempts.push(`${result} ${x.destination}:${x.n}`),
    onDone: () => attempts.push('done'),
    onDead: () => attempts.push('dead'),
    perSecond: 50,
    burst: 2,
    backoff: { baseMs: 10, maxMs: 40 },
    maxAgeMs: 60_000,
    random: () => 1,
  });
  const x = d(1);
  s.enqueue(x);
  await asked.promise;
  s.stop();
  answer.resolve({ kind: 'retry', reason: 'the Slack sender is closing' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(attempts, []);
  assert.equal(x.attempts, 0);
  assert.equal(s.pending(), 1);
});
