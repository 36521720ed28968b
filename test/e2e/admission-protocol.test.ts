import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REAL_URL, alert, provider, slackProvider } from '../support/objects.ts';
import { buildReview, get, post, review } from '../support/apiserver-client.ts';
import type { TestWebhook } from '../support/webhook-server.ts';
import { startTestWebhook } from '../support/webhook-server.ts';
import type { Rule } from '../../src/policy/rule.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';

const boom: Rule = {
  id: 'boom', kind: 'Provider', operations: ['CREATE'], defaultAction: 'deny', description: 'throws', remediation: '',
  check: (ctx) => { if (ctx.name === 'explode') throw new TypeError('rule bug'); return []; },
};

describe('AdmissionReview protocol over TLS', () => {
  let w: TestWebhook;
  before(async () => { w = await startTestWebhook({ cluster: [slackProvider('apps')], rules: [...ALL_RULES, boom] }); });
  after(() => w.close());

  test('a body that is not JSON gets 400 with a JSON Status', async () => {
    const r = await post(w.port, w.caPem, '/validate', '{"apiVersion":');
    assert.equal(r.status, 400);
    assert.match(r.contentType, /^application\/json/);
    assert.deepEqual(JSON.parse(r.body), { metadata: {}, status: 'Failure', message: 'request body is not valid JSON', reason: 'BadRequest', code: 400 });
  });

  test('JSON that is not an AdmissionReview, or lacks request or uid, gets 400 saying which', async () => {
    const cases: [unknown, string][] = [
      [[1, 2], 'body is not a JSON object'],
      [{ kind: 'Pod' }, 'body is not an AdmissionReview (kind must be "AdmissionReview")'],
      [{ kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1beta1' }, 'unsupported AdmissionReview apiVersion "admission.k8s.io/v1beta1"; this webhook speaks admission.k8s.io/v1'],
      [{ kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1' }, 'AdmissionReview has no request'],
      [{ kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request: { kind: { group: '', version: 'v1', kind: 'Secret' }, operation: 'CREATE' } }, 'AdmissionReview request has no uid'],
    ];
    for (const [body, message] of cases) {
      const r = await post(w.port, w.caPem, '/validate', JSON.stringify(body));
      assert.equal(r.status, 400);
      assert.equal(JSON.parse(r.body).message, message);
    }
  });

  test('a body over 3 MiB gets 413', async () => {
    const big = JSON.stringify({ ...buildReview({ operation: 'CREATE', object: alert('apps', 'a', { pad: 'x'.repeat(3 * 1024 * 1024) }) }) });
    const r = await post(w.port, w.caPem, '/validate', big);
    assert.equal(r.status, 413);
    assert.equal(JSON.parse(r.body).message, 'request body exceeds 3145728 bytes');
  });

  test('a body in an encoding the webhook cannot read gets 415', async () => {
    const r = await post(w.port, w.caPem, '/validate', JSON.stringify(buildReview({ operation: 'CREATE', object: alert('apps', 'a', {}) })), undefined, { 'content-encoding': 'compress' });
    assert.equal(r.status, 415);
    assert.deepEqual(JSON.parse(r.body), { metadata: {}, status: 'Failure', message: 'request body encoding is not supported; send uncompressed UTF-8 JSON', reason: 'UnsupportedMediaType', code: 415 });
  });

  test('a kind the webhook does not know is allowed untouched, on both webhooks', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'apps' } };
    assert.deepEqual(Object.keys(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: cm, uid: 'u-1' })), ['uid', 'allowed']);
    const m = await review(w.port, w.caPem, 'mutate', { operation: 'CREATE', object: cm, uid: 'u-2' });
    assert.deepEqual(m, { uid: 'u-2', allowed: true });
  });

  test('an exception inside a rule becomes a 500 AdmissionReview with the uid, logged with its stack', async () => {
    const fine = provider('apps', 'fine', { type: 'slack', address: REAL_URL });
    assert.deepEqual(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: fine, uid: 'uid-boom' }), { uid: 'uid-boom', allowed: true });
    const exploding = await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: provider('apps', 'explode', { type: 'slack', address: REAL_URL }), uid: 'uid-boom-2' });
    assert.deepEqual(exploding, {
      uid: 'uid-boom-2', allowed: false,
      status: { metadata: {}, status: 'Failure', message: 'notify-guard could not evaluate this Provider: internal error (uid uid-boom-2); see the webhook\'s logs', reason: 'InternalError', code: 500 },
    });
    const logged = w.logs.map((l) => JSON.parse(l)).find((l) => l.uid === 'uid-boom-2' && l.msg === 'admission evaluation failed');
    assert.equal(logged.err.type, 'TypeError');
    assert.match(logged.err.stack, /^TypeError: rule bug\n\s+at Object.check \(.*admission-protocol.test.ts:\d+:\d+\)\n\s+at run \(.*src\/policy\/engine.ts/);
  });

  test('unknown paths get a JSON 404', async () => {
    const r = await post(w.port, w.caPem, '/admit', '{}');
    assert.equal(r.status, 404);
    assert.equal(JSON.parse(r.body).message, 'no endpoint POST /admit; use POST /validate, POST /mutate, GET /healthz, /readyz or /metrics');
  });

  test('healthz and readyz answer JSON', async () => {
    assert.deepEqual(JSON.parse((await get(w.port, w.caPem, '/healthz')).body), { status: 'ok' });
    assert.deepEqual(JSON.parse((await get(w.port, w.caPem, '/readyz')).body), { status: 'ok' });
  });

  test('metrics count requests by webhook, kind, operation and outcome, and findings by rule and action', async () => {
    await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: alert('apps', 'm', { providerRef: { name: 'nope' }, eventSources: [{ kind: 'Kustomization', name: '*' }] }) });
    const text = (await get(w.port, w.caPem, '/metrics')).body;
    assert.match(text, /^notify_guard_admission_requests_total\{webhook="validate",kind="Alert",operation="CREATE",outcome="denied"\} 1$/m);
    assert.match(text, /^notify_guard_admission_requests_total\{webhook="validate",kind="Provider",operation="CREATE",outcome="error"\} 1$/m);
    assert.match(text, /^notify_guard_findings_total\{rule="alert-provider-exists",action="deny"\} 1$/m);
    assert.match(text, /^notify_guard_admission_duration_seconds_count\{webhook="validate",kind="Alert",operation="CREATE",outcome="denied"\} 1$/m);
  });
});

describe('readiness', () => {
  test('readyz answers 503 with the reason until the cluster view is ready', async () => {
    let reason: string | undefined = 'cluster view not synced';
    const w = await startTestWebhook({ ready: () => reason });
    try {
      const r = await get(w.port, w.caPem, '/readyz');
      assert.equal(r.status, 503);
      assert.deepEqual(JSON.parse(r.body), { status: 'not ready', reason: 'cluster view not synced' });
      reason = undefined;
      assert.equal((await get(w.port, w.caPem, '/readyz')).status, 200);
    } finally {
      await w.close();
    }
  });
});
