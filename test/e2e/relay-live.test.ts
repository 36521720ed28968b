/**
 * The relay in live mode (the way it runs in a cluster): Alerts, Providers and Secrets from the
 * API server, Secret values read by GET when sending, revisions linked through the GitRepository
 * the live view keeps, a Normal NotificationDelivered event and a Warning event recorded on the Alert
 * when a delivery fails for good. Also: SIGTERM stops accepting and exits within the drain timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { openJournal } from '../../src/relay/journal.ts';
import type { RelayRecord } from '../../src/relay/relay.ts';
import { FakeApiServer, fluxResources } from '../servers/fake-apiserver.ts';
import { FakeSlack, shownMessage } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { startLiveRelay } from '../support/live-relay.ts';
import { tempDir } from '../support/temp-dir.ts';
import { slackDestination } from '../support/objects.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function post(port: number, body: object): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(JSON.stringify(body));
  });
}

const event = (ns: string, message: string, metadata?: Record<string, string>) => ({
  involvedObject: {
    kind: 'Kustomization',
    namespace: ns,
    name: 'podinfo',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  },
  severity: 'error',
  timestamp: '',
  message,
  reason: 'r',
  reportingController: 'kustomize-controller',
  ...(metadata ? { metadata } : {}),
});
const SHA = '89abcdef0123456789abcdef0123456789abcdef';

test('live mode: delivers with Secret values read from the API, links the revision through the live GitRepository, and records a Warning event on the Alert for a dead letter', async () => {
  const slack = new FakeSlack();
  const slackUrl = await slack.start();
  const api = new FakeApiServer([...fluxResources(), { group: '', version: 'v1', kind: 'Event', plural: 'events' }]);
  const apiUrl = await api.start();
  for (const ns of ['apps', 'gone']) {
    for (const o of slackDestination(ns, `${slackUrl}/services/T0LIVE${ns.toUpperCase()}/B0LIVE/abcdefgh`))
      api.apply(o);
  }
  api.apply({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'podinfo', namespace: 'flux-system' },
    spec: { url: 'https://gitlab.com/org/podinfo.git', interval: '1m' },
  });
  api.apply({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'podinfo', namespace: 'apps' },
    spec: {
      sourceRef: { kind: 'GitRepository', name: 'podinfo', namespace: 'flux-system' },
      interval: '1m',
      prune: true,
    },
  });
  slack.fault(`/services/T0LIVEGONE/B0LIVE/abcdefgh`, 'channel_is_archived');
  const relay = await startLiveRelay(apiUrl, join(tempDir('live'), 'relay.journal'));
  try {
    await eventually(
      'ready',
      async () =>
        (await new Promise<number>((r) =>
          request({ host: '127.0.0.1', port: relay.port, path: '/readyz' }, (res) => {
            res.resume();
            r(res.statusCode ?? 0);
          }).end(),
        )) === 200,
    );
    assert.equal(
      await post(
        relay.port,
        event('apps', 'live delivery', { 'kustomize.toolkit.fluxcd.io/revision': `main@sha1:${SHA}` }),
      ),
      202,
    );
    assert.equal(await post(relay.port, event('gone', 'archived channel')), 202);
    await eventually('delivered', () => slack.received.some((m) => shownMessage(m.body) === 'live delivery'), 20_000);
    const delivered = slack.received.find((m) => shownMessage(m.body) === 'live delivery')!;
    assert.deepEqual((delivered.body['blocks'] as unknown[])[2], {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*revision*\n<https://gitlab.com/org/podinfo/-/commit/${SHA}|main@sha1:${SHA}>` },
      ],
    });
    await eventually(
      'delivery recorded',
      async () =>
        ((await (await fetch(`${apiUrl}/api/v1/namespaces/apps/events`)).json()) as { items: unknown[] }).items
          .length === 1,
      20_000,
    );
    const normal = (
      (await (await fetch(`${apiUrl}/api/v1/namespaces/apps/events`)).json()) as {
        items: { reason: string; type: string; message: string; involvedObject: { kind: string; name: string } }[];
      }
    ).items[0]!;
    assert.deepEqual(
      {
        reason: normal.reason,
        type: normal.type,
        message: normal.message,
        object: `${normal.involvedObject.kind}/${normal.involvedObject.name}`,
      },
      {
        reason: 'NotificationDelivered',
        type: 'Normal',
        message: 'delivered notification for Kustomization/apps/podinfo through Provider apps/slack',
        object: 'Alert/all',
      },
    );
    await eventually(
      'warning recorded',
      async () =>
        ((await (await fetch(`${apiUrl}/api/v1/namespaces/gone/events`)).json()) as { items: unknown[] }).items
          .length === 1,
      20_000,
    );
    const { items } = (await (await fetch(`${apiUrl}/api/v1/namespaces/gone/events`)).json()) as {
      items: { reason: string; message: string; involvedObject: { kind: string; name: string } }[];
    };
    assert.deepEqual(
      {
        reason: items[0]!.reason,
        message: items[0]!.message,
        object: items[0]!.involvedObject.kind + '/' + items[0]!.involvedObject.name,
      },
      {
        reason: 'NotificationDispatchFailed',
        message:
          'failed to send notification for Kustomization/gone/podinfo through Provider gone/slack: HTTP 410 channel_is_archived',
        object: 'Alert/all',
      },
    );
  } finally {
    await relay.close();
    await api.close();
    await slack.close();
  }
});

test('SIGTERM: the relay stops accepting and exits within its drain timeout, keeping undelivered entries', async () => {
  const slack = new FakeSlack();
  const url = await slack.start();
  slack.fault('*', 'error-503');
  const dir = tempDir('term');
  await writeFile(
    join(dir, 'cluster.yaml'),
    `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: apps}\nstringData: {address: "${url}/services/T0TERM/B0TERM/x"}\n---\napiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\nmetadata: {name: slack, namespace: apps}\nspec: {type: slack, secretRef: {name: s}}\n---\napiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata: {name: a, namespace: apps}\nspec: {providerRef: {name: slack}, eventSources: [{kind: Kustomization, name: "*"}]}\n`,
  );
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'src', 'cli', 'main.ts'),
      'relay',
      '--listen',
      '127.0.0.1:0',
      '--journal',
      join(dir, 'j'),
      '--cluster-dir',
      dir,
      '--allow-insecure-slack-destinations',
      '--drain-timeout',
      '1',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<number>((resolve) => {
      let b = '';
      child.stdout!.on('data', (c: Buffer) => {
        b += c;
        const m = /"listen":"127\.0\.0\.1:(\d+)"/.exec(b);
        if (m) resolve(Number(m[1]));
      });
    });
    assert.equal(await post(port, event('apps', 'pending at shutdown')), 202);
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 5_000, 'exited within the drain timeout');
    const { journal, replayed } = await openJournal<RelayRecord>(join(dir, 'j'));
    await journal.close();
    assert.deepEqual(
      replayed.records.map((r) => (r.t === 'accept' ? `accept ${r.event.message}` : r.t)),
      ['accept pending at shutdown'],
    );
  } finally {
    child.kill('SIGKILL');
    await slack.close();
  }
});
