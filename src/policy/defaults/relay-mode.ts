/**
 * How a Provider shows that the notify-guard relay delivers it (the webhook's relay mode): the
 * defaulter (relay-delivery.ts) sets `spec.suspend: true` so notification-controller, which skips
 * suspended Providers, does not post a second copy; the annotation `delivered-by` saying who
 * delivers; and `user-suspend` keeping the user's own suspend, which the relay and the rules
 * honour instead of `spec.suspend`. Visible with `kubectl get provider -o yaml`.
 */
import type { ProviderView } from '../../flux/objects.ts';

export const DELIVERED_BY_ANNOTATION = 'notify-guard.fluxcd.community/delivered-by';
export const USER_SUSPEND_ANNOTATION = 'notify-guard.fluxcd.community/user-suspend';
export const DELIVERED_BY_RELAY = 'notify-guard-relay';

/**
 * The suspend the user meant for a Provider: its `user-suspend` annotation when the relay delivers
 * it (its spec.suspend is then the relay's), else its spec.suspend.
 */
export function userSuspended(p: ProviderView): boolean {
  if (p.annotations[DELIVERED_BY_ANNOTATION] === DELIVERED_BY_RELAY)
    return p.annotations[USER_SUSPEND_ANNOTATION] === 'true';
  return p.suspend;
}
