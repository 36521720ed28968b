/**
 * The relay: accepts Flux events and delivers them to Slack without losing one it accepted.
 *
 * accept: dedup (a duplicate within the window answers 429, as notification-controller does) ->
 * route to Alerts (Flux's semantics) -> keep the Slack Providers among them, one per destination ->
 * journal the event (cut to what Slack shows: event-bounds.ts) with its deliveries, fsync'd, within
 * the disk budget -> only then acknowledge. What the journal holds is journal-state.ts's reducer,
 * which replay, compaction and this relay share. An event routed to no Slack Provider is
 * acknowledged without journaling (there is nothing to lose), unless every event is forwarded to
 * notification-controller (`--forward-to`), in which case it is journaled and forwarded too.
 * deliver: on a thread of its own (delivery-thread.ts), so sending never delays an accept; per
 * destination, paced; the Provider and its Secret are read here at each attempt; each outcome is
 * journaled here (done or dead). On start, the journal is replayed and every delivery neither
 * done nor dead is queued again: delivery is at-least-once, and only a message in flight at a
 * crash can repeat.
 * Until the cluster view has synced, events are journaled as held (deliveries not yet decided)
 * and routed once it has (routing-gate.ts); the routing is journaled as a second accept record
 * with the same id, which supersedes the held one.
 */
import { randomUUID } from 'node:crypto';
import type { ClusterView } from '../cluster/cluster-view.ts';
import { alertView, providerView } from '../flux/objects.ts';
import type { Logger } from '../observability/logger.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { createDeduplicator, eventKey } from './event-key.ts';
import type { FluxEvent } from './flux-event.ts';
import type { Journal } from './journal.ts';
import { alertMetadata, isCommitStatusUpdate, withEventMetadata } from './notification-metadata.ts';
import { boundEvent } from './event-bounds.ts';
import { DEFAULT_JOURNAL_MAX_BYTES, createJournalBudget } from './journal-budget.ts';
import type { RoutingOptions } from './routing.ts';
import { routeEvent, slackDestinationKey } from './routing.ts';
import type { Job } from './delivery-protocol.ts';
import { startDeliveryThread } from './delivery-thread.ts';
import { createJournalKeeper } from './compaction.ts';
import type { AcceptRecord as Accept, DeliveryTarget, JournalState, RelayRecord } from './journal-state.ts';
import { apply, discard, openEpisodes, pausesAt, replayState, unsettled } from './journal-state.ts';
import { recordBytes } from './journal-record.ts';
import type { WarningRecorder } from './warning-events.ts';
import { createRoutingGate } from './routing-gate.ts';
import type { AlertDeliveryState } from './delivery-status.ts';
import { createDeliveryStatus } from './delivery-status.ts';
import type { SecretValues } from './secret-values.ts';
import { resolveSlackDestination } from './slack-delivery.ts';
import type { SlackFormat } from './slack-format.ts';

export type { DeliveryTarget, RelayRecord } from './journal-state.ts';

/** A delivery that failed for good; no secret in any field. */
export interface DeadLetter {
  readonly id: string;
  readonly alert: string;
  readonly provider: string;
  readonly involvedObject: string;
  readonly message: string;
  readonly reason: string;
  readonly at: string;
}

/** What accept answers (`held`: journaled, routed once the cluster view has synced). */
export type AcceptOutcome = 'accepted' | 'unrouted' | 'duplicate' | 'held';

/** The running relay. */
export interface Relay {
  /** Accepts an event; rejects (journal unavailable) without acknowledging anything. */
  accept(e: FluxEvent): Promise<AcceptOutcome>;
  deadLetters(): readonly DeadLetter[];
  /** Each Alert's last delivery and last failure (delivery-status.ts). */
  deliveryStatus(): readonly AlertDeliveryState[];
  pending(): number;
  /** Events accepted before the view synced and not routed yet. */
  held(): number;
  drain(timeoutMs: number): Promise<boolean>;
  /** Stops delivering; what is undelivered stays in the journal. */
  stop(): Promise<void>;
}

/** Settings and dependencies. */
export interface RelayOptions {
  readonly journal: Journal<RelayRecord>;
  readonly replayed: readonly RelayRecord[];
  /** `replayed` folded already (by the caller that compacted it), to save folding it twice. */
  readonly replayedState?: JournalState;
  readonly cluster: ClusterView;
  readonly secrets: SecretValues;
  readonly routing: RoutingOptions;
  readonly logger: Logger;
  readonly metrics: RelayMetrics;
  readonly dedupWindowMs: number;
  /** Allow http:// Slack addresses (local testing only). */
  readonly allowInsecureDestinations: boolean;
  /** The Slack layout for Providers without the slack-format annotation (default blocks). */
  readonly slackFormat?: SlackFormat;
  readonly pacing?: { readonly perSecond: number; readonly burst: number };
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly maxAgeMs?: number;
  readonly sendTimeoutMs?: number;
  /** Extra CA certificates trusted for Slack (tests' local Slack over TLS). */
  readonly slackCa?: string;
  /** notification-controller's event API: every accepted event is forwarded there, when set. */
  readonly forwardTo?: string;
  /** Records a Warning event on the Alert of a dead delivery (live mode). */
  readonly warnings?: WarningRecorder;
  /** At most one NotificationDelivered event per Alert in this long (default 1 hour). */
  readonly deliveredEventEveryMs?: number;
  /** Rewrite the journal with only what a restart needs once it grows past this (default 64 MiB). */
  readonly compactAtBytes?: number;
  /** Accepts answer 503 + Retry-After while the journal would grow past this (default DEFAULT_JOURNAL_MAX_BYTES). */
  readonly maxJournalBytes?: number;
}

/** A job as this thread keeps it: which event and which of its deliveries. */
interface RelayJob extends Job {
  readonly eventId: string;
  /** The delivery's index in the accept record; -1 for forwarding. */
  readonly index: number;
  readonly target?: DeliveryTarget;
}

/** Starts the relay, queueing every undelivered entry of the replayed journal. */
export function startRelay(o: RelayOptions): Relay {
  const log = o.logger.child({ component: 'relay' });
  const dedup = createDeduplicator(o.dedupWindowMs);
  // What the journal holds, folded by the same reducer as replay and compaction.
  const state = o.replayedState ?? replayState(o.replayed);
  const status = createDeliveryStatus({ announceEveryMs: o.deliveredEventEveryMs ?? 3_600_000 });

  const maxJournalBytes = o.maxJournalBytes ?? DEFAULT_JOURNAL_MAX_BYTES;
  // At the budget a compaction must be possible, whatever --journal-compact-at says.
  const keeper = createJournalKeeper({
    journal: o.journal,
    state,
    compactAtBytes: Math.min(o.compactAtBytes ?? 64 * 1024 * 1024, maxJournalBytes),
    logger: log,
  });
  const record = (r: RelayRecord) => {
    apply(state, r, recordBytes(r));
    return o.journal
      .appendSoon(r)
      .then(() => keeper.compactIfLarge())
      .catch((err) => log.error({ err }, 'journal write failed; the outcome will be retried after a restart'));
  };

  const resolveDeps = {
    cluster: o.cluster,
    secrets: o.secrets,
    allowInsecureDestinations: o.allowInsecureDestinations,
    defaultFormat: o.slackFormat ?? 'blocks',
  };
  const deliveries = startDeliveryThread<RelayJob>(
    {
      pacing: o.pacing ?? { perSecond: 1, burst: 3 },
      backoff: o.backoff ?? { baseMs: 1_000, maxMs: 60_000 },
      maxAgeMs: o.maxAgeMs ?? 3_600_000,
      sendTimeoutMs: o.sendTimeoutMs ?? 15_000,
      ...(o.forwardTo ? { forwardTo: o.forwardTo } : {}),
      ...(o.slackCa ? { slackCa: o.slackCa } : {}),
      pauses: pausesAt(state, Date.now()).map(({ queue, destination, until }) => ({ queue, destination, until })),
      episodes: openEpisodes(state).map(({ key, episode }) => ({ key, ...(episode ? { episode } : {}) })),
    },
    {
      resolve: (provider, object, alert) => resolveSlackDestination(resolveDeps, provider, object, alert),
      onAttempt: (queue, result) => {
        if (queue === 'slack') o.metrics.attempts.inc({ result });
      },
      onPaused: (p) => {
        void record({ t: 'paused', ...p });
      },
      onEpisode: (c) => {
        void record({ t: 'episode', ...c });
      },
      onDone(queue, d, outcome) {
        if (queue === 'forward') {
          o.metrics.forwards.inc({ result: 'forwarded' });
          void record({ t: 'forwarded', id: d.eventId });
          return;
        }
        o.metrics.deliveries.inc({ result: outcome });
        void record({ t: 'done', id: d.eventId, i: d.index });
        if (outcome === 'sent' && d.target && status.delivered(d.target.alert, Date.now())) {
          const [ns, name] = split(d.target.alert);
          void o.warnings?.delivered?.(
            { namespace: ns, name },
            `delivered notification for ${objectName(d.event)} through Provider ${d.target.provider}`,
          );
        }
      },
      onDead(queue, d, reason) {
        if (queue === 'forward') {
          o.metrics.forwards.inc({ result: 'dead' });
          log.warn({ object: objectName(d.event), reason }, 'forwarding to notification-controller failed for good');
          void record({ t: 'forwarded', id: d.eventId });
          return;
        }
        const target = d.target!;
        o.metrics.deliveries.inc({ result: 'dead' });
        const [pns, pname] = split(target.provider);
        status.failed(
          target,
          reason,
          Date.now(),
          o.cluster.alertsReferencingProvider(pns, pname).map((a) => `${pns}/${a.metadata?.name ?? ''}`),
        );
        log.warn(
          { alert: target.alert, provider: target.provider, object: objectName(d.event), reason },
          'delivery failed for good; moved to dead letters',
        );
        void record({ t: 'dead', id: d.eventId, i: d.index, at: Date.now(), reason });
        const [ns, name] = split(target.alert);
        void o.warnings?.dispatchFailed(
          { namespace: ns, name },
          `failed to send notification for ${objectName(d.event)} through Provider ${target.provider}: ${reason}`,
        );
      },
    },
    log,
  );
  const forward = (id: string, at: number, e: FluxEvent) =>
    deliveries.enqueue('forward', {
      id: `${id}:forward`,
      destination: 'notification-controller',
      acceptedAt: at,
      event: e,
      metadata: {},
      eventId: id,
      index: -1,
    });

  function enqueue(
    id: string,
    at: number,
    e: FluxEvent,
    targets: readonly DeliveryTarget[],
    skip: ReadonlySet<number>,
  ): void {
    targets.forEach((target, index) => {
      if (!skip.has(index))
        deliveries.enqueue('slack', {
          id: `${id}:${index}`,
          destination: target.provider,
          acceptedAt: at,
          event: e,
          metadata: withEventMetadata(e, target.metadata),
          alert: target.alert,
          eventId: id,
          index,
          target,
        });
    });
  }

  // Replay: queue what is neither done nor dead (dead letters are in the state already) and
  // restore the dedup window; events still held (accepted before the view synced, never routed)
  // wait for the gate again.
  for (const r of o.replayed) if (r.t === 'accept') dedup.remember(r.key, r.at);
  let resumed = 0;
  const stillHeld: Accept[] = [];
  for (const [id, e] of state.events) {
    const a = e.accept;
    if (a.held) {
      stillHeld.push(a);
      continue;
    }
    resumed += unsettled(e).length;
    enqueue(id, a.at, a.event, a.deliveries, e.settled);
    if (a.forward && !e.forwarded && o.forwardTo) {
      resumed++;
      forward(id, a.at, a.event);
    }
  }
  if (resumed > 0) log.info({ deliveries: resumed }, 'resuming undelivered deliveries from the journal');
  if (stillHeld.length > 0)
    log.info(
      { events: stillHeld.length },
      'resuming events accepted before the cluster view synced; they are routed once it has',
    );

  /**
   * The Slack deliveries Flux's routing gives an event, one per destination: Alerts routing it to
   * a Provider posting where an earlier one (in Alert order) posts add no delivery (`saved`).
   */
  function targetsFor(e: FluxEvent): { targets: DeliveryTarget[]; saved: number } {
    const targets: DeliveryTarget[] = [];
    let saved = 0;
    if (isCommitStatusUpdate(e)) return { targets, saved };
    const annotations =
      o.cluster.getSource(e.involvedObject.kind, e.involvedObject.namespace, e.involvedObject.name)?.annotations ?? {};
    const destinations = new Set<string>();
    for (const alert of routeEvent(e, o.cluster, o.routing)) {
      const a = alertView(alert);
      const provider = o.cluster.getProvider(a.namespace, a.providerName);
      if (!provider || providerView(provider).type !== 'slack') continue;
      const destination = slackDestinationKey(providerView(provider));
      if (destinations.has(destination)) {
        saved++;
        continue;
      }
      destinations.add(destination);
      targets.push({
        alert: `${a.namespace}/${a.name}`,
        provider: `${a.namespace}/${a.providerName}`,
        metadata: alertMetadata(a, annotations),
      });
    }
    return { targets, saved };
  }

  /** Routes held events, journals their routing, then queues them. */
  async function release(held: Accept[]): Promise<void> {
    let saved = 0;
    const routed = held.map((h): Accept => {
      const t = targetsFor(h.event);
      saved += t.saved;
      return {
        t: 'accept',
        id: h.id,
        at: h.at,
        key: h.key,
        event: h.event,
        deliveries: t.targets,
        ...(o.forwardTo ? { forward: true as const } : {}),
      };
    });
    for (const r of routed) apply(state, r, recordBytes(r));
    await Promise.all(routed.map((r) => o.journal.append(r)));
    o.metrics.sendsSaved.inc(saved);
    for (const r of routed) {
      enqueue(r.id, r.at, r.event, r.deliveries, new Set());
      if (o.forwardTo) forward(r.id, r.at, r.event);
    }
    void keeper.compactIfLarge();
  }
  const gate = createRoutingGate<Accept>({
    synced: () => o.cluster.synced(),
    release,
    logger: log,
    initial: stillHeld,
  });
  o.metrics.bind({
    pending: () => deliveries.pending(),
    deadLetters: () => state.dead.length,
    held: () => gate.held(),
    journalBytes: () => o.journal.size(),
    journalMaxBytes: () => maxJournalBytes,
    journalKeptBytes: () => state.liveBytes,
    alerts: () => status.list(),
  });

  const admit = createJournalBudget({
    journal: o.journal,
    maxBytes: maxJournalBytes,
    keptBytes: () => state.liveBytes,
    compact: () => void keeper.compactIfLarge(),
    logger: log,
  });

  /** Journals an accept record durably; a failure forgets the event so that Flux's retry is taken. */
  async function journalAccept(r: Accept): Promise<void> {
    const journaling = o.metrics.journalAppend.startTimer();
    try {
      // In the state before the write: a compaction starting meanwhile must keep it.
      apply(state, r, admit(r));
      await o.journal.append(r);
      journaling();
    } catch (err) {
      discard(state, r.id);
      dedup.forget(r.key);
      throw err;
    }
  }

  return {
    async accept(original) {
      const now = Date.now();
      const key = eventKey(original);
      if (dedup.isDuplicate(key, now)) return 'duplicate';
      // Routed on the event as sent (Flux matches the whole message); stored as Slack can show it.
      const { event: e, cut } = boundEvent(original);
      if (cut > 0)
        log.info(
          { object: objectName(e), cutCharacters: cut },
          'event text longer than Slack shows; the journal keeps what Slack can show',
        );
      if (!gate.open()) {
        dedup.remember(key, now);
        const held: Accept = { t: 'accept', id: randomUUID(), at: now, key, event: e, deliveries: [], held: true };
        await journalAccept(held);
        gate.hold(held);
        return 'held';
      }
      const { targets, saved } = targetsFor(original);
      dedup.remember(key, now);
      if (targets.length === 0 && !o.forwardTo) return 'unrouted';
      const id = randomUUID();
      await journalAccept({
        t: 'accept',
        id,
        at: now,
        key,
        event: e,
        deliveries: targets,
        ...(o.forwardTo ? { forward: true as const } : {}),
      });
      o.metrics.sendsSaved.inc(saved);
      void keeper.compactIfLarge();
      enqueue(id, now, e, targets, new Set());
      if (o.forwardTo) forward(id, now, e);
      return targets.length > 0 ? 'accepted' : 'unrouted';
    },
    deadLetters: () => state.dead.map((d) => deadLetter(state.events.get(d.id)!.accept, d)),
    deliveryStatus: () => status.list(),
    pending: () => deliveries.pending(),
    held: () => gate.held(),
    drain: (ms) => deliveries.drain(ms),
    stop: () => {
      gate.stop();
      return deliveries.stop();
    },
  };
}

/** The dead-letter table's row for a dead record (no secret in any field). */
function deadLetter(a: Accept, d: Extract<RelayRecord, { t: 'dead' }>): DeadLetter {
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

function split(ref: string): [string, string] {
  const slash = ref.indexOf('/');
  return [ref.slice(0, slash), ref.slice(slash + 1)];
}

function objectName(e: FluxEvent): string {
  return `${e.involvedObject.kind}/${e.involvedObject.namespace}/${e.involvedObject.name}`;
}
