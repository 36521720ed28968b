import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillTemplate, globMatches, templateProblem } from './template.ts';
import { inScope, selectorMatches } from './namespace-scope.ts';

test('globs: * matches any run, everything else is literal, with no backtracking blow-up', () => {
  const rows: [string, string, boolean][] = [
    ['team-a-*', 'team-a-deploys', true],
    ['team-a-*', 'team-a-', true],
    ['team-a-*', 'team-b-x', false],
    ['*-incidents', 'payments-incidents', true],
    ['*-incidents', 'incidents', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'acb', false],
    ['a*ab', 'aab', true],
    ['exact', 'exact', true],
    ['exact', 'exactly', false],
    ['x.y', 'xzy', false],
    ['*', '', true],
  ];
  for (const [p, v, want] of rows) assert.equal(globMatches(p, v), want, `${p} ~ ${v}`);
  const long = 'a'.repeat(50_000);
  assert.equal(globMatches(`${'*a'.repeat(20)}b`, long), false);
});

test('templates: {namespace} and {label:KEY} are filled; anything else is a problem named for the user', () => {
  const ns = { name: 'payments', labels: { team: 'pay', 'example.com/env': 'prod' } };
  assert.deepEqual(fillTemplate('team-{label:team}-{namespace}-{label:example.com/env}', ns), {
    text: 'team-pay-payments-prod',
  });
  assert.deepEqual(fillTemplate('{label:tier}', ns), { missingLabel: 'tier' });
  assert.deepEqual(fillTemplate('{label:team}', { name: 'x', labels: undefined }), { missingLabel: 'team' });
  assert.equal(templateProblem('team-{label:team}-*'), undefined);
  assert.equal(
    templateProblem('{label:}'),
    'unknown placeholder {label:}: use {namespace} or {label:KEY} with a label key such as team or example.com/team',
  );
  assert.equal(
    templateProblem('{ns}'),
    'unknown placeholder {ns}: use {namespace} or {label:KEY} with a label key such as team or example.com/team',
  );
  assert.equal(templateProblem('a}b'), 'unbalanced brace: placeholders are written {namespace} or {label:KEY}');
});

test('namespace scope: names or selector; no scope is every namespace; an unknown namespace has no labels', () => {
  const prod = {
    matchLabels: { env: 'prod' },
    matchExpressions: [
      { key: 'team', operator: 'Exists' as const },
      { key: 'tier', operator: 'NotIn' as const, values: ['legacy'] },
    ],
  };
  assert.equal(selectorMatches(prod, { env: 'prod', team: 'a' }), true);
  assert.equal(selectorMatches(prod, { env: 'prod', team: 'a', tier: 'legacy' }), false);
  assert.equal(selectorMatches(prod, { env: 'prod' }), false);
  assert.equal(
    selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] }, { env: 'b' }),
    true,
  );
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, { env: 'b' }), false);
  assert.equal(inScope(undefined, { name: 'x', labels: undefined }), true);
  assert.equal(inScope({ names: ['x'], selector: prod }, { name: 'x', labels: undefined }), true);
  assert.equal(inScope({ selector: prod }, { name: 'y', labels: undefined }), false);
});
