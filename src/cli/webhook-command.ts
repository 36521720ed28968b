/**
 * `notify-guard webhook`: the admission webhook server. Reads flags, wires the dependencies,
 * listens over HTTPS and shuts down gracefully on SIGTERM/SIGINT. Flags are documented in
 * README.md.
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { RequestListener } from 'node:http';
import { join } from 'node:path';
import { createAdmissionApp } from '../admission/app.ts';
import { createAdmissionHandler } from '../admission/handler.ts';
import { TLS_POLICY, servingContext } from '../certs/serving-tls.ts';
import { DEFAULT_SERVER_LIMITS, capConnections, serverTimeouts } from '../http/server-limits.ts';
import { openClusterSource } from './cluster-source.ts';
import { relaxHeapWhileStarting } from './start-heap.ts';
import type { ClusterSource } from './cluster-source.ts';
import { openServingCerts } from './serving-certs.ts';
import type { ServingCerts } from './serving-certs.ts';
import type { WebhookOptions } from './webhook-flags.ts';
import { WEBHOOK_USAGE, parseWebhookArgs } from './webhook-flags.ts';
import { withPolicyValidation } from '../admission/policy-admission.ts';
import { openPolicySource } from './policy-source.ts';
import type { PolicySource } from './policy-source.ts';
import { startPeriodicAudit } from './periodic-audit.ts';
import { snapshotFromApi, snapshotFromDir } from './cluster-snapshot.ts';
import { createPolicyMetrics } from '../observability/policy-metrics.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import { createLogger, resolveLogFormat } from '../observability/logger.ts';
import type { Logger } from '../observability/logger.ts';
import { createAdmissionMetrics } from '../observability/metrics.ts';
import type { AdmissionMetrics } from '../observability/metrics.ts';
import { registerReadinessGauge } from '../observability/readiness-metric.ts';
import { listenForStopSignals, serveUntilSignal } from './signals.ts';
import { listenOn, startOrRelease } from './startup.ts';
import type { Startup } from './startup.ts';

/** A running webhook server. */
export interface RunningWebhook {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Wires everything and listens; a failure (a port in use) releases what was started and throws. `logger` may be given by tests; `signal` abandons the start. */
export function startWebhook(
  o: WebhookOptions,
  logger: Logger = createLogger(o.logLevel),
  signal?: AbortSignal,
): Promise<RunningWebhook> {
  return startOrRelease((startup) => openWebhook(o, logger, startup), signal);
}

async function openWebhook(o: WebhookOptions, logger: Logger, startup: Startup): Promise<RunningWebhook> {
  const metrics = createAdmissionMetrics();
  // A loose heap until the webhook listens with its view ready (start-heap.ts): reading the cluster is quicker.
  const started: { cluster?: ClusterSource; listening?: boolean } = {};
  const heap = relaxHeapWhileStarting({ ready: () => !!started.listening && !started.cluster?.notReadyReason() });
  startup.started(() => heap.stop());
  const cluster = (started.cluster = await openClusterSource(o.cluster, metrics.registry, logger));
  startup.started(() => cluster.stop());
  const policies = await openPolicySource({
    rules: ALL_RULES,
    policyFile: o.policyFile,
    namespaces: cluster.namespaces,
    logger,
    ...(cluster.api && cluster.clusterMetrics
      ? { live: { api: cluster.api, observer: cluster.clusterMetrics.observer, watchdogMs: o.cluster.watchdogMs } }
      : {}),
  });
  startup.started(() => policies.stop());
  const certs = await openServingCerts(o.certs, {
    certDir: o.certDir,
    serviceName: o.serviceName,
    serviceNamespace: o.serviceNamespace,
    namespace: o.serviceNamespace,
    api: cluster.api,
    registry: metrics.registry,
    logger,
  });
  startup.started(() => certs.stop());
  const audit = startAudit(o, cluster, policies, metrics, logger);
  startup.started(() => audit?.stop());
  const notReadyReason = () => certs.notReadyReason() ?? cluster.notReadyReason() ?? policies.notReadyReason();
  registerReadinessGauge(metrics.registry, 'notify_guard_ready', notReadyReason);
  const handler = admissionHandler(cluster, policies, metrics, logger);
  const app = createAdmissionApp({ handler, metrics, logger, notReadyReason });
  const server = await serve(app, certs, o);
  started.listening = true;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  logger.info(
    {
      listen: `${o.host}:${port}`,
      cluster: cluster.describe,
      policy: policies.holder.source(),
      objects: cluster.counts(),
    },
    'webhook listening',
  );
  return {
    server,
    port,
    close: async () => {
      heap.stop();
      audit?.stop();
      policies.stop();
      cluster.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // The certificate Lease is given up while the server closes, so a replica takes over at once.
      await Promise.all([certs.stop(), closed]);
    },
  };
}

/** The policy engine's handler, with NotifyGuardPolicy validation in front. */
function admissionHandler(cluster: ClusterSource, policies: PolicySource, metrics: AdmissionMetrics, logger: Logger) {
  return withPolicyValidation(
    createAdmissionHandler({
      engine: policies.holder.engine,
      cluster: cluster.view,
      policy: policies.holder.policy,
      namespaces: policies.namespaces,
      metrics,
      logger,
      ...(cluster.liveLookup ? { liveLookup: cluster.liveLookup } : {}),
      ...(cluster.clusterMetrics ? { lookups: cluster.clusterMetrics.liveLookups } : {}),
    }),
    ALL_RULES,
    logger,
    metrics,
  );
}

/** The periodic audit (`--audit-interval`; none when 0). */
function startAudit(
  o: WebhookOptions,
  cluster: ClusterSource,
  policies: PolicySource,
  metrics: AdmissionMetrics,
  logger: Logger,
) {
  if (o.auditIntervalMs <= 0) return undefined;
  return startPeriodicAudit({
    load: cluster.api
      ? () => snapshotFromApi(cluster.api!, { view: cluster.view })
      : () => snapshotFromDir(o.cluster.clusterDir!),
    policy: () => policies.holder.current(),
    metrics: createPolicyMetrics(metrics.registry),
    onCounts: (c) => policies.reportViolations(c),
    intervalMs: o.auditIntervalMs,
    ready: () => cluster.notReadyReason() === undefined,
    logger,
  });
}

/** The HTTPS server: TLS from the certificate source, bounded slow clients and connections. */
async function serve(app: RequestListener, certs: ServingCerts, o: WebhookOptions): Promise<Server> {
  const first = certs.tls.current();
  const server = createServer(
    { ...(first ? servingContext(first) : TLS_POLICY), ...serverTimeouts(DEFAULT_SERVER_LIMITS) },
    app,
  );
  capConnections(server, DEFAULT_SERVER_LIMITS);
  certs.tls.attach(server);
  await listenOn(server, o.host, o.port);
  return server;
}

/** The command: parse, start, print how to try it, stop on a signal (also one received while starting). */
export async function webhookCommand(argv: readonly string[]): Promise<number> {
  const signals = listenForStopSignals();
  let parsed: WebhookOptions | 'help';
  try {
    parsed = parseWebhookArgs(argv);
  } catch (err) {
    signals.dispose();
    throw err;
  }
  if (parsed === 'help') {
    signals.dispose();
    process.stdout.write(WEBHOOK_USAGE);
    return 0;
  }
  const o = parsed;
  const logger = createLogger(
    o.logLevel,
    undefined,
    resolveLogFormat(o.logFormat ?? 'auto', process.stdout.isTTY === true),
  );
  await serveUntilSignal({
    signals,
    logger,
    message: 'shutting down',
    start: (signal) => startWebhook(o, logger, signal),
    started: (running) => printHint(o, running.port),
    hardStopMs: 10_000,
  });
  return 0;
}

/** The hint is for local use: the cluster comes from manifests and the CA is in --cert-dir. */
function printHint(o: WebhookOptions, port: number): void {
  const host = o.host === '0.0.0.0' || o.host === '::' ? 'localhost' : o.host;
  if (o.cluster.clusterDir && !o.certs.selfManaged)
    process.stderr.write(
      `\nTry it:\n  curl --cacert ${join(o.certDir, 'ca.crt')} -H 'Content-Type: application/json' \\\n    --data @examples/reviews/alert-missing-provider.json https://${host}:${port}/validate\n\n`,
    );
}
