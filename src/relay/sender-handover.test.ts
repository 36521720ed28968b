import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../observability/logger.ts';
import type { EpisodeChange } from './delivery-protocol.ts';
import { createDeliveryStatus } from './delivery-status.ts';
import type { HandoffClient } from './forwarder.ts';
import type { StatusEntry } from './journal-status.ts';
import type { SenderGate } from './sender-gate.ts';
import { createHandoverGiver, decodeHandover, takeOver } from './sender-handover.ts';
import type { TakeOverDeps } from './sender-handover.ts';
import type { SendResult } from './slack-sender.ts';

const log = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const KEY = 'apps/slack Kustomization/apps/podinfo';
const open: EpisodeChange = { key: KEY, episode: { since: 5, reason: 'HealthCheckFailed', ts: '1.2', channel: 'C1' } };

/** A giver over a gate, a client and tables the test sets. */
function giver(episodes: EpisodeChange[], statuses: StatusEntry[]) {
  const gate = { sender: false, url: undefined as string | undefined };
  const posts: { url: string; body: object }[] = [];
  const answers: SendResult[] = [];
  const closed: string[][] = [];
  const client: HandoffClient = {
    handOff: async (url, body) => {
      posts.push({ url, body });
      return answers.shift() ?? { kind: 'ok' };
    },
    close: async () => undefined,
  };
  const g = createHandoverGiver({
    gate: { isSender: () => gate.sender, senderUrl: () => gate.url } satisfies SenderGate,
    client,
    episodes: () => episodes,
    statuses: () => statuses,
    handedAway: (keys) => closed.push([...keys]),
    log,
  });
  return { g, gate, posts, answers, closed };
}

test('the giver hands its threads and status to the sender once it knows it, again after each change, a failure or its own term as sender', async () => {
  const statuses = [{ alert: 'apps/all', delivered: 7, announced: 7 }];
  const t = giver([open], statuses);
  assert.equal(await t.g.check(), 'no-sender');
  t.gate.url = 'http://b:9293/handoff';
  t.answers.push({ kind: 'retry', reason: 'HTTP 503' });
  assert.equal(await t.g.check(), 'failed');
  assert.deepEqual(t.closed, [], 'nothing closed before the sender took it');
  assert.equal(await t.g.check(), 'handed');
  assert.deepEqual(
    t.posts.map((p) => p.url),
    ['http://b:9293/handover', 'http://b:9293/handover'],
  );
  assert.deepEqual(t.posts[1]!.body, { episodes: [open], statuses });
  assert.deepEqual(t.closed, [[KEY]]);
  assert.equal(await t.g.check(), 'nothing');
  t.g.changed();
  assert.equal(await t.g.check(), 'handed');
  t.gate.sender = true;
  assert.equal(await t.g.check(), 'sender');
  t.gate.sender = false;
  assert.equal(await t.g.check(), 'handed', 'after being the sender, everything is handed again');
  t.gate.url = 'http://a:9293/handoff';
  assert.equal(await t.g.check(), 'handed', 'a new sender is handed everything');
  assert.equal(t.posts.length, 5);
});

test('a giver with nothing open and no status posts nothing', async () => {
  const t = giver([], []);
  t.gate.url = 'http://b:9293/handoff';
  assert.equal(await t.g.check(), 'handed');
  assert.deepEqual(t.posts, []);
});

test('the sender takes a handover: statuses merged, episodes it has not open opened, both journaled before it answers; a replica that is not the sender refuses', async () => {
  const changes: StatusEntry[] = [];
  const status = createDeliveryStatus({
    announceEveryMs: 3_600_000,
    initial: [{ alert: 'apps/all', delivered: 9 }],
    onChange: (e) => changes.push(e),
  });
  const steps: string[] = [];
  const journaled: unknown[][] = [];
  let sender = false;
  let failing = false;
  const mine = 'apps/slack Kustomization/apps/mine';
  const d: TakeOverDeps = {
    gate: { isSender: () => sender, senderUrl: () => undefined },
    status,
    isOpen: (key) => key === mine,
    journal: async (records) => {
      steps.push('journal');
      if (failing) throw new Error('ENOSPC');
      journaled.push([...records]);
    },
    open: (e) => steps.push(`open ${e.map((x) => x.key).join(',')}`),
  };
  const theirs: EpisodeChange = { key: mine, episode: { since: 1, reason: 'old' } };
  const h = { episodes: [open, theirs], statuses: [{ alert: 'apps/all', delivered: 7, announced: 7 }] };
  assert.equal(await takeOver(d, h), 'not-sender');
  assert.deepEqual([changes, steps], [[], []]);
  sender = true;
  assert.equal(await takeOver(d, h), 'taken');
  assert.deepEqual(changes, [{ alert: 'apps/all', delivered: 9, announced: 7 }]);
  assert.deepEqual(steps, ['journal', `open ${KEY}`], 'opened once journaled; its own episode kept');
  assert.deepEqual(journaled, [
    [
      { t: 'episode', ...open },
      { t: 'status', alert: 'apps/all', delivered: 9, announced: 7 },
    ],
  ]);
  assert.equal(status.delivered('apps/all', 60_000), false, 'the other replica announced within the interval');
  failing = true;
  steps.length = 0;
  await assert.rejects(takeOver(d, h), /ENOSPC/);
  assert.deepEqual(steps, ['journal'], 'nothing opened when the journal cannot take it');
});

test("a handover is bounded: over-long names refused, long reasons cut to 1 KiB, times after the receiver's now taken as now", () => {
  const now = 1_000;
  const episodes = (key: string, ts = '1.2') => [{ key, episode: { since: 5, reason: 'r', ts } }];
  const statuses = (alert: string) => [{ alert, delivered: 7 }];
  const badEpisodes =
    'episodes: expected at most 10000 of {key, episode: {since, reason, ts?, channel?}} (key at most 1024 characters, ts and channel 64)';
  const badStatuses =
    'statuses: expected at most 10000 of {alert, delivered?, announced?, error?: {at, reason}} (alert at most 317 characters)';
  assert.equal(decodeHandover({ episodes: episodes('k'.repeat(1025)), statuses: [] }, now), badEpisodes);
  assert.equal(decodeHandover({ episodes: episodes('k', 't'.repeat(65)), statuses: [] }, now), badEpisodes);
  assert.equal(decodeHandover({ episodes: [], statuses: statuses(`apps/${'a'.repeat(313)}`) }, now), badStatuses);
  const long = 'x'.repeat(2_000);
  assert.deepEqual(
    decodeHandover(
      {
        episodes: [
          { key: 'k'.repeat(1024), episode: { since: 5_000, reason: long, ts: 't'.repeat(64), channel: 'C1' } },
        ],
        statuses: [
          { alert: `apps/${'a'.repeat(312)}`, delivered: 9_000, announced: 900, error: { at: 2_000, reason: long } },
        ],
      },
      now,
    ),
    {
      episodes: [
        {
          key: 'k'.repeat(1024),
          episode: { since: 1_000, reason: 'x'.repeat(1024), ts: 't'.repeat(64), channel: 'C1' },
        },
      ],
      statuses: [
        {
          alert: `apps/${'a'.repeat(312)}`,
          delivered: 1_000,
          announced: 900,
          error: { at: 1_000, reason: 'x'.repeat(1024) },
        },
      ],
    },
  );
});
