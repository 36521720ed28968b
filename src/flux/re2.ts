/**
 * RE2, as Flux uses it (Go's regexp) for an Alert's inclusionList and exclusionList: compiled
 * with re2js, memoised (patterns repeat across requests and events; compiling is the costly part).
 */
import { RE2JS } from 're2js';

const MAX_REMEMBERED = 4096;
const compiled = new Map<string, { re: RE2JS } | { error: string }>();

function compile(pattern: string): { re: RE2JS } | { error: string } {
  let c = compiled.get(pattern);
  if (c) return c;
  try {
    c = { re: RE2JS.compile(pattern) };
  } catch (e) {
    c = { error: e instanceof Error ? e.message : String(e) };
  }
  if (compiled.size >= MAX_REMEMBERED) compiled.delete(compiled.keys().next().value!);
  compiled.set(pattern, c);
  return c;
}

/** The RE2 compile error for a pattern, or undefined when it compiles. */
export function re2CompileError(pattern: string): string | undefined {
  const c = compile(pattern);
  return 'error' in c ? c.error : undefined;
}

/** True when the pattern matches anywhere in `text` (unanchored); an invalid pattern never matches. */
export function re2Matches(pattern: string, text: string): boolean {
  const c = compile(pattern);
  return 're' in c && c.re.matcher(text).find();
}
