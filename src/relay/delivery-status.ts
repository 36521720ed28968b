/**
 * Delivery status per Alert, so that whether an Alert delivers can be seen without reading logs:
 * the last successful delivery and the last failure (a dead delivery, with Slack's error, e.g.
 * `HTTP 404 channel_not_found`, `invalid_auth`; an error about the Provider itself marks every
 * Alert using it), listed by GET /deliveries, exported as metrics, and
 * announced on the Alert as a Normal `NotificationDelivered` event at most once per interval.
 * Each change is reported (`onChange`, which journals it: journal-status.ts), and the table starts
 * from what the journal kept (`initial`), so the status and the interval between events outlive a
 * restart. Bounded to `maxAlerts`, forgetting the least recently touched. Time is a parameter.
 */
import type { StatusEntry } from './journal-status.ts';
import { MAX_STATUSES } from './journal-status.ts';
import { compareText } from './plain-text.ts';

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
  /** The whole table, least recently touched first (handed to the sender with replicas). */
  entries(): StatusEntry[];
  /** Takes another replica's table: per Alert, the later of each time (reported like any change). */
  merge(entries: readonly StatusEntry[]): void;
}

interface Entry {
  delivered?: number;
  announced?: number;
  error?: { at: number; reason: string };
}

/** `b` merged into `a`: the later of each time; undefined when `a` has them already. */
function later(a: Entry, b: StatusEntry): Entry | undefined {
  const max = (x?: number, y?: number) => (x === undefined ? y : y === undefined ? x : Math.max(x, y));
  const error = b.error && (!a.error || b.error.at > a.error.at) ? b.error : a.error;
  const next: Entry = { delivered: max(a.delivered, b.delivered), announced: max(a.announced, b.announced), error };
  const same = next.delivered === a.delivered && next.announced === a.announced && next.error === a.error;
  return same ? undefined : next;
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

/** The settings of a table. */
export interface DeliveryStatusOptions {
  /** At most one NotificationDelivered event per Alert in this long. */
  readonly announceEveryMs: number;
  /** Alerts kept (default MAX_STATUSES, the journal's bound). */
  readonly maxAlerts?: number;
  /** What the journal kept, least recently touched first. */
  readonly initial?: Iterable<StatusEntry>;
  /** Hears each Alert's entry after it changed. */
  readonly onChange?: (entry: StatusEntry) => void;
}

/** Creates the table: events at most every `announceEveryMs` per Alert. */
export function createDeliveryStatus(o: DeliveryStatusOptions): DeliveryStatus {
  const entries = new Map<string, Entry>();
  const put = (alert: string, e: Entry) => {
    entries.delete(alert);
    entries.set(alert, e);
    if (entries.size > (o.maxAlerts ?? MAX_STATUSES)) entries.delete(entries.keys().next().value!);
  };
  for (const { alert, ...e } of o.initial ?? []) put(alert, { ...e });
  const change = (alert: string, e: Entry) => {
    put(alert, e);
    o.onChange?.(entryOf(alert, e));
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    delivered(alert, at) {
      const e = { ...entries.get(alert), delivered: at };
      const due = e.announced === undefined || at - e.announced >= o.announceEveryMs;
      if (due) e.announced = at;
      change(alert, e);
      return due;
    },
    failed(target, reason, at, siblings = []) {
      change(target.alert, { ...entries.get(target.alert), error: { at, reason } });
      if (!isProviderError(reason)) return;
      for (const alert of siblings)
        if (alert !== target.alert)
          change(alert, { ...entries.get(alert), error: { at, reason: `Provider ${target.provider}: ${reason}` } });
    },
    entries: () => [...entries].map(([alert, e]) => entryOf(alert, e)),
    merge(others) {
      for (const other of others) {
        const next = later(entries.get(other.alert) ?? {}, other);
        if (next) change(other.alert, next);
      }
    },
    list() {
      return [...entries]
        .sort(([a], [b]) => compareText(a, b))
        .map(([alert, e]) => ({
          alert,
          ...(e.delivered !== undefined ? { lastDelivered: iso(e.delivered) } : {}),
          ...(e.error ? { lastError: { at: iso(e.error.at), reason: e.error.reason } } : {}),
        }));
    },
  };
}

/** An entry as the journal and the other replica see it (no undefined fields). */
function entryOf(alert: string, e: Entry): StatusEntry {
  return {
    alert,
    ...(e.delivered !== undefined ? { delivered: e.delivered } : {}),
    ...(e.announced !== undefined ? { announced: e.announced } : {}),
    ...(e.error ? { error: e.error } : {}),
  };
}
