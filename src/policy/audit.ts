/**
 * The audit: existing objects judged by the current policy, as the webhook would judge them if
 * they were created now (rules and conventions), plus the coverage gaps that coverage conventions
 * require closed, and the exemptions objects claim (reported as notes with their reasons). Pure:
 * the caller lists the objects and prints the findings. `T` is where an object was found (a file
 * and line, or the cluster).
 */
import type { ClusterView } from '../cluster/cluster-view.ts';
import { guardedKind, parseApiVersion } from '../flux/api.ts';
import type { KubeObject } from '../flux/objects.ts';
import type { Engine, Finding } from './engine.ts';
import type { ObjectFinding } from './object-finding.ts';
import { errorString, fieldError, quote } from './field-error.ts';
import { field } from './field-path.ts';
import type { Policy } from './policy.ts';
import type { NamespaceLabels } from './conventions/evaluate-conventions.ts';
import {
  conventionApplies,
  conventionRuleId,
  evaluateConventions,
  exemptionReason,
} from './conventions/evaluate-conventions.ts';
import type { FluxObjectMeta } from './coverage.ts';
import { alertCovers } from './coverage.ts';

/** An object to audit and where it was found. */
export interface AuditSubject<T> {
  readonly object: KubeObject;
  readonly at: T;
}

/** One finding of the audit, at where its object was found. */
export interface AuditFinding<T> extends ObjectFinding {
  readonly at: T;
}

/** What the audit reads. */
export interface AuditInput<T> {
  /** Alerts and Providers. */
  readonly subjects: readonly AuditSubject<T>[];
  /** Flux objects that coverage conventions may require watched (metadata is enough). */
  readonly fluxObjects: readonly AuditSubject<T>[];
  /** Alerts that deliver (coverage.ts `deliveringAlerts`). */
  readonly deliveringAlerts: readonly KubeObject[];
  /** The rule engine (without conventions: the audit runs them itself to see exemptions). */
  readonly rules: Engine;
  readonly policy: Policy;
  readonly cluster: ClusterView;
  readonly namespaces: NamespaceLabels;
}

/** Audits every subject, then the coverage gaps. */
export function audit<T>(input: AuditInput<T>): AuditFinding<T>[] {
  const out: AuditFinding<T>[] = [];
  for (const { object, at } of input.subjects) {
    const kind = guardedKind({ ...parseApiVersion(String(object.apiVersion ?? '')), kind: String(object.kind ?? '') });
    if (kind !== 'Alert' && kind !== 'Provider') continue;
    const id = { at, kind, namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '' };
    const evaluation = {
      kind,
      operation: 'CREATE' as const,
      namespace: id.namespace,
      name: id.name,
      object,
      oldObject: undefined,
    };
    for (const f of input.rules.evaluate(evaluation, input.cluster)) out.push(ruleFinding(id, f));
    const c = evaluateConventions(input.policy.conventions, evaluation, input.cluster, input.namespaces);
    for (const f of c.findings) out.push({ ...id, rule: f.rule, action: f.action, message: errorString(f) });
    for (const e of c.exemptions)
      out.push({
        ...id,
        rule: conventionRuleId(e.convention),
        action: 'note',
        message: `exempt from convention ${quote(e.convention)}: ${e.reason}`,
      });
  }
  out.push(...coverageGaps(input));
  return out;
}

/** A rule's finding in the audit: one the object opts out of is a note, like a convention's exemption. */
function ruleFinding<T>(id: Omit<AuditFinding<T>, 'rule' | 'action' | 'message'>, f: Finding): AuditFinding<T> {
  return {
    ...id,
    rule: f.rule,
    action: f.ignored ? 'note' : f.action,
    message: errorString(f),
    ...(f.remediation ? { remediation: f.remediation } : {}),
    ...(f.ignored ? { ignored: f.ignored } : {}),
  };
}

function coverageGaps<T>(input: AuditInput<T>): AuditFinding<T>[] {
  const out: AuditFinding<T>[] = [];
  const required = input.policy.conventions.filter((c) => c.coverage);
  if (required.length === 0) return out;
  for (const { object, at } of input.fluxObjects) {
    const o = metaOf(object);
    const id = { at, kind: o.kind, namespace: o.namespace, name: o.name };
    for (const c of required) {
      if (
        !c.coverage!.kinds.includes(o.kind) ||
        !conventionApplies(c, { name: o.namespace, labels: input.namespaces.labels(o.namespace) })
      )
        continue;
      if (input.deliveringAlerts.some((a) => alertCovers(a, o))) continue;
      const rule = conventionRuleId(c.name);
      const reason = exemptionReason(object, c.name);
      if (reason) {
        out.push({ ...id, rule, action: 'note', message: `exempt from convention ${quote(c.name)}: ${reason}` });
        continue;
      }
      out.push({
        ...id,
        rule,
        action: c.action as 'deny' | 'warn',
        message: errorString(
          fieldError(
            'Required',
            field('metadata', 'name'),
            undefined,
            `no Alert sends events of ${o.kind} ${quote(o.name)}: the platform requires ${o.kind} objects in namespace ${quote(o.namespace)} to be watched; add an Alert with an eventSource of kind ${o.kind} for it`,
          ),
        ),
      });
    }
  }
  return out;
}

/** A Flux object's kind, namespace, name and labels. */
export function metaOf(object: KubeObject): FluxObjectMeta {
  return {
    kind: String(object.kind),
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    labels: { ...(object.metadata?.labels ?? {}) },
  };
}

/** Objects violating each convention (deny or warn), and the count per convention and namespace. */
export function violationCounts(findings: readonly AuditFinding<unknown>[]): {
  byConvention: Record<string, number>;
  byNamespace: Map<string, number>;
  total: number;
} {
  const objects = new Map<string, Set<string>>();
  const byNamespace = new Map<string, number>();
  for (const f of findings) {
    if (f.action === 'note' || !f.rule.startsWith('convention:')) continue;
    const name = f.rule.slice('convention:'.length);
    const key = `${f.kind}/${f.namespace}/${f.name}`;
    const set = objects.get(name) ?? new Set<string>();
    if (set.has(key)) continue;
    set.add(key);
    objects.set(name, set);
    const nsKey = `${name}\u0000${f.namespace}`;
    byNamespace.set(nsKey, (byNamespace.get(nsKey) ?? 0) + 1);
  }
  const byConvention = Object.fromEntries([...objects].map(([k, v]) => [k, v.size]));
  return { byConvention, byNamespace, total: Object.values(byConvention).reduce((a, b) => a + b, 0) };
}
