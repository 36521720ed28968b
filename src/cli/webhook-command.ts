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
import { loadStaticClusterView } from '../cluster/static-view.ts';
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
  --cluster-dir DIR           cluster state from the YAML manifests under DIR (required until the live view lands)
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
  readonly clusterDir: string;
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
      policy: { type: 'string' },
      'service-name': { type: 'string', default: 'notify-guard-webhook' },
      'service-namespace': { type: 'string', default: 'notify-guard-system' },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  if (!values['cluster-dir']) throw new UsageError('--cluster-dir is required: the webhook needs cluster state (try --cluster-dir examples/cluster)');
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].includes(values['log-level'])) throw new UsageError(`--log-level ${JSON.stringify(values['log-level'])}: expected trace, debug, info, warn or error`);
  const { host, port } = parseListenAddress(values.listen);
  return {
    host,
    port,
    certDir: values['cert-dir'],
    clusterDir: values['cluster-dir'],
    policyFile: values.policy,
    serviceName: values['service-name'],
    serviceNamespace: values['service-namespace'],
    logLevel: values['log-level'],
  };
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
  const cluster = await loadStaticClusterView(o.clusterDir);
  const { files, generated } = await ensureCertDir(o.certDir, {
    hosts: [...serviceHosts(o.serviceName, o.serviceNamespace), 'localhost', '127.0.0.1'],
    now: new Date(),
  });
  if (generated) logger.info({ certDir: o.certDir }, 'generated a local CA and serving certificate');
  const metrics = createAdmissionMetrics();
  const handler = createAdmissionHandler({ engine: createEngine(ALL_RULES, policy, cluster), policy, metrics, logger });
  const app = createAdmissionApp({ handler, metrics, logger, notReadyReason: () => (cluster.synced() ? undefined : 'cluster view not synced') });
  const server = createServer({ cert: files.certPem, key: files.keyPem, ca: files.caPem }, app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  logger.info({ listen: `${o.host}:${port}`, clusterDir: o.clusterDir, policy: o.policyFile ?? '(defaults)', objects: cluster.counts() }, 'webhook listening');
  return {
    server,
    port,
    close: () => new Promise<void>((resolve) => {
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
