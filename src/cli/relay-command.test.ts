import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../observability/logger.ts';
import { createRelayMetrics } from '../observability/relay-metrics.ts';
import { openJournal, recordBytes } from '../relay/journal.ts';
import { replayJournal } from '../relay/journal-replay.ts';
import type { AcceptRecord, RelayRecord } from '../relay/journal-state.ts';
import { compactAtStart, reportReplay } from './relay-command.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

const accept = (id: string, at: number): AcceptRecord => ({
  ...{ t: 'accept', id, at, key: `k-${id}`, event },
  deliveries: [{ alert: 'apps/all', provider: 'apps/one', metadata: {} }],
});

test('the startup rewrite counts and logs the dead letters it makes for a damaged spilled record, as a running compaction does', async () => {
  // e spilled (nothing follows it); f finished, so the journal holds more than a restart needs.
  const records: RelayRecord[] = [accept('e', 1000), accept('f', 2000), { t: 'done', id: 'f', i: 0 }];
  const path = join(tempDir('relay-command'), 'relay.journal');
  const { journal } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  await journal.append(...records);
  await journal.close();
  const r = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  const file = await open(path, 'r+');
  await file.write(Buffer.from('X'), 0, 1, 40); // inside e's payload, after replay checked it
  await file.close();
  const logged: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => void logged.push(JSON.parse(line)) });
  const metrics = createRelayMetrics({ processMetrics: false });
  await compactAtStart(r, metrics, logger);
  await r.journal.close();
  r.reader.close();
  const reason = 'journal record damaged: journal record at offset 0 does not match its checksum';
  assert.deepEqual(
    logged.map(({ level, msg, provider, acceptedAt, offset, reason }) => ({
      ...{ level, msg, provider, acceptedAt, offset, reason },
    })),
    [
      {
        ...{ level: 50, msg: 'a spilled delivery could not be read back from the journal; moved to dead letters' },
        ...{ provider: 'apps/one', acceptedAt: '1970-01-01T00:00:01.000Z', offset: 0, reason },
      },
    ],
  );
  assert.match(await metrics.registry.metrics(), /^notify_guard_relay_deliveries_total\{result="dead"\} 1$/m);
  assert.deepEqual(
    [r.state.dead.map((d) => d.t), r.state.spill.size, r.journal.size() < recordBytes(records[0]) * 3],
    [['spill-dead'], 0, true],
  );
});

test('a record passed over at replay is reported as what it recorded lost, not its event (it may be an outcome: sent again)', async () => {
  // e's `done` damaged in place, a good record after it: e is replayed not done, delivered again.
  const records: RelayRecord[] = [accept('e', 1000), { t: 'done', id: 'e', i: 0 }, accept('f', 2000)];
  const path = join(tempDir('relay-command'), 'relay.journal');
  const { journal } = await openJournal<RelayRecord>(path, { preallocateBytes: 0 });
  await journal.append(...records);
  await journal.close();
  const at = recordBytes(records[0]);
  const file = await open(path, 'r+');
  await file.write(Buffer.from('X'), 0, 1, at + 10);
  await file.close();
  const r = await replayJournal(path, () => undefined, { preallocateBytes: 0 });
  await r.journal.close();
  r.reader.close();
  const logged: Record<string, unknown>[] = [];
  reportReplay(path, r, createLogger('info', { write: (line: string) => void logged.push(JSON.parse(line)) }));
  assert.deepEqual(
    logged.map(({ level, msg, journal, records, skipped }) => ({ level, msg, journal, records, skipped })),
    [
      {
        ...{ level: 50, journal: path, records: 1, skipped: [{ offset: at, bytes: recordBytes(records[1]) }] },
        msg:
          'journal records damaged on disk were passed over: what they recorded is lost (an accept: its event; ' +
          'an outcome: it is sent again); the records after them were replayed',
      },
    ],
  );
  assert.deepEqual(
    [...r.state.spill.get('apps/one')!.refs()].map((ref) => ref.offset),
    [0, at + recordBytes(records[1])],
  );
});
