/**
 * Delivery status per Alert, so that whether an Alert delivers can be seen without reading logs:
 * the last successful delivery and the last failure (a dead delivery, with Slack's error, e.g.
 * `HTTP 404 channel_not_found`, `invalid_auth`; an error about the Provider itself marks every
 * Alert using it), listed by GET /deliveries, exported as metrics, and
 * announced on the Alert as a Normal `NotificationDelivered` event at most once per interval.
 * In memory (a restart starts empty); bounded to `maxAlerts`, forgetting the least recently
 * touched. Time is a parameter.
 */

/** One Alert's delivery status (times ISO 8601). */
export interface AlertDeliveryState {
  /** `namespace/name` of the Alert. */
  readonly alert: string;
  readonly lastDelivered?: string;
  readonly lastError?: { readonly at: string; readonly reason: string };
}

/** The table. */
export interface DeliveryStatus {
  /** Notes a delivery; true when a NotificationDelivered event is due (none in the last interval). */
  delivered(alert: string, at: number): boolean;
  /**
   * Notes a delivery that failed for good. When Slack's answer is about the Provider itself
   * (isProviderError), the other Alerts using it (`siblings`) are marked failed too.
   */
  failed(
    target: { readonly alert: string; readonly provider: string },
    reason: string,
    at: number,
    siblings?: readonly string[],
  ): void;
  /** Every Alert's status, sorted by Alert. */
  list(): AlertDeliveryState[];
}

interface Entry {
  delivered?: number;
  announced?: number;
  error?: { at: number; reason: string };
}

/**
 * Slack's answers that are about the Provider (its webhook or token), not the message: every
 * Alert using the Provider would fail the same way.
 */
const PROVIDER_ERRORS =
  /\b(channel_not_found|no_service|invalid_token|invalid_auth|channel_is_archived|is_archived|account_inactive|token_revoked)\b/;

/** True when `reason` says the Provider itself is broken (so its other Alerts are too). */
export function isProviderError(reason: string): boolean {
  return PROVIDER_ERRORS.test(reason);
}

/** Creates the table: events at most every `announceEveryMs` per Alert. */
export function createDeliveryStatus(o: { announceEveryMs: number; maxAlerts?: number }): DeliveryStatus {
  const entries = new Map<string, Entry>();
  const touch = (alert: string): Entry => {
    const e = entries.get(alert) ?? {};
    entries.delete(alert);
    entries.set(alert, e);
    if (entries.size > (o.maxAlerts ?? 10_000)) entries.delete(entries.keys().next().value!);
    return e;
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    delivered(alert, at) {
      const e = touch(alert);
      e.delivered = at;
      if (e.announced !== undefined && at - e.announced < o.announceEveryMs) return false;
      e.announced = at;
      return true;
    },
    failed(target, reason, at, siblings = []) {
      touch(target.alert).error = { at, reason };
      if (!isProviderError(reason)) return;
      for (const alert of siblings)
        if (alert !== target.alert) touch(alert).error = { at, reason: `Provider ${target.provider}: ${reason}` };
    },
    list() {
      return [...entries]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([alert, e]) => ({
          alert,
          ...(e.delivered !== undefined ? { lastDelivered: iso(e.delivered) } : {}),
          ...(e.error ? { lastError: { at: iso(e.error.at), reason: e.error.reason } } : {}),
        }));
    },
  };
}
