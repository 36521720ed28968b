/**
 * The backlog phase of the storm bench (relay-storm-bench.ts `--backlog-events N`): a journal of N
 * pending accept records over 500 destinations, written directly (no HTTP: the journal's own
 * framing), then the real relay (the compiled CLI, as the storm runs it) started on it with
 * digests off (`--digest-after 0`, so that every event stays pending), and the same start on an
 * empty journal as the baseline, in the same run. Prints: time to "relay listening" (replay
 * included), RSS (VmRSS, VmHWM) and V8 heap used after replay and after a minute of draining at
 * Slack's pace (1/s per webhook, burst 3), and what Slack received. The helpers come from the
 * storm bench (passed in, so that neither file imports the other's caller).
 */
import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { open, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEvent } from '../src/relay/flux-event.ts';
import { encodeRecords } from '../src/relay/journal-record.ts';
import type { AcceptRecord } from '../src/relay/journal-state.ts';
import { benchEvent } from './bench-events.ts';

/** What the phase borrows from the storm bench. */
export interface BacklogHelpers {
  readonly destinations: number;
  startRelay(dir: string, flags: string[]): Promise<{ child: ChildProcess; port: number; startMs: number }>;
  writeCluster(dir: string, slackUrl: string): Promise<void>;
  startSlack(perSecond: number): Promise<{
    url: string;
    count(): Promise<{ alone: number; digests: number; digestEvents: number }>;
    stop(): Promise<void>;
  }>;
  memoryOf(pid: number): { rss: number; hwm: number };
  metric(port: number, name: string): Promise<number>;
}

/** How long the relay drains after its start before it is measured again. */
const DRAIN_MS = 60_000;
const HEAP = 'notify_guard_relay_nodejs_heap_size_used_bytes';
const THREAD_HEAP = 'notify_guard_relay_delivery_thread_heap_used_bytes';

/** Clock ticks per second of /proc's utime and stime (USER_HZ), from `getconf CLK_TCK` at the first read. */
let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const said = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    const ticks = Number(said);
    if (!Number.isInteger(ticks) || ticks <= 0) throw new Error(`getconf CLK_TCK gave ${JSON.stringify(said)}`);
    ticksPerSecond = ticks;
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) in a /proc stat file's text: utime and stime, the 14th and 15th fields. */
function statSeconds(stat: string): number {
  // After the command name, in parentheses and perhaps holding spaces and parentheses itself.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/**
 * CPU seconds (user + system) process `pid` has used, its exited threads included: on a busy
 * machine, what its wall time cannot say.
 */
function cpuSeconds(pid: number): number {
  try {
    return statSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of process `pid`: all of it (`total`), its main thread's, V8's helper threads'
 * (`V8Worker`: the GC's concurrent marking and parallel scavenges, the compiler; they live as long
 * as the process) and the rest's (`other`: libuv's pool, the delivery thread). Where a start's CPU
 * goes besides the replay itself. /proc/<pid>/task lists only the threads alive now, so `other`
 * is the process's total (/proc/<pid>/stat, which keeps what exited threads used) less the main
 * thread and the V8 helpers, not a sum of the threads listed: a thread that ran and exited (a
 * worker's, a pool's) is counted. The total is read after the threads, so it holds all they had
 * used (`other` is clamped at 0 against a tick's rounding).
 */
function threadSeconds(pid: number): { total: number; main: number; v8: number; other: number } {
  let main = 0;
  let v8 = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (tid === String(pid)) main += statSeconds(stat);
      else if (name.startsWith('V8Worker')) v8 += statSeconds(stat);
    }
  } catch {
    /* the process has exited */
  }
  const total = cpuSeconds(pid);
  return { total, main, v8, other: Math.max(0, total - main - v8) };
}

/** The accept record of bench event `i` (as the relay writes it), accepted `ageMs` before now. */
function accept(i: number, destinations: number, ageMs: number): AcceptRecord {
  const decoded = decodeEvent(JSON.parse(benchEvent(i, destinations)));
  if (!decoded.ok) throw new Error(decoded.message);
  const ns = `team-${i % destinations}`;
  return {
    t: 'accept',
    id: `backlog-${i}`,
    at: Date.now() - ageMs,
    key: `backlog-key-${i}`,
    event: decoded.event,
    deliveries: [{ alert: `${ns}/all`, provider: `${ns}/slack`, metadata: {} }],
  };
}

/** Writes a journal of `events` pending accepts at `path`; returns its bytes. */
async function writeBacklog(path: string, events: number, destinations: number): Promise<number> {
  const file = await open(path, 'w');
  let at = 0;
  try {
    for (let i = 0; i < events; i += 10_000) {
      const batch = Array.from({ length: Math.min(10_000, events - i) }, (_, k) =>
        accept(i + k, destinations, events - i - k),
      );
      const bytes = encodeRecords(batch);
      await file.write(bytes, 0, bytes.length, at);
      at += bytes.length;
    }
  } finally {
    await file.close();
  }
  return at;
}

interface Reading {
  readonly rssMB: number;
  readonly hwmMB: number;
  readonly heapMB: number;
  readonly threadHeapMB: number;
  readonly cpuSeconds: number;
  readonly threads: { main: number; v8: number; other: number };
  /** The machine's load average over the last minute when read (wall times mean little without it). */
  readonly load: number;
}

async function reading(h: BacklogHelpers, relay: { child: ChildProcess; port: number }): Promise<Reading> {
  const m = h.memoryOf(relay.child.pid!);
  const { total, ...threads } = threadSeconds(relay.child.pid!);
  const [heap, threadHeap] = await Promise.all([h.metric(relay.port, HEAP), h.metric(relay.port, THREAD_HEAP)]);
  return {
    rssMB: m.rss,
    hwmMB: m.hwm,
    heapMB: heap / 1048576,
    threadHeapMB: threadHeap / 1048576,
    cpuSeconds: total,
    threads,
    load: loadavg()[0]!,
  };
}

/** A relay started in `dir` (cluster written, journal in place): its start and its readings. */
async function measured(h: BacklogHelpers, dir: string, slack: Awaited<ReturnType<BacklogHelpers['startSlack']>>) {
  const before = await slack.count();
  const relay = await h.startRelay(dir, ['--digest-after', '0']);
  try {
    const started = await reading(h, relay);
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    const drained = await reading(h, relay);
    const after = await slack.count();
    return { startMs: relay.startMs, started, drained, sent: after.alone - before.alone };
  } finally {
    relay.child.kill('SIGKILL');
  }
}

const n = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const describe = (r: Reading) =>
  `RSS ${n(r.rssMB)} MB (high-water ${n(r.hwmMB)} MB), heap used ${n(r.heapMB)} MB (delivery thread ${n(r.threadHeapMB)} MB), CPU ${n(r.cpuSeconds, 1)} s so far (main thread ${n(r.threads.main, 1)}, V8 helpers ${n(r.threads.v8, 1)}, other threads ${n(r.threads.other, 1)}); load ${n(r.load, 1)}`;

/** The backlog phase: `events` pending over the storm bench's destinations, and the empty baseline. */
export async function runBacklog(events: number, h: BacklogHelpers): Promise<string[]> {
  const slack = await h.startSlack(1);
  const dirs: string[] = [];
  const dirWith = async (name: string) => {
    const dir = await mkdtemp(join(tmpdir(), `ng-relay-${name}-`));
    dirs.push(dir);
    await mkdir(join(dir, 'cluster'));
    await h.writeCluster(dir, slack.url);
    return dir;
  };
  try {
    const emptyDir = await dirWith('empty');
    // A first start builds dist/ (relay-storm-bench.ts relayMain): not measured.
    (await h.startRelay(emptyDir, [])).child.kill('SIGKILL');
    await rm(join(emptyDir, 'relay.journal'), { force: true });
    const empty = await measured(h, emptyDir, slack);
    const dir = await dirWith('backlog');
    const written = performance.now();
    const bytes = await writeBacklog(join(dir, 'relay.journal'), events, h.destinations);
    const writeMs = performance.now() - written;
    const backlog = await measured(h, dir, slack);
    return [
      `backlog: ${n(events)} pending events over ${h.destinations} destinations, digests off; journal ${n(bytes / 1048576, 1)} MB (written in ${n(writeMs / 1000, 1)} s)`,
      `  start: listening after ${n(backlog.startMs)} ms; ${describe(backlog.started)}`,
      `  after ${DRAIN_MS / 1000} s draining: ${describe(backlog.drained)}; Slack received ${n(backlog.sent)}`,
      `  baseline, empty journal: listening after ${n(empty.startMs)} ms; ${describe(empty.started)}; after ${DRAIN_MS / 1000} s: ${describe(empty.drained)}`,
    ];
  } finally {
    await slack.stop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}
