/**
 * `npm run bench:relay`: the relay's accept path with durability on (every accepted event is
 * journaled and fsync'd before its 202), against a bare Node http server answering 202 in the
 * same run. Prints: accepted events per second at 64 concurrent senders (target >= 2,000/s), p99
 * accept latency at a steady 500 events/s over 50 Slack webhooks (target <= 10 ms), the same over
 * 500 webhooks with 500 Slack posts/s alongside (a stress, no target), routing cost with 10 vs
 * 1,000 Alerts (flat: an index, not a scan), and the relay's RSS.
 * Accept latency is given twice: as the relay measures it (request received -> 202 written) and
 * as the load generator sees it (request written -> whole answer read; open-loop-process.ts, a
 * lean generator in a process of its own), which adds its own scheduling and the kernel's on the
 * same cores: the bare server's figures, on an idle machine and on one that busy loops
 * (busy-process.ts) keep about as busy as the busiest phase, show how much. Also printed, to
 * explain a tail: the disk's own latency for a durable 700-byte append at 500/s, idle and with the
 * same busy loops; per round, how many accepts and how many journal appends took over 5 and
 * 10 ms, the relay's event-loop delay, GC, CPU time, and how busy the whole machine was.
 * The latency phases run in BENCH_ROUNDS rounds (default 3) and the median is judged, on the
 * relay's own measurement (request read -> 202 written); the generator's is printed beside it.
 * Then the storm phase (relay-storm-bench.ts): `--events N` unique events (default 1,000,000)
 * into 500 destinations, the relay killed halfway; `--storm-only` runs it alone (`--slack-per-second`,
 * `--baseline-events`: relay-storm-bench.ts).
 * BENCH_PROF=1 writes a CPU profile of each measured phase to .local/prof-relay/;
 * BENCH_PROF=alloc writes an allocation profile instead.
 */
import { execFileSync, fork } from 'node:child_process';
import { constants, readFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { staticClusterView } from '../src/cluster/static-view.ts';
import type { KubeObject } from '../src/flux/objects.ts';
import { routeEvent } from '../src/relay/routing.ts';
import type { FluxEvent } from '../src/relay/flux-event.ts';
import { benchEvent } from './bench-events.ts';
import { runStorm } from './relay-storm-bench.ts';
import type { LoadReport, LoadRequest } from './open-loop-process.ts';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    'storm-only': { type: 'boolean', default: false },
    'slack-per-second': { type: 'string', default: '1' },
    'baseline-events': { type: 'string', default: '50000' },
  },
});
const stormOptions = {
  slackPerSecond: Number(flags['slack-per-second']),
  baselineEvents: Number(flags['baseline-events']),
};
if (flags['storm-only']) {
  for (const line of await runStorm(Number(flags.events), stormOptions)) console.log(line);
  process.exit(0);
}
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const ROOT = join(import.meta.dirname, '..');
const BUILD = join(ROOT, '.local', 'bench-build');
execFileSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', BUILD],
  { stdio: 'inherit' },
);
// The servers run with the Node options the image ships (Dockerfile ENV NODE_OPTIONS), unless BENCH_NODE_FLAGS overrides them.
const NODE_FLAGS = (
  process.env['BENCH_NODE_FLAGS'] ??
  /^ENV NODE_OPTIONS=(.*)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ??
  ''
)
  .split(' ')
  .filter(Boolean);

let seq = 0;
/** Namespaces (one Slack destination each) the generated events are spread over. */
let spread = 50;
const eventBody = () => benchEvent(seq++, spread);

// Slack as Slack behaves (about one message per second per webhook, burst 3), in its own process.
const slackChild = fork(join(BUILD, 'bench', 'fake-slack-process.js'), ['1', '3'], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const slackUrl = await new Promise<string>((resolve) =>
  slackChild.once('message', (m) => resolve((m as { url: string }).url)),
);

async function start(mode: 'relay' | 'baseline', destinations = 50) {
  const child = fork(join(BUILD, 'bench', 'relay-server.js'), [mode, String(destinations), slackUrl], {
    execArgv: NODE_FLAGS,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await new Promise<{ port: number }>((resolve) =>
    child.once('message', (m) => resolve(m as { port: number })),
  );
  return {
    port,
    /** Starts a measured phase. */
    reset: () => child.send('reset'),
    /** What the server measured since the last reset. */
    report: () =>
      new Promise<ServerReport>((resolve) => {
        child.once('message', (m) => resolve(m as ServerReport));
        child.send('report');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

interface ServerReport {
  readonly rssMB: number;
  readonly accept: {
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
    readonly count: number;
    readonly over5: number;
    readonly over10: number;
  };
  /** Requests' wait from the load generator's write until the server had their headers. */
  readonly inbound: { readonly p50: number; readonly p99: number; readonly count: number };
  /** The accepts' journal appends (as the relay's journal_append histogram counts them). */
  readonly journal: { readonly count: number; readonly over5: number; readonly over10: number };
  readonly loop: { readonly p99: number; readonly max: number };
  readonly gc: { readonly count: number; readonly ms: number; readonly maxMs: number };
  readonly cpuMs: number;
}

/** Busy and total jiffies of the whole machine (/proc/stat), to report how loaded it was. */
function machineTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - fields[3]! - fields[4]!, total };
}

/**
 * The disk alone: durable (O_DSYNC) 700-byte appends at a steady `rate`/s, as the journal writes
 * them (in place, over zeros written ahead), each timed from the moment it was due to the moment
 * it is on disk. Like accepts, an append that comes due while the disk is slow waits: a write is
 * started when due, whether or not the one before has finished.
 */
async function diskAlone(rate: number, seconds: number) {
  const dir = await mkdtemp(join(tmpdir(), 'ng-disk-'));
  const fh = await open(join(dir, 'floor'), constants.O_RDWR | constants.O_CREAT | constants.O_DSYNC);
  const record = Buffer.alloc(700, 'x');
  const zeros = rate * seconds * record.length;
  await fh.write(Buffer.alloc(zeros), 0, zeros, 0);
  const latencies: number[] = [];
  const writes: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    writes.push(
      fh.write(record, 0, record.length, i * record.length).then(() => {
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(writes);
  await fh.close();
  await rm(dir, { recursive: true });
  return percentiles(latencies);
}

function percentiles(values: number[]) {
  values.sort((a, b) => a - b);
  return { p50: values[Math.floor(values.length * 0.5)]!, p99: values[Math.floor(values.length * 0.99)]! };
}

function post(agent: Agent, port: number, body: string): Promise<{ status: number; ms: number }> {
  const t = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t }));
    req.end(body);
  });
}

async function closedLoop(port: number, concurrency: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = performance.now() + seconds * 1000;
  let accepted = 0;
  let other = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const r = await post(agent, port, eventBody());
        if (r.status === 202) accepted++;
        else other++;
      }
    }),
  );
  agent.destroy();
  return { perSecond: accepted / seconds, other };
}

// The steady-rate load comes from a lean generator in its own process (open-loop-process.ts).
const generator = fork(join(BUILD, 'bench', 'open-loop-process.js'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
await new Promise((resolve) => generator.once('message', resolve));

async function openLoop(port: number, rate: number, seconds: number) {
  const m0 = machineTimes();
  const request: LoadRequest = { port, rate, seconds, first: seq, spread };
  seq += rate * seconds;
  const report = await new Promise<LoadReport>((resolve) => {
    generator.once('message', (m) => resolve(m as LoadReport));
    generator.send(request);
  });
  const m1 = machineTimes();
  return { ...report, machineBusy: (m1.busy - m0.busy) / (m1.total - m0.total) };
}

function routingCost(alerts: number): number {
  const objs: KubeObject[] = [];
  for (let i = 0; i < alerts; i++)
    objs.push({
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: { name: `a-${i}`, namespace: `team-${i}` },
      spec: {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'Kustomization', name: '*' }],
        exclusionList: ['^skip'],
      },
    });
  const view = staticClusterView(objs);
  const e: FluxEvent = {
    involvedObject: {
      kind: 'Kustomization',
      namespace: 'team-3',
      name: 'x',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
    severity: 'error',
    timestamp: '',
    message: 'failed',
    reason: 'r',
    reportingController: 'c',
  };
  for (let i = 0; i < 5000; i++) routeEvent(e, view, { noCrossNamespaceRefs: false });
  const n = 50_000;
  const t = performance.now();
  for (let i = 0; i < n; i++) routeEvent(e, view, { noCrossNamespaceRefs: false });
  return ((performance.now() - t) * 1000) / n;
}

/** Busy loops in processes of their own, each burning 4.5 of every 10 ms: the machine about as busy as the 500-webhook phase. */
function busyLoops(): () => void {
  const loops = [0, 1].map(() => fork(join(BUILD, 'bench', 'busy-process.js'), ['4.5']));
  return () => {
    for (const b of loops) b.kill();
  };
}

/** A 500/s phase on a fresh server: warm up for a second, then measure (optionally with busy loops running). */
async function latencyPhase(mode: 'relay' | 'baseline', destinations: number, busy = false) {
  spread = destinations;
  const server = await start(mode, destinations);
  const stopBusy = busy ? busyLoops() : () => {};
  await openLoop(server.port, 500, 1);
  server.reset();
  const client = await openLoop(server.port, 500, SECONDS);
  stopBusy();
  const report = await server.report();
  await server.stop();
  return { client, report };
}
type Phase = Awaited<ReturnType<typeof latencyPhase>>;

const disk = await diskAlone(500, SECONDS);
// The same appends while busy loops keep the machine about as busy as the phase with 500 Slack
// posts/s: on this VM the disk's tail grows with the CPU load.
const stopBusy = busyLoops();
await new Promise((r) => setTimeout(r, 300));
const busyAt = machineTimes();
const diskBusy = await diskAlone(500, SECONDS);
const busyEnd = machineTimes();
stopBusy();
const baseline = await start('baseline');
const baseTp = await closedLoop(baseline.port, 64, SECONDS);
await baseline.stop();
// The latency phases run in rounds (the bare server, then the relay's two scenarios, each on a
// fresh process), and the medians are judged: on this shared machine one round can be twice as
// slow as the next, and a round slows all three alike. Two scenarios at 500 events/s: spread
// over 50 destinations, Slack's ~1 msg/s per webhook cannot keep up and a backlog grows by ~450
// deliveries a second (a burst); over 500, the relay posts 500 messages a second to Slack
// alongside the accepts (and the Slack stand-in takes them on the same cores). The bare server
// also runs with busy loops keeping the machine about as busy as that last scenario: what the
// load generator then sees of a server that does nothing is the measurement's own share.
const rounds: { base: Phase; baseBusy: Phase; backlog: Phase; keepingUp: Phase }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  rounds.push({
    base: await latencyPhase('baseline', 50),
    baseBusy: await latencyPhase('baseline', 50, true),
    backlog: await latencyPhase('relay', 50),
    keepingUp: await latencyPhase('relay', 500),
  });
}
// Throughput on a fresh relay: it leaves a backlog of deliveries behind.
spread = 50;
const relay = await start('relay');
const tp = await closedLoop(relay.port, 64, SECONDS);
const tpReport = await relay.report();
await relay.stop();
slackChild.send('stop');
generator.send('stop');

const f = (n: number) => n.toFixed(2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spreadOf = (values: number[]) => `median ${f(median(values))} ms (rounds: ${values.map(f).join(', ')})`;
const describe = (name: string, pick: (r: (typeof rounds)[number]) => Phase) => {
  const ps = rounds.map(pick);
  return (
    `${name}\n` +
    `    p99 as the relay measures it:     ${spreadOf(ps.map((p) => p.report.accept.p99))}; p50 ${f(median(ps.map((p) => p.report.accept.p50)))} ms\n` +
    `    p99 as the load generator sees it: ${spreadOf(ps.map((p) => p.client.p99))}; p50 ${f(median(ps.map((p) => p.client.p50)))} ms\n` +
    `    waiting to be read (written by the load generator until the server has its headers): p99 ${ps.map((p) => f(p.report.inbound.p99)).join(', ')} ms; p50 ${f(median(ps.map((p) => p.report.inbound.p50)))} ms\n` +
    `    load generator: its own event-loop delay p99 ${ps.map((p) => f(p.client.ownLoopP99)).join(', ')} ms; answers other than 202 ${ps.map((p) => JSON.stringify(p.client.other)).join(', ')}; requests that waited for a connection ${ps.map((p) => p.client.queued).join(', ')}\n` +
    (ps[0]!.report.journal.count
      ? `    of ~${ps[0]!.report.accept.count} accepts, over 5 / 10 ms: ${ps.map((p) => `${p.report.accept.over5}/${p.report.accept.over10} (${p.report.journal.over5}/${p.report.journal.over10})`).join(', ')} (in brackets: journal appends over 5 / 10 ms)\n`
      : '') +
    `    per round: event-loop delay p99 ${ps.map((p) => f(p.report.loop.p99)).join(', ')} ms; longest GC ${ps.map((p) => f(p.report.gc.maxMs)).join(', ')} ms; CPU ${ps.map((p) => (p.report.cpuMs / 1000).toFixed(2)).join(', ')} s; machine busy ${ps.map((p) => (p.client.machineBusy * 100).toFixed(0)).join(', ')}%`
  );
};
const verdict = (values: number[]) =>
  `${f(median(values))} ms (target <= 10 ms) ${median(values) <= 10 ? 'PASS' : 'FAIL'}`;
console.log(
  `relay benchmark: ${SECONDS}s per phase, ${ROUNDS} rounds of latency phases, on ${availableParallelism()} cores; every accepted event journaled (O_DSYNC) before its 202; server Node flags: ${NODE_FLAGS.join(' ') || '(none)'}\n`,
);
console.log(
  `disk alone (durable 700-byte appends at 500/s, each from when it was due): p50 ${f(disk.p50)} ms  p99 ${f(disk.p99)} ms; with busy loops keeping the machine ${((100 * (busyEnd.busy - busyAt.busy)) / (busyEnd.total - busyAt.total)).toFixed(0)}% busy: p50 ${f(diskBusy.p50)} ms  p99 ${f(diskBusy.p99)} ms`,
);
console.log(`baseline (bare http, 202)  ${baseTp.perSecond.toFixed(0).padStart(7)} events/s`);
console.log(
  `relay (durable)            ${tp.perSecond.toFixed(0).padStart(7)} events/s   (non-202 answers: ${tp.other})\n`,
);
console.log(describe('baseline at 500/s:', (r) => r.base));
console.log(
  describe('baseline at 500/s with busy loops keeping the machine about as busy as the 500-webhook phase:', (r) =>
    r.baseBusy),
);
console.log(describe('relay at 500/s over 50 Slack webhooks (a backlog grows by ~450/s):', (r) => r.backlog));
console.log(describe('relay at 500/s over 500 Slack webhooks (500 Slack posts/s alongside):', (r) => r.keepingUp));
const p99s = (pick: (r: (typeof rounds)[number]) => Phase, side: 'relay' | 'client') =>
  rounds.map(pick).map((p) => (side === 'relay' ? p.report.accept.p99 : p.client.p99));
console.log(
  `\naccepted events per second: ${tp.perSecond.toFixed(0)} (target >= 2000) ${tp.perSecond >= 2000 ? 'PASS' : 'FAIL'}`,
);
// The target is judged on the relay's own measurement, from reading a request to writing its 202:
// the relay's handling of the event, the durable write included. What the load generator sees adds
// the wait before the request is read (mostly the machine's wake-up, but a busy relay lengthens it
// too) and the answer's way back: printed beside it, with the same for the bare server
// (docs/relay.md, "Accept latency").
console.log(
  `p99 accept latency at 500 events/s (Slack pacing each webhook, so a backlog grows), request read to 202 written, as the relay measures it: ${verdict(p99s((r) => r.backlog, 'relay'))}; as the load generator sees it ${f(median(p99s((r) => r.backlog, 'client')))} ms (bare server ${f(median(p99s((r) => r.base, 'client')))} ms); wait before a request is read ${f(median(rounds.map((r) => r.backlog.report.inbound.p99)))} ms (bare server ${f(median(rounds.map((r) => r.base.report.inbound.p99)))} ms)`,
);
// Not a target: 500 webhooks each taking Slack's 1 msg/s is more than a cluster has; it shows the
// accept path while the relay posts 500 messages a second on the same two cores as the Slack
// stand-in and the load generator, beside what the load generator alone sees there.
console.log(
  `stress, 500 Slack posts/s alongside (no target): p99 relay ${f(median(p99s((r) => r.keepingUp, 'relay')))} ms; load generator ${f(median(p99s((r) => r.keepingUp, 'client')))} ms, of which its own share is about ${f(median(p99s((r) => r.baseBusy, 'client')))} ms (what it sees of the bare server on an equally busy machine)`,
);
const r10 = routingCost(10);
const r1000 = routingCost(1000);
console.log(
  `routing cost: ${r10.toFixed(2)} us/event with 10 Alerts, ${r1000.toFixed(2)} us/event with 1,000 Alerts (ratio ${(r1000 / r10).toFixed(2)}; flat means ~1)`,
);
console.log(
  `relay RSS: ${f(median(rounds.map((r) => r.backlog.report.rssMB)))} MB after the 500/s phase with a backlog; ${f(median(rounds.map((r) => r.keepingUp.report.rssMB)))} MB after the 500/s phase keeping up; ${tpReport.rssMB.toFixed(0)} MB after the throughput phase, holding its undelivered backlog of ~${Math.round(tp.perSecond * SECONDS - 50 * SECONDS)} deliveries`,
);
for (const line of await runStorm(Number(flags.events), stormOptions)) console.log(line);
