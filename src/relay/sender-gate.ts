/**
 * One sender per destination with two relay replicas (docs/relay-replicas.md): the seam between
 * the relay and whatever elects its sender (a Lease in the CLI; a constant in tests), and the
 * wire form of an event one replica hands to the sender.
 */
import { decodeEvent } from './flux-event.ts';
import type { DeliveryTarget } from './journal-state.ts';
import type { FluxEvent } from './flux-event.ts';

/** Whether this replica posts to Slack; the relay asks before each post, not only on changes. */
export interface SenderGate {
  /** True while this replica holds the sender Lease. */
  isSender(): boolean;
  /** The handoff endpoint of the replica that is the sender, when one other than this replica is known. */
  senderUrl(): string | undefined;
  /**
   * True once this replica, having given the Lease up, may take itself for the only one: no other
   * replica has shown itself (held the Lease at a read, or called its peer endpoint) and none took
   * the Lease within the longest a takeover lasts. A stop then waits no longer for a sender to hand
   * its threads and status to (absent: never; the stop waits its whole time).
   */
  alone?(): boolean;
}

/** An event handed to the sender: its journal id and key on the replica that accepted it, and the Slack deliveries left. */
export interface HandedEvent {
  readonly id: string;
  readonly at: number;
  readonly key: string;
  readonly event: FluxEvent;
  readonly deliveries: readonly DeliveryTarget[];
}

/** Reads a handed event from a parsed JSON body; a string says what is wrong. */
export function decodeHandedEvent(body: unknown): HandedEvent | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'body is not a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b['id'] !== 'string' || b['id'] === '' || b['id'].length > 200) return 'id: expected a non-empty string';
  if (typeof b['at'] !== 'number' || !Number.isFinite(b['at'])) return 'at: expected epoch milliseconds';
  if (typeof b['key'] !== 'string' || b['key'] === '') return 'key: expected a non-empty string';
  const event = decodeEvent(b['event']);
  if (!event.ok) return `event: ${event.message}`;
  const deliveries = b['deliveries'];
  if (!Array.isArray(deliveries) || deliveries.length === 0 || !deliveries.every(isTarget))
    return 'deliveries: expected a non-empty list of {alert, provider, metadata}';
  return { id: b['id'], at: b['at'], key: b['key'], event: event.event, deliveries };
}

function isTarget(t: unknown): t is DeliveryTarget {
  if (t === null || typeof t !== 'object') return false;
  const d = t as Record<string, unknown>;
  const m = d['metadata'];
  return (
    typeof d['alert'] === 'string' &&
    typeof d['provider'] === 'string' &&
    m !== null &&
    typeof m === 'object' &&
    !Array.isArray(m) &&
    Object.values(m).every((v) => typeof v === 'string')
  );
}
