/**
 * API discovery: which notification.toolkit.fluxcd.io version the cluster serves, and where each
 * Flux source kind and Secret producer kind lives (group, version, plural), from /apis/<group>
 * and /apis/<group>/<version>.
 */
import type { KubeApi } from './kube-api.ts';
import { NOTIFICATION_GROUP, NOTIFICATION_VERSIONS, SOURCE_KIND_GROUPS } from '../flux/api.ts';
import { SECRET_PRODUCER_KINDS } from '../flux/secret-producers.ts';

/** A served resource. */
export interface Resource {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

interface APIGroup {
  versions?: { version: string }[];
  preferredVersion?: { version: string };
}
interface APIResourceList {
  resources?: { name: string; kind: string }[];
}

/** The newest notification version served (v1beta3, else v1beta2, else v1beta1). */
export async function notificationVersion(api: KubeApi): Promise<string> {
  const r = await api.request('GET', `/apis/${NOTIFICATION_GROUP}`);
  if (r.status !== 200)
    throw new Error(
      `discovery of ${NOTIFICATION_GROUP} failed: HTTP ${r.status}; is Flux's notification-controller installed?`,
    );
  const served = new Set(((r.body as APIGroup).versions ?? []).map((v) => v.version));
  const version = NOTIFICATION_VERSIONS.find((v) => served.has(v));
  if (!version)
    throw new Error(
      `${NOTIFICATION_GROUP} serves ${[...served].join(', ') || 'no version'}; notify-guard reads ${NOTIFICATION_VERSIONS.join(', ')}`,
    );
  return version;
}

/** The Flux source kinds the cluster serves, at their preferred versions. Unserved groups are skipped. */
export async function sourceResources(api: KubeApi): Promise<Resource[]> {
  const out: Resource[] = [];
  const groups = [...new Set(Object.values(SOURCE_KIND_GROUPS))];
  for (const group of groups) {
    const g = await api.request('GET', `/apis/${group}`);
    if (g.status !== 200) continue;
    const version = (g.body as APIGroup).preferredVersion?.version;
    if (!version) continue;
    const list = await api.request('GET', `/apis/${group}/${version}`);
    if (list.status !== 200) continue;
    for (const res of (list.body as APIResourceList).resources ?? []) {
      if (res.name.includes('/')) continue;
      if (SOURCE_KIND_GROUPS[res.kind] === group) out.push({ kind: res.kind, group, version, plural: res.name });
    }
  }
  return out;
}

/**
 * The Secret producer kinds the cluster serves (ExternalSecret, SealedSecret), each at the newest
 * version this project reads that the cluster serves. Unserved groups are skipped.
 */
export async function producerResources(api: KubeApi): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const p of SECRET_PRODUCER_KINDS) {
    const g = await api.request('GET', `/apis/${p.group}`);
    if (g.status !== 200) continue;
    const served = new Set(((g.body as APIGroup).versions ?? []).map((v) => v.version));
    const version = p.versions.find((v) => served.has(v));
    if (!version) continue;
    const list = await api.request('GET', `/apis/${p.group}/${version}`);
    if (list.status !== 200) continue;
    const res = ((list.body as APIResourceList).resources ?? []).find(
      (r) => r.kind === p.kind && !r.name.includes('/'),
    );
    if (res) out.push({ kind: p.kind, group: p.group, version, plural: res.name });
  }
  return out;
}
