/**
 * Admission against the live view, over TLS: decisions follow the cluster, and the apply-order
 * race (an Alert sent milliseconds after its Provider, before the watch event) never produces a
 * false denial.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { alert, secret, slackProvider, REAL_URL } from '../support/objects.ts';
import { review } from '../support/apiserver-client.ts';
import type { LiveCluster } from '../support/live-cluster.ts';
import { eventually, kubeApiFor, metricValue, startLiveCluster } from '../support/live-cluster.ts';
import { FakeApiServer, fluxResources, secretProducerResources } from '../servers/fake-apiserver.ts';
import type { TestWebhook } from '../support/webhook-server.ts';
import { startTestWebhook } from '../support/webhook-server.ts';
import { createLiveLookup } from '../../src/cluster/live-lookup.ts';

let live: LiveCluster | undefined;
let hook: TestWebhook | undefined;
afterEach(async () => {
  await hook?.close();
  await live?.close();
  hook = live = undefined;
});

async function setUp(
  prepare?: Parameters<typeof startLiveCluster>[0],
): Promise<{ live: LiveCluster; hook: TestWebhook }> {
  live = await startLiveCluster(prepare);
  hook = await startTestWebhook({
    view: live.view,
    liveLookup: createLiveLookup(live.api, { notificationVersion: 'v1beta3', timeoutMs: 500 }),
    lookups: live.metrics.liveLookups,
  });
  return { live, hook };
}

const theAlert = alert('apps', 'a', {
  providerRef: { name: 'slack' },
  eventSources: [{ kind: 'Kustomization', name: '*' }],
  eventSeverity: 'error',
});

test('decisions follow the cluster: denied, allowed once the Provider exists, denied after it is deleted', async () => {
  const { live, hook } = await setUp();
  await live.view.waitForSync(5_000);
  assert.equal(
    (await review(hook.port, hook.caPem, 'validate', { operation: 'CREATE', object: theAlert })).allowed,
    false,
  );
  live.server.apply(slackProvider('apps'));
  await eventually('Provider in view', () => live.view.getProvider('apps', 'slack') !== undefined);
  assert.deepEqual(
    await review(hook.port, hook.caPem, 'validate', { operation: 'CREATE', object: theAlert, uid: 'x' }),
    { uid: 'x', allowed: true },
  );
  live.server.remove(slackProvider('apps'));
  await eventually('Provider gone from view', () => live.view.getProvider('apps', 'slack') === undefined);
  const r = await review(hook.port, hook.caPem, 'validate', { operation: 'CREATE', object: theAlert });
  assert.equal(r.status?.details?.causes?.[0]?.field, 'spec.providerRef.name');
});

test('the apply-order race: a Provider the watch has not delivered yet is found by a live GET, and the Alert is allowed', async () => {
  const { live, hook } = await setUp();
  await live.view.waitForSync(5_000);
  live.server.setSilent(true);
  live.server.apply(slackProvider('apps'));
  assert.equal(live.view.getProvider('apps', 'slack'), undefined, 'the watch lags');
  assert.deepEqual(
    await review(hook.port, hook.caPem, 'validate', { operation: 'CREATE', object: theAlert, uid: 'race' }),
    { uid: 'race', allowed: true },
  );
  assert.equal(
    await metricValue(live.registry, 'notify_guard_cluster_live_lookups_total{kind="Provider",result="found"}'),
    1,
  );
  live.server.setSilent(false);
});

test('a Provider that really is missing is still denied after the live GET', async () => {
  const { live, hook } = await setUp();
  await live.view.waitForSync(5_000);
  const r = await review(hook.port, hook.caPem, 'validate', { operation: 'CREATE', object: theAlert });
  assert.equal(
    r.status?.message,
    'Alert.notification.toolkit.fluxcd.io "a" is invalid: spec.providerRef.name: Not found: "slack": no Provider "slack" in namespace "apps"; create the Provider in "apps", or correct the name',
  );
  assert.equal(
    await metricValue(live.registry, 'notify_guard_cluster_live_lookups_total{kind="Provider",result="absent"}'),
    1,
  );
});

test('a Secret outside the watched scope that cannot be confirmed is a warning, never a denial', async () => {
  const { live, hook } = await setUp({
    secretScope: { namespaces: ['flux-system'], labelSelector: undefined },
    prepare: (s) => s.forbid('secrets'),
  });
  await eventually('Alerts and Providers listed', () => live.server.stats.lists >= 2);
  live.server.allow('secrets');
  await live.view.waitForSync(5_000);
  live.server.forbid('secrets');
  const r = await review(hook.port, hook.caPem, 'validate', {
    operation: 'CREATE',
    object: slackProvider('apps'),
    uid: 'scope',
  });
  assert.deepEqual(r, {
    uid: 'scope',
    allowed: true,
    warnings: [
      'spec.secretRef.name: Not found: "slack-url": no Secret "slack-url" in namespace "apps"; create it in "apps" or correct the name (not confirmed: the webhook\'s view of Secret apps/slack-url is incomplete, so this is a warning)',
    ],
  });
  assert.equal(
    await metricValue(live.registry, 'notify_guard_cluster_live_lookups_total{kind="Secret",result="unknown"}'),
    1,
  );
});

test('a Secret the live GET finds serves the Provider rules as facts', async () => {
  const { live, hook } = await setUp();
  await live.view.waitForSync(5_000);
  live.server.setSilent(true);
  live.server.apply(secret('apps', 'slack-url', { url: REAL_URL }));
  const r = await review(hook.port, hook.caPem, 'validate', { operation: 'CREATE', object: slackProvider('apps') });
  assert.equal(
    r.status?.details?.causes?.[0]?.message,
    'Invalid value: "slack-url": Secret "slack-url" has no key "address": Flux reads the Slack address only from key "address", and this Secret has it under "url": rename the key to "address"',
  );
  live.server.setSilent(false);
});

test('concurrent lookups of one object share a GET, and lookups beyond the cap are not made', async () => {
  const { live } = await setUp();
  await live.view.waitForSync(5_000);
  const lookup = createLiveLookup(live.api, { notificationVersion: 'v1beta3', timeoutMs: 500, maxInFlight: 2 });
  const getsBefore = live.server.stats.gets;
  const same = await Promise.all(
    [1, 2, 3].map(() => lookup.lookup({ kind: 'Provider', namespace: 'apps', name: 'p' })),
  );
  assert.deepEqual(
    same.map((r) => r.result),
    ['absent', 'absent', 'absent'],
  );
  assert.equal(live.server.stats.gets - getsBefore, 1);
  const capped = await Promise.all(
    ['a', 'b', 'c'].map((n) => lookup.lookup({ kind: 'Provider', namespace: 'apps', name: n })),
  );
  assert.deepEqual(capped, [
    { result: 'absent' },
    { result: 'absent' },
    { result: 'unknown', reason: 'more than 2 live lookups in flight' },
  ]);
});

test('live lookups reuse one connection to the API server instead of opening one each', async () => {
  // An API server of its own, so that only the lookups connect to it (no watches).
  const server = new FakeApiServer(fluxResources());
  const lookup = createLiveLookup(kubeApiFor(await server.start()), { notificationVersion: 'v1beta3', timeoutMs: 500 });
  try {
    for (let i = 0; i < 51; i++)
      assert.equal((await lookup.lookup({ kind: 'Secret', namespace: 'apps', name: `s-${i}` })).result, 'absent');
    // undici returns a socket to the pool a tick after the body is read, so back-to-back requests
    // may use two connections; without a shared pool there would be 51.
    assert.ok(server.stats.connections <= 2, `${server.stats.connections} connections for 51 lookups`);
  } finally {
    await server.close();
  }
});

test('a Provider created while only its ExternalSecret exists is allowed with a warning; once the Secret appears, nothing is reported', async () => {
  const externalSecret = {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: 'slack', namespace: 'apps' },
    spec: {
      secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
      target: { name: 'slack-url' },
      data: [{ secretKey: 'address', remoteRef: { key: 'flux/slack', property: 'url' } }],
    },
  };
  const { live, hook } = await setUp({
    resources: [...fluxResources(), ...secretProducerResources()],
    prepare: (s) => s.apply(externalSecret),
  });
  await live.view.waitForSync(5_000);
  assert.equal(
    live.view.secretProducers('apps', 'slack-url').length,
    1,
    'the view tracks the ExternalSecret the cluster serves',
  );
  assert.deepEqual(
    await review(hook.port, hook.caPem, 'validate', {
      operation: 'CREATE',
      object: slackProvider('apps'),
      uid: 'pending',
    }),
    {
      uid: 'pending',
      allowed: true,
      warnings: [
        'spec.secretRef.name: Not found: "slack-url": Secret "slack-url" does not exist yet; ExternalSecret "slack" will create it; the Provider sends nothing until it does',
      ],
    },
  );
  live.server.apply(secret('apps', 'slack-url', { address: REAL_URL }));
  await eventually('Secret in view', () => live.view.getSecret('apps', 'slack-url') !== undefined);
  assert.deepEqual(
    await review(hook.port, hook.caPem, 'validate', {
      operation: 'CREATE',
      object: slackProvider('apps'),
      uid: 'made',
    }),
    { uid: 'made', allowed: true },
  );
  assert.equal(
    JSON.stringify(live.view.secretProducers('apps', 'slack-url')).includes('flux/slack'),
    false,
    'no remote reference is kept',
  );
  live.server.remove(externalSecret);
  live.server.remove(secret('apps', 'slack-url', { address: REAL_URL }));
  await eventually(
    'ExternalSecret and Secret gone from view',
    () =>
      live.view.secretProducers('apps', 'slack-url').length === 0 &&
      live.view.getSecret('apps', 'slack-url') === undefined,
  );
  assert.equal(
    (await review(hook.port, hook.caPem, 'validate', { operation: 'CREATE', object: slackProvider('apps') })).allowed,
    false,
    'with nothing to make it, a missing Secret is denied again',
  );
});
