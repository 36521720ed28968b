/**
 * Journal compaction: what a restart still needs. An accepted event whose deliveries are all
 * sent or skipped (and forwarded, with --forward-to) is dropped with its records; events with
 * pending or dead deliveries, or not yet forwarded, are kept
 * (dead ones feed the dead-letter table), and so are their outcome records.
 */
import type { RelayRecord } from './relay.ts';

export function compactRecords(records: readonly RelayRecord[]): RelayRecord[] {
  const sizes = new Map<string, number>();
  const done = new Map<string, number>();
  const hasDead = new Set<string>();
  const toForward = new Set<string>();
  for (const r of records) {
    if (r.t === 'accept') { sizes.set(r.id, r.deliveries.length); if (r.forward) toForward.add(r.id); }
    else if (r.t === 'done') done.set(r.id, (done.get(r.id) ?? 0) + 1);
    else if (r.t === 'forwarded') toForward.delete(r.id);
    else hasDead.add(r.id);
  }
  const keep = (id: string) => hasDead.has(id) || toForward.has(id) || (done.get(id) ?? 0) < (sizes.get(id) ?? 0);
  return records.filter((r) => keep(r.id));
}
