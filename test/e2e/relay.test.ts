/**
 * `notify-guard relay` end to end against the local Slack-compatible server: what Slack receives,
 * Flux's answers (202, 400, 413, 429), pacing through 429s, retries through 5xx, dead letters,
 * a restart resuming undelivered entries from the journal, and no secret in any log line.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startRelayServer } from '../../src/cli/relay-command.ts';
import type { RunningRelay } from '../../src/cli/relay-command.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeSlack, shownMessage } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { tempDir } from '../support/temp-dir.ts';

const HOOK = '/services/T0AB12CD3/B0CD34EF5/q1w2e3r4t5y6u7i8o9p0a1s2';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(
  o: {
    slack?: ConstructorParameters<typeof FakeSlack>[0];
    journal?: string;
    forwardTo?: string;
    retryMaxIntervalMs?: number;
    compactAtBytes?: number;
    providerAnnotations?: Record<string, string>;
    /** The relay's clock (accept times, the backlog's age). */
    now?: () => number;
    pacing?: { perSecond: number; burst: number };
  } = {},
) {
  const slack = new FakeSlack(o.slack);
  const url = await slack.start();
  cleanups.push(() => slack.close());
  const dir = tempDir('relay');
  await writeFile(
    join(dir, 'cluster.yaml'),
    [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'slack-url', namespace: 'apps' },
        stringData: { address: `${url}${HOOK}` },
      },
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Provider',
        metadata: {
          name: 'slack',
          namespace: 'apps',
          ...(o.providerAnnotations ? { annotations: o.providerAnnotations } : {}),
        },
        spec: { type: 'slack', channel: '#ops', secretRef: { name: 'slack-url' } },
      },
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Alert',
        metadata: { name: 'ks', namespace: 'apps' },
        spec: {
          providerRef: { name: 'slack' },
          eventSeverity: 'info',
          summary: 'prod cluster',
          eventSources: [{ kind: 'Kustomization', name: '*' }],
        },
      },
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'podinfo', namespace: 'apps', annotations: { 'event.toolkit.fluxcd.io/env': 'production' } },
      },
    ]
      .map((d) => stringify(d))
      .join('---\n'),
  );
  const logs: string[] = [];
  const journal = o.journal ?? join(dir, 'relay.journal');
  const start = async () => {
    const r = await startRelayServer(
      {
        host: '127.0.0.1',
        port: 0,
        journalPath: journal,
        journalCompactAtBytes: o.compactAtBytes ?? 64 * 1024 * 1024,
        clusterDir: dir,
        kubeconfig: undefined,
        secretNamespaces: [],
        dedupWindowMs: 300_000,
        forwardTo: o.forwardTo,
        noCrossNamespaceRefs: false,
        maxDeliveryAgeMs: 3_600_000,
        retryMaxIntervalMs: o.retryMaxIntervalMs ?? 60_000,
        drainTimeoutMs: 0,
        allowInsecureDestinations: true,
        logLevel: 'debug',
      },
      createLogger(
        'debug',
        new Writable({
          write(c: Buffer, _e, cb) {
            logs.push(c.toString('utf8'));
            cb();
          },
        }),
      ),
      { ...(o.now ? { now: o.now } : {}), ...(o.pacing ? { pacing: o.pacing } : {}) },
    );
    return r;
  };
  let relay: RunningRelay = await start();
  cleanups.push(() => relay.close());
  return {
    slack,
    url,
    logs,
    journal,
    get relay() {
      return relay;
    },
    async restart() {
      await relay.close();
      relay = await start();
    },
  };
}

const event = (message = 'Health check failed after 5m0s', over: Record<string, unknown> = {}) => ({
  involvedObject: {
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'podinfo',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    uid: 'u-1',
  },
  severity: 'error',
  timestamp: '2026-11-23T10:00:00Z',
  message,
  reason: 'HealthCheckFailed',
  reportingController: 'kustomize-controller',
  metadata: {
    'kustomize.toolkit.fluxcd.io/revision': 'main@sha1:0123abc',
    'kustomize.toolkit.fluxcd.io/checksum': 'drop-me',
    'kustomize.toolkit.fluxcd.io/token': 'tok-1',
  },
  ...over,
});

function post(
  port: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
      },
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

/** The relay's /metrics text. */
function metricsText(port: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    })
      .on('error', reject)
      .end();
  });
}

/** The sample lines of `text` matching `pattern`. */
function relayLines(text: string, pattern: RegExp): string[] {
  return text.split('\n').filter((l) => pattern.test(l));
}

test('an accepted event reaches Slack in Block Kit, with metadata merged as notification-controller merges it', async () => {
  const s = await setUp();
  const r = await post(s.relay.port, JSON.stringify(event()));
  assert.deepEqual(r, { status: 202, body: '{"status":"accepted"}' });
  await eventually('delivered', () => s.slack.received.length === 1);
  assert.deepEqual(s.slack.received[0]!.path, HOOK);
  assert.deepEqual(s.slack.received[0]!.body, {
    channel: '#ops',
    username: 'kustomize-controller',
    text: 'Error: Kustomization apps/podinfo HealthCheckFailed: Health check failed after 5m0s',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '🔴 Error: Kustomization apps/podinfo HealthCheckFailed' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Health check failed after 5m0s' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*revision*\nmain@sha1:0123abc' },
          { type: 'mrkdwn', text: '*summary*\nprod cluster' },
          { type: 'mrkdwn', text: '*env*\nproduction' },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'kustomize-controller · <!date^1795428000^{date_short_pretty} {time_secs}|2026-11-23T10:00:00.000Z>',
          },
        ],
      },
    ],
  });
});

test('a Provider annotated slack-format: legacy gets exactly what notification-controller sends', async () => {
  const s = await setUp({ providerAnnotations: { 'notify-guard.fluxcd.community/slack-format': 'legacy' } });
  const r = await post(s.relay.port, JSON.stringify(event()));
  assert.deepEqual(r, { status: 202, body: '{"status":"accepted"}' });
  await eventually('delivered', () => s.slack.received.length === 1);
  assert.deepEqual(s.slack.received[0]!.path, HOOK);
  assert.deepEqual(s.slack.received[0]!.body, {
    channel: '#ops',
    username: 'kustomize-controller',
    text: 'Error: kustomization/podinfo.apps: Health check failed after 5m0s',
    attachments: [
      {
        color: 'danger',
        author_name: 'kustomization/podinfo.apps',
        text: 'Health check failed after 5m0s',
        mrkdwn_in: ['text'],
        fields: [
          { title: 'env', value: 'production', short: false },
          { title: 'revision', value: 'main@sha1:0123abc', short: false },
          { title: 'summary', value: 'prod cluster', short: false },
        ],
      },
    ],
  });
});

test("Flux's answers: 429 for a duplicate, 202 unrouted, 400 bad JSON or event, 413 too large, 415 unsupported encoding", async () => {
  const s = await setUp();
  assert.equal((await post(s.relay.port, JSON.stringify(event()))).status, 202);
  assert.deepEqual(await post(s.relay.port, JSON.stringify(event())), {
    status: 429,
    body: JSON.stringify({
      metadata: {},
      status: 'Failure',
      message: 'duplicate event within the dedup window',
      reason: 'TooManyRequests',
      code: 429,
    }),
  });
  assert.equal((await post(s.relay.port, JSON.stringify(event('another message')))).status, 202);
  assert.deepEqual(
    await post(
      s.relay.port,
      JSON.stringify(event('m', { involvedObject: { kind: 'HelmRelease', namespace: 'apps', name: 'x' } })),
    ),
    { status: 202, body: '{"status":"unrouted"}' },
  );
  assert.equal(
    JSON.parse((await post(s.relay.port, '{"involvedObject":')).body).message,
    'request body is not valid JSON',
  );
  assert.equal(
    JSON.parse((await post(s.relay.port, JSON.stringify({ ...event(), severity: 'warning' }))).body).message,
    'invalid event: severity must be "info" or "error"',
  );
  assert.deepEqual(await post(s.relay.port, Buffer.alloc(3 * 1024 * 1024 + 10, 0x20)), {
    status: 413,
    body: JSON.stringify({
      metadata: {},
      status: 'Failure',
      message: 'event body exceeds 3145728 bytes',
      reason: 'RequestEntityTooLarge',
      code: 413,
    }),
  });
  assert.equal(
    (await post(s.relay.port, JSON.stringify(event('compressed?')), { 'content-encoding': 'compress' })).status,
    415,
  );
  await eventually('two delivered', () => s.slack.received.length === 2);
});

test('a 429 storm: every event is delivered once, in order, pausing for Retry-After', async () => {
  const s = await setUp({ slack: { burst: 1, perSecond: 2, retryAfterSeconds: 1 } });
  for (let i = 1; i <= 5; i++)
    assert.equal((await post(s.relay.port, JSON.stringify(event(`event ${i}`)))).status, 202);
  await eventually('all delivered', () => s.slack.received.length === 5, 15_000);
  assert.deepEqual(
    s.slack.received.map((m) => shownMessage(m.body)),
    ['event 1', 'event 2', 'event 3', 'event 4', 'event 5'],
  );
  assert.ok(
    s.slack.attempts.some((a) => a.status === 429),
    'Slack answered 429 at least once',
  );
});

test('5xx: retried with backoff until Slack recovers', async () => {
  const s = await setUp();
  s.slack.fault('*', 'error-503');
  assert.equal(await post(s.relay.port, JSON.stringify(event())).then((r) => r.status), 202);
  await eventually('failed twice', () => s.slack.attempts.filter((a) => a.status === 503).length >= 2, 10_000);
  s.slack.fault('*', 'none');
  await eventually('delivered after recovery', () => s.slack.received.length === 1, 10_000);
});

test('Slack answering 5xx through many retries: every event is delivered once it recovers, none lost, each failure counted as 5xx', async () => {
  // The outage is a count of failed attempts, not a length of time: backoff is capped at 50 ms
  // and pacing (1 a second, Slack's, tested above) is lifted.
  const s = await setUp({ retryMaxIntervalMs: 50, pacing: { perSecond: 1000, burst: 100 } });
  s.slack.fault('*', 'error-500');
  for (let i = 1; i <= 3; i++)
    assert.equal((await post(s.relay.port, JSON.stringify(event(`outage ${i}`)))).status, 202);
  const failed = () => s.slack.attempts.filter((a) => a.status === 500).length;
  await eventually('retried through 10 failed attempts', () => failed() >= 10, 10_000);
  assert.equal(s.slack.received.length, 0);
  assert.equal(s.relay.relay.pending(), 3, 'nothing given up or lost during the outage');
  s.slack.fault('*', 'none');
  await eventually('all delivered after the outage', () => s.slack.received.length === 3, 10_000);
  assert.deepEqual(
    s.slack.received.map((m) => shownMessage(m.body)),
    ['outage 1', 'outage 2', 'outage 3'],
  );
  await eventually('every outcome reported', () => s.relay.relay.pending() === 0);
  assert.deepEqual(relayLines(await metricsText(s.relay.port), /^notify_guard_relay_delivery_errors_total/), [
    `notify_guard_relay_delivery_errors_total{error="5xx"} ${failed()}`,
  ]);
});

test('Slack unreachable (connection refused), then back: retried until it answers, then delivered', async () => {
  const s = await setUp({ retryMaxIntervalMs: 50 });
  const port = Number(new URL(s.url).port);
  await s.slack.close();
  assert.equal((await post(s.relay.port, JSON.stringify(event('while slack is down')))).status, 202);
  const refused = async () =>
    Number(
      relayLines(await metricsText(s.relay.port), /^notify_guard_relay_delivery_errors_total\{error="connection"\}/)[0]
        ?.split(' ')
        .at(-1) ?? 0,
    );
  await eventually('refused three times', async () => (await refused()) >= 3, 10_000);
  assert.equal(s.relay.relay.pending(), 1, 'still pending while Slack is down');
  await s.slack.start(port);
  await eventually('delivered once Slack is back', () => s.slack.received.length === 1, 10_000);
  assert.equal(shownMessage(s.slack.received[0]!.body), 'while slack is down');
});

test("failed attempts are counted by Slack's error word, never by free text", async () => {
  const s = await setUp();
  s.slack.fault('*', 'channel_not_found');
  await post(s.relay.port, JSON.stringify(event('to a missing channel')));
  await eventually('dead', () => s.relay.relay.deadLetters().length === 1);
  s.slack.fault('*', 'invalid_token');
  await post(s.relay.port, JSON.stringify(event('with a revoked webhook')));
  await eventually('dead', () => s.relay.relay.deadLetters().length === 2);
  assert.deepEqual(relayLines(await metricsText(s.relay.port), /^notify_guard_relay_delivery_errors_total/), [
    'notify_guard_relay_delivery_errors_total{error="channel_not_found"} 1',
    'notify_guard_relay_delivery_errors_total{error="invalid_token"} 1',
  ]);
});

test("the backlog's age is the oldest pending delivery's, on the relay's clock", async () => {
  let offset = 0;
  const base = Date.now();
  const s = await setUp({ now: () => base + offset });
  const age = /^notify_guard_relay_oldest_pending_delivery_age_seconds/;
  assert.deepEqual(relayLines(await metricsText(s.relay.port), age), [
    'notify_guard_relay_oldest_pending_delivery_age_seconds 0',
  ]);
  s.slack.fault('*', 'error-503');
  await post(s.relay.port, JSON.stringify(event('first')));
  offset = 30_000;
  await post(s.relay.port, JSON.stringify(event('second')));
  offset = 90_000;
  assert.deepEqual(relayLines(await metricsText(s.relay.port), age), [
    'notify_guard_relay_oldest_pending_delivery_age_seconds 90',
  ]);
});

test('the journal is compacted while running: delivered events leave it, dead letters survive a restart', async () => {
  // Slack's pacing (1 a second, tested above) is lifted: the six deliveries are not what this pins.
  const s = await setUp({ compactAtBytes: 2048, pacing: { perSecond: 1000, burst: 100 } });
  s.slack.fault('*', 'channel_not_found');
  await post(s.relay.port, JSON.stringify(event('dead one')));
  await eventually('dead', () => s.relay.relay.deadLetters().length === 1);
  s.slack.fault('*', 'none');
  for (let i = 1; i <= 6; i++)
    assert.equal((await post(s.relay.port, JSON.stringify(event(`delivered ${i}`)))).status, 202);
  await eventually('delivered', () => s.slack.received.length === 6, 15_000);
  await eventually('compacted below the threshold', async () => (await stat(s.journal)).size < 2048, 5_000);
  await s.restart();
  assert.equal(s.relay.relay.pending(), 0);
  assert.deepEqual(
    s.relay.relay.deadLetters().map((d) => d.message),
    ['dead one'],
  );
});

test('a permanent error goes to the dead-letter table with its reason and no secret', async () => {
  const s = await setUp();
  s.slack.fault('*', 'channel_not_found');
  await post(s.relay.port, JSON.stringify(event()));
  await eventually('dead', () => s.relay.relay.deadLetters().length === 1);
  const [dl] = s.relay.relay.deadLetters();
  assert.deepEqual(
    { ...dl, id: 'x', at: 'x' },
    {
      id: 'x',
      alert: 'apps/ks',
      provider: 'apps/slack',
      involvedObject: 'Kustomization/apps/podinfo',
      message: 'Health check failed after 5m0s',
      reason: 'HTTP 404 channel_not_found',
      at: 'x',
    },
  );
});

test('a restart resumes every undelivered entry from the journal, delivering each once', async () => {
  const s = await setUp();
  s.slack.fault('*', 'error-500');
  for (let i = 1; i <= 3; i++)
    assert.equal((await post(s.relay.port, JSON.stringify(event(`queued ${i}`)))).status, 202);
  await eventually('first attempt failed', () => s.slack.attempts.length >= 1);
  await s.restart();
  assert.equal(s.relay.relay.pending(), 3);
  s.slack.fault('*', 'none');
  await eventually('all delivered after restart', () => s.slack.received.length === 3, 15_000);
  assert.deepEqual(s.slack.received.map((m) => shownMessage(m.body)).sort(), ['queued 1', 'queued 2', 'queued 3']);
  await s.restart();
  assert.equal(s.relay.relay.pending(), 0, 'delivered entries are not sent again');
});

test('no Secret value appears in any log line', async () => {
  const s = await setUp();
  s.slack.fault('*', 'invalid_token');
  await post(s.relay.port, JSON.stringify(event()));
  await eventually('dead', () => s.relay.relay.deadLetters().length === 1);
  const logs = s.logs.join('');
  assert.ok(logs.includes('moved to dead letters'));
  for (const secret of [HOOK, 'q1w2e3r4t5y6u7i8o9p0a1s2', `${s.url}${HOOK}`])
    assert.equal(logs.includes(secret), false, `logs contain ${secret}`);
});

/** A notification-controller stand-in: records forwarded events; answers 503 while `failing`. */
async function fakeNotificationController() {
  const received: { message: string }[] = [];
  const state = { failing: true, answers: [] as number[] };
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const e = JSON.parse(Buffer.concat(chunks).toString()) as { message: string };
      const duplicate = received.some((r) => r.message === e.message);
      const status = state.failing ? 503 : duplicate ? 429 : 202;
      if (status === 202) received.push(e);
      state.answers.push(status);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, received, state };
}

test('--forward-to forwards every event, routed or not, durably: retried through 5xx and resumed after a restart', async () => {
  const nc = await fakeNotificationController();
  const s = await setUp({ forwardTo: nc.url });
  assert.deepEqual(await post(s.relay.port, JSON.stringify(event('to slack and forwarded'))), {
    status: 202,
    body: '{"status":"accepted"}',
  });
  assert.deepEqual(
    await post(
      s.relay.port,
      JSON.stringify(
        event('forwarded only', { involvedObject: { kind: 'HelmRelease', namespace: 'apps', name: 'x' } }),
      ),
    ),
    { status: 202, body: '{"status":"unrouted"}' },
  );
  await eventually('503 seen', () => nc.state.answers.includes(503));
  await s.restart();
  nc.state.failing = false;
  await eventually('both forwarded', () => nc.received.length === 2, 10_000);
  assert.deepEqual(nc.received.map((e) => e.message).sort(), ['forwarded only', 'to slack and forwarded']);
  await eventually('slack delivered', () => s.slack.received.length === 1);
});

test('--forward-to with notification-controller down: forwards beyond the window wait spilled in the journal, through a restart and compactions, and each goes once', async () => {
  const nc = await fakeNotificationController();
  // Window of 8 forwards (forward-window.ts): the other 22 wait as journal references.
  const s = await setUp({ forwardTo: nc.url, retryMaxIntervalMs: 200, compactAtBytes: 4_096 });
  const messages = Array.from({ length: 30 }, (_, i) => `storm ${i + 1}`);
  for (const m of messages) assert.equal((await post(s.relay.port, JSON.stringify(event(m)))).status, 202);
  await eventually('503 seen', () => nc.state.answers.includes(503));
  await s.restart();
  nc.state.failing = false;
  await eventually('every event forwarded', () => nc.received.length === 30, 20_000);
  assert.deepEqual(nc.received.map((e) => e.message).sort(), [...messages].sort());
  await eventually('nothing pending', () => s.relay.relay.pending() === 0, 20_000);
  // None forwarded twice (notification-controller answers a duplicate 429).
  assert.equal(nc.state.answers.filter((a) => a === 429).length, 0);
  assert.ok(
    s.logs.some((l) => l.includes('journal compacted')),
    'compacted while forwards were spilled',
  );
});

/** A relay with --forward-to holding 30 unrouted events' forwards, notification-controller failing (503). */
async function forwardsHeldBack() {
  const nc = await fakeNotificationController();
  const s = await setUp({ forwardTo: nc.url, retryMaxIntervalMs: 200 });
  const unrouted = { involvedObject: { kind: 'HelmRelease', namespace: 'apps', name: 'x' } };
  for (let i = 1; i <= 30; i++) {
    assert.equal((await post(s.relay.port, JSON.stringify(event(`forward only ${i}`, unrouted)))).status, 202);
  }
  return { nc, s };
}

test('the pending_deliveries gauge counts forwards too: those in the delivery thread and those waiting spilled', async () => {
  const { nc, s } = await forwardsHeldBack();
  const gauge = async () => relayLines(await metricsText(s.relay.port), /^notify_guard_relay_pending_deliveries/)[0];
  // 8 in the delivery thread (forward-window.ts), 22 waiting as journal references, no Slack delivery.
  await eventually('503 seen', () => nc.state.answers.includes(503));
  assert.equal(await gauge(), 'notify_guard_relay_pending_deliveries 30');
  nc.state.failing = false;
  await eventually('every event forwarded', () => nc.received.length === 30, 20_000);
  await eventually('the gauge back to 0', async () => (await gauge()) === 'notify_guard_relay_pending_deliveries 0');
});

test('without --forward-to, replayed forwards wait for a restart with it and are not counted pending', async () => {
  const { nc, s } = await forwardsHeldBack();
  await eventually('503 seen', () => nc.state.answers.includes(503));
  await s.relay.close();
  const t = await setUp({ journal: s.journal });
  const text = await metricsText(t.relay.port);
  assert.deepEqual(relayLines(text, /^notify_guard_relay_pending_deliveries/), [
    'notify_guard_relay_pending_deliveries 0',
  ]);
});

test('/metrics counts events, deliveries and attempts (made on the delivery thread) and times the journal, with no secret', async () => {
  const s = await setUp();
  assert.equal((await post(s.relay.port, JSON.stringify(event()))).status, 202);
  assert.equal((await post(s.relay.port, JSON.stringify(event()))).status, 429);
  await eventually('delivered', () => s.slack.received.length === 1);
  await eventually('counted', () => s.relay.relay.pending() === 0);
  const text = await metricsText(s.relay.port);
  const lines = relayLines(
    text,
    /^notify_guard_relay_(events_total|deliveries_total|delivery_attempts_total|pending_deliveries|dead_letters|journal_append_seconds_count)/,
  );
  assert.deepEqual(lines, [
    'notify_guard_relay_pending_deliveries 0',
    'notify_guard_relay_dead_letters 0',
    'notify_guard_relay_events_total{outcome="accepted"} 1',
    'notify_guard_relay_events_total{outcome="duplicate"} 1',
    'notify_guard_relay_deliveries_total{result="sent"} 1',
    'notify_guard_relay_delivery_attempts_total{result="ok"} 1',
    'notify_guard_relay_journal_append_seconds_count 1',
  ]);
  assert.equal(text.includes('q1w2e3r4t5y6u7i8o9p0a1s2'), false, 'no part of the webhook URL');
});

test('event bodies the fast path reads and those express reads are answered alike', async () => {
  const s = await setUp();
  const chunked = (chunks: Buffer[], headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: s.relay.port,
          path: '/',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          const out: Buffer[] = [];
          res.on('data', (c: Buffer) => out.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(out).toString() }));
        },
      );
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });
  // Fast path: unencoded, chunked (no Content-Length).
  assert.deepEqual(await chunked([Buffer.from(JSON.stringify(event('chunked')))]), {
    status: 202,
    body: '{"status":"accepted"}',
  });
  assert.deepEqual(await chunked(Array.from({ length: 4 }, () => Buffer.alloc(1024 * 1024, 0x20))), {
    status: 413,
    body: JSON.stringify({
      metadata: {},
      status: 'Failure',
      message: 'event body exceeds 3145728 bytes',
      reason: 'RequestEntityTooLarge',
      code: 413,
    }),
  });
  assert.deepEqual(await post(s.relay.port, ''), {
    status: 400,
    body: JSON.stringify({
      metadata: {},
      status: 'Failure',
      message: 'invalid event: involvedObject is required',
      reason: 'BadRequest',
      code: 400,
    }),
  });
  // Express: gzip, and a charset other than UTF-8.
  assert.deepEqual(
    await post(s.relay.port, gzipSync(JSON.stringify(event('gzipped'))), { 'content-encoding': 'gzip' }),
    { status: 202, body: '{"status":"accepted"}' },
  );
  assert.equal(
    (
      await post(s.relay.port, JSON.stringify(event('latin')), {
        'content-type': 'application/json; charset=iso-8859-1',
      })
    ).status,
    415,
  );
  await eventually('both delivered', () => s.slack.received.length === 2);
  assert.deepEqual(
    s.slack.received.map((m) => m.body['text']),
    [
      'Error: Kustomization apps/podinfo HealthCheckFailed: chunked',
      'Error: Kustomization apps/podinfo HealthCheckFailed: gzipped',
    ],
  );
});
