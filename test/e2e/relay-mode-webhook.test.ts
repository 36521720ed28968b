/**
 * The mutating webhook in relay mode (policy spec.relay.deliversSlack), over TLS: the exact patch
 * that marks a Slack Provider for the relay, and nothing for other types.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { review } from '../support/apiserver-client.ts';
import { asApplied } from '../support/as-applied.ts';
import type { TestWebhook } from '../support/webhook-server.ts';
import { startTestWebhook } from '../support/webhook-server.ts';
import { resolvePolicy } from '../../src/policy/policy.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';

let w: TestWebhook;
before(async () => {
  w = await startTestWebhook({ policy: resolvePolicy(ALL_RULES, { relayDeliversSlack: true }) });
});
after(() => w.close());

test('a Slack Provider applied with kubectl gets suspend: true and the two annotations', async () => {
  const obj = asApplied({
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Provider',
    metadata: { name: 'slack', namespace: 'apps' },
    spec: { type: 'slack', secretRef: { name: 'slack-url' } },
  });
  const r = await review(w.port, w.caPem, 'mutate', { operation: 'CREATE', object: obj, uid: 'p' });
  assert.deepEqual(JSON.parse(Buffer.from(r.patch!, 'base64').toString()), [
    { op: 'add', path: '/spec/suspend', value: true },
    {
      op: 'add',
      path: '/metadata/annotations/notify-guard.fluxcd.community~1delivered-by',
      value: 'notify-guard-relay',
    },
    { op: 'add', path: '/metadata/annotations/notify-guard.fluxcd.community~1user-suspend', value: 'false' },
  ]);
  assert.equal(r.warnings?.length, 1);
});

test('a Provider of another type is not touched', async () => {
  const obj = asApplied({
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Provider',
    metadata: { name: 'teams', namespace: 'apps' },
    spec: { type: 'msteams', address: 'https://example.org/hook' },
  });
  assert.deepEqual(await review(w.port, w.caPem, 'mutate', { operation: 'CREATE', object: obj, uid: 't' }), {
    uid: 't',
    allowed: true,
  });
});
