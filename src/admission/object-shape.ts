/**
 * The shape an AdmissionReview must have before anything reads it, beyond what review.ts's
 * envelope check covers: how deep it nests, and the types of the object fields the rules and
 * defaulters read (`metadata.name`, `metadata.namespace`, labels, annotations, managedFields).
 * The API server only ever sends objects that passed its own validation, so a body that fails
 * these checks did not come from it: it is answered 400, and no rule sees a field of a type it
 * does not expect (a non-array `managedFields` or an object as `metadata.namespace` made rules
 * throw).
 */

/**
 * Deepest nesting accepted. No Flux object comes near it (their structural schemas are a dozen
 * levels deep; managedFields mirror them), and it stays far below the depth at which V8's
 * recursive JSON.stringify overflows (a few thousand levels).
 */
export const MAX_DEPTH = 512;

/**
 * Whether `value` nests deeper than `max` containers. Walked depth-first, one stack frame per
 * level and no copy of any container (memory bounded by the depth, not the width: a 7 MiB body of
 * empty arrays holds 2.4 million; the recursion stops at `max` levels, far from the stack's limit).
 */
export function nestedTooDeep(value: unknown, max = MAX_DEPTH): boolean {
  return isContainer(value) && holdsDeeper(value, 1, max);
}

/** Whether container `v`, at `depth`, holds a container nested past `max`. */
function holdsDeeper(v: object, depth: number, max: number): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (tooDeep(v[i], depth, max)) return true;
    return false;
  }
  // A parsed JSON object: own enumerable keys only (nothing inherited is enumerable).
  for (const k in v) if (tooDeep((v as Record<string, unknown>)[k], depth, max)) return true;
  return false;
}

function tooDeep(child: unknown, depth: number, max: number): boolean {
  return isContainer(child) && (depth >= max || holdsDeeper(child, depth + 1, max));
}

function isContainer(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

const META_STRINGS = [
  'name',
  'namespace',
  'generateName',
  'uid',
  'resourceVersion',
  'deletionTimestamp',
  'creationTimestamp',
] as const;
const ENTRY_STRINGS = ['manager', 'operation', 'subresource', 'apiVersion', 'fieldsType', 'time'] as const;

/** Why `obj` (at `path`, e.g. `request.object`) cannot be a Kubernetes object, or undefined. */
export function objectShapeProblem(obj: Record<string, unknown>, path: string): string | undefined {
  for (const f of ['apiVersion', 'kind'] as const)
    if (obj[f] !== undefined && typeof obj[f] !== 'string') return `${path}.${f} must be a string`;
  const meta = obj['metadata'];
  if (meta === undefined || meta === null) return undefined;
  if (!isRecord(meta)) return `${path}.metadata must be an object`;
  for (const f of META_STRINGS)
    if (meta[f] !== undefined && meta[f] !== null && typeof meta[f] !== 'string')
      return `${path}.metadata.${f} must be a string`;
  for (const f of ['labels', 'annotations'] as const) {
    const m = meta[f];
    if (m === undefined || m === null) continue;
    if (!isRecord(m) || Object.values(m).some((v) => typeof v !== 'string'))
      return `${path}.metadata.${f} must map strings to strings`;
  }
  return managedFieldsProblem(meta['managedFields'], `${path}.metadata.managedFields`);
}

function managedFieldsProblem(mf: unknown, path: string): string | undefined {
  if (mf === undefined || mf === null) return undefined;
  if (!Array.isArray(mf)) return `${path} must be an array`;
  for (const [i, entry] of mf.entries()) {
    if (!isRecord(entry)) return `${path}[${i}] must be an object`;
    for (const f of ENTRY_STRINGS)
      if (entry[f] !== undefined && entry[f] !== null && typeof entry[f] !== 'string')
        return `${path}[${i}].${f} must be a string`;
    if (entry['fieldsV1'] !== undefined && entry['fieldsV1'] !== null && !isRecord(entry['fieldsV1']))
      return `${path}[${i}].fieldsV1 must be an object`;
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
