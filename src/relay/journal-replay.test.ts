import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { rewriteJournal } from './compaction.ts';
import { deadLetterRow } from './dead-letter.ts';
import { openJournal, recordBytes } from './journal.ts';
import { RECENT_KEYS, replayJournal } from './journal-replay.ts';
import { encodeRecords } from './journal-record.ts';
import type { AcceptRecord, DeliveryTarget, JournalState, RelayRecord } from './journal-state.ts';
import { apply, emptyState, materialise } from './journal-state.ts';
import { forwardSettled, takeForward } from './journal-spill.ts';
import type { SpillReader } from './spill-reader.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

const to = (provider: string): DeliveryTarget => ({ alert: 'apps/all', provider, metadata: {} });
const accept = (id: string, providers: string[], extra: Partial<AcceptRecord> = {}): AcceptRecord => ({
  ...{ t: 'accept', id, at: 1000 + id.charCodeAt(0), key: `key-${id}`, event },
  ...{ deliveries: providers.map(to), ...extra },
});
const held = (id: string) => accept(id, [], { held: true });

/** The records of the journal every test here starts from, and each one's offset in the file. */
const records: RelayRecord[] = [
  accept('a', ['apps/one', 'apps/two']), // nothing follows: spilled, one reference per delivery
  accept('b', ['apps/one', 'apps/two']),
  { t: 'done', id: 'b', i: 0 }, // followed: kept whole
  held('c'),
  accept('c', ['apps/one']), // the routing of a held event: kept whole
  accept('d', ['apps/two'], { forward: true }), // to forward: spilled, its forward too
  accept('e', ['apps/one']), // spilled
  accept('f', ['apps/one']),
  { t: 'done', id: 'f', i: 0 }, // finished: dropped
];
/** Where each of `ks` starts when they are written one after the other. */
const startsOf = (ks: number[]) =>
  ks.map((_, n) => ks.slice(0, n).reduce((sum, k) => sum + recordBytes(records[k]), 0));
const offsets = startsOf(records.map((_, k) => k));

async function journalOf(name: string, rs: RelayRecord[] = records): Promise<string> {
  const path = join(tempDir(name), 'relay.journal');
  const { journal } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  await journal.append(...rs);
  await journal.close();
  return path;
}

/** The state as plain data: kept events (settled deliveries, offset), spilled references (deliveries, forwards), live bytes. */
function summary(s: JournalState) {
  return {
    events: Object.fromEntries([...s.events].map(([id, e]) => [id, { settled: [...e.settled], offset: e.offset }])),
    spill: Object.fromEntries([...s.spill].map(([d, fifo]) => [d, fifo.refs()])),
    forwards: s.forwards.refs(),
    liveBytes: s.liveBytes,
  };
}

const bytesOf = (...ks: number[]) => ks.reduce((n, k) => n + recordBytes(records[k]), 0);
const ref = (k: number, index: number) => ({
  offset: offsets[k]!,
  length: recordBytes(records[k]),
  index,
  acceptedAt: (records[k] as AcceptRecord).at,
});

test('replay keeps whole the events something follows and spills the others, each delivery a reference', async () => {
  const remembered: string[] = [];
  const r = await replayJournal(await journalOf('replay'), (key, at) => remembered.push(`${key}@${at}`));
  await r.journal.close();
  r.reader.close();
  assert.deepEqual(summary(r.state), {
    events: {
      b: { settled: [0], offset: offsets[1] },
      c: { settled: [], offset: offsets[4] },
    },
    spill: { 'apps/one': [ref(0, 0), ref(6, 0)], 'apps/two': [ref(0, 1), ref(5, 0)] },
    // d's forward: a reference of its own, which counts d's bytes once more.
    forwards: [ref(5, 0)],
    liveBytes: bytesOf(0, 1, 2, 4, 5, 6) + bytesOf(5),
  });
  assert.deepEqual(remembered, [
    'key-a@1097',
    'key-b@1098',
    'key-c@1099',
    'key-c@1099',
    'key-d@1100',
    'key-e@1101',
    'key-f@1102',
  ]);
});

test('a spilled event read back is materialised once, whichever destination reads it first', async () => {
  const r = await replayJournal(await journalOf('materialise'), () => undefined);
  await r.journal.close();
  const s = r.state;
  const before = s.liveBytes;
  const one = materialise(s, 'apps/two', readBack(r.reader, s, 'apps/two'))!;
  assert.equal(one.index, 1);
  assert.deepEqual(summary(s).events.a, { settled: [], offset: 0 });
  const other = materialise(s, 'apps/one', readBack(r.reader, s, 'apps/one'))!;
  assert.equal(other.event, one.event);
  assert.equal(other.index, 0);
  assert.deepEqual(summary(s).spill, { 'apps/one': [ref(6, 0)], 'apps/two': [ref(5, 0)] });
  assert.equal(s.liveBytes, before);
  // Delivered to both: finished, and its bytes leave with it.
  apply(s, { t: 'done', id: 'a', i: 0 }, 20);
  apply(s, { t: 'done', id: 'a', i: 1 }, 20);
  assert.equal(s.events.has('a'), false);
  assert.equal(s.liveBytes, before - bytesOf(0));
  assert.equal(materialise(s, 'apps/three', accept('x', ['apps/three'])), undefined);
  r.reader.close();
});

function readBack(reader: SpillReader, s: JournalState, destination: string): AcceptRecord {
  const front = s.spill.get(destination)!.peek()!;
  return JSON.parse(reader.payload(front.offset, front.length).toString('utf8')) as AcceptRecord;
}

test('a compaction copies the spilled records as they are, moves every reference, and replays to the same state', async () => {
  const path = await journalOf('rewrite');
  const r = await replayJournal(path, () => undefined);
  const s = r.state;
  materialise(s, 'apps/two', readBack(r.reader, s, 'apps/two')); // a: materialised, still spilled for apps/one
  await rewriteJournal(r.journal, s, 0, r.reader);
  // d's record is counted twice (its delivery's reference and its forward's), written once.
  assert.equal(r.journal.size(), s.liveBytes - bytesOf(5));
  // Copied in file order: a, b, c (its routing), d, e; then b's outcome.
  const moved = startsOf([0, 1, 4, 5, 6]);
  assert.deepEqual(summary(s), {
    events: {
      b: { settled: [0], offset: moved[1] },
      c: { settled: [], offset: moved[2] },
      a: { settled: [], offset: moved[0] },
    },
    spill: {
      'apps/one': [
        { ...ref(0, 0), offset: moved[0] },
        { ...ref(6, 0), offset: moved[4] },
      ],
      'apps/two': [{ ...ref(5, 0), offset: moved[3] }],
    },
    forwards: [{ ...ref(5, 0), offset: moved[3] }],
    liveBytes: bytesOf(0, 1, 2, 4, 5, 6) + bytesOf(5),
  });
  assert.deepEqual(readBack(r.reader, s, 'apps/one'), records[0]);
  await r.journal.close();
  r.reader.close();
  const again = await replayJournal(path, () => undefined);
  await again.journal.close();
  again.reader.close();
  assert.deepEqual(summary(again.state), {
    events: {
      b: { settled: [0], offset: moved[1] },
    },
    // c's held record is gone: nothing follows its routing now, so it is spilled too.
    spill: {
      'apps/one': [
        { ...ref(0, 0), offset: moved[0] },
        { ...ref(4, 0), offset: moved[2] },
        { ...ref(6, 0), offset: moved[4] },
      ],
      'apps/two': [
        { ...ref(0, 1), offset: moved[0] },
        { ...ref(5, 0), offset: moved[3] },
      ],
    },
    forwards: [{ ...ref(5, 0), offset: moved[3] }],
    liveBytes: bytesOf(0, 1, 2, 4, 5, 6) + bytesOf(5),
  });
});

test('replay after a torn tail spills what came before the tear', async () => {
  const path = await journalOf('torn', records.slice(0, 2));
  await appendFile(path, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 0x7b])); // a header promising 40 bytes, then one
  const r = await replayJournal(path, () => undefined);
  await r.journal.close();
  r.reader.close();
  assert.equal(r.truncatedBytes, 9);
  assert.deepEqual(summary(r.state), {
    events: {},
    spill: { 'apps/one': [ref(0, 0), ref(1, 0)], 'apps/two': [ref(0, 1), ref(1, 1)] },
    forwards: [],
    liveBytes: bytesOf(0, 1),
  });
});

test('an accept queued while a compaction plans its rewrite is in the file twice; replay keeps one event and one delivery', async () => {
  const path = join(tempDir('twice'), 'relay.journal');
  const { journal } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  const s = emptyState();
  const x = accept('x', ['apps/one']);
  // relay-accept.ts: in the state first, then appended; a rewrite planned meanwhile writes it too.
  apply(s, x, recordBytes(x));
  const appended = journal.append(x);
  await rewriteJournal(journal, s, 0, undefined);
  await appended;
  await journal.close();
  const r = await replayJournal(path, () => undefined);
  await r.journal.close();
  r.reader.close();
  assert.deepEqual(summary(r.state), {
    events: { x: { settled: [], offset: recordBytes(x) } },
    spill: {},
    forwards: [],
    liveBytes: recordBytes(x),
  });
  // Delivered once: finished, nothing of it left.
  apply(r.state, { t: 'done', id: 'x', i: 0 }, 20);
  assert.deepEqual([r.state.events.size, r.state.liveBytes], [0, 0]);
});

test('accepts written once are spilled around one written twice', async () => {
  const rs = [
    accept('a', ['apps/one']),
    accept('x', ['apps/one']),
    accept('x', ['apps/one']),
    accept('e', ['apps/one']),
  ];
  const r = await replayJournal(await journalOf('twice-among', rs), () => undefined);
  await r.journal.close();
  r.reader.close();
  const size = recordBytes(rs[0]);
  const at = (k: number, id: string) => ({
    offset: k * size,
    length: size,
    index: 0,
    acceptedAt: 1000 + id.charCodeAt(0),
  });
  assert.deepEqual(summary(r.state), {
    events: { x: { settled: [], offset: 2 * size } },
    spill: { 'apps/one': [at(0, 'a'), at(3, 'e')] },
    forwards: [],
    liveBytes: 3 * size,
  });
});

test('a compaction whose new file cannot be opened for reading back swaps nothing: the journal, its offsets and every reference stay', async () => {
  const path = await journalOf('reopen-fails');
  const r = await replayJournal(path, () => undefined);
  const s = r.state;
  const before = summary(s);
  // The records (the file beyond them is zeros the writer may be extending meanwhile).
  const written = () => readFileSync(path).subarray(0, r.journal.size()).toString('base64');
  const bytes = written();
  const generation = r.journal.generation!();
  const failing: SpillReader = {
    ...r.reader,
    reopen: () => {
      throw new Error('EMFILE: too many open files');
    },
  };
  const err = await rewriteJournal(r.journal, s, 0, failing).then(
    () => assert.fail('the rewrite reports the failure'),
    (e: unknown) => e as Error,
  );
  assert.deepEqual(
    [err.message, (err.cause as Error).message],
    [
      'the compacted journal could not be opened for reading back; the journal is kept as it was',
      'EMFILE: too many open files',
    ],
  );
  assert.deepEqual(summary(s), before);
  assert.deepEqual([written(), r.journal.generation!(), existsSync(`${path}.compact`)], [bytes, generation, false]);
  // An append after it is where the reader reads: the same file.
  const g: RelayRecord = { t: 'forwarded', id: 'g' };
  const place = await r.journal.appendLocated!(g);
  assert.deepEqual(
    [place.generation, JSON.parse(r.reader.payload(place.offset, recordBytes(g)).toString('utf8'))],
    [generation, g],
  );
  // Read back from the old file, at the offsets it had.
  assert.deepEqual(readBack(r.reader, s, 'apps/one'), records[0]);
  await r.journal.close();
  r.reader.close();
});

test('a compaction that finds a spilled record damaged dead-letters its reference, shrinks the file, and a restart agrees', async () => {
  const path = await journalOf('damaged');
  const r = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  const file = await open(path, 'r+');
  await file.write(Buffer.from('X'), 0, 1, offsets[6]! + 40); // inside e's payload (spilled to apps/one)
  await file.close();
  const sizeBefore = r.journal.size();
  const told: unknown[] = [];
  const damaged = await rewriteJournal(r.journal, r.state, 5000, r.reader, (d) => told.push(...d));
  const dead: RelayRecord = {
    ...{ t: 'spill-dead', destination: 'apps/one', acceptedAt: 1101, index: 0, offset: offsets[6]!, at: 5000 },
    reason: `journal record damaged: journal record at offset ${offsets[6]} does not match its checksum`,
  };
  assert.deepEqual([damaged, told, r.state.dead], [[dead], [dead], [dead]]);
  // a, b, c, d kept (a copied first), e's record dropped, its dead letter written last.
  const after = summary(r.state);
  const d = startsOf([0, 1, 4])[2]! + bytesOf(4);
  assert.deepEqual(after.spill, {
    'apps/one': [{ ...ref(0, 0), offset: 0 }],
    'apps/two': [
      { ...ref(0, 1), offset: 0 },
      { ...ref(5, 0), offset: d },
    ],
  });
  assert.equal(r.journal.size() < sizeBefore, true);
  assert.equal(r.state.liveBytes, r.journal.size() + bytesOf(5)); // d's forward counts its bytes again
  assert.deepEqual(
    deadLetterRow(dead, () => assert.fail('no accept record is read')),
    {
      ...{ id: '', alert: '', provider: 'apps/one', involvedObject: '' },
      message: `event accepted at 1970-01-01T00:00:01.101Z (delivery 0, journal offset ${offsets[6]}) could not be read back from the journal`,
      reason: dead.reason,
      at: '1970-01-01T00:00:05.000Z',
    },
  );
  await r.journal.close();
  r.reader.close();
  // A restart reads the same dead letter and live bytes (c, which nothing follows now, is spilled then).
  const again = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  assert.deepEqual([again.state.dead, again.state.liveBytes], [[dead], after.liveBytes]);
  await again.journal.close();
  again.reader.close();
});

test("a compaction that finds a materialised event's record damaged writes it whole and hands its spilled deliveries back to send from memory", async () => {
  const path = await journalOf('damaged-materialised');
  const r = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  materialise(r.state, 'apps/one', readBack(r.reader, r.state, 'apps/one')); // a's first delivery, read back
  const file = await open(path, 'r+');
  await file.write(Buffer.from('X'), 0, 1, offsets[0]! + 40); // inside a's payload
  await file.close();
  const told: unknown[] = [];
  const damaged = await rewriteJournal(r.journal, r.state, 5000, r.reader, (...args) => told.push(args));
  // No dead letter (before: a `dead` record for a's delivery 1, while a was whole in memory and written whole).
  assert.deepEqual([damaged, told, r.state.dead], [[], [[[], 0, [], [{ accept: records[0], index: 1 }]]], []]);
  const a = r.state.events.get('a')!;
  assert.deepEqual([a.offset, [...a.settled], a.spilled], [undefined, [], 0]);
  // Only d and e spilled still, copied after a (written whole in its place), b and c.
  assert.deepEqual(summary(r.state).spill, {
    'apps/one': [{ ...ref(6, 0), offset: bytesOf(0, 1, 4, 5) }],
    'apps/two': [{ ...ref(5, 0), offset: bytesOf(0, 1, 4) }],
  });
  assert.equal(r.state.liveBytes, r.journal.size() + bytesOf(5));
  await r.journal.close();
  r.reader.close();
  assert.deepEqual((await recordsOf(path))[0], records[0]); // a, whole, first: nothing of it settled
  // A restart delivers both of a's deliveries (neither is settled): spilled again, at a's new offset.
  const again = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  assert.deepEqual(
    [again.state.dead, again.state.spill.get('apps/one')?.peek(), again.state.liveBytes],
    [[], { ...ref(0, 0), offset: 0 }, r.state.liveBytes],
  );
  await again.journal.close();
  again.reader.close();
});

/** A journal of one event to forward, `g`, to apps/one, replayed: its delivery and its forward spilled. */
async function forwardSpilled(name: string) {
  const g = accept('g', ['apps/one'], { forward: true });
  const path = await journalOf(name, [g]);
  const r = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  const one = { offset: 0, length: recordBytes(g), index: 0, acceptedAt: g.at };
  assert.deepEqual([summary(r.state).spill, r.state.forwards.refs()], [{ 'apps/one': [one] }, [one]]);
  return { g, path, r };
}

/** The records of the journal at `path` (its zeros excluded). */
async function recordsOf(path: string): Promise<RelayRecord[]> {
  const { journal, replayed } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  await journal.close();
  return replayed.records;
}

test('a compaction writes `forwarded` after the copy of a forwarded event whose delivery is still spilled; replay does not forward it again', async () => {
  const { g, path, r } = await forwardSpilled('forwarded-spilled');
  takeForward(r.state, 'g:forward');
  apply(r.state, { t: 'forwarded', id: 'g' }, 20); // not in the map: nothing to fold
  forwardSettled(r.state, 'g:forward');
  await rewriteJournal(r.journal, r.state, 0, r.reader);
  await r.journal.close();
  r.reader.close();
  assert.deepEqual(await recordsOf(path), [g, { t: 'forwarded', id: 'g' }]);
  const again = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  assert.deepEqual(
    [again.state.events.size, again.state.forwards.size, again.state.spill.get('apps/one')?.size],
    [0, 0, 1],
  );
  // Read back, it is forwarded already: delivered, it is finished.
  const { event } = materialise(again.state, 'apps/one', g)!;
  assert.equal(event.forwarded, true);
  await again.journal.close();
  again.reader.close();
});

test('a compaction writes `done` after the copy of an event delivered whose forward is still spilled; replay spills its forward alone', async () => {
  const { g, path, r } = await forwardSpilled('delivered-forward-spilled');
  materialise(r.state, 'apps/one', g);
  apply(r.state, { t: 'done', id: 'g', i: 0 }, 20);
  assert.deepEqual([r.state.events.size, r.state.forwards.size], [0, 1]);
  await rewriteJournal(r.journal, r.state, 0, r.reader);
  await r.journal.close();
  r.reader.close();
  assert.deepEqual(await recordsOf(path), [g, { t: 'done', id: 'g', i: 0 }]);
  const again = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  // Every delivery done, the forward not: spilled as a forward alone, nothing of it in memory.
  const forward = { offset: 0, length: recordBytes(g), index: 0, acceptedAt: g.at };
  assert.deepEqual(summary(again.state), { events: {}, spill: {}, forwards: [forward], liveBytes: recordBytes(g) });
  await again.journal.close();
  again.reader.close();
});

test('replay keeps whole an event to forward that is delivered in part, and spills the forward alone of one delivered in full', async () => {
  const rs: RelayRecord[] = [
    accept('p', ['apps/one', 'apps/two'], { forward: true }),
    { t: 'done', id: 'p', i: 1 },
    { t: 'done', id: 'p', i: 1 }, // twice (a compaction's and the queued append): still one delivery
    accept('q', ['apps/one', 'apps/two'], { forward: true }),
    { t: 'done', id: 'q', i: 1 },
    { t: 'done', id: 'q', i: 0 },
  ];
  const r = await replayJournal(await journalOf('delivered-in-part', rs), () => undefined, { preallocateBytes: 0 });
  await r.journal.close();
  r.reader.close();
  const q = rs.slice(0, 3).reduce((n, x) => n + recordBytes(x), 0);
  assert.deepEqual(
    [summary(r.state).events, r.state.forwards.refs().map((f) => f.offset), r.state.spill.size],
    [{ p: { settled: [1], offset: 0 } }, [q], 0],
  );
});

test('a compaction that finds the record of a spilled forward damaged, its event in memory, hands it back to forward from memory', async () => {
  const { g, path, r } = await forwardSpilled('damaged-forward-in-memory');
  materialise(r.state, 'apps/one', g); // its delivery read back, pending: the event is whole in memory
  assert.deepEqual([r.state.events.get('g')?.forwarded, r.state.events.get('g')?.forwardSpilled], [true, true]);
  const file = await open(path, 'r+');
  await file.write(Buffer.from('X'), 0, 1, 40); // inside g's payload
  await file.close();
  const told: unknown[] = [];
  const damaged = await rewriteJournal(r.journal, r.state, 0, r.reader, (...args) => told.push(args));
  // Not lost (0 dead forwards): to forward again, and not forwarded meanwhile, so no `forwarded` is written.
  assert.deepEqual([damaged, told], [[], [[[], 0, [g], []]]]);
  const e = r.state.events.get('g')!;
  assert.deepEqual([e.forwarded, e.forwardSpilled, e.offset, r.state.forwards.size], [false, undefined, undefined, 0]);
  assert.equal(r.state.liveBytes, recordBytes(g));
  await r.journal.close();
  r.reader.close();
  assert.deepEqual(await recordsOf(path), [g]);
});

test('replay passes over a record damaged on disk and replays every record after it (before, it cut the file there)', async () => {
  const rs = ['a', 'b', 'c', 'd'].map((id) => accept(id, ['apps/one']));
  const path = await journalOf('damaged-middle', rs);
  const at = rs.map((_, k) => rs.slice(0, k).reduce((n, x) => n + recordBytes(x), 0));
  const file = await open(path, 'r+');
  await file.write(Buffer.from('X'), 0, 1, at[1]! + 40); // inside b's payload: its checksum fails
  await file.close();
  const r = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  const spilled = (k: number) => ({ offset: at[k]!, length: recordBytes(rs[k]), index: 0, acceptedAt: rs[k]!.at });
  assert.deepEqual(
    [r.truncatedBytes, r.skipped, summary(r.state)],
    [
      0,
      [{ offset: at[1], bytes: recordBytes(rs[1]) }],
      {
        ...{ events: {}, spill: { 'apps/one': [spilled(0), spilled(2), spilled(3)] }, forwards: [] },
        liveBytes: recordBytes(rs[0]) + recordBytes(rs[2]) + recordBytes(rs[3]),
      },
    ],
  );
  // Nothing was cut: the next record goes after d.
  assert.equal(r.journal.size(), at[3]! + recordBytes(rs[3]));
  await r.journal.close();
  r.reader.close();
});

test('accept records that are not read from their bytes (an escaped id, fields in another order) are parsed: the same spills, keys and follow-ups', async () => {
  const quoted = accept('q"1', ['apps/one']);
  const reordered = { ...accept('r', []), deliveries: [{ provider: 'apps/two', alert: 'apps/all', metadata: {} }] };
  const rs: RelayRecord[] = [
    quoted,
    reordered as AcceptRecord,
    accept('é', ['apps/two'], { forward: true }),
    accept('w\\', ['apps/one']),
    { t: 'done', id: 'w\\', i: 0 }, // the follow-up of an escaped id: it and its event finished
  ];
  const remembered: string[] = [];
  const r = await replayJournal(await journalOf('declined', rs), (key, at) => remembered.push(`${key}@${at}`));
  await r.journal.close();
  r.reader.close();
  const starts = rs.map((_, k) => rs.slice(0, k).reduce((n, x) => n + recordBytes(x), 0));
  const spilled = (k: number) => ({
    offset: starts[k]!,
    length: recordBytes(rs[k]),
    index: 0,
    acceptedAt: (rs[k] as AcceptRecord).at,
  });
  assert.deepEqual(summary(r.state), {
    events: {},
    spill: { 'apps/one': [spilled(0)], 'apps/two': [spilled(1), spilled(2)] },
    forwards: [spilled(2)],
    liveBytes: recordBytes(rs[0]) + recordBytes(rs[1]) + 2 * recordBytes(rs[2]),
  });
  assert.deepEqual(remembered, ['key-q"1@1113', 'key-r@1114', 'key-é@1233', 'key-w\\@1119']);
});

test('replay restores the dedup keys of the last RECENT_KEYS accepts only, oldest first', async () => {
  const tiny = {} as AcceptRecord['event'];
  const path = join(tempDir('recent-keys'), 'relay.journal');
  await writeFile(
    path,
    encodeRecords(
      Array.from({ length: RECENT_KEYS + 2 }, (_, i) => ({
        ...accept(`e${i}`, ['apps/one']),
        at: i,
        key: `k${i}`,
        event: tiny,
      })),
    ),
  );
  const remembered: string[] = [];
  const r = await replayJournal(path, (key, at) => remembered.push(`${key}@${at}`));
  await r.journal.close();
  r.reader.close();
  assert.deepEqual(
    [remembered.length, remembered[0], remembered.at(-1), r.state.spill.get('apps/one')!.size],
    [RECENT_KEYS, 'k2@2', `k${RECENT_KEYS + 1}@${RECENT_KEYS + 1}`, RECENT_KEYS + 2],
  );
});

/**
 * A journal of every kind of accept replay reads (spilled, followed, forwarded, dead-lettered, held
 * then routed), one of them larger than every read chunk below and one damaged in place.
 */
const big = accept('g', ['apps/two'], { forward: true, event: { ...event, message: 'x'.repeat(1_100_000) } });
const mixed: RelayRecord[] = [
  accept('a', ['apps/one', 'apps/two']), // 0: spilled, a reference per delivery
  accept('b', ['apps/one', 'apps/two']), // 1: followed by 3: kept whole
  big, // 2: spilled, its forward too
  { t: 'done', id: 'b', i: 0 }, // 3
  accept('x', ['apps/one']), // 4: damaged in place below: passed over
  accept('d', ['apps/one', 'apps/two'], { forward: true }), // 5: forwarded (6): its deliveries spilled alone
  { t: 'forwarded', id: 'd' }, // 6
  accept('e', ['apps/one', 'apps/two']), // 7: dead-lettered in part (8): kept whole
  { t: 'dead', id: 'e', i: 1, at: 5000, reason: 'channel_not_found' }, // 8
  held('c'), // 9
  accept('c', ['apps/one']), // 10: the routing of a held event: kept whole
];
const mixedAt = mixed.map((_, k) => mixed.slice(0, k).reduce((n, x) => n + recordBytes(x), 0));
const mixedRef = (k: number, index: number) => ({
  offset: mixedAt[k]!,
  length: recordBytes(mixed[k]),
  index,
  acceptedAt: (mixed[k] as AcceptRecord).at,
});
const mixedBytes = (...ks: number[]) => ks.reduce((n, k) => n + recordBytes(mixed[k]), 0);

test('replay reads the same state and dedup keys at every read chunk size, from 7 bytes (every record larger than a chunk) to 1 MiB', async () => {
  assert.equal(recordBytes(big) > 1024 * 1024, true, 'the large record is larger than every chunk');
  const path = await journalOf('chunks', mixed);
  const file = await open(path, 'r+');
  await file.write(Buffer.from('X'), 0, 1, mixedAt[4]! + 40); // inside x's payload: its checksum fails
  await file.close();
  for (const readChunkBytes of [7, 4096, 1024 * 1024]) {
    const remembered: string[] = [];
    const r = await replayJournal(path, (key, at) => remembered.push(`${key}@${at}`), {
      preallocateBytes: 0,
      readChunkBytes,
    });
    await r.journal.close();
    r.reader.close();
    const chunk = `${readChunkBytes}-byte reads`;
    assert.deepEqual(
      { ...summary(r.state), dead: r.state.dead, skipped: r.skipped, truncatedBytes: r.truncatedBytes },
      {
        events: {
          b: { settled: [0], offset: mixedAt[1] },
          e: { settled: [1], offset: mixedAt[7] },
          c: { settled: [], offset: mixedAt[10] },
        },
        spill: {
          'apps/one': [mixedRef(0, 0), mixedRef(5, 0)],
          'apps/two': [mixedRef(0, 1), mixedRef(2, 0), mixedRef(5, 1)],
        },
        forwards: [mixedRef(2, 0)],
        // g counted twice (its delivery's reference and its forward's); c's routing replaced its held record.
        liveBytes: mixedBytes(0, 1, 2, 2, 3, 5, 7, 8, 10),
        dead: [mixed[8]],
        skipped: [{ offset: mixedAt[4], bytes: recordBytes(mixed[4]) }],
        truncatedBytes: 0,
      },
      chunk,
    );
    // x's key is lost with its record; c's is remembered for its held record and for its routing.
    const keys = ['key-a@1097', 'key-b@1098', 'key-g@1103', 'key-d@1100', 'key-e@1101', 'key-c@1099', 'key-c@1099'];
    assert.deepEqual(remembered, keys, chunk);
  }
});
