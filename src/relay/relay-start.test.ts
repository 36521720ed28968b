import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { staticClusterView } from '../cluster/static-view.ts';
import { createLogger } from '../observability/logger.ts';
import { createRelayMetrics } from '../observability/relay-metrics.ts';
import { openJournal } from './journal.ts';
import type { RelayRecord } from './journal-state.ts';
import { startRelay } from './relay.ts';
import { tempDir } from '../../test/support/temp-dir.ts';
import { PODINFO_ERROR } from '../../test/support/flux-events.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('the relay reads the replayed records once at start and keeps none of them (a replayed backlog can leave memory)', async (t) => {
  const { journal } = await openJournal<RelayRecord>(join(tempDir('relay-start'), 'journal'), { preallocateBytes: 0 });
  const event = { ...PODINFO_ERROR, severity: 'info' as const };
  // Made in a function of its own, so that the test holds no reference but the WeakRef.
  const start = () => {
    const replayed: RelayRecord[] = [{ t: 'accept', id: 'e1', at: 1, key: 'k1', event, deliveries: [] }];
    const relay = startRelay({
      ...{ journal, replayed, cluster: staticClusterView([]), secrets: { get: () => Promise.resolve(undefined) } },
      routing: { noCrossNamespaceRefs: false },
      logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
      metrics: createRelayMetrics({ processMetrics: false }),
      ...{ dedupWindowMs: 60_000, allowInsecureDestinations: false },
    });
    return { relay, records: new WeakRef(replayed) };
  };
  const { relay, records } = start();
  t.after(async () => {
    await relay.stop();
    await journal.close();
  });
  // A WeakRef's target lives until the job that made it ends: collect on a later turn.
  await new Promise((r) => setImmediate(r));
  gc();
  assert.equal(records.deref(), undefined, 'the replayed array was collected');
  assert.equal(relay.pending(), 0);
});
