import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestLegacyPayload } from './digest-legacy.ts';
import type { SlackPayload } from './slack-message.ts';
import { SLACK_LIMITS } from './slack-message.ts';
import { ev, folded, HEALTH, MIXED_BURST } from '../../test/support/digest-bursts.ts';

/** The legacy limits the relay keeps (slack-message.ts). */
function assertWithinLimits(p: SlackPayload): void {
  assert.ok(p.text.length <= SLACK_LIMITS.fallback, `text of ${p.text.length}`);
  assert.ok(p.username.length <= SLACK_LIMITS.username, 'username');
  assert.ok(p.attachments.length <= 2, 'attachments');
  for (const a of p.attachments) {
    assert.ok(a.author_name.length <= SLACK_LIMITS.fieldTitle && a.text.length <= SLACK_LIMITS.text, 'attachment');
    assert.ok(a.fields.length <= SLACK_LIMITS.fields, `${a.fields.length} fields`);
    for (const f of a.fields)
      assert.ok(f.title.length <= SLACK_LIMITS.fieldTitle && f.value.length <= SLACK_LIMITS.fieldValue, 'field');
  }
}

test('legacy layout of a mixed burst: an attachment of errors, then one of infos, a field a group by count', () => {
  const p = digestLegacyPayload(folded(MIXED_BURST), { label: '#ops', channel: '#ops' });
  assert.deepEqual(p, {
    channel: '#ops',
    username: 'Flux',
    text: '8 events for #ops in 3m: 6 errors, 2 infos',
    attachments: [
      {
        color: 'danger',
        author_name: '6 errors',
        text: '2 groups, most events first',
        mrkdwn_in: ['text'],
        fields: [
          {
            title: 'HealthCheckFailed · Kustomization in apps',
            value: `5 events, 2026-11-23T10:00:30.000Z to 2026-11-23T10:03:30.000Z\n• podinfo: ${HEALTH}\n• redis: ${HEALTH}\n• cache: ${HEALTH}\nand 2 more`,
            short: false,
          },
          {
            title: 'ArtifactFailed · GitRepository in flux-system',
            value:
              '1 event, 2026-11-23T10:01:30.000Z to 2026-11-23T10:01:30.000Z\n• fleet: checkout &lt;https://evil.example|here&gt; &amp; &lt;!channel&gt;',
            short: false,
          },
        ],
      },
      {
        color: 'good',
        author_name: '2 infos',
        text: '1 group, most events first',
        mrkdwn_in: ['text'],
        fields: [
          {
            title: 'ReconciliationSucceeded · Kustomization in apps',
            value: `2 events, 2026-11-23T10:00:00.000Z to 2026-11-23T10:03:00.000Z\n• frontend: Reconciliation finished in 2s\n• backend: ${'x'.repeat(500)}…`,
            short: false,
          },
        ],
      },
    ],
  });
  assertWithinLimits(p);
});

test('legacy layout of 10,000 groups and 3 MB messages: twenty fields of errors, the rest said in the text, within the limits', () => {
  const events = Array.from({ length: 10_000 }, (_, i) =>
    ev(
      i % 2 ? 'info' : 'error',
      `Reason${i}`,
      ['Kustomization', `ns${i}`, `o${i}`],
      i < 100 ? '&'.repeat(3_000_000) : 'm',
    ),
  );
  const p = digestLegacyPayload(folded(events, 10), { label: '<!channel>', username: '&'.repeat(100) });
  assertWithinLimits(p);
  assert.deepEqual(
    p.attachments.map((a) => [a.color, a.fields.length]),
    // Every counted group is an error group: errors took the places of the info groups.
    [['danger', 20]],
  );
  assert.equal(
    p.text,
    '10,000 events for &lt;!channel&gt; in 1m: 5,000 errors, 5,000 infos; and 9,980 more events in groups not shown',
  );
});
