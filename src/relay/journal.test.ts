import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal } from './journal.ts';

const fresh = async () => join(await mkdtemp(join(tmpdir(), 'ng-journal-')), 'journal');

test('records appended are replayed in order after reopening', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await Promise.all([journal.append({ n: 1 }), journal.append({ n: 2 }, { n: 3 })]);
  await journal.append({ n: 4 });
  await journal.close();
  const { replayed } = await openJournal<{ n: number }>(path);
  assert.deepEqual(replayed, { records: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }], truncatedBytes: 0 });
});

test('a torn last record (a crash mid-write) is cut off; everything before it survives', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await journal.append({ n: 1 }, { n: 2 });
  await journal.close();
  const full = (await stat(path)).size;
  await appendFile(path, Buffer.from([20, 0, 0, 0, 1, 2, 3, 4, 0x7b, 0x22]));
  const { journal: j2, replayed } = await openJournal<{ n: number }>(path);
  assert.deepEqual(replayed, { records: [{ n: 1 }, { n: 2 }], truncatedBytes: 10 });
  assert.equal((await stat(path)).size, full);
  await j2.append({ n: 3 });
  await j2.close();
  assert.deepEqual((await openJournal<{ n: number }>(path)).replayed.records, [{ n: 1 }, { n: 2 }, { n: 3 }]);
});

test('a record whose checksum does not match ends the journal there', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: string }>(path);
  await journal.append({ n: 'aaaa' }, { n: 'bbbb' });
  await journal.close();
  const image = await readFile(path);
  image[image.length - 3] = 0x78; // corrupt the last record's payload
  await writeFile(path, image);
  const { replayed } = await openJournal<{ n: string }>(path);
  assert.deepEqual(replayed.records, [{ n: 'aaaa' }]);
  assert.ok(replayed.truncatedBytes > 0);
});

test('a header cut short is a torn write too', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await journal.append({ n: 1 }, { n: 2 });
  await journal.close();
  await truncate(path, (await stat(path)).size - 12);
  assert.deepEqual((await openJournal<{ n: number }>(path)).replayed.records, [{ n: 1 }]);
});

test('rewrite replaces the journal atomically and appends continue after it', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await journal.append({ n: 1 }, { n: 2 }, { n: 3 });
  await journal.rewrite([{ n: 3 }]);
  await journal.append({ n: 4 });
  await journal.close();
  assert.deepEqual((await openJournal<{ n: number }>(path)).replayed.records, [{ n: 3 }, { n: 4 }]);
});

test('an append racing a rewrite lands in the new file, after the rewritten records', async () => {
  const path = await fresh();
  const { journal } = await openJournal<{ n: number }>(path);
  await journal.append({ n: 1 }, { n: 2 });
  await Promise.all([journal.rewrite([{ n: 2 }]), journal.append({ n: 3 }), journal.append({ n: 4 })]);
  await journal.close();
  assert.deepEqual((await openJournal<{ n: number }>(path)).replayed.records, [{ n: 2 }, { n: 3 }, { n: 4 }]);
});
