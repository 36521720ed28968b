/**
 * Where the served certificate comes from: `--cert-dir` (generated when absent, hot-reloaded
 * when the files change: cert-manager or any mounted Secret), or `--self-managed-certs` (a
 * Secret and a Lease in the cluster; see src/certs/self-managed.ts).
 */
import type { Registry } from 'prom-client';
import type { KubeApi } from '../cluster/kube-api.ts';
import { ensureCertDir } from '../certs/cert-dir.ts';
import { serviceHosts } from '../certs/certificates.ts';
import { watchCertFiles } from '../certs/cert-files-watcher.ts';
import { startSelfManagedCerts } from '../certs/self-managed.ts';
import { createServingTls } from '../certs/serving-tls.ts';
import type { ServingTls } from '../certs/serving-tls.ts';
import { createCertMetrics } from '../observability/cert-metrics.ts';
import type { Logger } from '../observability/logger.ts';
import { UsageError } from './flag-values.ts';

const DAY_MS = 86_400_000;

/** Certificate flags. */
export interface ServingCertOptions {
  readonly reloadIntervalMs: number;
  readonly selfManaged:
    | {
        readonly secretName: string;
        readonly leaseName: string;
        readonly webhookConfigName: string;
        readonly identity: string;
        readonly caValidityDays: number;
        readonly leafValidityDays: number;
        readonly renewBeforeDays: number;
      }
    | undefined;
}

/** The chosen source. */
export interface ServingCerts {
  readonly tls: ServingTls;
  notReadyReason(): string | undefined;
  /** Stops watching; self-management also gives its Lease up. */
  stop(): Promise<void>;
}

/** Opens the certificate source the flags select. */
export async function openServingCerts(
  o: ServingCertOptions,
  d: {
    certDir: string;
    serviceName: string;
    serviceNamespace: string;
    namespace: string;
    api: KubeApi | undefined;
    registry: Registry;
    logger: Logger;
  },
): Promise<ServingCerts> {
  const tls = createServingTls();
  const metrics = createCertMetrics(d.registry, () => tls.secondsToExpiry(new Date()));
  const hosts = serviceHosts(d.serviceName, d.serviceNamespace);
  if (o.selfManaged) {
    if (!d.api)
      throw new UsageError('--self-managed-certs needs the API server (run in a cluster or pass --kubeconfig)');
    const m = o.selfManaged;
    const certs = startSelfManagedCerts({
      api: d.api,
      logger: d.logger,
      tls,
      metrics,
      namespace: d.namespace,
      secretName: m.secretName,
      leaseName: m.leaseName,
      identity: m.identity,
      webhookConfigName: m.webhookConfigName,
      hosts,
      caValidityDays: m.caValidityDays,
      leafValidityDays: m.leafValidityDays,
      renewBeforeMs: m.renewBeforeDays * DAY_MS,
      intervalMs: 30_000,
    });
    return { tls, notReadyReason: () => certs.notReadyReason(), stop: () => certs.stop() };
  }
  const { files, generated } = await ensureCertDir(d.certDir, {
    hosts: [...hosts, 'localhost', '127.0.0.1'],
    now: new Date(),
  });
  if (generated) d.logger.info({ certDir: d.certDir }, 'generated a local CA and serving certificate');
  tls.update(files);
  const watcher = watchCertFiles(d.certDir, {
    pollMs: o.reloadIntervalMs,
    logger: d.logger,
    onChange: (f) => tls.update(f),
    initial: files,
  });
  return {
    tls,
    notReadyReason: () => (tls.current() ? undefined : 'no serving certificate'),
    stop: async () => watcher.stop(),
  };
}
