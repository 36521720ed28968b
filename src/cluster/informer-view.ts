/**
 * The live ClusterView: reflectors (list + watch) for Alerts and Providers at the notification
 * version the cluster serves, Secrets in the configured scope (reduced to facts on arrival),
 * and Flux sources as metadata only (for the relay, GitRepositories and Kustomizations in full, of
 * which only the Git URL and sourceRef are kept). All lookups are answered from the indexed store.
 */
import type { KubeApi } from './kube-api.ts';
import { PARTIAL_METADATA_LIST } from './kube-api.ts';
import type { Reflector, StoreEvent } from './reflector.ts';
import { startReflector } from './reflector.ts';
import { ObjectIndex } from './object-index.ts';
import { ORIGIN_KINDS } from './source-origin.ts';
import type { ClusterView } from './cluster-view.ts';
import type { SecretScope } from './secret-scope.ts';
import { SECRET_FIELD_SELECTOR, secretPaths } from './secret-scope.ts';
import { notificationVersion, producerResources, sourceResources } from './discovery.ts';
import { NOTIFICATION_GROUP } from '../flux/api.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { Logger } from '../observability/logger.ts';
import type { ClusterMetrics } from '../observability/cluster-metrics.ts';

/** Settings of the live view. */
export interface InformerViewOptions {
  readonly api: KubeApi;
  readonly logger: Logger;
  readonly metrics: ClusterMetrics;
  readonly secretScope: SecretScope;
  readonly watchdogMs: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** List GitRepositories and Kustomizations in full, keeping only their origin (the relay's commit links). */
  readonly keepSourceOrigins?: boolean;
  /** Monotonic clock in milliseconds, for the initial sync's duration (default: performance.now). */
  readonly now?: () => number;
}

/** The live view, with lifecycle and readiness. */
export interface InformerView extends ClusterView {
  /** The notification API version being watched. */
  readonly notificationVersion: string;
  /** Why the view is not ready (undefined when every required collection is listed). */
  notReadyReason(): string | undefined;
  /** Resolves once synced, or rejects after `timeoutMs`. */
  waitForSync(timeoutMs: number): Promise<void>;
  /** Object counts, for logs. */
  counts(): Record<string, number>;
  stop(): void;
}

/** A running reflector and what it fills. */
interface Collection {
  readonly kind: string;
  readonly required: boolean;
  readonly r: Reflector;
}

/** Discovers the served versions and starts every reflector. */
export async function startInformerView(o: InformerViewOptions): Promise<InformerView> {
  const now = o.now ?? (() => performance.now());
  const started = now();
  const version = await notificationVersion(o.api);
  const sources = await sourceResources(o.api);
  const producers = await producerResources(o.api);
  const index = new ObjectIndex();
  // Logged once every collection has synced: how long discovery and the initial lists took.
  const onSynced = () => {
    if (reflectors.every((x) => x.r.synced()))
      o.logger.info({ ms: Math.round(now() - started), objects: index.counts() }, 'cluster view synced');
  };
  const start = collectionStarter(o, index, onSynced);
  const reflectors: Collection[] = [
    start('Alert', `/apis/${NOTIFICATION_GROUP}/${version}/alerts`),
    start('Provider', `/apis/${NOTIFICATION_GROUP}/${version}/providers`),
    ...secretPaths(o.secretScope).map((path) =>
      start('Secret', path, {
        fieldSelector: SECRET_FIELD_SELECTOR,
        ...(o.secretScope.labelSelector ? { labelSelector: o.secretScope.labelSelector } : {}),
      }),
    ),
    // For the relay, GitRepositories and Kustomizations in full: the index keeps only their origin (source-origin.ts).
    ...sources.map((s) =>
      start(s.kind, `/apis/${s.group}/${s.version}/${s.plural}`, {
        ...(o.keepSourceOrigins === true && ORIGIN_KINDS.has(s.kind) ? {} : { accept: PARTIAL_METADATA_LIST }),
        optional: true,
      }),
    ),
    // Secret producers (ExternalSecret, SealedSecret): listed in full, reduced on arrival by the
    // index to names, target names and key names; no value is kept.
    ...producers.map((p) =>
      start(p.kind, `/apis/${p.group}/${p.version}/${p.plural}`, {
        optional: true,
        apiVersion: `${p.group}/${p.version}`,
      }),
    ),
  ];
  o.metrics.bind({
    counts: () => index.counts(),
    lastEventAgeSeconds: () => {
      const ages: Record<string, number> = {};
      for (const x of reflectors) ages[x.kind] = Math.max(ages[x.kind] ?? 0, x.r.lastEventAgeMs() / 1000);
      return ages;
    },
  });
  return viewOver(o, version, index, reflectors);
}

/** How one collection is read: its Accept, selectors, whether it may be missing, its apiVersion. */
interface CollectionOptions {
  accept?: string;
  labelSelector?: string;
  fieldSelector?: string;
  optional?: boolean;
  apiVersion?: string;
}

/** Starts reflectors that fill `index` (objects stored with their kind, and `apiVersion` if given). */
function collectionStarter(o: InformerViewOptions, index: ObjectIndex, onSynced: () => void) {
  const applyAs = (kind: string, apiVersion?: string) => (event: StoreEvent, obj: Record<string, unknown>) => {
    const meta = (obj['metadata'] ?? {}) as { name?: string; namespace?: string };
    if (event === 'delete') index.remove(kind, meta.namespace ?? '', meta.name ?? '');
    else index.upsert({ ...(obj as KubeObject), kind, ...(apiVersion ? { apiVersion } : {}) });
  };
  return (kind: string, path: string, extra: CollectionOptions = {}): Collection => {
    const { apiVersion, ...rest } = extra;
    const r = startReflector({
      kind,
      path,
      api: o.api,
      logger: o.logger,
      observer: o.metrics.observer,
      apply: applyAs(kind, apiVersion),
      onSynced,
      watchdogMs: o.watchdogMs,
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...rest,
    });
    return { kind, required: !extra.optional, r };
  };
}

/** The view answered from `index`, ready once every required collection is listed. */
function viewOver(o: InformerViewOptions, version: string, index: ObjectIndex, reflectors: Collection[]): InformerView {
  const notReadyReason = () => {
    const waiting = [...new Set(reflectors.filter((x) => !x.r.synced()).map((x) => x.kind))];
    return waiting.length > 0 ? `waiting for the initial list of ${waiting.join(', ')}` : undefined;
  };
  const synced = () => notReadyReason() === undefined;
  const secretsAuthoritative = o.secretScope.labelSelector === undefined;
  return {
    notificationVersion: version,
    synced,
    notReadyReason,
    covers(kind, namespace) {
      if (kind === 'Provider') return true;
      return (
        secretsAuthoritative && (o.secretScope.namespaces.length === 0 || o.secretScope.namespaces.includes(namespace))
      );
    },
    waitForSync: (timeoutMs) =>
      waitUntil(synced, timeoutMs, () => `cluster view not synced after ${timeoutMs} ms: ${notReadyReason()}`),
    counts: () => index.counts(),
    stop() {
      for (const x of reflectors) x.r.stop();
    },
    getAlert: (ns, n) => index.getAlert(ns, n),
    getProvider: (ns, n) => index.getProvider(ns, n),
    providerNamespaces: (n) => index.providerNamespaces(n),
    getSecret: (ns, n) => index.getSecret(ns, n),
    secretNamespaces: (n) => index.secretNamespaces(n),
    secretProducers: (ns, n) => index.secretProducers(ns, n),
    alertsReferencingProvider: (ns, n) => index.alertsReferencingProvider(ns, n),
    alertsWatching: (kind, ns) => index.alertsWatching(kind, ns),
    providersReferencingSecret: (ns, n) => index.providersReferencingSecret(ns, n),
    tracksSourceKind: (kind) =>
      reflectors.some((x) => x.kind === kind && x.r.synced() && x.r.unavailable() === undefined),
    getSource: (kind, ns, n) => index.getSource(kind, ns, n),
    gitUrlOf: (kind, ns, n) => index.gitUrlOf(kind, ns, n),
  };
}

/** Resolves once `done()` holds (checked every 20 ms), or rejects with `message()` after `timeoutMs`. */
function waitUntil(done: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (done()) resolve();
      else if (Date.now() > deadline) reject(new Error(message()));
      else setTimeout(check, 20);
    };
    check();
  });
}
