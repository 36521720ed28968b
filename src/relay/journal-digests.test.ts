import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountsFor } from './digest-ids.ts';
import { recordBytes } from './journal-record.ts';
import type { DeliveryTarget, JournalState, RelayRecord } from './journal-state.ts';
import { apply, liveRecords, replayState, unsettled } from './journal-state.ts';
import { openJournal } from './journal.ts';
import { join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir.ts';

const event = (reason: string) => ({
  involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
  severity: 'error' as const,
  timestamp: '',
  message: 'm',
  reason,
  reportingController: 'kc',
});
const slack: DeliveryTarget = { alert: 'apps/all', provider: 'apps/slack', metadata: {} };
const ops: DeliveryTarget = { alert: 'apps/ops', provider: 'apps/ops', metadata: {} };
const accept = (id: string, at: number, deliveries = [slack]): RelayRecord => ({
  t: 'accept',
  id,
  at,
  key: id,
  event: event(`R${id}`),
  deliveries,
});
const fold = (id: string, digest: string, i = 0, destination = 'apps/slack'): RelayRecord => ({
  t: 'fold',
  id,
  i,
  digest,
  destination,
});
const digestDead = (id: string, count: number): RelayRecord => ({
  t: 'digest-dead',
  id,
  destination: 'apps/slack',
  count,
  at: 9,
  reason: 'HTTP 404 no_service',
});

/** The state as plain data: kept events and their open deliveries, digests (count, span, groups), the dead table. */
function summary(s: JournalState) {
  return {
    events: Object.fromEntries([...s.events].map(([id, e]) => [id, unsettled(e)])),
    digests: Object.fromEntries(
      [...s.digests].map(([id, d]) => [
        id,
        {
          destination: d.destination,
          count: d.acc.count,
          first: d.acc.first,
          last: d.acc.last,
          groups: d.acc.groups.length,
        },
      ]),
    ),
    dead: s.dead.map((d) =>
      d.t === 'dead' ? `${d.id}:${d.i}` : d.t === 'digest-dead' ? `digest ${d.id} (${d.count})` : d.destination,
    ),
  };
}

const table: { name: string; records: RelayRecord[]; expect: ReturnType<typeof summary> }[] = [
  {
    name: 'folded events are dropped; their digest holds them',
    records: [accept('a', 10), accept('b', 20), fold('a', 'd1'), fold('b', 'd1')],
    expect: {
      events: {},
      digests: { d1: { destination: 'apps/slack', count: 2, first: 10, last: 20, groups: 2 } },
      dead: [],
    },
  },
  {
    name: 'an event with another destination stays until that delivery settles',
    records: [accept('a', 10, [slack, ops]), fold('a', 'd1')],
    expect: {
      events: { a: [1] },
      digests: { d1: { destination: 'apps/slack', count: 1, first: 10, last: 10, groups: 1 } },
      dead: [],
    },
  },
  {
    name: 'a fold replayed twice counts once',
    records: [accept('a', 10), accept('b', 20, [slack, ops]), fold('b', 'd1'), fold('b', 'd1')],
    expect: {
      events: { a: [0], b: [1] },
      digests: { d1: { destination: 'apps/slack', count: 1, first: 20, last: 20, groups: 1 } },
      dead: [],
    },
  },
  {
    name: 'a delivered digest is gone, and settles what it absorbed',
    records: [accept('a', 10), fold('a', 'd1'), { t: 'digest-done', id: 'd1' }],
    expect: { events: {}, digests: {}, dead: [] },
  },
  {
    name: 'a dead digest is one dead letter naming its count',
    records: [accept('a', 10), accept('b', 20), fold('a', 'd1'), fold('b', 'd1'), digestDead('d1', 2)],
    expect: { events: {}, digests: {}, dead: ['digest d1 (2)'] },
  },
  {
    name: 'a dead digest replayed twice is one dead letter',
    records: [accept('a', 10), fold('a', 'd1'), digestDead('d1', 1), digestDead('d1', 1)],
    expect: { events: {}, digests: {}, dead: ['digest d1 (1)'] },
  },
];

for (const c of table)
  test(`digest reducer: ${c.name}`, () => {
    assert.deepEqual(summary(replayState(c.records)), c.expect);
  });

test('digest reducer: the fold accounts for exactly the deliveries it absorbed', () => {
  const s = replayState([accept('a', 10), accept('b', 20), fold('a', 'd1'), fold('b', 'd1')]);
  assert.equal(accountsFor(s.digests.get('d1')!.acc.ids, ['b:0', 'a:0']), true);
  assert.equal(accountsFor(s.digests.get('d1')!.acc.ids, ['a:0']), false);
});

test('digest reducer: a compacted journal replays to the same state, its digest a snapshot in place of the accepts', () => {
  const records = [
    accept('a', 10),
    accept('b', 20, [slack, ops]),
    accept('c', 30),
    fold('a', 'd1'),
    fold('b', 'd1'),
    fold('c', 'd0'),
    { t: 'digest-done', id: 'd0' } as const,
    digestDead('dx', 4),
  ];
  const s = replayState(records);
  const compacted = liveRecords(s, 0);
  assert.deepEqual(
    compacted.map((r) => r.t + ('id' in r ? ` ${r.id}` : '')),
    ['accept b', 'fold b', 'digest d1', 'digest-dead dx'],
  );
  assert.deepEqual(summary(replayState(compacted)), summary(s));
  assert.deepEqual(summary(s), {
    events: { b: [1] },
    digests: { d1: { destination: 'apps/slack', count: 2, first: 10, last: 20, groups: 2 } },
    dead: ['digest dx (4)'],
  });
  // A digest settled since: the kept event's fold is written as done, so replay does not open it again.
  const after = replayState([...compacted, { t: 'digest-done', id: 'd1' }]);
  assert.deepEqual(liveRecords(after, 0).slice(0, 2), [accept('b', 20, [slack, ops]), { t: 'done', id: 'b', i: 0 }]);
});

test('digest reducer: live bytes fall to one accumulator when a thousand events fold', () => {
  const records: RelayRecord[] = [];
  for (let n = 0; n < 1000; n++) records.push(accept(`e${n}`, n), fold(`e${n}`, 'd1'));
  const s = replayState(records);
  const journal = records.reduce((n, r) => n + recordBytes(r), 0);
  const rewritten = liveRecords(s, 0).reduce((n, r) => n + recordBytes(r), 0);
  assert.equal(s.events.size, 0);
  assert.ok(rewritten < journal / 10, `${rewritten} of ${journal}`);
  assert.ok(Math.abs(s.liveBytes - rewritten) < 256, `estimate ${s.liveBytes}, written ${rewritten}`);
});

test('digest reducer: a fold while a compaction is being written counts once on replay (the snapshot is a copy)', async () => {
  const path = join(tempDir('journal-digests'), 'journal');
  const { journal } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  const state = replayState([accept('e1', 1), fold('e1', 'd1'), accept('e2', 2)]);
  // The rewrite encodes its records after this turn; e2 folds meanwhile and its fold is journaled after it.
  const rewriting = journal.rewrite(liveRecords(state, 0));
  const late = fold('e2', 'd1');
  apply(state, late, recordBytes(late));
  await rewriting;
  await journal.append(late);
  await journal.close();
  const { journal: again, replayed } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  await again.close();
  assert.deepEqual(
    { live: state.digests.get('d1')?.acc.count, replayed: replayState(replayed.records).digests.get('d1')?.acc.count },
    { live: 2, replayed: 2 },
  );
});
