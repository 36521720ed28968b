/**
 * Leader election on a Lease with client-go's timing (k8s.io/client-go/tools/leaderelection:
 * `LeaderElector.acquire`, `renew`, `tryAcquireOrRenew`; the defaults of core clients):
 * - the holder renews every `retryPeriodMs` (2 s) and stops counting itself leader once
 *   `renewDeadlineMs` (10 s) have passed without a successful renewal;
 * - a candidate tries every `retryPeriodMs` plus a random jitter of up to `JITTER_FACTOR` times it
 *   (2 to 4.4 s), and also exactly when the Lease it watches would lapse, and takes it only when
 *   the record has not changed for `leaseDurationMs` (15 s) on its own clock (see lease.ts);
 * - on stop, the holder gives the Lease up, so a rolling update hands over within one try.
 * After a crash of the holder, another replica takes over within
 * `leaseDurationMs + retryPeriodMs * (1 + JITTER_FACTOR)` (19.4 s) of its last renewal, plus the
 * API round trips. The holder gives up (10 s) before any candidate may take over (15 s), so two
 * replicas never both count themselves leader while the clocks run at the same rate.
 */
import type { KubeApi } from './kube-api.ts';
import type { LeaseObservation, LeaseSpec } from './lease.ts';
import { decideLease, releasedLease } from './lease.ts';

/** client-go's jitter factor for candidates (`wait.JitterUntil(..., RetryPeriod, 1.2, ...)`). */
export const JITTER_FACTOR = 1.2;

/** Lease timing; `CLIENT_GO_TIMING` is what core Kubernetes clients use. */
export interface ElectionTiming {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/** The defaults of core clients: 15 s lease, 10 s renew deadline, 2 s retry period. */
export const CLIENT_GO_TIMING: ElectionTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** The longest a replica waits after the holder's last renewal before taking over. */
export function takeoverBoundMs(t: ElectionTiming): number {
  return t.leaseDurationMs + t.retryPeriodMs * (1 + JITTER_FACTOR);
}

/** Why a timing cannot elect safely (client-go's `NewLeaderElector` checks), or undefined. */
export function electionTimingProblem(t: ElectionTiming): string | undefined {
  if (!(t.retryPeriodMs > 0)) return 'the retry period must be above zero';
  if (t.leaseDurationMs % 1000 !== 0) return 'the lease duration must be whole seconds (the Lease stores seconds)';
  if (t.leaseDurationMs <= t.renewDeadlineMs) return 'the lease duration must be greater than the renew deadline';
  if (t.renewDeadlineMs <= JITTER_FACTOR * t.retryPeriodMs)
    return 'the renew deadline must be greater than the retry period times 1.2';
  return undefined;
}

/** Settings of an elector. */
export interface ElectorOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity (the pod name). */
  readonly identity: string;
  readonly timing: ElectionTiming;
  /** This replica's clock, ms. */
  readonly now: () => number;
  /** In [0, 1): the candidates' jitter. */
  readonly random: () => number;
  /** Hears a failed try (no access to the Lease, a fault); undefined after a good one. */
  readonly onError?: (err: Error | undefined) => void;
}

/** One replica's side of the election. */
export interface Elector {
  /** Reads the Lease and acquires or renews it; returns the delay (ms) until the next try. */
  step(): Promise<number>;
  /** True while this replica holds the Lease and has renewed it within the renew deadline. */
  isLeader(): boolean;
  /** The holder the Lease named when last read (this replica's identity once it wrote it), if any. */
  holder(): string | undefined;
  /** Gives the Lease up when held (best effort); this replica is no longer leader. */
  release(): Promise<void>;
}

/** Creates an elector; nothing runs until `step` is called (see `runElection`). */
export function createElector(o: ElectorOptions): Elector {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`;
  const one = `${path}/${encodeURIComponent(o.name)}`;
  const timeoutMs = o.timing.renewDeadlineMs / 2;
  const durationSeconds = o.timing.leaseDurationMs / 1000;
  let seen: LeaseObservation = { record: undefined, at: 0 };
  let renewedAt: number | undefined;
  let lapsesAt: number | undefined;
  let holder: string | undefined;

  const isLeader = () => renewedAt !== undefined && o.now() - renewedAt < o.timing.renewDeadlineMs;

  async function attempt(now: number): Promise<void> {
    const got = await o.api.request('GET', one, { timeoutMs });
    if (got.status !== 200 && got.status !== 404)
      throw new Error(`reading Lease ${o.namespace}/${o.name}: HTTP ${got.status}`);
    const lease =
      got.status === 200 ? (got.body as { metadata?: Record<string, unknown>; spec?: LeaseSpec }) : undefined;
    const d = decideLease(lease ? (lease.spec ?? {}) : undefined, seen, { identity: o.identity, durationSeconds, now });
    seen = d.observation;
    lapsesAt = d.write === 'none' ? d.lapsesAt : undefined;
    holder = d.write === 'none' ? d.holder : lease?.spec?.holderIdentity || undefined;
    if (d.write === 'none') {
      renewedAt = undefined;
      return;
    }
    const metadata = lease?.metadata ?? { name: o.name, namespace: o.namespace };
    const body = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec: d.spec };
    const r =
      d.write === 'create'
        ? await o.api.request('POST', path, { body, timeoutMs })
        : await o.api.request('PUT', one, { body, timeoutMs });
    if (r.status === 409) return; // another replica wrote first: read again next period
    if (r.status !== 200 && r.status !== 201)
      throw new Error(`writing Lease ${o.namespace}/${o.name}: HTTP ${r.status}`);
    seen = { record: JSON.stringify((r.body as { spec?: LeaseSpec }).spec ?? d.spec), at: now };
    renewedAt = now;
    holder = o.identity;
  }

  return {
    isLeader,
    holder: () => holder,
    async step() {
      const now = o.now();
      try {
        await attempt(now);
        o.onError?.(undefined);
      } catch (err) {
        o.onError?.(err as Error); // counts as no renewal: the renew deadline decides
      }
      if (isLeader()) return o.timing.retryPeriodMs;
      return candidateDelayMs(o.timing, o.random(), lapsesAt === undefined ? Infinity : lapsesAt - o.now());
    },
    async release() {
      if (!isLeader()) return;
      renewedAt = undefined;
      holder = undefined;
      await giveUp(o, one, timeoutMs);
    },
  };
}

/**
 * A candidate's delay until its next try: the retry period plus a jitter of up to JITTER_FACTOR
 * times it (`jitter` in [0, 1)), or the time until the watched Lease would lapse when that comes
 * first (`untilLapseMs` Infinity when unknown: a failed try waits the period).
 */
export function candidateDelayMs(timing: ElectionTiming, jitter: number, untilLapseMs: number): number {
  const jittered = timing.retryPeriodMs * (1 + jitter * JITTER_FACTOR);
  return untilLapseMs > 0 ? Math.min(jittered, untilLapseMs) : jittered;
}

/** Gives the Lease up if it still names this replica (best effort: failures are ignored). */
async function giveUp(o: ElectorOptions, one: string, timeoutMs: number): Promise<void> {
  const got = await o.api.request('GET', one, { timeoutMs }).catch(() => undefined);
  const lease =
    got?.status === 200 ? (got.body as { metadata?: Record<string, unknown>; spec?: LeaseSpec }) : undefined;
  if (!lease || lease.spec?.holderIdentity !== o.identity) return;
  await o.api
    .request('PUT', one, { body: { ...lease, spec: releasedLease(lease.spec, o.now()) }, timeoutMs })
    .catch(() => undefined);
}

/** A running election: `step` on its own schedule; `onChange` hears every change of leadership. */
export function runElection(e: Elector, onChange: (leader: boolean) => void): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let leader = false;
  const loop = async (): Promise<void> => {
    const delay = await e.step();
    if (stopped) return;
    if (e.isLeader() !== leader) {
      leader = !leader;
      onChange(leader);
    }
    timer = setTimeout(() => {
      inFlight = loop();
    }, delay);
    timer.unref();
  };
  inFlight = loop();
  return {
    /** Stops trying and, once a try under way has ended, gives the Lease up. */
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await e.release();
    },
  };
}
