import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeRecords } from './journal-record.ts';
import { openSpillReader } from './spill-reader.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

test('a record is read at its offset; once closed, every read throws and nothing else is read', async () => {
  const path = join(tempDir('spill-reader'), 'relay.journal');
  const framed = encodeRecords([{ t: 'forwarded', id: 'a' }]);
  await writeFile(path, Buffer.concat([framed, framed]));
  const reader = openSpillReader(path);
  assert.equal(reader.payload(framed.length, framed.length).toString('utf8'), '{"t":"forwarded","id":"a"}');
  assert.equal(reader.closed(), false);
  reader.close();
  assert.equal(reader.closed(), true);
  assert.throws(() => reader.payload(0, framed.length), { message: 'the journal reader is closed' });
  reader.close(); // twice: nothing happens
  const swap = reader.reopen(path);
  swap(); // a closed reader stays closed (the new descriptor is closed, not kept)
  assert.equal(reader.closed(), true);
  assert.throws(() => reader.payload(0, framed.length), { message: 'the journal reader is closed' });
});
