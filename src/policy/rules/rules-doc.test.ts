import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULES } from './index.ts';

test("docs/rules.md has each rule's row exactly as the rule says it, with the Flux function it follows", () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'rules.md'), 'utf8');
  for (const r of ALL_RULES) {
    assert.ok(r.follows, `${r.id} names the notification-controller function it follows`);
    const row = `| \`${r.id}\` | ${r.kind} | ${r.operations.join(', ')} | ${r.defaultAction} | ${r.description} | ${r.remediation} | ${r.follows} |`;
    assert.ok(doc.includes(row), `docs/rules.md lacks or differs from:\n${row}`);
  }
});
