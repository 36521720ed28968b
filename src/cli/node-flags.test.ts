import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MALLOC_ENV, ensureNodeFlags, restartArgs, restartEnv, restartPlan } from './node-flags.ts';
import { tempDir } from '../../test/support/temp-dir.ts';

const ARGV = ['/usr/bin/node', '/app/dist/src/cli/main.js', 'webhook', '--listen', '0.0.0.0:8443'];

test('started without the flag, restarts with it before the script, keeping its other flags', () => {
  assert.deepEqual(restartArgs(['--enable-source-maps'], undefined, ARGV), [
    '/usr/bin/node',
    '--enable-source-maps',
    '--max-semi-space-size=2',
    '--optimize-for-size',
    '/app/dist/src/cli/main.js',
    'webhook',
    '--listen',
    '0.0.0.0:8443',
  ]);
});

test('a flag given on the command line or in NODE_OPTIONS, with any value or negated, is kept: no restart', () => {
  assert.equal(restartArgs(['--max-semi-space-size=2', '--optimize-for-size'], undefined, ARGV), undefined);
  assert.equal(restartArgs(['--no-optimize-for-size'], '--max-semi-space-size=8', ARGV), undefined);
  assert.equal(restartArgs(['--optimize_for_size'], '--enable-source-maps  --max-semi-space-size=4', ARGV), undefined);
  assert.equal(restartArgs(['--max-semi-space-size', '4', '--no-optimize-for-size'], undefined, ARGV), undefined);
});

test("only the missing flag is added (the image's NODE_OPTIONS has the one Node allows there)", () => {
  assert.deepEqual(restartArgs([], '--max-semi-space-size=2', ARGV)?.slice(0, 3), [
    '/usr/bin/node',
    '--optimize-for-size',
    '/app/dist/src/cli/main.js',
  ]);
});

test("glibc malloc's settings missing from the environment are added; one given, with any value, is kept", () => {
  assert.deepEqual(restartEnv({ PATH: '/bin', MALLOC_ARENA_MAX: '4' }), {
    PATH: '/bin',
    MALLOC_ARENA_MAX: '4',
    MALLOC_MMAP_THRESHOLD_: '131072',
    MALLOC_TRIM_THRESHOLD_: '131072',
  });
  assert.equal(
    restartEnv({ MALLOC_ARENA_MAX: '', MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_TRIM_THRESHOLD_: '0' }),
    undefined,
  );
});

test('with the flags given, only a long-running command restarts for the malloc settings alone', () => {
  const flags = ['--max-semi-space-size=2', '--optimize-for-size'];
  const argv = (command: string) => ['/usr/bin/node', '/app/main.js', command, '--x'];
  assert.equal(restartPlan(flags, { PATH: '/bin' }, argv('lint')), undefined);
  assert.deepEqual(restartPlan(flags, { PATH: '/bin' }, argv('relay')), {
    args: ['/usr/bin/node', ...flags, '/app/main.js', 'relay', '--x'],
    env: { PATH: '/bin', ...MALLOC_ENV },
  });
  assert.equal(restartPlan(flags, { ...MALLOC_ENV }, argv('webhook')), undefined);
  assert.deepEqual(restartPlan([], { ...MALLOC_ENV }, argv('lint'))?.args, [
    '/usr/bin/node',
    ...flags,
    '/app/main.js',
    'lint',
    '--x',
  ]);
});

test('a refused restart leaves the program running as started, with a warning', () => {
  const warnings: string[] = [];
  const p = {
    argv: ['/usr/bin/node', '/app/main.js', 'relay'],
    execArgv: [],
    env: {},
    execPath: '/usr/bin/node',
    execve: () => {
      throw new Error('EACCES');
    },
    emitWarning: (w: string) => warnings.push(w),
  } as unknown as NodeJS.Process;
  ensureNodeFlags(p);
  assert.deepEqual(warnings, [
    'could not restart with the Node flags and malloc settings (EACCES); running without them',
  ]);
});

test('plain `node main.ts webhook` runs with the flag and the malloc settings, in the same process', async () => {
  const certDir = tempDir('node-flags');
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'main.ts'),
      'webhook',
      '--listen',
      '127.0.0.1:0',
      '--cert-dir',
      certDir,
      '--cluster-dir',
      join(import.meta.dirname, '..', '..', 'examples', 'cluster'),
      '--audit-interval',
      '0',
    ],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...withoutMalloc(process.env), NODE_OPTIONS: '', MALLOC_TRIM_THRESHOLD_: '262144' },
    },
  );
  try {
    for await (const line of createInterface({ input: child.stdout })) if (line.includes('webhook listening')) break;
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    assert.deepEqual(cmdline.slice(1, 4), [
      '--max-semi-space-size=2',
      '--optimize-for-size',
      join(import.meta.dirname, 'main.ts'),
    ]);
    const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
    assert.deepEqual(environ.filter((v) => v.startsWith('MALLOC_')).sort(), [
      'MALLOC_ARENA_MAX=2',
      'MALLOC_MMAP_THRESHOLD_=131072',
      'MALLOC_TRIM_THRESHOLD_=262144',
    ]);
  } finally {
    child.kill('SIGTERM');
  }
});

/** `env` without glibc malloc's variables (the test's own environment may have them). */
function withoutMalloc(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('MALLOC_')));
}
