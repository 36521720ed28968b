/**
 * A Retry-After pause outlives a restart: it is journaled when Slack sets it, and a relay started
 * again on the same journal holds the destination until the pause ends instead of sending into it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { startRelayServer } from '../../src/cli/relay-command.ts';
import type { RelayOptions } from '../../src/cli/relay-command.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { FakeSlack } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { tempDir } from '../support/temp-dir.ts';

const HOOK = '/services/T0PAUSE/B0PAUSE/pausesecretpart';
const quiet = () => createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

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

test('after a restart, a destination Slack paused for an hour is not sent to; past the age its delivery is dead-lettered', async (t) => {
  // Slack answers every message 429 with Retry-After 3600 (no burst, no refill).
  const slack = new FakeSlack({ perSecond: 0, burst: 0, retryAfterSeconds: 3600 });
  const url = await slack.start();
  t.after(() => slack.close());
  const dir = tempDir('pause');
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
        metadata: { name: 'slack', namespace: 'apps' },
        spec: { type: 'slack', secretRef: { name: 'slack-url' } },
      },
      {
        apiVersion: 'notification.toolkit.fluxcd.io/v1beta3',
        kind: 'Alert',
        metadata: { name: 'ks', namespace: 'apps' },
        spec: { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
      },
    ]
      .map((d) => stringify(d))
      .join('---\n'),
  );
  const options = (maxDeliveryAgeMs: number): RelayOptions => ({
    host: '127.0.0.1',
    port: 0,
    journalPath: join(dir, 'relay.journal'),
    journalCompactAtBytes: 64 * 1024 * 1024,
    clusterDir: dir,
    kubeconfig: undefined,
    secretNamespaces: [],
    dedupWindowMs: 0,
    forwardTo: undefined,
    noCrossNamespaceRefs: false,
    maxDeliveryAgeMs,
    retryMaxIntervalMs: 60_000,
    drainTimeoutMs: 0,
    allowInsecureDestinations: true,
    logLevel: 'silent',
  });
  const event = {
    involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
    severity: 'error',
    message: 'failed',
    reason: 'Failed',
    reportingController: 'kustomize-controller',
  };

  // Two hours of age: the first relay parks the delivery behind Slack's hour.
  const first = await startRelayServer(options(7_200_000), quiet());
  assert.equal(await post(first.port, JSON.stringify(event)), 202);
  await eventually('the pause is journaled', async () =>
    (await readFile(join(dir, 'relay.journal'))).includes('"t":"paused"'),
  );
  await first.close();
  assert.deepEqual(
    slack.attempts.map((a) => a.status),
    [429],
  );

  // Restarted with one minute of age: the restored pause outlives the delivery, which is dead-lettered unsent.
  const second = await startRelayServer(options(60_000), quiet());
  t.after(() => second.close());
  await eventually('dead-lettered', () => second.relay.deadLetters().length === 1);
  assert.match(
    second.relay.deadLetters()[0]!.reason,
    /^gave up after \d+ s: not sent within the maximum delivery age while apps\/slack waits \(rate-limited \(HTTP 429\) until \d{4}-\d\d-\d\dT[\d:.]+Z, before a restart\)$/,
  );
  assert.deepEqual(
    slack.attempts.map((a) => a.status),
    [429],
  );
});
