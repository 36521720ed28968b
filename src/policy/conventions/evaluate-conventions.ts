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
import { EXEMPT_REASON_ANNOTATION, exemptionReason } from './convention.ts';
import { CONVENTION_CHECKS } from './index.ts';
import { inScope } from './namespace-scope.ts';

export { exemptionReason };
import type { NamespaceFacts } from './template.ts';

/** Namespace labels as the view knows them (metadata only); undefined for an unknown namespace. */
export interface NamespaceLabels {
  labels(namespace: string): Readonly<Record<string, string>> | undefined;
}

/** Namespace labels from Namespace objects among `objects` (manifests, a snapshot). */
export function namespaceLabelsFrom(objects: Iterable<KubeObject>): NamespaceLabels {
  const labels = new Map<string, Readonly<Record<string, string>>>();
  for (const o of objects)
    if (o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata?.name)
      labels.set(o.metadata.name, { ...(o.metadata.labels ?? {}) });
  return { labels: (ns) => labels.get(ns) };
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
export function evaluateConventions(
  conventions: readonly Convention[],
  input: ConventionInput,
  cluster: ClusterView,
  namespaces: NamespaceLabels,
): ConventionResult {
  const subject = input.operation === 'DELETE' ? input.oldObject : input.object;
  if (conventions.length === 0 || !subject || input.operation === 'CONNECT') return { findings: [], exemptions: [] };
  if (input.operation === 'UPDATE' && subject.metadata?.deletionTimestamp) return { findings: [], exemptions: [] };
  const env: Env = { kind: input.kind, operation: input.operation, cluster, namespaces };
  const now = run(
    conventions,
    subject,
    input.namespace,
    env,
    input.operation === 'UPDATE' ? input.oldObject : undefined,
  );
  if (input.operation !== 'UPDATE' || !input.oldObject || !now.findings.some((f) => f.action === 'deny')) return now;
  const before = new Set(run(conventions, input.oldObject, input.namespace, env).findings.map(key));
  return {
    ...now,
    findings: now.findings.map((f) => (f.action === 'deny' && before.has(key(f)) ? { ...f, action: 'warn' } : f)),
  };
}

interface Env {
  readonly kind: GuardedKind;
  readonly operation: Operation;
  readonly cluster: ClusterView;
  readonly namespaces: NamespaceLabels;
}

/** True when the convention covers the namespace (scope, minus exempt namespaces). */
export function conventionApplies(c: Convention, ns: NamespaceFacts): boolean {
  return c.action !== 'off' && inScope(c.namespaces, ns) && !c.exemptions?.namespaces?.includes(ns.name);
}

function run(
  conventions: readonly Convention[],
  object: KubeObject,
  namespace: string,
  env: Env,
  oldObject?: KubeObject,
): ConventionResult {
  const findings: Finding[] = [];
  const exemptions: ExemptionUse[] = [];
  const facts = (name: string): NamespaceFacts => ({ name, labels: env.namespaces.labels(name) });
  const ns = facts(namespace);
  for (const c of conventions) {
    if (c.action === 'off') continue;
    // Coverage is about the namespaces the Alert watches, which the check scopes itself.
    if (!conventionApplies(c, ns) && !c.coverage) continue;
    const ctx = {
      operation: env.operation,
      object,
      ...(oldObject ? { oldObject } : {}),
      namespace: ns,
      cluster: env.cluster,
      convention: c.name,
      appliesTo: (n: string) => conventionApplies(c, facts(n)),
    };
    const errors = CONVENTION_CHECKS.filter(
      (k) =>
        k.kinds.includes(env.kind) &&
        (k.operations ?? ['CREATE', 'UPDATE']).includes(env.operation) &&
        c[k.key] !== undefined,
    ).flatMap((k) => k.check(ctx, c[k.key] as never));
    if (errors.length === 0) continue;
    const rule = conventionRuleId(c.name);
    const reason = exemptionReason(object, c.name);
    if (reason) {
      exemptions.push({ convention: c.name, reason });
      continue;
    }
    if (reason === '') {
      findings.push({
        ...fieldError(
          'Required',
          field('metadata', 'annotations').key(EXEMPT_REASON_ANNOTATION),
          undefined,
          `the exemption from convention ${quote(c.name)} needs a reason: set annotation ${EXEMPT_REASON_ANNOTATION}; until then the convention applies`,
        ),
        rule,
        action: 'warn',
      });
    }
    for (const { doubtful, ...e } of errors) findings.push({ ...e, rule, action: doubtful ? 'warn' : c.action });
  }
  return { findings, exemptions };
}

function key(f: Finding): string {
  return `${f.rule}\u0000${errorString(f)}`;
}
