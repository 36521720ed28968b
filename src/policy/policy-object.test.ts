import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from './field-error.ts';
import { readPolicyObject } from './policy-object.ts';
import { policyStatus } from './policy-status.ts';
import { ALL_RULES } from './rules/index.ts';

const policy = (spec: unknown) => ({
  apiVersion: 'notify-guard.fluxcd.community/v1alpha1',
  kind: 'NotifyGuardPolicy',
  metadata: { name: 'default', generation: 3, uid: 'u' },
  spec,
  status: { conditions: [] },
});
const errors = (doc: unknown) => {
  const r = readPolicyObject(doc, ALL_RULES);
  return r.ok ? [] : r.errors.map(errorString);
};

test('a valid object with status and full metadata is read, conventions with their default action', () => {
  const r = readPolicyObject(
    policy({
      rules: { 'alert-source-exists': 'off' },
      conventions: [{ name: 'meta', eventMetadata: { required: ['cluster'] } }],
    }),
    ALL_RULES,
  );
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.policy.actions['alert-source-exists'], 'off');
  assert.deepEqual(r.policy.conventions, [{ name: 'meta', action: 'warn', eventMetadata: { required: ['cluster'] } }]);
});

test("every mistake is a field error in apimachinery's grammar", () => {
  assert.deepEqual(
    errors(
      policy({
        rules: { 'alert-provider-exist': 'deny', 'alert-source-exists': 'block' },
        colour: 'red',
        conventions: [
          { name: 'chan', action: 'deny', channels: { patterns: ['team-{team}-*', 'ops-{label:env'] } },
          { name: 'chan', severity: { required: 'error' }, eventMetadata: { defaults: { team: '{label:team}' } } },
          {
            name: 'sel',
            namespaces: { selector: { matchExpressions: [{ key: 'env', operator: 'In' }] } },
            providers: { allowed: false },
          },
        ],
      }),
    ),
    [
      'spec.rules[alert-source-exists]: Unsupported value: "block": supported values: "deny", "warn", "off"',
      'spec.colour: Forbidden: unknown field; see docs/policy.md for the fields a NotifyGuardPolicy has',
    ],
    'shape errors first; the meaning is checked once the shape is right',
  );
  assert.deepEqual(
    errors(
      policy({
        rules: { 'alert-provider-exist': 'deny' },
        conventions: [
          { name: 'chan', action: 'deny', channels: { patterns: ['team-{team}-*', 'ops-{label:env'] } },
          { name: 'chan', severity: { required: 'error' }, eventMetadata: { defaults: { team: '{label:team}' } } },
          {
            name: 'sel',
            namespaces: { selector: { matchExpressions: [{ key: 'env', operator: 'In' }] } },
            providers: { allowed: false },
          },
        ],
      }),
    ),
    [
      `spec.rules[alert-provider-exist]: Unsupported value: "alert-provider-exist": unknown rule; known rules: ${ALL_RULES.map((r) => r.id).join(', ')}`,
      'spec.conventions[0].channels.patterns[0]: Invalid value: "team-{team}-*": unknown placeholder {team}: use {namespace} or {label:KEY} with a label key such as team or example.com/team',
      'spec.conventions[0].channels.patterns[1]: Invalid value: "ops-{label:env": unbalanced brace: placeholders are written {namespace} or {label:KEY}',
      'spec.conventions[1].name: Duplicate value: "chan": each convention needs a name of its own',
      'spec.conventions[1]: Invalid value: a convention sets exactly one of channels, severity, eventMetadata, providers, coverage, messages; this one sets severity, eventMetadata',
      'spec.conventions[2].namespaces.selector.matchExpressions[0]: Invalid value: values must be non-empty when operator is In',
    ],
  );
});

test('a webhook registry entry must hold the ids, never the secret segment', () => {
  assert.deepEqual(
    errors(
      policy({
        conventions: [
          {
            name: 'hooks',
            channels: { webhooks: [{ id: 'T0AB12CD3/B0CD34EF5/q1w2e3r4', channel: 'ops', namespaces: ['ops'] }] },
          },
        ],
      }),
    ),
    [
      'spec.conventions[0].channels.webhooks[0].id: Invalid value: "T0AB12CD3/B0CD34EF5/q1w2e3r4": must be the team and hook ids of the webhook URL, T…/B… (never the secret segment after them)',
    ],
  );
});

test('a message template that does not parse is denied at its path, with the line and column', () => {
  assert.deepEqual(
    errors(
      policy({
        conventions: [
          { name: 'ok', messages: { template: '*{{object.kind}}* {{reason}}\n{{message}}' } },
          { name: 'broken', messages: { template: '*{{object.kind}}*\n{{#metadata.cluster}}on {{.}}', require: true } },
          { name: 'long', messages: { template: `${'x'.repeat(70)}{{message` } },
        ],
      }),
    ),
    [
      'spec.conventions[1].messages.template: Invalid value: "*{{object.kind}}*\\n{{#metadata.cluster}}on {{.}}": line 2, column 1: unclosed section "metadata.cluster"; close every {{tag}} and {{#section}}…{{/section}} at the line and column named',
      `spec.conventions[2].messages.template: Invalid value: "${'x'.repeat(57)}...": line 1, column 71: unclosed tag; close every {{tag}} and {{#section}}…{{/section}} at the line and column named`,
    ],
  );
  assert.deepEqual(errors(policy({ conventions: [{ name: 'empty', messages: { template: '', require: 'yes' } }] })), [
    'spec.conventions[0].messages.template: Invalid value: "": Too small: expected string to have >=1 characters',
    'spec.conventions[0].messages.require: Invalid value: "yes": Invalid input: expected boolean, received string',
  ]);
});

test('the Ready condition says what is wrong and what stays in force; an unchanged condition keeps its time', () => {
  const at = new Date('2026-12-02T01:00:00.123Z');
  const bad = readPolicyObject(policy({ rules: { x: 'deny' } }), ALL_RULES);
  const s = policyStatus(bad, 3, undefined, at, 'NotifyGuardPolicy "default" generation 2');
  assert.deepEqual(s, {
    observedGeneration: 3,
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'Invalid',
        observedGeneration: 3,
        lastTransitionTime: '2026-12-02T01:00:00Z',
        message: `spec.rules[x]: Unsupported value: "x": unknown rule; known rules: ${ALL_RULES.map((r) => r.id).join(', ')}; the webhook keeps using NotifyGuardPolicy "default" generation 2`,
      },
    ],
  });
  const again = policyStatus(bad, 4, s, new Date('2026-12-02T02:00:00Z'), 'x');
  assert.equal(again.conditions[0]!.lastTransitionTime, '2026-12-02T01:00:00Z');
  const good = policyStatus(readPolicyObject(policy({}), ALL_RULES), 5, again, new Date('2026-12-02T03:00:00Z'), 'x');
  assert.deepEqual(good.conditions, [
    {
      type: 'Ready',
      status: 'True',
      reason: 'Accepted',
      message: 'the policy is in force',
      observedGeneration: 5,
      lastTransitionTime: '2026-12-02T03:00:00Z',
    },
  ]);
});
