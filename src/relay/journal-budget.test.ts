import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import { EventTooLargeError, JournalFullError } from './accept-refusal.ts';
import { createJournalBudget } from './journal-budget.ts';
import type { Journal } from './journal.ts';
import { MAX_RECORD_BYTES, recordBytes } from './journal.ts';

test('the budget counts bytes: refuses past it (once logged, a compaction tried each time), and admits again once there is room', () => {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(JSON.parse(c.toString()).msg);
        cb();
      },
    }),
  );
  let size = 0;
  let compactions = 0;
  const admit = createJournalBudget({
    journal: { size: () => size } as Journal<unknown>,
    maxBytes: 100,
    keptBytes: () => 0,
    compact: () => {
      compactions++;
    },
    logger,
  });
  const record = { t: 'accept', id: 'x'.repeat(20) };
  const bytes = recordBytes(record);
  assert.equal(admit(record), bytes);
  size = 100 - bytes + 1;
  assert.throws(
    () => admit(record),
    (e: unknown) => e instanceof JournalFullError && e.retryAfterSeconds === 10,
  );
  assert.throws(() => admit(record), JournalFullError);
  size = 100 - bytes;
  assert.equal(admit(record), bytes);
  assert.deepEqual(
    { compactions, lines },
    {
      compactions: 2,
      lines: [
        'journal at its disk budget: answering 503 with Retry-After until deliveries and compaction free space; nothing accepted is dropped',
        'journal below its disk budget again: accepting events',
      ],
    },
  );
});

test("a record over the journal's record limit can never be stored", () => {
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const admit = createJournalBudget({
    journal: { size: () => 0 } as Journal<unknown>,
    maxBytes: 64 * MAX_RECORD_BYTES,
    keptBytes: () => 0,
    compact: () => undefined,
    logger,
  });
  const record = { metadata: 'm'.repeat(MAX_RECORD_BYTES) };
  assert.throws(
    () => admit(record),
    (e: unknown) => e instanceof EventTooLargeError && e.bytes === recordBytes(record),
  );
});
