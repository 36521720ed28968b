import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { FakeSlack } from '../../test/servers/fake-slack.ts';
import { createLogger } from '../observability/logger.ts';
import type { Job, QueueName } from './delivery-protocol.ts';
import { startDeliveryThread } from './delivery-thread.ts';
import type { FluxEvent } from './flux-event.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

const HOOK = '/services/T0THREAD/B0THREAD/threadsecretpart';
let slack: FakeSlack;
let url: string;
before(async () => {
  slack = new FakeSlack({ perSecond: 100, burst: 100 });
  url = await slack.start();
});
after(() => slack.close());

const settings = {
  pacing: { perSecond: 100, burst: 100 },
  backoff: { baseMs: 10, maxMs: 50 },
  maxAgeMs: 60_000,
  sendTimeoutMs: 2_000,
};
const event = (message: string): FluxEvent => ({
  involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
  severity: 'error',
  timestamp: '2026-11-23T10:00:00Z',
  message,
  reason: 'Failed',
  reportingController: 'kustomize-controller',
});
const job = (id: string, message: string, destination = 'apps/slack'): Job => ({
  id,
  destination,
  acceptedAt: Date.now(),
  event: event(message),
  metadata: {},
});

/** Records callbacks and log lines; `until` waits on them (no clock: the test's timeout bounds it). */
function recorder() {
  const seen: string[] = [];
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of waiters) w();
    waiters.clear();
  };
  const see = (line: string) => {
    seen.push(line);
    changed();
  };
  const logger = createLogger(
    'info',
    new Writable({
      write(c: Buffer, _e, cb) {
        logs.push(c.toString('utf8'));
        changed();
        cb();
      },
    }),
  );
  return {
    seen,
    logs,
    logger,
    /** Resolves once `check` holds, checking after each callback and log line. */
    async until(check: () => boolean): Promise<void> {
      while (!check()) await new Promise<void>((r) => waiters.add(r));
    },
    callbacks: {
      resolve: async (provider: string) =>
        provider === 'apps/slack'
          ? {
              kind: 'send' as const,
              to: { address: `${url}${HOOK}` },
              look: { username: 'flux', format: 'blocks' as const },
            }
          : { kind: 'permanent' as const, reason: `Provider ${provider} not found` },
      onDone: (q: QueueName, j: Job, outcome: string) => see(`${q} ${j.id} ${outcome}`),
      onDead: (q: QueueName, j: Job, reason: string) => see(`${q} ${j.id} dead: ${reason}`),
      onAttempt: (q: QueueName, result: string) => see(`${q} attempt ${result}`),
    },
  };
}

test('sends on its own thread, asking where to post, and reports each outcome once', async (t) => {
  const r = recorder();
  const thread = startDeliveryThread<Job>(settings, r.callbacks, r.logger);
  t.after(() => thread.stop());
  const before = slack.received.length;
  thread.enqueue('slack', job('e1:0', 'first'));
  thread.enqueue('slack', job('e2:0', 'second', 'apps/missing'));
  assert.equal(thread.pending(), 2);
  assert.equal(await thread.drain(10_000), true);
  await thread.stop();
  assert.deepEqual(r.seen.sort(), [
    'slack attempt ok',
    'slack attempt permanent',
    'slack e1:0 sent',
    'slack e2:0 dead: Provider apps/missing not found',
  ]);
  assert.deepEqual(
    slack.received.slice(before).map((m) => [m.path, m.body['text']]),
    [[HOOK, 'Error: Kustomization apps/podinfo Failed: first']],
  );
  assert.equal(thread.pending(), 0);
});

test('reports its own heap in use (an isolate of its own, which the process metrics do not count), and 0 once stopped', async (t) => {
  const r = recorder();
  const thread = startDeliveryThread<Job>(settings, r.callbacks, r.logger);
  t.after(() => thread.stop());
  thread.enqueue('slack', job('h1:0', 'heap'));
  assert.equal(await thread.drain(10_000), true);
  const heap = await thread.heapStatistics();
  assert.ok(heap.used > 1_000_000 && heap.used < 200_000_000, `${heap.used} bytes`);
  assert.ok(heap.total >= heap.used && heap.physical > 0 && heap.malloced > 0, JSON.stringify(heap));
  await thread.stop();
  assert.deepEqual(await thread.heapStatistics(), { used: 0, total: 0, physical: 0, external: 0, malloced: 0 });
});

test('a delivery thread that dies is started again with every unfinished delivery', async (t) => {
  process.env['NG_CRASH_MARKER'] = join(tempDir('thread'), 'crashed');
  const r = recorder();
  const thread = startDeliveryThread<Job>(
    settings,
    r.callbacks,
    r.logger,
    new URL('../../test/support/crashing-delivery-worker.ts', import.meta.url),
  );
  t.after(() => thread.stop());
  const before = slack.received.length;
  thread.enqueue('slack', job('c1:0', 'crash'));
  thread.enqueue('slack', job('c2:0', 'after the crash'));
  await r.until(() => thread.pending() === 0);
  await thread.stop();
  assert.deepEqual(r.seen.filter((s) => !s.includes('attempt')).sort(), ['slack c1:0 sent', 'slack c2:0 sent']);
  assert.deepEqual(
    slack.received
      .slice(before)
      .map((m) => m.body['text'])
      .sort(),
    ['Error: Kustomization apps/podinfo Failed: after the crash', 'Error: Kustomization apps/podinfo Failed: crash'],
  );
  assert.match(
    r.logs.join(''),
    /"pending":2,"restartInMs":0,"msg":"the delivery thread exited; starting it again with every unfinished delivery"/,
  );
});

test('a delivery thread that cannot start is restarted with a growing delay, not in a tight loop', async () => {
  const r = recorder();
  const thread = startDeliveryThread<Job>(
    settings,
    r.callbacks,
    r.logger,
    new URL('../../test/support/failing-delivery-worker.ts', import.meta.url),
  );
  thread.enqueue('slack', job('f1:0', 'kept'));
  const delays = () =>
    r.logs
      .filter((l) => l.includes('the delivery thread exited'))
      .map((l) => (JSON.parse(l) as { restartInMs: number }).restartInMs);
  // Waits on the restarts themselves, not on a fixed time: each waits twice as long as the last.
  await r.until(() => delays().length >= 5);
  await thread.stop();
  assert.deepEqual(delays().slice(0, 5), [0, 100, 200, 400, 800]);
  assert.equal(thread.pending(), 1, 'the job is kept for the journal');
});

test('stop does not wait for a delivery thread that never started', async () => {
  const r = recorder();
  const thread = startDeliveryThread<Job>(
    settings,
    r.callbacks,
    r.logger,
    new URL('../../test/support/stuck-delivery-worker.ts', import.meta.url),
  );
  // Whether stop waited its 2 s grace is judged by what fires first, not by the clock: a 1 s timer.
  let graceFiredFirst = false;
  const marker = setTimeout(() => {
    graceFiredFirst = true;
  }, 1_000);
  await thread.stop();
  clearTimeout(marker);
  assert.equal(graceFiredFirst, false);
});
