/**
 * The per-object rule opt-out as the webhook answers it, in process: the AdmissionReview response
 * and the metric sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createAdmissionHandler } from '../src/admission/handler.ts';
import type { AdmissionRequest } from '../src/admission/review.ts';
import { staticClusterView } from '../src/cluster/static-view.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createAdmissionMetrics } from '../src/observability/metrics.ts';
import { createEngine } from '../src/policy/engine.ts';
import { defaultPolicy } from '../src/policy/policy.ts';
import { ALL_RULES } from '../src/policy/rules/index.ts';
import { alert } from './support/objects.ts';

const quiet = createLogger('error', new Writable({ write: (_c, _e, cb) => cb() }));

function request(annotations: Record<string, string>): AdmissionRequest {
  const object = alert(
    'apps',
    'a',
    { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
    { annotations },
  );
  return {
    uid: 'u-1',
    kind: { group: 'notification.toolkit.fluxcd.io', version: 'v1beta3', kind: 'Alert' },
    resource: { group: 'notification.toolkit.fluxcd.io', version: 'v1beta3', resource: 'alerts' },
    operation: 'CREATE',
    namespace: 'apps',
    name: 'a',
    object,
    oldObject: null,
  } as AdmissionRequest;
}

function setup() {
  const policy = defaultPolicy(ALL_RULES);
  const metrics = createAdmissionMetrics({ processMetrics: false });
  const cluster = staticClusterView([]);
  const engine = createEngine(ALL_RULES, policy);
  return { metrics, handler: createAdmissionHandler({ engine, cluster, policy, metrics, logger: quiet }) };
}

test('an Alert that opts out of a denying rule with a reason is allowed, with a warning saying the rule was skipped, and counted', async () => {
  const { handler, metrics } = setup();
  const response = await handler.handle(
    'validate',
    request({ 'notify-guard.fluxcd.community/ignore.alert-provider-exists': 'PLAT-7: the platform creates it' }),
  );
  assert.deepEqual(response, {
    uid: 'u-1',
    allowed: true,
    warnings: [
      'spec.providerRef.name: Not found: "slack": ignored by annotation notify-guard.fluxcd.community/ignore.alert-provider-exists: no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name',
    ],
  });
  const text = await metrics.registry.metrics();
  assert.match(text, /^notify_guard_findings_ignored_total\{rule="alert-provider-exists"\} 1$/m);
  assert.match(text, /^notify_guard_findings_total\{rule="alert-provider-exists",action="warn"\} 1$/m);
});

test('an opt-out without a reason is not honoured: denied, with a warning naming the annotation, and not counted as ignored', async () => {
  const { handler, metrics } = setup();
  const response = await handler.handle(
    'validate',
    request({ 'notify-guard.fluxcd.community/ignore.alert-provider-exists': '' }),
  );
  assert.equal(response.allowed, false);
  assert.deepEqual(response.status?.details?.causes, [
    {
      reason: 'FieldValueNotFound',
      field: 'spec.providerRef.name',
      message:
        'Not found: "slack": no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name',
    },
  ]);
  assert.deepEqual(response.warnings, [
    'metadata.annotations[notify-guard.fluxcd.community/ignore.alert-provider-exists]: Required value: opting out of rule "alert-provider-exists" needs a reason as the annotation\'s value; until then the rule applies',
  ]);
  assert.doesNotMatch(await metrics.registry.metrics(), /^notify_guard_findings_ignored_total\{/m);
});
