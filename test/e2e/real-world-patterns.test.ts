/**
 * Real-world patterns, one fixture each in test/fixtures/patterns/ (its first comment names the
 * pattern it models), linted as the webhook's rules judge them: the exact findings, and no denial
 * where notification-controller would deliver. Patterns seen in GitOps repositories and in Flux's
 * own documentation: Secrets made by ExternalSecrets and SealedSecrets, a Secret overriding
 * spec.address, a webhook Secret with a token, GovSlack, Flux's doc placeholder, v1beta2 objects,
 * matchLabels with a concrete name, SOPS, and what never delivers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifests } from '../../src/cluster/manifests.ts';
import { lintManifests } from '../../src/lint/lint-manifests.ts';
import { createEngine } from '../../src/policy/engine.ts';
import { defaultPolicy } from '../../src/policy/policy.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'patterns');

/** [fixture, does notification-controller deliver with it, the exact findings as `line: action [rule] message`]. */
const PATTERNS: [fixture: string, fluxDelivers: boolean, findings: string[]][] = [
  [
    'bot-token-without-channel.yaml',
    false,
    [
      '12: deny [provider-secret-keys] spec.channel: Required value: Secret "slack-url" holds a bot token for chat.postMessage, which needs a channel: set spec.channel',
    ],
  ],
  [
    'externalsecret-datafrom.yaml',
    true,
    [
      '16: note [lint-secret-keys-unknown] spec.secretRef.name: Secret "slack-url" is made by ExternalSecret "slack-url" from spec.dataFrom, so its keys cannot be known here: key checks skipped',
    ],
  ],
  ['externalsecret-target-name.yaml', true, []],
  [
    'flux-doc-placeholder.yaml',
    false,
    [
      '2: deny [secret-keys-kept] data[address]: Invalid value: used by Provider "slack" (spec.secretRef): a Slack incoming-webhook URL has the shape https://hooks.slack.com/services/T…/B…/<secret> and its segments are not a team id (T…), a hook id (B…) and a secret, as in the placeholder .../services/YOUR/SLACK/WEBHOOK, so Slack answers 404 and nothing is delivered; put the webhook URL that Slack shows for the app there',
      '10: deny [provider-address] spec.secretRef.name: Invalid value: "slack-url": in Secret "slack-url" key "address": a Slack incoming-webhook URL has the shape https://hooks.slack.com/services/T…/B…/<secret> and its segments are not a team id (T…), a hook id (B…) and a secret, as in the placeholder .../services/YOUR/SLACK/WEBHOOK, so Slack answers 404 and nothing is delivered; put the webhook URL that Slack shows for the app there',
    ],
  ],
  ['govslack.yaml', true, []],
  ['matchlabels-concrete-name.yaml', true, []],
  ['sealedsecret-template.yaml', true, []],
  [
    'secret-overrides-spec-address.yaml',
    true,
    [
      '11: warn [provider-address-overridden] spec.address: Invalid value: unused: key "address" of Secret "slack-url" overrides spec.address, and Flux sends to that one; remove spec.address',
    ],
  ],
  [
    'slack-workflow-url.yaml',
    true,
    [
      "2: warn [provider-slack-workflow] spec.address: Invalid value: a Slack workflow or trigger URL is not an incoming webhook: a workflow reads only the variables it declares and may not read Flux's payload; use a /services/ webhook or chat.postMessage",
    ],
  ],
  ['sops-secret.yaml', true, []],
  [
    'username-without-password.yaml',
    true,
    [
      '3: warn [secret-credentials-pair] data[password]: Required value: read by Provider "slack" (spec.secretRef): key "username" without "password": Flux then drops its username, password and token and sends without them; add "password" or remove "username"',
      '12: warn [provider-credentials-pair] spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has key "username" without "password": Flux then drops its username, password and token and sends without them; add "password" or remove "username"',
    ],
  ],
  [
    'v1beta2-objects.yaml',
    true,
    [
      '10: warn [lint-removed-api-version] apiVersion: Unsupported value: "notification.toolkit.fluxcd.io/v1beta2": Flux v2.9 does not serve v1beta2 (removed in Flux v2.9), so applying this Provider fails; change apiVersion to notification.toolkit.fluxcd.io/v1beta3 (the spec fields keep their names), or pass --flux-version with the release the cluster runs',
      '20: warn [lint-removed-api-version] apiVersion: Unsupported value: "notification.toolkit.fluxcd.io/v1beta2": Flux v2.9 does not serve v1beta2 (removed in Flux v2.9), so applying this Alert fails; change apiVersion to notification.toolkit.fluxcd.io/v1beta3 (the spec fields keep their names), or pass --flux-version with the release the cluster runs',
    ],
  ],
  ['webhook-secret-with-token.yaml', true, []],
];

for (const [fixture, fluxDelivers, expected] of PATTERNS) {
  const pattern = /^# Pattern: (.*)$/m.exec(readFileSync(join(DIR, fixture), 'utf8'))?.[1] ?? '';
  test(`${fixture}: ${pattern}`, async () => {
    assert.notEqual(pattern, '', 'the fixture names the pattern it models');
    const findings = lintManifests({
      checked: await loadManifests(join(DIR, fixture)),
      context: [],
      engine: createEngine(ALL_RULES, defaultPolicy(ALL_RULES)),
      defaultNamespace: 'default',
    });
    assert.deepEqual(
      findings.map((f) => `${f.line}: ${f.action} [${f.rule}] ${f.message}`),
      expected,
    );
    if (fluxDelivers)
      assert.deepEqual(
        findings.filter((f) => f.action === 'deny'),
        [],
        'no denial where Flux delivers',
      );
    else
      assert.ok(
        findings.some((f) => f.action === 'deny'),
        'what never delivers is denied',
      );
  });
}

test('every fixture in test/fixtures/patterns is in the table', async () => {
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.yaml'))
      .sort(),
    PATTERNS.map(([f]) => f).sort(),
  );
});
