import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FluxEvent } from './flux-event.ts';
import { SLACK_LIMITS, fitEscaped, slackPayload } from './slack-message.ts';

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

test('renders what notification-controller sends, plus a text fallback, with fields sorted', () => {
  assert.deepEqual(slackPayload(e(), { revision: 'main@sha1:abc', cluster: 'prod' }, { channel: '#ops' }), {
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
          { title: 'cluster', value: 'prod', short: false },
          { title: 'revision', value: 'main@sha1:abc', short: false },
        ],
      },
    ],
  });
});

test('info events are green, the Provider username wins, an empty channel is left out', () => {
  const p = slackPayload(e({ severity: 'info' }), {}, { channel: '', username: 'flux' });
  assert.equal(p.attachments[0]!.color, 'good');
  assert.equal(p.username, 'flux');
  assert.equal('channel' in p, false);
  assert.equal(p.text, 'Info: kustomization/podinfo.apps: Health check failed after 5m0s');
});

test('event text cannot mention @channel or forge a link', () => {
  const p = slackPayload(
    e({ message: 'deploy <!channel> see <https://evil.example|docs> & more' }),
    { note: '<@U123>' },
    {},
  );
  assert.equal(p.attachments[0]!.text, 'deploy &lt;!channel&gt; see &lt;https://evil.example|docs&gt; &amp; more');
  assert.equal(p.attachments[0]!.fields[0]!.value, '&lt;@U123&gt;');
});

test('long text is truncated within the limits, never inside an entity', () => {
  const p = slackPayload(e({ message: `${'x'.repeat(2998)}<tail` }), {}, {});
  assert.equal(p.attachments[0]!.text, `${'x'.repeat(2998)}…`);
  assert.equal(p.attachments[0]!.text.length, 2999);
  assert.equal(fitEscaped('ab&cd', 5), 'ab…');
  assert.equal(fitEscaped('😀😀😀', 4), '😀…');
  assert.equal(p.text.length <= SLACK_LIMITS.fallback, true);
});

test('more metadata than fields fit says how many were left out', () => {
  const meta = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${String(i).padStart(2, '0')}`, 'v']));
  const fields = slackPayload(e(), meta, {}).attachments[0]!.fields;
  assert.equal(fields.length, 20);
  assert.deepEqual(fields[19], { title: 'more', value: '6 more metadata entries not shown', short: false });
});

test('the username, from the Provider or the reporting controller, is escaped and cut to 80 characters', () => {
  assert.equal(slackPayload(e(), {}, { username: '<!channel> & co' }).username, '&lt;!channel&gt; &amp; co');
  assert.equal(slackPayload(e({ reportingController: 'x'.repeat(5000) }), {}, {}).username, `${'x'.repeat(79)}…`);
});
