import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REAL_URL, alert, provider, slackProvider } from '../support/objects.ts';
import { buildReview, get, post, review } from '../support/apiserver-client.ts';
import type { TestWebhook } from '../support/webhook-server.ts';
import { startTestWebhook } from '../support/webhook-server.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';
import { THROWING_RULE as boom } from '../support/run-rule.ts';

describe('AdmissionReview protocol over TLS', () => {
  let w: TestWebhook;
  before(async () => {
    w = await startTestWebhook({ cluster: [slackProvider('apps')], rules: [...ALL_RULES, boom] });
  });
  after(() => w.close());

  test('a body that is not JSON gets 400 with a JSON Status', async () => {
    const r = await post(w.port, w.caPem, '/validate', '{"apiVersion":');
    assert.equal(r.status, 400);
    assert.match(r.contentType, /^application\/json/);
    assert.deepEqual(JSON.parse(r.body), {
      metadata: {},
      status: 'Failure',
      message: 'request body is not valid JSON',
      reason: 'BadRequest',
      code: 400,
    });
  });

  test('JSON that is not an AdmissionReview, or lacks request or uid, gets 400 saying which', async () => {
    const cases: [unknown, string][] = [
      [[1, 2], 'body is not a JSON object'],
      [{ kind: 'Pod' }, 'body is not an AdmissionReview (kind must be "AdmissionReview")'],
      [
        { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1beta1' },
        'unsupported AdmissionReview apiVersion "admission.k8s.io/v1beta1"; this webhook speaks admission.k8s.io/v1',
      ],
      [{ kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1' }, 'AdmissionReview has no request'],
      [
        {
          kind: 'AdmissionReview',
          apiVersion: 'admission.k8s.io/v1',
          request: { kind: { group: '', version: 'v1', kind: 'Secret' }, operation: 'CREATE' },
        },
        'AdmissionReview request has no uid',
      ],
    ];
    for (const [body, message] of cases) {
      const r = await post(w.port, w.caPem, '/validate', JSON.stringify(body));
      assert.equal(r.status, 400);
      assert.equal(JSON.parse(r.body).message, message);
    }
  });

  test('an UPDATE carrying two objects of 1.6 MiB is reviewed; a body over 7 MiB gets 413', async () => {
    const pad = 'x'.repeat(1.6 * 1024 * 1024);
    const update = buildReview({
      operation: 'UPDATE',
      object: alert('apps', 'a', { pad }),
      oldObject: alert('apps', 'a', { pad }),
      uid: 'big-update',
    });
    const r = await post(w.port, w.caPem, '/validate', JSON.stringify(update));
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).response.uid, 'big-update');
    const big = JSON.stringify({
      ...buildReview({ operation: 'CREATE', object: alert('apps', 'a', { pad: 'x'.repeat(7 * 1024 * 1024) }) }),
    });
    const tooBig = await post(w.port, w.caPem, '/validate', big);
    assert.equal(tooBig.status, 413);
    assert.equal(JSON.parse(tooBig.body).message, 'request body exceeds 7340032 bytes');
  });

  test('a gzip, deflate or br body that does not decode gets 400, not 500', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const r = await post(w.port, w.caPem, '/validate', Buffer.from('this is not compressed at all'), undefined, {
        'content-encoding': encoding,
      });
      assert.equal(r.status, 400, encoding);
      const body = JSON.parse(r.body);
      assert.deepEqual(
        { ...body, message: undefined },
        { metadata: {}, status: 'Failure', message: undefined, reason: 'BadRequest', code: 400 },
      );
      assert.match(
        body.message,
        /^request body cannot be read \((Z_DATA_ERROR|ERR_\w+)\); send uncompressed UTF-8 JSON, or a valid gzip, deflate or br stream$/,
        encoding,
      );
    }
  });

  test('a body of more than 100,000 objects and arrays gets 400 before it is parsed', async () => {
    const review = JSON.stringify(
      buildReview({
        operation: 'CREATE',
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'apps' }, data: 'PAD' },
      }),
    );
    const r = await post(w.port, w.caPem, '/validate', review.replace('"PAD"', `[${'[],'.repeat(100_000)}[]]`));
    assert.deepEqual(
      { status: r.status, body: JSON.parse(r.body) },
      {
        status: 400,
        body: {
          metadata: {},
          status: 'Failure',
          message: 'request body holds more than 100000 JSON objects and arrays; no review or event comes near that',
          reason: 'BadRequest',
          code: 400,
        },
      },
    );
    assert.equal(
      (await post(w.port, w.caPem, '/validate', review.replace('"PAD"', `[${'[],'.repeat(90_000)}[]]`))).status,
      200,
    );
  });

  test('a structurally invalid review gets 400 naming the field, never a 500 or an invalid Status', async () => {
    const base = buildReview({ operation: 'CREATE', object: alert('apps', 'a', {}) }) as unknown as {
      request: Record<string, unknown>;
    };
    const withRequest = (over: Record<string, unknown>) => ({ ...base, request: { ...base.request, ...over } });
    const withMeta = (over: Record<string, unknown>) =>
      withRequest({ object: { ...alert('apps', 'a', {}), metadata: { name: 'a', namespace: 'apps', ...over } } });
    const DEEP = 'deep-apiVersion';
    const cases: [unknown, string][] = [
      [withRequest({ name: { deep: 'name' } }), 'AdmissionReview request.name must be a string'],
      [withRequest({ namespace: 7 }), 'AdmissionReview request.namespace must be a string'],
      [withRequest({ dryRun: 'yes' }), 'AdmissionReview request.dryRun must be a boolean'],
      [
        withMeta({ managedFields: { manager: 'kubectl' } }),
        'AdmissionReview request.object.metadata.managedFields must be an array',
      ],
      [
        withMeta({ managedFields: ['Apply'] }),
        'AdmissionReview request.object.metadata.managedFields[0] must be an object',
      ],
      [
        withMeta({ managedFields: [{ operation: 'Apply', fieldsV1: 'f:spec' }] }),
        'AdmissionReview request.object.metadata.managedFields[0].fieldsV1 must be an object',
      ],
      [withMeta({ namespace: ['apps'] }), 'AdmissionReview request.object.metadata.namespace must be a string'],
      [withMeta({ name: { a: { b: 'c' } } }), 'AdmissionReview request.object.metadata.name must be a string'],
      [
        withMeta({ annotations: { a: 1 } }),
        'AdmissionReview request.object.metadata.annotations must map strings to strings',
      ],
      [withRequest({ oldObject: { metadata: 'x' } }), 'AdmissionReview request.oldObject.metadata must be an object'],
      [{ ...base, apiVersion: DEEP }, 'body nests deeper than 512 levels'],
      [
        { ...base, apiVersion: { a: 1 } },
        'unsupported AdmissionReview apiVersion of type object; this webhook speaks admission.k8s.io/v1',
      ],
      [
        { ...base, apiVersion: 'v'.repeat(1000) },
        `unsupported AdmissionReview apiVersion "${'v'.repeat(64)}..."; this webhook speaks admission.k8s.io/v1`,
      ],
    ];
    for (const [body, message] of cases) {
      // 600 levels: built as text (JSON.stringify itself overflows at a few thousand).
      const text = JSON.stringify(body).replace(`"${DEEP}"`, `${'{"a":'.repeat(600)}1${'}'.repeat(600)}`);
      const r = await post(w.port, w.caPem, '/validate', text);
      assert.deepEqual(
        { status: r.status, body: JSON.parse(r.body) },
        { status: 400, body: { metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 } },
      );
    }
  });

  test('a body in an encoding the webhook cannot read gets 415', async () => {
    const r = await post(
      w.port,
      w.caPem,
      '/validate',
      JSON.stringify(buildReview({ operation: 'CREATE', object: alert('apps', 'a', {}) })),
      undefined,
      { 'content-encoding': 'compress' },
    );
    assert.equal(r.status, 415);
    assert.deepEqual(JSON.parse(r.body), {
      metadata: {},
      status: 'Failure',
      message: 'request body encoding is not supported; send uncompressed UTF-8 JSON',
      reason: 'UnsupportedMediaType',
      code: 415,
    });
  });

  test('a kind the webhook does not know is allowed untouched, on both webhooks', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'apps' } };
    assert.deepEqual(
      Object.keys(await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: cm, uid: 'u-1' })),
      ['uid', 'allowed'],
    );
    const m = await review(w.port, w.caPem, 'mutate', { operation: 'CREATE', object: cm, uid: 'u-2' });
    assert.deepEqual(m, { uid: 'u-2', allowed: true });
  });

  test('an exception inside a rule becomes a 500 AdmissionReview with the uid, logged with its stack', async () => {
    const fine = provider('apps', 'fine', { type: 'slack', address: REAL_URL });
    assert.deepEqual(
      await review(w.port, w.caPem, 'validate', { operation: 'CREATE', object: fine, uid: 'uid-boom' }),
      { uid: 'uid-boom', allowed: true },
    );
    const exploding = await review(w.port, w.caPem, 'validate', {
      operation: 'CREATE',
      object: provider('apps', 'explode', { type: 'slack', address: REAL_URL }),
      uid: 'uid-boom-2',
    });
    assert.deepEqual(exploding, {
      uid: 'uid-boom-2',
      allowed: false,
      status: {
        metadata: {},
        status: 'Failure',
        message:
          "notify-guard could not evaluate this Provider: internal error (uid uid-boom-2); see the webhook's logs",
        reason: 'InternalError',
        code: 500,
      },
    });
    const logged = w.logs
      .map((l) => JSON.parse(l))
      .find((l) => l.uid === 'uid-boom-2' && l.msg === 'admission evaluation failed');
    assert.equal(logged.err.type, 'TypeError');
    assert.match(
      logged.err.stack,
      /^TypeError: rule bug\n\s+at Object.check \(.*test\/support\/run-rule.ts:\d+:\d+\)\n\s+at run \(.*src\/policy\/engine.ts/,
    );
  });

  test('unknown paths get a JSON 404', async () => {
    const r = await post(w.port, w.caPem, '/admit', '{}');
    assert.equal(r.status, 404);
    assert.equal(
      JSON.parse(r.body).message,
      'no endpoint POST /admit; use POST /validate, POST /mutate, GET /healthz, /readyz or /metrics',
    );
  });

  test('healthz and readyz answer JSON', async () => {
    assert.deepEqual(JSON.parse((await get(w.port, w.caPem, '/healthz')).body), { status: 'ok' });
    assert.deepEqual(JSON.parse((await get(w.port, w.caPem, '/readyz')).body), { status: 'ok' });
  });

  test('metrics count requests by webhook, kind, operation and outcome, and findings by rule and action', async () => {
    await review(w.port, w.caPem, 'validate', {
      operation: 'CREATE',
      object: alert('apps', 'm', {
        providerRef: { name: 'nope' },
        eventSources: [{ kind: 'Kustomization', name: '*' }],
      }),
    });
    const text = (await get(w.port, w.caPem, '/metrics')).body;
    assert.match(
      text,
      /^notify_guard_admission_requests_total\{webhook="validate",kind="Alert",operation="CREATE",outcome="denied"\} 1$/m,
    );
    assert.match(
      text,
      /^notify_guard_admission_requests_total\{webhook="validate",kind="Provider",operation="CREATE",outcome="error"\} 1$/m,
    );
    assert.match(text, /^notify_guard_findings_total\{rule="alert-provider-exists",action="deny"\} 1$/m);
    assert.match(
      text,
      /^notify_guard_admission_duration_seconds_count\{webhook="validate",kind="Alert",operation="CREATE",outcome="denied"\} 1$/m,
    );
  });

  test('an Alert whose pattern is too costly to compile here is allowed with a warning saying why: Flux compiles it', async () => {
    const spec = {
      providerRef: { name: 'slack' },
      eventSources: [{ kind: 'Kustomization', name: '*' }],
      inclusionList: ['x'.repeat(1025)],
    };
    const r = await review(w.port, w.caPem, 'validate', {
      operation: 'CREATE',
      object: alert('apps', 'costly', spec),
      uid: 'costly',
    });
    assert.deepEqual(
      { allowed: r.allowed, warnings: r.warnings },
      {
        allowed: true,
        warnings: [
          'spec.inclusionList[0]: Invalid value: the pattern is 1025 characters long, more than the 1024 notify-guard checks (compiling it would stall every admission); no event filter needs one this long: shorten it; not compiled here (Flux compiles it)',
        ],
      },
    );
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
