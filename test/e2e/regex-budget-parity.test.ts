/**
 * The regex compilation budget (src/flux/re2.ts) is one object's, applied by the engine, so the
 * webhook and the offline linter decide alike: the same Alert gets the same findings from both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createAdmissionHandler } from '../../src/admission/handler.ts';
import { staticClusterView } from '../../src/cluster/static-view.ts';
import { lintManifests } from '../../src/lint/lint-manifests.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createAdmissionMetrics } from '../../src/observability/metrics.ts';
import { createEngine } from '../../src/policy/engine.ts';
import { defaultPolicy } from '../../src/policy/policy.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';
import { alert, slackProvider } from '../support/objects.ts';

test('an Alert whose patterns exceed the per-object budget gets the same warnings from the webhook and from lint', async () => {
  const patterns = Array.from({ length: 24 }, (_, i) => `\\pL{1000}-${i}`);
  const object = alert('apps', 'costly', {
    providerRef: { name: 'slack' },
    eventSources: [{ kind: 'Kustomization', name: '*' }],
    inclusionList: patterns,
  });
  const policy = defaultPolicy(ALL_RULES);
  const engine = createEngine(ALL_RULES, policy);
  const cluster = staticClusterView([slackProvider('apps'), object]);

  const linted = lintManifests({
    checked: [{ object, source: 'a.yaml', line: 1 }],
    context: [{ object: slackProvider('apps'), source: 'p.yaml', line: 1 }],
    engine,
    defaultNamespace: 'apps',
  }).map((f) => f.message);
  const metrics = createAdmissionMetrics({ processMetrics: false });
  const handler = createAdmissionHandler({
    engine,
    cluster,
    policy,
    metrics,
    logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
  });
  const reviewed = await handler.handle('validate', {
    uid: 'u',
    kind: { group: 'notification.toolkit.fluxcd.io', version: 'v1beta3', kind: 'Alert' },
    operation: 'CREATE',
    namespace: 'apps',
    name: 'costly',
    object,
  });

  // 20 x \pL{1000} fill the 20,000 instructions of repeats; the last 4 are over, so not compiled
  // here: Flux compiles them, so they are warnings, never a denial.
  const over =
    "this object's counted repeats ({n}) add up to more than 20000 compiled instructions, more than notify-guard checks for one object: use smaller counts, or * and +; not compiled here (Flux compiles it)";
  assert.deepEqual(
    linted,
    [20, 21, 22, 23].map((i) => `spec.inclusionList[${i}]: Invalid value: ${over}`),
  );
  assert.deepEqual({ allowed: reviewed.allowed, warnings: reviewed.warnings }, { allowed: true, warnings: linted });
});
