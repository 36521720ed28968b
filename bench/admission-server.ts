/**
 * The server side of the admission benchmark, run as a child process so that it has an event
 * loop of its own. argv[2]: `webhook` (the real app on a synthetic cluster) or `baseline`
 * (a bare Node https server answering a fixed AdmissionReview). Reports {port, rssMB} over IPC.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createAdmissionApp } from '../src/admission/app.ts';
import { createAdmissionHandler } from '../src/admission/handler.ts';
import { createCA, createServingCertificate } from '../src/certs/certificates.ts';
import { staticClusterView } from '../src/cluster/static-view.ts';
import { createEngine } from '../src/policy/engine.ts';
import { defaultPolicy } from '../src/policy/policy.ts';
import { ALL_RULES } from '../src/policy/rules/index.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createAdmissionMetrics } from '../src/observability/metrics.ts';
import { syntheticCluster } from './synthetic-cluster.ts';
import type { ClusterView } from '../src/cluster/cluster-view.ts';

// argv: baseline | webhook PER_KIND NAMESPACES | informer API_URL
const mode = process.argv[2];
const perKind = Number(process.argv[3] ?? 10_000);
const namespaces = Number(process.argv[4] ?? 1_000);
let syncMs: number | undefined;
const now = new Date();
const ca = await createCA({ now, validityDays: 1 });
const leaf = await createServingCertificate({ ca, now, validityDays: 1, hosts: ['localhost', '127.0.0.1'] });

let handler: Parameters<typeof createServer>[1];
if (mode === 'baseline') {
  const fixed = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'fixed', allowed: true } });
  handler = (req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(fixed); });
  };
} else {
  const logger = createLogger('warn', new Writable({ write: (_c, _e, cb) => cb() }));
  const metrics = createAdmissionMetrics();
  let cluster: ClusterView;
  if (mode === 'informer') {
    // Loaded only in this mode, as notify-guard does: client-node costs ~85 MB RSS.
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { createKubeApi } = await import('../src/cluster/kube-api.ts');
    const { startInformerView } = await import('../src/cluster/informer-view.ts');
    const { createClusterMetrics } = await import('../src/observability/cluster-metrics.ts');
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [{ name: 'b', server: process.argv[3]!, skipTLSVerify: true }], users: [{ name: 'b' }], contexts: [{ name: 'b', cluster: 'b', user: 'b' }], currentContext: 'b' });
    const started = performance.now();
    const view = await startInformerView({ api: createKubeApi(kc), logger, metrics: createClusterMetrics(metrics.registry), secretScope: { namespaces: [], labelSelector: undefined }, watchdogMs: 180_000 });
    await view.waitForSync(60_000);
    syncMs = performance.now() - started;
    cluster = view;
  } else {
    let objects: ReturnType<typeof syntheticCluster> | undefined = syntheticCluster(perKind, namespaces);
    cluster = staticClusterView(objects);
    objects = undefined;
  }
  const policy = defaultPolicy(ALL_RULES);
  const admission = createAdmissionHandler({ engine: createEngine(ALL_RULES, policy), cluster, policy, metrics, logger });
  handler = createAdmissionApp({ handler: admission, metrics, logger, notReadyReason: () => undefined });
}
const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, handler);
// Server-side latency: from the request's headers being parsed to the response being handed to TLS.
let serverLatencies: number[] = [];
server.on('request', (_req, res) => {
  const started = performance.now();
  res.once('finish', () => serverLatencies.push(performance.now() - started));
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.({ port: (server.address() as AddressInfo).port, caPem: ca.certPem, rssMB: process.memoryUsage().rss / 1024 / 1024, syncMs });
});
let cpuMark = process.cpuUsage();
process.on('message', (m) => {
  if (m === 'rss') {
    const rssMB = process.memoryUsage().rss / 1024 / 1024;
    (globalThis as { gc?: () => void }).gc?.();
    const after = process.memoryUsage();
    process.send?.({ rssMB, rssAfterGcMB: after.rss / 1024 / 1024, heapAfterGcMB: after.heapUsed / 1024 / 1024 });
  }
  if (m === 'cpu-mark') { cpuMark = process.cpuUsage(); serverLatencies = []; process.send?.({ ok: true }); }
  if (m === 'cpu') {
    const u = process.cpuUsage(cpuMark);
    const sorted = serverLatencies.sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
    process.send?.({ cpuMs: (u.user + u.system) / 1000, serverP50: pct(0.5), serverP99: pct(0.99) });
  }
  if (m === 'stop') server.close(() => process.exit(0));
});
