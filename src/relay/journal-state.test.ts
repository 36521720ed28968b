import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, recordBytes } from './journal.ts';
import type { DeliveryTarget, JournalState, RelayRecord } from './journal-state.ts';
import { MAX_DEAD_LETTERS, apply, emptyState, liveRecords, pausesAt, replayState, unsettled } from './journal-state.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

const target: DeliveryTarget = { alert: 'apps/all', provider: 'apps/slack', metadata: {} };
const accept = (id: string, n = 1, forward = false): RelayRecord => ({
  t: 'accept',
  id,
  at: 1,
  key: id,
  event,
  deliveries: Array(n).fill(target),
  ...(forward ? { forward: true as const } : {}),
});
const held = (id: string): RelayRecord => ({ t: 'accept', id, at: 1, key: id, event, deliveries: [], held: true });
const done = (id: string, i = 0): RelayRecord => ({ t: 'done', id, i });
const dead = (id: string, i = 0): RelayRecord => ({ t: 'dead', id, i, at: 7, reason: 'Slack answered 404' });
const spillDead = (offset: number): RelayRecord => ({
  ...{ t: 'spill-dead', destination: 'apps/slack', acceptedAt: 1, index: 0, offset, at: 7 },
  reason: 'journal record damaged: journal record at offset 0 does not match its checksum',
});
const paused = (destination: string, until: number): RelayRecord => ({
  t: 'paused',
  queue: 'slack',
  destination,
  until,
});

/** The state as plain data: each kept event's settled deliveries and flags, the dead table, and whether liveBytes is exactly what a rewrite writes. */
function summary(s: JournalState) {
  const events = Object.fromEntries(
    [...s.events].map(([id, e]) => [
      id,
      {
        held: e.accept.held ?? false,
        deliveries: e.accept.deliveries.length,
        settled: [...e.settled],
        unsettled: unsettled(e),
        forwarded: e.forwarded,
      },
    ]),
  );
  const rewritten = liveRecords(s, 0).reduce((n, r) => n + recordBytes(r), 0);
  return {
    events,
    dead: s.dead.map((d) =>
      d.t === 'dead' ? `${d.id}:${d.i}` : d.t === 'digest-dead' ? d.id : `spilled ${d.destination}`,
    ),
    liveBytesExact: s.liveBytes === rewritten,
  };
}

const table: { name: string; records: RelayRecord[]; expect: ReturnType<typeof summary> }[] = [
  {
    name: 'an accept is pending in every delivery',
    records: [accept('a', 2)],
    expect: {
      events: { a: { held: false, deliveries: 2, settled: [], unsettled: [0, 1], forwarded: true } },
      dead: [],
      liveBytesExact: true,
    },
  },
  {
    name: 'a delivered event is dropped',
    records: [accept('a', 2), done('a', 1), done('a', 0)],
    expect: { events: {}, dead: [], liveBytesExact: true },
  },
  {
    name: 'an event routed to no delivery is dropped at once',
    records: [accept('a', 0)],
    expect: { events: {}, dead: [], liveBytesExact: true },
  },
  {
    name: 'a held event waits; its routing supersedes it',
    records: [held('h'), held('r'), accept('r', 2), done('r', 0)],
    expect: {
      events: {
        h: { held: true, deliveries: 0, settled: [], unsettled: [], forwarded: true },
        r: { held: false, deliveries: 2, settled: [0], unsettled: [1], forwarded: true },
      },
      dead: [],
      liveBytesExact: true,
    },
  },
  {
    name: 'a held event routed nowhere is dropped',
    records: [held('h'), accept('h', 0)],
    expect: { events: {}, dead: [], liveBytesExact: true },
  },
  {
    name: 'a dead delivery keeps its event for the dead-letter table',
    records: [accept('a', 2), dead('a', 0), done('a', 1)],
    expect: {
      events: { a: { held: false, deliveries: 2, settled: [0, 1], unsettled: [], forwarded: true } },
      dead: ['a:0'],
      liveBytesExact: true,
    },
  },
  {
    name: 'an event to forward stays until forwarded',
    records: [accept('f', 1, true), done('f')],
    expect: {
      events: { f: { held: false, deliveries: 1, settled: [0], unsettled: [], forwarded: false } },
      dead: [],
      liveBytesExact: true,
    },
  },
  {
    name: 'forwarded and delivered: dropped',
    records: [accept('f', 1, true), done('f'), { t: 'forwarded', id: 'f' }],
    expect: { events: {}, dead: [], liveBytesExact: true },
  },
  {
    name: 'outcomes replayed twice or for dropped events change nothing',
    records: [accept('a', 2), done('a', 0), done('a', 0), done('gone', 0), dead('gone', 1)],
    expect: {
      events: { a: { held: false, deliveries: 2, settled: [0], unsettled: [1], forwarded: true } },
      dead: [],
      liveBytesExact: true,
    },
  },
  {
    name: 'a damaged spilled delivery is a row of the dead-letter table, once however often it is replayed',
    records: [spillDead(0), spillDead(40), spillDead(0)],
    expect: { events: {}, dead: ['spilled apps/slack', 'spilled apps/slack'], liveBytesExact: true },
  },
];

for (const c of table) {
  test(`journal state: ${c.name}`, () => {
    const s = emptyState();
    for (const r of c.records) apply(s, r, recordBytes(r));
    assert.deepEqual(summary(s), c.expect);
  });
}

test('journal state: pauses keep the latest per destination, and read only while they run', () => {
  const s = replayState([paused('apps/slack', 5_000), paused('apps/slack', 9_000), paused('ops/slack', 2_000)]);
  assert.deepEqual(pausesAt(s, 3_000), [paused('apps/slack', 9_000)]);
  assert.deepEqual(pausesAt(s, 9_000), []);
  assert.equal(s.liveBytes, recordBytes(paused('apps/slack', 9_000)) + recordBytes(paused('ops/slack', 2_000)));
});

test('journal state: the dead-letter table keeps the latest MAX_DEAD_LETTERS; an event leaves with its last dead letter', () => {
  const s = emptyState();
  const records: RelayRecord[] = [accept('first', 2), dead('first', 0), dead('first', 1)];
  for (let n = 0; n < MAX_DEAD_LETTERS - 1; n++) records.push(accept(`e${n}`), dead(`e${n}`));
  for (const r of records) apply(s, r, recordBytes(r));
  assert.deepEqual(
    { table: s.dead.length, oldest: s.dead[0], kept: s.events.has('first') },
    { table: MAX_DEAD_LETTERS, oldest: dead('first', 1), kept: true },
  );
  const last = [accept('last'), dead('last')];
  for (const r of last) apply(s, r, recordBytes(r));
  assert.deepEqual(
    { table: s.dead.length, oldest: s.dead[0], kept: s.events.has('first'), events: s.events.size },
    { table: MAX_DEAD_LETTERS, oldest: dead('e0'), kept: false, events: MAX_DEAD_LETTERS },
  );
});

test('journal state: a damaged spilled delivery evicted from the dead-letter table takes its bytes with it', () => {
  const s = emptyState();
  apply(s, spillDead(0), recordBytes(spillDead(0)));
  for (let n = 0; n < MAX_DEAD_LETTERS; n++)
    for (const r of [accept(`e${n}`), dead(`e${n}`)]) apply(s, r, recordBytes(r));
  const rewritten = liveRecords(s, 0).reduce((n, r) => n + recordBytes(r), 0);
  assert.deepEqual([s.dead.length, s.dead[0], s.liveBytes], [MAX_DEAD_LETTERS, dead('e0'), rewritten]);
});

test("journal state: compaction writes each kept event's records, then running pauses, and replaying them gives the same state", () => {
  const records: RelayRecord[] = [
    accept('a', 2),
    held('h'),
    accept('d', 1),
    done('a', 0),
    accept('f', 1, true),
    done('f', 0),
    dead('d', 0),
    accept('x'),
    done('x'),
    paused('apps/slack', 9_000),
    paused('ops/slack', 1_000),
  ];
  const s = replayState(records);
  const compacted = liveRecords(s, 5_000);
  assert.deepEqual(compacted, [
    accept('a', 2),
    done('a', 0),
    held('h'),
    accept('d', 1),
    dead('d', 0),
    accept('f', 1, true),
    done('f', 0),
    paused('apps/slack', 9_000),
  ]);
  assert.deepEqual(liveRecords(replayState(compacted), 5_000), compacted);
});

test('journal state: replay after a torn tail folds the records before the tear, and the next start agrees', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'journal-state-'));
  const path = join(dir, 'relay.journal');
  const { journal } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  await journal.append(accept('a', 2), done('a', 0), accept('b'));
  await journal.close();
  await appendFile(path, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 0x7b])); // a header promising 40 bytes, then one
  const { journal: again, replayed } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  await again.close();
  assert.equal(replayed.truncatedBytes, 9);
  assert.deepEqual(summary(replayState(replayed.records)), {
    events: {
      a: { held: false, deliveries: 2, settled: [0], unsettled: [1], forwarded: true },
      b: { held: false, deliveries: 1, settled: [], unsettled: [0], forwarded: true },
    },
    dead: [],
    liveBytesExact: true,
  });
});
