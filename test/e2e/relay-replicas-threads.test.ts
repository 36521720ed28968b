/**
 * What follows the sender across a failover besides events (docs/relay-replicas.md), with two
 * relay processes and a bot token: GET /deliveries gives the sender's table whichever replica is
 * asked, the per-Alert gauges come from the sender only, and the replica that was the sender hands
 * its open threads and its status to the new one (after kill -9, once it restarts; on SIGTERM,
 * while it drains), so that the object recovering on the new sender replies in the old sender's
 * thread, the parent is marked resolved, and no second NotificationDelivered event is recorded
 * within the interval.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PEER_AUDIENCE } from '../../src/relay/peer-auth.ts';
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
const GAUGE = 'notify_guard_relay_alert_last_delivered_timestamp_seconds{alert="apps/all"}';
const HANDED = '"msg":"handed open threads and delivery status to the sender"';
const RELAY_SA = 'system:serviceaccount:notify-guard-system:notify-guard';

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

const lastDelivered = (table: string) =>
  Date.parse((JSON.parse(table) as { items: { lastDelivered: string }[] }).items[0]!.lastDelivered);

/**
 * Two replicas over one bot-token destination; the sender has posted an object's first error
 * (the parent of its thread) and the other replica answers with its table. The error is posted to
 * the other replica (handed to the sender), or with `toSender` to the sender itself: the other
 * replica, idle, has then never called the sender (notification-controller's one connection may
 * land every event on the sender).
 */
async function failedOnSender(drainSeconds: number, toSender = false) {
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
  const startReplica = async (r: Replica | number) => {
    const peerPort = typeof r === 'number' ? r : Number(r.identity.split(':')[1]);
    const journal = join(dir, `${peerPort}.journal`);
    // Each replica's projected token, known to the API server's TokenReview as the relay's ServiceAccount.
    const tokenFile = join(dir, `${peerPort}.token`);
    await writeFile(tokenFile, `token-${peerPort}\n`);
    api.tokens.set(`token-${peerPort}`, { username: RELAY_SA, audiences: [PEER_AUDIENCE] });
    return start({ kubeconfig, journal, peerPort, lease: LEASE, namespace: NS, drainSeconds, tokenFile });
  };
  const replicas: Replica[] = [await startReplica(await freePort()), await startReplica(await freePort())];
  const holder = () =>
    (
      api.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: NS, name: LEASE })?.['spec'] as
        { holderIdentity?: string } | undefined
    )?.holderIdentity;
  const close = async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await slack.close();
    await api.close();
  };
  try {
    await eventually('a sender elected', () => replicas.some((r) => r.identity === holder()), 10_000);
    const sender = replicas.find((r) => r.identity === holder())!;
    const other = replicas.find((r) => r !== sender)!;
    await eventually(
      'both replicas ready',
      async () =>
        (await Promise.all(replicas.map((r) => call(r.port, 'GET', '/readyz')))).every((a) => a.status === 200),
      15_000,
    );
    const to = toSender ? sender : other;
    assert.equal((await call(to.port, 'POST', '/', event('error', 'down', 'HealthCheckFailed'))).status, 202);
    await eventually('the parent posted', () => slack.received.length === 1, 15_000);
    const events = () => api.calls.filter((c) => c.resource === 'events' && c.verb === 'create').length;
    await eventually('NotificationDelivered recorded', () => events() === 1, 15_000);
    const reviews = () => api.calls.filter((c) => c.resource === 'tokenreviews').length;
    return { slack, replicas, sender, other, holder, startReplica, events, reviews, close };
  } catch (err) {
    await close();
    throw err;
  }
}

const deliveries = async (r: Replica) => (await call(r.port, 'GET', '/deliveries')).text;
const metrics = async (r: Replica) => (await call(r.port, 'GET', '/metrics')).text;

/** The recovery, posted to `to`, replies in the sender's first thread and marks its parent resolved. */
async function recoversInTheFirstThread(s: Awaited<ReturnType<typeof failedOnSender>>, to: Replica) {
  assert.equal((await call(to.port, 'POST', '/', event('info', 'healthy', 'ReconciliationSucceeded'))).status, 202);
  await eventually(
    'the recovery replied and the parent updated',
    () => s.slack.received.length === 2 && s.slack.updates.length === 1,
    15_000,
  );
  const reply = s.slack.received[1]!.body;
  assert.equal(reply['thread_ts'], PARENT_TS, "the reply is in the old sender's thread");
  assert.match(
    (reply['blocks'] as { text: { text: string } }[])[0]!.text.text,
    /^✅ Recovered after \d+s: Kustomization apps\/podinfo ReconciliationSucceeded$/,
  );
  assert.deepEqual([s.slack.updates[0]!.body['channel'], s.slack.updates[0]!.body['ts']], ['#ops', PARENT_TS]);
  assert.equal(s.events(), 1, 'no second NotificationDelivered within the interval');
}

test('replicas: GET /deliveries is the sender table on both; after kill -9 of the sender and its restart, the new sender continues its thread and marks the parent resolved', async () => {
  const s = await failedOnSender(0);
  try {
    const table = await deliveries(s.sender);
    assert.match(table, /^\{"items":\[\{"alert":"apps\/all","lastDelivered":"[0-9T:.-]+Z"\}\]\}$/);
    assert.equal(await deliveries(s.other), table, "the other replica answers with the sender's table");
    assert.match(await metrics(s.sender), new RegExp(`^${GAUGE.replace(/[{}]/g, '\\$&')} \\d`, 'm'));
    assert.equal((await metrics(s.other)).includes(GAUGE), false, 'per-Alert gauges from the sender only');

    s.sender.child.kill('SIGKILL');
    await eventually('the other replica took the Lease', () => s.holder() === s.other.identity, 15_000);
    const peerPort = (r: Replica) => Number(r.identity.split(':')[1]);
    assert.deepEqual(await call(peerPort(s.other), 'POST', '/handover', '{"episodes":[],"statuses":[]}'), {
      status: 401,
      text: JSON.stringify({
        metadata: {},
        status: 'Failure',
        message: 'a peer request needs the bearer token of the relay',
        reason: 'Unauthorized',
        code: 401,
      }),
    });
    const restarted = await s.startReplica(s.sender);
    s.replicas.push(restarted);
    // A process start, a replay, a Lease read and a TokenReview: seconds on a loaded machine.
    await eventually(
      'the restarted replica handed its thread over',
      () => restarted.log().includes(HANDED),
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; its log:\n${restarted.log()}`);
    });
    assert.equal(await deliveries(s.other), table, 'the new sender answers with the table it was handed');
    assert.equal(await deliveries(restarted), table);

    await recoversInTheFirstThread(s, restarted);
    // Slack has the reply before the sender has noted its outcome: wait for the note.
    let after = '';
    await eventually('the recovery, by the new sender, is the last delivery', async () => {
      after = await deliveries(s.other);
      return lastDelivered(after) > lastDelivered(table);
    });
    assert.equal(await deliveries(restarted), after);
    assert.ok(s.reviews() > 0, 'peer tokens reviewed by the API server');
  } finally {
    await s.close();
  }
});

for (const toSender of [false, true])
  test(`replicas: a sender stopped gracefully hands its thread to the next sender while it drains (the error posted to ${toSender ? 'the sender, the other replica idle' : 'the other replica'})`, async () => {
    const s = await failedOnSender(10, toSender);
    try {
      const table = await deliveries(s.sender);
      const exited = once(s.sender.child, 'exit');
      s.sender.child.kill('SIGTERM');
      const [code] = (await exited) as [number];
      assert.equal(code, 0);
      assert.equal(s.holder(), s.other.identity, 'the other replica took the Lease while the sender drained');
      assert.equal(s.sender.log().includes(HANDED), true, 'the stopping sender handed its thread over');
      assert.equal(await deliveries(s.other), table);
      await recoversInTheFirstThread(s, s.other);
    } finally {
      await s.close();
    }
  });

test('replicas: a sender that never saw the other replica, stopped gracefully while it is down, keeps its thread in its journal and hands it over from its next start', async () => {
  const s = await failedOnSender(10, true);
  try {
    const otherExited = once(s.other.child, 'exit');
    s.other.child.kill('SIGKILL');
    await otherExited;
    const exited = once(s.sender.child, 'exit');
    s.sender.child.kill('SIGTERM');
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
    assert.equal(s.holder(), undefined, 'no replica took the Lease');
    const lone =
      '"msg":"no other replica seen, none took the Lease: no sender to hand threads and status to; they stay in the journal"';
    assert.equal(
      s.sender
        .log()
        .split('\n')
        .filter((l) => l.includes(lone)).length,
      1,
    );
    assert.equal(s.sender.log().includes(HANDED), false);

    const next = await s.startReplica(s.other);
    s.replicas.push(next);
    await eventually('the restarted other replica took the Lease', () => s.holder() === next.identity, 15_000);
    const restarted = await s.startReplica(s.sender);
    s.replicas.push(restarted);
    await eventually('the old sender handed its thread over', () => restarted.log().includes(HANDED), 30_000);
    await recoversInTheFirstThread(s, next);
  } finally {
    await s.close();
  }
});
