/**
 * How a Provider shows that the notify-guard relay delivers it (the webhook's relay mode):
 * `spec.suspend: true` so notification-controller, which skips suspended Providers, does not post
 * a second copy; the annotation `delivered-by` saying who delivers; and `user-suspend` keeping the
 * user's own suspend, which the relay and the rules honour instead of `spec.suspend`.
 * Visible with `kubectl get provider -o yaml`.
 */

export const DELIVERED_BY_ANNOTATION = 'notify-guard.fluxcd.community/delivered-by';
export const USER_SUSPEND_ANNOTATION = 'notify-guard.fluxcd.community/user-suspend';
export const DELIVERED_BY_RELAY = 'notify-guard-relay';

/** The suspend the user meant for a Provider: the annotation when the relay delivers it, else spec.suspend. */
export function userSuspend(annotations: Readonly<Record<string, string>> | undefined, specSuspend: boolean): boolean {
  if (annotations?.[DELIVERED_BY_ANNOTATION] === DELIVERED_BY_RELAY)
    return annotations[USER_SUSPEND_ANNOTATION] === 'true';
  return specSuspend;
}
