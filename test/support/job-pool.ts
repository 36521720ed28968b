/**
 * Runs `npm test`'s jobs (test files, the type check, the lint) as child processes, a bounded
 * number at a time, and measures each: its wall time and its CPU time, the child's own and that of
 * every process it started and waited for (the CLI a test runs, tsc's workers).
 *
 * The CPU time is read from /proc/self/stat (cutime + cstime: what the kernel adds to this
 * process when it reaps a child) just after each child exits; elsewhere it is left out. Two
 * children reaped in the same turn of the event loop are counted together on the first one (the
 * total stays exact); `cpuShared` marks the second, whose own time then reads 0.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One child process to run. */
export interface Job {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run in the same slot once this one has ended (a job that needs this one's output). */
  readonly then?: Job;
}

/** A finished job: its exit code, its output (stdout and stderr, in order), wall and CPU time. */
export interface Outcome {
  readonly name: string;
  readonly code: number;
  readonly output: string;
  readonly wallMs: number;
  /** undefined where /proc is not there to read. */
  readonly cpuMs: number | undefined;
  readonly cpuShared: boolean;
}

/** Clock ticks per second of /proc's times: USER_HZ, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU time of this process's reaped children so far in ms, or undefined without /proc. */
export function childrenCpuMs(): number | undefined {
  return procStatMs([13, 14]);
}

/** CPU time of this process itself so far in ms, or undefined without /proc. */
export function ownCpuMs(): number | undefined {
  return procStatMs([11, 12]);
}

/** Sum of the given fields (0-based, counted after the command name) of /proc/self/stat, in ms. */
function procStatMs(fields: readonly number[]): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields.reduce((sum, f) => sum + Number(after[f]), 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

let lastReap = childrenCpuMs();

/** Runs `job` in `cwd` with its output collected. */
export function runJob(job: Job, cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const env = { ...process.env, ...job.env };
    const child = spawn(job.command, job.args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let cpuMs: number | undefined;
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('exit', () => {
      const now = childrenCpuMs();
      cpuMs = now === undefined || lastReap === undefined ? undefined : now - lastReap;
      lastReap = now;
    });
    const finish = (code: number, extra = ''): void => {
      const output = Buffer.concat(chunks).toString() + extra;
      const wallMs = performance.now() - started;
      resolve({ name: job.name, code, output, wallMs, cpuMs, cpuShared: cpuMs === 0 });
    };
    child.on('error', (err) => finish(1, `${err.message}\n`));
    child.on('close', (code, signal) => finish(code ?? 1, signal ? `# killed by ${signal}\n` : ''));
  });
}

/**
 * Runs `jobs` in the order given, at most `concurrency` at once (a job's `then` after it, in its
 * slot), calling `done` as each finishes; resolves with every outcome in the order they finished.
 */
export async function runPool(
  jobs: readonly Job[],
  concurrency: number,
  cwd: string,
  done: (o: Outcome) => void,
): Promise<Outcome[]> {
  const queue = [...jobs];
  const outcomes: Outcome[] = [];
  const worker = async (): Promise<void> => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      for (let next: Job | undefined = job; next; next = next.then) {
        const o = await runJob(next, cwd);
        outcomes.push(o);
        done(o);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return outcomes;
}
