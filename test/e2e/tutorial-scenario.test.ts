/**
 * The tutorial a developer copies (examples/tutorial/notifications.yaml), sent through the
 * webhook over TLS as kube-apiserver sends it, against the cluster state that each apply
 * order leaves. Each case pins every denial and warning the user sees, and nothing else.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastJsonPatch from 'fast-json-patch';
import { parseManifests } from '../../src/cluster/manifests.ts';
import type { KubeObject } from '../../src/flux/objects.ts';
import type { AdmissionResponse } from '../../src/admission/review.ts';
import { review } from '../support/apiserver-client.ts';
import { asApplied } from '../support/as-applied.ts';
import { crdSchema, crdSchemaErrors } from '../support/crd-schema.ts';
import { PLACEHOLDER_URL, REAL_URL } from '../support/objects.ts';
import type { TestWebhook } from '../support/webhook-server.ts';
import { startTestWebhook } from '../support/webhook-server.ts';

const manifests = parseManifests(
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'tutorial', 'notifications.yaml'), 'utf8'),
  'tutorial',
).map((l) => l.object);
const byKind = (k: string) => asApplied(manifests.find((m) => m.kind === k)!);
const SECRET = byKind('Secret');
const PROVIDER = byKind('Provider');
const ALERT = byKind('Alert');

const servers: TestWebhook[] = [];
async function clusterWith(...objects: KubeObject[]): Promise<TestWebhook> {
  const w = await startTestWebhook({ cluster: objects });
  servers.push(w);
  return w;
}
after(() => Promise.all(servers.map((s) => s.close())));

/** What kubectl shows for a response: the denial message (or "allowed") and the warnings. */
function shown(r: AdmissionResponse): { result: string; warnings: string[] } {
  return { result: r.allowed ? 'allowed' : r.status!.message, warnings: r.warnings ?? [] };
}

const PROVIDER_MISSING_SECRET =
  'Provider.notification.toolkit.fluxcd.io "slack" is invalid: spec.secretRef.name: Not found: "slack-url": no Secret "slack-url" in namespace "flux-system"; create it in "flux-system" or correct the name';
const ALERT_MISSING_PROVIDER =
  'Alert.notification.toolkit.fluxcd.io "flux-alerts" is invalid: spec.providerRef.name: Not found: "slack": no Provider "slack" in namespace "flux-system"; create the Provider in "flux-system", or correct the name';
const CHANNEL_IGNORED =
  'spec.channel: Invalid value: "general": Slack app incoming webhooks ignore channel; messages go to the channel the webhook was created for (use a bot token with chat.postMessage to choose the channel)';
const DEFAULTED =
  'spec.eventSeverity: defaulted to "error" because it was not set in the applied configuration; set eventSeverity: info explicitly to receive info events';

describe('the tutorial, nothing applied yet', () => {
  test('the Secret alone is allowed untouched: no Provider references it yet', async () => {
    const w = await clusterWith();
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: SECRET })), {
      result: 'allowed',
      warnings: [],
    });
  });
  test('the Provider is denied: its Secret does not exist', async () => {
    const w = await clusterWith();
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: PROVIDER })), {
      result: PROVIDER_MISSING_SECRET,
      warnings: [],
    });
  });
  test('the Alert is denied: its Provider does not exist', async () => {
    const w = await clusterWith();
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: ALERT })), {
      result: ALERT_MISSING_PROVIDER,
      warnings: [],
    });
  });
});

describe('the tutorial, Secret applied first', () => {
  test('the Provider is denied: Flux reads "address", and the Secret holds "url"', async () => {
    const w = await clusterWith(SECRET);
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: PROVIDER })), {
      result:
        'Provider.notification.toolkit.fluxcd.io "slack" is invalid: spec.secretRef.name: Invalid value: "slack-url": Secret "slack-url" has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
      warnings: [],
    });
  });
});

describe('the tutorial, Provider applied first', () => {
  test('the Secret is denied, naming the Provider that needs key "address"', async () => {
    const w = await clusterWith(PROVIDER);
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: SECRET })), {
      result:
        'Secret "slack-url" is invalid: data[address]: Required value: needed by Provider "slack" (spec.secretRef): Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
      warnings: [],
    });
  });
  test('the Alert is allowed, and the mutating webhook defaults eventSeverity to error', async () => {
    const w = await clusterWith(PROVIDER);
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: ALERT })), {
      result: 'allowed',
      warnings: [],
    });
    const m = await review(w.port, w.caPem, 'mutate', { operation: 'CREATE', object: ALERT });
    assert.equal(m.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(m.patch!, 'base64').toString()), [
      { op: 'replace', path: '/spec/eventSeverity', value: 'error' },
    ]);
    assert.deepEqual(m.warnings, [DEFAULTED]);
  });
});

describe('the tutorial, after the user renames the key', () => {
  const renamed = (url: string) =>
    asApplied({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'slack-url', namespace: 'flux-system' },
      stringData: { address: url },
    });
  test('the placeholder URL is denied without being echoed', async () => {
    const w = await clusterWith(renamed(PLACEHOLDER_URL));
    const r = shown(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: PROVIDER }));
    assert.deepEqual(r, {
      result:
        'Provider.notification.toolkit.fluxcd.io "slack" is invalid: spec.secretRef.name: Invalid value: "slack-url": in Secret "slack-url" key "address": the address looks like a placeholder copied from an example (it holds an all-zero Slack id such as T00000000); put the real webhook URL from Slack there',
      warnings: [CHANNEL_IGNORED],
    });
  });
  test('with a real URL the Provider is allowed, warned that app webhooks ignore channel', async () => {
    const w = await clusterWith(renamed(REAL_URL));
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: PROVIDER })), {
      result: 'allowed',
      warnings: [CHANNEL_IGNORED],
    });
  });
});

describe('UPDATE, DELETE and dryRun', () => {
  const goodSecret = asApplied({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'slack-url', namespace: 'flux-system' },
    stringData: { address: REAL_URL },
  });
  test('a Secret UPDATE that drops "address" is denied; the old object is what the cluster held', async () => {
    const w = await clusterWith(goodSecret, PROVIDER);
    const dropped = asApplied({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'slack-url', namespace: 'flux-system' },
      stringData: { webhook: REAL_URL },
    });
    const r = await review(w.port, w.caPem, 'validate', {
      operation: 'UPDATE',
      object: dropped,
      oldObject: goodSecret,
    });
    assert.equal(
      r.status?.message,
      'Secret "slack-url" is invalid: data[address]: Required value: needed by Provider "slack" (spec.secretRef): Flux reads the Slack address only from key "address", and this Secret has it under "webhook": rename the key to "address"',
    );
    assert.equal(r.status?.code, 422);
  });
  test('deleting a referenced Provider is allowed with a warning naming the Alert', async () => {
    const w = await clusterWith(goodSecret, PROVIDER, ALERT);
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'DELETE', oldObject: PROVIDER })), {
      result: 'allowed',
      warnings: [
        'metadata.name: Forbidden: Provider "slack" is still referenced by Alert "flux-alerts", which will stop sending notifications; delete or repoint those Alerts first',
      ],
    });
  });
  test('deleting a referenced Secret is allowed with a warning naming the Provider', async () => {
    const w = await clusterWith(goodSecret, PROVIDER);
    assert.deepEqual(shown(await review(w.port, w.caPem, 'validate', { operation: 'DELETE', oldObject: goodSecret })), {
      result: 'allowed',
      warnings: [
        'metadata.name: Forbidden: Secret "slack-url" is still referenced by Provider "slack" (spec.secretRef), which will stop sending notifications; repoint or delete those Providers first',
      ],
    });
  });
  test('a dryRun request gets exactly the answer the real request gets', async () => {
    const w = await clusterWith();
    const real = await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: ALERT, uid: 'same' });
    const dry = await review(w.port, w.caPem, 'validate', {
      operation: 'CREATE',
      object: ALERT,
      dryRun: true,
      uid: 'same',
    });
    assert.deepEqual(dry, real);
    const realM = await review(w.port, w.caPem, 'mutate', { operation: 'CREATE', object: ALERT, uid: 'm' });
    const dryM = await review(w.port, w.caPem, 'mutate', {
      operation: 'CREATE',
      object: ALERT,
      dryRun: true,
      uid: 'm',
    });
    assert.deepEqual(dryM, realM);
  });
});

describe("the patched Alert still satisfies Flux's CRD schema", () => {
  for (const [release, version] of [
    ['current', 'v1beta3'],
    ['v1.8.4-with-v1beta2', 'v1beta2'],
    ['v1.6.0-with-v1beta1-v1beta2', 'v1beta1'],
  ] as const) {
    test(`${version} (${release})`, async () => {
      const w = await clusterWith(PROVIDER);
      const manifest = {
        ...manifests.find((m) => m.kind === 'Alert')!,
        apiVersion: `notification.toolkit.fluxcd.io/${version}`,
      };
      const obj = asApplied(manifest, release);
      const schema = crdSchema(release, 'Alert', version);
      assert.deepEqual(crdSchemaErrors(schema, obj), []);
      const m = await review(w.port, w.caPem, 'mutate', { operation: 'CREATE', object: obj });
      const patched = fastJsonPatch.applyPatch(
        structuredClone(obj),
        JSON.parse(Buffer.from(m.patch!, 'base64').toString()),
      ).newDocument;
      assert.equal((patched['spec'] as Record<string, unknown>)['eventSeverity'], 'error');
      assert.deepEqual(crdSchemaErrors(schema, patched), []);
      const again = await review(w.port, w.caPem, 'mutate', { operation: 'CREATE', object: patched });
      assert.deepEqual(Object.keys(again), ['uid', 'allowed'], 'reinvocation sends no patch');
    });
  }
});
