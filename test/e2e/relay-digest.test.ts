/**
 * Burst digests end to end: a burst into one webhook of the local Slack server, while Slack fails,
 * arrives as the events already handed over, each alone, then one digest of the rest; every event
 * is accounted for (alone, inside the digest, or in the dead digest's one dead letter), in
 * `GET /dead-letters` and the metrics.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startRelayServer } from '../../src/cli/relay-command.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeSlack } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { tempDir } from '../support/temp-dir.ts';

const HOOK = '/services/T0AB12CD3/B0CD34EF5/q1w2e3r4t5y6u7i8o9p0a1s2';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The relay's clock stands still at a whole second near now (the delivery age is counted on the real one). */
const AT = Math.floor(Date.now() / 1000) * 1000;

async function setUp() {
  const slack = new FakeSlack();
  const url = await slack.start();
  cleanups.push(() => slack.close());
  const dir = tempDir('relay-digest');
  const objects = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'slack-url', namespace: 'apps' },
      stringData: { address: `${url}${HOOK}` },
    },
    {
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Provider',
      metadata: { name: 'slack', namespace: 'apps' },
      spec: { type: 'slack', channel: '#ops', secretRef: { name: 'slack-url' } },
    },
    // Two Alerts overlap on one Provider: each event is sent (or folded) once, the other send saved.
    ...['all', 'all-again'].map((name) => ({
      apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
      kind: 'Alert',
      metadata: { name, namespace: 'apps' },
      spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
    })),
  ];
  await writeFile(join(dir, 'cluster.yaml'), objects.map((d) => stringify(d)).join('---\n'));
  const relay = await startRelayServer(
    {
      ...{ host: '127.0.0.1', port: 0, journalPath: join(dir, 'relay.journal'), journalCompactAtBytes: 64 << 20 },
      ...{ clusterDir: dir, kubeconfig: undefined, secretNamespaces: [], dedupWindowMs: 300_000 },
      ...{ forwardTo: undefined, noCrossNamespaceRefs: false, maxDeliveryAgeMs: 3_600_000, retryMaxIntervalMs: 1_000 },
      ...{ drainTimeoutMs: 0, allowInsecureDestinations: true, logLevel: 'info' },
      digest: { maxQueued: 5, maxSendMs: 10_000 },
    },
    createLogger('info', new Writable({ write: (_c, _e, cb) => cb() })),
    { now: () => AT },
  );
  cleanups.push(() => relay.close());
  return { slack, relay };
}

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const event = (n: number, severity: 'error' | 'info', reason: string) =>
  JSON.stringify({
    involvedObject: {
      kind: 'Kustomization',
      namespace: 'apps',
      name: `app-${n}`,
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
    severity,
    timestamp: '2026-11-23T10:00:00Z',
    message: `event ${n} <!channel>`,
    reason,
    reportingController: 'kustomize-controller',
  });

/** Five events handed over while Slack fails, then seven more: errors and infos of two reasons. */
async function burst(port: number): Promise<void> {
  for (let n = 1; n <= 5; n++)
    assert.equal((await call(port, 'POST', '/', event(n, 'error', 'HealthCheckFailed'))).status, 202);
  for (let n = 6; n <= 12; n++) {
    const e = n <= 10 ? event(n, 'error', 'HealthCheckFailed') : event(n, 'info', 'ReconciliationSucceeded');
    assert.equal((await call(port, 'POST', '/', e)).status, 202);
  }
}

const date = `<!date^${AT / 1000}^{date_short_pretty} {time_secs}|${new Date(AT).toISOString()}>`;

test('a burst into one webhook through two overlapping Alerts: five alone, then one digest of the seven others, exactly; each event once', async () => {
  const s = await setUp();
  s.slack.fault('*', 'error-503');
  await burst(s.relay.port);
  s.slack.fault('*', 'none');
  await eventually('six messages', () => s.slack.received.length >= 6 && s.relay.relay.pending() === 0, 30_000);
  const bodies = s.slack.received.map((m) => m.body);
  assert.equal(bodies.length, 6);
  assert.deepEqual(
    bodies.slice(0, 5).map((b) => (b['text'] as string).split(': ').at(-1)),
    [1, 2, 3, 4, 5].map((n) => `event ${n} &lt;!channel&gt;`),
  );
  assert.deepEqual(bodies[5], {
    channel: '#ops',
    username: 'Flux',
    text:
      '7 events for #ops in 0s: 5 errors, 2 infos\n' +
      '5 × HealthCheckFailed · Kustomization in apps\n' +
      '2 × ReconciliationSucceeded · Kustomization in apps',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '🔴 7 events for #ops in 0s' } },
      { type: 'section', text: { type: 'mrkdwn', text: `*5 errors* and *2 infos* from ${date} to ${date}` } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            `🔴 *HealthCheckFailed · Kustomization in apps* · 5 events · ${date}`,
            '• *app-6*: event 6 &lt;!channel&gt;',
            '• *app-7*: event 7 &lt;!channel&gt;',
            '• *app-8*: event 8 &lt;!channel&gt;',
            'and 2 more',
          ].join('\n'),
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            `🟢 *ReconciliationSucceeded · Kustomization in apps* · 2 events · ${date}`,
            '• *app-11*: event 11 &lt;!channel&gt;',
            '• *app-12*: event 12 &lt;!channel&gt;',
          ].join('\n'),
        },
      },
    ],
  });
  const metrics = (await call(s.relay.port, 'GET', '/metrics')).body;
  assert.match(metrics, /^notify_guard_relay_events_folded_total 7$/m);
  assert.match(metrics, /^notify_guard_relay_digests_total\{result="sent"\} 1$/m);
  assert.match(metrics, /^notify_guard_relay_deliveries_total\{result="sent"\} 5$/m);
  assert.match(metrics, /^notify_guard_relay_sends_saved_total 12$/m);
  assert.deepEqual(JSON.parse((await call(s.relay.port, 'GET', '/dead-letters')).body), { items: [] });
});

test('a digest that fails for good is one dead letter naming its count; nothing is lost', async () => {
  const s = await setUp();
  s.slack.fault('*', 'error-503');
  await burst(s.relay.port);
  s.slack.fault('*', 'no_service');
  await eventually('all settled', () => s.relay.relay.pending() === 0, 30_000);
  const dead = JSON.parse((await call(s.relay.port, 'GET', '/dead-letters')).body) as {
    items: Record<string, unknown>[];
  };
  const digests = dead.items.filter((d) => d['events'] !== undefined);
  assert.equal(dead.items.length, 6);
  assert.deepEqual(
    digests.map(({ id: _id, ...d }) => d),
    [
      {
        alert: '',
        provider: 'apps/slack',
        involvedObject: '',
        message: 'burst digest of 7 events, not delivered',
        reason: 'HTTP 404 no_service',
        at: new Date(AT).toISOString(),
        events: 7,
      },
    ],
  );
  const metrics = (await call(s.relay.port, 'GET', '/metrics')).body;
  assert.match(metrics, /^notify_guard_relay_digests_total\{result="dead"\} 1$/m);
  assert.match(metrics, /^notify_guard_relay_deliveries_total\{result="dead"\} 5$/m);
});
