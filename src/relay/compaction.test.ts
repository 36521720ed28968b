import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJournalKeeper, shouldCompact } from './compaction.ts';
import { apply, liveRecords, pausesAt, replayState } from './journal-state.ts';
import type { DeliveryTarget, RelayRecord } from './relay.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

/** What a compaction at `at` writes of `records`: the reducer's live records, as the keeper writes them. */
const compactRecords = (records: readonly RelayRecord[], at = 0) => liveRecords(replayState(records), at);

const target: DeliveryTarget = { alert: 'apps/all', provider: 'apps/slack', metadata: {} };
const accept = (id: string): RelayRecord => ({ t: 'accept', id, at: 1, key: id, event, deliveries: [target] });
const held = (id: string): RelayRecord => ({ t: 'accept', id, at: 1, key: id, event, deliveries: [], held: true });
const routed = (id: string, n: number): RelayRecord => ({
  t: 'accept',
  id,
  at: 1,
  key: id,
  event,
  deliveries: Array(n).fill(target),
});

test('compaction keeps a held event, and of a routed one only the routing that superseded it', () => {
  const records: RelayRecord[] = [
    held('still-held'),
    held('routed-pending'),
    routed('routed-pending', 2),
    { t: 'done', id: 'routed-pending', i: 0 },
    held('routed-done'),
    routed('routed-done', 1),
    { t: 'done', id: 'routed-done', i: 0 },
    held('routed-nowhere'),
    routed('routed-nowhere', 0),
  ];
  assert.deepEqual(compactRecords(records), [
    held('still-held'),
    routed('routed-pending', 2),
    { t: 'done', id: 'routed-pending', i: 0 },
  ]);
});

test('compaction keeps the latest pause of each destination while it runs, and drops finished events', () => {
  const records: RelayRecord[] = [
    accept('e1'),
    { t: 'done', id: 'e1', i: 0 },
    accept('e2'),
    { t: 'paused', queue: 'slack', destination: 'apps/slack', until: 5_000 },
    { t: 'paused', queue: 'slack', destination: 'apps/slack', until: 9_000 },
    { t: 'paused', queue: 'slack', destination: 'ops/slack', until: 2_000 },
  ];
  assert.deepEqual(compactRecords(records, 3_000), [
    accept('e2'),
    { t: 'paused', queue: 'slack', destination: 'apps/slack', until: 9_000 },
  ]);
  assert.deepEqual(pausesAt(replayState(records), 9_000), []);
});

test('compaction keeps the latest record of each open failure episode, and none of a closed one', () => {
  const open = { since: 1, reason: 'r', ts: '1800000001.000100', channel: 'C1' };
  const records: RelayRecord[] = [
    { t: 'episode', key: 'apps/slack Kustomization/apps/a', episode: open },
    { t: 'episode', key: 'apps/slack Kustomization/apps/b', episode: open },
    { t: 'episode', key: 'apps/slack Kustomization/apps/b' },
    { t: 'episode', key: 'apps/slack Kustomization/apps/c', episode: { since: 1, reason: 'old' } },
    { t: 'episode', key: 'apps/slack Kustomization/apps/c', episode: { since: 2, reason: 'new' } },
  ];
  assert.deepEqual(compactRecords(records), [
    { t: 'episode', key: 'apps/slack Kustomization/apps/a', episode: open },
    { t: 'episode', key: 'apps/slack Kustomization/apps/c', episode: { since: 2, reason: 'new' } },
  ]);
});

test('a rewrite happens only past the threshold and when what is kept fills at most half of the journal', () => {
  assert.deepEqual(
    [
      [1_000, 10, 2_000],
      [2_000, 10, 2_000],
      [2_000, 1_000, 2_000],
      [2_000, 1_001, 2_000],
      [70_000_000, 67_000_000, 64_000_000],
    ].map(([size, live, at]) => shouldCompact(size!, live!, at!)),
    [false, true, true, false, false],
  );
});

test('a compaction asked for while one runs runs once more after it: the last outcome of a storm is not left over the threshold', async () => {
  const state = replayState([accept('e1'), accept('e2')]);
  let size = 10_000;
  const rewrites: string[][] = [];
  let finishFirst!: () => void;
  const journal = {
    append: () => Promise.resolve(),
    appendSoon: () => Promise.resolve(),
    close: () => Promise.resolve(),
    size: () => size,
    rewrite: async (records: readonly RelayRecord[]) => {
      rewrites.push(records.map((r) => ('id' in r ? r.id : r.t)));
      if (rewrites.length === 1) await new Promise<void>((r) => (finishFirst = r));
      size = 5_000;
    },
  };
  const logs: string[] = [];
  const logger = { info: (_o: unknown, m: string) => logs.push(m), error: (_o: unknown, m: string) => logs.push(m) };
  const keeper = createJournalKeeper({ journal, state, compactAtBytes: 1_000, logger: logger as never, now: () => 0 });
  const first = keeper.compactIfLarge();
  // While the first rewrite runs, the last outcome settles e2 and asks again.
  apply(state, { t: 'done', id: 'e2', i: 0 }, 20);
  await keeper.compactIfLarge();
  finishFirst();
  await first;
  assert.deepEqual(rewrites, [['e1', 'e2'], ['e1']]);
  assert.deepEqual(logs, ['journal compacted', 'journal compacted']);
  // Nothing asked meanwhile: one rewrite per call.
  size = 10_000;
  await keeper.compactIfLarge();
  assert.equal(rewrites.length, 3);
});
