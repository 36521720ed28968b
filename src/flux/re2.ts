/**
 * RE2, as Flux uses it (Go's regexp) for an Alert's inclusionList and exclusionList: compiled
 * with re2js, memoised (patterns repeat across requests and events; compiling is the costly part).
 *
 * Bounds, since anyone who can write an Alert chooses these patterns:
 * - Memory: the memo holds at most CACHE_BYTES of compiled programs, by an estimate of each
 *   program's size (instructions and rune tables), evicting the least recently used; a program
 *   estimated over MAX_KEPT_BYTES (4 MiB) is used and dropped, never kept. (Bounded by count, 4,096
 *   programs of `\pL{1000}` held 330 MB.)
 * - Time: re2js compiles far slower than Go (up to ~8 ms per KiB of ordinary pattern, and about
 *   0.3 ms per Unicode class such as `\pL`, which it builds from its tables each time), and
 *   admission runs on one event loop. `re2CompileError` refuses a pattern longer than
 *   MAX_PATTERN_LENGTH and, within `withPatternBudget` (one object's rules: the engine runs each
 *   object under one, in the webhook and in lint alike), distinct patterns holding more than
 *   MAX_PATTERN_LENGTH_PER_OBJECT characters, MAX_UNICODE_CLASSES_PER_OBJECT Unicode classes or
 *   MAX_REPEAT_EXPANSION_PER_OBJECT instructions of counted repeats in all: an object's patterns
 *   then compile in some tens of milliseconds at most. Go's regexp has no such limits (only a
 *   program size limit, which re2js shares: "expression too large"), so Flux would accept such
 *   patterns; the caps are far above any event filter written by hand, and the error says why.
 *   `re2Matches` (the relay's routing) compiles any pattern.
 */
import { RE2JS } from 're2js';

/** Longest pattern `re2CompileError` compiles (characters). */
export const MAX_PATTERN_LENGTH = 1024;
/** Distinct pattern characters `re2CompileError` compiles within one `withPatternBudget`. */
export const MAX_PATTERN_LENGTH_PER_OBJECT = 4096;
/**
 * Unicode classes (`\p{..}`, `\pL`, `\P..`) `re2CompileError` compiles within one
 * `withPatternBudget`: re2js builds each from its Unicode table, about 0.2-0.3 ms apiece.
 */
export const MAX_UNICODE_CLASSES_PER_OBJECT = 32;
/**
 * Instructions that counted repeats (`x{n}`, `(..){n,m}`) may add within one `withPatternBudget`,
 * estimated by `repeatExpansion`: each copy is compiled (about 1 ms per 1,000 in re2js).
 */
const MAX_REPEAT_EXPANSION_PER_OBJECT = 20_000;
/** Memory the memo may hold, by estimate. */
export const CACHE_BYTES = 16 * 1024 * 1024;
/** A program estimated larger than this is never kept (one at the per-object repeat budget is about 3 MiB). */
const MAX_KEPT_BYTES = 4 * 1024 * 1024;

type Compiled = ({ re: RE2JS } | { error: string }) & { readonly bytes: number };
const compiled = new Map<string, Compiled>();
let cachedBytes = 0;

/** Estimated bytes a compiled program holds: its instructions, each distinct rune table, the pattern. */
function programBytes(pattern: string, re: RE2JS): number {
  const prog = (re as unknown as { re2Input?: { prog?: { inst?: readonly { runes?: ArrayLike<number> }[] } } }).re2Input
    ?.prog;
  const insts = prog?.inst ?? [];
  const tables = new Set<ArrayLike<number>>();
  let runes = 0;
  for (const i of insts)
    if (i.runes && !tables.has(i.runes)) {
      tables.add(i.runes);
      runes += i.runes.length;
    }
  // Measured with re2js 2.x: about 80 bytes per instruction; matching (machines, DFA states) about as much again.
  return 1024 + 2 * pattern.length + 160 * insts.length + 4 * runes;
}

function compile(pattern: string): Compiled {
  const hit = compiled.get(pattern);
  if (hit) {
    compiled.delete(pattern);
    compiled.set(pattern, hit);
    return hit;
  }
  let c: Compiled;
  try {
    const re = RE2JS.compile(pattern);
    c = { re, bytes: programBytes(pattern, re) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    c = { error, bytes: 256 + 2 * (pattern.length + error.length) };
  }
  if (c.bytes <= MAX_KEPT_BYTES) {
    compiled.set(pattern, c);
    cachedBytes += c.bytes;
    for (const [oldest, entry] of compiled) {
      if (cachedBytes <= CACHE_BYTES) break;
      compiled.delete(oldest);
      cachedBytes -= entry.bytes;
    }
  }
  return c;
}

/** What the memo holds now (for tests and resource checks). */
export function re2CacheUsage(): { entries: number; bytes: number } {
  return { entries: compiled.size, bytes: cachedBytes };
}

/**
 * An estimate of the instructions counted repeats add to a pattern's program: for each `{n}`,
 * `{n,}` or `{n,m}`, its count times the size of what it repeats (one for a character, class or
 * escape, the length of the text of a group). Linear in the pattern; nested repeats are not
 * multiplied (RE2 refuses a nesting over 1,000 anyway).
 */
export function repeatExpansion(pattern: string): number {
  const groups: number[] = [];
  let total = 0;
  let last = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i = skipEscape(pattern, i);
      last = 1;
    } else if (c === '[') {
      i = skipClass(pattern, i);
      last = 1;
    } else if (c === '(') groups.push(i);
    else if (c === ')') last = i - (groups.pop() ?? i);
    else if (c === '{') {
      const q = /^\{(\d{1,7})(,(\d{0,7}))?\}/.exec(pattern.slice(i, i + 20));
      if (!q) {
        last = 1;
        continue;
      }
      const n = Number(q[1]);
      const max = q[2] === undefined ? n : q[3] === '' ? n + 1 : Number(q[3]);
      total += Math.min(max, 1001) * Math.max(last, 1);
      i += q[0].length - 1;
    } else last = 1;
  }
  return total;
}

/** The index of the last character of the escape at `i` (`\pL`, `\p{Greek}`, `\x{263a}`, `\n`). */
function skipEscape(p: string, i: number): number {
  const next = p[i + 1];
  if ((next === 'p' || next === 'P' || next === 'x') && p[i + 2] === '{') {
    const close = p.indexOf('}', i + 3);
    return close < 0 ? p.length - 1 : close;
  }
  return next === 'p' || next === 'P' ? i + 2 : i + 1;
}

/** The index of the `]` closing the class opened at `i`. */
function skipClass(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  for (; j < p.length; j++) {
    if (p[j] === '\\') j = skipEscape(p, j);
    else if (p[j] === '[' && p[j + 1] === ':') {
      const close = p.indexOf(':]', j + 2);
      j = close < 0 ? j : close + 1;
    } else if (p[j] === ']') return j;
  }
  return p.length - 1;
}

/** The budget `fn` of the innermost `withPatternBudget` runs under (undefined outside one). */
let budget: { seen: Set<string> | undefined; length: number; unicodeClasses: number; expansion: number } | undefined;

/**
 * Runs `fn` (one object's checks, synchronous: the engine's rules are) with a budget of
 * MAX_PATTERN_LENGTH_PER_OBJECT distinct pattern characters. A variable saved and restored, not
 * an AsyncLocalStorage: its run() copied the async context (a Map) for every review, about 1 KB
 * of garbage and a microsecond each (docs/admission.md, "Performance", round 8). The set of
 * patterns seen is made by the first pattern counted; most objects have none.
 */
export function withPatternBudget<T>(fn: () => T): T {
  const outer = budget;
  budget = { seen: undefined, length: 0, unicodeClasses: 0, expansion: 0 };
  try {
    return fn();
  } finally {
    budget = outer;
  }
}

/**
 * What the admission path can say of a pattern: it compiles, RE2 refuses it (`invalid`: Flux skips
 * it too), or it is over one of the caps above (`unchecked`: not compiled here, so unknown; Flux
 * compiles it). Counts the pattern against the current object's budget.
 */
export type Re2Verdict =
  | { readonly kind: 'compiles' }
  | { readonly kind: 'invalid'; readonly error: string }
  | { readonly kind: 'unchecked'; readonly reason: string };

/** Judges a pattern within the current budget (see Re2Verdict). */
export function re2Verdict(pattern: string): Re2Verdict {
  const reason = refusal(pattern);
  if (reason) return { kind: 'unchecked', reason };
  const c = compile(pattern);
  return 'error' in c ? { kind: 'invalid', error: c.error } : { kind: 'compiles' };
}

/** The RE2 compile error for a pattern, why it is too costly to check, or undefined when it compiles. */
export function re2CompileError(pattern: string): string | undefined {
  const v = re2Verdict(pattern);
  return v.kind === 'invalid' ? v.error : v.kind === 'unchecked' ? v.reason : undefined;
}

/** Why the pattern is over a cap (and so not compiled here), or undefined; counts it against the budget. */
function refusal(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `the pattern is ${pattern.length} characters long, more than the ${MAX_PATTERN_LENGTH} notify-guard checks (compiling it would stall every admission); no event filter needs one this long: shorten it`;
  }
  if (budget && !budget.seen?.has(pattern)) {
    if (budget.length + pattern.length > MAX_PATTERN_LENGTH_PER_OBJECT) {
      return `this object's patterns hold more than ${MAX_PATTERN_LENGTH_PER_OBJECT} characters in all, more than notify-guard checks for one object: shorten or merge them`;
    }
    // Counted generously: an escaped backslash before p counts too.
    const classes = pattern.match(/\\[pP]/g)?.length ?? 0;
    if (budget.unicodeClasses + classes > MAX_UNICODE_CLASSES_PER_OBJECT) {
      return `this object's patterns use more than ${MAX_UNICODE_CLASSES_PER_OBJECT} Unicode classes (\\p{...}) in all, more than notify-guard checks for one object (each is slow to compile): use fewer, e.g. one class with a repeat`;
    }
    const expansion = repeatExpansion(pattern);
    if (budget.expansion + expansion > MAX_REPEAT_EXPANSION_PER_OBJECT) {
      return `this object's counted repeats ({n}) add up to more than ${MAX_REPEAT_EXPANSION_PER_OBJECT} compiled instructions, more than notify-guard checks for one object: use smaller counts, or * and +`;
    }
    (budget.seen ??= new Set()).add(pattern);
    budget.length += pattern.length;
    budget.unicodeClasses += classes;
    budget.expansion += expansion;
  }
  return undefined;
}

/** True when the pattern matches anywhere in `text` (unanchored); an invalid pattern never matches. */
export function re2Matches(pattern: string, text: string): boolean {
  const c = compile(pattern);
  return 're' in c && c.re.matcher(text).find();
}
