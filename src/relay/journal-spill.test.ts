import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spillDelivery } from './journal-spill.ts';
import type { AcceptRecord, DeliveryTarget, JournalState, RelayRecord } from './journal-state.ts';
import { apply, emptyState, locate, materialise } from './journal-state.ts';
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
  { name: 'it is still to be forwarded', records: [accept('a', { forward: true })] },
  {
    // Read back, it would be materialised as not forwarded (journal-state.ts `newEvent`): never finished.
    name: 'it was to be forwarded, even once forwarded',
    records: [accept('a', { forward: true }), { t: 'forwarded', id: 'a' }],
  },
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

test('a forwarded event whose deliveries finish is dropped whole: it was never spilled, so nothing of it stays', () => {
  const s = stateWith(accept('a', { forward: true, deliveries: [to('apps/one')] }), { t: 'forwarded', id: 'a' });
  assert.equal(spillDelivery(s, 'a', 'apps/one', 0), false);
  apply(s, { t: 'done', id: 'a', i: 0 }, 20);
  assert.deepEqual([s.events.size, s.spill.size, s.liveBytes], [0, 0, 0]);
});
