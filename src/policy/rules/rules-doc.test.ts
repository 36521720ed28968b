import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RULES_DOC_FILE, rulesDoc } from '../../../test/support/rules-doc.ts';
import { ALL_RULES } from './index.ts';

test('every rule names the notification-controller function it follows (or says it is an extension)', () => {
  for (const r of ALL_RULES) assert.ok(r.follows, `${r.id} names the notification-controller function it follows`);
});

test('docs/rules.md is exactly what npm run docs:rules generates from the rules', () => {
  // On failure: run `npm run docs:rules` and commit docs/rules.md.
  assert.equal(readFileSync(RULES_DOC_FILE, 'utf8'), rulesDoc(ALL_RULES));
});
