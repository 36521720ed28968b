/**
 * Reading an accept record's payload without parsing its event (journal-replay.ts, journal-rewrite.ts):
 * the relay writes an accept's fields in one order (relay-accept.ts), so its head (id, time, dedup
 * key) and its tail (deliveries, forward, held) can be parsed alone.
 */
import type { AcceptRecord, DeliveryTarget } from './journal-state.ts';

/** How every accept record begins. */
export const ACCEPT_PREFIX = '{"t":"accept",';

const PREFIX_BYTES = Buffer.from(ACCEPT_PREFIX, 'latin1');

/** True when `payload` is an accept record (it begins as every accept record does); no string made. */
export function isAccept(payload: Buffer): boolean {
  return payload.length >= PREFIX_BYTES.length && PREFIX_BYTES.compare(payload, 0, PREFIX_BYTES.length) === 0;
}

/**
 * An accept record's fields before its event. `,"event":` cannot occur earlier: the id and key
 * are JSON strings, in which a quote is always escaped.
 */
export function acceptHead(payload: Buffer): Pick<AcceptRecord, 'id' | 'at' | 'key'> {
  const end = payload.indexOf(',"event":');
  if (end < 0) return JSON.parse(payload.toString('utf8')) as AcceptRecord;
  return JSON.parse(`${payload.toString('utf8', 0, end)}}`) as AcceptRecord;
}

/**
 * An accept record's fields after its event: the last `,"deliveries":[` is theirs (what follows
 * them holds no array but theirs, whose targets' fields are strings and string maps).
 */
export function acceptTail(payload: Buffer): { deliveries: DeliveryTarget[]; forward?: true; held?: true } | undefined {
  const from = payload.lastIndexOf(',"deliveries":[');
  if (from < 0) return undefined;
  return JSON.parse(`{${payload.toString('utf8', from + 1)}`) as { deliveries: DeliveryTarget[] };
}
