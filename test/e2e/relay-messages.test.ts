/**
 * What the relay's Slack messages carry beyond notification-controller's, end to end against the
 * local Slack-compatible server: commit links through the source's GitRepository, an Alert's
 * message template, a failure episode threaded across a restart (bot token), and each Alert's
 * delivery status.
 * (relay.test.ts pins the Block Kit and legacy payloads themselves.)
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startRelayServer } from '../../src/cli/relay-command.ts';
import type { RunningRelay } from '../../src/cli/relay-command.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeSlack } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { tempDir } from '../support/temp-dir.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const ks = (annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'podinfo', namespace: 'apps', annotations },
  spec,
});
const alert = (annotations: Record<string, string> = {}) => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Alert',
  metadata: { name: 'ks', namespace: 'apps', annotations },
  spec: { providerRef: { name: 'slack' }, eventSeverity: 'info', eventSources: [{ kind: 'Kustomization', name: '*' }] },
});

/** A relay over manifests: a slack Provider in apps whose Secret `secret(url)` gives, plus `objects`. */
async function setUp(
  secret: (slackUrl: string) => Record<string, string>,
  objects: Record<string, unknown>[],
  slackOptions: ConstructorParameters<typeof FakeSlack>[0] = {},
) {
  const slack = new FakeSlack(slackOptions);
  const url = await slack.start();
  cleanups.push(() => slack.close());
  const dir = tempDir('relay-messages');
  await writeFile(
    join(dir, 'cluster.yaml'),
    [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slack', namespace: 'apps' }, stringData: secret(url) },
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Provider',
        metadata: { name: 'slack', namespace: 'apps' },
        spec: { type: 'slack', channel: '#ops', secretRef: { name: 'slack' } },
      },
      ...objects,
    ]
      .map((d) => stringify(d))
      .join('---\n'),
  );
  const start = () =>
    startRelayServer(
      {
        host: '127.0.0.1',
        port: 0,
        journalPath: join(dir, 'relay.journal'),
        journalCompactAtBytes: 64 * 1024 * 1024,
        clusterDir: dir,
        kubeconfig: undefined,
        secretNamespaces: [],
        dedupWindowMs: 300_000,
        forwardTo: undefined,
        noCrossNamespaceRefs: false,
        maxDeliveryAgeMs: 3_600_000,
        retryMaxIntervalMs: 60_000,
        drainTimeoutMs: 0,
        allowInsecureDestinations: true,
        logLevel: 'silent',
      },
      createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
    );
  let relay: RunningRelay = await start();
  cleanups.push(() => relay.close());
  return {
    slack,
    get port() {
      return relay.port;
    },
    async restart() {
      await relay.close();
      relay = await start();
    },
  };
}

const webhook = (url: string) => ({ address: `${url}/services/T0MSG/B0MSG/abcdefgh` });

const event = (message: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    involvedObject: {
      kind: 'Kustomization',
      namespace: 'apps',
      name: 'podinfo',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
    severity: 'error',
    timestamp: '2026-11-23T10:00:00Z',
    message,
    reason: 'HealthCheckFailed',
    reportingController: 'kustomize-controller',
    ...over,
  });

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test("the revision links to its commit when the Kustomization's GitRepository is on a known forge", async () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  const s = await setUp(webhook, [
    alert(),
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'podinfo', namespace: 'flux-system' },
      spec: { url: 'ssh://git@github.com/stefanprodan/podinfo.git' },
    },
    ks({}, { sourceRef: { kind: 'GitRepository', name: 'podinfo', namespace: 'flux-system' } }),
  ]);
  assert.equal(
    await post(s.port, event('linked', { metadata: { 'kustomize.toolkit.fluxcd.io/revision': `main@sha1:${sha}` } })),
    202,
  );
  await eventually('delivered', () => s.slack.received.length === 1);
  assert.deepEqual((s.slack.received[0]!.body['blocks'] as unknown[])[2], {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: `*revision*\n<https://github.com/stefanprodan/podinfo/commit/${sha}|main@sha1:${sha}>` },
    ],
  });
});

test("an Alert's message template replaces the message, its values escaped; the fallback text keeps the message", async () => {
  const s = await setUp(webhook, [
    alert({
      'notify-guard.fluxcd.community/slack-template': '*{{object.name}}* failed on {{metadata.env}}: {{message}}',
    }),
    ks({ 'event.toolkit.fluxcd.io/env': 'production' }),
  ]);
  assert.equal(await post(s.port, event('drift <!channel>')), 202);
  await eventually('delivered', () => s.slack.received.length === 1);
  const body = s.slack.received[0]!.body;
  assert.deepEqual((body['blocks'] as unknown[])[1], {
    type: 'section',
    text: { type: 'mrkdwn', text: '*podinfo* failed on production: drift &lt;!channel&gt;' },
  });
  assert.equal(body['text'], 'Error: Kustomization apps/podinfo HealthCheckFailed: drift &lt;!channel&gt;');
});

test('with a bot token, a failure episode is a thread that survives a restart; recovery replies and marks the parent resolved', async () => {
  const s = await setUp((url) => ({ address: `${url}/api/chat.postMessage`, token: 'xoxb-relay' }), [alert(), ks()], {
    perSecond: 100,
    burst: 100,
    botTokens: ['xoxb-relay'],
  });
  const headers = () =>
    s.slack.received.map((m) => [
      m.body['thread_ts'],
      m.body['reply_broadcast'],
      (m.body['blocks'] as { text: { text: string } }[])[0]!.text.text,
    ]);
  assert.equal(await post(s.port, event('down')), 202);
  await eventually('parent posted', () => s.slack.received.length === 1);
  await s.restart();
  assert.equal(await post(s.port, event('still down')), 202);
  await eventually('reply posted', () => s.slack.received.length === 2);
  assert.equal(await post(s.port, event('healthy', { severity: 'info', reason: 'ReconciliationSucceeded' })), 202);
  await eventually(
    'recovery posted and parent updated',
    () => s.slack.received.length === 3 && s.slack.updates.length === 1,
  );
  const recovered = headers()[2]![2] as string;
  assert.match(recovered, /^✅ Recovered after \d+s: Kustomization apps\/podinfo ReconciliationSucceeded$/);
  assert.deepEqual(headers(), [
    [undefined, undefined, '🔴 Error: Kustomization apps/podinfo HealthCheckFailed'],
    ['1800000001.000100', true, '🔴 Error: Kustomization apps/podinfo HealthCheckFailed'],
    ['1800000001.000100', undefined, recovered],
  ]);
  assert.deepEqual(
    [s.slack.updates[0]!.body['channel'], s.slack.updates[0]!.body['ts']],
    ['#ops', '1800000001.000100'],
  );
});

test("delivery status: GET /deliveries and the per-Alert gauges show the last delivery and the last failure with Slack's error, on every Alert of the Provider, and again after a restart", async () => {
  const other = {
    apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
    kind: 'Alert',
    metadata: { name: 'other', namespace: 'apps' },
    spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'GitRepository', name: '*' }] },
  };
  const s = await setUp(webhook, [alert(), ks(), other]);
  assert.equal(await post(s.port, event('fine')), 202);
  await eventually('delivered', () => s.slack.received.length === 1);
  s.slack.fault('*', 'channel_not_found');
  assert.equal(await post(s.port, event('lost')), 202);
  const get = async (path: string) => (await fetch(`http://127.0.0.1:${s.port}${path}`)).text();
  await eventually('failed for good', async () => (await get('/dead-letters')).includes('channel_not_found'));
  const { items } = JSON.parse(await get('/deliveries')) as {
    items: { alert: string; lastDelivered: string; lastError: { at: string; reason: string } }[];
  };
  assert.deepEqual(
    items.map((i) => ({
      ...i,
      ...(i.lastDelivered ? { lastDelivered: typeof Date.parse(i.lastDelivered) } : {}),
      lastError: { ...i.lastError, at: typeof Date.parse(i.lastError.at) },
    })),
    [
      { alert: 'apps/ks', lastDelivered: 'number', lastError: { at: 'number', reason: 'HTTP 404 channel_not_found' } },
      { alert: 'apps/other', lastError: { at: 'number', reason: 'Provider apps/slack: HTTP 404 channel_not_found' } },
    ],
  );
  const metrics = await get('/metrics');
  assert.match(
    metrics,
    new RegExp(
      `^notify_guard_relay_alert_last_delivered_timestamp_seconds\\{alert="apps/ks"\\} ${Date.parse(items[0]!.lastDelivered) / 1000}$`,
      'm',
    ),
  );
  assert.match(
    metrics,
    new RegExp(
      `^notify_guard_relay_alert_last_failure_timestamp_seconds\\{alert="apps/ks"\\} ${Date.parse(items[0]!.lastError.at) / 1000}$`,
      'm',
    ),
  );
  const before = await get('/deliveries');
  await s.restart();
  assert.equal(await get('/deliveries'), before, 'the same table after a restart (journaled)');
  assert.match(
    await get('/metrics'),
    new RegExp(
      `^notify_guard_relay_alert_last_failure_timestamp_seconds\\{alert="apps/other"\\} ${Date.parse(items[1]!.lastError.at) / 1000}$`,
      'm',
    ),
  );
});
