/**
 * Chooses where cluster state comes from: `--cluster-dir` (manifests, local use), or the live
 * API (in-cluster service account, `--kubeconfig`, or $KUBECONFIG / ~/.kube/config).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { ClusterView } from '../cluster/cluster-view.ts';
import { loadStaticClusterView } from '../cluster/static-view.ts';
import type { LiveLookup } from '../cluster/live-lookup.ts';
import type { KubeApi } from '../cluster/kube-api.ts';
import type { SecretScope } from '../cluster/secret-scope.ts';
import type { Logger } from '../observability/logger.ts';
import type { ClusterMetrics } from '../observability/cluster-metrics.ts';
import type { NamespaceLabels } from '../policy/conventions/evaluate-conventions.ts';
import { createClusterMetrics } from '../observability/cluster-metrics.ts';
import { UsageError } from './flag-values.ts';

/** Flags that choose and tune the cluster source. */
export interface ClusterSourceOptions {
  readonly clusterDir: string | undefined;
  readonly kubeconfig: string | undefined;
  readonly secretScope: SecretScope;
  readonly watchdogMs: number;
  readonly liveLookupTimeoutMs: number;
  /** List GitRepositories and Kustomizations in full to keep their Git URL and sourceRef (the relay's commit links). */
  readonly keepSourceOrigins?: boolean;
}

/** The chosen source. */
export interface ClusterSource {
  readonly view: ClusterView;
  /** API access, when the source is the API server (certificate self-management uses it). */
  readonly api: KubeApi | undefined;
  /** The notification API version served, when the source is the API server. */
  readonly notificationVersion: string | undefined;
  readonly liveLookup: LiveLookup | undefined;
  /**
   * Namespace labels read with the manifests (`--cluster-dir`: its Namespace objects), so that the
   * policy source need not read them a second time; undefined for the API server (the policy source
   * watches Namespaces itself).
   */
  readonly namespaces: NamespaceLabels | undefined;
  readonly clusterMetrics: ClusterMetrics | undefined;
  readonly describe: string;
  notReadyReason(): string | undefined;
  counts(): Record<string, number>;
  stop(): void;
}

/** Opens the cluster source the flags select. */
export async function openClusterSource(
  o: ClusterSourceOptions,
  registry: Registry,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ClusterSource> {
  if (o.clusterDir) {
    const view = await loadStaticClusterView(o.clusterDir);
    return {
      view,
      api: undefined,
      notificationVersion: undefined,
      liveLookup: undefined,
      namespaces: { labels: (ns) => view.namespaceLabels(ns) },
      clusterMetrics: undefined,
      describe: `manifests in ${o.clusterDir}`,
      notReadyReason: () => undefined,
      counts: () => view.counts(),
      stop: () => undefined,
    };
  }
  const haveConfig =
    o.kubeconfig ||
    env['KUBERNETES_SERVICE_HOST'] ||
    env['KUBECONFIG'] ||
    existsSync(join(homedir(), '.kube', 'config'));
  if (!haveConfig)
    throw new UsageError(
      'no cluster to read: run in a cluster, pass --kubeconfig FILE (or set KUBECONFIG), or pass --cluster-dir DIR for local use (try --cluster-dir examples/cluster)',
    );
  // Loaded only here. The kubeconfig is read by @kubernetes/client-node in a worker that then
  // exits: the library (~80 MB RSS) stays loaded only for plugin credentials (kube-credentials.ts).
  const { openKubeApi } = await import('../cluster/kube-credentials.ts');
  const { startInformerView } = await import('../cluster/informer-view.ts');
  const { createLiveLookup } = await import('../cluster/live-lookup.ts');
  const { api, transport } = await openKubeApi(o.kubeconfig, env);
  logger.debug({ transport }, 'API server access');
  const clusterMetrics = createClusterMetrics(registry);
  const view = await startInformerView({
    api,
    logger,
    metrics: clusterMetrics,
    secretScope: o.secretScope,
    watchdogMs: o.watchdogMs,
    ...(o.keepSourceOrigins ? { keepSourceOrigins: true } : {}),
  });
  return {
    view,
    api,
    notificationVersion: view.notificationVersion,
    liveLookup: createLiveLookup(api, {
      notificationVersion: view.notificationVersion,
      timeoutMs: o.liveLookupTimeoutMs,
    }),
    namespaces: undefined,
    clusterMetrics,
    describe: `the API server (notification ${view.notificationVersion})`,
    notReadyReason: () => view.notReadyReason(),
    counts: () => view.counts(),
    stop: () => view.stop(),
  };
}
