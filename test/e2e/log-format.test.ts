/**
 * `--log-format` as users meet it: JSON lines when stdout is not a terminal (a pod, a pipe),
 * text with `--log-format text`, a usage error for anything else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseWebhookArgs } from '../../src/cli/webhook-flags.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

/**
 * Runs the relay until it logs where it listens and answers /healthz there (so its signal handlers
 * are in place), then sends SIGTERM; resolves with stdout and the exit code.
 */
function relayUntilListening(extra: string[]): Promise<{ stdout: string; code: number | null }> {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'relay',
      '--cluster-dir',
      join(ROOT, 'examples', 'cluster'),
      '--listen',
      '127.0.0.1:0',
      '--journal',
      join(tempDir('logfmt'), 'relay.journal'),
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let probed = false;
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    const port = stdout.includes('relay listening') ? /listen"?: ?"127\.0\.0\.1:(\d+)"/.exec(stdout)?.[1] : undefined;
    if (port && !probed) {
      probed = true;
      void fetch(`http://127.0.0.1:${port}/healthz`)
        .then((r) => r.arrayBuffer())
        .finally(() => child.kill('SIGTERM'));
    }
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ stdout, code })));
}

test('off a terminal the default is one JSON object per line', { timeout: 100_000 }, async () => {
  const { stdout, code } = await relayUntilListening([]);
  assert.equal(code, 0);
  const first = JSON.parse(stdout.split('\n')[0]!) as Record<string, unknown>;
  assert.deepEqual([first['level'], first['app'], first['msg']], [30, 'notify-guard', 'relay listening']);
});

test(
  '--log-format text writes readable lines: time, level, message, then the fields',
  { timeout: 100_000 },
  async () => {
    const { stdout, code } = await relayUntilListening(['--log-format', 'text']);
    assert.equal(code, 0);
    const lines = stdout.split('\n');
    assert.match(lines[0]!, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: relay listening$/);
    assert.match(lines[1]!, /^ {4}listen: "127\.0\.0\.1:\d+"$/);
  },
);

// main.ts turns a UsageError into exit 2 (webhook-command.test.ts pins it over the CLI); here the flag, in-process.
test('--log-format with another value is a usage error (exit 2)', () => {
  assert.throws(() => parseWebhookArgs(['--log-format', 'pretty']), {
    name: 'UsageError',
    message: '--log-format "pretty": expected auto, json or text',
  });
});
