import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardPending, forwardSettled, spillDelivery, takeForward } from './journal-spill.ts';
import type { AcceptRecord, DeliveryTarget, JournalState, RelayRecord } from './journal-state.ts';
import { apply, emptyState, liveRecords, locate, materialise, spillForward } from './journal-state.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

const to = (provider: string): DeliveryTarget => ({ alert: 'apps/all', provider, metadata: {} });
const accept = (id: string, extra: Partial<AcceptRecord> = {}): AcceptRecord => ({
  ...{ t: 'accept', id, at: 5000, key: `key-${id}`, event },
  ...{ deliveries: [to('apps/one'), to('apps/two')], ...extra },
});

/** A state holding `records` (each 300 bytes), accept `a` located at offset 4096. */
function stateWith(...records: RelayRecord[]): JournalState {
  const s = emptyState();
  for (const r of records) apply(s, r, 300);
  locate(s, 'a', 4096);
  return s;
}

const spill = (s: JournalState) => Object.fromEntries([...s.spill].map(([d, fifo]) => [d, fifo.refs()]));
const ref = (index: number) => ({ offset: 4096, length: 300, index, acceptedAt: 5000 });

test('a running relay spills an event delivery by delivery; it leaves the map of events with its last, its bytes stay live', () => {
  const s = stateWith(accept('a'));
  assert.equal(spillDelivery(s, 'a', 'apps/two', 1), true);
  assert.deepEqual([[...s.events.keys()], s.events.get('a')?.spilled], [['a'], 1]);
  assert.equal(spillDelivery(s, 'a', 'apps/one', 0), true);
  assert.deepEqual([...s.events.keys()], []);
  assert.deepEqual(spill(s), { 'apps/two': [ref(1)], 'apps/one': [ref(0)] });
  assert.equal(s.liveBytes, 300);
  // Read back: materialised again, nothing settled, and the other delivery reuses it.
  const first = materialise(s, 'apps/one', accept('a'))!;
  assert.deepEqual([first.index, first.event.offset, first.event.spilled, first.event.bytes], [0, 4096, 1, 300]);
  assert.equal(materialise(s, 'apps/two', accept('a'))!.event, first.event);
  assert.equal(s.liveBytes, 300);
});

test('a delivery read back before its sibling is spilled keeps the event in the map', () => {
  const s = stateWith(accept('a'));
  spillDelivery(s, 'a', 'apps/one', 0);
  materialise(s, 'apps/one', accept('a'));
  assert.equal(s.events.get('a')?.spilled, 0);
  assert.equal(spillDelivery(s, 'a', 'apps/two', 1), true);
  assert.equal(s.events.has('a'), true, 'delivery 0 is in the delivery thread: its outcome needs the event');
});

const cannot: { name: string; records: RelayRecord[]; id?: string }[] = [
  { name: 'its place in the file is unknown', records: [accept('b')], id: 'b' },
  { name: 'a delivery is settled', records: [accept('a'), { t: 'done', id: 'a', i: 0 }] },
  // Its forward is in memory (in the delivery thread, or waiting): its outcome needs the event.
  { name: 'it is still to be forwarded, its forward not spilled', records: [accept('a', { forward: true })] },
  { name: 'it is held (not routed)', records: [accept('a', { deliveries: [], held: true })] },
  { name: 'it is not in the state', records: [], id: 'z' },
];
for (const c of cannot)
  test(`a delivery is not spilled when ${c.name}`, () => {
    const s = stateWith(...c.records);
    const before = s.events.size;
    assert.equal(spillDelivery(s, c.id ?? 'a', 'apps/one', 1), false);
    assert.deepEqual([s.spill.size, s.events.size], [0, before]);
  });

test('an event settled whole while a delivery of it is still spilled stays until that delivery is read back, then goes', () => {
  const s = stateWith(accept('a'));
  spillDelivery(s, 'a', 'apps/one', 0);
  spillDelivery(s, 'a', 'apps/two', 1);
  const { event } = materialise(s, 'apps/one', accept('a'))!;
  // With replicas, the other replica hands the event to the sender whole: both deliveries settled.
  apply(s, { t: 'done', id: 'a', i: 0 }, 20);
  apply(s, { t: 'done', id: 'a', i: 1 }, 20);
  assert.equal(s.events.get('a'), event, 'kept: apps/two still holds a reference to it');
  const last = materialise(s, 'apps/two', accept('a'))!;
  assert.deepEqual([last.index, last.event.settled.has(1), s.events.has('a'), s.liveBytes], [1, true, false, 0]);
});

test('a forwarded event is spilled too: read back, it counts as forwarded (the record says forward) and finishes with its deliveries', () => {
  const s = stateWith(accept('a', { forward: true }), { t: 'forwarded', id: 'a' });
  assert.equal(s.liveBytes, 600);
  spillDelivery(s, 'a', 'apps/one', 0);
  assert.equal(spillDelivery(s, 'a', 'apps/two', 1), true);
  // Gone from the map; the `forwarded` record's bytes with it (a compaction writes it from the copy).
  assert.deepEqual([s.events.size, s.liveBytes], [0, 300]);
  const { event } = materialise(s, 'apps/one', accept('a', { forward: true }))!;
  assert.deepEqual([event.forwarded, event.forwardSpilled], [true, undefined]);
  assert.deepEqual(liveRecords(s, 0), [accept('a', { forward: true }), { t: 'forwarded', id: 'a' }]);
  materialise(s, 'apps/two', accept('a', { forward: true }));
  apply(s, { t: 'done', id: 'a', i: 0 }, 20);
  apply(s, { t: 'done', id: 'a', i: 1 }, 20);
  assert.deepEqual([s.events.size, s.spill.size, s.liveBytes], [0, 0, 0]);
});

/** Event a (to forward, two deliveries) with its forward and both deliveries spilled. */
function allSpilled(): JournalState {
  const s = stateWith(accept('a', { forward: true }));
  assert.equal(spillForward(s, 'a'), true);
  assert.deepEqual([s.events.get('a')?.forwarded, s.events.get('a')?.forwardSpilled], [true, true]);
  // A spilled forward owns the forward: the event's state writes no `forwarded` record.
  assert.deepEqual(liveRecords(s, 0), [accept('a', { forward: true })]);
  spillDelivery(s, 'a', 'apps/one', 0);
  spillDelivery(s, 'a', 'apps/two', 1);
  assert.deepEqual(
    [s.events.size, s.forwards.refs(), s.liveBytes],
    [0, [ref(0)], 600],
    'the record counted once for its deliveries, once for its forward',
  );
  return s;
}

test('a delivery read back before its spilled forward never waits for a forward: the old trap cannot happen', () => {
  const s = allSpilled();
  const a = accept('a', { forward: true });
  const { event } = materialise(s, 'apps/one', a)!;
  assert.deepEqual([event.forwarded, event.forwardSpilled], [true, true]);
  materialise(s, 'apps/two', a);
  apply(s, { t: 'done', id: 'a', i: 0 }, 20);
  apply(s, { t: 'done', id: 'a', i: 1 }, 20);
  // Its deliveries done, it is finished: nothing waits for a forward in the map of events.
  assert.deepEqual([s.events.size, s.liveBytes], [0, 300]);
  // The forward, read back and settled, frees the record's last bytes.
  assert.deepEqual(takeForward(s, 'a:forward'), ref(0));
  assert.equal(forwardPending(s, 4096), true);
  apply(s, { t: 'forwarded', id: 'a' }, 20);
  forwardSettled(s, 'a:forward');
  assert.deepEqual([s.events.size, s.spill.size, s.forwards.size, s.forwarding.size, s.liveBytes], [0, 0, 0, 0, 0]);
});

test('a delivery read back after its forward settled is materialised forwarded, and a compaction says so', () => {
  const s = allSpilled();
  takeForward(s, 'a:forward');
  apply(s, { t: 'forwarded', id: 'a' }, 20); // not in the map: nothing to fold
  forwardSettled(s, 'a:forward');
  assert.equal(forwardPending(s, 4096), false);
  const { event } = materialise(s, 'apps/one', accept('a', { forward: true }))!;
  assert.deepEqual([event.forwarded, event.forwardSpilled], [true, undefined]);
  assert.deepEqual(liveRecords(s, 0), [accept('a', { forward: true }), { t: 'forwarded', id: 'a' }]);
});

test('a forward spilled while the event is in the map: the `forwarded` record clears it, and it is journaled again by a compaction', () => {
  const s = stateWith(accept('a', { forward: true }));
  spillForward(s, 'a');
  assert.equal(spillForward(s, 'a'), false, 'once');
  apply(s, { t: 'forwarded', id: 'a' }, 20);
  assert.deepEqual([s.events.get('a')?.forwardSpilled, s.liveBytes], [undefined, 620]);
  assert.deepEqual(liveRecords(s, 0), [accept('a', { forward: true }), { t: 'forwarded', id: 'a' }]);
});
