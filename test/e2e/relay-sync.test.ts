/**
 * The relay in live mode never routes against a view that has not listed every kind it reads:
 * events that arrive first are journaled as held, answered 202, and delivered once the view has
 * synced, also after a restart; a relist (410) later keeps the last complete view meanwhile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openJournal } from '../../src/relay/journal.ts';
import type { RelayRecord } from '../../src/relay/relay.ts';
import { FakeApiServer, fluxResources } from '../servers/fake-apiserver.ts';
import { FakeSlack } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { call, startLiveRelay } from '../support/live-relay.ts';
import { tempDir } from '../support/temp-dir.ts';

const HOOK = '/services/T0SYNC/B0SYNC/abcdefgh';

const event = (message: string) => ({
  involvedObject: {
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'podinfo',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  },
  severity: 'error',
  timestamp: '2026-12-02T00:00:00Z',
  message,
  reason: 'HealthCheckFailed',
  reportingController: 'kustomize-controller',
});

/** The payload notification-controller's Slack notifier sends for `event(message)` through the Alert below (the Provider asks for the legacy layout). */
const payload = (message: string) => ({
  username: 'kustomize-controller',
  text: `Error: kustomization/podinfo.apps: ${message}`,
  attachments: [
    { color: 'danger', author_name: 'kustomization/podinfo.apps', text: message, mrkdwn_in: ['text'], fields: [] },
  ],
});

async function cluster(): Promise<{ api: FakeApiServer; slack: FakeSlack; close(): Promise<void> }> {
  const slack = new FakeSlack();
  const slackUrl = await slack.start();
  const api = new FakeApiServer(fluxResources());
  await api.start();
  api.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'slack-url', namespace: 'apps' },
    type: 'Opaque',
    data: { address: Buffer.from(`${slackUrl}${HOOK}`).toString('base64') },
  });
  api.apply({
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Provider',
    metadata: {
      name: 'slack',
      namespace: 'apps',
      annotations: { 'notify-guard.fluxcd.community/slack-format': 'legacy' },
    },
    spec: { type: 'slack', secretRef: { name: 'slack-url' } },
  });
  api.apply({
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Alert',
    metadata: { name: 'all', namespace: 'apps' },
    spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
  });
  return {
    api,
    slack,
    async close() {
      await api.close();
      await slack.close();
    },
  };
}

const delivered = (slack: FakeSlack) => slack.received.map((m) => ({ path: m.path, body: m.body }));

test('events posted before the view has listed Alerts are held, answered 202, and delivered once it syncs', async () => {
  const c = await cluster();
  const listing = c.api.holdLists('alerts');
  const relay = await startLiveRelay(c.api.url, join(tempDir('sync'), 'relay.journal'));
  try {
    await listing.arrived;
    const answers = [];
    for (const m of ['first', 'second', 'third']) answers.push(await call(relay.port, 'POST', '/', event(m)));
    assert.deepEqual(answers, Array(3).fill({ status: 202, body: '{"status":"held"}' }));
    assert.deepEqual(await call(relay.port, 'GET', '/readyz'), {
      status: 503,
      body: '{"status":"not ready","reason":"waiting for the initial list of Alert"}',
    });
    assert.equal(relay.relay.held(), 3);
    listing.release();
    await eventually('all three delivered', () => c.slack.received.length === 3);
    assert.deepEqual(
      delivered(c.slack),
      ['first', 'second', 'third'].map((m) => ({ path: HOOK, body: payload(m) })),
    );
    assert.equal(relay.relay.held(), 0);
    assert.deepEqual(await call(relay.port, 'POST', '/', event('after sync')), {
      status: 202,
      body: '{"status":"accepted"}',
    });
  } finally {
    await relay.close();
    await c.close();
  }
});

test('held events survive a restart before the view syncs and are routed once the new view has synced', async () => {
  const c = await cluster();
  const journalPath = join(tempDir('sync-restart'), 'relay.journal');
  const first = c.api.holdLists('alerts');
  let relay = await startLiveRelay(c.api.url, journalPath);
  await first.arrived;
  assert.deepEqual(await call(relay.port, 'POST', '/', event('before the restart')), {
    status: 202,
    body: '{"status":"held"}',
  });
  await relay.close();
  const { journal, replayed } = await openJournal<RelayRecord>(journalPath);
  await journal.close();
  assert.deepEqual(
    replayed.records.map((r) =>
      r.t === 'accept' ? { held: r.held, deliveries: r.deliveries.length, message: r.event.message } : r.t,
    ),
    [{ held: true, deliveries: 0, message: 'before the restart' }],
  );

  const second = c.api.holdLists('alerts');
  first.release();
  relay = await startLiveRelay(c.api.url, journalPath);
  try {
    await second.arrived;
    assert.equal(relay.relay.held(), 1);
    second.release();
    await eventually('delivered after the restart', () => c.slack.received.length === 1);
    assert.deepEqual(delivered(c.slack), [{ path: HOOK, body: payload('before the restart') }]);
    assert.equal(relay.relay.held(), 0);
  } finally {
    await relay.close();
    await c.close();
  }
});

test('a relist after 410 Gone keeps the last complete view: events meanwhile are routed and delivered', async () => {
  const c = await cluster();
  const relay = await startLiveRelay(c.api.url, join(tempDir('sync-relist'), 'relay.journal'));
  try {
    await eventually('ready', async () => (await call(relay.port, 'GET', '/readyz')).status === 200);
    const relist = c.api.holdLists('alerts');
    // The watches drop, and the history they would resume from is gone: 410 Gone, then a relist.
    c.api.dropWatches();
    c.api.apply({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'later', namespace: 'apps' },
      spec: {},
    });
    c.api.compact();
    await relist.arrived;
    const answers = [];
    for (const m of ['during the relist 1', 'during the relist 2'])
      answers.push(await call(relay.port, 'POST', '/', event(m)));
    assert.deepEqual(answers, Array(2).fill({ status: 202, body: '{"status":"accepted"}' }));
    await eventually('delivered during the relist', () => c.slack.received.length === 2);
    relist.release();
    assert.deepEqual(
      delivered(c.slack),
      ['during the relist 1', 'during the relist 2'].map((m) => ({ path: HOOK, body: payload(m) })),
    );
  } finally {
    await relay.close();
    await c.close();
  }
});
