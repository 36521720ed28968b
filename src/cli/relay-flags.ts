/**
 * The flags of `notify-guard relay`: the usage text (README.md's relay table follows it) and their
 * parsing into RelayOptions, with a UsageError naming the flag for a bad value.
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { electionTimingProblem } from '../cluster/leader-election.ts';
import type { ElectionTiming } from '../cluster/leader-election.ts';
import type { SenderElectionFlags } from './relay-sender-election.ts';
import type { LogFormat } from '../observability/logger.ts';
import { parseSecretNamespaces } from '../cluster/secret-scope.ts';
import type { DigestSettings } from '../relay/digest-trigger.ts';
import type { SlackFormat } from '../relay/slack-format.ts';
import { parseSlackFormat } from '../relay/slack-format.ts';
import { UsageError, parseListenAddress, parseLogFormat, parseLogLevel, parseWholeNumber } from './flag-values.ts';

export const RELAY_USAGE = `Usage: notify-guard relay [flags]

Receives the events Flux controllers send to --events-addr, journals each one durably, and
delivers it to the Slack Providers of the Alerts it matches (Flux's routing semantics).

Flags:
  --listen HOST:PORT          address to serve the event API on (default 127.0.0.1:9292)
  --journal FILE              the write-ahead journal (default relay.journal)
  --journal-compact-at MB     rewrite the journal with only what a restart needs once it is this large
                              and that need fills at most half of it (default 64)
  --journal-max-bytes MB      disk budget of the journal: past it, events are answered 503 with Retry-After
                              until deliveries and compaction free space (default 640; a compaction needs 1.5x)
  --cluster-dir DIR           Alerts, Providers and Secrets from manifests instead of the API server
  --policy FILE               the policy file whose messages conventions give the platform's Slack message
                              templates, as the webhook's --policy (the cluster's NotifyGuardPolicy replaces it)
  --kubeconfig FILE           kubeconfig for the API server (default: in-cluster, else $KUBECONFIG or ~/.kube/config)
  --secret-namespaces LIST    namespaces whose Secrets are watched: all, or ns1,ns2 (default all)
  --forward-to URL            also forward every event, durably, to notification-controller's event API
  --dedup-window SECONDS      a repeated event within this window is answered 429 and not sent again (default 300)
  --digest-after N            fold a destination's queue into one burst digest message when more than N events
                              wait for it (default 5; 0 sends every event alone, and keeps every pending one in memory)
  --digest-window DURATION    also fold when sending the queue one by one would take longer than this (default 10s)
  --no-cross-namespace-refs   an Alert takes events of its own namespace only, like Flux's flag
  --max-delivery-age SECONDS  give up (dead letter) on a delivery still failing after this long (default 3600)
  --retry-max-interval SECONDS  longest wait between two attempts of a failing delivery (default 60; backoff doubles from 1 s, full jitter)
  --drain-timeout SECONDS     on SIGTERM, stop accepting and deliver for at most this long (default 10)
  --slack-format FORMAT       blocks|legacy: Slack layout for Providers without the slack-format annotation (default blocks)
  --allow-insecure-slack-destinations  permit http:// Slack addresses (local testing only; refused by default)
  --sender-lease NAME         with replicas: only the holder of this Lease posts to Slack; the others hand
                              their events to it (docs/relay-replicas.md; needs the API server). Default: off
  --sender-lease-namespace NS namespace of the sender Lease (default $POD_NAMESPACE, else notify-guard-system)
  --sender-lease-timing L,R,P lease duration, renew deadline and retry period in seconds (default 15,10,2)
  --pod-name NAME             this replica's identity in the sender Lease (default $POD_NAME, else the host name)
  --peer-listen HOST:PORT     address of the handoff endpoint the sender receives events on (default 127.0.0.1:9293)
  --peer-url URL              the sender's handoff endpoint, {identity} standing for the Lease holder
                              (default http://{identity}.notify-guard:9293/handoff)
  --peer-token-file PATH      a projected ServiceAccount token (audience notify-guard-relay-peer): sent to the
                              sender, and required of the other replica (checked by TokenReview); required
                              when --peer-listen is not a loopback address
  --log-level LEVEL           trace|debug|info|warn|error (default info)
  --log-format FORMAT         auto|json|text: text on a terminal, JSON lines otherwise (default auto)
  -h, --help                  show this help
`;

export interface RelayOptions {
  readonly host: string;
  readonly port: number;
  readonly journalPath: string;
  readonly journalCompactAtBytes: number;
  /** The journal's disk budget (default DEFAULT_JOURNAL_MAX_BYTES). */
  readonly journalMaxBytes?: number;
  readonly clusterDir: string | undefined;
  /** `--policy`: the policy file the platform's message templates come from (as the webhook's). */
  readonly policyFile?: string | undefined;
  readonly kubeconfig: string | undefined;
  readonly secretNamespaces: string[];
  readonly dedupWindowMs: number;
  /** `--digest-after`, `--digest-window` (digest-trigger.ts); absent means DIGEST_DEFAULTS. */
  readonly digest?: DigestSettings;
  readonly forwardTo: string | undefined;
  readonly noCrossNamespaceRefs: boolean;
  readonly maxDeliveryAgeMs: number;
  readonly retryMaxIntervalMs: number;
  readonly drainTimeoutMs: number;
  readonly allowInsecureDestinations: boolean;
  /** `--slack-format`: the layout for Providers without the annotation; absent means blocks. */
  readonly slackFormat?: SlackFormat;
  readonly logLevel: string;
  /** `--log-format`; absent means auto. */
  readonly logFormat?: LogFormat;
  /** `--sender-lease` and the flags that go with it; absent: this replica sends alone. */
  readonly sender?: SenderElectionFlags;
}

/** The relay's flags as node:util parseArgs declares them. */
const RELAY_FLAGS = {
  listen: { type: 'string', default: '127.0.0.1:9292' },
  journal: { type: 'string', default: 'relay.journal' },
  'journal-compact-at': { type: 'string', default: '64' },
  'journal-max-bytes': { type: 'string', default: '640' },
  'cluster-dir': { type: 'string' },
  kubeconfig: { type: 'string' },
  policy: { type: 'string' },
  'secret-namespaces': { type: 'string', default: 'all' },
  'dedup-window': { type: 'string', default: '300' },
  'digest-after': { type: 'string', default: '5' },
  'digest-window': { type: 'string', default: '10s' },
  'forward-to': { type: 'string' },
  'no-cross-namespace-refs': { type: 'boolean', default: false },
  'max-delivery-age': { type: 'string', default: '3600' },
  'retry-max-interval': { type: 'string', default: '60' },
  'drain-timeout': { type: 'string', default: '10' },
  'allow-insecure-slack-destinations': { type: 'boolean', default: false },
  'slack-format': { type: 'string', default: 'blocks' },
  'log-level': { type: 'string', default: 'info' },
  'log-format': { type: 'string', default: 'auto' },
  'sender-lease': { type: 'string' },
  'sender-lease-namespace': { type: 'string' },
  'sender-lease-timing': { type: 'string', default: '15,10,2' },
  'pod-name': { type: 'string' },
  'peer-listen': { type: 'string', default: '127.0.0.1:9293' },
  'peer-url': { type: 'string', default: 'http://{identity}.notify-guard:9293/handoff' },
  'peer-token-file': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseRelayArgs(argv: readonly string[]): RelayOptions | 'help' {
  const { values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: RELAY_FLAGS });
  if (values.help) return 'help';
  const seconds = (flag: string, v: string, min: number, max: number) => 1000 * parseWholeNumber(flag, v, min, max);
  if (values['cluster-dir'] && values.kubeconfig)
    throw new UsageError('--cluster-dir and --kubeconfig exclude each other');
  const { host, port } = parseListenAddress(values.listen);
  return {
    host,
    port,
    journalPath: values.journal,
    journalCompactAtBytes:
      parseWholeNumber('--journal-compact-at', values['journal-compact-at'], 1, 65_536) * 1024 * 1024,
    journalMaxBytes: parseWholeNumber('--journal-max-bytes', values['journal-max-bytes'], 8, 1_048_576) * 1024 * 1024,
    clusterDir: values['cluster-dir'],
    policyFile: values.policy,
    kubeconfig: values.kubeconfig,
    secretNamespaces: parseSecretNamespaces(values['secret-namespaces']),
    dedupWindowMs: seconds('--dedup-window', values['dedup-window'], 0, 86_400),
    digest: {
      maxQueued: parseWholeNumber('--digest-after', values['digest-after'], 0, 10_000),
      maxSendMs: durationFlag('--digest-window', values['digest-window']),
    },
    forwardTo: forwardUrl(values['forward-to']),
    noCrossNamespaceRefs: values['no-cross-namespace-refs'],
    maxDeliveryAgeMs: seconds('--max-delivery-age', values['max-delivery-age'], 1, 7 * 86_400),
    retryMaxIntervalMs: seconds('--retry-max-interval', values['retry-max-interval'], 1, 3600),
    drainTimeoutMs: seconds('--drain-timeout', values['drain-timeout'], 0, 600),
    allowInsecureDestinations: values['allow-insecure-slack-destinations'],
    slackFormat: slackFormatFlag(values['slack-format']),
    logLevel: parseLogLevel(values['log-level']),
    logFormat: parseLogFormat(values['log-format']),
    ...senderFlags(values),
  };
}

/** `--sender-lease` and its companions; they need the API server. */
function senderFlags(v: Record<string, string | boolean | undefined>): { sender?: SenderElectionFlags } {
  const text = (flag: string) => v[flag] as string | undefined;
  const leaseName = text('sender-lease');
  if (leaseName === undefined) return {};
  if (v['cluster-dir']) throw new UsageError('--sender-lease needs the API server, not --cluster-dir');
  const peer = parseListenAddress(text('peer-listen')!);
  const peerUrl = text('peer-url')!;
  if (!peerUrl.includes('{identity}') || !/^https?:\/\//.test(peerUrl))
    throw new UsageError(`--peer-url ${JSON.stringify(peerUrl)}: expected an http(s) URL containing {identity}`);
  if (!isLoopback(peer.host) && !text('peer-token-file'))
    throw new UsageError(
      `--peer-listen ${JSON.stringify(text('peer-listen'))}: a peer endpoint other pods can reach needs --peer-token-file (anyone could hand it events)`,
    );
  return {
    sender: {
      leaseName,
      namespace: text('sender-lease-namespace') ?? process.env['POD_NAMESPACE'] ?? 'notify-guard-system',
      identity: text('pod-name') ?? process.env['POD_NAME'] ?? hostname(),
      timing: electionTiming(text('sender-lease-timing')!),
      peerUrl,
      ...(text('peer-token-file') ? { peerTokenFile: text('peer-token-file')! } : {}),
      peerHost: peer.host,
      peerPort: peer.port,
    },
  };
}

/** A host only this pod reaches. */
const isLoopback = (host: string) => /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost';

/** `L,R,P` seconds -> the election's timing (checked by the election when it starts). */
function electionTiming(v: string): ElectionTiming {
  const parts = v.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p <= 0))
    throw new UsageError(
      `--sender-lease-timing ${JSON.stringify(v)}: expected three positive numbers of seconds, e.g. 15,10,2`,
    );
  const [lease, renew, retry] = parts.map((p) => Math.round(p * 1000)) as [number, number, number];
  const timing = { leaseDurationMs: lease, renewDeadlineMs: renew, retryPeriodMs: retry };
  const problem = electionTimingProblem(timing);
  if (problem) throw new UsageError(`--sender-lease-timing ${JSON.stringify(v)}: ${problem}`);
  return timing;
}

/** A duration: `500ms`, `10s`, `2m` (at most an hour). */
function durationFlag(flag: string, v: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(v);
  const ms = m ? Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms' | 's' | 'm'] : NaN;
  if (!(ms >= 0 && ms <= 3_600_000))
    throw new UsageError(`${flag} ${JSON.stringify(v)}: expected a duration such as 500ms, 10s or 2m (at most 1h)`);
  return ms;
}

function slackFormatFlag(v: string): SlackFormat {
  const f = parseSlackFormat(v);
  if (!f) throw new UsageError(`--slack-format ${JSON.stringify(v)}: expected blocks or legacy`);
  return f;
}

function forwardUrl(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
  } catch {
    /* reported below */
  }
  throw new UsageError(
    `--forward-to ${JSON.stringify(v)}: expected an http(s) URL, e.g. http://notification-controller.flux-system.svc.cluster.local./`,
  );
}
