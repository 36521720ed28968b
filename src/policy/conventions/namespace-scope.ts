/**
 * Which namespaces a convention applies to: a list of names and/or a label selector with
 * Kubernetes' own semantics (`matchLabels` and `matchExpressions` with In, NotIn, Exists,
 * DoesNotExist; all terms must hold). Without either, every namespace.
 */
import type { NamespaceFacts } from './template.ts';

/** A Kubernetes LabelSelector. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

/** Namespaces by name and/or selector; a namespace in either is in scope. */
export interface NamespaceScope {
  readonly names?: readonly string[];
  readonly selector?: LabelSelector;
}

/** True when the selector matches the labels (an unknown namespace has no labels). */
export function selectorMatches(s: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of s.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(value!))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(value!)) return false;
  }
  return true;
}

/** True when the namespace is in scope; no names and no selector mean every namespace. */
export function inScope(scope: NamespaceScope | undefined, ns: NamespaceFacts): boolean {
  if (!scope || (scope.names === undefined && scope.selector === undefined)) return true;
  if (scope.names?.includes(ns.name)) return true;
  return scope.selector !== undefined && selectorMatches(scope.selector, ns.labels ?? {});
}

/** Why a selector cannot be used (apimachinery's rules for operators and values), or undefined. */
export function selectorProblem(s: LabelSelector): { index: number; detail: string } | undefined {
  const exprs = s.matchExpressions ?? [];
  for (let i = 0; i < exprs.length; i++) {
    const e = exprs[i]!;
    const n = e.values?.length ?? 0;
    if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0)
      return { index: i, detail: `values must be non-empty when operator is ${e.operator}` };
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0)
      return { index: i, detail: `values must be empty when operator is ${e.operator}` };
  }
  return undefined;
}
