/**
 * Compact copies of the JSON the object index keeps. Objects parsed from an API list or a YAML
 * file hold their own copy of every string: the namespace, apiVersion, kind, provider names and
 * event source kinds repeated in thousands of objects. A compact copy shares one instance of each
 * string through V8's string table (a property key is internalized, and the table is weak, so
 * nothing is held once no object uses a string), and no longer references the parse tree.
 */

/** Strings longer than this are kept as they are (they rarely repeat). */
const INTERN_MAX_LENGTH = 256;

/**
 * Strings already interned, each mapped to its shared instance: a Map lookup costs a fraction of
 * internalizing through an object literal, which the initial list does for every string of
 * 30,000 objects. Bounded: emptied when it reaches this many entries, which costs only speed (a
 * string seen again is found in V8's table as before), so it holds at most a few MB of strings no
 * object uses any more.
 */
const CACHE_MAX_ENTRIES = 20_000;
const cache = new Map<string, string>();

/** The one shared instance of `s` (V8 internalizes property keys). */
export function intern(s: string): string {
  if (s.length > INTERN_MAX_LENGTH) return s;
  const known = cache.get(s);
  if (known !== undefined) return known;
  if (cache.size >= CACHE_MAX_ENTRIES) cache.clear();
  const shared = Object.keys({ [s]: 0 })[0]!;
  cache.set(shared, shared);
  return shared;
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
  const from = value as Record<string, unknown>;
  for (const k of Object.keys(from)) out[intern(k)] = compactJson(from[k]);
  return out as T;
}
