/**
 * `npm test`: every job in its own process, CONCURRENCY at once, the longest first, so that the
 * CPU one leaves idle while it waits (on sockets, timers, child processes) does the others' work
 * and no long job starts last:
 * - the tests beside the code (src/**\/*.test.ts) in TEST_UNIT_GROUPS processes (3), file after
 *   file in each: they are in-process unit tests, and one process loads the modules they share
 *   once instead of 100 times; the groups take about equal time by the last run's file times;
 * - each test file in test/ (cross-module, over the wire, the CLI as users run it);
 * - the type check, which also emits the JavaScript that the build test (run after it) runs, and
 *   the lint.
 * "Longest" is each job's wall time in the last run (node_modules/.cache/test-timings.json), or
 * the fixed estimates below on a clean clone. Each job's report is printed when it ends, with its
 * wall and CPU time; at the end, the test counts summed, the ten slowest jobs (every job with
 * TEST_TIMINGS=1) and the whole run's wall and CPU time. Exits 1 when any job fails. Every Node
 * process (the jobs, the CLI the tests start, tsc, ESLint) shares Node's on-disk compile cache in
 * node_modules/.cache/node-compile (a clean clone starts with it empty).
 */
import { globSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { childrenCpuMs, ownCpuMs, runPool, type Job } from './support/job-pool.ts';
import {
  balancedGroups,
  countLines,
  loadFileTimes,
  loadTimings,
  longestFirst,
  saveTimings,
  slowest,
  splitCounts,
  times,
} from './support/job-timings.ts';

const ROOT = join(import.meta.dirname, '..');
const CACHE = join(ROOT, 'node_modules', '.cache');
const TIMINGS = join(CACHE, 'test-timings.json');
/** Jobs run at once (env TEST_CONCURRENCY): most test files wait on sockets and child processes. */
const CONCURRENCY = Number(process.env['TEST_CONCURRENCY'] ?? 6);
/**
 * --test-timeout: a hang guard per test, generous for a machine shared by several test runs.
 * --test-force-exit: a process ends once its tests have, even if a failed test left a handle open
 * (a server, a pending send): a test that timed out had left its group's process running for good.
 */
const TEST = ['--test', '--test-isolation=none', '--test-reporter=spec', '--test-timeout=120000', '--test-force-exit'];
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** Where the type check emits the project (test/tsconfig.run.json): .local/ is ignored by git and the tools. */
const BUILD = join(ROOT, '.local', 'test-build');
/** Groups the unit tests are split into (env TEST_UNIT_GROUPS), each in one process. */
const UNIT_GROUPS = Number(process.env['TEST_UNIT_GROUPS'] ?? 3);
/** Where the unit tests' file-times-reporter.ts writes each file's time (one JSON file per group). */
const FILE_TIMES = join(CACHE, 'unit-file-times');
/** A unit test file's time (ms) when the last run did not measure it. */
const UNIT_FILE_GUESS = 300;
/** Estimates (ms) for a run without last times: the jobs known to be long, the rest by folder. */
const ESTIMATES: Readonly<Record<string, number>> = {
  tsc: 15_000,
  'test/e2e/build.test.ts': 5_000, // after tsc
  'test/e2e/relay-replicas.test.ts': 22_000,
  lint: 12_000,
  'test/e2e/relay-crash.test.ts': 8_000,
  'test/monitoring/prometheus-scrape.test.ts': 8_000,
  'test/monitoring/rules.test.ts': 6_000,
};

process.env['NODE_COMPILE_CACHE'] ??= join(CACHE, 'node-compile');
const node = process.execPath;
const testFile = (file: string, env?: Record<string, string>): Job => ({
  name: file,
  command: node,
  args: [...TEST, file],
  ...(env ? { env } : {}),
});
const BUILD_TEST = 'test/e2e/build.test.ts';
/**
 * The unit tests in groups of about equal time by the last run's file times, each in one process
 * (the files after one another: one process loads the modules they share once), with the group's
 * estimated time.
 */
function unitGroups(): { job: Job; estimateMs: number }[] {
  const times = loadFileTimes(FILE_TIMES, ROOT);
  const time = (f: string): number => times.get(f) ?? UNIT_FILE_GUESS;
  const groups = balancedGroups(globSync('src/**/*.test.ts', { cwd: ROOT }).sort(), UNIT_GROUPS, time);
  mkdirSync(FILE_TIMES, { recursive: true });
  return groups.map((files, i) => {
    const reporter = ['--test-reporter', join(ROOT, 'test', 'support', 'file-times-reporter.ts')];
    const destination = ['--test-reporter-destination', join(FILE_TIMES, `group-${i + 1}.json`)];
    const name = `unit tests (src/, group ${i + 1} of ${groups.length})`;
    const args = [...TEST, '--test-reporter-destination=stdout', ...reporter, ...destination, ...files];
    return { job: { name, command: node, args }, estimateMs: files.reduce((sum, f) => sum + time(f), 0) };
  });
}
const units = unitGroups();
const jobs: Job[] = [
  ...units.map((u) => u.job),
  {
    name: 'tsc',
    command: node,
    // The type check also emits, for the build test (its only compile then). Build mode (-b) on an
    // incremental project: an unchanged tree is checked in a fraction of a second (4-5 s of CPU
    // otherwise), a changed one re-checks and writes only what changed; the state lives with the
    // output, so deleting .local/test-build starts afresh.
    args: [TSC, '-b', join(ROOT, 'test', 'tsconfig.run.json')],
    then: testFile(BUILD_TEST, { NOTIFY_GUARD_TEST_BUILD: BUILD }),
  },
  { name: 'lint', command: 'npm', args: ['run', '--silent', 'lint'] },
  ...globSync('test/**/*.test.ts', { cwd: ROOT })
    .filter((file) => file !== BUILD_TEST)
    .sort()
    .map((file) => testFile(file)),
];

const started = performance.now();
const last = loadTimings(TIMINGS);
const counts: Map<string, number>[] = [];
const estimate = (j: Job): number =>
  units.find((u) => u.job === j)?.estimateMs ??
  last.get(j.name) ??
  ESTIMATES[j.name] ??
  (j.name.startsWith('test/e2e/') ? 4_000 : 2_000);
const outcomes = await runPool(longestFirst(jobs, estimate), CONCURRENCY, ROOT, (o) => {
  const { report, counts: c } = splitCounts(o.output);
  counts.push(c);
  process.stdout.write(
    `\n# ${o.name}: ${o.code === 0 ? 'ok' : `FAILED (exit ${o.code})`} (${times(o).trim()})\n${report}`,
  );
});
const wallMs = performance.now() - started;
saveTimings(TIMINGS, last, outcomes);

process.stdout.write(`\n${countLines(counts)}`);
const all = process.env['TEST_TIMINGS'] === '1';
process.stdout.write(`\n# ${all ? 'every job' : 'the ten slowest jobs'} (wall, CPU with the processes it started)\n`);
for (const o of slowest(outcomes, all ? outcomes.length : 10)) process.stdout.write(`${times(o)}  ${o.name}\n`);
const cpu = (childrenCpuMs() ?? NaN) + (ownCpuMs() ?? NaN);
process.stdout.write(`# the whole run: ${(wallMs / 1000).toFixed(1)} s wall, ${(cpu / 1000).toFixed(1)} s CPU\n`);
const failed = outcomes.filter((o) => o.code !== 0);
for (const o of failed) process.stdout.write(`# FAILED: ${o.name} (exit ${o.code})\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
