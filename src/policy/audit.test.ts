import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alert } from '../../test/support/objects.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import { audit } from './audit.ts';
import { NO_NAMESPACE_LABELS } from './conventions/evaluate-conventions.ts';
import { createEngine } from './engine.ts';
import { defaultPolicy } from './policy.ts';
import { ALL_RULES } from './rules/index.ts';

const spec = { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] };

test("audit reports a rule's finding with its fix, and one the object opts out of as a note with the reason", () => {
  const policy = defaultPolicy(ALL_RULES);
  const findings = audit({
    subjects: [
      { object: alert('apps', 'plain', spec), at: 1 },
      {
        object: alert('apps', 'opted', spec, {
          annotations: { 'notify-guard.fluxcd.community/ignore.alert-provider-exists': 'PLAT-7' },
        }),
        at: 2,
      },
    ],
    fluxObjects: [],
    deliveringAlerts: [],
    rules: createEngine(ALL_RULES, policy),
    policy,
    cluster: staticClusterView([]),
    namespaces: NO_NAMESPACE_LABELS,
  });
  const remediation = "Create the Provider in the Alert's namespace, or correct the name.";
  const found = 'no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name';
  assert.deepEqual(findings, [
    {
      at: 1,
      kind: 'Alert',
      namespace: 'apps',
      name: 'plain',
      rule: 'alert-provider-exists',
      action: 'deny',
      message: `spec.providerRef.name: Not found: "slack": ${found}`,
      remediation,
    },
    {
      at: 2,
      kind: 'Alert',
      namespace: 'apps',
      name: 'opted',
      rule: 'alert-provider-exists',
      action: 'note',
      message: `spec.providerRef.name: Not found: "slack": ignored by annotation notify-guard.fluxcd.community/ignore.alert-provider-exists: ${found}`,
      remediation,
      ignored: { annotation: 'notify-guard.fluxcd.community/ignore.alert-provider-exists', reason: 'PLAT-7' },
    },
  ]);
});
