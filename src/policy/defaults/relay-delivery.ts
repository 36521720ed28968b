/**
 * Relay mode (policy `spec.relay.deliversSlack: true`): marks Slack Providers as delivered by the
 * notify-guard relay. Sets `spec.suspend: true` (notification-controller skips suspended Providers,
 * so no message reaches Slack twice) and records the user's own suspend in an annotation, which
 * the relay and the rules honour. The user's suspend is read from evidence (server-side apply
 * ownership, last-applied configuration); without evidence, an object already marked keeps its
 * recorded value unless the request changes spec.suspend. Idempotent under reinvocation.
 */
import type { KubeObject } from '../../flux/objects.ts';
import { specOf } from '../../flux/objects.ts';
import { DELIVERED_BY_ANNOTATION, DELIVERED_BY_RELAY, USER_SUSPEND_ANNOTATION } from './relay-mode.ts';
import type { Defaulted } from './event-severity.ts';
import { specFieldIntent } from './user-intent.ts';

/** The marked copy and a warning, or undefined when nothing changes. */
export function markRelayDelivered(obj: KubeObject, oldObj: KubeObject | undefined): Defaulted | undefined {
  const spec = specOf(obj);
  if (spec['type'] !== 'slack') return undefined;
  const annotations = obj.metadata?.annotations ?? {};
  const marked = annotations[DELIVERED_BY_ANNOTATION] === DELIVERED_BY_RELAY;
  const intent = specFieldIntent(obj, 'suspend');
  let user: boolean;
  if (intent.kind === 'set-by-user') user = intent.value === true;
  else if (intent.kind === 'not-set-apply' || intent.kind === 'not-set-last-applied') user = false;
  else if (marked && (oldObj === undefined || specOf(oldObj)['suspend'] === spec['suspend']))
    user = annotations[USER_SUSPEND_ANNOTATION] === 'true';
  else user = spec['suspend'] === true;
  const wanted = String(user);
  if (marked && annotations[USER_SUSPEND_ANNOTATION] === wanted && spec['suspend'] === true) return undefined;
  return {
    object: {
      ...obj,
      metadata: {
        ...obj.metadata,
        annotations: {
          ...annotations,
          [DELIVERED_BY_ANNOTATION]: DELIVERED_BY_RELAY,
          [USER_SUSPEND_ANNOTATION]: wanted,
        },
      },
      spec: { ...spec, suspend: true },
    },
    warning: `spec.suspend: set to true because the notify-guard relay delivers this slack Provider (notification-controller skips suspended Providers); your suspend (${wanted}) is kept in annotation ${USER_SUSPEND_ANNOTATION}`,
  };
}
