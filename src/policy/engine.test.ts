import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REAL_URL, alert, secret, slackProvider } from '../../test/support/objects.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import { createEngine } from './engine.ts';
import { defaultPolicy, resolvePolicy } from './policy.ts';
import type { Rule } from './rule.ts';
import { ALL_RULES } from './rules/index.ts';
import { ruleFindings } from '../../test/support/run-rule.ts';
import { alertProviderExists } from './rules/alert-provider-exists.ts';

const brokenAlert = alert('apps', 'a', {
  providerRef: { name: 'missing' },
  eventSources: [{ kind: 'Kustomization', name: '*' }],
});

test('attaches the rule id and the policy action to each finding', () => {
  const engine = createEngine(ALL_RULES, defaultPolicy(ALL_RULES));
  const view = staticClusterView([]);
  const findings = engine.evaluate(
    { kind: 'Alert', operation: 'CREATE', namespace: 'apps', name: 'a', object: brokenAlert, oldObject: undefined },
    view,
  );
  assert.deepEqual(
    findings.map((f) => [f.rule, f.action, f.field]),
    [['alert-provider-exists', 'deny', 'spec.providerRef.name']],
  );
});

test('a rule set to warn reports a warning and one set to off reports nothing', () => {
  const cluster = staticClusterView([]);
  const warn = createEngine(ALL_RULES, resolvePolicy(ALL_RULES, { rules: { 'alert-provider-exists': 'warn' } }));
  const off = createEngine(ALL_RULES, resolvePolicy(ALL_RULES, { rules: { 'alert-provider-exists': 'off' } }));
  const input = {
    kind: 'Alert' as const,
    operation: 'CREATE' as const,
    namespace: 'apps',
    name: 'a',
    object: brokenAlert,
    oldObject: undefined,
  };
  assert.deepEqual(
    warn.evaluate(input, cluster).map((f) => f.action),
    ['warn'],
  );
  assert.deepEqual(off.evaluate(input, cluster), []);
});

test('ratchets: an UPDATE that keeps an existing problem is warned, one that adds a problem is denied', () => {
  const engine = createEngine(ALL_RULES, defaultPolicy(ALL_RULES));
  const view = staticClusterView([]);
  const withFinalizer = { ...brokenAlert, metadata: { ...brokenAlert.metadata, finalizers: ['finalizers.fluxcd.io'] } };
  const kept = engine.evaluate(
    { kind: 'Alert', operation: 'UPDATE', namespace: 'apps', name: 'a', object: withFinalizer, oldObject: brokenAlert },
    view,
  );
  assert.deepEqual(
    kept.map((f) => [f.rule, f.action]),
    [['alert-provider-exists', 'warn']],
  );
  const worse = alert('apps', 'a', {
    providerRef: { name: 'missing' },
    eventSources: [{ kind: 'Kustomization', name: '*', namespace: '*' }],
  });
  const added = engine.evaluate(
    { kind: 'Alert', operation: 'UPDATE', namespace: 'apps', name: 'a', object: worse, oldObject: brokenAlert },
    view,
  );
  assert.deepEqual(
    added.map((f) => [f.rule, f.action]),
    [
      ['alert-provider-exists', 'warn'],
      ['alert-source-namespace-wildcard', 'deny'],
    ],
  );
});

test('never blocks the UPDATE that finalises a deleted object', () => {
  const engine = createEngine(ALL_RULES, defaultPolicy(ALL_RULES));
  const view = staticClusterView([]);
  const deleting = { ...brokenAlert, metadata: { ...brokenAlert.metadata, deletionTimestamp: '2026-11-23T10:00:00Z' } };
  assert.deepEqual(
    engine.evaluate(
      { kind: 'Alert', operation: 'UPDATE', namespace: 'apps', name: 'a', object: deleting, oldObject: brokenAlert },
      view,
    ),
    [],
  );
});

test('passes a Secret that no Provider references without inspecting it', () => {
  let checked = 0;
  const spy: Rule = {
    id: 'spy',
    kind: 'Secret',
    operations: ['CREATE'],
    defaultAction: 'deny',
    description: '',
    remediation: '',
    check: () => {
      checked++;
      return [];
    },
  };
  const engine = createEngine([spy], defaultPolicy([spy]));
  const view = staticClusterView([slackProvider()]);
  engine.evaluate(
    {
      kind: 'Secret',
      operation: 'CREATE',
      namespace: 'apps',
      name: 'unrelated',
      object: secret('apps', 'unrelated', { url: 'x' }),
      oldObject: undefined,
    },
    view,
  );
  assert.equal(checked, 0);
  engine.evaluate(
    {
      kind: 'Secret',
      operation: 'CREATE',
      namespace: 'apps',
      name: 'slack-url',
      object: secret('apps', 'slack-url', { address: REAL_URL }),
      oldObject: undefined,
    },
    view,
  );
  assert.equal(checked, 1);
});

test("rules never see a Secret's data, only its metadata and facts", () => {
  let seen = '';
  const spy: Rule = {
    id: 'spy',
    kind: 'Secret',
    operations: ['UPDATE'],
    defaultAction: 'deny',
    description: '',
    remediation: '',
    check: (ctx) => {
      seen =
        JSON.stringify(ctx.object) +
        JSON.stringify(ctx.oldObject) +
        JSON.stringify(ctx.secret) +
        JSON.stringify(ctx.oldSecret);
      return [];
    },
  };
  const engine = createEngine([spy], defaultPolicy([spy]));
  const view = staticClusterView([slackProvider()]);
  engine.evaluate(
    {
      kind: 'Secret',
      operation: 'UPDATE',
      namespace: 'apps',
      name: 'slack-url',
      object: secret('apps', 'slack-url', { address: REAL_URL }),
      oldObject: secret('apps', 'slack-url', { address: REAL_URL + 'old' }),
    },
    view,
  );
  assert.ok(seen.includes('"keys":["address"]'));
  for (const v of [REAL_URL, Buffer.from(REAL_URL).toString('base64'), 'q1w2e3r4'])
    assert.equal(seen.includes(v), false);
});

test('an exception inside a rule propagates to the caller (the handler turns it into a 500)', () => {
  const boom: Rule = {
    id: 'boom',
    kind: 'Alert',
    operations: ['CREATE'],
    defaultAction: 'deny',
    description: '',
    remediation: '',
    check: () => {
      throw new TypeError('bug');
    },
  };
  const engine = createEngine([boom], defaultPolicy([boom]));
  const view = staticClusterView([]);
  assert.throws(
    () =>
      engine.evaluate(
        { kind: 'Alert', operation: 'CREATE', namespace: 'a', name: 'a', object: brokenAlert, oldObject: undefined },
        view,
      ),
    { name: 'TypeError', message: 'bug' },
  );
});

test("the engine attaches the rule's remediation to each finding", () => {
  assert.deepEqual(
    ruleFindings(alertProviderExists, { object: brokenAlert }).map((f) => f.remediation),
    ["Create the Provider in the Alert's namespace, or correct the name."],
  );
});
