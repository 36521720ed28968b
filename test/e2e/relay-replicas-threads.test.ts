/**
 * What follows the sender across a failover besides events (docs/relay-replicas.md), with two
 * relay processes and a bot token: GET /deliveries gives the sender's table whichever replica is
 * asked, the per-Alert gauges come from the sender only, and after the sender is killed and
 * restarts to find the other holding the Lease, it hands its open threads and its status over, so
 * that the object recovering on the new sender replies in the old sender's thread, the parent is
 * marked resolved, and no second NotificationDelivered event is recorded within the interval.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FakeApiServer, fluxResources } from '../servers/fake-apiserver.ts';
import { FakeSlack } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { kubeconfigFor } from '../support/live-relay.ts';
import { alert, secret, slackProvider } from '../support/objects.ts';
import { call, freePort, startReplica as start } from '../support/relay-replicas.ts';
import type { Replica } from '../support/relay-replicas.ts';
import { tempDir } from '../support/temp-dir.ts';

const NS = 'notify-guard-system';
const LEASE = 'notify-guard-relay-sender';
const PARENT_TS = '1800000001.000100';

const event = (severity: 'error' | 'info', message: string, reason: string) =>
  JSON.stringify({
    involvedObject: {
      kind: 'Kustomization',
      namespace: 'apps',
      name: 'podinfo',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
    severity,
    timestamp: '',
    message,
    reason,
    reportingController: 'kustomize-controller',
  });

const GAUGE = 'notify_guard_relay_alert_last_delivered_timestamp_seconds{alert="apps/all"}';

test('replicas: GET /deliveries is the sender table on both; after kill -9 of the sender and its restart, the new sender continues its thread and marks the parent resolved', async () => {
  const slack = new FakeSlack({ perSecond: 50, burst: 50, botTokens: ['xoxb-relay'] });
  const slackUrl = await slack.start();
  const api = new FakeApiServer([
    ...fluxResources(),
    { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases' },
    { group: '', version: 'v1', kind: 'Event', plural: 'events' },
  ]);
  const kubeconfig = await kubeconfigFor(await api.start());
  api.apply(secret('apps', 'slack-url', { address: `${slackUrl}/api/chat.postMessage`, token: 'xoxb-relay' }));
  api.apply(slackProvider('apps', { channel: '#ops' }));
  api.apply(
    alert('apps', 'all', { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] }),
  );
  const dir = tempDir('replicas-threads');
  const startReplica = (journal: string, peerPort: number) =>
    start({ kubeconfig, journal: join(dir, journal), peerPort, lease: LEASE, namespace: NS });
  const ports = [await freePort(), await freePort()];
  const replicas: Replica[] = [await startReplica('a.journal', ports[0]!), await startReplica('b.journal', ports[1]!)];
  const holder = () =>
    (
      api.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NS, name: LEASE })?.['spec'] as
        { holderIdentity?: string } | undefined
    )?.holderIdentity;
  const deliveries = async (r: Replica) => (await call(r.port, 'GET', '/deliveries')).text;
  const delivered = () => api.calls.filter((c) => c.resource === 'events' && c.verb === 'create').length;
  const header = (i: number) => (slack.received[i]!.body['blocks'] as { text: { text: string } }[])[0]!.text.text;
  try {
    await eventually('a sender elected', () => replicas.some((r) => r.identity === holder()), 10_000);
    const sender = replicas.find((r) => r.identity === holder())!;
    const other = replicas.find((r) => r !== sender)!;
    await eventually('both replicas ready', async () =>
      (await Promise.all(replicas.map((r) => call(r.port, 'GET', '/readyz')))).every((a) => a.status === 200),
    );
    assert.equal((await call(other.port, 'POST', '/', event('error', 'down', 'HealthCheckFailed'))).status, 202);
    await eventually('the parent posted', () => slack.received.length === 1, 15_000);
    await eventually('NotificationDelivered recorded', () => delivered() === 1);
    const table = await deliveries(sender);
    assert.match(table, /^\{"items":\[\{"alert":"apps\/all","lastDelivered":"[0-9T:.-]+Z"\}\]\}$/);
    assert.equal(await deliveries(other), table, "the other replica answers with the sender's table");
    const metrics = async (r: Replica) => (await call(r.port, 'GET', '/metrics')).text;
    assert.match(await metrics(sender), new RegExp(`^${GAUGE.replace(/[{}]/g, '\\$&')} \\d`, 'm'));
    assert.equal((await metrics(other)).includes(GAUGE), false, 'per-Alert gauges from the sender only');

    sender.child.kill('SIGKILL');
    await eventually('the other replica took the Lease', () => holder() === other.identity, 15_000);
    const restarted = await startReplica(
      sender === replicas[0] ? 'a.journal' : 'b.journal',
      Number(sender.identity.split(':')[1]),
    );
    replicas.push(restarted);
    await eventually('the restarted replica handed its thread over', () =>
      restarted.log().includes('"msg":"handed open threads and delivery status to the sender"'),
    );
    assert.equal(await deliveries(other), table, 'the new sender answers with the table it was handed');
    assert.equal(await deliveries(restarted), table);

    const recovery = event('info', 'healthy', 'ReconciliationSucceeded');
    assert.equal((await call(restarted.port, 'POST', '/', recovery)).status, 202);
    await eventually(
      'the recovery replied and the parent updated',
      () => slack.received.length === 2 && slack.updates.length === 1,
      15_000,
    );
    assert.equal(slack.received[1]!.body['thread_ts'], PARENT_TS, "the reply is in the old sender's thread");
    assert.match(header(1), /^✅ Recovered after \d+s: Kustomization apps\/podinfo ReconciliationSucceeded$/);
    assert.deepEqual([slack.updates[0]!.body['channel'], slack.updates[0]!.body['ts']], ['#ops', PARENT_TS]);
    assert.equal(delivered(), 1, 'no second NotificationDelivered within the interval');
    assert.equal(await deliveries(restarted), await deliveries(other));
    const last = (text: string) =>
      Date.parse((JSON.parse(text) as { items: { lastDelivered: string }[] }).items[0]!.lastDelivered);
    assert.ok(
      last(await deliveries(other)) > last(table),
      'the recovery, delivered by the new sender, is the last delivery',
    );
  } finally {
    for (const r of replicas) r.child.kill('SIGKILL');
    await slack.close();
    await api.close();
  }
});
