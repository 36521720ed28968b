/**
 * In-cluster certificate self-management (opt-in, `--self-managed-certs`).
 *
 * Every replica serves the certificate held in one Secret. One replica, the holder of the Lease
 * (leader-election.ts: client-go's timing), runs the holder's pass (rotation-plan.ts plans it,
 * rotation-executor.ts carries it out): it creates, renews and rotates the certificates and keeps
 * both webhook configurations' caBundle equal to the bundle, repairing any overwrite as soon as its
 * watch reports it. A replica is ready once it serves a certificate that the injected bundles trust.
 */
import type { KubeApi } from '../cluster/kube-api.ts';
import { startReflector } from '../cluster/reflector.ts';
import type { Reflector } from '../cluster/reflector.ts';
import type { Logger } from '../observability/logger.ts';
import type { CertMetrics } from '../observability/cert-metrics.ts';
import { WEBHOOK_CONFIG_PATHS, injectionProblem } from './ca-injection.ts';
import type { WebhookConfigKind } from './ca-injection.ts';
import { createCertApi } from './cert-api.ts';
import type { CertApi } from './cert-api.ts';
import { certLifetimesProblem } from './cert-settings.ts';
import { CLIENT_GO_TIMING, createElector, electionTimingProblem, runElection } from '../cluster/leader-election.ts';
import type { ElectionTiming, Elector } from '../cluster/leader-election.ts';
import { runLeaderPass } from './rotation-executor.ts';
import type { ServingTls } from './serving-tls.ts';

const DAY_MS = 86_400_000;

/** Settings of self-management. */
export interface SelfManagedOptions {
  readonly api: KubeApi;
  readonly logger: Logger;
  readonly tls: ServingTls;
  readonly metrics?: CertMetrics;
  readonly namespace: string;
  readonly secretName: string;
  readonly leaseName: string;
  readonly identity: string;
  /** Name of both webhook configurations (they are different kinds). */
  readonly webhookConfigName: string;
  /** DNS names (and IPs) for the serving certificate. */
  readonly hosts: readonly string[];
  readonly caValidityDays: number;
  readonly leafValidityDays: number;
  readonly renewBeforeMs: number;
  /** How often each replica re-checks (watches and a new leadership also trigger checks). */
  readonly intervalMs: number;
  /** Lease timing (default: client-go's 15 s / 10 s / 2 s). */
  readonly election?: ElectionTiming;
  readonly now?: () => Date;
  readonly random?: () => number;
}

/** The running controller. */
export interface SelfManagedCerts {
  notReadyReason(): string | undefined;
  isLeader(): boolean;
  /** Runs one pass now (watches and the interval call it too). */
  tick(): Promise<void>;
  /** Stops, and gives the Lease up when held (so another replica takes over within one try). */
  stop(): Promise<void>;
}

/** Starts self-management; throws on settings that cannot run. The first pass runs at once. */
export function startSelfManagedCerts(o: SelfManagedOptions): SelfManagedCerts {
  const timing = o.election ?? CLIENT_GO_TIMING;
  const problem =
    certLifetimesProblem({
      caValidityDays: o.caValidityDays,
      leafValidityDays: o.leafValidityDays,
      renewBeforeDays: o.renewBeforeMs / DAY_MS,
    }) ?? electionTimingProblem(timing);
  if (problem) throw new Error(`self-managed certificates: ${problem}`);
  const now = o.now ?? (() => new Date());
  const log = o.logger.child({ component: 'certs' });
  const io = createCertApi(o.api, {
    namespace: o.namespace,
    secretName: o.secretName,
    configName: o.webhookConfigName,
  });
  const elector = electorFor(o, timing, now, log);
  o.metrics?.observeLeader(() => elector.isLeader());
  const replica = servingReplica(o, io, elector, now, log);
  const passes = serialised(replica.pass, (err) => log.warn({ err: err.message }, 'certificate pass failed; retrying'));
  const election = runElection(elector, (leader) => {
    log.info(
      { lease: `${o.namespace}/${o.leaseName}`, identity: o.identity },
      leader ? 'became the certificate leader' : 'stopped leading',
    );
    void passes.run();
  });
  const watchers = watchForChanges(o, io.secretPath, () => void passes.run());
  const interval = setInterval(() => void passes.run(), o.intervalMs);
  interval.unref();
  void passes.run();
  return {
    notReadyReason: replica.notReadyReason,
    isLeader: () => elector.isLeader(),
    tick: () => passes.run(),
    async stop() {
      passes.stop();
      clearInterval(interval);
      for (const w of watchers) w.stop();
      await election.stop();
    },
  };
}

/** The elector on the certificate Lease; a failing check is logged once per distinct error. */
function electorFor(o: SelfManagedOptions, timing: ElectionTiming, now: () => Date, log: Logger): Elector {
  let leaseError: string | undefined;
  return createElector({
    api: o.api,
    namespace: o.namespace,
    name: o.leaseName,
    identity: o.identity,
    timing,
    now: () => now().getTime(),
    random: o.random ?? Math.random,
    onError: (err) => {
      if (err && err.message !== leaseError) log.warn({ err: err.message }, 'lease check failed; retrying');
      leaseError = err?.message;
    },
  });
}

/**
 * One replica's pass: the holder's rotation first (when leading), then serve the Secret's
 * certificate and check that the injected bundles trust it (readiness).
 */
function servingReplica(o: SelfManagedOptions, io: CertApi, elector: Elector, now: () => Date, log: Logger) {
  const executor = {
    io,
    log,
    metrics: o.metrics,
    hosts: o.hosts,
    renewBeforeMs: o.renewBeforeMs,
    caValidityDays: o.caValidityDays,
    leafValidityDays: o.leafValidityDays,
    configName: o.webhookConfigName,
  };
  let notReady: string | undefined = 'no serving certificate yet';
  return {
    notReadyReason: () => notReady,
    async pass(): Promise<void> {
      if (elector.isLeader()) await runLeaderPass(executor, now());
      const s = await io.readSecret();
      if (s.data) o.tls.update({ caPem: s.data.bundlePem, certPem: s.data.certPem, keyPem: s.data.keyPem });
      const served = o.tls.current();
      notReady = served
        ? injectionProblem(await io.readConfigs(), o.webhookConfigName, served.certPem)
        : 'no serving certificate yet';
    },
  };
}

/** Runs `work` one at a time; a call during a run schedules one more run after it. */
function serialised(work: () => Promise<void>, onError: (err: Error) => void): { run(): Promise<void>; stop(): void } {
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const run = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = work()
      .catch((err: unknown) => onError(err as Error))
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running;
  };
  return {
    run,
    stop: () => {
      stopped = true;
    },
  };
}

/** Watches make changes act within seconds: an overwritten caBundle, a Secret renewed by the leader. */
function watchForChanges(o: SelfManagedOptions, secretPath: string, changed: () => void): Reflector[] {
  const quietLogger = o.logger.child({ component: 'certs-watch' });
  const observer = { relisted: () => undefined, watchRestarted: () => undefined, event: () => undefined };
  const watch = (kind: string, path: string, name: string) =>
    startReflector({
      kind,
      path,
      fieldSelector: `metadata.name=${name}`,
      api: o.api,
      logger: quietLogger,
      observer,
      apply: changed,
      watchdogMs: 180_000,
      optional: true,
    });
  return [
    ...(Object.keys(WEBHOOK_CONFIG_PATHS) as WebhookConfigKind[]).map((kind) =>
      watch(kind, WEBHOOK_CONFIG_PATHS[kind], o.webhookConfigName),
    ),
    watch('Secret', secretPath, o.secretName),
  ];
}
