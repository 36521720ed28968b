/**
 * Journal compaction: what a restart still needs. An accepted event whose deliveries are all
 * sent or skipped (and forwarded, with --forward-to) is dropped with its records; events still
 * held for routing, with pending or dead deliveries, or not yet forwarded, are kept
 * (dead ones feed the dead-letter table), and so are their outcome records. A destination's
 * latest 429 pause is kept while it runs, so that a restart honours it.
 */
import type { Logger } from '../observability/logger.ts';
import type { Journal } from './journal.ts';
import type { RelayRecord } from './relay.ts';

type Accept = Extract<RelayRecord, { t: 'accept' }>;
type Paused = Extract<RelayRecord, { t: 'paused' }>;

/** The latest pause of each queue and destination that still runs at `at` (epoch ms). */
export function activePauses(records: Iterable<RelayRecord>, at: number): Paused[] {
  const latest = new Map<string, Paused>();
  for (const r of records) if (r.t === 'paused') latest.set(`${r.queue} ${r.destination}`, r);
  return [...latest.values()].filter((p) => p.until > at);
}

/** What a restart needs of `records`, at `at` (epoch ms: pauses over by then are dropped). */
export function compactRecords(records: readonly RelayRecord[], at = 0): RelayRecord[] {
  const accepts = new Map<string, Accept>();
  const done = new Map<string, number>();
  const hasDead = new Set<string>();
  const toForward = new Set<string>();
  for (const r of records) {
    if (r.t === 'accept') { accepts.set(r.id, r); if (r.forward) toForward.add(r.id); }
    else if (r.t === 'done') done.set(r.id, (done.get(r.id) ?? 0) + 1);
    else if (r.t === 'forwarded') toForward.delete(r.id);
    else if (r.t === 'dead') hasDead.add(r.id);
  }
  const keep = (id: string) => accepts.get(id)?.held || hasDead.has(id) || toForward.has(id) || (done.get(id) ?? 0) < (accepts.get(id)?.deliveries.length ?? 0);
  const pauses = new Set<RelayRecord>(activePauses(records, at));
  // A held accept superseded by its routing is not needed: the later accept record carries it all.
  return records.filter((r) => (r.t === 'paused' ? pauses.has(r) : keep(r.id) && (r.t !== 'accept' || accepts.get(r.id) === r)));
}

/** Keeps, per unfinished event, what a restart needs, and rewrites the journal from it when large. */
export interface JournalKeeper {
  /** Notes a record (accept, outcome, forwarded) as it is journaled or replayed. */
  track(r: RelayRecord): void;
  /** Forgets a finished event kept only for its dead letter (evicted from the table). */
  release(id: string): void;
  /** Rewrites the journal when it has grown past the threshold (one rewrite at a time). */
  compactIfLarge(): Promise<void>;
}

interface Live { readonly accept: Accept; readonly outcomes: RelayRecord[]; forwarded: boolean }

/**
 * An event leaves when every delivery is sent or skipped and it is forwarded; one with a dead
 * delivery stays until `release` (its dead letter left the table).
 */
export function createJournalKeeper(o: { journal: Journal<RelayRecord>; compactAtBytes: number; logger: Logger; now?: () => number }): JournalKeeper {
  const live = new Map<string, Live>();
  const pauses: Paused[] = [];
  let compacting = false;
  const finished = (l: Live) => !l.accept.held && l.forwarded && l.outcomes.length >= l.accept.deliveries.length;
  return {
    track(r) {
      if (r.t === 'paused') { pauses.push(r); pauses.splice(0, pauses.length, ...activePauses(pauses, (o.now ?? Date.now)())); return; }
      let l = live.get(r.id);
      if (r.t === 'accept') live.set(r.id, (l = { accept: r, outcomes: [], forwarded: !r.forward }));
      else if (!l) return;
      else if (r.t === 'forwarded') l.forwarded = true;
      else l.outcomes.push(r);
      if (finished(l) && !l.outcomes.some((x) => x.t === 'dead')) live.delete(r.id);
    },
    release(id) {
      const l = live.get(id);
      if (l && finished(l)) live.delete(id);
    },
    async compactIfLarge() {
      if (compacting || o.journal.size() < o.compactAtBytes) return;
      compacting = true;
      try {
        const before = o.journal.size();
        const records: RelayRecord[] = [];
        for (const [id, l] of live) {
          records.push(l.accept, ...l.outcomes);
          if (l.forwarded && l.accept.forward) records.push({ t: 'forwarded', id });
        }
        records.push(...activePauses(pauses, (o.now ?? Date.now)()));
        await o.journal.rewrite(records);
        o.logger.info({ beforeBytes: before, afterBytes: o.journal.size(), events: live.size }, 'journal compacted');
      } catch (err) {
        o.logger.error({ err }, 'journal compaction failed; the journal keeps growing until the next attempt');
      } finally {
        compacting = false;
      }
    },
  };
}
