/**
 * Counts with thousands separators and an order of names, without ICU. `toLocaleString('en-US')`
 * and `localeCompare` load Node's ICU data (compiled into the node binary) into the process's
 * memory as file pages: in a 200,000-event storm with digests, 6.9 MB of the relay's RSS were ICU
 * pages (pagemap of the binary's `icudt78_dat`), 0.4 MB at an idle start (docs/relay.md, "Storms").
 * Nothing the relay shows needs a locale: counts are integers and the names sorted (metadata keys,
 * digest groups, Kubernetes namespace/name) are mostly ASCII.
 */

/** `1234567` as `1,234,567`, as `toLocaleString('en-US')` writes an integer; anything else as String(n). */
export function thousands(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/**
 * An order of names close to `localeCompare`'s for ASCII: letters ignoring case first (`apple`,
 * `Banana`, `cherry`), then, between names equal but for case, lowercase first (`env` before
 * `Env`); everything else by UTF-16 code unit (punctuation and digits as ASCII orders them, so `_`
 * after digits where ICU puts it before; non-ASCII letters after `z`, where ICU sorts `é` beside
 * `e`). Total and stable: equal only for equal strings.
 */
export function compareText(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a === b ? 0 : a > b ? -1 : 1;
}
