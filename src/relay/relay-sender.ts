/**
 * The relay's part in one sender per destination (docs/relay-replicas.md), wired from the sender
 * gate: on a replica that is not the sender, accepted events are handed to the sender
 * (sender-handoff.ts) instead of queued for Slack, and every Slack delivery already queued asks
 * `beforePost` first, so that only the sender posts, whenever the Lease changes hands; on the
 * sender, handed events are adopted (sender-adopt.ts).
 */
import type { Logger } from '../observability/logger.ts';
import { createHandoffClient } from './forwarder.ts';
import type { Deduplicator } from './event-key.ts';
import type { AcceptRecord, JournalState, RelayRecord } from './journal-state.ts';
import { unsettled } from './journal-state.ts';
import type { RelayQueue } from './relay-queue.ts';
import { createAdopter } from './sender-adopt.ts';
import type { AdoptOutcome } from './sender-adopt.ts';
import type { HandedEvent, SenderGate } from './sender-gate.ts';
import { createHandoff } from './sender-handoff.ts';
import type { HandoffResult } from './sender-handoff.ts';
import type { DeliveryResult } from './slack-delivery.ts';

/** What the role works with. */
export interface SenderRoleDeps {
  readonly gate: SenderGate;
  readonly state: JournalState;
  readonly dedup: Deduplicator;
  readonly dedupWindowMs: number;
  /** Journals an accept record durably (relay-accept.ts `journalAccept`). */
  readonly journal: (r: AcceptRecord) => Promise<void>;
  /** Journals an outcome record. */
  readonly record: (r: RelayRecord) => void;
  readonly queue: RelayQueue;
  /** Retries of a handoff (default HANDOFF_BACKOFF). */
  readonly handoffBackoff?: { readonly baseMs: number; readonly maxMs: number };
  /** A handoff still failing after this long is given up: the event is kept (default 1 hour). */
  readonly maxAgeMs?: number;
  readonly sendTimeoutMs?: number;
  readonly onHandoff?: (result: HandoffResult) => void;
  /** Sent with each handoff (the peer token, peer-auth.ts). */
  readonly peerHeaders?: () => Record<string, string>;
  readonly log: Logger;
  readonly now: () => number;
}

/** One replica's part. */
export interface SenderRole {
  /** At accept: true when the event's deliveries are handed to the sender (false: this replica queues them). */
  takes(a: AcceptRecord): boolean;
  /** Before posting delivery `index` of event `eventId`: undefined to post, else the result to report instead. */
  beforePost(eventId: string, index: number): DeliveryResult | undefined;
  /** The sender's adoption of an event handed by the other replica. */
  adopt(h: HandedEvent): Promise<AdoptOutcome>;
  /** Handoffs under way. */
  pending(): number;
  stop(): Promise<void>;
}

/**
 * A handoff is retried at most every 2 s (the election's retry period), with full jitter: the
 * sender is a pod beside this one, and once the Lease has moved the next try finds out, so events
 * accepted while the sender was down flow again within about 2 s of the takeover.
 */
export const HANDOFF_BACKOFF = { baseMs: 200, maxMs: 2_000 } as const;

export function startSenderRole(d: SenderRoleDeps): SenderRole {
  const maxAgeMs = d.maxAgeMs ?? 3_600_000;
  const adopter = createAdopter({
    ...{ gate: d.gate, state: d.state, dedup: d.dedup, journal: d.journal, now: d.now },
    deliver: (r) => d.queue.deliver(r),
    idWindowMs: Math.max(d.dedupWindowMs, maxAgeMs),
  });
  const handoff = createHandoff({
    ...{ gate: d.gate, backoff: d.handoffBackoff ?? HANDOFF_BACKOFF, maxAgeMs, log: d.log, now: d.now },
    client: createHandoffClient(d.sendTimeoutMs ?? 15_000, d.peerHeaders),
    onHanded(a, indexes) {
      for (const i of indexes) d.record({ t: 'done', id: a.id, i });
      adopter.handedAway(a.id, a.key);
    },
    onKept(a, _indexes, queued) {
      const e = d.state.events.get(a.id);
      if (e && !queued) d.queue.deliver(e.accept, e.settled);
    },
    ...(d.onHandoff ? { onResult: d.onHandoff } : {}),
  });
  return {
    takes(a) {
      if (d.gate.isSender() || a.deliveries.length === 0) return false;
      handoff.offer(
        a,
        a.deliveries.map((_, i) => i),
        false,
      );
      return true;
    },
    beforePost(eventId, index) {
      const e = d.state.events.get(eventId);
      if (!e || e.settled.has(index)) return { kind: 'skipped', reason: 'handed to the sender' };
      if (d.gate.isSender()) return undefined;
      handoff.offer(e.accept, unsettled(e), true);
      return { kind: 'retry', reason: 'not the sender: handing the event to the sender' };
    },
    adopt: (h) => adopter.adopt(h),
    pending: () => handoff.pending(),
    stop: () => handoff.stop(),
  };
}
