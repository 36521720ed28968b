import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const LOGGER = fileURLToPath(new URL('./logger.ts', import.meta.url));
const LINES = 1000;
const BUFFER_BYTES = 64 * 1024;
const warning = (n: number) =>
  `${n} log lines were dropped: more than ${BUFFER_BYTES} bytes of lines were waiting for stdout (is the log collector reading?)`;

/**
 * A child logs LINES lines of about 1 KB to stdout in one burst (no write can finish meanwhile)
 * with a 64 KiB buffer, reading process.stdout.isTTY first as the commands do (which makes a pipe
 * non-blocking). `wait`: it tells the parent, which has read nothing yet, and once told to go on,
 * waits for the buffer to drain and logs one more line. `exit`: it exits at once, the parent
 * reading all along.
 */
function child(level: string, mode: 'wait' | 'exit'): string {
  return `
import { createLogger } from ${JSON.stringify(LOGGER)};
void process.stdout.isTTY;
const logger = createLogger(${JSON.stringify(level)}, undefined, 'json', ${BUFFER_BYTES});
for (let i = 0; i < ${LINES}; i++) logger.error({ i, pad: 'x'.repeat(900) }, 'line');
if (${JSON.stringify(mode)} === 'exit') process.exit(0);
process.send('logged');
process.on('message', () => logger.flush(() => { logger.error('after'); logger.flush(() => process.disconnect()); }));
`;
}

type Entry = { level: number; msg: string; i?: number; droppedLines?: number };

async function run(level: string, mode: 'wait' | 'exit'): Promise<Entry[]> {
  const c = spawn(process.execPath, ['--input-type=module', '-e', child(level, mode)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let out = '';
  const read = () => c.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  if (mode === 'exit') read();
  else {
    assert.equal(((await once(c, 'message')) as [string])[0], 'logged');
    read();
    c.send('go');
  }
  const [code] = (await once(c, 'close')) as [number];
  assert.equal(code, 0);
  return out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Entry);
}

/** The kept lines are the first ones, in order, and one warning counts exactly the others. */
function assertAccounted(entries: Entry[], warningLevel: number): Entry {
  const kept = entries.filter((e) => e.msg === 'line').map((e) => e.i);
  const warnings = entries.filter((e) => e.droppedLines !== undefined);
  const dropped = LINES - kept.length;
  assert.ok(kept.length > 0 && dropped > 0, `kept ${kept.length}`);
  assert.deepEqual(kept, [...Array(kept.length).keys()]);
  assert.deepEqual(
    warnings.map((w) => [w.level, w.msg, w.droppedLines]),
    [[warningLevel, warning(dropped), dropped]],
  );
  return warnings[0]!;
}

test('stdout logs: a burst past the buffer drops lines, counts them exactly and says so once stdout takes lines again', async () => {
  const entries = await run('info', 'wait');
  const w = assertAccounted(entries, 40);
  assert.deepEqual(
    entries.slice(-2).map((e) => e.msg),
    [w.msg, 'after'],
  );
});

test('stdout logs: the dropped lines are reported at error when the level hides warnings', async () => {
  assertAccounted(await run('error', 'wait'), 50);
});

test('stdout logs: an exit before stdout took anything more still reports the dropped lines, last', async () => {
  const entries = await run('info', 'exit');
  const w = assertAccounted(entries, 40);
  assert.equal(entries.at(-1)!.msg, w.msg);
});
