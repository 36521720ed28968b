/**
 * The Slack deliveries Flux's routing gives an event (routing.ts, after notification-controller's
 * `filterAlertsForEvent`), one per destination: Alerts routing it to a Provider posting where an
 * earlier one (in Alert order) posts add no delivery (`saved`).
 * Read-only over the cluster view; no I/O.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import { alertView, providerView } from '../flux/objects.ts';
import type { FluxEvent } from './flux-event.ts';
import type { DeliveryTarget } from './journal-state.ts';
import { alertMetadata, isCommitStatusUpdate } from './notification-metadata.ts';
import type { RoutingOptions } from './routing.ts';
import { routeEvent, slackDestinationKey } from './routing.ts';

/** The event's Slack deliveries, and how many Alerts were saved a second send to the same destination. */
export function slackTargets(
  e: FluxEvent,
  cluster: ClusterView,
  routing: RoutingOptions,
): { targets: DeliveryTarget[]; saved: number } {
  const targets: DeliveryTarget[] = [];
  let saved = 0;
  if (isCommitStatusUpdate(e)) return { targets, saved };
  const annotations =
    cluster.getSource(e.involvedObject.kind, e.involvedObject.namespace, e.involvedObject.name)?.annotations ?? {};
  const destinations = new Set<string>();
  for (const alert of routeEvent(e, cluster, routing)) {
    const a = alertView(alert);
    const provider = cluster.getProvider(a.namespace, a.providerName);
    if (!provider || providerView(provider).type !== 'slack') continue;
    const destination = slackDestinationKey(providerView(provider));
    if (destinations.has(destination)) {
      saved++;
      continue;
    }
    destinations.add(destination);
    targets.push({
      alert: `${a.namespace}/${a.name}`,
      provider: `${a.namespace}/${a.providerName}`,
      metadata: alertMetadata(a, annotations),
    });
  }
  return { targets, saved };
}
