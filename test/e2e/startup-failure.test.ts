/**
 * A startup failure exits non-zero promptly, through the CLI as a user runs it: a port in use
 * stops `webhook` (whose certificate watcher was already started) and `relay` (whose delivery
 * thread and journal were) with exit code 1 and a message naming the address.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir.ts';
import { writeTestCertDir } from '../support/webhook-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

let taken: Server;
let port: number;
before(async () => {
  taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  port = (taken.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => taken.close(() => r())));

/** Runs the CLI; resolves with its exit code and stderr once it exits (the test's timeout bounds a hang). */
function run(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** The two servers as users start them, each on the taken port with what it opens before listening. */
const SERVERS = [
  {
    command: 'webhook',
    released: 'the certificate watcher',
    flags: async (dir: string) => {
      await writeTestCertDir(join(dir, 'certs'));
      return ['--cert-dir', join(dir, 'certs')];
    },
  },
  {
    command: 'relay',
    released: 'the delivery thread and journal',
    flags: async (dir: string) => ['--journal', join(dir, 'relay.journal')],
  },
];

for (const { command, released, flags } of SERVERS)
  test(
    `${command}: a port in use exits 1 naming the address, with ${released} released`,
    { timeout: 100_000 },
    async () => {
      const r = await run([
        command,
        '--listen',
        `127.0.0.1:${port}`,
        ...(await flags(tempDir('startup'))),
        '--cluster-dir',
        join(ROOT, 'examples', 'cluster'),
        '--log-level',
        'silent',
      ]);
      assert.deepEqual(r, {
        code: 1,
        stderr: `notify-guard ${command}: cannot listen on 127.0.0.1:${port}: the address is already in use\n`,
      });
    },
  );

test('in-process, a failed start leaves no handle behind: watcher, timers, delivery thread and journal are released', async () => {
  const { startWebhook } = await import('../../src/cli/webhook-command.ts');
  const { parseWebhookArgs } = await import('../../src/cli/webhook-flags.ts');
  const { startRelayServer } = await import('../../src/cli/relay-command.ts');
  const { createLogger } = await import('../../src/observability/logger.ts');
  const { Writable } = await import('node:stream');
  const quiet = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const dir = tempDir('startup');
  await writeTestCertDir(join(dir, 'certs'));
  // What a started watcher, timer, worker or open file shows as (child processes of the tests above come and go).
  const HELD = new Set([
    'FSEventWrap',
    'StatWatcher',
    'Timeout',
    'FileHandle',
    'FSReqCallback',
    'MessagePort',
    'Worker',
    'TCPServerWrap',
    'TCPWrap',
  ]);
  const resources = () =>
    process
      .getActiveResourcesInfo()
      .filter((r) => HELD.has(r))
      .sort();
  const before = resources();
  const options = parseWebhookArgs([
    '--listen',
    `127.0.0.1:${port}`,
    '--cert-dir',
    join(dir, 'certs'),
    '--cluster-dir',
    join(ROOT, 'examples', 'cluster'),
  ]);
  if (options === 'help') throw new Error('unexpected help');
  await assert.rejects(startWebhook(options, quiet), {
    message: `cannot listen on 127.0.0.1:${port}: the address is already in use`,
  });
  await assert.rejects(
    startRelayServer(
      {
        host: '127.0.0.1',
        port,
        journalPath: join(dir, 'relay.journal'),
        journalCompactAtBytes: 64 * 1024 * 1024,
        clusterDir: join(ROOT, 'examples', 'cluster'),
        kubeconfig: undefined,
        secretNamespaces: [],
        dedupWindowMs: 0,
        forwardTo: undefined,
        noCrossNamespaceRefs: false,
        maxDeliveryAgeMs: 60_000,
        retryMaxIntervalMs: 60_000,
        drainTimeoutMs: 0,
        allowInsecureDestinations: false,
        logLevel: 'silent',
      },
      quiet,
    ),
    { message: `cannot listen on 127.0.0.1:${port}: the address is already in use` },
  );
  assert.deepEqual(resources(), before);
});
