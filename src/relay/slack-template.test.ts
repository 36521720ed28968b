import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FluxEvent } from './flux-event.ts';
import { cutMrkdwn, renderSlackTemplate } from './slack-template.ts';

const e = (over: Partial<FluxEvent> = {}): FluxEvent => ({
  involvedObject: { kind: 'Kustomization', namespace: 'apps', name: 'podinfo' },
  severity: 'error',
  timestamp: '2026-11-23T10:00:00Z',
  message: 'Health check failed',
  reason: 'HealthCheckFailed',
  reportingController: 'kustomize-controller',
  ...over,
});
const render = (
  t: string,
  ev = e(),
  meta: Record<string, string> = { revision: 'main@sha1:abc', cluster: 'prod' },
  link?: string,
) => renderSlackTemplate(t, ev, meta, link, 3000);

test('renders the event, its metadata and the commit link', () => {
  assert.equal(
    render(
      '*{{object.kind}} {{object.namespace}}/{{object.name}}* ({{severity}}, {{reason}}) on {{metadata.cluster}}\n{{message}}\n<{{commitUrl}}|{{revision}}> by {{reportingController}} at {{timestamp}}',
      e(),
      { revision: 'main@sha1:abc', cluster: 'prod' },
      'https://github.com/o/r/commit/abc',
    ),
    '*Kustomization apps/podinfo* (error, HealthCheckFailed) on prod\nHealth check failed\n<https://github.com/o/r/commit/abc|main@sha1:abc> by kustomize-controller at 2026-11-23T10:00:00Z',
  );
  assert.equal(
    render('{{#metadata.cluster}}cluster {{.}}{{/metadata.cluster}}{{^metadata.team}}, no team{{/metadata.team}}'),
    'cluster prod, no team',
  );
});

test("values are escaped for Slack, even in triple braces; the template's own text is kept", () => {
  const ev = e({ message: '<!channel> <https://evil.example|click> & co' });
  assert.equal(
    render('<!subteam^S1> {{message}} | {{{message}}} | {{&message}}', ev),
    '<!subteam^S1> &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co | &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co | &lt;!channel&gt; &lt;https://evil.example|click&gt; &amp; co',
  );
});

test('no prototype is reachable and no code runs', () => {
  assert.equal(
    render(
      '[{{constructor}}][{{object.constructor}}][{{metadata.__proto__}}][{{metadata.toString}}][{{message.constructor}}]',
    ),
    '[][][][][]',
  );
  assert.equal(render('{{#object}}{{kind}}{{/object}}{{=<% %>=}}<% reason %>'), 'KustomizationHealthCheckFailed');
});

test('output is bounded: every value is cut before rendering, the result after, never inside an entity or a link', () => {
  const big = render('{{message}}{{message}}{{message}}', e({ message: 'x'.repeat(10_000) }))!;
  assert.equal(big.length <= 3000, true);
  assert.equal(big.endsWith(' more characters)'), true);
  assert.equal(
    cutMrkdwn(`${'a'.repeat(20)}&amp;${'b'.repeat(40)}`, 50),
    `${'a'.repeat(20)}&amp;b... (39 more characters)`,
  );
  assert.equal(cutMrkdwn(`${'a'.repeat(23)}&amp;${'b'.repeat(40)}`, 50), `${'a'.repeat(23)}... (45 more characters)`);
  assert.equal(
    cutMrkdwn(`${'a'.repeat(20)}<https://x.example|y>${'b'.repeat(40)}`, 50),
    `${'a'.repeat(20)}... (61 more characters)`,
  );
  assert.equal(cutMrkdwn('short', 50), 'short');
});

test('a template that does not parse, or renders nothing, gives way to the message', () => {
  assert.equal(render('{{#metadata}}never closed'), undefined);
  assert.equal(render('  {{metadata.missing}}  '), undefined);
});
