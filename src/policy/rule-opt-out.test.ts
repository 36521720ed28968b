import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alert, secret, slackProvider } from '../../test/support/objects.ts';
import { ruleFindings } from '../../test/support/run-rule.ts';
import { errorString } from './field-error.ts';
import { alertProviderExists } from './rules/alert-provider-exists.ts';
import { secretDeleteReferenced } from './rules/secret-delete-referenced.ts';

const spec = { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] };
const annotated = (annotations: Record<string, string>) => alert('apps', 'a', spec, { annotations });
const summary = (findings: ReturnType<typeof ruleFindings>) =>
  findings.map((f) => ({ action: f.action, message: errorString(f), ignored: f.ignored }));

test('an object that opts out of a rule with a reason gets its findings as warnings that say so', () => {
  const object = annotated({
    'notify-guard.fluxcd.community/ignore.alert-provider-exists': ' PLAT-7:\n made by the platform ',
  });
  assert.deepEqual(summary(ruleFindings(alertProviderExists, { object })), [
    {
      action: 'warn',
      message:
        'spec.providerRef.name: Not found: "slack": ignored by annotation notify-guard.fluxcd.community/ignore.alert-provider-exists: no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name',
      ignored: {
        annotation: 'notify-guard.fluxcd.community/ignore.alert-provider-exists',
        reason: 'PLAT-7: made by the platform',
      },
    },
  ]);
});

test('an empty reason does not opt out: the rule applies, and a warning names the annotation', () => {
  const object = annotated({ 'notify-guard.fluxcd.community/ignore.alert-provider-exists': '  ' });
  assert.deepEqual(summary(ruleFindings(alertProviderExists, { object })), [
    {
      action: 'deny',
      message:
        'spec.providerRef.name: Not found: "slack": no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name',
      ignored: undefined,
    },
    {
      action: 'warn',
      message:
        'metadata.annotations[notify-guard.fluxcd.community/ignore.alert-provider-exists]: Required value: opting out of rule "alert-provider-exists" needs a reason as the annotation\'s value; until then the rule applies',
      ignored: undefined,
    },
  ]);
});

test('an opt-out names one rule: the annotation of another rule changes nothing', () => {
  const object = annotated({ 'notify-guard.fluxcd.community/ignore.alert-source-exists': 'not this rule' });
  assert.deepEqual(
    ruleFindings(alertProviderExists, { object }).map((f) => f.action),
    ['deny'],
  );
});

test('an object with nothing to report says nothing about its opt-out', () => {
  const object = annotated({ 'notify-guard.fluxcd.community/ignore.alert-provider-exists': '' });
  assert.deepEqual(ruleFindings(alertProviderExists, { object, cluster: [slackProvider()] }), []);
});

test("a Secret opts out by its own metadata, also on DELETE (the deleted object's annotations)", () => {
  const s = secret('apps', 'slack-url', {});
  const object = {
    ...s,
    metadata: {
      ...s.metadata,
      annotations: { 'notify-guard.fluxcd.community/ignore.secret-delete-referenced': 'rotating' },
    },
  };
  assert.deepEqual(
    ruleFindings(secretDeleteReferenced, { operation: 'DELETE', object, cluster: [slackProvider()] }).map((f) => [
      f.action,
      f.ignored?.reason,
    ]),
    [['warn', 'rotating']],
  );
});

test('the UPDATE that adds the annotation is itself admitted: the new object opts out', () => {
  const object = annotated({ 'notify-guard.fluxcd.community/ignore.alert-provider-exists': 'PLAT-7' });
  assert.deepEqual(
    ruleFindings(alertProviderExists, { operation: 'UPDATE', object, oldObject: annotated({}) }).map((f) => [
      f.action,
      f.ignored?.reason,
    ]),
    [['warn', 'PLAT-7']],
  );
});
