/**
 * The sender's half of one sender per destination (docs/relay-replicas.md): it adopts an event
 * another replica hands it (sender-handoff.ts): journals it as its own accept record, durably
 * and within the disk budget, and queues its Slack deliveries; only then is the handoff answered.
 * An event it holds already is not adopted twice: a handoff repeated after a lost answer is known
 * by its id, and an event Flux also sent to this replica (a retry on the other one) by Flux's key
 * within --dedup-window (event-key.ts), so it is posted once. The adopted record keeps the id it
 * had, unless this journal holds that id already (an event handed back to the replica that first
 * accepted it), and does not forward to notification-controller: the replica that accepted it does.
 * A replica that is not the sender adopts nothing: the other one hands the event to the sender.
 * When this replica hands an event on in turn (it lost the Lease), it forgets the event's id and
 * key (`handedAway`), so the event can come back.
 */
import { randomUUID } from 'node:crypto';
import { createDeduplicator } from './event-key.ts';
import type { Deduplicator } from './event-key.ts';
import type { AcceptRecord, JournalState } from './journal-state.ts';
import type { HandedEvent, SenderGate } from './sender-gate.ts';

/** How an adoption ends: journaled and queued, held already, or refused (not the sender). */
export type AdoptOutcome = 'adopted' | 'duplicate' | 'not-sender';

/** What adopting works with. */
export interface AdoptDeps {
  readonly gate: SenderGate;
  readonly state: JournalState;
  /** The relay's deduplicator of Flux's event keys (shared with accepts). */
  readonly dedup: Deduplicator;
  /** Journals an accept record durably (relay-accept.ts `journalAccept`); throws when it cannot. */
  readonly journal: (r: AcceptRecord) => Promise<void>;
  /** Queues the record's Slack deliveries. */
  readonly deliver: (r: AcceptRecord) => void;
  /** How long an adopted id is remembered (at least the dedup window). */
  readonly idWindowMs: number;
  readonly now: () => number;
}

/** The sender's adoption of handed events. */
export interface Adopter {
  adopt(h: HandedEvent): Promise<AdoptOutcome>;
  /** This replica handed event `id` (key `key`) on: it may come back. */
  handedAway(id: string, key: string): void;
}

export function createAdopter(d: AdoptDeps): Adopter {
  const ids = createDeduplicator(d.idWindowMs);
  return {
    async adopt(h) {
      if (!d.gate.isSender()) return 'not-sender';
      const now = d.now();
      if (ids.isDuplicate(h.id, now) || d.dedup.isDuplicate(h.key, now)) return 'duplicate';
      const id = d.state.events.has(h.id) ? randomUUID() : h.id;
      const r: AcceptRecord = { t: 'accept', id, at: h.at, key: h.key, event: h.event, deliveries: h.deliveries };
      ids.remember(h.id, now);
      d.dedup.remember(h.key, now);
      try {
        await d.journal(r);
      } catch (err) {
        ids.forget(h.id);
        d.dedup.forget(h.key);
        throw err;
      }
      d.deliver(r);
      return 'adopted';
    },
    handedAway(id, key) {
      ids.forget(id);
      d.dedup.forget(key);
    },
  };
}
