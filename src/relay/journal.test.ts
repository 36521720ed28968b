import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MAX_RECORD_BYTES, openJournal, PREALLOCATE_BYTES, SOON_MS } from './journal.ts';
import type { OpenFile } from './journal.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

const fresh = async () => join(tempDir('journal'), 'journal');
/** One turn of the event loop: the journal's promise chains run, no time passes. */
const turn = () => new Promise<void>((r) => setImmediate(r));
/** What a restart would replay from `path` (the journal is opened and closed again). */
async function replay<T>(path: string) {
  const { journal, replayed } = await openJournal<T>(path);
  await journal.close();
  return replayed;
}

test('records appended are replayed in order after reopening', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await Promise.all([journal.append({ n: 1 }), journal.append({ n: 2 }, { n: 3 })]);
  await journal.append({ n: 4 });
  await journal.close();
  const replayed = await replay<{ n: number }>(path);
  assert.deepEqual(replayed, {
    records: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }],
    sizes: [15, 15, 15, 15],
    truncatedBytes: 0,
    skipped: [],
  });
});

/** Writes `bytes` into the file at `offset`, as a crash would have left them. */
async function writeInto(path: string, offset: number, bytes: Buffer): Promise<void> {
  const fh = await open(path, 'r+');
  await fh.write(bytes, 0, bytes.length, offset);
  await fh.close();
}

test('a torn last record (a crash mid-write) is cut off; everything before it survives', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await journal.append({ n: 1 }, { n: 2 });
  const end = journal.size();
  await journal.close();
  assert.equal(
    (await stat(path)).size,
    PREALLOCATE_BYTES,
    'a new journal is zero-filled ahead, and its records are written over the zeros',
  );
  await writeInto(path, end, Buffer.from([20, 0, 0, 0, 1, 2, 3, 4, 0x7b, 0x22]));
  const { journal: j2, replayed } = await openJournal<{ n: number }>(path);
  assert.deepEqual(replayed, { records: [{ n: 1 }, { n: 2 }], sizes: [15, 15], truncatedBytes: 10, skipped: [] });
  await j2.append({ n: 3 });
  await j2.close();
  assert.deepEqual(await replay<{ n: number }>(path), {
    records: [{ n: 1 }, { n: 2 }, { n: 3 }],
    sizes: [15, 15, 15],
    truncatedBytes: 0,
    skipped: [],
  });
});

test('a record whose checksum does not match ends the journal there', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: string }>(path);
  await journal.append({ n: 'aaaa' }, { n: 'bbbb' });
  const end = journal.size();
  await journal.close();
  await writeInto(path, end - 3, Buffer.from('x')); // corrupt the last record's payload
  const replayed = await replay<{ n: string }>(path);
  assert.deepEqual(replayed.records, [{ n: 'aaaa' }]);
  assert.equal(replayed.truncatedBytes, end / 2, 'the second record, as long as the first');
});

test('a record cut short (its end never reached the disk) is a torn write too', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: string }>(path);
  await journal.append({ n: 'aaaaaaaaaaaaaaaaaaaa' }, { n: 'bbbbbbbbbbbbbbbbbbbb' });
  const end = journal.size();
  await journal.close();
  await writeInto(path, end - 12, Buffer.alloc(12));
  assert.deepEqual(await replay<{ n: string }>(path), {
    records: [{ n: 'aaaaaaaaaaaaaaaaaaaa' }],
    sizes: [end / 2],
    truncatedBytes: end / 2 - 12,
    skipped: [],
  });
});

test('appends beyond the zeros written ahead wait for the next stretch, which never lands on a record', async () => {
  const path = await fresh();
  // The zeros are slow to reach the disk: a record written meanwhile past them would be overwritten.
  const slowZeros = hookedOpen(async (_n, write, _fh, bytes) => {
    if (bytes.every((b) => b === 0)) await new Promise((r) => setTimeout(r, 15));
    return write();
  });
  const { journal } = await openJournal<{ n: number }>(path, { preallocateBytes: 64, openFile: slowZeros });
  const expected: { n: number }[] = [];
  for (let i = 0; i < 40; i++) {
    const burst = [0, 1, 2].map((k) => ({ n: i * 3 + k }));
    expected.push(...burst);
    if (i % 2 === 0) await Promise.all(burst.map((r) => journal.append(r)));
    else await journal.append(...burst);
  }
  const end = journal.size();
  await journal.close();
  assert.ok((await stat(path)).size > end, 'zeros ahead of the last record');
  assert.deepEqual(await replay<{ n: number }>(path), {
    records: expected,
    sizes: expected.map((r) => 8 + JSON.stringify(r).length),
    truncatedBytes: 0,
    skipped: [],
  });
});

test('rewrite replaces the journal atomically and appends continue after it', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await journal.append({ n: 1 }, { n: 2 }, { n: 3 });
  await journal.rewrite([{ n: 3 }]);
  await journal.append({ n: 4 });
  await journal.close();
  assert.deepEqual((await replay<{ n: number }>(path)).records, [{ n: 3 }, { n: 4 }]);
});

test('a rewrite with a record that fails to encode leaves the journal as it was and no partial copy', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ s: string }>(path);
  await journal.append({ s: 'a' }, { s: 'b' });
  // The first record fills a chunk, written before the second fails.
  const records = [{ s: 'x'.repeat(1024 * 1024) }, { s: 'y'.repeat(MAX_RECORD_BYTES) }];
  await assert.rejects(journal.rewrite(records), {
    message: `journal record of ${MAX_RECORD_BYTES + 8} bytes exceeds ${MAX_RECORD_BYTES}`,
  });
  await journal.append({ s: 'c' });
  await journal.close();
  assert.deepEqual(
    { files: await readdir(dirname(path)), records: (await replay<{ s: string }>(path)).records },
    { files: ['journal'], records: [{ s: 'a' }, { s: 'b' }, { s: 'c' }] },
  );
});

test('an append racing a rewrite lands in the new file, after the rewritten records', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await journal.append({ n: 1 }, { n: 2 });
  await Promise.all([journal.rewrite([{ n: 2 }]), journal.append({ n: 3 }), journal.append({ n: 4 })]);
  await journal.close();
  assert.deepEqual((await replay<{ n: number }>(path)).records, [{ n: 2 }, { n: 3 }, { n: 4 }]);
});

/** Opens files as the journal does, with a hook on each write of the journal file itself. */
function hookedOpen(
  onWrite: (
    n: number,
    write: () => Promise<unknown>,
    fh: FileHandle,
    bytes: Buffer,
    position: number,
  ) => Promise<unknown>,
): OpenFile {
  let n = 0;
  return async (path, flags) => {
    const fh = await open(path, flags);
    return new Proxy(fh, {
      get(target, prop) {
        if (prop === 'write')
          return (bytes: Buffer, ...rest: unknown[]) =>
            onWrite(
              n++,
              () => (target.write as (...a: unknown[]) => Promise<unknown>)(bytes, ...rest),
              target,
              bytes,
              rest[2] as number,
            );
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
}

test('an append written while an earlier one is still on its way is acknowledged only after it', async () => {
  const path = await fresh();
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  const { journal } = await openJournal<{ n: number }>(path, {
    preallocateBytes: 0,
    openFile: hookedOpen(async (n, write) => {
      const r = await write();
      if (n === 0) await held;
      if (n === 1) secondWritten();
      return r;
    }),
  });
  let secondWritten!: () => void;
  const written = new Promise<void>((r) => {
    secondWritten = r;
  });
  const order: number[] = [];
  const first = journal.append({ n: 1 }).then(() => order.push(1));
  await turn();
  const second = journal.append({ n: 2 }).then(() => order.push(2));
  await written;
  await turn();
  assert.deepEqual(order, [], 'the second write finished first but waits for the first');
  release();
  await Promise.all([first, second]);
  assert.deepEqual(order, [1, 2]);
  await journal.close();
  assert.deepEqual((await replay<{ n: number }>(path)).records, [{ n: 1 }, { n: 2 }]);
});

test('a failed write fails its appends and those written after it, and the file is cut back before the next append', async () => {
  const path = await fresh();
  let release!: () => void;
  const held = new Promise<void>((r) => {
    release = r;
  });
  const { journal } = await openJournal<{ n: number }>(path, {
    preallocateBytes: 0,
    openFile: hookedOpen(async (n, write, fh, bytes, position) => {
      if (n !== 1) {
        const r = await write();
        if (n === 2) thirdWritten();
        return r;
      }
      await fh.write(bytes, 0, 5, position); // torn: a few bytes reach the file, then the disk fails
      await held;
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    }),
  });
  let thirdWritten!: () => void;
  const written = new Promise<void>((r) => {
    thirdWritten = r;
  });
  await journal.append({ n: 1 });
  const failing = journal.append({ n: 2 });
  await turn();
  const after = journal.append({ n: 3 });
  await written; // on disk after the torn bytes, while the failing write is still on its way
  await turn();
  release();
  await assert.rejects(failing, { message: 'journal write failed' });
  await assert.rejects(after, { message: 'journal write failed' }, 'written after torn bytes: not acknowledged');
  await journal.append({ n: 4 });
  await journal.close();
  assert.deepEqual(await replay<{ n: number }>(path), {
    records: [{ n: 1 }, { n: 4 }],
    sizes: [15, 15],
    truncatedBytes: 0,
    skipped: [],
  });
});

/** Counts the journal file's writes and the records in each. */
function countingOpen(writes: number[]): OpenFile {
  return hookedOpen(async (_n, write, _fh, bytes) => {
    let records = 0;
    for (let at = 0; at < bytes.length; at += 8 + bytes.readUInt32LE(at)) records++;
    writes.push(records);
    return write();
  });
}

test("a record appended soon rides in the next append's write", async (t) => {
  const path = await fresh();
  const writes: number[] = [];
  const { journal } = await openJournal<{ n: number }>(path, { preallocateBytes: 0, openFile: countingOpen(writes) });
  t.mock.timers.enable({ apis: ['setTimeout'] }); // SOON_MS never passes on its own
  const outcome = journal.appendSoon({ n: 1 });
  await turn();
  assert.deepEqual(writes, [], 'not written on its own at once');
  await Promise.all([journal.append({ n: 2 }), outcome]);
  assert.deepEqual(writes, [2], 'one write for both');
  await journal.close();
  assert.deepEqual((await replay<{ n: number }>(path)).records, [{ n: 1 }, { n: 2 }]);
});

test('a record appended soon is written alone after SOON_MS when nothing else is appended', async (t) => {
  const path = await fresh();
  const writes: number[] = [];
  const { journal } = await openJournal<{ n: number }>(path, { preallocateBytes: 0, openFile: countingOpen(writes) });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const outcomes = Promise.all([journal.appendSoon({ n: 1 }), journal.appendSoon({ n: 2 })]);
  t.mock.timers.tick(SOON_MS - 1);
  await turn();
  assert.deepEqual(writes, [], 'still waiting for a write to ride in');
  t.mock.timers.tick(1);
  await outcomes;
  assert.deepEqual(writes, [2]);
  await journal.close();
  assert.deepEqual((await replay<{ n: number }>(path)).records, [{ n: 1 }, { n: 2 }]);
});

test('closing writes the records appended soon before the file is closed', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  const outcome = journal.appendSoon({ n: 1 });
  await journal.close();
  await outcome;
  assert.deepEqual((await replay<{ n: number }>(path)).records, [{ n: 1 }]);
});
