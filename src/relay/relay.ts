/**
 * The relay: accepts Flux events and delivers them to Slack without losing one it accepted.
 *
 * accept (relay-accept.ts): dedup -> route -> bound -> journal, fsync'd, within the disk budget ->
 * only then acknowledge. What the journal holds is journal-state.ts's reducer, which replay,
 * compaction and this relay share. An event routed to no Slack Provider is acknowledged without
 * journaling (there is nothing to lose), unless every event is forwarded to notification-controller
 * (`--forward-to`), in which case it is journaled and forwarded too.
 * deliver: on a thread of its own (delivery-thread.ts), so sending never delays an accept; per
 * destination, paced, a burst beyond a short window folded into one digest (digest-lines.ts), so
 * that pending work holds a window and an accumulator per destination, not every event; the
 * delivery thread holds at most a few jobs of each destination (delivery-window.ts), the rest wait
 * here as references into the journal state (both wired in relay-window.ts); the Provider and its Secret are read here at each
 * attempt; each outcome is
 * journaled here (relay-outcomes.ts). On start, the journal is replayed and every delivery neither
 * done nor dead is queued again (relay-queue.ts): delivery is at-least-once, and only a message in
 * flight at a crash can repeat.
 * Until the cluster view has synced, events are journaled as held (deliveries not yet decided)
 * and routed once it has (routing-gate.ts); the routing is journaled as a second accept record
 * with the same id, which supersedes the held one.
 * This file only wires those parts together.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { Logger } from '../observability/logger.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { createDeduplicator } from './event-key.ts';
import type { Deduplicator } from './event-key.ts';
import type { SpillReader } from './spill-reader.ts';
import type { FluxEvent } from './flux-event.ts';
import type { Journal } from './journal.ts';
import { DEFAULT_JOURNAL_MAX_BYTES, createJournalBudget } from './journal-budget.ts';
import type { RoutingOptions } from './routing.ts';
import { startDeliveryThread } from './delivery-thread.ts';
import type { DeliveryThread } from './delivery-thread.ts';
import { createJournalKeeper } from './compaction.ts';
import type { AcceptRecord as Accept, JournalState, RelayRecord } from './journal-state.ts';
import { apply, openEpisodes, pausesAt, replayState } from './journal-state.ts';
import { recordBytes } from './journal-record.ts';
import type { WarningRecorder } from './warning-events.ts';
import { createRoutingGate } from './routing-gate.ts';
import type { RoutingGate } from './routing-gate.ts';
import type { AlertDeliveryState, DeliveryStatus } from './delivery-status.ts';
import type { SecretValues } from './secret-values.ts';
import { resolveSlackDestination } from './slack-delivery.ts';
import type { SlackFormat } from './slack-format.ts';
import { createAcceptPath, journalAccept } from './relay-accept.ts';
import type { AcceptOutcome } from './relay-accept.ts';
import { deliveryOutcomes, spilledDead } from './relay-outcomes.ts';
import { createRelayQueue, forwardJob, slackJob } from './relay-queue.ts';
import type { RelayJob } from './relay-queue.ts';
import { release, resume } from './relay-resume.ts';
import { slackTargets } from './relay-targets.ts';
import { deadLetterRow } from './dead-letter.ts';
import type { DigestLines } from './digest-lines.ts';
import type { DigestSettings } from './digest-trigger.ts';
import type { DeliveryWindow, WindowSettings } from './delivery-window.ts';
import { settledIn, windowedLines } from './relay-window.ts';
import { createForwardWindow } from './forward-window.ts';
import type { ForwardWindow } from './forward-window.ts';
import type { DeadLetter } from './dead-letter.ts';
import type { HandedEvent, SenderGate } from './sender-gate.ts';
import type { AdoptOutcome } from './sender-adopt.ts';
import type { HandoffResult } from './sender-handoff.ts';
import { startSenderRole } from './relay-sender.ts';
import type { SenderRole } from './relay-sender.ts';
import type { DeliveryResult } from './slack-delivery.ts';
import type { PlatformTemplateLookup } from './slack-template.ts';
import type { DeliveriesAnswer } from './deliveries-answer.ts';
import type { Handover } from './sender-handover.ts';
import { drainAndHandOver, journaledStatus, startPeerOver, tellingOpens } from './relay-peer.ts';
import type { RelayPeer } from './relay-peer.ts';

export type { DeliveryTarget, RelayRecord } from './journal-state.ts';
export type { AcceptOutcome } from './relay-accept.ts';
export type { DeadLetter } from './dead-letter.ts';

/** The running relay. */
export interface Relay {
  /** Accepts an event; rejects (journal unavailable) without acknowledging anything. */
  accept(e: FluxEvent): Promise<AcceptOutcome>;
  /** Adopts an event the other replica hands to this one, the sender (relay-sender.ts); 'not-sender' without a gate. */
  adopt?(h: HandedEvent): Promise<AdoptOutcome>;
  deadLetters(): readonly DeadLetter[];
  /** Each Alert's last delivery and last failure (delivery-status.ts): this replica's own table. */
  deliveryStatus(): readonly AlertDeliveryState[];
  /** With replicas, GET /deliveries: the sender's table, whichever replica is asked (relay-peer.ts). */
  deliveries?(): Promise<DeliveriesAnswer>;
  /** With replicas, takes the other replica's threads and status (sender-handover.ts). */
  takeOver?(h: Handover): Promise<'taken' | 'not-sender'>;
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
  /** Reads the events `replayedState` spilled back from the journal (journal-replay.ts). */
  readonly spillReader?: SpillReader;
  /** The dedup window, when replay restored it already (default: a new one, restored from `replayed`). */
  readonly dedup?: Deduplicator;
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
  /** The clock accepts and outcomes are stamped with (default Date.now). */
  readonly now?: () => number;
  /** With replicas: only while this says so does the relay post to Slack; else it hands events to the sender (relay-sender.ts). */
  readonly sender?: SenderGate;
  /** Sent with each request to the sender's peer endpoint (the peer token, peer-auth.ts). */
  readonly peerHeaders?: () => Record<string, string>;
  /** Hears how each handoff to the sender ended (metrics). */
  readonly onHandoff?: (result: HandoffResult) => void;
  /** When a destination's queue folds into a burst digest (default DIGEST_DEFAULTS: `--digest-after`, `--digest-window`). */
  readonly digest?: DigestSettings;
  /** The platform's message template for a delivery (the policy's messages convention, wired by cli/). */
  readonly templateFor?: PlatformTemplateLookup;
  /** How much of each destination's work the delivery thread holds (default WINDOW_DEFAULTS: delivery-window.ts). */
  readonly window?: WindowSettings;
}

/** Starts the relay, queueing every undelivered entry of the replayed journal. */
export function startRelay(options: RelayOptions): Relay {
  // The replayed records are read here, once: the closures below keep `o`, which holds none of them
  // (else every record of a replayed backlog would stay in memory after it is delivered).
  const replayed = options.replayed;
  const o: RelayOptions = { ...options, replayed: [] };
  const log = o.logger.child({ component: 'relay' });
  const now = o.now ?? Date.now;
  const dedup = o.dedup ?? createDeduplicator(o.dedupWindowMs);
  // What the journal holds, folded by the same reducer as replay and compaction.
  const state = o.replayedState ?? replayState(replayed);
  const { keeper, record, maxJournalBytes } = journalKeeping(o, state, () => ({ forwards, lines }), log, now);
  const peer =
    o.sender &&
    startPeerOver(state, { ...o, sender: o.sender }, log, {
      status: () => status,
      setEpisodes: (changes) => deliveries.episodes(changes),
    });
  const status = journaledStatus({ announceEveryMs: o.deliveredEventEveryMs ?? 3_600_000, state, record, peer });
  const outcomes = tellingOpens(deliveryOutcomes({ ...o, record, status, log, now }), peer);
  let role: SenderRole | undefined;
  const read = { ...o, forwardRead: (offset: number) => forwards.readAt(offset) };
  const { window, lines } = windowedLines(read, state, record, now, (job) => deliveries.enqueue('slack', job));
  // A digest is posted by the replica that folded it, sender or not (docs/relay-replicas.md).
  const beforePost = (job: RelayJob) => (job.digest ? undefined : role?.beforePost(job.eventId, job.index));
  const forwards = forwardWindowOf(o, state, (job) => deliveries.enqueue('forward', job));
  const deliveries = startDeliveries(o, state, settledIn(lines, window, outcomes, forwards), log, now, beforePost);
  const queue = createRelayQueue({
    enqueue: (q, job) => (q === 'slack' ? lines.deliver(job) : forwards.offer(job)),
  });
  for (const [id, d] of state.digests) lines.resume(id, d.destination);
  const queueAccept = (r: Accept) => {
    void keeper.compactIfLarge();
    // The forward first: once it is spilled, the deliveries may spill too (journal-spill.ts `spillDelivery`).
    if (o.forwardTo) queue.forward(r);
    if (!role?.takes(r)) queue.deliver(r);
  };
  const stillHeld = resume({ ...o, replayed }, state, dedup, queue, log);
  window.resumeSpilled([...state.spill.keys()]);
  resumeForwards(o, state, forwards, log);
  const gate = createRoutingGate<Accept>({
    synced: () => o.cluster.synced(),
    release: (held) => release(o, state, held, queueAccept),
    logger: log,
    initial: stillHeld,
  });
  bindGauges(o, { state, status, gate, deliveries, window, forwards, maxJournalBytes, now });
  const admit = createJournalBudget({
    journal: o.journal,
    maxBytes: maxJournalBytes,
    keptBytes: () => state.liveBytes,
    compact: () => void keeper.compactIfLarge(),
    logger: log,
  });
  const targets = (e: FluxEvent) => slackTargets(e, o.cluster, o.routing);
  const acceptDeps = {
    ...{ journal: o.journal, state, dedup, gate, admit, targets, queue: queueAccept },
    ...{ forward: !!o.forwardTo, metrics: o.metrics, log, now },
  };
  const accept = createAcceptPath(acceptDeps);
  if (o.sender) {
    const journal = (r: Accept) => journalAccept(acceptDeps, r);
    role = startSenderRole({ ...o, gate: o.sender, state, dedup, queue, record, journal, log, now });
  }
  return relayHandle(state, status, gate, { deliveries, window, lines, forwards }, accept, role, peer);
}

/**
 * Hands the replayed spilled forwards over, with --forward-to. Without it they stay spilled (a
 * restart with it sends them), as replay's whole events keep theirs (relay-resume.ts): each was
 * given up before, a permanent 'no --forward-to address' failure, logged and counted dead, one by one.
 */
function resumeForwards(o: RelayOptions, state: JournalState, forwards: ForwardWindow, log: Logger): void {
  if (o.forwardTo) return forwards.resume();
  if (state.forwards.size > 0)
    log.warn(
      { forwards: state.forwards.size },
      'events to forward wait in the journal until a restart with --forward-to',
    );
}

/** Forwards event `a` again (after a compaction took its spilled forward off: journal-rewrite.ts), with --forward-to. */
function forward(o: RelayOptions, forwards: ForwardWindow, a: Accept): void {
  if (o.forwardTo) forwards.offer(forwardJob(a));
}

/**
 * Queues delivery `index` of event `a` again from memory, after a compaction took its spilled
 * reference off with its damaged record (journal-rewrite.ts `redeliver`), unless settled meanwhile.
 */
function redeliverFrom(state: JournalState, lines: DigestLines, log: Logger, a: Accept, index: number): void {
  const e = state.events.get(a.id);
  if (!e || e.settled.has(index)) return;
  log.warn(
    { id: a.id, i: index, provider: a.deliveries[index]!.provider },
    "a spilled delivery's journal record is damaged; its event is in memory, delivered from there",
  );
  lines.deliver(slackJob(a, index));
}

/** The forwards' window (forward-window.ts), spilling into the journal when there is one to read back from. */
function forwardWindowOf(o: RelayOptions, state: JournalState, send: (job: RelayJob) => void): ForwardWindow {
  return createForwardWindow({
    ...{ state, send, reader: o.spillReader, metrics: o.metrics, logger: o.logger },
    canSpill: () => (o.journal.generation?.() ?? -1) >= 0,
    replaying: true,
  });
}

/**
 * The journal keeper (compaction) and `record`, which folds an outcome into the state and journals
 * it. A forward or a delivery a compaction took off with its damaged record goes again from the
 * event in memory (journal-rewrite.ts `reforward`, `redeliver`), into the windows `again` returns
 * (made after the keeper, which the windows' `record` needs).
 */
function journalKeeping(
  o: RelayOptions,
  state: JournalState,
  again: () => { forwards: ForwardWindow; lines: DigestLines },
  log: Logger,
  now: () => number,
) {
  const maxJournalBytes = o.maxJournalBytes ?? DEFAULT_JOURNAL_MAX_BYTES;
  // At the budget a compaction must be possible, whatever --journal-compact-at says.
  const keeper = createJournalKeeper({
    journal: o.journal,
    state,
    compactAtBytes: Math.min(o.compactAtBytes ?? 64 * 1024 * 1024, maxJournalBytes),
    logger: log,
    now,
    reader: o.spillReader,
    damaged: (dead, lostForwards, reforward, redeliver) => {
      spilledDead({ metrics: o.metrics, log }, dead, lostForwards);
      for (const a of reforward) forward(o, again().forwards, a);
      for (const { accept, index } of redeliver) redeliverFrom(state, again().lines, log, accept, index);
    },
  });
  const record = (r: RelayRecord) => {
    apply(state, r, recordBytes(r));
    void o.journal
      .appendSoon(r)
      .then(() => keeper.compactIfLarge())
      .catch((err) => log.error({ err }, 'journal write failed; the outcome will be retried after a restart'));
  };
  return { keeper, record, maxJournalBytes };
}

/** The delivery thread, started with the settings and the pauses and episodes the journal holds. */
function startDeliveries(
  o: RelayOptions,
  state: JournalState,
  outcomes: ReturnType<typeof deliveryOutcomes>,
  log: Logger,
  now: () => number,
  beforePost: (job: RelayJob) => DeliveryResult | undefined,
): DeliveryThread<RelayJob> {
  const resolveDeps = {
    cluster: o.cluster,
    secrets: o.secrets,
    allowInsecureDestinations: o.allowInsecureDestinations,
    defaultFormat: o.slackFormat ?? 'blocks',
    ...(o.templateFor ? { templateFor: o.templateFor } : {}),
  };
  return startDeliveryThread<RelayJob>(
    {
      pacing: o.pacing ?? { perSecond: 1, burst: 3 },
      backoff: o.backoff ?? { baseMs: 1_000, maxMs: 60_000 },
      maxAgeMs: o.maxAgeMs ?? 3_600_000,
      sendTimeoutMs: o.sendTimeoutMs ?? 15_000,
      ...(o.forwardTo ? { forwardTo: o.forwardTo } : {}),
      ...(o.slackCa ? { slackCa: o.slackCa } : {}),
      pauses: pausesAt(state, now()).map(({ queue, destination, until }) => ({ queue, destination, until })),
      episodes: openEpisodes(state).map(({ key, episode }) => ({ key, ...(episode ? { episode } : {}) })),
    },
    {
      resolve: (provider, object, alert, job) =>
        Promise.resolve((job && beforePost(job)) ?? resolveSlackDestination(resolveDeps, provider, object, alert)),
      ...outcomes,
    },
    log,
  );
}

/** Binds the gauges read at scrape time to the running relay. */
function bindGauges(
  o: RelayOptions,
  r: {
    state: JournalState;
    status: DeliveryStatus;
    gate: RoutingGate<Accept>;
    deliveries: DeliveryThread<RelayJob>;
    window: DeliveryWindow;
    forwards: ForwardWindow;
    maxJournalBytes: number;
    now: () => number;
  },
): void {
  o.metrics.bind({
    // Without --forward-to, replayed forwards wait for a restart with it (resumeForwards): not pending here.
    pending: () => r.deliveries.pending() + r.window.waiting() + (o.forwardTo ? r.forwards.waiting() : 0),
    oldestPendingAgeSeconds: () => {
      const at = r.window.oldestAcceptedAt();
      return at === undefined ? 0 : Math.max(0, (r.now() - at) / 1000);
    },
    deadLetters: () => r.state.dead.length,
    deliveryThreadHeap: () => r.deliveries.heapStatistics(),
    held: () => r.gate.held(),
    journalBytes: () => o.journal.size(),
    journalMaxBytes: () => r.maxJournalBytes,
    journalKeptBytes: () => r.state.liveBytes,
    // With replicas, only the sender's (the other replica's table is handed to it: relay-peer.ts).
    alerts: () => (o.sender && !o.sender.isSender() ? [] : r.status.list()),
  });
}

/** The relay as its callers see it. */
function relayHandle(
  state: JournalState,
  status: DeliveryStatus,
  gate: RoutingGate<Accept>,
  {
    deliveries,
    window,
    lines,
    forwards,
  }: { deliveries: DeliveryThread<RelayJob>; window: DeliveryWindow; lines: DigestLines; forwards: ForwardWindow },
  accept: (e: FluxEvent) => Promise<AcceptOutcome>,
  role: SenderRole | undefined,
  peer: RelayPeer | undefined,
): Relay {
  return {
    accept,
    adopt: (h) => role?.adopt(h) ?? Promise.resolve('not-sender'),
    ...(peer ? { takeOver: (h: Handover) => peer.takeOver(h), deliveries: () => peer.deliveries() } : {}),
    deadLetters: () => state.dead.map((d) => deadLetterRow(d, (id) => state.events.get(id)!.accept)),
    deliveryStatus: () => status.list(),
    pending: () => deliveries.pending() + window.waiting() + lines.open() + forwards.waiting(),
    held: () => gate.held(),
    drain: (ms) => drainAndHandOver((t) => deliveries.drain(t), peer, ms),
    stop: async () => {
      gate.stop();
      await role?.stop();
      await peer?.stop();
      return deliveries.stop();
    },
  };
}
