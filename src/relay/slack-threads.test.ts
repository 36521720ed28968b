/**
 * Threads and recovery against the local Slack-compatible server, as the delivery thread sends:
 * the episode book is the delivery thread's, its changes what the relay thread journals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeSlack } from '../../test/servers/fake-slack.ts';
import type { FluxEvent } from './flux-event.ts';
import type { ResolvedDestination } from './slack-delivery.ts';
import { sendToSlack } from './slack-delivery.ts';
import type { Episode, EpisodeBook } from './slack-episodes.ts';
import { createSlackSender } from './slack-sender.ts';

const ev = (
  severity: 'info' | 'error',
  message: string,
  reason = severity === 'error' ? 'HealthCheckFailed' : 'ReconciliationSucceeded',
): FluxEvent => ({
  involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
  severity,
  timestamp: '',
  message,
  reason,
  reportingController: 'kustomize-controller',
});
const T0 = 1_800_000_000_000;

function book(initial: [string, Episode][] = []): EpisodeBook & { changes: unknown[] } {
  const open = new Map(initial);
  const changes: unknown[] = [];
  return {
    changes,
    get: (k) => open.get(k),
    set(k, ep) {
      if (ep) open.set(k, ep);
      else open.delete(k);
      changes.push([k, ep ?? null]);
    },
  };
}

async function slackAt(): Promise<{ slack: FakeSlack; url: string; close(): Promise<void> }> {
  const slack = new FakeSlack({ perSecond: 100, burst: 100, botTokens: ['xoxb-1'] });
  const url = await slack.start();
  return { slack, url, close: () => slack.close() };
}

test('with a bot token: the first failure starts a thread, later events reply in it, recovery updates the parent', async (t) => {
  const { slack, url, close } = await slackAt();
  const sender = createSlackSender();
  t.after(async () => {
    await sender.close();
    await close();
  });
  const to: ResolvedDestination = {
    kind: 'send',
    to: { address: `${url}/api/chat.postMessage`, token: 'xoxb-1' },
    look: { channel: '#ops', format: 'blocks' },
  };
  const b = book();
  const job = (e: FluxEvent) => ({ destination: 'apps/slack', event: e, metadata: {} });
  assert.deepEqual(await sendToSlack(sender, to, job(ev('error', 'first')), 5000, b, T0), {
    kind: 'ok',
    posted: { ts: '1800000001.000100', channel: '#ops' },
  });
  await sendToSlack(sender, to, job(ev('error', 'again', 'Other')), 5000, b, T0 + 60_000);
  await sendToSlack(sender, to, job(ev('info', 'healthy')), 5000, b, T0 + 12 * 60_000);
  await sendToSlack(sender, to, job(ev('info', 'still healthy')), 5000, b, T0 + 13 * 60_000);
  const seen = slack.received.map((m) => ({
    thread: m.body['thread_ts'],
    broadcast: m.body['reply_broadcast'],
    header: (m.body['blocks'] as { text: { text: string } }[])[0]!.text.text,
  }));
  assert.deepEqual(seen, [
    { thread: undefined, broadcast: undefined, header: '🔴 Error: Kustomization apps/podinfo HealthCheckFailed' },
    { thread: '1800000001.000100', broadcast: true, header: '🔴 Error: Kustomization apps/podinfo Other' },
    {
      thread: '1800000001.000100',
      broadcast: undefined,
      header: '✅ Recovered after 12m: Kustomization apps/podinfo ReconciliationSucceeded',
    },
    { thread: undefined, broadcast: undefined, header: '🟢 Info: Kustomization apps/podinfo ReconciliationSucceeded' },
  ]);
  assert.deepEqual(
    slack.updates.map((u) => u.body),
    [
      {
        channel: '#ops',
        ts: '1800000001.000100',
        username: 'kustomize-controller',
        text: 'Resolved after 12m: Kustomization apps/podinfo (was HealthCheckFailed)',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: '✅ Resolved after 12m: Kustomization apps/podinfo' } },
          {
            type: 'section',
            text: {
              type: 'mrkdwn',
              text: 'Failed with *HealthCheckFailed* from <!date^1800000000^{date_short_pretty} {time_secs}|2027-01-15T08:00:00.000Z>; recovered <!date^1800000720^{date_short_pretty} {time_secs}|2027-01-15T08:12:00.000Z> with ReconciliationSucceeded. Details in the thread.',
            },
          },
        ],
      },
    ],
  );
  assert.deepEqual(b.changes, [
    [
      'apps/slack Kustomization/apps/podinfo',
      { since: T0, reason: 'HealthCheckFailed', ts: '1800000001.000100', channel: '#ops' },
    ],
    ['apps/slack Kustomization/apps/podinfo', null],
  ]);
});

test('an episode restored after a restart keeps replying in its thread', async (t) => {
  const { slack, url, close } = await slackAt();
  const sender = createSlackSender();
  t.after(async () => {
    await sender.close();
    await close();
  });
  const to: ResolvedDestination = {
    kind: 'send',
    to: { address: `${url}/api/chat.postMessage`, token: 'xoxb-1' },
    look: { channel: '#ops', format: 'blocks' },
  };
  // The parent was posted before the restart; the fake knows it, the book is the journal's.
  await sendToSlack(sender, to, { destination: 'apps/slack', event: ev('error', 'before'), metadata: {} }, 5000);
  const b = book([
    [
      'apps/slack Kustomization/apps/podinfo',
      { since: T0, reason: 'HealthCheckFailed', ts: '1800000001.000100', channel: '#ops' },
    ],
  ]);
  await sendToSlack(
    sender,
    to,
    { destination: 'apps/slack', event: ev('info', 'after'), metadata: {} },
    5000,
    b,
    T0 + 3_600_000,
  );
  assert.equal(slack.received[1]!.body['thread_ts'], '1800000001.000100');
  assert.equal(slack.updates.length, 1);
  assert.deepEqual(b.changes, [['apps/slack Kustomization/apps/podinfo', null]]);
});

test('with an incoming webhook: no thread, and one message says the object recovered', async (t) => {
  const { slack, url, close } = await slackAt();
  const sender = createSlackSender();
  t.after(async () => {
    await sender.close();
    await close();
  });
  const to: ResolvedDestination = {
    kind: 'send',
    to: { address: `${url}/services/T0EP/B0EP/secret` },
    look: { format: 'blocks' },
  };
  const b = book();
  const job = (e: FluxEvent) => ({ destination: 'apps/hook', event: e, metadata: {} });
  await sendToSlack(sender, to, job(ev('error', 'down')), 5000, b, T0);
  await sendToSlack(sender, to, job(ev('error', 'still down')), 5000, b, T0 + 1000);
  await sendToSlack(sender, to, job(ev('info', 'up')), 5000, b, T0 + 45_000);
  assert.deepEqual(
    slack.received.map((m) => [m.body['thread_ts'], (m.body['blocks'] as { text: { text: string } }[])[0]!.text.text]),
    [
      [undefined, '🔴 Error: Kustomization apps/podinfo HealthCheckFailed'],
      [undefined, '🔴 Error: Kustomization apps/podinfo HealthCheckFailed'],
      [undefined, '✅ Recovered after 45s: Kustomization apps/podinfo ReconciliationSucceeded'],
    ],
  );
  assert.deepEqual(slack.updates, []);
  assert.deepEqual(b.changes, [
    ['apps/hook Kustomization/apps/podinfo', { since: T0, reason: 'HealthCheckFailed' }],
    ['apps/hook Kustomization/apps/podinfo', null],
  ]);
});

test('a failed send changes no episode; the legacy layout neither threads nor marks recovery', async (t) => {
  const { slack, url, close } = await slackAt();
  const sender = createSlackSender();
  t.after(async () => {
    await sender.close();
    await close();
  });
  slack.fault('*', 'error-503');
  const b = book();
  const to: ResolvedDestination = {
    kind: 'send',
    to: { address: `${url}/services/T0EP/B0EP/secret` },
    look: { format: 'blocks' },
  };
  assert.deepEqual(
    await sendToSlack(sender, to, { destination: 'apps/hook', event: ev('error', 'x'), metadata: {} }, 5000, b, T0),
    { kind: 'retry', reason: 'HTTP 503' },
  );
  slack.fault('*', 'none');
  await sendToSlack(
    sender,
    { ...to, look: { format: 'legacy' } },
    { destination: 'apps/hook', event: ev('error', 'x'), metadata: {} },
    5000,
    b,
    T0,
  );
  assert.deepEqual(b.changes, []);
});
