/**
 * Runs one rule in isolation against a cluster built from objects, returning the printed
 * field errors: what a rule test asserts on.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/flux/objects.ts';
import { secretFacts } from '../../src/flux/secret-facts.ts';
import { staticClusterView } from '../../src/cluster/static-view.ts';
import { errorString } from '../../src/policy/field-error.ts';
import type { Policy } from '../../src/policy/policy.ts';
import { defaultPolicy } from '../../src/policy/policy.ts';
import type { Operation, Rule } from '../../src/policy/rule.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';

export interface RuleCase {
  readonly object: KubeObject;
  readonly oldObject?: KubeObject;
  readonly operation?: Operation;
  readonly cluster?: readonly KubeObject[];
  readonly policy?: Policy;
}

export function runRule(rule: Rule, c: RuleCase): string[] {
  const subject = c.object;
  const isSecret = subject.kind === 'Secret';
  const operation = c.operation ?? 'CREATE';
  return rule
    .check({
      operation,
      object: subject,
      oldObject: c.oldObject,
      namespace: subject.metadata?.namespace ?? '',
      name: subject.metadata?.name ?? '',
      secret: isSecret && operation !== 'DELETE' ? secretFacts(subject) : undefined,
      oldSecret: isSecret && c.oldObject ? secretFacts(c.oldObject) : undefined,
      cluster: staticClusterView(c.cluster ?? []),
      policy: c.policy ?? defaultPolicy(ALL_RULES),
    })
    .map(errorString);
}

/** One row of a rule's test table: a name, the case, and the exact printed field errors. */
export type RuleRow = [name: string, c: RuleCase, expected: string[]];

/** Registers one test per row under the rule's id. */
export function ruleTable(rule: Rule, rows: readonly RuleRow[]): void {
  describe(rule.id, () => {
    for (const [name, c, expected] of rows) test(name, () => assert.deepEqual(runRule(rule, c), expected));
  });
}
