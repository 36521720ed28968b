/**
 * Two small watches for the platform policy: the cluster-scoped NotifyGuardPolicy named
 * `default` (full objects, handed to `onChange` as they arrive; undefined when it is deleted) and
 * Namespaces as metadata only (their labels, for the conventions' scope and templates). Both are
 * optional collections: a cluster without the CRD, or without RBAC on namespaces, leaves them
 * untracked (no policy object; no labels) and the webhook runs as before. This module carries
 * objects; what a policy means is decided by src/policy.
 */
import type { KubeApi } from './kube-api.ts';
import { PARTIAL_METADATA_LIST } from './kube-api.ts';
import type { Reflector, ReflectorObserver } from './reflector.ts';
import { startReflector } from './reflector.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { Logger } from '../observability/logger.ts';

/** The NotifyGuardPolicy API. */
export const POLICY_GROUP = 'notify-guard.fluxcd.community';
export const POLICY_VERSION = 'v1alpha1';
export const POLICY_PLURAL = 'notifyguardpolicies';

/** Settings of the watches. */
export interface PolicyWatchOptions {
  readonly api: KubeApi;
  readonly logger: Logger;
  readonly observer: ReflectorObserver;
  readonly watchdogMs: number;
  /** The one NotifyGuardPolicy read. */
  readonly name: string;
  /** Called with the policy object on every change, and with undefined once it is deleted. */
  readonly onChange: (policy: KubeObject | undefined) => void;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/** The running watches. */
export interface PolicyWatch {
  /** The labels of a namespace; undefined when unknown (not listed yet, or namespaces not readable). */
  labels(namespace: string): Readonly<Record<string, string>> | undefined;
  /** Why the watches are not ready, or undefined. */
  notReadyReason(): string | undefined;
  /** Writes the policy object's status (status subresource, merge patch); resolves to the HTTP status. */
  writeStatus(status: unknown): Promise<number>;
  stop(): void;
}

/** Starts both watches. */
export function startPolicyWatch(o: PolicyWatchOptions): PolicyWatch {
  const labels = new Map<string, Readonly<Record<string, string>>>();
  const base = {
    api: o.api,
    logger: o.logger,
    observer: o.observer,
    watchdogMs: o.watchdogMs,
    optional: true,
    ...(o.backoff ? { backoff: o.backoff } : {}),
  };
  const collection = `/apis/${POLICY_GROUP}/${POLICY_VERSION}/${POLICY_PLURAL}`;
  const reflectors: { kind: string; r: Reflector }[] = [
    {
      kind: 'NotifyGuardPolicy',
      r: startReflector({
        ...base,
        kind: 'NotifyGuardPolicy',
        path: collection,
        fieldSelector: `metadata.name=${o.name}`,
        apply: (event, obj) => o.onChange(event === 'delete' ? undefined : (obj as KubeObject)),
      }),
    },
    {
      kind: 'Namespace',
      r: startReflector({
        ...base,
        kind: 'Namespace',
        path: '/api/v1/namespaces',
        accept: PARTIAL_METADATA_LIST,
        apply: (event, obj) => {
          const meta = (obj['metadata'] ?? {}) as { name?: string; labels?: Record<string, string> };
          if (event === 'delete') labels.delete(meta.name ?? '');
          else labels.set(meta.name ?? '', { ...(meta.labels ?? {}) });
        },
      }),
    },
  ];
  return {
    labels: (ns) => labels.get(ns),
    notReadyReason() {
      const waiting = reflectors.filter((x) => !x.r.synced()).map((x) => x.kind);
      return waiting.length > 0 ? `waiting for the initial list of ${waiting.join(', ')}` : undefined;
    },
    async writeStatus(status) {
      const r = await o.api.request('PATCH', `${collection}/${encodeURIComponent(o.name)}/status`, {
        body: { status },
        contentType: 'application/merge-patch+json',
        timeoutMs: 5_000,
      });
      return r.status;
    },
    stop() {
      for (const x of reflectors) x.r.stop();
    },
  };
}
