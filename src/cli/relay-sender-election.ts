/**
 * `notify-guard relay --sender-lease`: the Lease election of the replica that posts to Slack
 * (docs/relay-replicas.md), with client-go's timing by default (cluster/leader-election.ts), and
 * the peer endpoint (`--peer-listen`) on which the sender adopts what the other replica accepted and
 * takes its threads and status (handoff-endpoint.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { KubeApi } from '../cluster/kube-api.ts';
import { createElector, electionTimingProblem, JITTER_FACTOR, runElection } from '../cluster/leader-election.ts';
import type { ElectionTiming, Elector } from '../cluster/leader-election.ts';
import type { Logger } from '../observability/logger.ts';
import { registerSenderMetrics } from '../observability/sender-metrics.ts';
import { createHandoffHandler } from '../relay/handoff-endpoint.ts';
import { createPeerAuth, tokenReviewer } from '../relay/peer-auth.ts';
import type { PeerAuth } from '../relay/peer-auth.ts';
import type { Relay } from '../relay/relay.ts';
import type { SenderGate } from '../relay/sender-gate.ts';
import type { HandoffResult } from '../relay/sender-handoff.ts';
import { listenOn } from './startup.ts';

/** The flags of the election (relay-flags.ts). */
export interface SenderElectionFlags {
  readonly leaseName: string;
  readonly namespace: string;
  /** This replica's identity in the Lease (the pod name). */
  readonly identity: string;
  readonly timing: ElectionTiming;
  /** The sender's handoff URL, `{identity}` standing for the Lease's holder. */
  readonly peerUrl: string;
  readonly peerHost: string;
  readonly peerPort: number;
  /** `--peer-token-file`: the peer endpoint's authentication (peer-auth.ts). */
  readonly peerTokenFile?: string;
}

/** A running election. */
export interface SenderElection {
  readonly gate: SenderGate;
  readonly onHandoff: (result: HandoffResult) => void;
  /** Another replica called the peer endpoint (authenticated, when a token is required): a peer exists. */
  readonly sawPeer: () => void;
  /** With `--peer-token-file`: the token sent to the sender and the check of the other replica's. */
  readonly auth?: PeerAuth;
  /** Gives the Lease up (the other replica takes it within one retry). */
  stop(): Promise<void>;
}

/** The relay's options an election gives (none without one): the gate, handoff results, the peer token. */
export function senderOptions(election: SenderElection | undefined | '' | false) {
  if (!election) return {};
  return {
    sender: election.gate,
    onHandoff: election.onHandoff,
    ...(election.auth ? { peerHeaders: election.auth.headers } : {}),
  };
}

/** Starts electing; throws on a timing that cannot elect safely. */
export function startSenderElection(
  api: KubeApi,
  f: SenderElectionFlags,
  logger: Logger,
  registry: Registry,
  now: () => number = Date.now,
): SenderElection {
  const problem = electionTimingProblem(f.timing);
  if (problem) throw new Error(`--sender-lease-timing: ${problem}`);
  const log = logger.child({ component: 'sender-election' });
  let lastError: string | undefined;
  const elector = createElector({
    ...{ api, namespace: f.namespace, name: f.leaseName, identity: f.identity, timing: f.timing },
    now,
    random: Math.random,
    onError(err) {
      if (err && err.message !== lastError) log.warn({ err: err.message }, 'sender Lease check failed; retrying');
      lastError = err?.message;
    },
  });
  const metrics = registerSenderMetrics(registry, () => elector.isLeader());
  const running = runElection(elector, (sender) =>
    log.info(
      { lease: `${f.namespace}/${f.leaseName}`, identity: f.identity },
      sender ? 'this replica is the sender' : 'this replica is no longer the sender',
    ),
  );
  // Once stopped, the holder is read on (the stopping replica hands its threads to the next sender while it drains).
  let stopped: { holder: () => string | undefined; at: number } | undefined;
  const { gate, sawPeer } = senderGate(elector, f, log, {
    holder: () => (stopped ? stopped.holder() : elector.holder()),
    releasedAt: () => stopped?.at,
    now,
  });
  const auth = f.peerTokenFile ? peerAuth(api, f.peerTokenFile) : undefined;
  return {
    gate,
    ...(auth ? { auth } : {}),
    onHandoff: (result) => metrics.handoffs.inc({ result }),
    sawPeer,
    async stop() {
      await running.stop();
      stopped = { ...watchHolder(api, f), at: now() };
    },
  };
}

/**
 * The longest, after a Lease is given up, until another replica holds it and the replica that gave
 * it up has read so: a candidate's longest wait between tries (the retry period and its jitter,
 * cluster/leader-election.ts), then one more retry period for the candidate's Lease write and the
 * next read of the holder (every half retry period, `watchHolder`). 6.4 s with client-go's timing.
 */
export function takeoverMs(t: ElectionTiming): number {
  return t.retryPeriodMs * (2 + JITTER_FACTOR);
}

/** What the gate reads of the Lease: its holder (read on after a stop) and when this replica gave it up. */
interface LeaseView {
  readonly holder: () => string | undefined;
  readonly releasedAt: () => number | undefined;
  readonly now: () => number;
}

/**
 * The gate over the election: the sender is the Lease's holder. Another replica is seen once it
 * holds the Lease at a read of the holder or calls the peer endpoint (`sawPeer`); with none seen,
 * this replica is `alone` once a takeover has passed since it gave the Lease up.
 */
function senderGate(
  elector: Pick<Elector, 'isLeader'>,
  f: Pick<SenderElectionFlags, 'identity' | 'peerUrl' | 'timing'>,
  log: Logger,
  lease: LeaseView,
): { gate: SenderGate; sawPeer: () => void } {
  let refused: string | undefined;
  let peerSeen = false;
  const holder = () => {
    const h = lease.holder();
    if (h !== undefined && h !== f.identity) peerSeen = true;
    return h;
  };
  const gate: SenderGate = {
    isSender: () => (holder(), elector.isLeader()),
    alone() {
      holder();
      const at = lease.releasedAt();
      return !peerSeen && at !== undefined && lease.now() - at >= takeoverMs(f.timing);
    },
    senderUrl() {
      const h = holder();
      if (h === undefined || h === f.identity) return undefined;
      const url = holderPeerUrl(f.peerUrl, h);
      if (!url && h !== refused)
        log.warn(
          { holder: JSON.stringify(h).slice(0, 80) },
          'the sender Lease holder is not a pod name; sender unknown',
        );
      refused = url ? undefined : h;
      return url;
    },
  };
  return { gate, sawPeer: () => void (peerSeen = true) };
}

/** A Lease holder that may stand in a URL's host: an RFC 1123 label (a pod name), or `127.0.0.1:<port>` (one host, tests). */
const SAFE_HOLDER = /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?|127\.0\.0\.1:[1-9][0-9]{0,4})$/;

/**
 * The sender's peer URL for a Lease `holder`, or undefined for a holder that is not a pod name:
 * anyone who can write the Lease must not direct the peer token and handed events to another host.
 */
export function holderPeerUrl(peerUrl: string, holder: string): string | undefined {
  if (!SAFE_HOLDER.test(holder)) return undefined;
  const port = holder.startsWith('127.0.0.1:') ? Number(holder.slice('127.0.0.1:'.length)) : 0;
  return port > 65_535 ? undefined : peerUrl.replaceAll('{identity}', holder);
}

/** The peer token read from `file` at each use (the kubelet rotates it), reviewed by the API server. */
function peerAuth(api: KubeApi, file: string): PeerAuth {
  return createPeerAuth({
    readToken: () => readFileSync(file, 'utf8').trim(),
    review: tokenReviewer(api),
    now: Date.now,
  });
}

/**
 * The Lease's holder, read every half retry period for at most 30 s (the pod's grace period):
 * after this replica gave the Lease up, the next holder is found within one of its tries.
 */
function watchHolder(api: KubeApi, f: SenderElectionFlags): { holder: () => string | undefined } {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(f.namespace)}/leases/${encodeURIComponent(f.leaseName)}`;
  let holder: string | undefined;
  const until = Date.now() + 30_000;
  const read = async () => {
    const got = await api.request('GET', path, { timeoutMs: f.timing.retryPeriodMs }).catch(() => undefined);
    const spec = got?.status === 200 ? (got.body as { spec?: { holderIdentity?: string } }).spec : undefined;
    holder = spec?.holderIdentity || undefined;
    if (Date.now() < until) setTimeout(() => void read(), f.timing.retryPeriodMs / 2).unref();
  };
  void read();
  return { holder: () => holder };
}

/** Listens for handoffs, handovers and GET /deliveries on `--peer-listen`; resolves the server and its port. */
export async function listenForHandoffs(
  f: Pick<SenderElectionFlags, 'peerHost' | 'peerPort'>,
  relay: Pick<Relay, 'adopt' | 'takeOver' | 'deliveryStatus'>,
  logger: Logger,
  auth?: PeerAuth,
  sawPeer: () => void = () => undefined,
): Promise<{ server: Server; port: number }> {
  const takeOver = relay.takeOver;
  const server = createServer(
    createHandoffHandler({
      ...(auth ? { auth: (a: string | undefined) => auth.check(a) } : {}),
      adopt: (h) => (sawPeer(), relay.adopt!(h)),
      ...(takeOver ? { takeOver: (h: Parameters<typeof takeOver>[0]) => (sawPeer(), takeOver(h)) } : {}),
      deliveries: () => relay.deliveryStatus(),
      logger,
    }),
  );
  await listenOn(server, f.peerHost, f.peerPort);
  return { server, port: (server.address() as AddressInfo).port };
}
