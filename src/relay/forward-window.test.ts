import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../observability/logger.ts';
import { createRelayMetrics } from '../observability/relay-metrics.ts';
import { createForwardWindow } from './forward-window.ts';
import { recordBytes } from './journal-record.ts';
import type { AcceptRecord, RelayRecord } from './journal-state.ts';
import { apply, emptyState, liveRecords } from './journal-state.ts';
import type { RelayJob } from './relay-queue.ts';
import { forwardJob } from './relay-queue.ts';
import { pushForward } from './journal-spill.ts';
import { DamagedRecordError } from './spill-reader.ts';
import type { SpillReader } from './spill-reader.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

const accept = (n: number): AcceptRecord => ({
  ...{ t: 'accept', id: `e${n}`, at: 1000 + n, key: `key-${n}`, event },
  ...{ deliveries: [{ alert: 'apps/all', provider: 'apps/one', metadata: {} }], forward: true },
});
const offsetOf = (n: number) => n * 1000;

/** `count` events to forward accepted (at offset n * 1000) and offered to a window of 2; `damaged`: offsets whose record is. */
function forwarding(count: number, o: { damaged?: number[]; canSpill?: boolean } = {}) {
  const state = emptyState();
  const sent: RelayJob[] = [];
  const reads: number[] = [];
  const logged: Record<string, unknown>[] = [];
  const reader: SpillReader = {
    payload(offset) {
      reads.push(offset);
      if (o.damaged?.includes(offset)) throw new DamagedRecordError(`journal record at offset ${offset} is cut short`);
      return Buffer.from(JSON.stringify(accept(offset / 1000)));
    },
    copier: () => () => assert.fail('not copied'),
    reopen: () => () => undefined,
    close() {},
    closed: () => false,
  };
  const metrics = createRelayMetrics();
  const window = createForwardWindow({
    ...{ state, reader, metrics, maxJobs: 2, canSpill: () => o.canSpill ?? true },
    send: (job) => sent.push(job),
    logger: createLogger('warn', { write: (line: string) => void logged.push(JSON.parse(line)) }),
  });
  for (let n = 1; n <= count; n++) {
    const a = accept(n);
    apply(state, a, recordBytes(a), offsetOf(n));
    window.offer(forwardJob(a));
  }
  /** The forward of `job` settled: its `forwarded` record folded, then the window told. */
  const settle = (job: RelayJob) => {
    const r: RelayRecord = { t: 'forwarded', id: job.eventId };
    apply(state, r, recordBytes(r));
    window.settled(job);
  };
  return { state, sent, reads, logged, window, metrics, settle };
}

test('forwards beyond the window are spilled, read back in order as it has room, and free their bytes once settled', () => {
  const { state, sent, reads, window, settle } = forwarding(5);
  const bytes = recordBytes(accept(1));
  assert.deepEqual(
    [sent.map((j) => j.id), window.waiting(), state.forwards.refs().map((r) => r.offset)],
    [['e1:forward', 'e2:forward'], 3, [3000, 4000, 5000]],
  );
  // The spilled ones count as forwarded in the map: their deliveries may spill too, and never wait for a forward.
  assert.deepEqual([state.events.get('e3')?.forwarded, state.events.get('e3')?.forwardSpilled], [true, true]);
  assert.equal(state.liveBytes, 8 * bytes);
  settle(sent[0]!);
  assert.deepEqual([sent.map((j) => j.id).slice(2), reads, window.waiting()], [['e3:forward'], [3000], 2]);
  // Its event is in the map (its delivery is pending): the job carries the state's event, not a copy.
  assert.equal(sent[2]!.event, state.events.get('e3')!.accept.event);
  settle(sent[2]!);
  assert.deepEqual([state.events.get('e3')?.forwardSpilled, state.forwarding.size], [undefined, 1]);
  assert.equal(state.liveBytes, 7 * bytes + 2 * recordBytes({ t: 'forwarded', id: 'e1' }));
});

test('a spilled forward whose record is damaged, of an event in memory, is forwarded from it and journaled once settled', () => {
  const { state, sent, logged, settle } = forwarding(4, { damaged: [3000] });
  settle(sent[0]!);
  assert.deepEqual(
    [sent.map((j) => j.id).slice(2), state.forwards.size, state.forwarding.size],
    [['e3:forward'], 1, 1],
  );
  assert.equal(sent[2]!.event, state.events.get('e3')!.accept.event);
  assert.deepEqual(
    logged.map(({ msg, id, offset, reason }) => ({ msg, id, offset, reason })),
    [
      {
        msg: "a spilled forward's journal record is damaged; its event is in memory, forwarded from there",
        ...{ id: 'e3', offset: 3000, reason: 'journal record at offset 3000 is cut short' },
      },
    ],
  );
  const bytes = state.liveBytes;
  settle(sent[2]!);
  // Its `forwarded` record is now the state's (a compaction writes it: a restart does not forward again).
  const forwarded: RelayRecord = { t: 'forwarded', id: 'e3' };
  const e3 = state.events.get('e3')!;
  assert.deepEqual([e3.forwarded, e3.forwardSpilled, [...state.forwarding.keys()]], [true, undefined, ['e4:forward']]);
  assert.deepEqual(
    liveRecords(state, 0).filter((r) => r.t === 'forwarded' && r.id === 'e3'),
    [forwarded],
  );
  assert.equal(state.liveBytes, bytes + recordBytes(forwarded) - recordBytes(accept(3)));
});

test('a spilled forward whose record is damaged, its event gone from memory, is dropped and counted dead; the next one goes', async () => {
  const { state, sent, logged, metrics, settle } = forwarding(4, { damaged: [3000] });
  // e3's delivery settled: the event left the map, only its spilled forward references the record.
  apply(state, { t: 'done', id: 'e3', i: 0 }, recordBytes({ t: 'done', id: 'e3', i: 0 }));
  assert.equal(state.events.has('e3'), false);
  settle(sent[0]!);
  assert.deepEqual([sent.map((j) => j.id).slice(2), state.forwards.size], [['e4:forward'], 0]);
  assert.match(await metrics.registry.metrics(), /notify_guard_relay_forwards_total\{result="dead"\} 1\n/);
  assert.deepEqual(
    logged.map(({ msg, offset, reason }) => ({ msg, offset, reason })),
    [
      {
        msg: 'a spilled forward could not be read back from the journal; it is not forwarded',
        ...{ offset: 3000, reason: 'journal record at offset 3000 is cut short' },
      },
    ],
  );
});

test('while a compaction runs, a forward beyond the window waits in memory, and goes in its turn', () => {
  const { state, sent, reads, window, settle } = forwarding(3, { canSpill: false });
  assert.deepEqual([state.forwards.size, window.waiting(), state.events.get('e3')?.forwarded], [0, 1, false]);
  settle(sent[0]!);
  assert.deepEqual(
    [sent.map((j) => j.id), reads, window.waiting()],
    [['e1:forward', 'e2:forward', 'e3:forward'], [], 0],
  );
});

test("replay's offers before resume wait in memory, not behind the forwards replay spilled at higher offsets", () => {
  const state = emptyState();
  const sent: string[] = [];
  const reader: SpillReader = {
    payload: (offset) => Buffer.from(JSON.stringify(accept(offset / 1000))),
    copier: () => () => assert.fail('not copied'),
    reopen: () => () => undefined,
    close() {},
    closed: () => false,
  };
  // Replay spilled the forwards of e3 and e4, and kept e1 and e2 whole (a delivery of each done).
  for (const n of [3, 4]) pushForward(state, { offset: offsetOf(n), length: 100, index: 0, acceptedAt: 1000 + n });
  const window = createForwardWindow({
    ...{ state, reader, metrics: createRelayMetrics(), maxJobs: 2, canSpill: () => true, replaying: true },
    send: (job) => sent.push(job.id),
    logger: createLogger('silent'),
  });
  for (const n of [1, 2]) {
    const a = accept(n);
    apply(state, a, recordBytes(a), offsetOf(n));
    window.offer(forwardJob(a));
  }
  assert.deepEqual([sent, state.forwards.refs().map((r) => r.offset), window.waiting()], [[], [3000, 4000], 4]);
  window.resume();
  assert.deepEqual([sent, state.forwards.size, window.waiting()], [['e3:forward', 'e4:forward'], 0, 2]);
  // Offered after resume, a forward spills as before.
  const a5 = accept(5);
  apply(state, a5, recordBytes(a5), offsetOf(5));
  window.offer(forwardJob(a5));
  assert.deepEqual(
    state.forwards.refs().map((r) => r.offset),
    [5000],
  );
});

test('a forward read back from its record, its event not in memory, lends that record (readAt) while in the thread', () => {
  const { state, sent, window, settle } = forwarding(4);
  state.events.delete('e3'); // its delivery spilled too: the event left the map
  settle(sent[0]!);
  settle(sent[1]!);
  assert.deepEqual(sent.map((j) => j.id).slice(2), ['e3:forward', 'e4:forward']);
  // e4's job was built from the event in memory: no record kept for it.
  assert.deepEqual([window.readAt(3000), window.readAt(4000), window.readAt(1000)], [accept(3), undefined, undefined]);
  settle(sent[2]!);
  assert.equal(window.readAt(3000), undefined);
});
