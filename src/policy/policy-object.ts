/**
 * Reads a NotifyGuardPolicy object (the cluster-scoped CRD, or a parsed policy file) into a
 * Policy, or into apimachinery field errors: what the webhook denies an invalid policy with and
 * what the policy's Ready condition says. The same schema as the policy file (policy-file.ts).
 */
import type { FieldError } from './field-error.ts';
import { fieldError } from './field-error.ts';
import { field } from './field-path.ts';
import type { FieldPath } from './field-path.ts';
import type { Policy, RuleDefaults } from './policy.ts';
import { resolvePolicy } from './policy.ts';
import { REMOVED_RULES, policySchema, policySettings } from './policy-file.ts';
import { conventionErrors } from './conventions/convention-schema.ts';

/** The only NotifyGuardPolicy the webhook reads: one policy per cluster. */
export const CLUSTER_POLICY_NAME = 'default';

/** A usable policy, or why it is not. */
export type PolicyReading =
  { readonly ok: true; readonly policy: Policy } | { readonly ok: false; readonly errors: readonly FieldError[] };

/** Validates a policy document and resolves it against the rules. */
export function readPolicyObject(doc: unknown, rules: readonly RuleDefaults[]): PolicyReading {
  const result = policySchema.safeParse(doc);
  if (!result.success) return { ok: false, errors: result.error.issues.map((i) => issueError(doc, i)) };
  const spec = result.data.spec ?? {};
  const known = new Set(rules.map((r) => r.id));
  const errors: FieldError[] = Object.keys(spec.rules ?? {})
    .filter((id) => !known.has(id) && !REMOVED_RULES.includes(id))
    .map((id) =>
      fieldError(
        'NotSupported',
        field('spec', 'rules').key(id),
        id,
        `unknown rule; known rules: ${[...known].join(', ')}`,
      ),
    );
  errors.push(...conventionErrors(spec.conventions ?? []));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, policy: resolvePolicy(rules, policySettings(spec)) };
}

interface Issue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
  readonly values?: readonly unknown[];
  readonly input?: unknown;
}

function issueError(doc: unknown, i: Issue): FieldError {
  const path = toPath(i.path);
  const value = valueAt(doc, i.path);
  if (i.code === 'unrecognized_keys') {
    const keys = i.keys ?? [];
    return fieldError(
      'Forbidden',
      keys.length === 1 ? childOf(path, keys[0]!) : (path ?? field('(document)')),
      undefined,
      `unknown field${keys.length === 1 ? '' : `s ${keys.map((k) => JSON.stringify(k)).join(', ')}`}; see docs/policy.md for the fields a NotifyGuardPolicy has`,
    );
  }
  const at = path ?? field('(document)');
  if (value === undefined) return fieldError('Required', at, undefined, i.message);
  if (i.code === 'invalid_value' && i.values) {
    return fieldError(
      'NotSupported',
      at,
      value,
      `supported values: ${i.values.map((v) => JSON.stringify(v)).join(', ')}`,
    );
  }
  return fieldError('Invalid', at, typeof value === 'object' ? undefined : value, i.message);
}

function toPath(p: readonly PropertyKey[]): FieldPath | undefined {
  let out: FieldPath | undefined;
  for (const k of p) {
    if (typeof k === 'number') out = out ? out.index(k) : field(`[${k}]`);
    else out = childOf(out, String(k));
  }
  return out;
}

function childOf(p: FieldPath | undefined, k: string): FieldPath {
  const plain = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k);
  if (!p) return field(k);
  return plain ? p.child(k) : p.key(k);
}

function valueAt(doc: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = doc;
  for (const k of p) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}
