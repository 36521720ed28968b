import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAccept } from './accept-parts.ts';
import { endsHeld, scanAccept, scratchAccept, text } from './accept-scan.ts';
import type { ScannedAccept } from './accept-scan.ts';
import type { AcceptRecord } from './journal-state.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

const payload = (r: object) => Buffer.from(JSON.stringify(r), 'utf8');
const record = (extra: Partial<AcceptRecord> = {}): AcceptRecord => ({
  ...{ t: 'accept', id: 'e-1', at: 1764680000123, key: 'k-1', event },
  ...{ deliveries: [{ alert: 'apps/all', provider: 'apps/slack', metadata: { env: 'prod' } }], ...extra },
});

/** What `scanAccept` read, as plain data (undefined when it declined). */
function scanned(p: Buffer) {
  const s = scratchAccept();
  if (!scanAccept(p, s)) return undefined;
  return { ...readOf(p, s), providers: [...s.providers], forward: s.forward, held: s.held };
}
const readOf = (p: Buffer, s: ScannedAccept) => ({
  id: text(p, s.idStart, s.idEnd),
  at: s.at,
  key: text(p, s.keyStart, s.keyEnd),
});

test('an accept record as the relay writes it is read from its bytes: head, Providers, forward, held', () => {
  assert.deepEqual(scanned(payload(record())), {
    ...{ id: 'e-1', at: 1764680000123, key: 'k-1', providers: ['apps/slack'] },
    ...{ forward: false, held: false },
  });
  const two = record({
    deliveries: [
      { alert: 'a/x', provider: 'a/één', metadata: {} },
      { alert: 'b/y', provider: 'b/slack', metadata: { 'a"b': 'c\\d}', e: '' } },
    ],
    forward: true,
  });
  assert.deepEqual(scanned(payload(two)), {
    ...{ id: 'e-1', at: 1764680000123, key: 'k-1', providers: ['a/één', 'b/slack'] },
    ...{ forward: true, held: false },
  });
  const held = record({ id: 'h', at: 0, deliveries: [], held: true });
  assert.deepEqual(scanned(payload(held)), {
    ...{ id: 'h', at: 0, key: 'k-1', providers: [] },
    ...{ forward: false, held: true },
  });
  assert.equal(isAccept(payload(held)), true);
  assert.equal(endsHeld(payload(held)), true);
  assert.equal(endsHeld(payload(record())), false);
  assert.equal(isAccept(payload({ t: 'done', id: 'x', i: 0 })), false);
});

test('an accept record in another form is declined (read with JSON.parse by the caller), not misread', () => {
  const declined = [
    record({ id: 'with "quote"' }),
    record({ key: 'back\\slash' }),
    record({ at: 1.5 }),
    record({ at: -1 }),
    record({ at: 1e21 }),
    { ...record(), extra: 1 },
    { t: 'accept', at: 1, id: 'x', key: 'k', event, deliveries: [] },
    record({ deliveries: [{ provider: 'p', alert: 'a', metadata: {} }] }),
    record({ deliveries: [{ alert: 'a', provider: 'p', metadata: { n: 1 } as never }] }),
    record({ deliveries: [{ alert: 'a', provider: 'p\\q', metadata: {} }] }),
  ];
  for (const r of declined) assert.equal(scanned(payload(r)), undefined, JSON.stringify(r).slice(0, 80));
  // Cut short, or bytes after the record's end.
  const whole = payload(record());
  assert.equal(scanned(whole.subarray(0, whole.length - 1)), undefined);
  assert.equal(scanned(Buffer.concat([whole, Buffer.from(' ')])), undefined);
});
