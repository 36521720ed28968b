import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRelayMetrics } from '../observability/relay-metrics.ts';
import { createLogger } from '../observability/logger.ts';
import { recordBytes } from './journal-record.ts';
import type { AcceptRecord, RelayRecord } from './journal-state.ts';
import { apply, emptyState, liveRecords } from './journal-state.ts';
import { spillAccept } from './journal-spill.ts';
import { READ_BACK_RETRY_MS, windowedLines } from './relay-window.ts';
import type { RelayJob } from './relay-queue.ts';
import { slackJob } from './relay-queue.ts';
import { DamagedRecordError } from './spill-reader.ts';
import type { SpillReader } from './spill-reader.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

/** An event of about 20 KB (three fill the default window's 64 KiB), to apps/one. */
const big = (n: number): AcceptRecord => ({
  ...{ t: 'accept', id: `e${n}`, at: 1000 + n, key: `key-${n}` },
  event: { ...event, message: 'x'.repeat(20_000) },
  deliveries: [{ alert: 'apps/all', provider: 'apps/one', metadata: {} }],
});

/** A reader that is never read in these tests (nothing settles): the window may spill. */
const reader: SpillReader = {
  payload: () => assert.fail('not read back'),
  copier: () => () => assert.fail('not copied'),
  reopen: () => () => undefined,
  close() {},
  closed: () => false,
};

/** 50 big events accepted and delivered at once, digests on (the defaults): what was sent, folded, spilled. */
function storm(spilling: boolean) {
  const state = emptyState();
  const counts = { sent: 0, folds: 0 };
  const { lines } = windowedLines(
    {
      ...{ metrics: createRelayMetrics(), logger: createLogger('error') },
      ...(spilling ? { spillReader: reader } : {}),
      journal: { generation: () => 0 },
    },
    state,
    (r: RelayRecord) => {
      if (r.t === 'fold') counts.folds++;
      apply(state, r, recordBytes(r));
    },
    () => 2000,
    () => counts.sent++,
  );
  let offset = 0;
  for (let n = 0; n < 50; n++) {
    const a = big(n);
    apply(state, a, recordBytes(a), offset);
    offset += recordBytes(a);
    lines.deliver(slackJob(a, 0));
  }
  return { ...counts, spilled: state.spill.get('apps/one')?.size ?? 0 };
}

test('a burst of large events folds as much when the window spills them as when they wait in memory', () => {
  assert.deepEqual(storm(false), { sent: 3, folds: 45, spilled: 0 });
  assert.deepEqual(storm(true), { sent: 3, folds: 45, spilled: 2 });
});

/**
 * One event (e7) spilled to apps/one at offset 4096, behind windows over `read` (the payload
 * answer): what was read, sent and logged.
 */
function spilledBehind(
  read: (reads: number, offset: number, length: number) => Buffer,
  closed = false,
  also?: AcceptRecord,
) {
  const state = emptyState();
  const a = big(7);
  spillAccept(state, { at: a.at, providers: ['apps/one'] }, 4096, recordBytes(a));
  if (also) spillAccept(state, { at: also.at, providers: ['apps/one'] }, 8192, recordBytes(also));
  const metrics = createRelayMetrics();
  const seen = { reads: 0, sent: [] as RelayJob[], logged: [] as unknown[] };
  const spillReader: SpillReader = {
    ...reader,
    payload: (offset, length) => read(++seen.reads, offset, length),
    closed: () => closed,
  };
  const logger = createLogger('error', { write: (line: string) => void seen.logged.push(JSON.parse(line)) });
  const journaled: RelayRecord[] = [];
  const { window } = windowedLines(
    { metrics, logger, spillReader, journal: { generation: () => 0 } },
    state,
    (r: RelayRecord) => {
      journaled.push(r);
      apply(state, r, recordBytes(r));
    },
    () => 2000,
    (job) => seen.sent.push(job),
  );
  return { state, a, window, seen, metrics, journaled };
}

test('a spilled event that fails to be read back is tried again READ_BACK_RETRY_MS later, though nothing settles', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { state, a, window, seen } = spilledBehind((reads, offset, length) => {
    assert.deepEqual([offset, length], [4096, recordBytes(big(7))]);
    if (reads <= 2) throw new Error('EIO: i/o error, read');
    return Buffer.from(JSON.stringify(big(7)));
  });
  window.resumeSpilled(['apps/one']);
  window.resumeSpilled(['apps/one']); // a second failure meanwhile: still one retry
  assert.deepEqual([seen.reads, seen.sent.length, state.spill.get('apps/one')?.size], [2, 0, 1]);
  t.mock.timers.tick(READ_BACK_RETRY_MS - 1);
  assert.equal(seen.reads, 2);
  t.mock.timers.tick(1);
  assert.deepEqual([seen.reads, seen.sent.map((j) => j.id), state.spill.size], [3, [`${a.id}:0`], 0]);
  assert.deepEqual(
    seen.logged.map((l) => {
      const { msg, destination, retryInMs } = l as Record<string, unknown>;
      return { msg, destination, retryInMs };
    }),
    [
      { msg: 'reading a spilled event back from the journal failed', destination: 'apps/one', retryInMs: 5000 },
      { msg: 'reading a spilled event back from the journal failed', destination: 'apps/one', retryInMs: 5000 },
    ],
  );
});

test('once the reader is closed (the relay stopped), a spilled event stays spilled: no retry, nothing logged', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { state, window, seen } = spilledBehind(() => {
    throw new Error('the journal reader is closed');
  }, true);
  window.resumeSpilled(['apps/one']);
  t.mock.timers.tick(READ_BACK_RETRY_MS * 3);
  assert.deepEqual([seen.reads, seen.sent, state.spill.get('apps/one')?.size, seen.logged], [1, [], 1, []]);
});

test('a spilled event whose record is damaged is dead-lettered at once, and its destination goes on to the next', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const next = big(8);
  const { state, window, seen, metrics, journaled } = spilledBehind(
    (_reads, offset) => {
      if (offset === 4096) throw new DamagedRecordError('journal record at offset 4096 does not match its checksum');
      return Buffer.from(JSON.stringify(next));
    },
    false,
    next,
  );
  window.resumeSpilled(['apps/one']);
  const dead: RelayRecord = {
    ...{ t: 'spill-dead', destination: 'apps/one', acceptedAt: 1007, index: 0, offset: 4096, at: 2000 },
    reason: 'journal record damaged: journal record at offset 4096 does not match its checksum',
  };
  assert.deepEqual(
    [journaled, state.dead, seen.sent.map((j) => j.id), state.spill.size],
    [[dead], [dead], ['e8:0'], 0],
  );
  // e8's record (read back) and the row: nothing of e7's damaged record.
  assert.equal(state.liveBytes, recordBytes(next) + recordBytes(dead));
  t.mock.timers.tick(READ_BACK_RETRY_MS * 2);
  assert.equal(seen.reads, 2); // not read again
  assert.match(await metrics.registry.metrics(), /notify_guard_relay_deliveries_total\{result="dead"\} 1\n/);
  assert.deepEqual(
    seen.logged.map((l) => {
      const { msg, provider, acceptedAt, offset, reason } = l as Record<string, unknown>;
      return { msg, provider, acceptedAt, offset, reason };
    }),
    [
      {
        msg: 'a spilled delivery could not be read back from the journal; moved to dead letters',
        ...{ provider: 'apps/one', acceptedAt: '1970-01-01T00:00:01.007Z', offset: 4096, reason: dead.reason },
      },
    ],
  );
});

test('a spilled record read back that is not JSON, or not the accept record it should be, is damaged', () => {
  for (const [payload, reason] of [
    ['{"t":"acc', 'journal record at offset 4096 is not JSON'],
    ['{"t":"forwarded","id":"e7"}', 'journal record at offset 4096 is not an accept record with delivery 0'],
  ]) {
    const { state, window, seen } = spilledBehind(() => Buffer.from(payload!));
    window.resumeSpilled(['apps/one']);
    assert.deepEqual(
      [seen.reads, seen.sent, state.spill.size, state.dead.map((d) => d.t === 'spill-dead' && d.reason)],
      [1, [], 0, [`journal record damaged: ${reason}`]],
    );
  }
});

/**
 * Event e7 to apps/one and apps/two, both deliveries spilled at offset 4096, behind windows over
 * `read` (the payload answer; logging from warn): what was read, sent, journaled and logged.
 */
function spilledToTwo(read: (reads: number) => Buffer, forwardRead?: (offset: number) => AcceptRecord | undefined) {
  const state = emptyState();
  const a: AcceptRecord = {
    ...big(7),
    deliveries: [
      { alert: 'apps/all', provider: 'apps/one', metadata: {} },
      { alert: 'apps/all', provider: 'apps/two', metadata: {} },
    ],
  };
  spillAccept(state, { at: a.at, providers: ['apps/one', 'apps/two'] }, 4096, recordBytes(a));
  const seen = { reads: 0, sent: [] as RelayJob[], logged: [] as Record<string, unknown>[] };
  const spillReader: SpillReader = { ...reader, payload: () => read(++seen.reads) };
  const logger = createLogger('warn', { write: (line: string) => void seen.logged.push(JSON.parse(line)) });
  const journaled: RelayRecord[] = [];
  const record = (r: RelayRecord) => {
    journaled.push(r);
    apply(state, r, recordBytes(r));
  };
  const { window } = windowedLines(
    {
      ...{ metrics: createRelayMetrics(), logger, spillReader, journal: { generation: () => 0 } },
      ...(forwardRead ? { forwardRead } : {}),
    },
    state,
    record,
    () => 2000,
    (job) => seen.sent.push(job),
  );
  return { state, a, window, seen, journaled, record };
}

const damagedAt4096 = () => {
  throw new DamagedRecordError('journal record at offset 4096 does not match its checksum');
};

test('a damaged record whose event another destination read back first is delivered from memory; the event leaves once settled', () => {
  const { state, a, window, seen, journaled, record } = spilledToTwo((reads) =>
    reads === 1 ? Buffer.from(JSON.stringify(a)) : damagedAt4096(),
  );
  window.resumeSpilled(['apps/one']);
  window.resumeSpilled(['apps/two']);
  const e = state.events.get('e7')!;
  assert.deepEqual(
    [seen.reads, seen.sent.map((j) => j.id), journaled, state.dead, e.spilled, state.spill.size, state.liveBytes],
    [2, ['e7:0', 'e7:1'], [], [], 0, 0, recordBytes(a)],
  );
  assert.deepEqual(
    seen.logged.map(({ msg, id, i, provider, reason }) => ({ msg, id, i, provider, reason })),
    [
      {
        msg: "a spilled delivery's journal record is damaged; its event is in memory, delivered from there",
        ...{ id: 'e7', i: 1, provider: 'apps/two' },
        reason: 'journal record at offset 4096 does not match its checksum',
      },
    ],
  );
  record({ t: 'done', id: 'e7', i: 0 });
  record({ t: 'done', id: 'e7', i: 1 });
  // Gone, bytes and all: a compaction writes nothing of it, so a restart sends nothing again.
  assert.deepEqual([state.events.size, state.liveBytes, liveRecords(state, 2000)], [0, 0, []]);
});

test('a damaged record no event owns dead-letters all its spilled deliveries at once, and its bytes leave liveBytes', () => {
  const { state, window, seen, journaled } = spilledToTwo(damagedAt4096);
  window.resumeSpilled(['apps/two']);
  const reason = 'journal record damaged: journal record at offset 4096 does not match its checksum';
  const dead = (destination: string, index: number): RelayRecord => ({
    ...{ t: 'spill-dead', destination, acceptedAt: 1007, index, offset: 4096, at: 2000 },
    reason,
  });
  assert.deepEqual(
    [seen.reads, seen.sent, journaled, state.dead, state.spill.size, state.events.size],
    [1, [], [dead('apps/two', 1), dead('apps/one', 0)], [dead('apps/two', 1), dead('apps/one', 0)], 0, 0],
  );
  // What a compaction would write: the two rows, nothing of the damaged record (301 bytes stayed counted before).
  assert.equal(state.liveBytes, recordBytes(dead('apps/two', 1)) + recordBytes(dead('apps/one', 0)));
  window.resumeSpilled(['apps/one']);
  assert.equal(seen.reads, 1);
});

test("a damaged record a forward in the delivery thread was read back from is delivered from the forward's copy, not dead-lettered", () => {
  const asked: number[] = [];
  const { state, a, window, seen, journaled } = spilledToTwo(damagedAt4096, (offset) => {
    asked.push(offset);
    return offset === 4096 ? a : undefined;
  });
  window.resumeSpilled(['apps/two']);
  // Materialised from the forward's record, as a read back: apps/one's delivery still spilled.
  const e = state.events.get('e7')!;
  assert.deepEqual(
    [asked, seen.sent.map((j) => j.id), journaled, state.dead, e.offset, e.spilled, state.spill.get('apps/one')?.size],
    [[4096], ['e7:1'], [], [], 4096, 1, 1],
  );
  // apps/one finds the damage too: the event is in memory now (before: both dead-lettered at once).
  window.resumeSpilled(['apps/one']);
  assert.deepEqual(
    [seen.reads, seen.sent.map((j) => j.id), journaled, state.dead, e.spilled, state.spill.size, state.liveBytes],
    [2, ['e7:1', 'e7:0'], [], [], 0, 0, recordBytes(a)],
  );
  assert.deepEqual(
    seen.logged.map(({ msg, i, provider }) => ({ msg, i, provider })),
    [1, 0].map((i) => ({
      msg: "a spilled delivery's journal record is damaged; its event is in memory, delivered from there",
      ...{ i, provider: i === 1 ? 'apps/two' : 'apps/one' },
    })),
  );
});
