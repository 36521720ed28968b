/** The dead-letter table (GET /dead-letters): one row per delivery that failed for good. */
import { objectName } from './flux-event.ts';
import type { AcceptRecord, DeadRecord } from './journal-state.ts';

/** A delivery that failed for good; no secret in any field. */
export interface DeadLetter {
  readonly id: string;
  readonly alert: string;
  readonly provider: string;
  readonly involvedObject: string;
  readonly message: string;
  readonly reason: string;
  readonly at: string;
}

/** The dead-letter table's row for a dead record (no secret in any field). */
export function deadLetter(a: AcceptRecord, d: DeadRecord): DeadLetter {
  const t = a.deliveries[d.i]!;
  return {
    id: d.id,
    alert: t.alert,
    provider: t.provider,
    involvedObject: objectName(a.event),
    message: a.event.message.slice(0, 200),
    reason: d.reason,
    at: new Date(d.at).toISOString(),
  };
}
