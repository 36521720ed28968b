import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordBytes } from './journal-record.ts';
import type { RelayRecord } from './journal-state.ts';
import { apply, emptyState, liveRecords, replayState } from './journal-state.ts';
import type { StatusRecord } from './journal-status.ts';
import { MAX_STATUSES, statusEntries } from './journal-status.ts';

const status = (alert: string, delivered: number, error?: string): StatusRecord => ({
  t: 'status',
  alert,
  delivered,
  announced: delivered,
  ...(error ? { error: { at: delivered + 1, reason: error } } : {}),
});
const rewritten = (records: readonly RelayRecord[]) => records.reduce((n, r) => n + recordBytes(r), 0);

test('journal status: the latest record of each Alert counts, least recently changed first, and compaction keeps exactly those', () => {
  const records: RelayRecord[] = [
    status('apps/a', 1),
    status('apps/b', 2, 'HTTP 404 channel_not_found'),
    status('apps/a', 3, 'invalid_auth'),
    { t: 'paused', queue: 'slack', destination: 'apps/slack', until: 10 },
  ];
  const s = replayState(records);
  assert.deepEqual(statusEntries(s), [
    { alert: 'apps/b', delivered: 2, announced: 2, error: { at: 3, reason: 'HTTP 404 channel_not_found' } },
    { alert: 'apps/a', delivered: 3, announced: 3, error: { at: 4, reason: 'invalid_auth' } },
  ]);
  const compacted = liveRecords(s, 5);
  assert.deepEqual(compacted, [
    records[3],
    status('apps/b', 2, 'HTTP 404 channel_not_found'),
    status('apps/a', 3, 'invalid_auth'),
  ]);
  assert.equal(s.liveBytes, rewritten(compacted));
  assert.deepEqual(liveRecords(replayState(compacted), 5), compacted);
});

test('journal status: at most MAX_STATUSES Alerts are kept, forgetting the one changed longest ago', () => {
  const s = emptyState();
  for (let i = 0; i <= MAX_STATUSES; i++) {
    const r = status(`apps/a${i}`, i);
    apply(s, r, recordBytes(r));
  }
  const again = status('apps/a1', 99);
  apply(s, again, recordBytes(again));
  const one = status(`apps/new`, 100);
  apply(s, one, recordBytes(one));
  const kept = statusEntries(s).map((e) => e.alert);
  assert.equal(kept.length, MAX_STATUSES);
  assert.deepEqual([kept[0], kept.at(-2), kept.at(-1)], ['apps/a3', 'apps/a1', 'apps/new']);
  assert.equal(s.liveBytes, rewritten(liveRecords(s, 0)));
});
