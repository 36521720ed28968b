import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { staticClusterView } from '../../cluster/static-view.ts';
import type { KubeObject } from '../../flux/objects.ts';
import { errorString } from '../field-error.ts';
import { alert, slackProvider } from '../../../test/support/objects.ts';
import type { Convention } from './convention.ts';
import { evaluateConventions } from './evaluate-conventions.ts';
import { policyMessageTemplate } from './policy-message-template.ts';

const LABELS: Record<string, Record<string, string>> = { payments: { team: 'payments', env: 'prod' }, search: {} };
const namespaces = { labels: (ns: string) => LABELS[ns] };
const facts = (name: string) => ({ name, labels: LABELS[name] });
const TEMPLATE_KEY = 'notify-guard.fluxcd.community/slack-template';

const annotated = (o: KubeObject, annotations: Record<string, string>): KubeObject => ({
  ...o,
  metadata: { ...o.metadata, annotations },
});
const prodAlert = (annotations: Record<string, string> = {}) =>
  annotated(alert('payments', 'a', { providerRef: { name: 'slack' } }), annotations);

const prod: Convention = {
  name: 'prod-messages',
  action: 'deny',
  namespaces: { selector: { matchLabels: { env: 'prod' } } },
  messages: { template: '*{{object.name}}* {{reason}}', require: true },
};

function findings(
  conventions: readonly Convention[],
  object: KubeObject,
  oldObject?: KubeObject,
  cluster: readonly KubeObject[] = [],
): string[] {
  const r = evaluateConventions(
    conventions,
    {
      kind: object.kind as 'Alert' | 'Provider',
      operation: oldObject ? 'UPDATE' : 'CREATE',
      object,
      oldObject,
      namespace: object.metadata!.namespace!,
    },
    staticClusterView(cluster),
    namespaces,
  );
  return [
    ...r.findings.map((f) => `${f.action} ${f.rule}: ${errorString(f)}`),
    ...r.exemptions.map((e) => `exempt ${e.convention}: ${e.reason}`),
  ];
}

describe('messages convention: findings', () => {
  const forbidden =
    'metadata.annotations[notify-guard.fluxcd.community/slack-template]: Forbidden: the platform sets the Slack message template for namespace "payments" and requires it: the relay ignores this annotation; remove it, or ask the platform team for an exemption';
  test('a required template: an Alert or a Provider in scope that sets its own is reported, per the action', () => {
    assert.deepEqual(findings([prod], prodAlert({ [TEMPLATE_KEY]: '{{message}}' })), [
      `deny convention:prod-messages: ${forbidden}`,
    ]);
    assert.deepEqual(
      findings([{ ...prod, action: 'warn' }], annotated(slackProvider('payments'), { [TEMPLATE_KEY]: 'x' })),
      [`warn convention:prod-messages: ${forbidden}`],
    );
  });
  test('nothing to report without the annotation, without require, or out of scope', () => {
    assert.deepEqual(findings([prod], prodAlert()), []);
    const overridable = { ...prod, messages: { template: 'x' } };
    assert.deepEqual(findings([overridable], prodAlert({ [TEMPLATE_KEY]: '{{message}}' })), []);
    const search = annotated(alert('search', 'a', { providerRef: { name: 'slack' } }), { [TEMPLATE_KEY]: 'x' });
    assert.deepEqual(findings([prod], search), []);
  });
  test('an exemption with a reason is honoured and reported; an UPDATE keeping the annotation is a warning', () => {
    const exempt = prodAlert({
      [TEMPLATE_KEY]: '{{message}}',
      'notify-guard.fluxcd.community/exempt': 'prod-messages',
      'notify-guard.fluxcd.community/exempt-reason': 'PLAT-7: the on-call bot parses this layout',
    });
    assert.deepEqual(findings([prod], exempt), ['exempt prod-messages: PLAT-7: the on-call bot parses this layout']);
    const before = prodAlert({ [TEMPLATE_KEY]: '{{message}}' });
    assert.deepEqual(findings([prod], before, before), [`warn convention:prod-messages: ${forbidden}`]);
  });
  test('an Alert whose Provider is exempt with a reason may set its own template (the relay uses it); without a reason it may not', () => {
    const provider = (reason: string) =>
      annotated(slackProvider('payments'), {
        'notify-guard.fluxcd.community/exempt': 'prod-messages',
        'notify-guard.fluxcd.community/exempt-reason': reason,
      });
    const own = prodAlert({ [TEMPLATE_KEY]: '{{message}}' });
    assert.deepEqual(findings([prod], own, undefined, [provider('PLAT-9: the bot parses its own layout')]), []);
    assert.deepEqual(findings([prod], own, undefined, [provider('')]), [`deny convention:prod-messages: ${forbidden}`]);
  });
});

describe('policyMessageTemplate: which convention gives a delivery its template', () => {
  const everywhere: Convention = { name: 'house-style', action: 'warn', messages: { template: 'house' } };
  const provider = slackProvider('payments');
  test('the first convention in policy order that applies in the namespace', () => {
    assert.deepEqual(policyMessageTemplate([prod, everywhere], facts('payments'), [prodAlert(), provider]), {
      convention: 'prod-messages',
      template: '*{{object.name}}* {{reason}}',
      required: true,
    });
    assert.deepEqual(policyMessageTemplate([prod, everywhere], facts('search'), []), {
      convention: 'house-style',
      template: 'house',
      required: false,
    });
  });
  test('none: action off, out of scope, an exempt namespace, or no messages convention', () => {
    assert.equal(policyMessageTemplate([{ ...prod, action: 'off' }], facts('payments'), []), undefined);
    assert.equal(policyMessageTemplate([prod], facts('search'), []), undefined);
    assert.equal(
      policyMessageTemplate([{ ...everywhere, exemptions: { namespaces: ['search'] } }], facts('search'), []),
      undefined,
    );
    assert.equal(policyMessageTemplate([{ name: 'x', action: 'warn', severity: {} }], facts('search'), []), undefined);
  });
  test('an Alert or Provider exempt with a reason skips that convention; without a reason it is not exempt', () => {
    const exempt = (reason: string) =>
      annotated(provider, {
        'notify-guard.fluxcd.community/exempt': 'prod-messages',
        'notify-guard.fluxcd.community/exempt-reason': reason,
      });
    assert.equal(
      policyMessageTemplate([prod, everywhere], facts('payments'), [prodAlert(), exempt('PLAT-7')])?.convention,
      'house-style',
    );
    assert.equal(
      policyMessageTemplate([prod, everywhere], facts('payments'), [undefined, exempt('')])?.convention,
      'prod-messages',
    );
  });
});
