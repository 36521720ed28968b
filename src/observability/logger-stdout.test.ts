import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const LOGGER = fileURLToPath(new URL('./logger.ts', import.meta.url));
const LINES = 1000;
const BUFFER_BYTES = 64 * 1024;

/**
 * A child logs LINES lines of about 1 KB to stdout in one burst (no write can finish meanwhile),
 * with a 64 KiB buffer, while the parent reads nothing; then the parent reads everything, and once
 * the buffer has drained the child logs one more line.
 */
const CHILD = `
import { createLogger } from ${JSON.stringify(LOGGER)};
const logger = createLogger('info', undefined, 'json', ${BUFFER_BYTES});
for (let i = 0; i < ${LINES}; i++) logger.info({ i, pad: 'x'.repeat(900) }, 'line');
process.send('logged');
process.on('message', () => logger.flush(() => { logger.info('after'); logger.flush(() => process.disconnect()); }));
`;

test('stdout logs: a burst past the buffer drops lines, counts them exactly and says so once stdout takes lines again', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [message] = (await once(child, 'message')) as [string];
  assert.equal(message, 'logged');
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.send('go');
  const [code] = (await once(child, 'exit')) as [number];
  assert.equal(code, 0);
  const entries = out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; i?: number; droppedLines?: number });
  const kept = entries.filter((e) => e.msg === 'line').map((e) => e.i);
  const warnings = entries.filter((e) => e.droppedLines !== undefined);
  const dropped = LINES - kept.length;
  assert.ok(kept.length > 0 && dropped > 0, `kept ${kept.length}`);
  // The first lines are kept, in order; the rest of the burst is dropped.
  assert.deepEqual(kept, [...Array(kept.length).keys()]);
  assert.deepEqual(
    warnings.map((w) => [w.msg, w.droppedLines]),
    [
      [
        `${dropped} log lines were dropped: stdout took nothing while ${BUFFER_BYTES} bytes of lines waited (is the log collector reading?)`,
        dropped,
      ],
    ],
  );
  assert.deepEqual(
    entries.slice(-2).map((e) => e.msg),
    [warnings[0]!.msg, 'after'],
  );
});
