/**
 * The one rule tester: runs one rule through the policy engine itself (`createEngine` with that
 * rule alone), so a rule test sees exactly what production sees: the context the engine builds
 * (a Secret's facts, never its data), the Secrets it skips, ratcheting and the opt-out annotation.
 * Returns the printed field errors: what a rule test asserts on.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterView } from '../../src/cluster/cluster-view.ts';
import type { KubeObject } from '../../src/flux/objects.ts';
import { staticClusterView } from '../../src/cluster/static-view.ts';
import { createEngine } from '../../src/policy/engine.ts';
import { errorString } from '../../src/policy/field-error.ts';
import type { Policy } from '../../src/policy/policy.ts';
import { defaultPolicy } from '../../src/policy/policy.ts';
import type { Operation, Rule } from '../../src/policy/rule.ts';
import { ALL_RULES } from '../../src/policy/rules/index.ts';

export interface RuleCase {
  /** The object after the change; for DELETE, the object being deleted. */
  readonly object: KubeObject;
  readonly oldObject?: KubeObject;
  readonly operation?: Operation;
  /** The other objects of the cluster (a static view of them). */
  readonly cluster?: readonly KubeObject[];
  /** A view to read instead of `cluster` (a live view's partial coverage, say). */
  readonly view?: ClusterView;
  readonly policy?: Policy;
}

/** The request the API server would send for the case, as the engine receives it. */
function evaluation(rule: Rule, c: RuleCase) {
  const operation = c.operation ?? 'CREATE';
  const deleting = operation === 'DELETE';
  return {
    kind: rule.kind,
    operation,
    namespace: c.object.metadata?.namespace ?? '',
    name: c.object.metadata?.name ?? '',
    object: deleting ? undefined : c.object,
    oldObject: deleting ? c.object : c.oldObject,
  };
}

/** The findings of `rule` alone for the case, through the engine. */
export function ruleFindings(rule: Rule, c: RuleCase) {
  const engine = createEngine([rule], c.policy ?? defaultPolicy(ALL_RULES));
  return engine.evaluate(evaluation(rule, c), c.view ?? staticClusterView(c.cluster ?? []));
}

/** The printed field errors of `rule` alone for the case. */
export function runRule(rule: Rule, c: RuleCase): string[] {
  return ruleFindings(rule, c).map(errorString);
}

/** One row of a rule's test table: a name, the case, and the exact printed field errors. */
export type RuleRow = [name: string, c: RuleCase, expected: string[]];

/** Registers one test per row under the rule's id. */
export function ruleTable(rule: Rule, rows: readonly RuleRow[]): void {
  describe(rule.id, () => {
    for (const [name, c, expected] of rows) test(name, () => assert.deepEqual(runRule(rule, c), expected));
  });
}

/** A rule with a bug: it throws on a Provider named `explode` (the webhook must answer 500, not crash). */
export const THROWING_RULE: Rule = {
  id: 'boom',
  kind: 'Provider',
  operations: ['CREATE'],
  defaultAction: 'deny',
  description: 'throws',
  remediation: '',
  check: (ctx) => {
    if (ctx.name === 'explode') throw new TypeError('rule bug');
    return [];
  },
};
