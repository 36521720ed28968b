/**
 * The policy in force, replaceable while the webhook runs (a changed policy file, a new
 * NotifyGuardPolicy). `engine` and `policy` are stable objects that always read the current
 * policy, so the admission handler is wired once. Replacing is atomic: a request sees the old or
 * the new policy, never a mix.
 */
import type { Engine } from './engine.ts';
import { createEngine } from './engine.ts';
import type { Policy } from './policy.ts';
import type { Rule } from './rule.ts';
import type { NamespaceLabels } from './conventions/evaluate-conventions.ts';
import { withConventions } from './conventions/convention-engine.ts';

/** The current policy with the engine built from it. */
export interface PolicyHolder {
  /** Evaluates with the current policy. */
  readonly engine: Engine;
  /** Reads the current policy's fields. */
  readonly policy: Policy;
  /** The policy in force now (a snapshot). */
  current(): Policy;
  /** Where the policy in force came from (`policy.yaml`, `NotifyGuardPolicy "default"`, `(defaults)`). */
  source(): string;
  /** Puts a new policy in force. */
  replace(policy: Policy, source: string): void;
}

/** Creates a holder; namespace labels feed the conventions' scope and templates. */
export function createPolicyHolder(
  rules: readonly Rule[],
  initial: Policy,
  initialSource: string,
  namespaces: NamespaceLabels,
): PolicyHolder {
  const build = (policy: Policy, source: string) => ({
    policy,
    source,
    engine: withConventions(createEngine(rules, policy), policy.conventions, namespaces),
  });
  let state = build(initial, initialSource);
  const view = {} as Policy;
  for (const key of Object.keys(initial) as (keyof Policy)[])
    Object.defineProperty(view, key, { get: () => state.policy[key], enumerable: true });
  return {
    engine: { evaluate: (input, cluster) => state.engine.evaluate(input, cluster) },
    policy: view,
    current: () => state.policy,
    source: () => state.source,
    replace(policy, source) {
      state = build(policy, source);
    },
  };
}
