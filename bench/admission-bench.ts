/**
 * `npm run bench`: the admission webhook under load, with a baseline measured in the same run.
 *
 * 1. Throughput and latency of POST /validate over TLS with keep-alive at 16 connections, against
 *    a cluster of 10,000 each of Alerts, Providers and Secrets in 1,000 namespaces; baseline: a
 *    bare Node https server answering a fixed AdmissionReview. Targets: >= 0.6x baseline req/s,
 *    p99 <= 5 ms.
 * 2. RSS of the webhook process with the 30,000 objects loaded. Target: <= 200 MB.
 * 3. Evaluation cost in-process at 300 vs 30,000 objects: flat (indexes, not scans).
 * 4. The informer-backed view: initial sync of the same cluster from the test API server (its own
 *    process), RSS, and admission latency next to the static view's. Targets: <= 3 s, <= 200 MB.
 *
 * Env: BENCH_SECONDS (default 8), BENCH_NODE_FLAGS (server Node flags; default the image's
 * NODE_OPTIONS), BENCH_PROF=1 (CPU profiles in .local/prof), BENCH_TRACE_GC=1.
 */
import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { staticClusterView } from '../src/cluster/static-view.ts';
import { guardedKind } from '../src/flux/api.ts';
import { createEngine } from '../src/policy/engine.ts';
import { defaultPolicy } from '../src/policy/policy.ts';
import { ALL_RULES } from '../src/policy/rules/index.ts';
import type { AdmissionRequest } from '../src/admission/review.ts';
import { runLoad } from './load.ts';
import { syntheticCluster, syntheticReviews } from './synthetic-cluster.ts';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = 16;
const PER_KIND = 10_000;
const NAMESPACES = 1_000;

interface Started { port: number; caPem: string; rssMB: number; syncMs?: number }
interface Memory { rssMB: number; rssAfterGcMB: number; heapAfterGcMB: number }
interface ServerFigures { cpuMs: number; serverP50: number; serverP99: number }

// The servers run as compiled JavaScript, as the container image runs them (running .ts directly
// loads Node's type stripper, about 17 MB of RSS that production never has).
const ROOT = join(import.meta.dirname, '..');
const BUILD = join(ROOT, '.local', 'bench-build');
execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', BUILD], { stdio: 'inherit' });

// The servers run with the Node options the image ships (Dockerfile ENV NODE_OPTIONS), unless
// BENCH_NODE_FLAGS overrides them.
const IMAGE_NODE_OPTIONS = /^ENV NODE_OPTIONS=(.*)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? '';
const NODE_FLAGS = (process.env['BENCH_NODE_FLAGS'] ?? IMAGE_NODE_OPTIONS).split(' ').filter(Boolean);

async function startServer(mode: 'webhook' | 'baseline' | 'informer', apiUrl?: string) {
  const child = fork(join(BUILD, 'bench', 'admission-server.js'), mode === 'informer' ? [mode, apiUrl!] : [mode, String(PER_KIND), String(NAMESPACES)], { execArgv: ['--expose-gc', ...(process.env['BENCH_PROF'] ? ['--cpu-prof', '--cpu-prof-dir=.local/prof'] : []), ...(process.env['BENCH_TRACE_GC'] ? ['--trace-gc'] : []), ...NODE_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const started = await new Promise<Started>((resolve, reject) => { child.once('message', (m) => resolve(m as Started)); child.once('exit', (c) => reject(new Error(`server exited ${c}`))); });
  return {
    ...started,
    rss: () => new Promise<Memory>((resolve) => { child.once('message', (m) => resolve(m as Memory)); child.send('rss'); }),
    cpuMark: () => new Promise<void>((resolve) => { child.once('message', () => resolve()); child.send('cpu-mark'); }),
    figures: () => new Promise<ServerFigures>((resolve) => { child.once('message', (m) => resolve(m as ServerFigures)); child.send('cpu'); }),
    stop: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.send('stop'); }),
  };
}

const bodies = syntheticReviews(NAMESPACES).map((r) => JSON.stringify(r));
const row = (name: string, r: { rps: number; p50ms: number; p99ms: number; requests: number; errors: number }) =>
  `${name.padEnd(10)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50ms.toFixed(2).padStart(6)} ms   p99 ${r.p99ms.toFixed(2).padStart(6)} ms   (${r.requests} requests, ${r.errors} errors)`;

console.log(`admission benchmark: ${CONNECTIONS} keep-alive TLS connections, ${SECONDS}s per server, ${PER_KIND} each of Alerts/Providers/Secrets in ${NAMESPACES} namespaces, server Node flags: ${NODE_FLAGS.join(' ') || '(none)'}\n`);

const baseline = await startServer('baseline');
await runLoad({ port: baseline.port, caPem: baseline.caPem, path: '/validate', bodies, connections: CONNECTIONS, seconds: 1 });
await baseline.cpuMark();
const base = await runLoad({ port: baseline.port, caPem: baseline.caPem, path: '/validate', bodies, connections: CONNECTIONS, seconds: SECONDS });
const baseFig = await baseline.figures();
const baseCpu = baseFig.cpuMs * 1000 / base.requests;
await baseline.stop();

const webhook = await startServer('webhook');
const loadedRss = webhook.rssMB;
await runLoad({ port: webhook.port, caPem: webhook.caPem, path: '/validate', bodies, connections: CONNECTIONS, seconds: 1 });
await webhook.cpuMark();
const ours = await runLoad({ port: webhook.port, caPem: webhook.caPem, path: '/validate', bodies, connections: CONNECTIONS, seconds: SECONDS });
const oursFig = await webhook.figures();
const oursCpu = oursFig.cpuMs * 1000 / ours.requests;
const rssAfter = await webhook.rss();
await webhook.stop();

// The same webhook with the informer-backed view, synced from the test API server in a process of its own.
const apiChild = fork(join(BUILD, 'bench', 'fake-apiserver-process.js'), [String(PER_KIND), String(NAMESPACES)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const apiUrl = await new Promise<string>((resolve) => apiChild.once('message', (m) => resolve((m as { url: string }).url)));
const informer = await startServer('informer', apiUrl);
await runLoad({ port: informer.port, caPem: informer.caPem, path: '/validate', bodies, connections: CONNECTIONS, seconds: 1 });
await informer.cpuMark();
const inf = await runLoad({ port: informer.port, caPem: informer.caPem, path: '/validate', bodies, connections: CONNECTIONS, seconds: SECONDS });
const infFig = await informer.figures();
const infRssAfter = await informer.rss();
await informer.stop();
await new Promise<void>((resolve) => { apiChild.once('exit', () => resolve()); apiChild.send('stop'); });

console.log(row('baseline', base));
console.log(row('webhook', ours));
console.log(row('informer', inf));
const ratio = ours.rps / base.rps;
console.log(`\nthroughput ratio webhook/baseline: ${ratio.toFixed(2)}x (target >= 0.60x) ${ratio >= 0.6 ? 'PASS' : 'FAIL'}`);
console.log(`server CPU per request: baseline ${baseCpu.toFixed(0)} us, webhook ${oursCpu.toFixed(0)} us`);
console.log(`server-side latency (request parsed -> response written): baseline p50 ${baseFig.serverP50.toFixed(3)} ms p99 ${baseFig.serverP99.toFixed(3)} ms; webhook p50 ${oursFig.serverP50.toFixed(3)} ms p99 ${oursFig.serverP99.toFixed(3)} ms`);
console.log(`webhook p99 end to end: ${ours.p99ms.toFixed(2)} ms, baseline ${base.p99ms.toFixed(2)} ms in the same harness (target <= 5 ms) ${ours.p99ms <= 5 ? 'PASS' : 'FAIL'}`);
console.log(`informer-backed view: initial sync of ${3 * PER_KIND} objects (+ sources) from the test API server in ${(informer.syncMs! / 1000).toFixed(2)} s (target <= 3 s) ${informer.syncMs! <= 3000 ? 'PASS' : 'FAIL'}; RSS ${informer.rssMB.toFixed(0)} MB after sync, ${infRssAfter.rssMB.toFixed(0)} MB at the end of the load, ${infRssAfter.rssAfterGcMB.toFixed(0)} MB after a full GC (heap ${infRssAfter.heapAfterGcMB.toFixed(0)} MB) (target <= 200 MB) ${Math.max(informer.rssMB, infRssAfter.rssMB) <= 200 ? 'PASS' : 'FAIL'}`);
console.log(`p99 informer vs static view: end to end ${inf.p99ms.toFixed(2)} vs ${ours.p99ms.toFixed(2)} ms; server-side ${infFig.serverP99.toFixed(3)} vs ${oursFig.serverP99.toFixed(3)} ms`);
console.log(`webhook RSS with ${3 * PER_KIND} objects loaded: ${loadedRss.toFixed(0)} MB after GC, ${rssAfter.rssMB.toFixed(0)} MB at the end of the load, ${rssAfter.rssAfterGcMB.toFixed(0)} MB after a full GC (heap ${rssAfter.heapAfterGcMB.toFixed(0)} MB) (target <= 200 MB) ${Math.max(loadedRss, rssAfter.rssMB) <= 200 ? 'PASS' : 'FAIL'}`);

// Evaluation cost against cluster size, in-process, no network.
function evalCost(perKind: number, namespaces: number): number {
  const engine = createEngine(ALL_RULES, defaultPolicy(ALL_RULES));
  const view = staticClusterView(syntheticCluster(perKind, namespaces));
  const requests = syntheticReviews(namespaces).map((r) => (r as { request: AdmissionRequest }).request);
  const inputs = requests.map((q) => ({ kind: guardedKind(q.kind)!, operation: q.operation, namespace: q.namespace ?? '', name: q.name ?? '', object: q.object ?? undefined, oldObject: q.oldObject ?? undefined }));
  for (let i = 0; i < 2000; i++) engine.evaluate(inputs[i % inputs.length]!, view);
  const n = 20_000;
  const t = performance.now();
  for (let i = 0; i < n; i++) engine.evaluate(inputs[i % inputs.length]!, view);
  return ((performance.now() - t) * 1000) / n;
}
const small = evalCost(100, 10);
const large = evalCost(PER_KIND, NAMESPACES);
console.log(`\nevaluation cost: ${small.toFixed(1)} us/request at 300 objects, ${large.toFixed(1)} us/request at ${3 * PER_KIND} objects (ratio ${(large / small).toFixed(2)}, flat means ~1)`);
