/**
 * Property: whatever body a client sends, the webhook answers with an AdmissionReview that echoes
 * the request's uid and carries a valid Status (never a 500 from an exception inside), or with a
 * JSON 400 Status; nothing throws. Runs the production path after body parsing (answerReview:
 * decode, handler, rules, defaulters) in-process, against a cluster with objects the rules look up,
 * under both policies' mutations. `npm run fuzz` runs 100,000 cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { answerReview } from '../../src/admission/app.ts';
import type { ReviewAnswer } from '../../src/admission/app.ts';
import { createAdmissionHandler } from '../../src/admission/handler.ts';
import type { Status } from '../../src/kube/status.ts';
import { staticClusterView } from '../../src/cluster/static-view.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createAdmissionMetrics } from '../../src/observability/metrics.ts';
import { createEngine } from '../../src/policy/engine.ts';
import { resolvePolicy } from '../../src/policy/policy.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';
import { REAL_URL, alert, secret, slackProvider, source } from '../support/objects.ts';
import { anyReviewBody } from './arbitraries.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

const cluster = staticClusterView([
  slackProvider('apps'),
  secret('apps', 'slack-url', { address: REAL_URL }),
  source('Kustomization', 'apps', 'podinfo', { app: 'podinfo' }),
  alert('apps', 'a', { providerRef: { name: 'slack' }, eventSources: [{ kind: 'Kustomization', name: '*' }] }),
]);
const errors: string[] = [];
const logger = createLogger(
  'error',
  new Writable({
    write(c: Buffer, _e, cb) {
      errors.push(c.toString('utf8'));
      cb();
    },
  }),
);

function deps(relayDeliversSlack: boolean) {
  const policy = resolvePolicy(ALL_RULES, {
    relayDeliversSlack,
    eventSeverityWithoutIntent: relayDeliversSlack ? 'error' : 'keep',
  });
  const metrics = createAdmissionMetrics({ processMetrics: false });
  return {
    metrics,
    handler: createAdmissionHandler({ engine: createEngine(ALL_RULES, policy), cluster, policy, metrics, logger }),
  };
}
const both = [deps(false), deps(true)];

/** Why `s` is not a metav1.Status kubectl can read, or undefined. */
function statusProblem(s: Status): string | undefined {
  if (s.status !== 'Failure' || typeof s.message !== 'string' || !Number.isInteger(s.code))
    return 'status, message or code';
  if (s.details !== undefined) {
    if (typeof s.details.name !== 'string' || typeof s.details.kind !== 'string' || typeof s.details.group !== 'string')
      return 'details name/kind/group';
    if (
      !(s.details.causes ?? []).every(
        (c) => typeof c.reason === 'string' && typeof c.message === 'string' && typeof c.field === 'string',
      )
    )
      return 'details.causes';
  }
  return undefined;
}

/** Checks one answer against the body it answers. */
function checkAnswer(body: unknown, a: ReviewAnswer): void {
  JSON.stringify(a.body);
  if (a.status === 400) {
    assert.equal(a.body.code, 400);
    assert.equal(statusProblem(a.body), undefined);
    return;
  }
  const uid = (body as { request: { uid: string } }).request.uid;
  const r = a.body.response!;
  assert.equal(a.body.apiVersion, 'admission.k8s.io/v1');
  assert.equal(r.uid, uid);
  assert.equal(typeof r.allowed, 'boolean');
  if (r.status) {
    assert.equal(statusProblem(r.status), undefined, JSON.stringify(r.status));
    assert.notEqual(r.status.code, 500, r.status.message);
  }
  if (r.patch !== undefined) assert.ok(Array.isArray(JSON.parse(Buffer.from(r.patch, 'base64').toString('utf8'))));
  for (const w of r.warnings ?? []) assert.match(w, /^[\x20-\x7e]{1,256}$/);
}

test('every review body gets an AdmissionReview echoing its uid with a valid Status, or a JSON 400; no exception escapes', async (t) => {
  const seed = fuzzSeed(t);
  await fc.assert(
    fc.asyncProperty(
      anyReviewBody,
      fc.constantFrom('validate' as const, 'mutate' as const),
      fc.boolean(),
      async (body, webhook, relay) => {
        checkAnswer(body, await answerReview(both[relay ? 1 : 0]!, webhook, body));
      },
    ),
    { numRuns: fuzzRuns(2_000), seed },
  );
  assert.deepEqual(errors, [], 'nothing logged at error level (an exception inside the handler)');
});
