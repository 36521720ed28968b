/**
 * `npm test`: four jobs at once, so the CPU one leaves idle while it waits (on sockets, timers,
 * child processes) does the others' work:
 * - the tests beside the code (src/**\/*.test.ts) in ONE process, file after file: they are
 *   in-process unit tests, and one process loads the modules they share once instead of 100 times;
 * - the tests in test/ (cross-module, over the wire, the CLI as users run it), each file in its own
 *   process, CONCURRENCY files at a time: most of them wait on I/O;
 * - the type check and the lint.
 * The test/ report streams as it comes; the others' output is printed after it. Exits 1 when any
 * job fails. Every Node process (test files, the CLI they start, tsc, ESLint) shares Node's on-disk
 * compile cache in node_modules/.cache/node-compile (a clean clone starts with it empty).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const CACHE = join(ROOT, 'node_modules', '.cache');
/** test/ files run at once (env TEST_CONCURRENCY): most wait on sockets and child processes. */
const CONCURRENCY = Number(process.env['TEST_CONCURRENCY'] ?? 3);
const TIMEOUT = '--test-timeout=60000';
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Outcome {
  readonly name: string;
  readonly code: number;
  readonly output: string;
}

/** Runs `command` in the repository; its output is collected when `buffered`, else passed through. */
function run(name: string, command: string, args: readonly string[], buffered: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.stderr?.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (err) => resolve({ name, code: 1, output: `${err.message}\n` }));
    child.on('close', (code) => resolve({ name, code: code ?? 1, output: Buffer.concat(chunks).toString() }));
  });
}

process.env['NODE_COMPILE_CACHE'] ??= join(CACHE, 'node-compile');
const node = process.execPath;
const others = [
  run('unit tests (src/, one process)', node, ['--test', '--test-isolation=none', TIMEOUT, 'src/**/*.test.ts'], true),
  run(
    'tsc',
    node,
    // --incremental: a rerun checks only what changed since the last one.
    [TSC, '--noEmit', '-p', '.', '--incremental', '--tsBuildInfoFile', join(CACHE, 'tsc', 'tsbuildinfo')],
    true,
  ),
  run('lint', 'npm', ['run', '--silent', 'lint'], true),
];
const streamed = await run(
  'tests in test/',
  node,
  ['--test', `--test-concurrency=${CONCURRENCY}`, TIMEOUT, 'test/**/*.test.ts'],
  false,
);
const outcomes = [streamed];
for (const o of await Promise.all(others)) {
  if (o.output !== '') process.stdout.write(`\n# ${o.name}\n${o.output}`);
  outcomes.push(o);
}
const failed = outcomes.filter((o) => o.code !== 0);
for (const o of failed) process.stdout.write(`# FAILED: ${o.name} (exit ${o.code})\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
