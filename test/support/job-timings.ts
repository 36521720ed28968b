/**
 * What `npm test` learns from one run for the next and tells its reader: each job's wall time,
 * kept in node_modules/.cache/test-timings.json, so that the longest jobs start first; each unit
 * test file's time (file-times-reporter.ts), so that they are split into groups of equal time; the
 * report's test counts, summed over the jobs; the slowest jobs with their wall and CPU time.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Job, Outcome } from './job-pool.ts';

/** Last run's wall time of each job by name, in ms; empty when there was none or it does not parse. */
export function loadTimings(file: string): Map<string, number> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return new Map();
    return new Map(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return new Map();
  }
}

/** Writes this run's wall times over the last ones (a job not run this time keeps its time). */
export function saveTimings(file: string, last: ReadonlyMap<string, number>, outcomes: readonly Outcome[]): void {
  const next = new Map(last);
  for (const o of outcomes) next.set(o.name, Math.round(o.wallMs));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(Object.fromEntries([...next].sort()), null, 1)}\n`);
}

/** The jobs, longest first by `estimate` (ms) of a job and its `then`; equal ones keep the order given. */
export function longestFirst(jobs: readonly Job[], estimate: (j: Job) => number): Job[] {
  const chain = (j: Job): number => estimate(j) + (j.then ? chain(j.then) : 0);
  return [...jobs].sort((a, b) => chain(b) - chain(a));
}

/**
 * The unit test files' times (ms) by path from `root`, from every JSON file file-times-reporter.ts
 * wrote in `dir`; empty when there are none.
 */
export function loadFileTimes(dir: string, root: string): Map<string, number> {
  const times = new Map<string, number>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return times;
  }
  for (const name of names) {
    for (const [file, ms] of loadTimings(join(dir, name))) times.set(relative(root, file), ms);
  }
  return times;
}

/**
 * `files` in `count` groups of about equal time: the longest first, each to the group with the
 * least time so far. Each group keeps its files in the order given.
 */
export function balancedGroups(files: readonly string[], count: number, time: (f: string) => number): string[][] {
  const groups = Array.from({ length: Math.max(1, count) }, () => ({ ms: 0, files: new Set<string>() }));
  for (const f of [...files].sort((a, b) => time(b) - time(a))) {
    const least = groups.reduce((a, b) => (b.ms < a.ms ? b : a));
    least.ms += time(f);
    least.files.add(f);
  }
  return groups.map((g) => files.filter((f) => g.files.has(f))).filter((g) => g.length > 0);
}

const COUNTS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo'] as const;
const COUNT_LINE = new RegExp(`^ℹ (${COUNTS.join('|')}|duration_ms) (\\d+(?:\\.\\d+)?)\\n`, 'gm');

/** A node:test spec report without its closing counts, and those counts (zero when absent). */
export function splitCounts(output: string): { report: string; counts: Map<string, number> } {
  const counts = new Map<string, number>(COUNTS.map((c) => [c, 0]));
  const report = output.replace(COUNT_LINE, (_line, name: string, value: string) => {
    if (name !== 'duration_ms') counts.set(name, (counts.get(name) ?? 0) + Number(value));
    return '';
  });
  return { report, counts };
}

/** The counts of several reports, added up, as the spec reporter prints them. */
export function countLines(all: readonly ReadonlyMap<string, number>[]): string {
  return COUNTS.map((c) => `ℹ ${c} ${all.reduce((sum, m) => sum + (m.get(c) ?? 0), 0)}\n`).join('');
}

const seconds = (ms: number | undefined): string => (ms === undefined ? '   ?' : (ms / 1000).toFixed(1).padStart(5));

/** One job's times: ` 12.3 s wall   4.5 s CPU`. */
export function times(o: Outcome): string {
  const cpu = o.cpuShared ? ' (counted with the one that ended with it)' : '';
  return `${seconds(o.wallMs)} s wall ${seconds(o.cpuMs)} s CPU${cpu}`;
}

/** The `count` jobs with the longest wall time, longest first. */
export function slowest(outcomes: readonly Outcome[], count: number): Outcome[] {
  return [...outcomes].sort((a, b) => b.wallMs - a.wallMs).slice(0, count);
}
