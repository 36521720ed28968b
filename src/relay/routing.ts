/**
 * Which Alerts an event goes to, with notification-controller's semantics (docs/routing.md):
 * severity (`info` takes all, `error` only errors), sources (kind exact; name exact or `*`;
 * namespace defaulting to the Alert's and compared exactly; matchLabels, next to `*` or a concrete
 * name, against the involved object's labels), inclusion/exclusion lists (RE2, unanchored, on the message;
 * exclusion wins; an invalid pattern never matches), suspended Alerts skipped, and cross-namespace
 * events blocked when Flux runs with --no-cross-namespace-refs.
 * Candidates come from an index by (source kind, namespace), so the cost does not grow with the
 * number of Alerts elsewhere. `slackDestinationKey` tells which Slack Providers post to the same
 * place, so that an event is sent there once (a deliberate difference from Flux: docs/routing.md).
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { AlertView, EventSource, KubeObject, ProviderView } from '../flux/objects.ts';
import { alertView } from '../flux/objects.ts';
import { re2Matches } from '../flux/re2.ts';
import { userSuspended } from '../policy/defaults/relay-mode.ts';
import type { FluxEvent } from './flux-event.ts';
import { compareText } from './plain-text.ts';

/** Routing settings. */
export interface RoutingOptions {
  /** Flux's --no-cross-namespace-refs: an Alert takes events of its own namespace only. */
  readonly noCrossNamespaceRefs: boolean;
}

/**
 * Whether an Alert takes an event: not suspended, its severity, a matching source, the exclusion
 * and inclusion lists, and the cross-namespace block. `labels` are the involved object's labels,
 * undefined when the object is not found. Follows `filterAlertsForEvent` and
 * `getNotificationParams` (cross-namespace check).
 */
function alertTakes(
  e: FluxEvent,
  a: AlertView,
  labels: Readonly<Record<string, string>> | undefined,
  o: RoutingOptions,
): boolean {
  if (a.suspend) return false;
  if ((a.eventSeverity ?? 'info') === 'error' && e.severity !== 'error') return false;
  if (!a.eventSources.some((s) => sourceMatches(e, s, a.namespace, labels))) return false;
  if (a.exclusionList.some((p) => re2Matches(p, e.message))) return false;
  if (a.inclusionList.length > 0 && !a.inclusionList.some((p) => re2Matches(p, e.message))) return false;
  return !(o.noCrossNamespaceRefs && e.involvedObject.namespace !== a.namespace);
}

/**
 * notification-controller's `eventMatchesAlertSource` (internal/server/event_handlers.go): kind and
 * namespace exact, name exact unless `*`, then, when matchLabels is set (with `*` or a concrete
 * name alike), the involved object must be found and carry every label; an object that cannot be
 * found matches no source that sets matchLabels.
 */
function sourceMatches(
  e: FluxEvent,
  s: EventSource,
  alertNamespace: string,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const o = e.involvedObject;
  if (s.kind !== o.kind || (s.namespace ?? alertNamespace) !== o.namespace) return false;
  if (s.name !== '*' && s.name !== o.name) return false;
  if (s.matchLabels === undefined) return true;
  return labels !== undefined && Object.entries(s.matchLabels).every(([k, v]) => labels[k] === v);
}

/** The Alerts an event goes to, in a stable order (namespace, name). */
export function routeEvent(e: FluxEvent, cluster: ClusterView, o: RoutingOptions): KubeObject[] {
  const found = cluster.getSource(e.involvedObject.kind, e.involvedObject.namespace, e.involvedObject.name);
  const labels = found ? (found.labels ?? {}) : undefined;
  return cluster
    .alertsWatching(e.involvedObject.kind, e.involvedObject.namespace)
    .filter((obj) => alertTakes(e, alertView(obj), labels, o))
    .sort((x, y) =>
      compareText(`${x.metadata?.namespace}/${x.metadata?.name}`, `${y.metadata?.namespace}/${y.metadata?.name}`),
    );
}

/**
 * Where a Slack Provider posts, as far as its spec says: the Secret named by secretRef (its
 * `address` key wins over spec.address, as in notification-controller's `createNotifier`,
 * internal/server/event_handlers.go) or spec.address, and the channel. Two Providers with the
 * same key post the same message to the same channel. A suspended Provider never shares a key
 * with one that is not (its delivery is skipped, the other's must not be).
 */
export function slackDestinationKey(p: ProviderView): string {
  const where = p.secretRef ? `secret ${p.namespace}/${p.secretRef} ${p.address ?? ''}` : `address ${p.address ?? ''}`;
  return JSON.stringify([where, p.channel ?? '', userSuspended(p)]);
}
