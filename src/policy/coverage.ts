/**
 * Notification coverage: which Flux objects no Alert would send events of. An Alert covers an
 * object as notification-controller routes an event of it (`filterAlertsForEvent`: not suspended;
 * `eventMatchesAlertSources` / `eventMatchesAlertSource`: same kind, the source's namespace
 * defaulting to the Alert's, name `*` or equal, every matchLabels label equal), and only when its
 * Provider exists and is not suspended (`getNotificationParams`). Severity is left aside: an `info`
 * Alert takes every event and an `error` Alert takes the errors, and both tell about failures.
 * Inclusion and exclusion lists are left aside too (they filter messages, not objects). Pure.
 */
import type { KubeObject } from '../flux/objects.ts';
import { alertView, providerView } from '../flux/objects.ts';
import { userSuspended } from './defaults/relay-mode.ts';

/** A Flux object that events may be about (metadata only). */
export interface FluxObjectMeta {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Whether an object is covered, and by which Alerts (`namespace/name`). */
export interface CoverageEntry extends FluxObjectMeta {
  readonly alerts: readonly string[];
}

/** The kinds coverage reports by default: what a platform deploys with, and its sources. */
export const COVERAGE_KINDS = [
  'Kustomization',
  'HelmRelease',
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'HelmChart',
  'Bucket',
] as const;

/** Alerts that deliver: not suspended, with a Provider that exists and is not suspended. */
export function deliveringAlerts(alerts: readonly KubeObject[], providers: readonly KubeObject[]): KubeObject[] {
  const live = new Set(
    providers
      .map(providerView)
      .filter((p) => !userSuspended(p))
      .map((p) => `${p.namespace}/${p.name}`),
  );
  return alerts.filter((a) => {
    const v = alertView(a);
    return !v.suspend && live.has(`${v.namespace}/${v.providerName}`);
  });
}

/** True when the Alert would take events of the object. */
export function alertCovers(alert: KubeObject, o: FluxObjectMeta): boolean {
  const a = alertView(alert);
  return a.eventSources.some(
    (s) =>
      s.kind === o.kind &&
      (s.namespace || a.namespace) === o.namespace &&
      (s.name === '*' || s.name === o.name) &&
      Object.entries(s.matchLabels ?? {}).every(([k, v]) => o.labels[k] === v),
  );
}

/** Each object with the Alerts covering it, in the order given. */
export function coverage(objects: readonly FluxObjectMeta[], alerts: readonly KubeObject[]): CoverageEntry[] {
  return objects.map((o) => ({
    ...o,
    alerts: alerts
      .filter((a) => alertCovers(a, o))
      .map((a) => `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`),
  }));
}
