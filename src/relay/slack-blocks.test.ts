import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FluxEvent } from './flux-event.ts';
import type { Block, SlackBlocksPayload } from './slack-blocks.ts';
import { BLOCK_LIMITS, fitCounted, slackBlocksPayload } from './slack-blocks.ts';

const e = (over: Partial<FluxEvent> = {}): FluxEvent => ({
  involvedObject: {
    kind: 'Kustomization',
    namespace: 'apps',
    name: 'podinfo',
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  },
  severity: 'error',
  timestamp: '2026-11-23T10:00:00Z',
  message: 'Health check failed after 5m0s',
  reason: 'HealthCheckFailed',
  reportingController: 'kustomize-controller',
  ...over,
});
const CONTEXT = {
  type: 'context',
  elements: [
    {
      type: 'mrkdwn',
      text: 'kustomize-controller · <!date^1795428000^{date_short_pretty} {time_secs}|2026-11-23T10:00:00.000Z>',
    },
  ],
} as const;

/** Every limit Slack documents for what the relay sends. */
function assertWithinLimits(p: SlackBlocksPayload): void {
  assert.ok(p.blocks.length <= BLOCK_LIMITS.blocks, `${p.blocks.length} blocks`);
  assert.ok(p.text.length <= BLOCK_LIMITS.text, 'text');
  assert.ok(p.username.length <= BLOCK_LIMITS.username, 'username');
  for (const b of p.blocks as Block[]) {
    if (b.type === 'header')
      assert.ok(b.text.text.length <= BLOCK_LIMITS.header && b.text.type === 'plain_text', 'header');
    else if (b.type === 'context')
      for (const el of b.elements) assert.ok(el.text.length <= BLOCK_LIMITS.context && el.text.length > 0, 'context');
    else if ('text' in b) assert.ok(b.text.text.length <= BLOCK_LIMITS.section && b.text.text.length > 0, 'section');
    else {
      assert.ok(b.fields.length <= BLOCK_LIMITS.fieldsPerSection && b.fields.length > 0, 'fields per section');
      for (const f of b.fields) assert.ok(f.text.length <= BLOCK_LIMITS.field, 'field');
    }
  }
}

test('an error: header with severity, object and reason; the message; revision, summary, then metadata; controller and time', () => {
  const p = slackBlocksPayload(
    e(),
    { revision: 'main@sha1:abc', summary: 'prod cluster', cluster: 'prod', a: '1' },
    { channel: '#ops' },
  );
  assert.deepEqual(p, {
    channel: '#ops',
    username: 'kustomize-controller',
    text: 'Error: Kustomization apps/podinfo HealthCheckFailed: Health check failed after 5m0s',
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: '🔴 Error: Kustomization apps/podinfo HealthCheckFailed' } },
      { type: 'section', text: { type: 'mrkdwn', text: 'Health check failed after 5m0s' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*revision*\nmain@sha1:abc' },
          { type: 'mrkdwn', text: '*summary*\nprod cluster' },
          { type: 'mrkdwn', text: '*a*\n1' },
          { type: 'mrkdwn', text: '*cluster*\nprod' },
        ],
      },
      CONTEXT,
    ],
  });
  assertWithinLimits(p);
});

test('an info event without metadata: green header, no fields block, the Provider username', () => {
  const p = slackBlocksPayload(
    e({ severity: 'info', reason: 'ReconciliationSucceeded', message: 'Reconciliation finished in 2s' }),
    {},
    { channel: '', username: 'flux' },
  );
  assert.deepEqual(p, {
    username: 'flux',
    text: 'Info: Kustomization apps/podinfo ReconciliationSucceeded: Reconciliation finished in 2s',
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: '🟢 Info: Kustomization apps/podinfo ReconciliationSucceeded' },
      },
      { type: 'section', text: { type: 'mrkdwn', text: 'Reconciliation finished in 2s' } },
      CONTEXT,
    ],
  });
  assertWithinLimits(p);
});

test('a long message is cut to 3,000 characters, saying how many were left out; the fallback keeps 40,000', () => {
  const p = slackBlocksPayload(e({ message: `${'x'.repeat(5000)}<` }), {}, {});
  const tail = '... (2028 more characters)';
  assert.deepEqual(p.blocks[1], { type: 'section', text: { type: 'mrkdwn', text: `${'x'.repeat(2973)}${tail}` } });
  assert.equal(p.text, `Error: Kustomization apps/podinfo HealthCheckFailed: ${'x'.repeat(5000)}&lt;`);
  const huge = slackBlocksPayload(e({ message: 'y'.repeat(50_000), reason: 'R'.repeat(300) }), {}, {});
  assert.equal(huge.text.length, 39_999);
  assert.equal(huge.text.endsWith('y... (10364 more characters)'), true);
  assert.deepEqual(huge.blocks[0], {
    type: 'header',
    text: {
      type: 'plain_text',
      text: `🔴 Error: Kustomization apps/podinfo ${'R'.repeat(87)}... (213 more characters)`,
    },
  });
  assertWithinLimits(p);
  assertWithinLimits(huge);
});

test('a message full of mrkdwn control sequences is shown, not obeyed', () => {
  const p = slackBlocksPayload(
    e({ message: '<!channel> <!here> <@U123> see <https://evil.example|docs> & <#C1>', reason: '<!everyone>' }),
    { 'x<y': '<!subteam^S1>' },
    { username: '<!channel>' },
  );
  assert.deepEqual(p.blocks.slice(0, 3), [
    { type: 'header', text: { type: 'plain_text', text: '🔴 Error: Kustomization apps/podinfo &lt;!everyone&gt;' } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; see &lt;https://evil.example|docs&gt; &amp; &lt;#C1&gt;',
      },
    },
    { type: 'section', fields: [{ type: 'mrkdwn', text: '*x&lt;y*\n&lt;!subteam^S1&gt;' }] },
  ]);
  assert.equal(p.username, '&lt;!channel&gt;');
  assert.equal(
    p.text,
    'Error: Kustomization apps/podinfo &lt;!everyone&gt;: &lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; see &lt;https://evil.example|docs&gt; &amp; &lt;#C1&gt;',
  );
  assertWithinLimits(p);
});

test('metadata fills sections of ten fields within 50 blocks; the last field says how many are not shown', () => {
  const meta = Object.fromEntries(
    Array.from({ length: 500 }, (_, i) => [`k${String(i).padStart(3, '0')}`, 'v'.repeat(3000)]),
  );
  const p = slackBlocksPayload(e(), meta, {});
  assert.equal(p.blocks.length, 50);
  const sections = p.blocks.slice(2, 49) as unknown as { fields: { text: string }[] }[];
  assert.equal(sections.length, 47);
  assert.equal(sections[0]!.fields[0]!.text, `*k000*\n${'v'.repeat(1966)}... (1034 more characters)`);
  assert.deepEqual(sections[46]!.fields[9], { type: 'mrkdwn', text: '*more*\n31 more metadata entries not shown' });
  assert.deepEqual(p.blocks[49], CONTEXT);
  assertWithinLimits(p);
});

test('an event without a timestamp or namespace, or with an empty message, still makes valid blocks', () => {
  const p = slackBlocksPayload(
    e({ timestamp: '', message: '', involvedObject: { kind: 'Namespace', namespace: '', name: 'apps' } }),
    {},
    {},
  );
  assert.deepEqual(p.blocks, [
    { type: 'header', text: { type: 'plain_text', text: '🔴 Error: Namespace apps HealthCheckFailed' } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'kustomize-controller' }] },
  ]);
  assertWithinLimits(p);
});

test('the context shows the time only for an RFC 3339 time at or after 1970', () => {
  const context = (timestamp: string) => slackBlocksPayload(e({ timestamp }), {}, {}).blocks.at(-1);
  const plain = { type: 'context', elements: [{ type: 'mrkdwn', text: 'kustomize-controller' }] };
  for (const t of ['50', '2026-11-23', 'Mon, 23 Nov 2026 10:00:00 GMT', '1950-01-01T00:00:00Z', '2026-11-23t10:00:00z'])
    assert.deepEqual(context(t), plain, t);
  assert.deepEqual(context('2026-11-23T11:00:00.250+01:00'), {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'kustomize-controller · <!date^1795428000^{date_short_pretty} {time_secs}|2026-11-23T10:00:00.250Z>',
      },
    ],
  });
});

test('cutting never splits an entity or a code point and counts the characters left out', () => {
  assert.equal(fitCounted('short & sweet', 100), 'short &amp; sweet');
  assert.equal(fitCounted(`${'😀'.repeat(40)}`, 40), `${'😀'.repeat(7)}... (33 more characters)`);
  assert.equal(fitCounted(`ab${'&'.repeat(40)}`, 40), 'ab&amp;&amp;... (38 more characters)');
});

test('the revision links to its commit when the relay knows the commit page', () => {
  const p = slackBlocksPayload(
    e(),
    { revision: 'main@sha1:abc', cluster: 'prod' },
    { commitUrl: 'https://github.com/o/r/commit/abc' },
  );
  assert.deepEqual(p.blocks[2], {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: '*revision*\n<https://github.com/o/r/commit/abc|main@sha1:abc>' },
      { type: 'mrkdwn', text: '*cluster*\nprod' },
    ],
  });
  assertWithinLimits(p);
});
