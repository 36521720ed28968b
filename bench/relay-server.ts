/**
 * The server side of the relay benchmark, in a process of its own. argv[2]: `relay` (the real
 * relay, journal on disk, delivering to a local Slack stand-in) or `baseline` (a bare Node http
 * server that reads the body and answers 202). Reports {port} over IPC; on 'reset' starts a
 * measured phase, on 'report' answers what it measured since: RSS, accept latency as the server
 * sees it (request received -> response written), event-loop delay, GC and CPU time. With
 * BENCH_PROF=1 it also writes a CPU profile of each measured phase to .local/prof-relay/.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startRelayServer } from '../src/cli/relay-command.ts';
import { createLogger } from '../src/observability/logger.ts';
import { FakeSlack } from '../test/servers/fake-slack.ts';

const mode = process.argv[2];
let port: number;
/** The relay's journal and cluster files, removed on 'stop'. */
let workDir: string | undefined;
const accepted = createHistogram();
/** How long each request waited between the load generator writing it and the server reading its headers. */
const inbound = createHistogram();
/** Accepts that took over 5 and over 10 ms. */
const slow = { over5: 0, over10: 0 };
const timeAccepts = (server: Server) =>
  server.prependListener('request', (req, res) => {
    if (req.method !== 'POST') return;
    const t = process.hrtime.bigint();
    const sent = req.headers['x-sent-ns'];
    if (typeof sent === 'string' && /^\d+$/.test(sent) && t > BigInt(sent)) inbound.record(t - BigInt(sent));
    res.once('finish', () => {
      const ns = process.hrtime.bigint() - t;
      accepted.record(ns);
      if (ns > 5_000_000n) slow.over5++;
      if (ns > 10_000_000n) slow.over10++;
    });
  });
/**
 * The relay's journal appends (its notify_guard_relay_journal_append_seconds histogram): how
 * many, and how many took over 5 and over 10 ms. Zeros for the baseline.
 */
async function journalAppends(): Promise<{ count: number; over5: number; over10: number }> {
  if (mode === 'baseline') return { count: 0, over5: 0, over10: 0 };
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (series: string) =>
    Number(
      text
        .split('\n')
        .find((l) => l.startsWith(`notify_guard_relay_journal_append_seconds${series} `))
        ?.split(' ')[1] ?? NaN,
    );
  const bucket = (le: string) => value(`_bucket{le="${le}"}`);
  const count = value('_count');
  return { count, over5: count - bucket('0.005'), over10: count - bucket('0.01') };
}
let appendsAtReset = { count: 0, over5: 0, over10: 0 };
if (mode === 'baseline') {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"status":"accepted"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  timeAccepts(server);
} else {
  // The Slack stand-in runs in a process of its own (URL in argv[4]); without one, in this process.
  const url = process.argv[4] ?? (await new FakeSlack({ perSecond: 1_000_000, burst: 1_000_000 }).start());
  const dir = await mkdtemp(join(tmpdir(), 'ng-relay-bench-'));
  workDir = dir;
  const docs: object[] = [];
  const destinations = Number(process.argv[3] ?? 50);
  for (let i = 0; i < destinations; i++) {
    const ns = `team-${i}`;
    docs.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'slack-url', namespace: ns },
      stringData: { address: `${url}/services/T0BENCH${i}/B0BENCH/abcdefghijklmnop` },
    });
    docs.push({
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Provider',
      metadata: { name: 'slack', namespace: ns },
      spec: { type: 'slack', secretRef: { name: 'slack-url' } },
    });
    docs.push({
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: { name: 'all', namespace: ns },
      spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
    });
  }
  await writeFile(join(dir, 'cluster.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  const relay = await startRelayServer(
    {
      host: '127.0.0.1',
      port: 0,
      journalCompactAtBytes: 64 * 1024 * 1024,
      journalPath: join(dir, 'relay.journal'),
      clusterDir: dir,
      kubeconfig: undefined,
      secretNamespaces: [],
      dedupWindowMs: 300_000,
      forwardTo: undefined,
      noCrossNamespaceRefs: false,
      maxDeliveryAgeMs: 3_600_000,
      retryMaxIntervalMs: 60_000,
      drainTimeoutMs: 0,
      allowInsecureDestinations: true,
      logLevel: 'warn',
    },
    createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() })),
  );
  port = relay.port;
  timeAccepts(relay.server);
}
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const gc = { count: 0, ms: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.ms += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
  }
}).observe({ entryTypes: ['gc'] });
let cpu = process.cpuUsage();
const profiler = process.env['BENCH_PROF'] ? new Session() : undefined;
profiler?.connect();
/** BENCH_PROF=alloc samples allocations instead of CPU time. */
const sampleAllocations = process.env['BENCH_PROF'] === 'alloc';
await profiler?.post(sampleAllocations ? 'HeapProfiler.enable' : 'Profiler.enable');
const startProfile = async () => {
  if (sampleAllocations)
    await profiler?.post('HeapProfiler.startSampling', {
      samplingInterval: 16384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  else await profiler?.post('Profiler.start');
};
const stopProfile = async (): Promise<[string, object] | undefined> => {
  if (!profiler) return undefined;
  if (sampleAllocations) return ['heapprofile', (await profiler.post('HeapProfiler.stopSampling')).profile];
  return ['cpuprofile', (await profiler.post('Profiler.stop')).profile];
};
let profileWritten: Promise<unknown> = Promise.resolve();
const ms = (ns: number) => ns / 1e6;
process.send?.({ port });
process.on('message', (m) => {
  if (m === 'reset') {
    accepted.reset();
    inbound.reset();
    Object.assign(slow, { over5: 0, over10: 0 });
    void journalAppends().then((a) => {
      appendsAtReset = a;
    });
    loop.reset();
    Object.assign(gc, { count: 0, ms: 0, maxMs: 0 });
    cpu = process.cpuUsage();
    void startProfile();
  }
  if (m === 'report') void report();
  if (m === 'stop')
    void profileWritten
      .then(() => (workDir ? rm(workDir, { recursive: true, force: true }) : undefined))
      .then(() => process.exit(0));
});

async function report() {
  const used = process.cpuUsage(cpu);
  const appends = await journalAppends();
  process.send?.({
    rssMB: process.memoryUsage().rss / 1024 / 1024,
    accept: {
      p50: ms(accepted.percentile(50)),
      p99: ms(accepted.percentile(99)),
      max: ms(accepted.max),
      count: accepted.count,
      ...slow,
    },
    inbound: { p50: ms(inbound.percentile(50)), p99: ms(inbound.percentile(99)), count: inbound.count },
    journal: {
      count: appends.count - appendsAtReset.count,
      over5: appends.over5 - appendsAtReset.over5,
      over10: appends.over10 - appendsAtReset.over10,
    },
    loop: { p99: ms(loop.percentile(99)), max: ms(loop.max) },
    gc: { ...gc },
    cpuMs: (used.user + used.system) / 1000,
  });
  profileWritten = stopProfile()
    .then((written) => {
      if (!written) return;
      mkdirSync('.local/prof-relay', { recursive: true });
      writeFileSync(
        `.local/prof-relay/${mode}-${process.argv[3]}-${process.pid}.${written[0]}`,
        JSON.stringify(written[1]),
      );
    })
    .catch(() => undefined);
}
