/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does: the
 * holder renews `renewTime`; another replica takes over only after `leaseDurationSeconds` without
 * renewal. Every write carries the read resourceVersion, so two replicas cannot both win.
 */
import type { KubeApi } from '../cluster/kube-api.ts';

/** Lease settings. */
export interface LeaseOptions {
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity (the pod name). */
  readonly identity: string;
  readonly durationMs: number;
}

interface Lease {
  metadata?: { resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string; leaseTransitions?: number };
}

/** MicroTime as the API serves it: RFC 3339 with microseconds. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Acquires or renews the lease at `now`; true when this replica holds it afterwards. */
export async function tryAcquireLease(api: KubeApi, o: LeaseOptions, now: Date): Promise<boolean> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`;
  const seconds = Math.max(1, Math.round(o.durationMs / 1000));
  const got = await api.request('GET', `${path}/${encodeURIComponent(o.name)}`);
  if (got.status === 404) {
    const created = await api.request('POST', path, {
      body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name, namespace: o.namespace }, spec: { holderIdentity: o.identity, leaseDurationSeconds: seconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 } },
    });
    return created.status === 201 || created.status === 200;
  }
  if (got.status !== 200) return false;
  const lease = got.body as Lease;
  const spec = lease.spec ?? {};
  const mine = spec.holderIdentity === o.identity;
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
  const expired = now.getTime() > renewed + (spec.leaseDurationSeconds ?? seconds) * 1000;
  if (!mine && !expired && spec.holderIdentity) return false;
  const next = {
    ...lease,
    spec: {
      ...spec,
      holderIdentity: o.identity,
      leaseDurationSeconds: seconds,
      renewTime: microTime(now),
      ...(mine ? {} : { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    },
  };
  const put = await api.request('PUT', `${path}/${encodeURIComponent(o.name)}`, { body: next });
  return put.status === 200;
}
