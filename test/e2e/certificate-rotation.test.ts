/**
 * Certificate rotation with zero failed requests: hot reload of mounted files (kubelet-style
 * symlink swap), and in-cluster self-management against the test API server (creation, caBundle
 * injection, drift repair, leader election, CA rotation keeping old and new CA in the bundle).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import forge from 'node-forge';
import { createCA, createServingCertificate, serviceHosts } from '../../src/certs/certificates.ts';
import type { CertificatePem } from '../../src/certs/certificates.ts';
import { buildBundle, bundleTrusts, splitBundle, toCaBundleField } from '../../src/certs/ca-bundle.ts';
import { certSecret } from '../../src/certs/cert-secret.ts';
import { readCertDir } from '../../src/certs/cert-dir.ts';
import { watchCertFiles } from '../../src/certs/cert-files-watcher.ts';
import { createServingTls } from '../../src/certs/serving-tls.ts';
import type { ServingTls } from '../../src/certs/serving-tls.ts';
import { startSelfManagedCerts } from '../../src/certs/self-managed.ts';
import type { SelfManagedCerts } from '../../src/certs/self-managed.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createCertMetrics } from '../../src/observability/cert-metrics.ts';
import { FakeApiServer, certResources } from '../servers/fake-apiserver.ts';
import { eventually, kubeApiFor, metricValue } from '../support/live-cluster.ts';
import { normalSerial, startTraffic } from '../support/tls-traffic.ts';
import { tempDir } from '../support/temp-dir.ts';

const SVC = 'notify-guard-webhook.notify-guard-system.svc';
const HOSTS = [...serviceHosts('notify-guard-webhook', 'notify-guard-system')];
const DAY = 86_400_000;
/** client-go's 15:10:2 at a fifth of the time (leader-election.test.ts runs the real figures on a virtual clock). */
const FAST_ELECTION = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 400 };
const quiet = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const serialOf = (pem: string) => normalSerial(forge.pki.certificateFromPem(pem).serialNumber);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function httpsServer(tls: ServingTls): Promise<{ server: Server; port: number }> {
  const first = tls.current();
  const server = createServer({ ...(first ? { cert: first.certPem, key: first.keyPem } : {}) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  tls.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return { server, port: (server.address() as AddressInfo).port };
}

/** Writes a kubelet-style Secret volume: files are links into ..data, which is swapped atomically. */
async function mountedDir(): Promise<{
  dir: string;
  publish: (ca: CertificatePem, leaf: CertificatePem) => Promise<void>;
}> {
  const dir = tempDir('mount');
  let n = 0;
  const publish = async (ca: CertificatePem, leaf: CertificatePem) => {
    const version = `..2026_11_23_${n++}`;
    await mkdir(join(dir, version));
    await writeFile(join(dir, version, 'ca.crt'), ca.certPem);
    await writeFile(join(dir, version, 'tls.crt'), leaf.certPem);
    await writeFile(join(dir, version, 'tls.key'), leaf.keyPem);
    await symlink(version, join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    if (n === 1) for (const f of ['ca.crt', 'tls.crt', 'tls.key']) await symlink(join('..data', f), join(dir, f));
  };
  return { dir, publish };
}

test('mounted files: a leaf rotation and a CA rotation are picked up without a restart and with zero failed requests', async () => {
  const now = new Date();
  const caA = await createCA({ now, validityDays: 30 });
  const caB = await createCA({ now, validityDays: 365 });
  const [a1, a2, b1] = await Promise.all([
    createServingCertificate({ ca: caA, now, validityDays: 10, hosts: HOSTS }),
    createServingCertificate({ ca: caA, now, validityDays: 10, hosts: HOSTS }),
    createServingCertificate({ ca: caB, now, validityDays: 10, hosts: HOSTS }),
  ]);
  const { dir, publish } = await mountedDir();
  await publish(caA, a1);
  const tls = createServingTls((await readCertDir(dir))!);
  const { port } = await httpsServer(tls);
  const watcher = watchCertFiles(dir, {
    pollMs: 200,
    logger: quiet(),
    onChange: (f) => tls.update(f),
    initial: tls.current()!,
  });
  cleanups.push(() => watcher.stop());
  // The caBundle holds both CAs before the rotation, as cert-manager's CA injector would have it.
  const traffic = startTraffic({ port, servername: SVC, trust: () => caA.certPem + caB.certPem });
  // Stopped also when the test fails: its workers would otherwise retry forever and keep the file running.
  cleanups.push(async () => void (await traffic.stop()));
  await eventually('first certificate served', () => traffic.serials.has(serialOf(a1.certPem)));
  await publish(caA, a2);
  await eventually('renewed leaf served', () => traffic.serials.has(serialOf(a2.certPem)));
  await publish(caB, b1);
  await eventually('leaf from the new CA served', () => traffic.serials.has(serialOf(b1.certPem)));
  // Traffic on both kinds of connection after the last rotation, waited for rather than slept for.
  const at = traffic.counts();
  await eventually(
    'ten more requests of each kind',
    () => {
      const c = traffic.counts();
      return (
        c.keepAliveOk >= Math.max(at.keepAliveOk + 10, 21) && c.newConnectionOk >= Math.max(at.newConnectionOk + 10, 21)
      );
    },
    20_000,
  );
  const result = await traffic.stop();
  assert.deepEqual(result.failures, []);
  assert.ok(result.keepAliveOk > 20 && result.newConnectionOk > 20, JSON.stringify(result));
});

test('mounted files: a half-written update (key of another certificate) is not served', async () => {
  const now = new Date();
  const ca = await createCA({ now, validityDays: 30 });
  const [good, other] = await Promise.all([
    createServingCertificate({ ca, now, validityDays: 10, hosts: HOSTS }),
    createServingCertificate({ ca, now, validityDays: 10, hosts: HOSTS }),
  ]);
  const { dir, publish } = await mountedDir();
  await publish(ca, good);
  const tls = createServingTls((await readCertDir(dir))!);
  const watcher = watchCertFiles(dir, {
    pollMs: 10_000,
    logger: quiet(),
    onChange: (f) => tls.update(f),
    initial: tls.current()!,
  });
  cleanups.push(() => watcher.stop());
  await publish(ca, { certPem: other.certPem, keyPem: good.keyPem });
  await watcher.check();
  assert.equal(tls.current()!.certPem, good.certPem);
});

interface Replica {
  readonly tls: ServingTls;
  readonly certs: SelfManagedCerts;
  readonly port: number;
  readonly registry: Registry;
}

async function clusterWithWebhookConfigs(seed?: (s: FakeApiServer) => void): Promise<FakeApiServer> {
  const api = new FakeApiServer(certResources(), { bookmarkIntervalMs: 100 });
  await api.start();
  cleanups.push(() => api.close());
  const webhook = (name: string) => ({
    name,
    clientConfig: { service: { name: 'notify-guard-webhook', namespace: 'notify-guard-system', path: '/validate' } },
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
  });
  api.apply({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'notify-guard' },
    webhooks: [webhook('flux.validate.notify-guard.io'), webhook('secrets.validate.notify-guard.io')],
  });
  api.apply({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'notify-guard' },
    webhooks: [webhook('alerts.mutate.notify-guard.io')],
  });
  seed?.(api);
  return api;
}

async function startReplica(
  api: FakeApiServer,
  identity: string,
  overrides: { renewBeforeDays?: number; now?: () => Date } = {},
): Promise<Replica> {
  const tls = createServingTls();
  const registry = new Registry();
  const metrics = createCertMetrics(registry, () => tls.secondsToExpiry(new Date()));
  const { port } = await httpsServer(tls);
  const certs = startSelfManagedCerts({
    api: kubeApiFor(api.url),
    logger: quiet(),
    tls,
    metrics,
    namespace: 'notify-guard-system',
    secretName: 'notify-guard-webhook-tls',
    leaseName: 'notify-guard-certs',
    identity,
    webhookConfigName: 'notify-guard',
    hosts: HOSTS,
    caValidityDays: 365,
    leafValidityDays: 90,
    renewBeforeMs: (overrides.renewBeforeDays ?? 30) * DAY,
    intervalMs: 100,
    election: FAST_ELECTION,
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  cleanups.push(() => certs.stop());
  return { tls, certs, port, registry };
}

const injected = (api: FakeApiServer, kind: string) =>
  (
    api.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind, name: 'notify-guard' })!['webhooks'] as {
      clientConfig: { caBundle?: string };
    }[]
  ).map((w) => w.clientConfig.caBundle);
const certSecretIn = (api: FakeApiServer) =>
  api.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'notify-guard-system', name: 'notify-guard-webhook-tls' });
const bundleOf = (api: FakeApiServer) =>
  Buffer.from((certSecretIn(api)!['data'] as Record<string, string>)['ca-bundle.crt']!, 'base64').toString();

test('self-managed: one leader creates the Secret, injects the caBundle everywhere, and every replica becomes ready serving it', async () => {
  const api = await clusterWithWebhookConfigs();
  // The replicas' clock stands still: the leader's renewals never miss the renew deadline and the
  // Lease never lapses for the other, however slowly a loaded machine runs the passes.
  const at = new Date();
  const r1 = await startReplica(api, 'pod-1', { now: () => at });
  const r2 = await startReplica(api, 'pod-2', { now: () => at });
  await eventually(
    'both ready',
    () => r1.certs.notReadyReason() === undefined && r2.certs.notReadyReason() === undefined,
    10_000,
  );
  assert.equal([r1, r2].filter((r) => r.certs.isLeader()).length, 1);
  const leaderGauges = await Promise.all(
    [r1, r2].map((r) => metricValue(r.registry, 'notify_guard_certificate_leader')),
  );
  assert.deepEqual(leaderGauges.sort(), [0, 1]);
  const bundle = bundleOf(api);
  assert.equal(splitBundle(bundle).length, 1);
  assert.deepEqual(injected(api, 'ValidatingWebhookConfiguration'), [toCaBundleField(bundle), toCaBundleField(bundle)]);
  assert.deepEqual(injected(api, 'MutatingWebhookConfiguration'), [toCaBundleField(bundle)]);
  assert.equal(r1.tls.current()!.certPem, r2.tls.current()!.certPem);
  assert.equal(bundleTrusts(bundle, r1.tls.current()!.certPem), true);
  const expiry = await metricValue(r1.registry, 'notify_guard_serving_certificate_expiry_seconds');
  assert.ok(expiry > 89 * 86_400 && expiry <= 90 * 86_400, `expiry ${expiry}`);
  const leader = [r1, r2].find((r) => r.certs.isLeader())!;
  assert.equal(
    await metricValue(
      leader.registry,
      'notify_guard_ca_bundle_injections_total{kind="ValidatingWebhookConfiguration"}',
    ),
    1,
  );
});

test('self-managed: an overwritten caBundle (a re-apply of the manifests) is re-injected within seconds', async () => {
  const api = await clusterWithWebhookConfigs();
  const r1 = await startReplica(api, 'pod-1');
  await eventually('ready', () => r1.certs.notReadyReason() === undefined, 10_000);
  const config = api.get({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    name: 'notify-guard',
  })!;
  api.apply({
    ...config,
    webhooks: (config['webhooks'] as object[]).map((w) => ({
      ...w,
      clientConfig: { service: { name: 'notify-guard-webhook', namespace: 'notify-guard-system', path: '/validate' } },
    })),
  });
  assert.deepEqual(injected(api, 'ValidatingWebhookConfiguration'), [undefined, undefined]);
  // eventually fails the test unless the caBundle is back within 3 s.
  await eventually(
    're-injected within 3 s',
    () => injected(api, 'ValidatingWebhookConfiguration').every((b) => b === toCaBundleField(bundleOf(api))),
    3_000,
  );
});

test('self-managed: a CA near expiry is rotated with old and new CA in the bundle, and no request fails', async () => {
  const realNow = new Date();
  const oldCa = await createCA({ now: new Date(realNow.getTime() - 340 * DAY), validityDays: 365 });
  const oldLeaf = await createServingCertificate({ ca: oldCa, now: realNow, validityDays: 90, hosts: HOSTS });
  const oldBundle = buildBundle([oldCa.certPem], realNow);
  const api = await clusterWithWebhookConfigs((s) => {
    s.apply(
      certSecret('notify-guard-system', 'notify-guard-webhook-tls', {
        certPem: oldLeaf.certPem,
        keyPem: oldLeaf.keyPem,
        caPem: oldCa.certPem,
        caKeyPem: oldCa.keyPem,
        bundlePem: oldBundle,
      }),
    );
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const c = s.get({ apiVersion: 'admissionregistration.k8s.io/v1', kind, name: 'notify-guard' })!;
      s.apply({
        ...c,
        webhooks: (c['webhooks'] as { clientConfig: object }[]).map((w) => ({
          ...w,
          clientConfig: { ...w.clientConfig, caBundle: toCaBundleField(oldBundle) },
        })),
      });
    }
  });
  // Serve the old certificate first, as the replicas did before this start.
  const tls = createServingTls({ caPem: oldBundle, certPem: oldLeaf.certPem, keyPem: oldLeaf.keyPem });
  const { port } = await httpsServer(tls);
  const traffic = startTraffic({
    port,
    servername: SVC,
    trust: () => Buffer.from(injected(api, 'ValidatingWebhookConfiguration')[0]!, 'base64').toString(),
  });
  cleanups.push(async () => void (await traffic.stop()));
  await eventually('old certificate served', () => traffic.serials.has(serialOf(oldLeaf.certPem)));
  const certs = startSelfManagedCerts({
    api: kubeApiFor(api.url),
    logger: quiet(),
    tls,
    namespace: 'notify-guard-system',
    secretName: 'notify-guard-webhook-tls',
    leaseName: 'notify-guard-certs',
    identity: 'pod-1',
    webhookConfigName: 'notify-guard',
    hosts: HOSTS,
    caValidityDays: 365,
    leafValidityDays: 90,
    renewBeforeMs: 30 * DAY,
    intervalMs: 100,
    election: FAST_ELECTION,
  });
  cleanups.push(() => certs.stop());
  await eventually(
    'serving a certificate from the new CA',
    () => {
      const served = tls.current()!.certPem;
      return !bundleTrusts(oldCa.certPem, served) && traffic.serials.has(serialOf(served));
    },
    // A new CA and serving certificate are generated on the way: slow beside a CPU hog.
    30_000,
  );
  const result = await traffic.stop();
  assert.deepEqual(result.failures, []);
  const bundle = splitBundle(bundleOf(api));
  assert.equal(bundle.length, 2);
  assert.equal(bundle[0], oldCa.certPem, 'the old CA stays until it expires');
  assert.deepEqual(injected(api, 'MutatingWebhookConfiguration'), [toCaBundleField(bundleOf(api))]);
});

test('self-managed: a leader that stops gives the Lease up; the other replica takes over and repairs a wiped caBundle', async () => {
  const api = await clusterWithWebhookConfigs();
  const r1 = await startReplica(api, 'pod-1');
  await eventually(
    'pod-1 leads and is ready',
    () => r1.certs.isLeader() && r1.certs.notReadyReason() === undefined,
    10_000,
  );
  const r2 = await startReplica(api, 'pod-2');
  await eventually('pod-2 ready', () => r2.certs.notReadyReason() === undefined, 10_000);
  assert.equal(r2.certs.isLeader(), false);
  await r1.certs.stop();
  assert.equal(r1.certs.isLeader(), false);
  assert.equal(await metricValue(r1.registry, 'notify_guard_certificate_leader'), 0);
  const config = api.get({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    name: 'notify-guard',
  })!;
  api.apply({
    ...config,
    webhooks: (config['webhooks'] as object[]).map((w) => ({
      ...w,
      clientConfig: { service: { name: 'notify-guard-webhook', namespace: 'notify-guard-system', path: '/mutate' } },
    })),
  });
  // One candidate try is at most 2.2 retry periods (880 ms here); the bound leaves room for a busy runner.
  await eventually(
    'pod-2 leads and has re-injected',
    () =>
      r2.certs.isLeader() &&
      injected(api, 'MutatingWebhookConfiguration').every((b) => b === toCaBundleField(bundleOf(api))),
    5_000,
  );
  assert.equal(await metricValue(r2.registry, 'notify_guard_certificate_leader'), 1);
  const lease = api.get({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    namespace: 'notify-guard-system',
    name: 'notify-guard-certs',
  })!['spec'] as Record<string, unknown>;
  assert.deepEqual(
    [lease['holderIdentity'], lease['leaseDurationSeconds'], lease['leaseTransitions']],
    ['pod-2', 3, 1],
  );
});
