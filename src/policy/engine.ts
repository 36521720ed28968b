/**
 * Runs the rules that apply to a request and attaches each finding's rule id, action and
 * remediation, and the object's opt-out by annotation (rule-opt-out.ts).
 * Pure and synchronous: no I/O, no clock, no logging. Exceptions from a rule propagate (they
 * are bugs); the admission layer turns them into a 500 review response.
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import type { GuardedKind } from '../flux/api.ts';
import type { FieldError } from './field-error.ts';
import { errorString } from './field-error.ts';
import type { Policy } from './policy.ts';
import type { Operation, Rule, RuleContext } from './rule.ts';
import { withPatternBudget } from '../flux/re2.ts';
import type { OptOut } from './rule-opt-out.ts';
import { applyOptOut } from './rule-opt-out.ts';
import { evaluationContext } from './engine-context.ts';
import type { ContextInput } from './engine-context.ts';

/** A rule's finding with the action the policy gives it. */
export interface Finding extends FieldError {
  readonly rule: string;
  readonly action: 'deny' | 'warn';
  /** The finding says a referenced object is missing; confirm before denying (rule.reportsMissing). */
  readonly reportsMissing?: true;
  /** How to fix it: the rule's remediation (lint and audit print it). */
  readonly remediation?: string;
  /** The object opts out of the rule by annotation (rule-opt-out.ts): reported, never enforced. */
  readonly ignored?: OptOut;
}

/** One admission request, reduced to what the rules need (the rules' context is built from it). */
export type EvaluationInput = ContextInput;

/** The rules and the policy; each evaluation names the cluster view it reads. */
export interface Engine {
  evaluate(input: EvaluationInput, cluster: ClusterView): Finding[];
}

/** A rule that runs, with the action the policy gives it. */
interface Planned {
  readonly rule: Rule;
  readonly action: 'deny' | 'warn';
}

/** Creates an engine; the rules that run for each kind and operation, with their actions, are listed once, here. */
export function createEngine(rules: readonly Rule[], policy: Policy): Engine {
  const plan = planRules(rules, policy);

  function run(ctx: RuleContext, kind: GuardedKind): Finding[] {
    const out: Finding[] = [];
    for (const { rule, action } of plan.get(kind)?.get(ctx.operation) ?? NONE) {
      const errors = rule.check(ctx);
      // Most rules find nothing: no findings, opt-out or copies are made for them.
      if (errors.length === 0) continue;
      const found = errors.map((e) => finding(rule, e, action));
      for (const f of applyOptOut(rule.id, ctx.object, found)) out.push(f);
    }
    return out;
  }

  // One object's rules share one budget of regex compilation (re2.ts), in the webhook and in lint alike.
  const budgeted = (ctx: RuleContext, kind: GuardedKind): Finding[] => withPatternBudget(() => run(ctx, kind));

  return {
    evaluate(input, cluster) {
      const subject = input.object ?? input.oldObject;
      if (!subject) return [];
      // An UPDATE that finalises a deleted object must never be blocked.
      if (input.operation === 'UPDATE' && subject.metadata?.deletionTimestamp) return [];
      // Only Secrets that a Provider references are inspected; all others pass untouched.
      if (input.kind === 'Secret' && cluster.providersReferencingSecret(input.namespace, input.name).length === 0)
        return [];

      const ctx = evaluationContext(input, subject, cluster, policy);
      const findings = budgeted(ctx, input.kind);
      if (input.operation !== 'UPDATE' || !input.oldObject || !findings.some((f) => f.action === 'deny'))
        return findings;

      // Ratcheting: a problem the object already had before this UPDATE does not block it
      // (a controller adding a finalizer to an old, broken object must succeed); it is a warning.
      const before = new Set(
        budgeted(
          evaluationContext({ ...input, object: input.oldObject }, input.oldObject, cluster, policy),
          input.kind,
        ).map(findingKey),
      );
      return findings.map((f) => (f.action === 'deny' && before.has(findingKey(f)) ? { ...f, action: 'warn' } : f));
    },
  };
}

const NONE: readonly Planned[] = [];

/** The rules that run, by kind then operation, in the rules' order, each with its action; rules turned off are left out. */
function planRules(rules: readonly Rule[], policy: Policy): Map<GuardedKind, Map<Operation, Planned[]>> {
  const plan = new Map<GuardedKind, Map<Operation, Planned[]>>();
  for (const rule of rules) {
    const action = policy.actions[rule.id] ?? rule.defaultAction;
    if (action === 'off') continue;
    const byOperation = plan.get(rule.kind) ?? new Map<Operation, Planned[]>();
    plan.set(rule.kind, byOperation);
    for (const op of rule.operations) byOperation.set(op, [...(byOperation.get(op) ?? []), { rule, action }]);
  }
  return plan;
}

/** A rule's field error as a finding: the rule's id, the policy's action and the rule's remediation. */
function finding(rule: Rule, e: FieldError, action: 'deny' | 'warn'): Finding {
  const f: Finding = { ...e, rule: rule.id, action, remediation: rule.remediation };
  return rule.reportsMissing ? { ...f, reportsMissing: true } : f;
}

function findingKey(f: Finding): string {
  return `${f.rule}\u0000${errorString(f)}`;
}
