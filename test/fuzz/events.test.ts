/**
 * Property: whatever body a client posts to the relay's event API, the answer is 202, 400 or 429
 * with a JSON body and nothing throws; and every event that decodes is keyed, routed (Flux's
 * semantics, over Alerts with wildcards, label selectors and inclusion/exclusion patterns) and
 * rendered as a Slack message (both layouts) within Slack's limits, with no unescaped `<` or `>` (no mention,
 * no forged link). In-process, as the relay does it on accept and on delivery. `npm run fuzz`
 * runs 100,000 cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { staticClusterView } from '../../src/cluster/static-view.ts';
import { alertView } from '../../src/flux/objects.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createRelayMetrics } from '../../src/observability/relay-metrics.ts';
import { answerEvent } from '../../src/relay/event-endpoint.ts';
import { decodeEvent } from '../../src/relay/flux-event.ts';
import { eventKey } from '../../src/relay/event-key.ts';
import { notificationMetadata } from '../../src/relay/notification-metadata.ts';
import type { Relay } from '../../src/relay/relay.ts';
import { routeEvent } from '../../src/relay/routing.ts';
import { SLACK_LIMITS, slackPayload } from '../../src/relay/slack-message.ts';
import { BLOCK_LIMITS, slackBlocksPayload } from '../../src/relay/slack-blocks.ts';
import { alert, slackProvider, source } from '../support/objects.ts';
import { anyEventBody } from './arbitraries.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

const sources = [
  { kind: 'Kustomization', name: '*' },
  { kind: 'GitRepository', name: 'podinfo', namespace: 'apps' },
  { kind: 'HelmRelease', name: '*', matchLabels: { app: 'podinfo' } },
];
const cluster = staticClusterView([
  slackProvider('apps'),
  source('Kustomization', 'apps', 'podinfo', { app: 'podinfo' }),
  source('HelmRelease', 'apps', 'podinfo', { app: 'podinfo' }),
  alert('apps', 'all', {
    providerRef: { name: 'slack' },
    eventSeverity: 'info',
    eventSources: sources,
    eventMetadata: { cluster: 'prod' },
    summary: 'prod',
  }),
  alert('apps', 'filtered', {
    providerRef: { name: 'slack' },
    eventSources: sources,
    inclusionList: ['.*fail.*', '\\pL+', '^(a|b)*$'],
    exclusionList: ['(?i)ignore'],
  }),
  alert('flux-system', 'cross', {
    providerRef: { name: 'slack' },
    eventSources: [{ kind: 'Kustomization', name: '*', namespace: '*' }],
  }),
]);

let seq = 0;
const relay: Relay = {
  accept: () => Promise.resolve((['accepted', 'unrouted', 'duplicate'] as const)[seq++ % 3]!),
  deadLetters: () => [],
  deliveryStatus: () => [],
  pending: () => 0,
  held: () => 0,
  drain: () => Promise.resolve(true),
  stop: () => Promise.resolve(),
};
const errors: string[] = [];
const deps = {
  relay,
  metrics: createRelayMetrics({ processMetrics: false }),
  logger: createLogger(
    'error',
    new Writable({
      write(c: Buffer, _e, cb) {
        errors.push(c.toString('utf8'));
        cb();
      },
    }),
  ),
};

/** Every piece of text in a payload, for the escaping check. */
function texts(p: ReturnType<typeof slackPayload>): string[] {
  const a = p.attachments[0]!;
  return [p.username, p.text, a.author_name, a.text, ...a.fields.flatMap((f) => [f.title, f.value])];
}

/** The Block Kit layout within Slack's limits, and no `<` or `>` but the relay's own date sequence. */
function assertBlocksSafe(p: ReturnType<typeof slackBlocksPayload>): void {
  JSON.stringify(p);
  assert.ok(
    p.blocks.length <= BLOCK_LIMITS.blocks &&
      p.text.length <= BLOCK_LIMITS.text &&
      p.username.length <= BLOCK_LIMITS.username,
  );
  const all: string[] = [p.text, p.username];
  for (const b of p.blocks) {
    if (b.type === 'header') {
      assert.ok(b.text.text.length <= BLOCK_LIMITS.header);
      all.push(b.text.text);
    } else if (b.type === 'context')
      all.push(
        ...b.elements.map((el) =>
          el.text.replace(/ · <!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|[0-9TZ:.+-]+>$/, ''),
        ),
      );
    else if ('text' in b) {
      assert.ok(b.text.text.length > 0 && b.text.text.length <= BLOCK_LIMITS.section);
      all.push(b.text.text);
    } else {
      assert.ok(b.fields.length <= BLOCK_LIMITS.fieldsPerSection);
      for (const f of b.fields) {
        assert.ok(f.text.length <= BLOCK_LIMITS.field);
        all.push(f.text);
      }
    }
  }
  for (const s of all) assert.doesNotMatch(s, /[<>]/, s);
}

test("every event body is answered 202, 400 or 429; every event that decodes is routed and rendered within Slack's limits", async (t) => {
  const seed = fuzzSeed(t);
  await fc.assert(
    fc.asyncProperty(anyEventBody, fc.string({ maxLength: 30 }), async (body, username) => {
      const answer = await answerEvent(deps, body);
      assert.ok([202, 400, 429].includes(answer.status), JSON.stringify(answer));
      JSON.stringify(answer.body);
      const decoded = decodeEvent(body);
      assert.equal(decoded.ok, answer.status !== 400);
      if (!decoded.ok) return;
      const e = decoded.event;
      assert.equal(typeof eventKey(e), 'string');
      for (const a of routeEvent(e, cluster, { noCrossNamespaceRefs: false })) {
        const p = slackPayload(e, notificationMetadata(e, alertView(a)), {
          channel: '#ops',
          username: username || undefined,
        });
        JSON.stringify(p);
        assert.ok(
          p.username.length <= SLACK_LIMITS.username &&
            p.text.length <= SLACK_LIMITS.fallback &&
            p.attachments[0]!.text.length <= SLACK_LIMITS.text,
        );
        assert.ok(p.attachments[0]!.fields.length <= SLACK_LIMITS.fields);
        for (const s of texts(p)) assert.doesNotMatch(s, /[<>]/, s);
        assertBlocksSafe(
          slackBlocksPayload(e, notificationMetadata(e, alertView(a)), {
            channel: '#ops',
            username: username || undefined,
          }),
        );
      }
    }),
    { numRuns: fuzzRuns(2_000), seed },
  );
  assert.deepEqual(errors, []);
});
