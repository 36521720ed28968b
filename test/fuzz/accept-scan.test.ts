/**
 * Property: whenever replay reads an accept record from its bytes (accept-scan.ts), it reads what
 * JSON.parse of the record's head and tail gives (accept-parts.ts), for records with any text in
 * their ids, keys, event message, Providers and metadata, any time, with and without forward and
 * held; and a record in the form the relay writes (no escape in what is decoded, a plain integer
 * time) is always read. `npm run fuzz` runs 100,000 cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { acceptHead, acceptTail } from '../../src/relay/accept-parts.ts';
import { scanAccept, scratchAccept, text } from '../../src/relay/accept-scan.ts';
import { PODINFO_ERROR as event } from '../support/flux-events.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

const payload = (r: object) => Buffer.from(JSON.stringify(r), 'utf8');

/** What `scanAccept` read, as plain data (undefined when it declined). */
function scanned(p: Buffer) {
  const s = scratchAccept();
  if (!scanAccept(p, s)) return undefined;
  return {
    ...{ id: text(p, s.idStart, s.idEnd), at: s.at, key: text(p, s.keyStart, s.keyEnd) },
    ...{ providers: [...s.providers], forward: s.forward, held: s.held },
  };
}

/** Strings with what JSON escapes (quotes, backslashes, control characters) and what it does not (any Unicode). */
const anyText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('', '"', '\\', '\n', ',"deliveries":['),
);
const anyRecord = fc.record(
  {
    id: anyText,
    at: fc.oneof(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    ),
    key: anyText,
    message: anyText,
    deliveries: fc.array(
      fc.record({ alert: anyText, provider: anyText, metadata: fc.dictionary(anyText, anyText, { maxKeys: 3 }) }),
      { maxLength: 3 },
    ),
    forward: fc.constant(true as const),
    held: fc.constant(true as const),
  },
  { requiredKeys: ['id', 'at', 'key', 'message', 'deliveries'] },
);

test('property: whenever an accept record is read from its bytes, it reads what JSON.parse of its head and tail gives', (t) => {
  let read = 0;
  fc.assert(
    fc.property(anyRecord, ({ message, id, at, key, ...r }) => {
      const p = payload({ t: 'accept', id, at, key, event: { ...event, message }, ...r });
      const got = scanned(p);
      const head = acceptHead(p);
      const tail = acceptTail(p)!;
      const plain = [id, key, ...r.deliveries.flatMap((d) => [d.alert, d.provider])].every(
        (s) => JSON.stringify(s) === `"${s}"`,
      );
      if (plain && Number.isSafeInteger(at) && at >= 0) assert.notEqual(got, undefined, 'a record in the form is read');
      if (!got) return;
      read++;
      assert.deepEqual(got, {
        ...{ id: head.id, at: head.at, key: head.key, providers: tail.deliveries.map((d) => d.provider) },
        ...{ forward: tail.forward === true, held: tail.held === true },
      });
    }),
    { numRuns: fuzzRuns(3000), seed: fuzzSeed(t) },
  );
  assert.ok(read > 0);
});
