/**
 * `kill -9` of the relay in the middle of a burst, then a restart on the same journal: every
 * event that was answered 202 reaches Slack, and repeats are bounded by what was in flight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { FakeSlack, shownMessage } from '../servers/fake-slack.ts';
import { eventually } from '../support/live-cluster.ts';
import { slackDestination } from '../support/objects.ts';
import { tempDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TEAMS = 8;

function startRelay(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'src', 'cli', 'main.ts'),
      'relay',
      '--listen',
      '127.0.0.1:0',
      '--journal',
      join(dir, 'relay.journal'),
      '--cluster-dir',
      join(dir, 'cluster'),
      '--allow-insecure-slack-destinations',
      '--drain-timeout',
      '0',
      // Every event alone, so each is seen by its message (digests: relay-digest.test.ts).
      '--digest-after',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (c: Buffer) => {
      buffered += c.toString();
      const m = /"listen":"127\.0\.0\.1:(\d+)"[^\n]*"msg":"relay listening"/.exec(buffered);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`relay exited ${code} before listening`)));
  });
}

function post(port: number, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

test('kill -9 mid-burst: every event answered 202 is delivered after a restart; repeats bounded by in-flight', async () => {
  const slack = new FakeSlack({ perSecond: 50, burst: 50 });
  const url = await slack.start();
  const dir = tempDir('crash');
  const docs = Array.from({ length: TEAMS }, (_, t) =>
    slackDestination(`team-${t}`, `${url}/services/T0CRASH${t}/B0CRASH/abcdefgh${t}`),
  ).flat();
  await mkdir(join(dir, 'cluster'));
  await writeFile(join(dir, 'cluster', 'cluster.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  let relay = await startRelay(dir);
  try {
    // Slack is failing while the burst arrives, so deliveries are pending when the relay dies.
    slack.fault('*', 'error-503');
    const answers = new Map<string, number>();
    const burst: Promise<void>[] = [];
    for (let i = 0; i < 120; i++) {
      const message = `burst event ${i}`;
      const body = JSON.stringify({
        involvedObject: {
          kind: 'Kustomization',
          namespace: `team-${i % TEAMS}`,
          name: `app-${i}`,
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        },
        severity: 'error',
        timestamp: '',
        message,
        reason: 'r',
        reportingController: 'kustomize-controller',
      });
      burst.push(
        post(relay.port, body).then((status) => {
          answers.set(message, status);
        }),
      );
      if (i === 60) {
        await eventually('half answered', () => answers.size >= 40);
        relay.child.kill('SIGKILL');
      }
    }
    await Promise.all(burst);
    const accepted = [...answers].filter(([, s]) => s === 202).map(([m]) => m);
    assert.ok(accepted.length >= 40, `${accepted.length} accepted before the kill`);
    assert.ok(
      [...answers.values()].some((s) => s === 0),
      'some requests died with the relay',
    );

    relay = await startRelay(dir);
    slack.fault('*', 'none');
    const delivered = () => new Set(slack.received.map((m) => shownMessage(m.body)));
    await eventually('every accepted event delivered', () => accepted.every((m) => delivered().has(m)), 20_000);
    const counts = new Map<string, number>();
    for (const m of slack.received) {
      const t = shownMessage(m.body) ?? '';
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const repeats = [...counts.values()].reduce((n, c) => n + c - 1, 0);
    assert.ok(repeats <= TEAMS, `${repeats} repeats; at most one in flight per destination`);
  } finally {
    relay.child.kill('SIGKILL');
    await slack.close();
  }
});
