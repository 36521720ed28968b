/**
 * The non-sender's half of one sender per destination (docs/relay-replicas.md): an event this
 * replica accepted while another replica is the sender is handed to it (its handoff endpoint,
 * handoff-endpoint.ts) with its journal id and the Slack deliveries not settled yet, on a queue of
 * the delivery scheduler (retried with backoff, given up after the maximum delivery age), through
 * the forwarder's HTTP client (forwarder.ts). Once the sender has it, the deliveries are journaled
 * as done here (`onHanded`): the sender's journal holds them now.
 * A handoff attempt first asks the gate: when this replica has become the sender meanwhile, it
 * keeps the event and posts it itself (`onKept`).
 */
import type { Logger } from '../observability/logger.ts';
import type { Delivery } from './delivery-scheduler.ts';
import { createDeliveryScheduler } from './delivery-scheduler.ts';
import type { HandoffClient } from './forwarder.ts';
import { objectName } from './flux-event.ts';
import type { AcceptRecord } from './journal-state.ts';
import type { HandedEvent, SenderGate } from './sender-gate.ts';

/** What a handoff ends with: handed to the sender, kept (this replica is the sender now), or failed for good. */
export type HandoffResult = 'handed' | 'kept' | 'failed';

/** Settings and what to do with each outcome. */
export interface HandoffOptions {
  readonly gate: SenderGate;
  readonly client: HandoffClient;
  readonly backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly maxAgeMs: number;
  /** The sender holds deliveries `indexes` of `a`: journal them as done. */
  readonly onHanded: (a: AcceptRecord, indexes: readonly number[]) => void;
  /** This replica is the sender now: deliver `a`'s deliveries `indexes` here (`queued`: they are queued already). */
  readonly onKept: (a: AcceptRecord, indexes: readonly number[], queued: boolean) => void;
  readonly onResult?: (result: HandoffResult) => void;
  readonly log: Logger;
  readonly now?: () => number;
}

/** The handoff queue. */
export interface Handoff {
  /**
   * Hands deliveries `indexes` of `a` to the sender unless its handoff is under way already;
   * `queued`: its deliveries are on the delivery thread (replayed), not waiting on the handoff.
   */
  offer(a: AcceptRecord, indexes: readonly number[], queued: boolean): void;
  /** Handoffs not yet finished. */
  pending(): number;
  stop(): Promise<void>;
}

interface HandoffJob extends Delivery {
  readonly accept: AcceptRecord;
  readonly indexes: readonly number[];
  readonly queued: boolean;
}

/** A handoff queue; nothing is sent until `offer`. */
export function createHandoff(o: HandoffOptions): Handoff {
  const underWay = new Set<string>();
  const finish = (j: HandoffJob, result: HandoffResult) => {
    underWay.delete(j.accept.id);
    o.onResult?.(result);
  };
  const scheduler = createDeliveryScheduler<HandoffJob>({
    async send(j) {
      if (o.gate.isSender()) return { kind: 'skipped', reason: 'this replica is the sender' };
      const url = o.gate.senderUrl();
      if (!url) return { kind: 'retry', reason: 'no sender elected' };
      return o.client.handOff(url, handedEvent(j.accept, j.indexes));
    },
    onDone(j, outcome) {
      finish(j, outcome === 'sent' ? 'handed' : 'kept');
      if (outcome === 'sent') o.onHanded(j.accept, j.indexes);
      else o.onKept(j.accept, j.indexes, j.queued);
    },
    onDead(j, reason) {
      finish(j, 'failed');
      o.log.warn({ object: objectName(j.accept.event), reason }, 'cannot hand an event to the sender; keeping it');
      o.onKept(j.accept, j.indexes, j.queued);
    },
    perSecond: 1000,
    burst: 200,
    backoff: o.backoff,
    maxAgeMs: o.maxAgeMs,
    ...(o.now ? { now: o.now } : {}),
  });
  return {
    offer(a, indexes, queued) {
      if (indexes.length === 0 || underWay.has(a.id)) return;
      underWay.add(a.id);
      scheduler.enqueue({ id: a.id, destination: 'sender', acceptedAt: a.at, attempts: 0, accept: a, indexes, queued });
    },
    pending: () => underWay.size,
    async stop() {
      scheduler.stop();
      await o.client.close();
    },
  };
}

/** The wire form of deliveries `indexes` of `a`. */
export function handedEvent(a: AcceptRecord, indexes: readonly number[]): HandedEvent {
  return { id: a.id, at: a.at, key: a.key, event: a.event, deliveries: indexes.map((i) => a.deliveries[i]!) };
}
