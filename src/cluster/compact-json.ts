/**
 * Compact copies of the JSON the object index keeps. Objects parsed from an API list or a YAML
 * file hold their own copy of every string: the namespace, apiVersion, kind, provider names and
 * event source kinds repeated in thousands of objects. A compact copy shares one instance of each
 * string through V8's string table (a property key is internalized, and the table is weak, so
 * nothing is held once no object uses a string), and no longer references the parse tree.
 */

/** Strings longer than this are kept as they are (they rarely repeat). */
const INTERN_MAX_LENGTH = 256;

/** The one shared instance of `s` (V8 internalizes property keys). */
export function intern(s: string): string {
  return s.length > INTERN_MAX_LENGTH ? s : Object.keys({ [s]: 0 })[0]!;
}

/**
 * A deep copy of plain JSON (objects, arrays, strings, numbers, booleans, null) with interned
 * strings, key order kept; anything else (which JSON and YAML manifests do not produce) is kept
 * by reference.
 */
export function compactJson<T>(value: T): T {
  if (typeof value === 'string') return intern(value) as T;
  if (Array.isArray(value)) return value.map(compactJson) as T;
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[intern(k)] = compactJson(v);
  return out as T;
}
