/**
 * Flags of `notify-guard webhook`: parsing and the usage text (each flag is documented in
 * README.md; a test keeps the two in step).
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { certLifetimesProblem } from '../certs/cert-settings.ts';
import { parseSecretNamespaces } from '../cluster/secret-scope.ts';
import type { ClusterSourceOptions } from './cluster-source.ts';
import type { ServingCertOptions } from './serving-certs.ts';
import {
  UsageError,
  parseListenAddress,
  parseLogFormat,
  parseLogLevel,
  parseWholeNumber as parseNumber,
} from './flag-values.ts';
import type { LogFormat } from '../observability/logger.ts';

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
  --policy FILE               policy file (default: every rule at its default action); re-read when it changes
  --audit-interval SECONDS    audit the cluster against the policy this often, for metrics and the policy's status; 0: never (default 300)
  --cert-reload-interval SECONDS  how often --cert-dir is re-read besides file-change events (default 10)
  --self-managed-certs        create, renew and inject the certificates in the cluster (a Secret and a Lease)
  --cert-secret NAME          Secret holding the self-managed certificates (default notify-guard-webhook-tls)
  --cert-lease NAME           Lease electing the replica that manages them (default notify-guard-certs)
  --webhook-config-name NAME  name of the Validating- and MutatingWebhookConfiguration to inject (default notify-guard)
  --pod-name NAME             this replica's identity in the Lease (default $POD_NAME, else the host name)
  --ca-validity-days DAYS     lifetime of a self-managed CA (default 1825)
  --leaf-validity-days DAYS   lifetime of a self-managed serving certificate (default 90)
  --cert-renew-before-days DAYS  renew a certificate this long before it expires, or at two thirds of its life if sooner (default 30)
  --service-name NAME         Service name put in generated certificates (default notify-guard-webhook)
  --service-namespace NS      Service namespace put in generated certificates (default notify-guard-system)
  --log-level LEVEL           trace|debug|info|warn|error (default info)
  --log-format FORMAT         auto|json|text: text on a terminal, JSON lines otherwise (default auto)
  -h, --help                  show this help
`;

/** Parsed flags of the webhook command. */
export interface WebhookOptions {
  readonly host: string;
  readonly port: number;
  readonly certDir: string;
  readonly certs: ServingCertOptions;
  readonly cluster: ClusterSourceOptions;
  readonly policyFile: string | undefined;
  /** How often the periodic audit runs; 0: never. */
  readonly auditIntervalMs: number;
  readonly serviceName: string;
  readonly serviceNamespace: string;
  readonly logLevel: string;
  /** `--log-format`; absent means auto. */
  readonly logFormat?: LogFormat;
}

/** The flags parseArgs reads (the usage text above describes each). */
const WEBHOOK_FLAGS = {
  listen: { type: 'string', default: '127.0.0.1:8443' },
  'cert-dir': { type: 'string', default: 'certs' },
  'cluster-dir': { type: 'string' },
  kubeconfig: { type: 'string' },
  'secret-namespaces': { type: 'string', default: 'all' },
  'secret-selector': { type: 'string' },
  'watchdog-timeout': { type: 'string', default: '180' },
  'live-lookup-timeout': { type: 'string', default: '500' },
  policy: { type: 'string' },
  'audit-interval': { type: 'string', default: '300' },
  'service-name': { type: 'string', default: 'notify-guard-webhook' },
  'service-namespace': { type: 'string', default: 'notify-guard-system' },
  'log-level': { type: 'string', default: 'info' },
  'log-format': { type: 'string', default: 'auto' },
  'cert-reload-interval': { type: 'string', default: '10' },
  'self-managed-certs': { type: 'boolean', default: false },
  'cert-secret': { type: 'string', default: 'notify-guard-webhook-tls' },
  'cert-lease': { type: 'string', default: 'notify-guard-certs' },
  'webhook-config-name': { type: 'string', default: 'notify-guard' },
  'pod-name': { type: 'string' },
  'ca-validity-days': { type: 'string', default: '1825' },
  'leaf-validity-days': { type: 'string', default: '90' },
  'cert-renew-before-days': { type: 'string', default: '30' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type FlagValues = ReturnType<typeof parseFlags>;
const parseFlags = (argv: readonly string[]) =>
  parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: WEBHOOK_FLAGS }).values;

/** Parses argv (after the subcommand) into options; throws UsageError on a mistake. */
export function parseWebhookArgs(argv: readonly string[]): WebhookOptions | 'help' {
  const values = parseFlags(argv);
  if (values.help) return 'help';
  if (values['cluster-dir'] && values.kubeconfig)
    throw new UsageError(
      '--cluster-dir and --kubeconfig exclude each other: state comes from manifests or from the API server',
    );
  if (values['cluster-dir'] && values['self-managed-certs'])
    throw new UsageError('--self-managed-certs needs the API server; it cannot be used with --cluster-dir');
  const { host, port } = parseListenAddress(values.listen);
  return {
    host,
    port,
    certDir: values['cert-dir'],
    certs: {
      reloadIntervalMs: 1000 * parseNumber('--cert-reload-interval', values['cert-reload-interval'], 1, 3600),
      selfManaged: values['self-managed-certs'] ? selfManagedOptions(values) : undefined,
    },
    cluster: clusterOptions(values),
    policyFile: values.policy,
    auditIntervalMs: 1000 * parseNumber('--audit-interval', values['audit-interval'], 0, 86_400),
    serviceName: values['service-name'],
    serviceNamespace: values['service-namespace'],
    logLevel: parseLogLevel(values['log-level']),
    logFormat: parseLogFormat(values['log-format']),
  };
}

/** Where the cluster state comes from and how the live view reads it. */
function clusterOptions(values: FlagValues): ClusterSourceOptions {
  return {
    clusterDir: values['cluster-dir'],
    kubeconfig: values.kubeconfig,
    secretScope: {
      namespaces: parseSecretNamespaces(values['secret-namespaces']),
      labelSelector: values['secret-selector'],
    },
    watchdogMs: 1000 * parseNumber('--watchdog-timeout', values['watchdog-timeout'], 1, 3600),
    liveLookupTimeoutMs: parseNumber('--live-lookup-timeout', values['live-lookup-timeout'], 1, 5000),
  };
}

/** The `--self-managed-certs` settings; refuses lifetimes that cannot run (see cert-settings.ts). */
function selfManagedOptions(
  values: Record<string, string | boolean | undefined>,
): NonNullable<ServingCertOptions['selfManaged']> {
  const text = (flag: string) => String(values[flag]);
  const lifetimes = {
    caValidityDays: parseNumber('--ca-validity-days', text('ca-validity-days'), 2, 36500),
    leafValidityDays: parseNumber('--leaf-validity-days', text('leaf-validity-days'), 1, 3650),
    renewBeforeDays: parseNumber('--cert-renew-before-days', text('cert-renew-before-days'), 1, 3650),
  };
  const problem = certLifetimesProblem(lifetimes);
  if (problem) throw new UsageError(problem);
  return {
    secretName: text('cert-secret'),
    leaseName: text('cert-lease'),
    webhookConfigName: text('webhook-config-name'),
    identity: (values['pod-name'] as string | undefined) ?? process.env['POD_NAME'] ?? hostname(),
    ...lifetimes,
  };
}
