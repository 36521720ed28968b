import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RelayRecord } from './relay.ts';
import { activePauses, compactRecords } from './compaction.ts';

const event = { involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' }, severity: 'error' as const, timestamp: '', message: 'm', reason: 'r', reportingController: 'kc' };
const accept = (id: string): RelayRecord => ({ t: 'accept', id, at: 1, key: id, event, deliveries: [{ alert: 'apps/a', provider: 'apps/slack', metadata: {} }] });

test('compaction keeps the latest pause of each destination while it runs, and drops finished events', () => {
  const records: RelayRecord[] = [
    accept('e1'), { t: 'done', id: 'e1', i: 0 },
    accept('e2'),
    { t: 'paused', queue: 'slack', destination: 'apps/slack', until: 5_000 },
    { t: 'paused', queue: 'slack', destination: 'apps/slack', until: 9_000 },
    { t: 'paused', queue: 'slack', destination: 'ops/slack', until: 2_000 },
  ];
  assert.deepEqual(compactRecords(records, 3_000), [accept('e2'), { t: 'paused', queue: 'slack', destination: 'apps/slack', until: 9_000 }]);
  assert.deepEqual(activePauses(records, 9_000), []);
});
