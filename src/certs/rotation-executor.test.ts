/**
 * The executor of the holder's pass, over an in-memory CertApi (faults are hooks on it): what it
 * writes and patches, what a conflict or a refused patch does, and the guard that stops a pass
 * instead of looping when settings that startup refuses are passed in from code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import type { KubeObject } from '../flux/objects.ts';
import { createCertMetrics } from '../observability/cert-metrics.ts';
import { createLogger } from '../observability/logger.ts';
import { splitBundle, toCaBundleField } from './ca-bundle.ts';
import type { WebhookConfigKind } from './ca-injection.ts';
import type { CertApi, SecretState } from './cert-api.ts';
import type { ExecutorOptions } from './rotation-executor.ts';
import { runLeaderPass } from './rotation-executor.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const HOSTS = ['notify-guard-webhook.notify-guard-system.svc'];

/** A CertApi over plain objects; `conflict` makes the next Secret write a 409, `patchStatus` answers patches. */
function memoryApi(hooks: { conflict?: boolean; patchStatus?: number } = {}) {
  let secret: SecretState = { data: undefined, resourceVersion: undefined, exists: false };
  let rv = 1;
  const writes: boolean[] = [];
  const patches: { kind: WebhookConfigKind; patch: readonly object[] }[] = [];
  const config = (kind: string): KubeObject => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: { name: 'notify-guard', resourceVersion: '5' },
    webhooks: [{ name: 'w', clientConfig: {} }],
  });
  const io: CertApi = {
    secretPath: '/api/v1/namespaces/notify-guard-system/secrets',
    readSecret: async () => secret,
    async writeSecret(data, prior) {
      writes.push(prior.exists);
      if (hooks.conflict || prior.resourceVersion !== secret.resourceVersion) return undefined;
      secret = { data, resourceVersion: String(++rv), exists: true };
      return secret;
    },
    readConfigs: async () =>
      new Map([
        ['ValidatingWebhookConfiguration', config('ValidatingWebhookConfiguration')],
        ['MutatingWebhookConfiguration', config('MutatingWebhookConfiguration')],
      ]),
    async patchConfig(kind, patch) {
      patches.push({ kind, patch });
      return hooks.patchStatus ?? 200;
    },
  };
  return { io, writes, patches, secret: () => secret };
}

function options(io: CertApi, o: Partial<ExecutorOptions> = {}) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write: (c, _e, cb) => {
        lines.push(JSON.parse(String(c)));
        cb();
      },
    }),
  );
  const registry = new Registry();
  const metrics = createCertMetrics(registry, () => undefined);
  const opts: ExecutorOptions = {
    io,
    log,
    metrics,
    hosts: HOSTS,
    renewBeforeMs: 30 * DAY,
    caValidityDays: 1825,
    leafValidityDays: 90,
    configName: 'notify-guard',
    ...o,
  };
  const counts = async () =>
    (await registry.getMetricsAsJSON())
      .flatMap((m) => m.values.map((v) => `${m.name}${JSON.stringify(v.labels)} ${v.value}`))
      .sort();
  return { opts, lines, counts };
}

test('no Secret: creates it (a create, not an update), then injects the new bundle into both configurations', async () => {
  const m = memoryApi();
  const { opts, lines, counts } = options(m.io);
  await runLeaderPass(opts, NOW);
  assert.deepEqual(m.writes, [false]);
  const bundle = m.secret().data!.bundlePem;
  assert.equal(splitBundle(bundle).length, 1);
  const b64 = toCaBundleField(bundle);
  assert.deepEqual(
    m.patches,
    ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].map((kind) => ({
      kind,
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '5' },
        { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: b64 },
      ],
    })),
  );
  assert.deepEqual(await counts(), [
    'notify_guard_ca_bundle_injections_total{"kind":"MutatingWebhookConfiguration"} 1',
    'notify_guard_ca_bundle_injections_total{"kind":"ValidatingWebhookConfiguration"} 1',
    'notify_guard_certificate_leader{} 0',
    'notify_guard_certificate_rotations_total{"certificate":"ca"} 1',
    'notify_guard_certificate_rotations_total{"certificate":"serving"} 1',
    'notify_guard_serving_certificate_expiry_seconds{} NaN',
  ]);
  assert.deepEqual(
    lines.map((l) => l['msg']),
    ['created CA and serving certificate', 'caBundle injected', 'caBundle injected'],
  );
  assert.equal(JSON.stringify(lines).includes('PRIVATE KEY'), false, 'no key in the logs');
});

test('a conflict on the Secret ends the pass: nothing is injected from a Secret that was not written', async () => {
  const m = memoryApi({ conflict: true });
  await runLeaderPass(options(m.io).opts, NOW);
  assert.deepEqual([m.writes, m.patches, m.secret().exists], [[false], [], false]);
});

test('a refused patch is logged and not counted; the next pass retries it', async () => {
  const m = memoryApi({ patchStatus: 422 });
  const { opts, lines, counts } = options(m.io);
  await runLeaderPass(opts, NOW);
  assert.deepEqual(
    lines.filter((l) => l['level'] === 40).map((l) => [l['msg'], l['kind'], l['status']]),
    [
      ['caBundle injection failed; retrying', 'ValidatingWebhookConfiguration', 422],
      ['caBundle injection failed; retrying', 'MutatingWebhookConfiguration', 422],
    ],
  );
  assert.equal(
    (await counts()).some((c) => c.startsWith('notify_guard_ca_bundle_injections_total')),
    false,
  );
});

test('settings that startup refuses (a CA shorter than renew-before), passed from code, stop the pass instead of looping', async () => {
  const m = memoryApi();
  await assert.rejects(runLeaderPass(options(m.io, { caValidityDays: 20, leafValidityDays: 10 }).opts, NOW), {
    message: 'a certificate made at 2026-11-23T12:00:00.000Z is already due: rotate-ca',
  });
  assert.deepEqual([m.writes.length, m.patches.length], [1, 0], 'one Secret written, then the pass stops');
});
