/**
 * The relay's accept path: dedup (a duplicate within the window answers 429, as
 * notification-controller does) -> bound the event to what Slack shows (event-bounds.ts) -> while
 * the cluster view has not synced, journal it as held (routing-gate.ts) -> route it to its Slack
 * deliveries (relay-targets.ts) -> journal it durably within the disk budget -> only then queue
 * its deliveries and acknowledge. A failed journal write forgets the event, so that Flux's retry
 * is taken.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { boundEvent } from './event-bounds.ts';
import { eventKey } from './event-key.ts';
import type { Deduplicator } from './event-key.ts';
import type { FluxEvent } from './flux-event.ts';
import { objectName } from './flux-event.ts';
import type { Journal } from './journal.ts';
import type { AcceptRecord, DeliveryTarget, JournalState, RelayRecord } from './journal-state.ts';
import { apply, discard, locate } from './journal-state.ts';
import type { RoutingGate } from './routing-gate.ts';

/** What accept answers (`held`: journaled, routed once the cluster view has synced). */
export type AcceptOutcome = 'accepted' | 'unrouted' | 'duplicate' | 'held';

/** What the accept path works with. */
export interface AcceptDeps {
  readonly journal: Journal<RelayRecord>;
  readonly state: JournalState;
  readonly dedup: Deduplicator;
  readonly gate: RoutingGate<AcceptRecord>;
  /** The journal's disk budget: the bytes `r` will take, or throws (journal-budget.ts). */
  readonly admit: (r: RelayRecord) => number;
  /** The event's Slack deliveries and the sends saved (relay-targets.ts). */
  readonly targets: (e: FluxEvent) => { targets: DeliveryTarget[]; saved: number };
  /** Queues an accepted event's deliveries (and forwarding); compacts when due. */
  readonly queue: (r: AcceptRecord) => void;
  readonly forward: boolean;
  readonly metrics: RelayMetrics;
  readonly log: Logger;
  readonly now: () => number;
}

/** The accept function: resolves once the event is journaled (or needs no journal), rejects when the journal fails. */
export function createAcceptPath(d: AcceptDeps): (original: FluxEvent) => Promise<AcceptOutcome> {
  const forward = d.forward ? { forward: true as const } : {};
  return async (original) => {
    const now = d.now();
    const key = eventKey(original);
    if (d.dedup.isDuplicate(key, now)) return 'duplicate';
    // Routed on the event as sent (Flux matches the whole message); stored as Slack can show it.
    const { event: e, cut } = boundEvent(original);
    if (cut > 0)
      d.log.info(
        { object: objectName(e), cutCharacters: cut },
        'event text longer than Slack shows; the journal keeps what Slack can show',
      );
    if (!d.gate.open()) {
      d.dedup.remember(key, now);
      const held: AcceptRecord = { t: 'accept', id: randomUUID(), at: now, key, event: e, deliveries: [], held: true };
      await journalAccept(d, held);
      d.gate.hold(held);
      return 'held';
    }
    const { targets, saved } = d.targets(original);
    d.dedup.remember(key, now);
    if (targets.length === 0 && !d.forward) return 'unrouted';
    const r: AcceptRecord = { t: 'accept', id: randomUUID(), at: now, key, event: e, deliveries: targets, ...forward };
    await journalAccept(d, r);
    d.metrics.sendsSaved.inc(saved);
    d.queue(r);
    return targets.length > 0 ? 'accepted' : 'unrouted';
  };
}

/** Journals an accept record durably; a failure forgets the event so that Flux's retry is taken. */
export async function journalAccept(d: AcceptDeps, r: AcceptRecord): Promise<void> {
  const journaling = d.metrics.journalAppend.startTimer();
  try {
    // In the state before the write: a compaction starting meanwhile must keep it.
    apply(d.state, r, d.admit(r));
    if (!d.journal.appendLocated) await d.journal.append(r);
    else {
      // Where it went, unless a compaction swapped the file meanwhile: a reference for a spill (journal-spill.ts).
      const place = await d.journal.appendLocated(r);
      if (place.generation >= 0 && place.generation === d.journal.generation?.()) locate(d.state, r.id, place.offset);
    }
    journaling();
  } catch (err) {
    discard(d.state, r.id);
    d.dedup.forget(r.key);
    throw err;
  }
}
