import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactRecords } from './compaction.ts';
import type { DeliveryTarget, RelayRecord } from './relay.ts';

const event = { involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' }, severity: 'error', timestamp: '', message: 'm', reason: 'r', reportingController: 'kc' } as const;
const target: DeliveryTarget = { alert: 'apps/all', provider: 'apps/slack', metadata: {} };
const held = (id: string): RelayRecord => ({ t: 'accept', id, at: 1, key: id, event, deliveries: [], held: true });
const routed = (id: string, n: number): RelayRecord => ({ t: 'accept', id, at: 1, key: id, event, deliveries: Array(n).fill(target) });

test('compaction keeps a held event, and of a routed one only the routing that superseded it', () => {
  const records: RelayRecord[] = [
    held('still-held'),
    held('routed-pending'), routed('routed-pending', 2), { t: 'done', id: 'routed-pending', i: 0 },
    held('routed-done'), routed('routed-done', 1), { t: 'done', id: 'routed-done', i: 0 },
    held('routed-nowhere'), routed('routed-nowhere', 0),
  ];
  assert.deepEqual(compactRecords(records), [held('still-held'), routed('routed-pending', 2), { t: 'done', id: 'routed-pending', i: 0 }]);
});
