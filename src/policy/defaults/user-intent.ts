/**
 * Evidence of what a user wrote in `spec.<field>`, as opposed to what defaulting or a webhook
 * put there. The API server applies CRD defaults before webhooks run, so the value alone does not
 * tell. Evidence, in order:
 * 1. Server-side apply: if any `managedFields` entry has operation `Apply`, the user set the field
 *    exactly when one of them owns `f:spec.f:<field>`.
 * 2. Client-side apply: the `kubectl.kubernetes.io/last-applied-configuration` annotation holds
 *    what the user wrote; the field is set when it appears there (with that value).
 * Otherwise intent is unknown.
 */
import type { KubeObject, ManagedFieldsEntry } from '../../flux/objects.ts';
import { asRecord, specOf } from '../../flux/objects.ts';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** What the evidence says. `value` is what the user wrote, when it can be read. */
export type FieldIntent =
  | { readonly kind: 'set-by-user'; readonly value: unknown }
  | { readonly kind: 'not-set-apply' }
  | { readonly kind: 'not-set-last-applied' }
  | { readonly kind: 'unknown' };

/** Works out whether the user set `spec.<field>` in `obj` (the object as the request carries it). */
export function specFieldIntent(obj: KubeObject, field: string): FieldIntent {
  const applies = (obj.metadata?.managedFields ?? []).filter((m) => m.operation === 'Apply' && !m.subresource);
  if (applies.length > 0) {
    return applies.some((m) => owns(m, field))
      ? { kind: 'set-by-user', value: specOf(obj)[field] }
      : { kind: 'not-set-apply' };
  }
  const lastApplied = obj.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (lastApplied !== undefined) {
    try {
      const written = specOf(JSON.parse(lastApplied) as KubeObject);
      return field in written ? { kind: 'set-by-user', value: written[field] } : { kind: 'not-set-last-applied' };
    } catch {
      return { kind: 'unknown' };
    }
  }
  return { kind: 'unknown' };
}

function owns(m: ManagedFieldsEntry, field: string): boolean {
  return `f:${field}` in asRecord(asRecord(m.fieldsV1)['f:spec']);
}
