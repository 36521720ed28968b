/**
 * `notify-guard webhook`: the admission webhook server. Reads flags, wires the dependencies,
 * listens over HTTPS and shuts down gracefully on SIGTERM/SIGINT. Flags are documented in
 * README.md.
 */
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { createAdmissionApp } from '../admission/app.ts';
import { createAdmissionHandler } from '../admission/handler.ts';
import { ensureCertDir } from '../certs/cert-dir.ts';
import { serviceHosts } from '../certs/certificates.ts';
import { parseSecretNamespaces } from '../cluster/secret-scope.ts';
import type { ClusterSourceOptions } from './cluster-source.ts';
import { openClusterSource } from './cluster-source.ts';
import { createEngine } from '../policy/engine.ts';
import { defaultPolicy } from '../policy/policy.ts';
import type { Policy } from '../policy/policy.ts';
import { loadPolicyFile } from '../policy/policy-file.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import { createLogger } from '../observability/logger.ts';
import type { Logger } from '../observability/logger.ts';
import { createAdmissionMetrics } from '../observability/metrics.ts';
import { UsageError, parseListenAddress } from './listen-address.ts';

export const WEBHOOK_USAGE = `Usage: notify-guard webhook [flags]

Serves the validating (POST /validate) and mutating (POST /mutate) admission webhook over HTTPS.

Flags:
  --listen HOST:PORT          address to serve on (default 127.0.0.1:8443)
  --cert-dir DIR              reads ca.crt, tls.crt, tls.key; generates them when absent (default certs)
  --cluster-dir DIR           cluster state from the YAML manifests under DIR instead of the API server
  --kubeconfig FILE           kubeconfig for the API server (default: in-cluster service account, else $KUBECONFIG or ~/.kube/config)
  --secret-namespaces LIST    namespaces whose Secrets are watched: all, or ns1,ns2 (default all)
  --secret-selector SELECTOR  label selector limiting the watched Secrets (default none)
  --watchdog-timeout SECONDS  relist a collection whose watch delivered nothing, not even a bookmark, this long (default 180)
  --live-lookup-timeout MS    bound of the live GET made before denying for a missing object (default 500)
  --policy FILE               policy file (default: every rule at its default action)
  --service-name NAME         Service name put in generated certificates (default notify-guard-webhook)
  --service-namespace NS      Service namespace put in generated certificates (default notify-guard-system)
  --log-level LEVEL           trace|debug|info|warn|error (default info)
  -h, --help                  show this help
`;

/** Parsed flags of the webhook command. */
export interface WebhookOptions {
  readonly host: string;
  readonly port: number;
  readonly certDir: string;
  readonly cluster: ClusterSourceOptions;
  readonly policyFile: string | undefined;
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly logLevel: string;
}

/** Parses argv (after the subcommand) into options; throws UsageError on a mistake. */
export function parseWebhookArgs(argv: readonly string[]): WebhookOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      listen: { type: 'string', default: '127.0.0.1:8443' },
      'cert-dir': { type: 'string', default: 'certs' },
      'cluster-dir': { type: 'string' },
      kubeconfig: { type: 'string' },
      'secret-namespaces': { type: 'string', default: 'all' },
      'secret-selector': { type: 'string' },
      'watchdog-timeout': { type: 'string', default: '180' },
      'live-lookup-timeout': { type: 'string', default: '500' },
      policy: { type: 'string' },
      'service-name': { type: 'string', default: 'notify-guard-webhook' },
      'service-namespace': { type: 'string', default: 'notify-guard-system' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (values['cluster-dir'] && values.kubeconfig) throw new UsageError('--cluster-dir and --kubeconfig exclude each other: state comes from manifests or from the API server');
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(values['log-level'])) throw new UsageError(`--log-level ${JSON.stringify(values['log-level'])}: expected trace, debug, info, warn or error`);
  const { host, port } = parseListenAddress(values.listen);
  return {
    host,
    port,
    certDir: values['cert-dir'],
    cluster: {
      clusterDir: values['cluster-dir'],
      kubeconfig: values.kubeconfig,
      secretScope: { namespaces: parseSecretNamespaces(values['secret-namespaces']), labelSelector: values['secret-selector'] },
      watchdogMs: 1000 * parseNumber('--watchdog-timeout', values['watchdog-timeout'], 1, 3600),
      liveLookupTimeoutMs: parseNumber('--live-lookup-timeout', values['live-lookup-timeout'], 1, 5000),
    },
    policyFile: values.policy,
    serviceName: values['service-name'],
    serviceNamespace: values['service-namespace'],
    logLevel: values['log-level'],
  };
}

function parseNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
  return n;
}

/** A running webhook server. */
export interface RunningWebhook {
  readonly server: Server;
  readonly port: number;
  close(): Promise<void>;
}

/** Wires everything and listens. `logger` may be given by tests. */
export async function startWebhook(o: WebhookOptions, logger: Logger = createLogger(o.logLevel)): Promise<RunningWebhook> {
  const policy: Policy = o.policyFile ? await loadPolicyFile(o.policyFile, ALL_RULES) : defaultPolicy(ALL_RULES);
  const metrics = createAdmissionMetrics();
  const cluster = await openClusterSource(o.cluster, metrics.registry, logger);
  const { files, generated } = await ensureCertDir(o.certDir, {
    hosts: [...serviceHosts(o.serviceName, o.serviceNamespace), 'localhost', '127.0.0.1'],
    now: new Date(),
  });
  if (generated) logger.info({ certDir: o.certDir }, 'generated a local CA and serving certificate');
  const handler = createAdmissionHandler({
    engine: createEngine(ALL_RULES, policy), cluster: cluster.view, policy, metrics, logger,
    ...(cluster.liveLookup ? { liveLookup: cluster.liveLookup } : {}),
    ...(cluster.clusterMetrics ? { lookups: cluster.clusterMetrics.liveLookups } : {}),
  });
  const app = createAdmissionApp({ handler, metrics, logger, notReadyReason: () => cluster.notReadyReason() });
  const server = createServer({ cert: files.certPem, key: files.keyPem, ca: files.caPem }, app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  logger.info({ listen: `${o.host}:${port}`, cluster: cluster.describe, policy: o.policyFile ?? '(defaults)', objects: cluster.counts() }, 'webhook listening');
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => {
      cluster.stop();
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
  };
}

/** The command: parse, start, print how to try it, stop on a signal. */
export async function webhookCommand(argv: readonly string[]): Promise<number> {
  const parsed = parseWebhookArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(WEBHOOK_USAGE);
    return 0;
  }
  const logger = createLogger(parsed.logLevel);
  const running = await startWebhook(parsed, logger);
  const host = parsed.host === '0.0.0.0' || parsed.host === '::' ? 'localhost' : parsed.host;
  process.stderr.write(`\nTry it:\n  curl --cacert ${join(parsed.certDir, 'ca.crt')} -H 'Content-Type: application/json' \\\n    --data @examples/reviews/alert-missing-provider.json https://${host}:${running.port}/validate\n\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void running.close().then(resolve);
      setTimeout(resolve, 10_000).unref();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}
