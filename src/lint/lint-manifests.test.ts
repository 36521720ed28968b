import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedObject } from '../cluster/manifests.ts';
import type { KubeObject } from '../flux/objects.ts';
import { createEngine } from '../policy/engine.ts';
import { defaultPolicy, resolvePolicy } from '../policy/policy.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import { alert, REAL_URL, secret, slackProvider } from '../../test/support/objects.ts';
import { formatFinding, formatGithubAnnotation, lintManifests } from './lint-manifests.ts';

const at = (object: KubeObject, line: number, source = 'repo/notify.yaml'): LoadedObject => ({ object, source, line });
const withoutNamespace = (o: KubeObject): KubeObject => ({ ...o, metadata: { name: o.metadata!.name! } });
const engine = createEngine(ALL_RULES, defaultPolicy(ALL_RULES));
const WILDCARD =
  'spec.eventSources[0].namespace: Invalid value: "*": Flux compares namespaces exactly and "*" is not a wildcard, so this source matches no event; omit namespace to match the Alert\'s own namespace, or add one event source per namespace';

test('checks the Alerts, Providers and Secrets of the manifests against each other and the context, in manifest order', () => {
  const findings = lintManifests({
    checked: [
      // No namespace: both land in the default namespace, where the Alert finds its Provider.
      at(
        withoutNamespace(
          alert('x', 'team-alerts', {
            providerRef: { name: 'slack' },
            eventSources: [{ kind: 'Kustomization', name: '*', namespace: '*' }],
          }),
        ),
        1,
      ),
      at(withoutNamespace(slackProvider()), 12),
      // Its Secret is in the context, not in the checked manifests.
      at(slackProvider('apps'), 20),
      at(
        { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: 'apps' }, spec: {} },
        30,
      ),
    ],
    // Context objects are read, never checked: this broken Alert reports nothing.
    context: [
      at(secret('apps', 'slack-url', { address: REAL_URL }), 1, 'secrets.yaml'),
      at(alert('apps', 'broken', { providerRef: { name: '' }, eventSources: [] }), 9, 'secrets.yaml'),
    ],
    engine,
    defaultNamespace: 'default',
  });
  assert.deepEqual(findings, [
    {
      source: 'repo/notify.yaml',
      line: 1,
      kind: 'Alert',
      namespace: 'default',
      name: 'team-alerts',
      rule: 'alert-source-namespace-wildcard',
      action: 'deny',
      message: WILDCARD,
      remediation: "Omit namespace to match the Alert's own namespace, or add one event source per namespace.",
    },
    {
      source: 'repo/notify.yaml',
      line: 12,
      kind: 'Provider',
      namespace: 'default',
      name: 'slack',
      rule: 'provider-secret-exists',
      action: 'deny',
      message:
        'spec.secretRef.name: Not found: "slack-url": no Secret "slack-url" in namespace "default"; a Secret of that name exists in namespace "apps", but Secret references are local: create it in "default"',
      remediation:
        "Create the Secret (or its ExternalSecret or SealedSecret) in the Provider's namespace, or correct the name; if something else makes it, list the namespace in the policy's spec.secrets.outOfBandNamespaces.",
    },
  ]);
  assert.equal(
    formatFinding(findings[0]!),
    `repo/notify.yaml:1: error: Alert.notification.toolkit.fluxcd.io "team-alerts" in namespace "default": ${WILDCARD} [alert-source-namespace-wildcard]\n  fix: Omit namespace to match the Alert's own namespace, or add one event source per namespace.`,
  );
});

test('objects without a namespace take the one given, as kubectl apply --namespace does', () => {
  const findings = lintManifests({
    checked: [at(withoutNamespace(slackProvider()), 3)],
    context: [at(secret('team-a', 'slack-url', { address: REAL_URL }), 1)],
    engine,
    defaultNamespace: 'team-a',
  });
  assert.deepEqual(findings, []);
});

test('a SOPS-encrypted Secret satisfies its Provider by its key names; its ciphertext is not read as an address', () => {
  const sops: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'slack-url', namespace: 'apps' },
    stringData: { address: 'ENC[AES256_GCM,data:q2Fz,iv:AAAA,tag:BBBB,type:str]' },
    sops: { age: [{ recipient: 'age1qqqq' }], version: '3.9.0' },
  };
  assert.deepEqual(
    lintManifests({
      checked: [at(sops, 1), at(slackProvider('apps'), 9)],
      context: [],
      engine,
      defaultNamespace: 'default',
    }),
    [],
  );
});

test("the policy decides each rule's action, as in the webhook: warn and off", () => {
  const policy = resolvePolicy(ALL_RULES, {
    rules: { 'alert-source-namespace-wildcard': 'warn', 'provider-secret-exists': 'off' },
  });
  const checked = [
    at(
      alert('apps', 'team-alerts', {
        providerRef: { name: 'slack' },
        eventSources: [{ kind: 'Kustomization', name: '*', namespace: '*' }],
      }),
      1,
    ),
    at(slackProvider('apps'), 12),
  ];
  const findings = lintManifests({
    checked,
    context: [],
    engine: createEngine(ALL_RULES, policy),
    defaultNamespace: 'default',
  });
  assert.deepEqual(
    findings.map((f) => [f.rule, f.action]),
    [['alert-source-namespace-wildcard', 'warn']],
  );
  assert.equal(
    formatFinding(findings[0]!),
    `repo/notify.yaml:1: warning: Alert.notification.toolkit.fluxcd.io "team-alerts" in namespace "apps": ${WILDCARD} [alert-source-namespace-wildcard]\n  fix: Omit namespace to match the Alert's own namespace, or add one event source per namespace.`,
  );
});

test("a finding about a Secret's address never shows the address", () => {
  const leaky = 'http://hooks.slack.com/services/T0AB12CD3/B0CD34EF5/s3cr3tt0k3nv4lu3';
  const findings = lintManifests({
    checked: [at(secret('apps', 'slack-url', { address: leaky }), 1), at(slackProvider('apps'), 9)],
    context: [],
    engine,
    defaultNamespace: 'default',
  });
  assert.deepEqual(
    findings.map((f) => [f.kind, f.rule]),
    [
      ['Secret', 'secret-keys-kept'],
      ['Provider', 'provider-address'],
    ],
  );
  const printed = JSON.stringify(findings) + findings.map(formatFinding).join('\n');
  for (const part of [leaky, 's3cr3tt0k3nv4lu3', 'B0CD34EF5', Buffer.from(leaky).toString('base64')])
    assert.equal(printed.includes(part), false, part);
});

test('as a GitHub Actions annotation: the level, file, line and rule as properties, escaped as the runner reads them', () => {
  const finding = {
    source: 'clusters/a:b,c.yaml',
    line: 7,
    kind: 'Alert',
    namespace: 'apps',
    name: 'x',
    rule: 'alert-regex-valid',
    action: 'warn',
    message: 'spec.inclusionList[0]: Invalid value: "100%\n(?=x)": not RE2',
  } as const;
  assert.equal(
    formatGithubAnnotation(finding),
    '::warning file=clusters/a%3Ab%2Cc.yaml,line=7,title=alert-regex-valid::Alert.notification.toolkit.fluxcd.io "x" in namespace "apps": spec.inclusionList[0]: Invalid value: "100%25%0A(?=x)": not RE2',
  );
});
