/**
 * What `notify-guard audit` and `coverage` read, once: the Alerts and Providers, the Flux objects
 * that may need watching, Namespace labels, the NotifyGuardPolicy "default" if there is one, and
 * a cluster view for the rules; from manifests (`--cluster-dir`) or from the API server.
 */
import type { KubeApi } from '../cluster/kube-api.ts';
import type { KubeObject } from '../flux/objects.ts';
import { NOTIFICATION_GROUP, SOURCE_KIND_GROUPS, parseApiVersion } from '../flux/api.ts';
import type { ClusterView } from '../cluster/cluster-view.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import { loadManifests } from '../cluster/manifests.ts';
import type { NamespaceLabels } from '../policy/conventions/evaluate-conventions.ts';
import { namespaceLabelsFrom } from '../policy/conventions/evaluate-conventions.ts';
import type { AuditSubject } from '../policy/audit.ts';
import { COVERAGE_KINDS } from '../policy/coverage.ts';
import { POLICY_API_VERSION, POLICY_KIND } from '../policy/policy-file.ts';
import { CLUSTER_POLICY_NAME } from '../policy/policy-object.ts';

/** Where an object was found: a file and line, or `cluster/<namespace>/<kind>/<name>` line 1. */
export interface Location {
  readonly source: string;
  readonly line: number;
  readonly column?: number;
}

/** The cluster as read once. */
export interface ClusterSnapshot {
  readonly subjects: readonly AuditSubject<Location>[];
  readonly fluxObjects: readonly AuditSubject<Location>[];
  readonly alerts: readonly KubeObject[];
  readonly providers: readonly KubeObject[];
  readonly view: ClusterView;
  readonly namespaces: NamespaceLabels;
  readonly clusterPolicy: KubeObject | undefined;
}

/** Reads a snapshot from manifests below `dir` (objects without a namespace are in `default`). */
export async function snapshotFromDir(dir: string): Promise<ClusterSnapshot> {
  const loaded = (await loadManifests(dir)).map((l) =>
    l.object.metadata?.namespace || !isNamespaced(l.object)
      ? l
      : { ...l, object: { ...l.object, metadata: { ...l.object.metadata, namespace: 'default' } } },
  );
  return build(
    loaded.map((l) => ({
      object: l.object,
      at: { source: l.source, line: l.line, ...(l.column !== undefined ? { column: l.column } : {}) },
    })),
  );
}

/** Reads a snapshot from the API server (kubeconfig as for the webhook). */
export async function snapshotFromCluster(
  kubeconfig: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ClusterSnapshot> {
  const { openKubeApi } = await import('../cluster/kube-credentials.ts');
  return snapshotFromApi((await openKubeApi(kubeconfig, env)).api);
}

/**
 * Reads a snapshot through `api`. With `view` (the webhook's live view, which already holds the
 * Secrets of its scope as facts) Secrets are not listed and the rules read that view.
 */
export async function snapshotFromApi(api: KubeApi, o: { view?: ClusterView } = {}): Promise<ClusterSnapshot> {
  const { PARTIAL_METADATA_LIST } = await import('../cluster/kube-api.ts');
  const { notificationVersion, sourceResources } = await import('../cluster/discovery.ts');
  const { listObjects } = await import('../cluster/list-objects.ts');
  const { POLICY_GROUP, POLICY_PLURAL, POLICY_VERSION } = await import('../cluster/policy-watch.ts');
  const version = await notificationVersion(api);
  const as = (kind: string, apiVersion: string) => (items: Record<string, unknown>[]) =>
    items.map((x) => ({ ...(x as KubeObject), kind, apiVersion }));
  const [alerts, providers, secrets, namespaces, policies] = await Promise.all([
    listObjects(api, `/apis/${NOTIFICATION_GROUP}/${version}/alerts`).then(
      as('Alert', `${NOTIFICATION_GROUP}/${version}`),
    ),
    listObjects(api, `/apis/${NOTIFICATION_GROUP}/${version}/providers`).then(
      as('Provider', `${NOTIFICATION_GROUP}/${version}`),
    ),
    o.view
      ? Promise.resolve([])
      : listObjects(api, '/api/v1/secrets', {
          fieldSelector: 'type!=kubernetes.io/service-account-token',
          optional: true,
        }).then(as('Secret', 'v1')),
    listObjects(api, '/api/v1/namespaces', { accept: PARTIAL_METADATA_LIST, optional: true }).then(
      as('Namespace', 'v1'),
    ),
    listObjects(api, `/apis/${POLICY_GROUP}/${POLICY_VERSION}/${POLICY_PLURAL}`, {
      optional: true,
      fieldSelector: `metadata.name=${CLUSTER_POLICY_NAME}`,
    }).then(as(POLICY_KIND, POLICY_API_VERSION)),
  ]);
  const sources: KubeObject[] = [];
  for (const r of await sourceResources(api)) {
    sources.push(
      ...as(
        r.kind,
        `${r.group}/${r.version}`,
      )(
        await listObjects(api, `/apis/${r.group}/${r.version}/${r.plural}`, {
          accept: PARTIAL_METADATA_LIST,
          optional: true,
        }),
      ),
    );
  }
  const all = [...alerts, ...providers, ...secrets, ...namespaces, ...policies, ...sources];
  const snapshot = build(
    all.map((object) => ({
      object,
      at: {
        source: `cluster/${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.kind}/${object.metadata?.name ?? ''}`,
        line: 1,
      },
    })),
  );
  return o.view ? { ...snapshot, view: o.view } : snapshot;
}

function build(all: readonly AuditSubject<Location>[]): ClusterSnapshot {
  const flux = (o: KubeObject, kind: string) =>
    o.kind === kind && parseApiVersion(String(o.apiVersion ?? '')).group === NOTIFICATION_GROUP;
  const subjects = all.filter((s) => flux(s.object, 'Alert') || flux(s.object, 'Provider'));
  return {
    subjects,
    fluxObjects: all.filter(
      (s) =>
        (COVERAGE_KINDS as readonly string[]).includes(String(s.object.kind)) &&
        parseApiVersion(String(s.object.apiVersion ?? '')).group === SOURCE_KIND_GROUPS[String(s.object.kind)],
    ),
    alerts: subjects.filter((s) => s.object.kind === 'Alert').map((s) => s.object),
    providers: subjects.filter((s) => s.object.kind === 'Provider').map((s) => s.object),
    view: staticClusterView(all.map((s) => s.object).filter((o) => o.kind !== 'Namespace' && o.kind !== POLICY_KIND)),
    namespaces: namespaceLabelsFrom(all.map((s) => s.object)),
    clusterPolicy: all.find(
      (s) =>
        s.object.kind === POLICY_KIND &&
        s.object.apiVersion === POLICY_API_VERSION &&
        s.object.metadata?.name === CLUSTER_POLICY_NAME,
    )?.object,
  };
}

function isNamespaced(o: KubeObject): boolean {
  return (
    o.kind !== 'Namespace' &&
    o.kind !== POLICY_KIND &&
    o.kind !== 'CustomResourceDefinition' &&
    o.kind !== 'ClusterRole' &&
    o.kind !== 'ClusterRoleBinding'
  );
}
