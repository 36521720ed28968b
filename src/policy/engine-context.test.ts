import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REAL_URL, alert, secret, slackProvider } from '../../test/support/objects.ts';
import { staticClusterView } from '../cluster/static-view.ts';
import { alertView, providerView } from '../flux/objects.ts';
import type { KubeObject } from '../flux/objects.ts';
import { secretFacts } from '../flux/secret-facts.ts';
import { evaluationContext } from './engine-context.ts';
import { defaultPolicy } from './policy.ts';
import { ALL_RULES } from './rules/index.ts';

const policy = defaultPolicy(ALL_RULES);
const view = staticClusterView([]);
const request = (kind: 'Alert' | 'Provider' | 'Secret', object: KubeObject, oldObject?: KubeObject) => ({
  kind,
  operation: oldObject ? ('UPDATE' as const) : ('CREATE' as const),
  namespace: 'apps',
  name: object.metadata?.name ?? '',
  object,
  oldObject,
});

test("an Alert's view is made once per evaluation: every rule reads the same one", () => {
  const a = alert('apps', 'a', {
    providerRef: { name: 'slack' },
    eventSources: [{ kind: 'Kustomization', name: '*' }],
  });
  const ctx = evaluationContext(request('Alert', a), a, view, policy);
  assert.deepEqual(ctx.alert, alertView(a));
  assert.equal(ctx.alert, ctx.alert);
  const p = slackProvider();
  const pctx = evaluationContext(request('Provider', p), p, view, policy);
  assert.deepEqual(pctx.provider, providerView(p));
  assert.equal(pctx.provider, pctx.provider);
});

test("a Secret's facts are made when a rule first reads them, once; its rules see its metadata only", () => {
  let reads = 0;
  const counted = (o: KubeObject): KubeObject => {
    const data = o['data'];
    const copy = { ...o };
    delete copy['data'];
    return Object.defineProperty(copy, 'data', {
      get: () => (reads++, data),
      enumerable: true,
    }) as KubeObject;
  };
  const now = counted(secret('apps', 'slack', { address: REAL_URL }));
  const before = counted(secret('apps', 'slack', { address: `${REAL_URL}0` }));
  const ctx = evaluationContext(request('Secret', now, before), now, view, policy);
  assert.equal(reads, 0);
  assert.deepEqual(ctx.object, { apiVersion: 'v1', kind: 'Secret', metadata: now.metadata });
  assert.deepEqual(ctx.secret, secretFacts(secret('apps', 'slack', { address: REAL_URL })));
  assert.equal(ctx.secret, ctx.secret);
  assert.equal(reads, 1);
  assert.deepEqual(ctx.oldSecret, secretFacts(secret('apps', 'slack', { address: `${REAL_URL}0` })));
  assert.equal(reads, 2);
});

test('other kinds have no Secret facts', () => {
  const a = alert('apps', 'a', {});
  const ctx = evaluationContext(request('Alert', a, a), a, view, policy);
  assert.equal(ctx.secret, undefined);
  assert.equal(ctx.oldSecret, undefined);
});
