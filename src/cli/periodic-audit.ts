/**
 * The webhook's periodic audit: every interval it reads the cluster once (Alerts, Providers, Flux
 * objects as metadata, Namespaces; Secrets come from the live view), judges it by the policy in
 * force, publishes `notify_guard_policy_violations` and `notify_guard_unwatched_objects`, and hands
 * the violation counts to `onCounts` (written into the NotifyGuardPolicy's status). Runs never
 * overlap; a failed run is logged and the last metrics stay.
 */
import type { Logger } from '../observability/logger.ts';
import type { PolicyMetrics } from '../observability/policy-metrics.ts';
import { metaOf, violationCounts } from '../policy/audit.ts';
import { coverage, deliveringAlerts } from '../policy/coverage.ts';
import type { Policy } from '../policy/policy.ts';
import type { ViolationCounts } from '../policy/policy-status.ts';
import { auditFindingsInSlices } from './audit-command.ts';
import type { ClusterSnapshot } from './cluster-snapshot.ts';

/** What the periodic audit needs. */
export interface PeriodicAuditOptions {
  readonly load: () => Promise<ClusterSnapshot>;
  readonly policy: () => Policy;
  readonly metrics: PolicyMetrics;
  readonly onCounts: (counts: ViolationCounts) => void;
  readonly intervalMs: number;
  /** False while the cluster view is not synced: the audit waits (retrying every second) rather than judge a partial view. */
  readonly ready?: () => boolean;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** A running periodic audit. */
export interface PeriodicAudit {
  /** Runs one audit now (or waits for the one running). */
  runOnce(): Promise<void>;
  stop(): void;
}

/** Starts auditing: once right away, then every interval. */
export function startPeriodicAudit(o: PeriodicAuditOptions): PeriodicAudit {
  const now = o.now ?? (() => new Date());
  const log = o.logger.child({ component: 'audit' });
  let running: Promise<void> | undefined;
  let retry: NodeJS.Timeout | undefined;
  const runOnce = (): Promise<void> => {
    if (o.ready && !o.ready()) {
      clearTimeout(retry);
      retry = setTimeout(() => void runOnce(), 1_000);
      retry.unref();
      return Promise.resolve();
    }
    running ??= (async () => {
      try {
        const snapshot = await o.load();
        const policy = o.policy();
        const findings = await auditFindingsInSlices(snapshot, policy);
        const counts = violationCounts(findings.map((f) => ({ ...f, at: undefined })));
        const unwatched = new Map<string, number>();
        for (const e of coverage(
          snapshot.fluxObjects.map((f) => metaOf(f.object)),
          deliveringAlerts(snapshot.alerts, snapshot.providers),
        )) {
          if (e.alerts.length === 0)
            unwatched.set(`${e.kind}\u0000${e.namespace}`, (unwatched.get(`${e.kind}\u0000${e.namespace}`) ?? 0) + 1);
        }
        o.metrics.publish(counts.byNamespace, unwatched);
        o.onCounts({
          byConvention: counts.byConvention,
          total: counts.total,
          auditedAt: now()
            .toISOString()
            .replace(/\.\d{3}Z$/, 'Z'),
        });
        log.debug({ violations: counts.total }, 'audit done');
      } catch (err) {
        log.warn({ err }, 'periodic audit failed; the last results stay');
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  void runOnce();
  const timer = setInterval(() => void runOnce(), o.intervalMs);
  timer.unref();
  return {
    runOnce,
    stop: () => {
      clearInterval(timer);
      clearTimeout(retry);
    },
  };
}
