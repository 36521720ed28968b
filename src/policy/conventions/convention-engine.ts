/**
 * The engine with the policy's conventions: the rule engine's findings, then the conventions'.
 * A policy without conventions gives exactly the rule engine's findings.
 */
import type { Engine } from '../engine.ts';
import type { Convention } from './convention.ts';
import type { NamespaceLabels } from './evaluate-conventions.ts';
import { evaluateConventions } from './evaluate-conventions.ts';

/** Wraps a rule engine so that each evaluation also runs the conventions. */
export function withConventions(
  engine: Engine,
  conventions: readonly Convention[],
  namespaces: NamespaceLabels,
): Engine {
  if (conventions.length === 0) return engine;
  return {
    evaluate(input, cluster) {
      const rules = engine.evaluate(input, cluster);
      const { findings } = evaluateConventions(conventions, input, cluster, namespaces);
      return findings.length === 0 ? rules : [...rules, ...findings];
    },
  };
}
