import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../policy/engine.ts';
import { defaultPolicy } from '../policy/policy.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import { alert } from '../../test/support/objects.ts';
import { formatFinding, formatGithubAnnotation, lintManifests } from './lint-manifests.ts';
import { sarifLog } from './sarif.ts';

const ignoring = alert(
  'apps',
  'a',
  { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
  { annotations: { 'notify-guard.fluxcd.community/ignore.alert-provider-exists': 'PLAT-7: the platform makes it' } },
);
const findings = lintManifests({
  checked: [{ object: ignoring, source: 'repo/notify.yaml', line: 3 }],
  context: [],
  engine: createEngine(ALL_RULES, defaultPolicy(ALL_RULES)),
  defaultNamespace: 'default',
});
const MESSAGE =
  'spec.providerRef.name: Not found: "slack": ignored by annotation notify-guard.fluxcd.community/ignore.alert-provider-exists: no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name';

test('a finding the object opts out of is a note that says what was ignored and why', () => {
  assert.deepEqual(findings, [
    {
      source: 'repo/notify.yaml',
      line: 3,
      kind: 'Alert',
      namespace: 'apps',
      name: 'a',
      rule: 'alert-provider-exists',
      action: 'note',
      message: MESSAGE,
      remediation: "Create the Provider in the Alert's namespace, or correct the name.",
      ignored: {
        annotation: 'notify-guard.fluxcd.community/ignore.alert-provider-exists',
        reason: 'PLAT-7: the platform makes it',
      },
    },
  ]);
  assert.equal(
    formatFinding(findings[0]!),
    `repo/notify.yaml:3: note: Alert.notification.toolkit.fluxcd.io "a" in namespace "apps": ${MESSAGE} [alert-provider-exists]\n  reason: PLAT-7: the platform makes it`,
  );
  assert.equal(
    formatGithubAnnotation(findings[0]!),
    `::notice file=repo/notify.yaml,line=3,title=alert-provider-exists::Alert.notification.toolkit.fluxcd.io "a" in namespace "apps": ${MESSAGE}%0Areason: PLAT-7: the platform makes it`,
  );
});

test('SARIF reports it as a suppressed result, with the reason as the justification', () => {
  const log = sarifLog(findings, [], { cwd: '/work' }) as {
    runs: { results: { ruleId: string; level: string; suppressions?: unknown }[] }[];
  };
  const [result] = log.runs[0]!.results;
  assert.deepEqual(
    [result!.ruleId, result!.level, result!.suppressions],
    ['alert-provider-exists', 'note', [{ kind: 'inSource', justification: 'PLAT-7: the platform makes it' }]],
  );
});

test('the GitHub annotation of an enforced finding carries the fix on its own line', () => {
  const [f] = lintManifests({
    checked: [
      {
        object: alert('apps', 'b', { providerRef: { name: '' }, eventSources: [{ kind: 'Kustomization', name: '*' }] }),
        source: 'n.yaml',
        line: 1,
      },
    ],
    context: [],
    engine: createEngine(ALL_RULES, defaultPolicy(ALL_RULES)),
    defaultNamespace: 'default',
  });
  assert.equal(
    formatGithubAnnotation(f!),
    `::error file=n.yaml,line=1,title=alert-provider-ref-nonempty::Alert.notification.toolkit.fluxcd.io "b" in namespace "apps": spec.providerRef.name: Required value: name the Provider in this namespace that should send these events%0Afix: Set spec.providerRef.name to the name of a Provider in the Alert's namespace.`,
  );
});
