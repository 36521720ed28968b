import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { staticClusterView } from '../cluster/static-view.ts';
import { createLogger } from '../observability/logger.ts';
import { createRelayMetrics } from '../observability/relay-metrics.ts';
import { openJournal } from './journal.ts';
import type { AcceptRecord, RelayRecord } from './journal-state.ts';
import { apply, emptyState } from './journal-state.ts';
import { pushForward, spillDelivery } from './journal-spill.ts';
import { recordBytes } from './journal-record.ts';
import { createRelayQueue } from './relay-queue.ts';
import { resume } from './relay-resume.ts';
import type { ResumeOptions } from './relay-resume.ts';
import { startRelay } from './relay.ts';
import type { SpillReader } from './spill-reader.ts';
import { tempDir } from '../../test/support/temp-dir.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

const accept = (id: string): AcceptRecord => ({
  ...{ t: 'accept', id, at: 1, key: `k-${id}`, event, forward: true },
  deliveries: [
    { alert: 'apps/all', provider: 'apps/one', metadata: {} },
    { alert: 'apps/all', provider: 'apps/two', metadata: {} },
  ],
});

test("replay queues a whole event's forward before its deliveries, as a new event's; not forwarded yet, its deliveries cannot spill", () => {
  const state = emptyState();
  const a = accept('e1');
  apply(state, a, recordBytes(a), 0);
  const queued: string[] = [];
  const queue = createRelayQueue({ enqueue: (q, job) => void queued.push(`${q} ${job.id}`) });
  const o = { replayed: [], forwardTo: 'http://nc' } as unknown as ResumeOptions;
  resume(o, state, { remember: () => undefined } as never, queue, createLogger('silent'));
  assert.deepEqual(queued, ['forward e1:forward', 'slack e1:0', 'slack e1:1']);
  // Replay's forward waits in memory, never spilled (forward-window.ts `replaying`): until it settles,
  // the event is not forwarded, and spilling a delivery is refused (the comment said they might spill).
  assert.deepEqual(
    [state.events.get('e1')?.forwarded, spillDelivery(state, 'e1', 'apps/one', 0), state.spill.size],
    [false, false, 0],
  );
});

test('without --forward-to, replayed spilled forwards stay spilled (not given up one by one): one warning says so', async (t) => {
  const { journal } = await openJournal<RelayRecord>(join(tempDir('relay-resume'), 'journal'), { preallocateBytes: 0 });
  const state = emptyState();
  for (const offset of [0, 1000]) pushForward(state, { offset, length: 500, index: 0, acceptedAt: 1 });
  const spillReader: SpillReader = {
    payload: () => assert.fail('not read back'),
    copier: () => () => assert.fail('not copied'),
    reopen: () => () => undefined,
    close() {},
    closed: () => false,
  };
  const logged: Record<string, unknown>[] = [];
  const metrics = createRelayMetrics({ processMetrics: false });
  const relay = startRelay({
    ...{ journal, replayed: [], replayedState: state, spillReader, cluster: staticClusterView([]) },
    secrets: { get: () => Promise.resolve(undefined) },
    routing: { noCrossNamespaceRefs: false },
    logger: createLogger('warn', { write: (line: string) => void logged.push(JSON.parse(line)) }),
    ...{ metrics, dedupWindowMs: 60_000, allowInsecureDestinations: false },
  });
  t.after(async () => {
    await relay.stop();
    await journal.close();
  });
  assert.deepEqual(
    [state.forwards.size, state.liveBytes, logged.map(({ msg, forwards }) => ({ msg, forwards }))],
    [2, 1000, [{ msg: 'events to forward wait in the journal until a restart with --forward-to', forwards: 2 }]],
  );
  assert.doesNotMatch(await metrics.registry.metrics(), /notify_guard_relay_forwards_total\{result="dead"\} [1-9]/);
});
