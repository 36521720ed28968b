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

test('a record read back that does not match its checksum is damaged (a DamagedRecordError: not retried)', async () => {
  const path = join(tempDir('spill-reader'), 'relay.journal');
  const framed = encodeRecords([{ t: 'forwarded', id: 'a' }]);
  const damaged = Buffer.from(framed);
  damaged[framed.length - 3] = 'b'.charCodeAt(0); // {"t":"forwarded","id":"b"}: valid JSON, wrong checksum
  await writeFile(path, Buffer.concat([framed, damaged]));
  const reader = openSpillReader(path);
  try {
    assert.equal(reader.payload(0, framed.length).toString('utf8'), '{"t":"forwarded","id":"a"}');
    assert.throws(() => reader.payload(framed.length, framed.length), {
      name: 'DamagedRecordError',
      message: `no journal record of ${framed.length} bytes at offset ${framed.length} (framing or checksum)`,
    });
    // Past the end of the file: cut short, damaged too.
    assert.throws(() => reader.payload(2 * framed.length, framed.length), {
      name: 'DamagedRecordError',
      message: `journal record at offset ${2 * framed.length} is cut short`,
    });
  } finally {
    reader.close();
  }
});
