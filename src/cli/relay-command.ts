/**
 * `notify-guard relay`: receives Flux events (point the controllers' --events-addr here), journals
 * them and delivers them to Slack. Flags are documented in README.md.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRelayMetrics } from '../observability/relay-metrics.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { registerReadinessGauge } from '../observability/readiness-metric.ts';
import { createLogger, resolveLogFormat } from '../observability/logger.ts';
import type { Logger } from '../observability/logger.ts';
import { replayJournal } from '../relay/journal-replay.ts';
import type { ReplayedJournal } from '../relay/journal-replay.ts';
import { spilledDead } from '../relay/relay-outcomes.ts';
import { rewriteJournal } from '../relay/compaction.ts';
import { createDeduplicator } from '../relay/event-key.ts';
import { startRelay } from '../relay/relay.ts';
import type { Relay, RelayRecord } from '../relay/relay.ts';
import { createRelayHandler } from '../relay/relay-app.ts';
import { apiSecretValues, manifestSecretValues } from '../relay/secret-values.ts';
import { apiWarningRecorder } from '../relay/warning-events.ts';
import { openClusterSource } from './cluster-source.ts';
import { RELAY_USAGE, parseRelayArgs } from './relay-flags.ts';
import type { RelayOptions } from './relay-flags.ts';
import { untilSignal } from './signals.ts';
import { listenOn, startOrRelease } from './startup.ts';
import { DEFAULT_SERVER_LIMITS, capConnections, serverTimeouts } from '../http/server-limits.ts';
import type { Startup } from './startup.ts';
import { listenForHandoffs, senderOptions, startSenderElection } from './relay-sender-election.ts';
import { openRelayTemplates } from './relay-templates.ts';

/** How long a watch may stay silent before it is restarted (the cluster view's and the policy's). */
const WATCHDOG_MS = 180_000;

export { RELAY_USAGE, parseRelayArgs } from './relay-flags.ts';
export type { RelayOptions } from './relay-flags.ts';

export interface RunningRelay {
  readonly server: Server;
  readonly port: number;
  readonly relay: Relay;
  /** Stops accepting, delivers for at most the drain timeout, closes the journal. */
  close(): Promise<void>;
}

/** What tests change that no flag does: a CA for their local Slack over TLS, the relay's clock, its pacing. */
export interface RelayServerHooks {
  readonly slackCa?: string;
  readonly now?: () => number;
  readonly pacing?: { readonly perSecond: number; readonly burst: number };
}

/** Opens the journal, replays it, wires the relay and listens; a failure (a port in use) releases what was started and throws. */
export function startRelayServer(
  o: RelayOptions,
  logger: Logger = createLogger(o.logLevel),
  extra: RelayServerHooks = {},
): Promise<RunningRelay> {
  return startOrRelease((startup) => openRelayServer(o, logger, extra, startup));
}

async function openRelayServer(
  o: RelayOptions,
  logger: Logger,
  extra: RelayServerHooks,
  startup: Startup,
): Promise<RunningRelay> {
  const metrics = createRelayMetrics();
  const cluster = await openClusterSource(
    {
      clusterDir: o.clusterDir,
      kubeconfig: o.kubeconfig,
      secretScope: { namespaces: o.secretNamespaces, labelSelector: undefined },
      watchdogMs: WATCHDOG_MS,
      liveLookupTimeoutMs: 500,
      keepSourceOrigins: true,
    },
    metrics.registry,
    logger,
  );
  startup.started(() => cluster.stop());
  const templates = await openRelayTemplates({ cluster, flags: o, watchdogMs: WATCHDOG_MS, logger });
  startup.started(() => templates.stop());
  const notReadyReason = () => cluster.notReadyReason() ?? templates.notReadyReason();
  // `journal` alone is kept by what follows: the replayed records go to the relay, which reads them once.
  const { journal, ...replay } = await openReplayedJournal(o.journalPath, logger, metrics, o.dedupWindowMs);
  startup.started(() => journal.close());
  startup.started(() => replay.spillReader.close());
  const election = o.sender && startSenderElection(cluster.api!, o.sender, logger, metrics.registry);
  if (election) startup.started(() => election.stop());
  const settings = { ...relaySettings(o, cluster, logger, extra), ...templates.wiring(cluster.view) };
  const relay = startRelay({ journal, ...replay, ...settings, ...senderOptions(election), metrics });
  registerReadinessGauge(metrics.registry, 'notify_guard_relay_ready', notReadyReason);
  startup.started(() => relay.stop());
  const peer =
    o.sender && election && (await listenForHandoffs(o.sender, relay, logger, election.auth, election.sawPeer));
  if (peer) startup.started(() => new Promise<void>((done) => peer.server.close(() => done())));
  const server = createServer(
    serverTimeouts(DEFAULT_SERVER_LIMITS),
    createRelayHandler({ relay, metrics, logger, notReadyReason }),
  );
  capConnections(server, DEFAULT_SERVER_LIMITS);
  await listenOn(server, o.host, o.port);
  const port = (server.address() as AddressInfo).port;
  logger.info(
    {
      ...{ listen: `${o.host}:${port}`, journal: o.journalPath, cluster: cluster.describe, resumed: relay.pending() },
      ...(peer ? { peerListen: `${o.sender!.peerHost}:${peer.port}` } : {}),
    },
    'relay listening',
  );
  // The sender gives its Lease up first, so that what it has not posted is handed to the next one.
  const close = async () => {
    await election?.stop();
    if (peer) peer.server.close();
    await closeRelay({ server, relay, cluster, journal, logger, drainMs: o.drainTimeoutMs });
    replay.spillReader.close();
    templates.stop();
  };
  return { server, port, relay, close };
}

/**
 * Opens and replays the journal (journal-replay.ts: pending events spilled, the dedup window
 * restored); a torn tail is reported, and a journal holding more than a restart needs is compacted
 * before the relay starts. The state of the compacted journal is the state of the whole one: it is
 * folded once and handed on.
 */
async function openReplayedJournal(path: string, logger: Logger, metrics: RelayMetrics, dedupWindowMs: number) {
  const dedup = createDeduplicator(dedupWindowMs);
  const replayed = await replayJournal(path, (key, at) => dedup.remember(key, at), { dedupWindowMs });
  const { journal, state, reader } = replayed;
  reportReplay(path, replayed, logger);
  try {
    await compactAtStart(replayed, metrics, logger);
    return { journal, replayed: [] as RelayRecord[], replayedState: state, spillReader: reader, dedup };
  } catch (err) {
    reader.close();
    await journal.close();
    throw err;
  }
}

/**
 * Logs what replay cut off (a torn tail) and passed over (records damaged in place). A record passed
 * over may be any record: an accept (its event is lost) or an outcome (`done`, `forwarded`, a fold:
 * what it settled is sent again), so the message says what they recorded is lost, not their events.
 */
export function reportReplay(
  path: string,
  replayed: Pick<ReplayedJournal, 'truncatedBytes' | 'skipped'>,
  logger: Logger,
): void {
  if (replayed.truncatedBytes > 0)
    logger.warn(
      { journal: path, bytes: replayed.truncatedBytes },
      'journal ended in a torn record (a crash while writing); it was cut off, no acknowledged event is lost',
    );
  if (replayed.skipped.length > 0)
    logger.error(
      { journal: path, records: replayed.skipped.length, skipped: replayed.skipped.slice(0, 10) },
      'journal records damaged on disk were passed over: what they recorded is lost (an accept: its event; ' +
        'an outcome: it is sent again); the records after them were replayed',
    );
}

/**
 * The startup rewrite, when the replayed journal holds more than a restart needs. The dead letters
 * it makes for damaged records are counted and logged as a running relay's compaction does
 * (relay-outcomes.ts `spilledDead`; before, neither). What it hands back to send from memory needs
 * nothing more: the relay, starting next, queues every event in memory not settled (relay-resume.ts).
 */
export async function compactAtStart(
  r: Pick<ReplayedJournal, 'journal' | 'state' | 'reader'>,
  metrics: RelayMetrics,
  logger: Logger,
): Promise<void> {
  if (r.state.liveBytes >= r.journal.size()) return;
  await rewriteJournal(r.journal, r.state, Date.now(), r.reader, (dead, lostForwards) =>
    spilledDead({ metrics, log: logger }, dead, lostForwards),
  );
}

/** The relay's settings from the flags and the cluster source. */
function relaySettings(
  o: RelayOptions,
  cluster: Awaited<ReturnType<typeof openClusterSource>>,
  logger: Logger,
  extra: RelayServerHooks,
) {
  const secrets = o.clusterDir ? manifestSecretValues(o.clusterDir) : apiSecretValues(cluster.api!);
  const warnings =
    cluster.api && cluster.notificationVersion
      ? apiWarningRecorder(cluster.api, { notificationVersion: cluster.notificationVersion, logger })
      : undefined;
  return {
    cluster: cluster.view,
    secrets,
    logger,
    ...(o.forwardTo ? { forwardTo: o.forwardTo } : {}),
    ...(extra.slackCa ? { slackCa: extra.slackCa } : {}),
    ...(extra.now ? { now: extra.now } : {}),
    ...(extra.pacing ? { pacing: extra.pacing } : {}),
    ...(warnings ? { warnings } : {}),
    routing: { noCrossNamespaceRefs: o.noCrossNamespaceRefs },
    dedupWindowMs: o.dedupWindowMs,
    ...(o.digest ? { digest: o.digest } : {}),
    allowInsecureDestinations: o.allowInsecureDestinations,
    maxAgeMs: o.maxDeliveryAgeMs,
    ...(o.slackFormat ? { slackFormat: o.slackFormat } : {}),
    backoff: { baseMs: Math.min(1_000, o.retryMaxIntervalMs), maxMs: o.retryMaxIntervalMs },
    compactAtBytes: o.journalCompactAtBytes,
    ...(o.journalMaxBytes ? { maxJournalBytes: o.journalMaxBytes } : {}),
  };
}

/** Stops accepting, delivers for at most the drain timeout, stops the relay and closes the journal. */
async function closeRelay(r: {
  server: Server;
  relay: Relay;
  cluster: { stop(): void };
  journal: { close(): Promise<void> };
  logger: Logger;
  drainMs: number;
}): Promise<void> {
  await new Promise<void>((done) => {
    r.server.close(() => done());
    r.server.closeIdleConnections();
  });
  const drained = await r.relay.drain(r.drainMs);
  if (!drained)
    r.logger.info(
      { pending: r.relay.pending() },
      'drain timeout reached; undelivered entries stay in the journal for the next start',
    );
  await r.relay.stop();
  r.cluster.stop();
  await r.journal.close();
}

export async function relayCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseRelayArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(RELAY_USAGE);
    return 0;
  }
  const logger = createLogger(
    parsed.logLevel,
    undefined,
    resolveLogFormat(parsed.logFormat ?? 'auto', process.stdout.isTTY === true),
  );
  const running = await startRelayServer(parsed, logger);
  await untilSignal(logger, 'shutting down: no new events; draining deliveries', () => running.close());
  return 0;
}
