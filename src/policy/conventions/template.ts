/**
 * Patterns of the platform's conventions: `*` matches any run of characters, and templates are
 * filled from the object's namespace before matching: `{namespace}` (its name) and
 * `{label:KEY}` (the value of its label KEY). `team-{label:team}-*` in a namespace labelled
 * `team=payments` is `team-payments-*`.
 */

/** What a template may read about a namespace. */
export interface NamespaceFacts {
  readonly name: string;
  /** The namespace's labels; undefined when the namespace is not known to the view. */
  readonly labels: Readonly<Record<string, string>> | undefined;
}

const TOKEN = /\{([^{}]*)\}/g;
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Why a pattern or template is malformed (unknown placeholder, stray brace), or undefined. */
export function templateProblem(pattern: string): string | undefined {
  for (const m of pattern.matchAll(TOKEN)) {
    const inner = m[1]!;
    if (inner === 'namespace') continue;
    if (inner.startsWith('label:') && LABEL_KEY.test(inner.slice(6))) continue;
    return `unknown placeholder {${inner}}: use {namespace} or {label:KEY} with a label key such as team or example.com/team`;
  }
  const rest = pattern.replace(TOKEN, '');
  if (rest.includes('{') || rest.includes('}'))
    return 'unbalanced brace: placeholders are written {namespace} or {label:KEY}';
  return undefined;
}

/** A filled pattern, or the label that the namespace lacks. */
export type Filled = { readonly text: string } | { readonly missingLabel: string };

/** Fills `{namespace}` and `{label:KEY}` from the namespace (the pattern is assumed valid). */
export function fillTemplate(pattern: string, ns: NamespaceFacts): Filled {
  let missing: string | undefined;
  const text = pattern.replace(TOKEN, (_, inner: string) => {
    if (inner === 'namespace') return ns.name;
    const key = inner.slice(6);
    const value = ns.labels?.[key];
    if (value === undefined) missing ??= key;
    return value ?? '';
  });
  return missing === undefined ? { text } : { missingLabel: missing };
}

/** True when `value` matches the glob `pattern` (`*`: any run of characters, all else literal). */
export function globMatches(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  // Greedy left-to-right search of the middle parts: linear in the value, no backtracking.
  let at = first.length;
  const end = value.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = value.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** Fills every pattern for the namespace and reports whether `value` matches one. */
export function matchesAny(
  patterns: readonly string[],
  value: string,
  ns: NamespaceFacts,
): { matched: boolean; filled: string[]; missingLabels: string[] } {
  const filled: string[] = [];
  const missingLabels: string[] = [];
  for (const p of patterns) {
    const f = fillTemplate(p, ns);
    if ('missingLabel' in f) missingLabels.push(f.missingLabel);
    else filled.push(f.text);
  }
  return { matched: filled.some((p) => globMatches(p, value)), filled, missingLabels: [...new Set(missingLabels)] };
}
