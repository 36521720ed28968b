import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DigestDecision, QueueView } from './digest-trigger.ts';
import { DIGEST_DEFAULTS, digestDecision } from './digest-trigger.ts';

const slack = { perSecond: 1, burst: 3 } as const;
const cases: readonly (readonly [string, QueueView, DigestDecision, typeof DIGEST_DEFAULTS?])[] = [
  [
    'one event is never a digest, however long the wait',
    { ...slack, queued: 1, waitMs: 3_600_000 },
    { fold: false, sendMs: 3_600_000 },
  ],
  ['five queued at Slack pace: sent one by one (two seconds)', { ...slack, queued: 5 }, { fold: false, sendMs: 2000 }],
  ['six queued: more than five', { ...slack, queued: 6 }, { fold: true, why: 'queued', sendMs: 3000 }],
  ['an empty bucket counts', { ...slack, queued: 5, tokens: 0 }, { fold: false, sendMs: 5000 }],
  ['a part token counts as part of a message', { ...slack, queued: 2, tokens: 1.5 }, { fold: false, sendMs: 500 }],
  [
    'three queued behind a 30 s Retry-After: more than 10 s of sending',
    { ...slack, queued: 3, waitMs: 30_000 },
    { fold: true, why: 'send-time', sendMs: 30_000 },
  ],
  [
    'five queued at one message in five seconds',
    { perSecond: 0.2, burst: 1, queued: 5 },
    { fold: true, why: 'send-time', sendMs: 20_000 },
  ],
  ['exactly the window is not over it', { perSecond: 0.2, burst: 3, queued: 5 }, { fold: false, sendMs: 10_000 }],
  [
    '--digest-after 0 turns digests off',
    { ...slack, queued: 1000 },
    { fold: false, sendMs: 997_000 },
    { maxQueued: 0, maxSendMs: 10_000 },
  ],
  [
    '--digest-after 20 --digest-window 1m',
    { ...slack, queued: 20, waitMs: 50_000 },
    { fold: true, why: 'send-time', sendMs: 67_000 },
    { maxQueued: 20, maxSendMs: 60_000 },
  ],
];

for (const [name, queue, decision, settings] of cases)
  test(`digest decision: ${name}`, () => {
    assert.deepEqual(digestDecision(queue, settings), decision);
  });

test("the defaults are the issue's: more than 5 queued, or more than 10 s of sending", () => {
  assert.deepEqual(DIGEST_DEFAULTS, { maxQueued: 5, maxSendMs: 10_000 });
});
