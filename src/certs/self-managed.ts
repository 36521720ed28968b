/**
 * In-cluster certificate self-management (opt-in, `--self-managed-certs`).
 *
 * Every replica serves the certificate held in one Secret. The replica that holds the Lease:
 * creates CA and serving certificate when the Secret is missing; renews the serving certificate
 * ahead of expiry; rotates the CA ahead of expiry in two phases (the new CA joins the bundle and
 * is injected; only on a later pass, once the injected bundle is seen to hold it, is a serving
 * certificate from the new CA issued), keeping the old CA in the bundle until it expires; and
 * keeps both webhook configurations' caBundle equal to the bundle, repairing any overwrite as soon
 * as its watch reports it. A replica is ready once it serves a certificate that the injected
 * bundles trust.
 */
import type { KubeApi } from '../cluster/kube-api.ts';
import { startReflector } from '../cluster/reflector.ts';
import type { Reflector } from '../cluster/reflector.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { Logger } from '../observability/logger.ts';
import type { CertMetrics } from '../observability/cert-metrics.ts';
import { buildBundle, bundleTrusts, splitBundle, toCaBundleField } from './ca-bundle.ts';
import type { CertSecretData } from './cert-secret.ts';
import { certSecret, readCertSecret } from './cert-secret.ts';
import type { WebhookConfigKind } from './ca-injection.ts';
import { WEBHOOK_CONFIG_PATHS, injectedBundles, injectionPatch } from './ca-injection.ts';
import { certificateHosts, createCA, createServingCertificate, needsRenewal } from './certificates.ts';
import { tryAcquireLease } from './lease.ts';
import type { ServingTls } from './serving-tls.ts';

const DAY_MS = 86_400_000;

/** Settings of self-management. */
export interface SelfManagedOptions {
  readonly api: KubeApi;
  readonly logger: Logger;
  readonly tls: ServingTls;
  readonly metrics?: CertMetrics;
  readonly namespace: string;
  readonly secretName: string;
  readonly leaseName: string;
  readonly identity: string;
  /** Name of both webhook configurations (they are different kinds). */
  readonly webhookConfigName: string;
  /** DNS names (and IPs) for the serving certificate. */
  readonly hosts: readonly string[];
  readonly caValidityDays: number;
  readonly leafValidityDays: number;
  readonly renewBeforeMs: number;
  /** How often each replica re-checks (watches also trigger checks). */
  readonly intervalMs: number;
  readonly leaseDurationMs: number;
  readonly now?: () => Date;
}

/** The running controller. */
export interface SelfManagedCerts {
  notReadyReason(): string | undefined;
  isLeader(): boolean;
  /** Runs one pass now (watches and the interval call it too). */
  tick(): Promise<void>;
  stop(): void;
}

/** Starts self-management; the first pass runs at once. */
export function startSelfManagedCerts(o: SelfManagedOptions): SelfManagedCerts {
  const now = o.now ?? (() => new Date());
  const log = o.logger.child({ component: 'certs' });
  const secretPath = `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/secrets`;
  let leader = false;
  let notReady: string | undefined = 'no serving certificate yet';
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function getSecret(): Promise<{ data: CertSecretData | undefined; resourceVersion: string | undefined; exists: boolean }> {
    const r = await o.api.request('GET', `${secretPath}/${encodeURIComponent(o.secretName)}`);
    if (r.status === 404) return { data: undefined, resourceVersion: undefined, exists: false };
    if (r.status !== 200) throw new Error(`reading Secret ${o.namespace}/${o.secretName}: HTTP ${r.status}`);
    const obj = r.body as KubeObject;
    return { data: readCertSecret(obj), resourceVersion: obj.metadata?.['resourceVersion'] as string | undefined, exists: true };
  }

  async function writeSecret(data: CertSecretData, resourceVersion: string | undefined, exists: boolean): Promise<boolean> {
    const body = certSecret(o.namespace, o.secretName, data, resourceVersion);
    const r = exists
      ? await o.api.request('PUT', `${secretPath}/${encodeURIComponent(o.secretName)}`, { body })
      : await o.api.request('POST', secretPath, { body });
    if (r.status === 409) return false;
    if (r.status !== 200 && r.status !== 201) throw new Error(`writing Secret ${o.namespace}/${o.secretName}: HTTP ${r.status}`);
    return true;
  }

  async function getConfigs(): Promise<Map<WebhookConfigKind, KubeObject | undefined>> {
    const out = new Map<WebhookConfigKind, KubeObject | undefined>();
    for (const kind of Object.keys(WEBHOOK_CONFIG_PATHS) as WebhookConfigKind[]) {
      const r = await o.api.request('GET', `${WEBHOOK_CONFIG_PATHS[kind]}/${encodeURIComponent(o.webhookConfigName)}`);
      out.set(kind, r.status === 200 ? (r.body as KubeObject) : undefined);
    }
    return out;
  }

  /** True when every entry of every configuration carries a bundle that holds `caPem`'s signatures. */
  function injectedTrusts(configs: Map<WebhookConfigKind, KubeObject | undefined>, certPem: string): string | undefined {
    for (const [kind, config] of configs) {
      if (!config) return `${kind} ${o.webhookConfigName} not found`;
      const bundles = injectedBundles(config);
      if (bundles.length === 0) return `${kind} ${o.webhookConfigName} has no webhooks`;
      if (!bundles.every((b) => b !== undefined && bundleTrusts(Buffer.from(b, 'base64').toString('utf8'), certPem))) {
        return `the caBundle of ${kind} ${o.webhookConfigName} does not yet trust the serving certificate`;
      }
    }
    return undefined;
  }

  /** True when every entry of every configuration has a caBundle holding `caPem`. */
  function injectedHolds(configs: Map<WebhookConfigKind, KubeObject | undefined>, caPem: string): boolean {
    const wanted = splitBundle(caPem)[0];
    return [...configs.values()].every((config) => config !== undefined && injectedBundles(config).length > 0
      && injectedBundles(config).every((b) => b !== undefined && splitBundle(Buffer.from(b, 'base64').toString('utf8')).includes(wanted!)));
  }

  async function newLeaf(ca: { certPem: string; keyPem: string }, at: Date): Promise<{ certPem: string; keyPem: string }> {
    o.metrics?.rotations.inc({ certificate: 'serving' });
    return createServingCertificate({ ca, now: at, validityDays: o.leafValidityDays, hosts: o.hosts });
  }

  async function lead(at: Date): Promise<void> {
    const s = await getSecret();
    let data = s.data;
    let changed = false;
    if (!data) {
      const ca = await createCA({ now: at, validityDays: o.caValidityDays });
      const leaf = await newLeaf(ca, at);
      o.metrics?.rotations.inc({ certificate: 'ca' });
      data = { certPem: leaf.certPem, keyPem: leaf.keyPem, caPem: ca.certPem, caKeyPem: ca.keyPem, bundlePem: buildBundle([ca.certPem], at) };
      log.info({ secret: `${o.namespace}/${o.secretName}` }, 'created CA and serving certificate');
      changed = true;
    } else {
      const bundle = buildBundle([data.bundlePem, data.caPem], at);
      if (bundle !== data.bundlePem) { data = { ...data, bundlePem: bundle }; changed = true; }
      if (needsRenewal(data.caPem, { at, renewBeforeMs: o.renewBeforeMs })) {
        const ca = await createCA({ now: at, validityDays: o.caValidityDays });
        o.metrics?.rotations.inc({ certificate: 'ca' });
        data = { ...data, caPem: ca.certPem, caKeyPem: ca.keyPem, bundlePem: buildBundle([data.bundlePem, ca.certPem], at) };
        log.info('rotating the CA: the new CA joins the caBundle; serving certificates move to it once it is injected');
        changed = true;
      }
    }
    if (changed && !(await writeSecret(data, s.resourceVersion, s.exists))) return;

    // Inject the bundle, then (on a later pass) move the serving certificate to the current CA.
    const configs = await getConfigs();
    const desired = toCaBundleField(data.bundlePem);
    for (const [kind, config] of configs) {
      if (!config) continue;
      const ops = injectionPatch(config, desired);
      if (ops.length === 0) continue;
      const r = await o.api.request('PATCH', `${WEBHOOK_CONFIG_PATHS[kind]}/${encodeURIComponent(o.webhookConfigName)}`, { body: ops, contentType: 'application/json-patch+json' });
      if (r.status === 200) {
        o.metrics?.injections.inc({ kind });
        log.info({ kind, name: o.webhookConfigName }, 'caBundle injected');
      } else {
        log.warn({ kind, status: r.status }, 'caBundle injection failed; retrying');
      }
    }

    const leafFromCurrentCa = bundleTrusts(data.caPem, data.certPem);
    const hostsMatch = [...o.hosts].sort().join(',') === certificateHosts(data.certPem).sort().join(',');
    const renew = needsRenewal(data.certPem, { at, renewBeforeMs: Math.min(o.renewBeforeMs, (o.leafValidityDays * DAY_MS) / 3) });
    if (!leafFromCurrentCa || !hostsMatch || renew) {
      // A serving certificate from a new CA is served only once the injected bundles (as read at
      // the start of this pass, so injected on an earlier one) hold that CA.
      if (!leafFromCurrentCa && !injectedHolds(configs, data.caPem)) return;
      const leaf = await newLeaf({ certPem: data.caPem, keyPem: data.caKeyPem }, at);
      const latest = await getSecret();
      if (await writeSecret({ ...data, certPem: leaf.certPem, keyPem: leaf.keyPem }, latest.resourceVersion, true)) {
        log.info({ reason: !leafFromCurrentCa ? 'new CA' : !hostsMatch ? 'hosts changed' : 'expiry ahead' }, 'serving certificate renewed');
      }
    }
  }

  async function pass(): Promise<void> {
    const at = now();
    try {
      leader = await tryAcquireLease(o.api, { namespace: o.namespace, name: o.leaseName, identity: o.identity, durationMs: o.leaseDurationMs }, at);
    } catch (err) {
      leader = false;
      log.warn({ err: (err as Error).message }, 'lease check failed');
    }
    o.metrics?.leader.set(leader ? 1 : 0);
    if (leader) await lead(at);
    const s = await getSecret();
    if (s.data) o.tls.update({ caPem: s.data.bundlePem, certPem: s.data.certPem, keyPem: s.data.keyPem });
    const served = o.tls.current();
    notReady = served ? injectedTrusts(await getConfigs(), served.certPem) : 'no serving certificate yet';
  }

  function tick(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .catch((err) => { log.warn({ err: (err as Error).message }, 'certificate pass failed; retrying'); })
      .finally(() => {
        running = undefined;
        if (again && !stopped) { again = false; void tick(); }
      });
    return running;
  }

  // Watches make changes (an overwritten caBundle, a Secret renewed by the leader) act within seconds.
  const quietLogger = o.logger.child({ component: 'certs-watch' });
  const noop = { relisted: () => undefined, watchRestarted: () => undefined, event: () => undefined };
  const watchers: Reflector[] = [
    ...(Object.keys(WEBHOOK_CONFIG_PATHS) as WebhookConfigKind[]).map((kind) => startReflector({
      kind, path: WEBHOOK_CONFIG_PATHS[kind], fieldSelector: `metadata.name=${o.webhookConfigName}`, api: o.api, logger: quietLogger, observer: noop,
      apply: () => void tick(), watchdogMs: 180_000, optional: true,
    })),
    startReflector({
      kind: 'Secret', path: secretPath, fieldSelector: `metadata.name=${o.secretName}`, api: o.api, logger: quietLogger, observer: noop,
      apply: () => void tick(), watchdogMs: 180_000, optional: true,
    }),
  ];
  const interval = setInterval(() => void tick(), o.intervalMs);
  interval.unref();
  void tick();

  return {
    notReadyReason: () => notReady,
    isLeader: () => leader,
    tick,
    stop() {
      stopped = true;
      clearInterval(interval);
      for (const w of watchers) w.stop();
    },
  };
}
