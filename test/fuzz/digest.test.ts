/**
 * Property: however events fold into a burst digest (src/relay/digest.ts), in whatever order of
 * accept times, no event is lost from the counts (total, per severity, per group plus overflow),
 * the digest accounts for exactly the delivery ids folded, its journal record stays within
 * DIGEST_RECORD_MAX_BYTES, and both message layouts keep Slack's limits with no `<` or `>` but the
 * relay's own date sequences. `npm run fuzz` runs 100,000 cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeEvent } from '../../src/relay/flux-event.ts';
import type { FluxEvent } from '../../src/relay/flux-event.ts';
import {
  DIGEST_RECORD_MAX_BYTES,
  digestRecord,
  emptyDigest,
  foldEvent,
  MAX_EXAMPLES,
  MAX_EXAMPLES_PER_GROUP,
} from '../../src/relay/digest.ts';
import { accountsFor } from '../../src/relay/digest-ids.ts';
import { digestBlocksPayload } from '../../src/relay/digest-blocks.ts';
import { digestLegacyPayload } from '../../src/relay/digest-legacy.ts';
import { BLOCK_LIMITS } from '../../src/relay/slack-blocks.ts';
import { SLACK_LIMITS } from '../../src/relay/slack-message.ts';
import { wellFormedEvent } from './arbitraries.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

const anyEvent = wellFormedEvent
  .map((body) => decodeEvent(body))
  .filter((d) => d.ok)
  .map((d) => (d as { ok: true; event: FluxEvent }).event);
/** Events of few groups (2 severities x 3 reasons x 2 kinds x 2 namespaces): groups with many events. */
const repeatedEvent = fc.record({
  involvedObject: fc.record({
    kind: fc.constantFrom('Kustomization', 'HelmRelease'),
    namespace: fc.constantFrom('apps', ''),
    name: fc.string({ maxLength: 300 }),
  }),
  severity: fc.constantFrom('info' as const, 'error' as const),
  timestamp: fc.constant(''),
  message: fc.string({ maxLength: 700 }),
  reason: fc.constantFrom('HealthCheckFailed', 'Progressing', '<!channel>'),
  reportingController: fc.constant('kustomize-controller'),
});
const event: fc.Arbitrary<FluxEvent> = fc.oneof(anyEvent, repeatedEvent);
const burst = fc.array(fc.tuple(event, fc.integer({ min: 0, max: 86_400_000 }), fc.string({ maxLength: 100 })), {
  minLength: 1,
  maxLength: 150,
  size: 'max', // long bursts too: more groups than are counted one by one, more examples than are kept
});
const DATE = /<!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|[^<>]+>/g;

test('no fold loses an event, the ids are accounted for, the record and the messages keep their bounds', (t) => {
  fc.assert(
    fc.property(burst, (events) => {
      const acc = emptyDigest();
      for (const [e, at, id] of events) foldEvent(acc, e, at, id);
      const errors = events.filter(([e]) => e.severity === 'error').length;
      assert.equal(acc.count, events.length);
      assert.equal(acc.errors, errors);
      for (const severity of ['error', 'info'] as const) {
        const counted = acc.groups.filter((g) => g.severity === severity).reduce((n, g) => n + g.count, 0);
        assert.equal(counted + acc.overflow[severity].count, severity === 'error' ? errors : events.length - errors);
      }
      assert.ok(accountsFor(acc.ids, events.map(([, , id]) => id).reverse()));
      assert.equal(acc.first, Math.min(...events.map(([, at]) => at)));
      assert.equal(acc.last, Math.max(...events.map(([, at]) => at)));
      assert.ok(acc.examples.length <= MAX_EXAMPLES);
      for (const g of acc.groups) {
        const own = acc.examples.filter(
          (x) => x.severity === g.severity && x.reason === g.reason && x.kind === g.kind && x.namespace === g.namespace,
        );
        assert.ok(own.length <= MAX_EXAMPLES_PER_GROUP);
      }
      const record = JSON.stringify(digestRecord('apps/slack', 'digest-1', acc));
      assert.ok(Buffer.byteLength(record) <= DIGEST_RECORD_MAX_BYTES);
      assert.deepEqual(JSON.parse(record).acc, acc);
      const blocks = digestBlocksPayload(acc, { label: '#ops', channel: '#ops' });
      assert.ok(blocks.blocks.length <= BLOCK_LIMITS.blocks && blocks.text.length <= BLOCK_LIMITS.text);
      for (const b of blocks.blocks) {
        const text = b.type === 'context' ? b.elements[0]!.text : 'text' in b ? b.text.text : '';
        assert.ok(text.length > 0 && text.length <= (b.type === 'header' ? BLOCK_LIMITS.header : BLOCK_LIMITS.section));
      }
      assert.equal(/[<>]/.test(JSON.stringify(blocks).replace(DATE, '')), false);
      const legacy = digestLegacyPayload(acc, { label: '#ops' });
      assert.ok(legacy.text.length <= SLACK_LIMITS.fallback);
      for (const f of legacy.attachments.flatMap((a) => a.fields))
        assert.ok(f.title.length <= SLACK_LIMITS.fieldTitle && f.value.length <= SLACK_LIMITS.fieldValue);
      assert.equal(/[<>]/.test(JSON.stringify(legacy)), false);
    }),
    // In `npm test`, a failure shrinks for at most 20 s (a burst of 150 large events shrinks slowly);
    // `npm run fuzz` (FUZZ_RUNS) runs every case.
    {
      numRuns: fuzzRuns(300),
      seed: fuzzSeed(t),
      ...(process.env['FUZZ_RUNS'] ? {} : { interruptAfterTimeLimit: 20_000 }),
    },
  );
});
