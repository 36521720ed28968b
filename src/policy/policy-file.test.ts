import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from './policy-file.ts';
import { defaultPolicy } from './policy.ts';
import { ALL_RULES } from './rules/index.ts';

const HEAD = 'apiVersion: notify-guard.fluxcd.community/v1alpha1\nkind: NotifyGuardPolicy\n';

test('without settings every rule has its default action and Slack hosts are allowed', () => {
  const p = parsePolicy(HEAD, 'p.yaml', ALL_RULES);
  assert.deepEqual(p, defaultPolicy(ALL_RULES));
  assert.equal(p.actions['alert-provider-exists'], 'deny');
  assert.equal(p.actions['alert-source-exists'], 'warn');
  assert.deepEqual(p.allowedHosts, ['hooks.slack.com', 'slack.com', 'hooks.slack-gov.com', 'slack-gov.com']);
  assert.deepEqual(p.outOfBandSecretNamespaces, []);
  assert.equal(p.eventSeverityWithoutIntent, 'keep');
});

test('sets rule actions, extends allowed hosts and turns cross-namespace sources into denials', () => {
  const p = parsePolicy(
    `${HEAD}spec:
  rules: {alert-source-exists: off, provider-channel-ignored: deny}
  destinations: {allowedHosts: [Chat.Example.org]}
  flux: {noCrossNamespaceRefs: true}
  defaulting: {eventSeverityWithoutIntent: error}
`,
    'p.yaml',
    ALL_RULES,
  );
  assert.equal(p.actions['alert-source-exists'], 'off');
  assert.equal(p.actions['provider-channel-ignored'], 'deny');
  assert.equal(p.actions['alert-cross-namespace-source'], 'deny');
  assert.deepEqual(p.allowedHosts, [
    'hooks.slack.com',
    'slack.com',
    'hooks.slack-gov.com',
    'slack-gov.com',
    'chat.example.org',
  ]);
  assert.equal(p.eventSeverityWithoutIntent, 'error');
});

test('an explicit action for the cross-namespace rule wins over the Flux flag', () => {
  const p = parsePolicy(
    `${HEAD}spec: {rules: {alert-cross-namespace-source: warn}, flux: {noCrossNamespaceRefs: true}}\n`,
    'p.yaml',
    ALL_RULES,
  );
  assert.equal(p.actions['alert-cross-namespace-source'], 'warn');
});

test('names the file and field of every mistake', () => {
  assert.throws(() => parsePolicy(`${HEAD}spec: {rules: {alert-provider-exist: deny}}\n`, 'p.yaml', ALL_RULES), {
    name: 'PolicyFileError',
    message:
      /^p\.yaml: spec\.rules\.alert-provider-exist: unknown rule; known rules: alert-provider-ref-nonempty, alert-provider-exists,/,
  });
  assert.throws(() => parsePolicy(`${HEAD}spec: {rules: {alert-provider-exists: block}}\n`, 'p.yaml', ALL_RULES), {
    message: 'p.yaml: spec.rules.alert-provider-exists: Invalid option: expected one of "deny"|"warn"|"off"',
  });
  assert.throws(
    () => parsePolicy(`${HEAD}spec: {destinations: {allowedHosts: ["https://x.org/"]}}\n`, 'p.yaml', ALL_RULES),
    {
      message:
        'p.yaml: spec.destinations.allowedHosts.0: must be a host name such as hooks.slack.com (no scheme, port or path)',
    },
  );
  assert.throws(() => parsePolicy(`${HEAD}spec: {colour: red}\n`, 'p.yaml', ALL_RULES), {
    message: 'p.yaml: spec: Unrecognized key: "colour"',
  });
  assert.throws(() => parsePolicy('kind: [', 'p.yaml', ALL_RULES), { message: /^p\.yaml: not valid YAML: / });
  assert.throws(() => parsePolicy('kind: NotifyGuardPolicy\n', 'p.yaml', ALL_RULES), {
    message: 'p.yaml: apiVersion: Invalid input: expected "notify-guard.fluxcd.community/v1alpha1"',
  });
});

test('names namespaces whose Secrets are made out of band, and accepts the removed rule alert-match-labels-name', () => {
  const p = parsePolicy(
    `${HEAD}spec: {secrets: {outOfBandNamespaces: [vault-apps, "*"]}, rules: {alert-match-labels-name: off}}\n`,
    'p.yaml',
    ALL_RULES,
  );
  assert.deepEqual(p.outOfBandSecretNamespaces, ['vault-apps', '*']);
  assert.equal(p.actions['alert-match-labels-name'], undefined);
  assert.throws(() => parsePolicy(`${HEAD}spec: {secrets: {outOfBandNamespaces: [Apps]}}\n`, 'p.yaml', ALL_RULES), {
    message: 'p.yaml: spec.secrets.outOfBandNamespaces.0: must be a namespace name or "*"',
  });
});
