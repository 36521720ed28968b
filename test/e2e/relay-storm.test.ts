/**
 * The relay under storms, end to end: the journal's disk budget (503 + Retry-After, nothing
 * accepted lost), an event whose metadata is larger than Slack shows (stored cut, not refused), and
 * overlapping Alerts sending an event to the same destination once.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startRelayServer } from '../../src/cli/relay-command.ts';
import { parseJournal } from '../../src/relay/journal-record.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeSlack } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { tempDir } from '../support/temp-dir.ts';

const HOOK = '/services/T0AB12CD3/B0CD34EF5/q1w2e3r4t5y6u7i8o9p0a1s2';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(
  o: {
    journalMaxBytes?: number;
    compactAtBytes?: number;
    channels?: string[];
    objects?: object[];
    pacing?: { perSecond: number; burst: number };
  } = {},
) {
  const slack = new FakeSlack(o.pacing ?? {});
  const url = await slack.start();
  cleanups.push(() => slack.close());
  const dir = tempDir('relay-storm');
  const channels = o.channels ?? ['#ops'];
  await writeFile(
    join(dir, 'cluster.yaml'),
    [
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'slack-url', namespace: 'apps' },
        stringData: { address: `${url}${HOOK}` },
      },
      ...(o.objects ??
        channels.flatMap((channel, n) => [
          {
            apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
            kind: 'Provider',
            metadata: { name: `slack-${n}`, namespace: 'apps' },
            spec: { type: 'slack', channel, secretRef: { name: 'slack-url' } },
          },
          {
            apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
            kind: 'Alert',
            metadata: { name: `ks-${n}`, namespace: 'apps' },
            spec: {
              providerRef: { name: `slack-${n}` },
              eventSeverity: 'info',
              eventSources: [{ kind: 'Kustomization', name: '*' }],
            },
          },
        ])),
    ]
      .map((d) => stringify(d))
      .join('---\n'),
  );
  const logs: string[] = [];
  const relay = await startRelayServer(
    {
      host: '127.0.0.1',
      port: 0,
      journalPath: join(dir, 'relay.journal'),
      journalCompactAtBytes: o.compactAtBytes ?? 64 * 1024 * 1024,
      ...(o.journalMaxBytes ? { journalMaxBytes: o.journalMaxBytes } : {}),
      clusterDir: dir,
      kubeconfig: undefined,
      secretNamespaces: [],
      dedupWindowMs: 300_000,
      forwardTo: undefined,
      noCrossNamespaceRefs: false,
      maxDeliveryAgeMs: 3_600_000,
      retryMaxIntervalMs: 1_000,
      drainTimeoutMs: 0,
      allowInsecureDestinations: true,
      logLevel: 'info',
      // These tests pin what is stored and sent, in notification-controller's (legacy) layout,
      // each event alone (burst digests: relay-digest.test.ts).
      slackFormat: 'legacy',
      digest: { maxQueued: 0, maxSendMs: 10_000 },
    },
    createLogger(
      'info',
      new Writable({
        write(c: Buffer, _e, cb) {
          logs.push(c.toString('utf8'));
          cb();
        },
      }),
    ),
    o.pacing ? { pacing: o.pacing } : {},
  );
  cleanups.push(() => relay.close());
  return { slack, url, relay, logs, journal: join(dir, 'relay.journal') };
}

const event = (message: string, metadata: Record<string, string> = {}) => ({
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
  metadata,
});

function post(port: number, body: string): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'],
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const texts = (s: { slack: FakeSlack }) =>
  s.slack.received.map((m) => (m.body['attachments'] as { text: string }[])[0]!.text);

test('at its disk budget the journal answers 503 with Retry-After, says so, and delivers everything it accepted', async () => {
  const s = await setUp({ journalMaxBytes: 4_096, compactAtBytes: 1_024 });
  s.slack.fault('*', 'error-503');
  const accepted: string[] = [];
  let refused: Awaited<ReturnType<typeof post>> | undefined;
  for (let i = 1; i <= 20 && !refused; i++) {
    const r = await post(s.relay.port, JSON.stringify(event(`storm ${i}`)));
    if (r.status === 202) accepted.push(`storm ${i}`);
    else refused = r;
  }
  assert.ok(accepted.length >= 2, `accepted ${accepted.length} before the budget`);
  assert.deepEqual(refused, {
    status: 503,
    retryAfter: '10',
    body: JSON.stringify({
      metadata: {},
      status: 'Failure',
      message: "the relay's journal is at its disk budget (--journal-max-bytes); retry later",
      reason: 'ServiceUnavailable',
      code: 503,
    }),
  });
  assert.equal(s.logs.filter((l) => l.includes('journal at its disk budget')).length, 1);
  s.slack.fault('*', 'none');
  await eventually('every accepted event delivered', () => s.slack.received.length === accepted.length, 20_000);
  assert.deepEqual(texts(s), accepted);
  await eventually(
    'accepting again once compaction freed the journal',
    async () => (await post(s.relay.port, JSON.stringify(event('after the storm')))).status === 202,
    10_000,
  );
  await eventually('the new event delivered', () => s.slack.received.length === accepted.length + 1, 10_000);
});

test('an event with a 2.2 MB metadata value routed to three Alerts is stored once, cut to what Slack shows, and delivered', async () => {
  const s = await setUp({ channels: ['#a', '#b', '#c'] });
  const revision = `main@sha1:${'f'.repeat(2_200_000)}`;
  const r = await post(
    s.relay.port,
    JSON.stringify(event('big', { 'kustomize.toolkit.fluxcd.io/revision': revision })),
  );
  assert.deepEqual({ status: r.status, body: r.body }, { status: 202, body: '{"status":"accepted"}' });
  await eventually('delivered to the three channels', () => s.slack.received.length === 3, 10_000);
  assert.deepEqual(s.slack.received.map((m) => m.body['channel']).sort(), ['#a', '#b', '#c']);
  const field = (
    s.slack.received[0]!.body['attachments'] as { fields: { title: string; value: string }[] }[]
  )[0]!.fields.find((f) => f.title === 'revision')!;
  assert.equal(field.value.startsWith('main@sha1:ffff'), true);
  assert.ok(
    s.logs.some((l) => l.includes('event text longer than Slack shows') && l.includes('"cutCharacters":2160010')),
  );
});

const provider = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Provider',
  metadata: { name, namespace: 'apps' },
  spec: { type: 'slack', ...spec },
});
const alert = (name: string, providerName: string, summary: string) => ({
  apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
  kind: 'Alert',
  metadata: { name, namespace: 'apps' },
  spec: { providerRef: { name: providerName }, summary, eventSources: [{ kind: 'Kustomization', name: '*' }] },
});

test('overlapping Alerts routing an event to the same Provider address and channel send it once, and the saved sends are counted', async () => {
  const s = await setUp({
    objects: [
      provider('ops', { channel: '#ops', secretRef: { name: 'slack-url' } }),
      provider('ops-again', { channel: '#ops', secretRef: { name: 'slack-url' } }),
      provider('dev', { channel: '#dev', secretRef: { name: 'slack-url' } }),
      alert('a-first', 'ops', 'first'),
      alert('b-same-provider', 'ops', 'second'),
      alert('c-same-destination', 'ops-again', 'third'),
      alert('d-other-channel', 'dev', 'fourth'),
    ],
  });
  const r = await post(s.relay.port, JSON.stringify(event('Health check failed')));
  assert.deepEqual({ status: r.status, body: r.body }, { status: 202, body: '{"status":"accepted"}' });
  await eventually('delivered', () => s.slack.received.length === 2, 10_000);
  const payload = (channel: string, summary: string) => ({
    channel,
    username: 'kustomize-controller',
    text: 'Error: kustomization/podinfo.apps: Health check failed',
    attachments: [
      {
        color: 'danger',
        author_name: 'kustomization/podinfo.apps',
        text: 'Health check failed',
        mrkdwn_in: ['text'],
        fields: [{ title: 'summary', value: summary, short: false }],
      },
    ],
  });
  assert.deepEqual(
    s.slack.received.map((m) => m.body).sort((x, y) => String(x['channel']).localeCompare(String(y['channel']))),
    [payload('#dev', 'fourth'), payload('#ops', 'first')],
  );
  const metrics = await (await fetch(`http://127.0.0.1:${s.relay.port}/metrics`)).text();
  assert.match(metrics, /^notify_guard_relay_sends_saved_total 2$/m);
});

test('with digests off, a backlog beyond the delivery window waits spilled to the journal and is delivered in full, through compactions', async () => {
  // Window of 8 per destination (delivery-window.ts): 22 of these are spilled as journal references,
  // read back as Slack takes the others; compactions while they drain move the references.
  // Slack's pace (the stand-in's and the relay's) is not what this pins: 50 a second instead of 1.
  const s = await setUp({ compactAtBytes: 4_096, pacing: { perSecond: 50, burst: 3 } });
  s.slack.fault('*', 'error-503');
  const accepted: string[] = [];
  for (let i = 1; i <= 30; i++) {
    const r = await post(s.relay.port, JSON.stringify(event(`backlog ${i}`)));
    assert.equal(r.status, 202);
    accepted.push(`backlog ${i}`);
  }
  assert.equal(s.relay.relay.pending(), 30);
  s.slack.fault('*', 'none');
  await eventually('every accepted event delivered', () => s.slack.received.length >= accepted.length, 30_000);
  assert.deepEqual(texts(s).sort(), [...accepted].sort());
  assert.equal(s.slack.received.length, 30);
  await eventually('nothing pending', () => s.relay.relay.pending() === 0, 10_000);
  assert.ok(
    s.logs.some((l) => l.includes('journal compacted')),
    'the journal was compacted while spilled deliveries drained',
  );
});

test('a spilled record damaged on disk is dead-lettered when read back, and its destination delivers the rest', async () => {
  // Window of 8 (delivery-window.ts): backlogs 9-30 wait spilled; backlog 12's record is then damaged.
  const s = await setUp({ pacing: { perSecond: 50, burst: 3 } });
  s.slack.fault('*', 'error-503');
  const accepted: string[] = [];
  for (let i = 1; i <= 30; i++) {
    assert.equal((await post(s.relay.port, JSON.stringify(event(`backlog ${i}`)))).status, 202);
    accepted.push(`backlog ${i}`);
  }
  const path = s.journal;
  const image = await readFile(path);
  const { records, sizes } = parseJournal<{ t: string; event?: { message: string } }>(image);
  const k = records.findIndex((r) => r.t === 'accept' && r.event?.message === 'backlog 12');
  const offset = sizes.slice(0, k).reduce((a, b) => a + b, 0);
  const file = await open(path, 'r+');
  await file.write(Buffer.from('#'), 0, 1, offset + 8 + 20); // inside its payload: the checksum fails
  await file.close();
  s.slack.fault('*', 'none');
  const delivered = accepted.filter((m) => m !== 'backlog 12');
  await eventually('every other event delivered', () => s.slack.received.length >= delivered.length, 30_000);
  await eventually('nothing pending', () => s.relay.relay.pending() === 0, 10_000);
  assert.deepEqual(texts(s).sort(), [...delivered].sort());
  const items = (await (await fetch(`http://127.0.0.1:${s.relay.port}/dead-letters`)).json()) as {
    items: { at: string; message: string }[];
  };
  assert.equal(items.items.length, 1);
  const { at, message, ...row } = items.items[0]!;
  assert.deepEqual(row, {
    ...{ id: '', alert: '', provider: 'apps/slack-0', involvedObject: '' },
    reason: `journal record damaged: no journal record of ${sizes[k]} bytes at offset ${offset} (framing or checksum)`,
  });
  assert.match(
    message,
    new RegExp(
      `^event accepted at \\S+ \\(delivery 0, journal offset ${offset}\\) could not be read back from the journal$`,
    ),
  );
  assert.match(at, /^\d{4}-\d\d-\d\dT/);
  const metrics = await (await fetch(`http://127.0.0.1:${s.relay.port}/metrics`)).text();
  assert.match(metrics, /^notify_guard_relay_deliveries_total\{result="dead"\} 1$/m);
  assert.match(metrics, /^notify_guard_relay_dead_letters 1$/m);
  assert.equal(
    s.logs.filter((l) => l.includes('a spilled delivery could not be read back from the journal')).length,
    1,
    'logged once',
  );
});
