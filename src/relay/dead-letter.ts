/**
 * The dead-letter table (GET /dead-letters): one row per delivery that failed for good, one per
 * burst digest that did (naming how many events it held: journal-digests.ts), and one per spilled
 * delivery whose journal record was damaged (journal-spill.ts: no id, alert or object is readable).
 */
import { objectName } from './flux-event.ts';
import type { DigestDeadRecord } from './journal-digests.ts';
import type { SpillDeadRecord } from './journal-spill.ts';
import type { AcceptRecord, DeadEntry, DeadRecord } from './journal-state.ts';

/** A delivery that failed for good; no secret in any field. */
export interface DeadLetter {
  readonly id: string;
  readonly alert: string;
  readonly provider: string;
  readonly involvedObject: string;
  readonly message: string;
  readonly reason: string;
  readonly at: string;
  /** For a digest: how many events it held (their alerts and objects are in its message, never sent). */
  readonly events?: number;
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

/** The row of a dead digest: `alert` and `involvedObject` are empty (a digest spans many). */
export function digestDeadLetter(d: DigestDeadRecord): DeadLetter {
  return {
    id: d.id,
    alert: '',
    provider: d.destination,
    involvedObject: '',
    message: `burst digest of ${d.count} ${d.count === 1 ? 'event' : 'events'}, not delivered`,
    reason: d.reason,
    at: new Date(d.at).toISOString(),
    events: d.count,
  };
}

/**
 * The row of a spilled delivery whose journal record was damaged: its record cannot be read, so
 * `id`, `alert` and `involvedObject` are empty and the message says what is known.
 */
export function spillDeadLetter(d: SpillDeadRecord): DeadLetter {
  return {
    id: '',
    alert: '',
    provider: d.destination,
    involvedObject: '',
    message:
      `event accepted at ${new Date(d.acceptedAt).toISOString()} (delivery ${d.index}, ` +
      `journal offset ${d.offset}) could not be read back from the journal`,
    reason: d.reason,
    at: new Date(d.at).toISOString(),
  };
}

/** The row of any dead entry (`accept`: the accept record of a dead delivery's event). */
export function deadLetterRow(d: DeadEntry, accept: (id: string) => AcceptRecord): DeadLetter {
  if (d.t === 'dead') return deadLetter(accept(d.id), d);
  return d.t === 'digest-dead' ? digestDeadLetter(d) : spillDeadLetter(d);
}
