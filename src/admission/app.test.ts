/**
 * The admission app and handler in-process: whole AdmissionReview answers (uid, allowed, status
 * with causes, patch, warnings) for a representative set of requests, without TLS or a process.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { answerReview, createAdmissionApp } from './app.ts';
import { createAdmissionHandler } from './handler.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import type { KubeObject } from '../flux/objects.ts';
import { createEngine } from '../policy/engine.ts';
import { resolvePolicy } from '../policy/policy.ts';
import { ALL_RULES } from '../policy/rules/index.ts';
import { createLogger } from '../observability/logger.ts';
import { createAdmissionMetrics } from '../observability/metrics.ts';
import { THROWING_RULE as boom } from '../../test/support/run-rule.ts';

const N = 'notification.toolkit.fluxcd.io/v1beta3';
const URL_B64 = Buffer.from('https://hooks.slack.com/services/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').toString(
  'base64',
);
const CLUSTER: KubeObject[] = [
  {
    apiVersion: N,
    kind: 'Provider',
    metadata: { name: 'slack', namespace: 'apps' },
    spec: { type: 'slack', secretRef: { name: 'slack-url' } },
  },
  {
    apiVersion: N,
    kind: 'Provider',
    metadata: { name: 'paused', namespace: 'apps' },
    spec: { type: 'generic', address: 'https://example.com/hook', suspend: true },
  },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'slack-url', namespace: 'apps' }, data: { address: URL_B64 } },
];

function deps() {
  const rules = [...ALL_RULES, boom];
  const policy = resolvePolicy(rules, { eventSeverityWithoutIntent: 'error' });
  const metrics = createAdmissionMetrics({ processMetrics: false });
  const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const handler = createAdmissionHandler({
    engine: createEngine(rules, policy),
    cluster: staticClusterView(CLUSTER),
    policy,
    metrics,
    logger,
  });
  return { handler, metrics, logger };
}

const alert = (name: string, provider: string): KubeObject => ({
  apiVersion: N,
  kind: 'Alert',
  metadata: { name, namespace: 'apps' },
  spec: { providerRef: { name: provider }, eventSources: [{ kind: 'Kustomization', name: '*' }] },
});

function reviewOf(uid: string, object: KubeObject) {
  const [group, version] = object.apiVersion!.includes('/') ? object.apiVersion!.split('/') : ['', object.apiVersion];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: `${object.kind!.toLowerCase()}s` },
      name: object.metadata?.name,
      namespace: object.metadata?.namespace,
      operation: 'CREATE',
      userInfo: { username: 'jane@example.com' },
      object,
      oldObject: null,
      dryRun: false,
    },
  };
}

const answer = (response: Record<string, unknown>) => ({
  status: 200,
  body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response },
});

describe('answerReview: whole AdmissionReview answers', () => {
  const d = deps();

  test('allows an Alert whose Provider exists', async () => {
    assert.deepEqual(
      await answerReview(d, 'validate', reviewOf('u-ok', alert('ok', 'slack'))),
      answer({ uid: 'u-ok', allowed: true }),
    );
  });

  test('denies an Alert whose Provider is missing with a 422 Invalid Status and its cause', async () => {
    const message =
      'Not found: "slak": no Provider "slak" in namespace "apps"; create the Provider in "apps", or correct the name';
    assert.deepEqual(
      await answerReview(d, 'validate', reviewOf('u-deny', alert('bad', 'slak'))),
      answer({
        uid: 'u-deny',
        allowed: false,
        status: {
          metadata: {},
          status: 'Failure',
          message: `Alert.notification.toolkit.fluxcd.io "bad" is invalid: spec.providerRef.name: ${message}`,
          reason: 'Invalid',
          details: {
            name: 'bad',
            group: 'notification.toolkit.fluxcd.io',
            kind: 'Alert',
            causes: [{ reason: 'FieldValueNotFound', message, field: 'spec.providerRef.name' }],
          },
          code: 422,
        },
      }),
    );
  });

  test('allows an Alert on a suspended Provider with a warning', async () => {
    assert.deepEqual(
      await answerReview(d, 'validate', reviewOf('u-warn', alert('w', 'paused'))),
      answer({
        uid: 'u-warn',
        allowed: true,
        warnings: [
          'spec.providerRef.name: Invalid value: "paused": Provider "paused" is suspended, so this Alert sends nothing until it is resumed',
        ],
      }),
    );
  });

  test('patches eventSeverity on mutate, with the patch and the warning', async () => {
    const got = await answerReview(d, 'mutate', reviewOf('u-patch', alert('p', 'slack')));
    assert.deepEqual(
      got,
      answer({
        uid: 'u-patch',
        allowed: true,
        patchType: 'JSONPatch',
        patch: Buffer.from(JSON.stringify([{ op: 'add', path: '/spec/eventSeverity', value: 'error' }])).toString(
          'base64',
        ),
        warnings: [
          'spec.eventSeverity: defaulted to "error" because it was not set in the applied configuration; set eventSeverity: info explicitly to receive info events',
        ],
      }),
    );
  });

  test('allows a kind it does not guard without evaluating it', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'apps' } };
    assert.deepEqual(
      await answerReview(d, 'validate', reviewOf('u-pod', pod)),
      answer({ uid: 'u-pod', allowed: true }),
    );
  });

  test('answers a failure inside evaluation with a 500 carrying the uid', async () => {
    const p: KubeObject = {
      apiVersion: N,
      kind: 'Provider',
      metadata: { name: 'explode', namespace: 'apps' },
      spec: {},
    };
    assert.deepEqual(
      await answerReview(d, 'validate', reviewOf('u-500', p)),
      answer({
        uid: 'u-500',
        allowed: false,
        status: {
          metadata: {},
          status: 'Failure',
          message: `notify-guard could not evaluate this Provider: internal error (uid u-500); see the webhook's logs`,
          reason: 'InternalError',
          code: 500,
        },
      }),
    );
  });

  test('answers a body that is not an AdmissionReview with a 400 Status', async () => {
    assert.deepEqual(await answerReview(d, 'validate', { kind: 'Pod' }), {
      status: 400,
      body: {
        metadata: {},
        status: 'Failure',
        message: 'body is not an AdmissionReview (kind must be "AdmissionReview")',
        reason: 'BadRequest',
        code: 400,
      },
    });
  });
});

describe('the express app in-process', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer(createAdmissionApp({ ...deps(), notReadyReason: () => undefined }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('answers a review with 200 and the whole AdmissionReview', async () => {
    const r = await fetch(`${base}/validate`, {
      method: 'POST',
      body: JSON.stringify(reviewOf('h-ok', alert('ok', 'slack'))),
    });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), answer({ uid: 'h-ok', allowed: true }).body);
  });

  test('answers a malformed body with a 400 JSON Status', async () => {
    const r = await fetch(`${base}/mutate`, { method: 'POST', body: '{"apiVersion":' });
    assert.equal(r.status, 400);
    assert.deepEqual(await r.json(), {
      metadata: {},
      status: 'Failure',
      message: 'request body is not valid JSON',
      reason: 'BadRequest',
      code: 400,
    });
  });

  test('answers an unknown path with a 404 Status naming the endpoints', async () => {
    const r = await fetch(`${base}/admit`, { method: 'POST', body: '{}' });
    assert.equal(r.status, 404);
    assert.deepEqual(await r.json(), {
      metadata: {},
      status: 'Failure',
      message: 'no endpoint POST /admit; use POST /validate, POST /mutate, GET /healthz, /readyz or /metrics',
      reason: 'NotFound',
      code: 404,
    });
  });
});
