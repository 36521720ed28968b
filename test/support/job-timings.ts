/**
 * What `npm test` learns from one run for the next and tells its reader: each job's wall time,
 * kept in node_modules/.cache/test-timings.json, so that the longest jobs start first; the
 * report's test counts, summed over the jobs; the slowest jobs with their wall and CPU time.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

/**
 * The jobs, longest first by `timings` (a job's own time and its `then`'s); a job without one (a
 * new file, a clean clone) is placed by `guess`, its estimate in ms. Equal times keep the order given.
 */
export function longestFirst(
  jobs: readonly Job[],
  timings: ReadonlyMap<string, number>,
  guess: (j: Job) => number,
): Job[] {
  const estimate = (j: Job): number => (timings.get(j.name) ?? guess(j)) + (j.then ? estimate(j.then) : 0);
  return [...jobs].sort((a, b) => estimate(b) - estimate(a));
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
