import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import {
  HEADER_BYTES,
  MAX_RECORD_BYTES,
  decodeRecord,
  encodeRecord,
  encodeRecords,
  parseJournal,
  recordBytes,
  tornTailBytes,
} from './journal-record.ts';

/** A record framed by hand: [length][CRC-32][payload]. */
function framed(payload: string, sum?: number): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(sum ?? crc32(body), 4);
  return Buffer.concat([header, body]);
}

test('a record is framed as its length, the CRC-32 of its JSON and the JSON', () => {
  assert.deepEqual(encodeRecord({ n: 1 }), framed('{"n":1}'));
  assert.equal(recordBytes({ n: 1 }), 15);
  assert.deepEqual(encodeRecords([{ n: 1 }, { n: 2 }]), Buffer.concat([framed('{"n":1}'), framed('{"n":2}')]));
});

test('a record larger than MAX_RECORD_BYTES is refused with its size', () => {
  const big = { s: 'x'.repeat(MAX_RECORD_BYTES) };
  assert.throws(() => encodeRecord(big), {
    message: `journal record of ${MAX_RECORD_BYTES + 8} bytes exceeds ${MAX_RECORD_BYTES}`,
  });
});

const good = Buffer.concat([framed('{"n":1}'), framed('{"n":2}')]);
const cases: { name: string; image: Buffer; records: unknown[]; goodBytes: number; torn: number }[] = [
  { name: 'an empty file', image: Buffer.alloc(0), records: [], goodBytes: 0, torn: 0 },
  { name: 'records only', image: good, records: [{ n: 1 }, { n: 2 }], goodBytes: 30, torn: 0 },
  {
    name: 'records, then preallocated zeros',
    image: Buffer.concat([good, Buffer.alloc(64)]),
    records: [{ n: 1 }, { n: 2 }],
    goodBytes: 30,
    torn: 0,
  },
  {
    name: 'a header cut short',
    image: Buffer.concat([good, Buffer.from([7, 1, 9])]),
    records: [{ n: 1 }, { n: 2 }],
    goodBytes: 30,
    torn: 3,
  },
  {
    name: 'a payload cut short, then zeros',
    image: Buffer.concat([good, framed('{"n":3}').subarray(0, 12), Buffer.alloc(16)]),
    records: [{ n: 1 }, { n: 2 }],
    goodBytes: 30,
    torn: 12,
  },
  {
    name: 'a wrong checksum, then a good record',
    image: Buffer.concat([framed('{"n":1}'), framed('{"n":2}', 1), framed('{"n":3}')]),
    records: [{ n: 1 }],
    goodBytes: 15,
    torn: 30,
  },
  {
    name: 'a payload that is not JSON',
    image: Buffer.concat([framed('{"n":1}'), framed('{"n":')]),
    records: [{ n: 1 }],
    goodBytes: 15,
    torn: 13,
  },
  {
    name: 'a length over MAX_RECORD_BYTES',
    image: Buffer.concat([framed('{"n":1}'), Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4])]),
    records: [{ n: 1 }],
    goodBytes: 15,
    torn: 8,
  },
];
for (const c of cases)
  test(`decoding ${c.name}: the good records, where they end and the torn tail`, () => {
    const parsed = parseJournal(c.image);
    assert.deepEqual(parsed.records, c.records);
    assert.equal(parsed.goodBytes, c.goodBytes);
    assert.deepEqual(
      parsed.sizes,
      c.records.map(() => 15),
    );
    assert.equal(tornTailBytes(c.image, parsed.goodBytes), c.torn);
  });

test('decodeRecord reads one record at an offset and nothing past the records', () => {
  assert.deepEqual(decodeRecord(good, 15), { record: { n: 2 }, bytes: 15 });
  assert.equal(decodeRecord(good, 30), undefined);
});
