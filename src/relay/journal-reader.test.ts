import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJournal } from './journal-reader.ts';
import { encodeInChunks, encodeRecord, encodeRecords } from './journal-record.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

/** `bytes` written to a new file, read back with `readJournal` in chunks of `chunk` bytes. */
async function read(bytes: Buffer, chunk: number) {
  const path = join(tempDir('journal-reader'), 'journal');
  await writeFile(path, bytes);
  const fh = await open(path, 'r');
  try {
    return await readJournal<{ n: number; pad?: string }>(fh, chunk);
  } finally {
    await fh.close();
  }
}

const records = [{ n: 1 }, { n: 2, pad: 'x'.repeat(100) }, { n: 3 }];
const image = encodeRecords(records);

test('journal reader: records cut by the chunks, and one larger than a chunk, are read whole; the zeros after them are a clean end', async () => {
  for (const chunk of [1, 7, 15, 64, 1 << 20]) {
    const r = await read(Buffer.concat([image, Buffer.alloc(50)]), chunk);
    assert.deepEqual(
      r,
      { records, sizes: [15, 124, 15], goodBytes: 154, fileBytes: 204, tornBytes: 0, skipped: [] },
      `chunks of ${chunk} bytes`,
    );
  }
});

test('journal reader: a torn record ends the records, and the tail up to its last byte other than zero is torn', async () => {
  const torn = Buffer.concat([image, Buffer.from([20, 0, 0, 0, 1, 2, 3, 4, 0x7b, 0x22]), Buffer.alloc(30)]);
  for (const chunk of [3, 16, 1 << 20]) {
    const r = await read(torn, chunk);
    assert.deepEqual(r, { records, sizes: [15, 124, 15], goodBytes: 154, fileBytes: 194, tornBytes: 10, skipped: [] });
  }
});

/** Record `{ n }` framed, its checksum wrong (as if damaged on disk). */
const damaged = (n: number) => {
  const bad = encodeRecord({ n });
  bad[4] = bad[4]! ^ 0xff;
  return bad;
};

test('journal reader: a record damaged in place, a good one after it, is passed over and the records after it read', async () => {
  const file = Buffer.concat([encodeRecord({ n: 1 }), damaged(9), encodeRecord({ n: 2 }), encodeRecord({ n: 3 })]);
  for (const chunk of [4, 15, 16, 1 << 20]) {
    const r = await read(Buffer.concat([file, Buffer.alloc(20)]), chunk);
    assert.deepEqual(
      r,
      {
        ...{ records: [{ n: 1 }, { n: 2 }, { n: 3 }], sizes: [15, 15, 15], goodBytes: 60, fileBytes: 80 },
        ...{ tornBytes: 0, skipped: [{ offset: 15, bytes: 15 }] },
      },
      `chunks of ${chunk} bytes`,
    );
  }
});

test('journal reader: a bad last record (zeros or a torn record after it), or two bad in a row, still end the records', async () => {
  const one = encodeRecord({ n: 1 });
  const torn = Buffer.from([20, 0, 0, 0, 1, 2, 3, 4, 0x7b]);
  for (const [after, tornBytes] of [
    [Buffer.alloc(30), 15],
    [torn, 24],
    [Buffer.concat([damaged(8), encodeRecord({ n: 2 })]), 45],
  ] as const) {
    const r = await read(Buffer.concat([one, damaged(9), after]), 4);
    assert.deepEqual(r, {
      ...{ records: [{ n: 1 }], sizes: [15], goodBytes: 15, fileBytes: 30 + after.length },
      ...{ tornBytes, skipped: [] },
    });
  }
});

test('journal reader: a bad record with a sector of its payload never written ends the records, though a whole record follows (one torn group-commit write)', async () => {
  // One write of [big, small] after `one`, over zeros; the crash persisted every sector of it but 512-1024, inside big.
  const one = encodeRecord({ n: 1 });
  const write = encodeRecords([{ n: 2, pad: 'x'.repeat(1500) }, { n: 3 }]);
  const file = Buffer.concat([one, write, Buffer.alloc(4096)]);
  file.fill(0, 512, 1024);
  for (const chunk of [4, 600, 1 << 20]) {
    const r = await read(file, chunk);
    assert.deepEqual(
      r,
      {
        ...{ records: [{ n: 1 }], sizes: [15], goodBytes: 15, fileBytes: file.length },
        ...{ tornBytes: write.length, skipped: [] }, // before: big skipped, { n: 3 } replayed, nothing torn
      },
      `chunks of ${chunk} bytes`,
    );
  }
});

test('journal reader: a record damaged in place, a byte of it or a zero run that is no whole sector of it, is still passed over', async () => {
  const one = encodeRecord({ n: 1 });
  const big = encodeRecord({ n: 2, pad: 'x'.repeat(1500) });
  const next = encodeRecord({ n: 3 });
  for (const [from, to] of [
    [700, 701], // a byte
    [600, 1100], // 500 zeros across two sectors: neither is all zero
    [24, 512], // the payload's part in its first sector but its first byte (`{`)
  ] as const) {
    const file = Buffer.concat([one, big, next, Buffer.alloc(20)]);
    file.fill(0, from, to);
    const r = await read(file, 64);
    assert.deepEqual(
      [r.records, r.skipped, r.tornBytes],
      [[{ n: 1 }, { n: 3 }], [{ offset: 15, bytes: big.length }], 0],
      `zeros at ${from}-${to}`,
    );
  }
});

test('journal reader: an empty file holds no records', async () => {
  assert.deepEqual(await read(Buffer.alloc(0), 8), {
    records: [],
    sizes: [],
    goodBytes: 0,
    fileBytes: 0,
    tornBytes: 0,
    skipped: [],
  });
});

test('a rewrite is encoded in chunks of about the size asked, whose bytes are the records framed in order', () => {
  const many = Array.from({ length: 10 }, (_, n) => ({ n }));
  const chunks = [...encodeInChunks(many, 40)];
  assert.deepEqual(
    chunks.map((c) => c.length),
    [45, 45, 45, 15],
  );
  assert.deepEqual(Buffer.concat(chunks), encodeRecords(many));
  assert.deepEqual([...encodeInChunks([], 40)], []);
});
