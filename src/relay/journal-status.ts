/**
 * The delivery-status half of the journal's meaning (journal-state.ts's reducer calls these), so
 * that each Alert's delivery status (delivery-status.ts) outlives a restart. Record:
 * - `status`: one Alert's whole entry (its last delivery, its last announced NotificationDelivered
 *   event, its last failure for good) after a change. The latest record of each Alert counts, and
 *   only the MAX_STATUSES Alerts changed most recently are kept, as the table in memory keeps them.
 * Pure, like the reducer: no clock, no I/O; mutates the state it is given.
 */

/** One Alert's delivery status (times epoch ms), as delivery-status.ts keeps it. */
export interface StatusEntry {
  /** `namespace/name` of the Alert. */
  readonly alert: string;
  readonly delivered?: number;
  /** When the last NotificationDelivered event was recorded: the next is due an interval later. */
  readonly announced?: number;
  readonly error?: { readonly at: number; readonly reason: string };
}

/** An Alert's delivery status changed: its whole entry. */
export type StatusRecord = { readonly t: 'status' } & StatusEntry;

/** Alerts whose status is kept (the table's own bound, delivery-status.ts). */
export const MAX_STATUSES = 10_000;

/** The status part of the journal state. */
export interface StatusBook {
  /** The latest record of each Alert, least recently changed first. */
  readonly statuses: Map<string, { readonly record: StatusRecord; readonly bytes: number }>;
  liveBytes: number;
}

/** Keeps `r` as its Alert's latest status, forgetting the Alert changed longest ago past MAX_STATUSES. */
export function applyStatus(book: StatusBook, r: StatusRecord, bytes: number): void {
  book.liveBytes -= book.statuses.get(r.alert)?.bytes ?? 0;
  book.statuses.delete(r.alert);
  book.statuses.set(r.alert, { record: r, bytes });
  book.liveBytes += bytes;
  if (book.statuses.size <= MAX_STATUSES) return;
  const [oldest, kept] = book.statuses.entries().next().value!;
  book.statuses.delete(oldest);
  book.liveBytes -= kept.bytes;
}

/** The `status` records a compacted journal keeps, least recently changed first (so replay keeps the order). */
export function statusRecords(book: StatusBook): StatusRecord[] {
  return [...book.statuses.values()].map((s) => s.record);
}

/** The entries the table starts with, least recently changed first. */
export function statusEntries(book: StatusBook): StatusEntry[] {
  return statusRecords(book).map(({ t: _t, ...entry }) => entry);
}
