/**
 * What the test API server needs of the API machinery's semantics: equality-based label
 * selectors, the field selectors it supports, and RFC 7386 JSON merge patch.
 */
import type { KubeObject } from '../../src/flux/objects.ts';

/** Equality-based label selectors (`a=b`, `a!=b`, `a`) and `type`/`metadata.*` field selectors. */
export function selectorMatcher(labelSelector: string, fieldSelector: string): (o: KubeObject) => boolean {
  const terms = (s: string) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  const labels = terms(labelSelector);
  const fields = terms(fieldSelector);
  const fieldValue = (o: KubeObject, f: string): string =>
    f === 'type'
      ? String(o['type'] ?? '')
      : f === 'metadata.name'
        ? (o.metadata?.name ?? '')
        : f === 'metadata.namespace'
          ? (o.metadata?.namespace ?? '')
          : '';
  return (o) => {
    const l = o.metadata?.labels ?? {};
    for (const t of labels) {
      const [k, v] = t.includes('!=') ? t.split('!=') : t.split('=');
      if (t.includes('!=')) {
        if (l[k!] === v) return false;
      } else if (v === undefined) {
        if (!(k! in l)) return false;
      } else if (l[k!] !== v) return false;
    }
    for (const t of fields) {
      const neq = t.includes('!=');
      const [k, v] = neq ? t.split('!=') : t.split('=');
      if (neq ? fieldValue(o, k!) === v : fieldValue(o, k!) !== v) return false;
    }
    return true;
  };
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
