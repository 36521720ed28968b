/**
 * Prometheus metrics, on a registry of their own (no global state). Names and labels are
 * documented in docs/metrics.md.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The admission webhook's metrics. */
export interface AdmissionMetrics {
  readonly registry: Registry;
  /** notify_guard_admission_requests_total{webhook,kind,operation,outcome} */
  readonly requests: Counter<'webhook' | 'kind' | 'operation' | 'outcome'>;
  /** notify_guard_admission_duration_seconds{webhook,kind,operation,outcome} */
  readonly duration: Histogram<'webhook' | 'kind' | 'operation' | 'outcome'>;
  /** notify_guard_findings_total{rule,action} */
  readonly findings: Counter<'rule' | 'action'>;
  /** notify_guard_findings_ignored_total{rule}: findings an object opts out of by annotation */
  readonly ignoredFindings: Counter<'rule'>;
}

/** Creates the registry and the admission metrics; `processMetrics` adds Node's defaults. */
export function createAdmissionMetrics(opts: { processMetrics?: boolean } = {}): AdmissionMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'notify_guard_' });
  const labelNames = ['webhook', 'kind', 'operation', 'outcome'] as const;
  return {
    registry,
    requests: new Counter({
      name: 'notify_guard_admission_requests_total',
      help: 'AdmissionReview requests answered, by webhook (validate|mutate), kind, operation and outcome (allowed|denied|patched|error|bad_request).',
      labelNames,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'notify_guard_admission_duration_seconds',
      help: 'Time from receiving a decoded AdmissionReview to sending its response.',
      labelNames,
      // Up to 5 s: the webhooks' timeoutSeconds is 3 (manifests/base/webhooks.yaml); the latency alert fires at 2.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
      registers: [registry],
    }),
    findings: new Counter({
      name: 'notify_guard_findings_total',
      help: 'Rule findings, by rule id and action (deny|warn).',
      labelNames: ['rule', 'action'],
      registers: [registry],
    }),
    ignoredFindings: new Counter({
      name: 'notify_guard_findings_ignored_total',
      help: 'Rule findings not enforced because the object opts out of the rule by annotation (notify-guard.fluxcd.community/ignore.RULE), by rule id; each is also counted as a warning in notify_guard_findings_total.',
      labelNames: ['rule'],
      registers: [registry],
    }),
  };
}
