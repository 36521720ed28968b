import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldError } from '../../src/policy/field-error.ts';
import { field } from '../../src/policy/field-path.ts';
import type { Rule } from '../../src/policy/rule.ts';
import { REAL_URL, secret, slackProvider } from './objects.ts';
import { runRule } from './run-rule.ts';

/** A rule that reports what it was given of a Secret: its data (which it must never see) and its facts. */
const probe: Rule = {
  id: 'probe',
  kind: 'Secret',
  operations: ['CREATE', 'UPDATE', 'DELETE'],
  defaultAction: 'warn',
  description: 'test probe',
  remediation: 'none',
  check: ({ object, secret: facts }) => [
    fieldError(
      'Invalid',
      field('data'),
      undefined,
      `data ${JSON.stringify(object.data)}; keys ${facts?.keys.join(',')}`,
    ),
  ],
};

test("the rule tester hands a rule what the engine hands it: a Secret's facts, never its data", () => {
  assert.deepEqual(
    runRule(probe, { object: secret('apps', 'slack-url', { address: REAL_URL }), cluster: [slackProvider()] }),
    ['data: Invalid value: data undefined; keys address'],
  );
});

test('the rule tester skips a Secret that no Provider references, as the engine does', () => {
  assert.deepEqual(
    runRule(probe, { object: secret('apps', 'other', { address: REAL_URL }), cluster: [slackProvider()] }),
    [],
  );
});
