/**
 * RE2, as Flux uses it (Go's regexp) for an Alert's inclusionList and exclusionList: compiled
 * with re2js, memoised (patterns repeat across requests and events; compiling is the costly part).
 *
 * Bounds, since anyone who can write an Alert chooses these patterns:
 * - Memory: the memo holds at most CACHE_BYTES of compiled programs, by an estimate of each
 *   program's size (instructions and rune tables), evicting the least recently used; a program
 *   estimated over MAX_KEPT_BYTES is used and dropped, never kept. (Bounded by count, 4,096
 *   programs of `\pL{1000}` held 330 MB.)
 * - Time: re2js compiles far slower than Go (up to ~40 µs per character for alternations of
 *   Unicode classes), and admission runs on one event loop. `re2CompileError` refuses a pattern
 *   longer than MAX_PATTERN_LENGTH and, within `withPatternBudget` (one admission review), more
 *   than MAX_PATTERN_LENGTH_PER_OBJECT characters of distinct patterns in all. Go's regexp has no
 *   length limit (only a program size limit, which re2js shares: "expression too large"), so
 *   Flux would accept such a pattern; both caps are far above any event filter written by hand,
 *   and the error says why. `re2Matches` (the relay's routing) compiles any length.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { RE2JS } from 're2js';

/** Longest pattern `re2CompileError` compiles (characters). */
export const MAX_PATTERN_LENGTH = 1024;
/** Distinct pattern characters `re2CompileError` compiles within one `withPatternBudget`. */
export const MAX_PATTERN_LENGTH_PER_OBJECT = 4096;
/** Memory the memo may hold, by estimate. */
export const CACHE_BYTES = 16 * 1024 * 1024;
/** A program estimated larger than this is never kept. */
export const MAX_KEPT_BYTES = 1024 * 1024;

type Compiled = ({ re: RE2JS } | { error: string }) & { readonly bytes: number };
const compiled = new Map<string, Compiled>();
let cachedBytes = 0;

/** Estimated bytes a compiled program holds: its instructions, each distinct rune table, the pattern. */
export function programBytes(pattern: string, re: RE2JS): number {
  const prog = (re as unknown as { re2Input?: { prog?: { inst?: readonly { runes?: ArrayLike<number> }[] } } }).re2Input?.prog;
  const insts = prog?.inst ?? [];
  const tables = new Set<ArrayLike<number>>();
  let runes = 0;
  for (const i of insts) if (i.runes && !tables.has(i.runes)) { tables.add(i.runes); runes += i.runes.length; }
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

const budgets = new AsyncLocalStorage<{ seen: Set<string>; length: number }>();

/** Runs `fn` (one object's checks) with a budget of MAX_PATTERN_LENGTH_PER_OBJECT distinct pattern characters. */
export function withPatternBudget<T>(fn: () => T): T {
  return budgets.run({ seen: new Set(), length: 0 }, fn);
}

/** The RE2 compile error for a pattern, why it is too costly to check, or undefined when it compiles. */
export function re2CompileError(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `the pattern is ${pattern.length} characters long, more than the ${MAX_PATTERN_LENGTH} notify-guard checks (compiling it would stall every admission); no event filter needs one this long: shorten it`;
  }
  const budget = budgets.getStore();
  if (budget && !budget.seen.has(pattern)) {
    if (budget.length + pattern.length > MAX_PATTERN_LENGTH_PER_OBJECT) {
      return `this object's patterns hold more than ${MAX_PATTERN_LENGTH_PER_OBJECT} characters in all, more than notify-guard checks for one object: shorten or merge them`;
    }
    budget.seen.add(pattern);
    budget.length += pattern.length;
  }
  const c = compile(pattern);
  return 'error' in c ? c.error : undefined;
}

/** True when the pattern matches anywhere in `text` (unanchored); an invalid pattern never matches. */
export function re2Matches(pattern: string, text: string): boolean {
  const c = compile(pattern);
  return 're' in c && c.re.matcher(text).find();
}
