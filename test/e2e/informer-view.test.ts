/**
 * The informer-backed ClusterView against the test API server: sync, every change reflected,
 * nothing lost across drops, recovery from 410 and from a silent watch, and no Secret value kept.
 */
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { alert, provider, secret, slackProvider, source, REAL_URL } from '../support/objects.ts';
import type { LiveCluster } from '../support/live-cluster.ts';
import { eventually, metricValue, startLiveCluster } from '../support/live-cluster.ts';
import { fluxResources } from '../servers/fake-apiserver.ts';

const A = (o: ReturnType<typeof alert>) => ({ ...o, apiVersion: 'notification.toolkit.fluxcd.io/v1beta3' });
const ks = (ns: string, name: string) => ({
  ...source('Kustomization', ns, name),
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
});

let live: LiveCluster | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
});

describe('initial sync', () => {
  test('lists every kind, paginated, and reports synced only after', async () => {
    live = await startLiveCluster({
      prepare(s) {
        for (let i = 0; i < 1203; i++) s.apply(secret(`ns-${i % 7}`, `s-${i}`, { address: REAL_URL }));
        s.apply(slackProvider('apps'));
        s.apply(
          A(
            alert('apps', 'a', {
              providerRef: { name: 'slack' },
              eventSources: [{ kind: 'Kustomization', name: '*' }],
            }),
          ),
        );
        s.apply(ks('apps', 'apps'));
      },
    });
    await live.view.waitForSync(5_000);
    assert.equal(live.view.notReadyReason(), undefined);
    assert.deepEqual(live.view.counts(), { Alert: 1, Provider: 1, Secret: 1203, Source: 1, SecretProducer: 0 });
    assert.equal(live.view.notificationVersion, 'v1beta3');
    assert.equal(live.server.stats.listsByResource['secrets'], 3, 'Secrets came in pages of 500');
    assert.equal(await metricValue(live.registry, 'notify_guard_cluster_objects{kind="Secret"}'), 1203);
  });

  test('logs once, when every collection is listed, how long the sync took and what it holds', async () => {
    const clock = [1_000, 1_250];
    live = await startLiveCluster({
      now: () => clock.shift() ?? NaN,
      prepare(s) {
        for (let i = 0; i < 3; i++) s.apply(secret('apps', `s-${i}`, { address: REAL_URL }));
        s.apply(slackProvider('apps'));
      },
    });
    await live.view.waitForSync(5_000);
    const synced = live.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l['msg'] === 'cluster view synced');
    assert.deepEqual(
      synced.map(({ ms, objects }) => ({ ms, objects })),
      [{ ms: 250, objects: { Alert: 0, Provider: 1, Secret: 3, Source: 0, SecretProducer: 0 } }],
    );
  });

  test('a required kind it may not read keeps the view not ready, and it recovers once allowed', async () => {
    live = await startLiveCluster({ prepare: (s) => s.forbid('secrets') });
    await eventually(
      'Alerts and Providers listed',
      () => live!.view.counts()['Alert'] === 0 && live!.server.stats.lists >= 3,
    );
    // Every other collection listed, the Secret list refused: only Secrets keep the view waiting...
    const secretRetries = () =>
      metricValue(live!.registry, 'notify_guard_cluster_relists_total{kind="Secret",reason="error"}');
    await eventually(
      'only the Secret list outstanding',
      () => live!.view.notReadyReason() === 'waiting for the initial list of Secret',
    );
    // ...and still do after the refused list has been retried twice more.
    const retried = await secretRetries();
    await eventually('two more Secret retries', async () => (await secretRetries()) >= retried + 2);
    assert.equal(live.view.notReadyReason(), 'waiting for the initial list of Secret');
    assert.equal(live.view.synced(), false);
    live.server.allow('secrets');
    await live.view.waitForSync(5_000);
    assert.equal(live.view.notReadyReason(), undefined);
  });

  test('a source kind it may not read is simply not tracked', async () => {
    live = await startLiveCluster({
      prepare: (s) => {
        s.forbid('helmreleases');
        s.apply(ks('apps', 'apps'));
      },
    });
    await live.view.waitForSync(5_000);
    assert.equal(live.view.tracksSourceKind('HelmRelease'), false);
    assert.equal(live.view.tracksSourceKind('Kustomization'), true);
    assert.deepEqual(live.view.getSource('Kustomization', 'apps', 'apps'), { name: 'apps', namespace: 'apps' });
  });

  test('watches v1beta2 on a cluster that serves only v1beta2', async () => {
    live = await startLiveCluster({
      resources: fluxResources('v1beta2'),
      prepare: (s) => s.apply({ ...slackProvider('apps'), apiVersion: 'notification.toolkit.fluxcd.io/v1beta2' }),
    });
    await live.view.waitForSync(5_000);
    assert.equal(live.view.notificationVersion, 'v1beta2');
    assert.ok(live.view.getProvider('apps', 'slack'));
  });
});

describe('changes', () => {
  test('create, update and delete are reflected', async () => {
    live = await startLiveCluster();
    await live.view.waitForSync(5_000);
    live.server.apply(slackProvider('apps'));
    await eventually('Provider created', () => live!.view.getProvider('apps', 'slack') !== undefined);
    live.server.apply(provider('apps', 'slack', { type: 'slack', secretRef: { name: 'other' } }));
    await eventually('Provider updated', () => live!.view.providersReferencingSecret('apps', 'other').length === 1);
    assert.equal(live.view.providersReferencingSecret('apps', 'slack-url').length, 0);
    live.server.remove(slackProvider('apps'));
    await eventually('Provider deleted', () => live!.view.getProvider('apps', 'slack') === undefined);
  });

  test('no update is lost across a dropped watch: the watch resumes from the last resourceVersion', async () => {
    live = await startLiveCluster();
    await live.view.waitForSync(5_000);
    const listsBefore = live.server.stats.lists;
    const watches = 6; // Alert, Provider, Secret, Kustomization, HelmRelease, GitRepository
    for (let round = 0; round < 5; round++) {
      await eventually('every watch open', () => live!.server.openWatches() === watches);
      live.server.dropWatches();
      live.server.apply(secret('apps', `s-${round}`, { address: REAL_URL }));
      live.server.apply(slackProvider(`team-${round}`));
    }
    await eventually(
      'every change seen',
      () => live!.view.counts()['Secret'] === 5 && live!.view.counts()['Provider'] === 5,
    );
    assert.equal(
      live.server.stats.lists,
      listsBefore,
      'resumed by watching from the resourceVersion, not by relisting',
    );
    const restarts =
      (await metricValue(live.registry, 'notify_guard_cluster_watch_restarts_total{kind="Secret",reason="closed"}')) +
      (await metricValue(live.registry, 'notify_guard_cluster_watch_restarts_total{kind="Secret",reason="error"}'));
    assert.equal(restarts, 5);
  });

  test('410 Expired makes it relist, and the relist removes what was deleted meanwhile', async () => {
    live = await startLiveCluster();
    live.server.apply(slackProvider('apps'));
    await live.view.waitForSync(5_000);
    await eventually('Provider seen', () => live!.view.getProvider('apps', 'slack') !== undefined);
    live.server.setSilent(true);
    live.server.remove(slackProvider('apps'));
    live.server.apply(slackProvider('other'));
    live.server.compact();
    live.server.dropWatches();
    live.server.setSilent(false);
    await eventually(
      'relisted after 410',
      () =>
        live!.view.getProvider('apps', 'slack') === undefined && live!.view.getProvider('other', 'slack') !== undefined,
    );
    assert.ok(
      (await metricValue(live.registry, 'notify_guard_cluster_relists_total{kind="Provider",reason="expired"}')) >= 1,
    );
  });

  test('a watch that goes silent without closing is abandoned by the watchdog and the kind relisted', async () => {
    live = await startLiveCluster({ watchdogMs: 400, bookmarkIntervalMs: 50 });
    await live.view.waitForSync(5_000);
    live.server.setSilent(true);
    live.server.apply(slackProvider('apps'));
    await eventually(
      'change seen through the watchdog relist',
      () => live!.view.getProvider('apps', 'slack') !== undefined,
      3_000,
    );
    assert.ok(
      (await metricValue(live.registry, 'notify_guard_cluster_relists_total{kind="Provider",reason="watchdog"}')) >= 1,
    );
    assert.ok(live.logs.some((l) => l.includes('watch delivered neither events nor bookmarks; relisting')));
    live.server.setSilent(false);
  });
});

describe('Secrets', () => {
  const VALUE = 'https://hooks.slack.com/services/T9SECRET9/B9SECRET9/never-to-be-logged-or-kept';

  test('keeps only facts: no value in the cache or in any log line', async () => {
    live = await startLiveCluster({
      prepare: (s) => s.apply(secret('apps', 'slack-url', { address: VALUE, token: 'xoxb-never-kept' })),
    });
    await live.view.waitForSync(5_000);
    live.server.apply(secret('apps', 'slack-url', { address: VALUE, token: 'xoxb-never-kept', extra: 'x' }));
    live.server.apply(slackProvider('apps'));
    await eventually(
      'update seen',
      () =>
        live!.view.getSecret('apps', 'slack-url')?.keys.length === 3 &&
        live!.view.getProvider('apps', 'slack') !== undefined,
    );
    const cached = JSON.stringify([
      live.view.getSecret('apps', 'slack-url'),
      live.view.providersReferencingSecret('apps', 'slack-url'),
    ]);
    assert.ok(cached.includes('"keys":["address","extra","token"]'));
    assert.ok(cached.includes('"host":"hooks.slack.com"'));
    const logs = live.logs.join('');
    for (const v of [
      VALUE,
      Buffer.from(VALUE).toString('base64'),
      'xoxb-never-kept',
      Buffer.from('xoxb-never-kept').toString('base64'),
      'never-to-be',
    ]) {
      assert.equal(cached.includes(v), false, `cache holds ${v}`);
      assert.equal(logs.includes(v), false, `logs hold ${v}`);
    }
  });

  test('watches only the configured namespaces and excludes service-account and Helm release Secrets', async () => {
    live = await startLiveCluster({
      secretScope: { namespaces: ['apps'], labelSelector: undefined },
      prepare(s) {
        s.apply(secret('apps', 'a', {}));
        s.apply(secret('other', 'b', {}));
        s.apply({ ...secret('apps', 'sh.helm.release.v1.x.v1', {}), type: 'helm.sh/release.v1' });
      },
    });
    await live.view.waitForSync(5_000);
    assert.deepEqual(live.view.counts()['Secret'], 1);
    assert.equal(live.view.covers('Secret', 'apps'), true);
    assert.equal(live.view.covers('Secret', 'other'), false);
  });
});
