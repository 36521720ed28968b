import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundEvent, cutText } from './event-bounds.ts';
import { PODINFO_ERROR as event } from '../../test/support/flux-events.ts';

test("an event within Slack's 40,000 characters is kept as it is", () => {
  const e = {
    ...event,
    message: 'x'.repeat(40_000),
    metadata: { 'kustomize.toolkit.fluxcd.io/revision': 'y'.repeat(40_000) },
  };
  assert.deepEqual(boundEvent(e), { event: e, cut: 0 });
});

test('the message and each metadata value are cut at 40,000 characters, saying so', () => {
  const e = { ...event, message: 'x'.repeat(40_005), metadata: { a: 'short', b: 'y'.repeat(2_200_000) } };
  assert.deepEqual(boundEvent(e), {
    event: {
      ...event,
      message: `${'x'.repeat(40_000)}… [5 characters cut by notify-guard: Slack shows at most 40000]`,
      metadata: {
        a: 'short',
        b: `${'y'.repeat(40_000)}… [2160000 characters cut by notify-guard: Slack shows at most 40000]`,
      },
    },
    cut: 2_160_005,
  });
});

test('a cut never splits a surrogate pair', () => {
  assert.deepEqual(cutText(`ab${'😀'}cd`, 3), {
    text: 'ab… [4 characters cut by notify-guard: Slack shows at most 3]',
    cut: 4,
  });
});
