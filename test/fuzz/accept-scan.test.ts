/**
 * Property: whenever replay reads an accept record from its bytes (accept-scan.ts), it reads what
 * JSON.parse of the whole record gives, and what JSON.parse of its head and tail gives
 * (accept-parts.ts); otherwise it declines (the caller parses). Records with any text in their
 * ids, keys, event message, Providers and metadata, any time, with and without forward and held;
 * events whose metadata hold a `deliveries` key, JSON-looking strings (an array of deliveries, the
 * record's own tail) or, against the type, a raw array of deliveries, which put a
 * `,"deliveries":[` inside the event; deliveries whose fields come in another order or with extra
 * fields of any JSON value (`deliveries`, `forward`, `held` and the target's own names among them).
 * A record in the form the relay writes (its deliveries' fields in order and no others, no escape
 * in what is decoded, a plain integer time) is always read, whatever its event holds.
 * `npm run fuzz` runs 100,000 cases.
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

/** What JSON.parse of the whole record says the scanner reads. */
function parsed(p: Buffer) {
  const r = JSON.parse(p.toString('utf8')) as Record<string, unknown>;
  const deliveries = r['deliveries'] as Record<string, unknown>[];
  return {
    ...{ id: r['id'], at: r['at'], key: r['key'], providers: deliveries.map((d) => d['provider']) },
    ...{ forward: r['forward'] === true, held: r['held'] === true },
  };
}

/** What acceptHead and acceptTail (JSON.parse of the record's parts) read. */
function parsedParts(p: Buffer) {
  const head = acceptHead(p);
  const tail = acceptTail(p)!;
  return {
    ...{ id: head.id, at: head.at, key: head.key, providers: tail.deliveries.map((d) => d.provider) },
    ...{ forward: tail.forward === true, held: tail.held === true },
  };
}

/**
 * Strings with what JSON escapes (quotes, backslashes, control characters) and what it does not
 * (any Unicode); often plain ones, so that many records are read and not declined.
 */
const anyText = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('a', '-', '/', 'é', '😀'), maxLength: 8 }) },
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('', '"', '\\', '\n', ',"deliveries":['),
);
/** Strings that look like the record's own JSON: an array of deliveries, its tail, any JSON. */
const jsonLooking = fc.oneof(
  fc.constantFrom(
    '[{"alert":"a/x","provider":"a/slack","metadata":{}}]',
    ',"deliveries":[{"alert":"a/x","provider":"a/slack","metadata":{}}],"forward":true}',
    '],"held":true}',
    '[]',
  ),
  fc.json({ maxDepth: 2 }),
);
const metadataKey = fc.oneof(anyText, fc.constantFrom('deliveries', 'forward', 'held', 'provider'));
const metadataValue = fc.oneof(anyText, jsonLooking);
const metadata = fc.dictionary(metadataKey, metadataValue, { maxKeys: 3 });

const FIELDS = ['alert', 'provider', 'metadata'] as const;
/** The orders of a delivery's fields, the relay's (the first) among them. */
const ORDERS = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
] as const;
const delivery = fc.record({
  alert: anyText,
  provider: anyText,
  metadata,
  order: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 0, max: ORDERS.length - 1 })),
  extra: fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as [string, unknown][]) },
    fc.array(fc.tuple(fc.oneof(metadataKey, fc.constantFrom(...FIELDS)), fc.jsonValue({ maxDepth: 2 })), {
      minLength: 1,
      maxLength: 2,
    }),
  ),
  at: fc.nat(3),
});
type Delivery = typeof delivery extends fc.Arbitrary<infer D> ? D : never;

/** The delivery as the record holds it: its fields in `order`, `extra` inserted at `at`. */
function target(d: Delivery): Record<string, unknown> {
  const fields: [string, unknown][] = ORDERS[d.order]!.map((f) => [FIELDS[f], d[FIELDS[f]]]);
  fields.splice(d.at, 0, ...d.extra);
  return Object.fromEntries(fields);
}
/** Whether the delivery is in the form the relay writes. */
const inForm = (d: Delivery) => d.order === 0 && d.extra.length === 0;

const anyRecord = fc.record(
  {
    id: anyText,
    at: fc.oneof(
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    ),
    key: anyText,
    message: anyText,
    eventMetadata: metadata,
    // Against the type (metadata maps strings to strings): an array under `deliveries` in the event.
    eventDeliveries: fc.array(delivery, { maxLength: 2 }),
    deliveries: fc.array(delivery, { maxLength: 3 }),
    forward: fc.constant(true as const),
    held: fc.constant(true as const),
  },
  { requiredKeys: ['id', 'at', 'key', 'message', 'eventMetadata', 'deliveries'] },
);
type AnyRecord = typeof anyRecord extends fc.Arbitrary<infer R> ? R : never;

/** The record's payload, as JSON.stringify writes it. */
function recordOf({ id, at, key, message, eventMetadata, eventDeliveries, deliveries, ...r }: AnyRecord): Buffer {
  const raw = eventDeliveries && { deliveries: eventDeliveries.map(target) };
  const e = { ...event, message, metadata: { ...eventMetadata, ...raw } };
  return payload({ t: 'accept', id, at, key, event: e, deliveries: deliveries.map(target), ...r });
}

test('property: whenever an accept record is read from its bytes, it reads what JSON.parse gives; else it declines', (t) => {
  let read = 0;
  let declined = 0;
  fc.assert(
    fc.property(anyRecord, (r) => {
      const p = recordOf(r);
      const got = scanned(p);
      const plain = [r.id, r.key, ...r.deliveries.flatMap((d) => [d.alert, d.provider])].every(
        (s) => JSON.stringify(s) === `"${s}"`,
      );
      const form = plain && r.deliveries.every(inForm) && Number.isSafeInteger(r.at) && r.at >= 0;
      if (form) assert.notEqual(got, undefined, 'a record in the form is read');
      if (!got) return void declined++;
      read++;
      assert.deepEqual(got, parsed(p));
      assert.deepEqual(got, parsedParts(p));
    }),
    { numRuns: fuzzRuns(3000), seed: fuzzSeed(t) },
  );
  assert.ok(read > 0 && declined > 0);
});
