/**
 * Applies the policy's conventions to one object: the namespace scope, the exemptions (by
 * namespace, or by annotation with a required reason) and the action. Pure and synchronous, like
 * the rule engine; the finding's `rule` is `convention:<name>`. On UPDATE, a denial the old object
 * already had is a warning (the same ratcheting as the rules).
 */
import type { ClusterView } from '../../cluster/cluster-view.ts';
import type { GuardedKind } from '../../flux/api.ts';
import type { KubeObject } from '../../flux/objects.ts';
import type { Finding } from '../engine.ts';
import { errorString, fieldError, quote } from '../field-error.ts';
import { field } from '../field-path.ts';
import type { Operation } from '../rule.ts';
import type { Convention } from './convention.ts';
import { EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION } from './convention.ts';
import { CONVENTION_CHECKS } from './index.ts';
import { inScope } from './namespace-scope.ts';
import type { NamespaceFacts } from './template.ts';

/** Namespace labels as the view knows them (metadata only); undefined for an unknown namespace. */
export interface NamespaceLabels {
  labels(namespace: string): Readonly<Record<string, string>> | undefined;
}

/** A view with no namespaces: every namespace has no labels. */
export const NO_NAMESPACE_LABELS: NamespaceLabels = { labels: () => undefined };

/** An exemption that was honoured, for audit. */
export interface ExemptionUse {
  readonly convention: string;
  readonly reason: string;
}

/** The object's findings and the exemptions it used. */
export interface ConventionResult {
  readonly findings: Finding[];
  readonly exemptions: ExemptionUse[];
}

/** One object under the conventions. */
export interface ConventionInput {
  readonly kind: GuardedKind;
  readonly operation: Operation;
  readonly object: KubeObject | undefined;
  readonly oldObject: KubeObject | undefined;
  readonly namespace: string;
}

/** The name a convention's findings carry as their rule. */
export function conventionRuleId(name: string): string {
  return `convention:${name}`;
}

/** Runs every convention that applies to the object. */
export function evaluateConventions(conventions: readonly Convention[], input: ConventionInput, cluster: ClusterView, namespaces: NamespaceLabels): ConventionResult {
  if (conventions.length === 0 || !input.object || input.operation === 'DELETE' || input.operation === 'CONNECT') return { findings: [], exemptions: [] };
  if (input.operation === 'UPDATE' && input.object.metadata?.deletionTimestamp) return { findings: [], exemptions: [] };
  const ns: NamespaceFacts = { name: input.namespace, labels: namespaces.labels(input.namespace) };
  const now = run(conventions, input.kind, input.object, ns, cluster);
  if (input.operation !== 'UPDATE' || !input.oldObject || !now.findings.some((f) => f.action === 'deny')) return now;
  const before = new Set(run(conventions, input.kind, input.oldObject, ns, cluster).findings.map(key));
  return { ...now, findings: now.findings.map((f) => (f.action === 'deny' && before.has(key(f)) ? { ...f, action: 'warn' } : f)) };
}

function run(conventions: readonly Convention[], kind: GuardedKind, object: KubeObject, ns: NamespaceFacts, cluster: ClusterView): ConventionResult {
  const findings: Finding[] = [];
  const exemptions: ExemptionUse[] = [];
  const annotations = object.metadata?.annotations ?? {};
  const exemptNames = (annotations[EXEMPT_ANNOTATION] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const reason = (annotations[EXEMPT_REASON_ANNOTATION] ?? '').trim();
  for (const c of conventions) {
    if (c.action === 'off' || !inScope(c.namespaces, ns) || c.exemptions?.namespaces?.includes(ns.name)) continue;
    const errors = CONVENTION_CHECKS.filter((k) => k.kinds.includes(kind) && c[k.key] !== undefined)
      .flatMap((k) => k.check({ object, namespace: ns, cluster }, c[k.key] as never));
    if (errors.length === 0) continue;
    const rule = conventionRuleId(c.name);
    if (exemptNames.includes(c.name)) {
      if (reason !== '') {
        exemptions.push({ convention: c.name, reason });
        continue;
      }
      findings.push({ ...fieldError('Required', field('metadata', 'annotations').key(EXEMPT_REASON_ANNOTATION), undefined,
        `the exemption from convention ${quote(c.name)} needs a reason: set annotation ${EXEMPT_REASON_ANNOTATION}; until then the convention applies`), rule, action: 'warn' });
    }
    for (const e of errors) findings.push({ ...e, rule, action: c.action });
  }
  return { findings, exemptions };
}

function key(f: Finding): string {
  return `${f.rule}\u0000${errorString(f)}`;
}
