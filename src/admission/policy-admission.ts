/**
 * The webhook's answer for its own policy objects: a NotifyGuardPolicy that cannot be used (bad
 * pattern, template, selector, unknown rule) is denied with a 422 Invalid Status of field errors,
 * so the platform team gets kubectl feedback on its policy as developers do on their Alerts.
 * Every other request goes to the wrapped handler. Never throws.
 */
import type { Logger } from '../observability/logger.ts';
import { POLICY_KIND } from '../policy/policy-file.ts';
import { CLUSTER_POLICY_NAME, readPolicyObject } from '../policy/policy-object.ts';
import type { RuleDefaults } from '../policy/policy.ts';
import type { AdmissionMetrics } from '../observability/metrics.ts';
import type { AdmissionHandler } from './handler.ts';
import { outcomeOf } from './handler.ts';
import type { AdmissionRequest, AdmissionResponse } from './review.ts';
import { allowed, denied, errored } from './response.ts';
import { invalidStatus } from './status.ts';

/** The NotifyGuardPolicy API group. */
export const POLICY_API_GROUP = 'notify-guard.fluxcd.community';

/** Wraps a handler so that NotifyGuardPolicy requests are validated here (counted with kind NotifyGuardPolicy). */
export function withPolicyValidation(
  inner: AdmissionHandler,
  rules: readonly RuleDefaults[],
  logger: Logger,
  metrics: AdmissionMetrics,
): AdmissionHandler {
  return {
    async handle(webhook, req) {
      if (req.kind.group !== POLICY_API_GROUP || req.kind.kind !== POLICY_KIND) return inner.handle(webhook, req);
      const started = performance.now();
      let response: AdmissionResponse;
      try {
        response = validatePolicy(webhook, req, rules);
      } catch (err) {
        logger.error({ err, uid: req.uid, kind: POLICY_KIND, name: req.name }, 'admission evaluation failed');
        response = errored(
          req.uid,
          500,
          `notify-guard could not evaluate this ${POLICY_KIND}: internal error (uid ${req.uid}); see the webhook's logs`,
        );
      }
      const labels = { webhook, kind: POLICY_KIND, operation: req.operation, outcome: outcomeOf(response) };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, (performance.now() - started) / 1000);
      return response;
    },
  };
}

function validatePolicy(webhook: string, req: AdmissionRequest, rules: readonly RuleDefaults[]): AdmissionResponse {
  if (webhook !== 'validate' || (req.operation !== 'CREATE' && req.operation !== 'UPDATE') || !req.object)
    return allowed(req.uid);
  const name = req.name || req.object.metadata?.name || '';
  const warnings =
    name === CLUSTER_POLICY_NAME
      ? []
      : [`only the ${POLICY_KIND} named "${CLUSTER_POLICY_NAME}" is read; "${name}" has no effect`];
  const reading = readPolicyObject(req.object, rules);
  if (reading.ok) return allowed(req.uid, warnings);
  return denied(
    req.uid,
    invalidStatus(
      { qualifiedKind: `${POLICY_KIND}.${POLICY_API_GROUP}`, group: POLICY_API_GROUP, kind: POLICY_KIND, name },
      reading.errors,
    ),
    warnings,
  );
}
