/**
 * The relay's two late starts: replay (what the journal holds is queued again, the dedup window
 * restored) and the release of events held until the cluster view synced (routing-gate.ts).
 */
import type { Logger } from '../observability/logger.ts';
import type { Deduplicator } from './event-key.ts';
import type { AcceptRecord as Accept, JournalState } from './journal-state.ts';
import { apply, unsettled } from './journal-state.ts';
import { recordBytes } from './journal-record.ts';
import type { RelayQueue } from './relay-queue.ts';
import { slackTargets } from './relay-targets.ts';
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import type { Journal } from './journal.ts';
import type { RelayRecord } from './journal-state.ts';
import type { RoutingOptions } from './routing.ts';

/** The relay's settings these read. */
export interface ResumeOptions {
  readonly replayed: readonly RelayRecord[];
  readonly forwardTo?: string | undefined;
  readonly cluster: ClusterView;
  readonly routing: RoutingOptions;
  readonly journal: Journal<RelayRecord>;
  readonly metrics: RelayMetrics;
}

/**
 * Replay: queues what is neither done nor dead (dead letters are in the state already) and
 * restores the dedup window; returns the events still held (accepted before the view synced,
 * never routed), which wait for the gate again.
 */
export function resume(
  o: ResumeOptions,
  state: JournalState,
  dedup: Deduplicator,
  queue: RelayQueue,
  log: Logger,
): Accept[] {
  for (const r of o.replayed) if (r.t === 'accept') dedup.remember(r.key, r.at);
  let resumed = 0;
  const stillHeld: Accept[] = [];
  for (const e of state.events.values()) {
    const a = e.accept;
    if (a.held) {
      stillHeld.push(a);
      continue;
    }
    // The forward first, as a new event's (relay.ts queueAccept). Unlike a new event's it never spills:
    // the forward window holds replay's offers in memory (relay.ts creates it `replaying`), and the
    // deliveries cannot spill before it settles (journal-spill.ts `spillDelivery` wants it forwarded).
    if (a.forward && !e.forwarded && o.forwardTo) {
      resumed++;
      queue.forward(a);
    }
    resumed += unsettled(e).length;
    queue.deliver(a, e.settled);
  }
  if (resumed > 0) log.info({ deliveries: resumed }, 'resuming undelivered deliveries from the journal');
  if (stillHeld.length > 0)
    log.info(
      { events: stillHeld.length },
      'resuming events accepted before the cluster view synced; they are routed once it has',
    );
  return stillHeld;
}

/** Routes held events, journals their routing, then queues them. */
export async function release(
  o: ResumeOptions,
  state: JournalState,
  held: Accept[],
  queueAccept: (r: Accept) => void,
): Promise<void> {
  let saved = 0;
  const routed = held.map((h): Accept => {
    const t = slackTargets(h.event, o.cluster, o.routing);
    saved += t.saved;
    const { id, at, key, event } = h;
    return {
      t: 'accept',
      id,
      at,
      key,
      event,
      deliveries: t.targets,
      ...(o.forwardTo ? { forward: true as const } : {}),
    };
  });
  for (const r of routed) apply(state, r, recordBytes(r));
  await Promise.all(routed.map((r) => o.journal.append(r)));
  o.metrics.sendsSaved.inc(saved);
  for (const r of routed) queueAccept(r);
}
