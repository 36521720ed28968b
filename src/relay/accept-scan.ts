/**
 * Replay's read of an accept record's payload from its bytes, without JSON.parse or a string per
 * field (journal-replay.ts): the head (id, time, dedup key) and the tail (deliveries' Providers,
 * forward, held) of the record as the relay writes it (relay-accept.ts: `t`, `id`, `at`, `key`,
 * `event`, `deliveries` of `alert`, `provider`, `metadata`, then `forward` and `held`, by
 * JSON.stringify). Over a million pending events the two JSON.parse calls of accept-parts.ts (and
 * the strings cut to feed them) were most of pass 2's CPU and most of its garbage.
 * `scanAccept` answers only for a record in exactly that form, with no escape in the strings it
 * decodes; anything else (another field, another order, a `\` in an id, a number not a plain
 * integer) answers false and the caller reads the record with accept-parts.ts, so its answer, when
 * it gives one, is always what acceptHead and acceptTail would give (tested on generated records).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const bytes = (s: string) => Buffer.from(s, 'latin1');
const ID = bytes('{"t":"accept","id":"');
const AT = bytes('","at":');
const KEY = bytes(',"key":"');
const EVENT = bytes('","event":');
const DELIVERIES = bytes(',"deliveries":[');
const ALERT = bytes('{"alert":"');
const PROVIDER = bytes('","provider":"');
const METADATA = bytes('","metadata":{');
const FORWARD = bytes(',"forward":true');
const HELD = bytes(',"held":true');
/** The most digits an exact `at` has (Number.MAX_SAFE_INTEGER's 16). */
const MAX_AT_DIGITS = 16;

/**
 * What `scanAccept` read: reused from record to record (one object for a whole replay), so copy
 * what is kept. `id` and `key` are byte ranges of the payload, decoded when needed (`text`).
 */
export interface ScannedAccept {
  idStart: number;
  idEnd: number;
  at: number;
  keyStart: number;
  keyEnd: number;
  /** The deliveries' Providers, in order. */
  readonly providers: string[];
  forward: boolean;
  held: boolean;
}

/** A fresh scratch record for `scanAccept`. */
export function scratchAccept(): ScannedAccept {
  return { idStart: 0, idEnd: 0, at: 0, keyStart: 0, keyEnd: 0, providers: [], forward: false, held: false };
}

/** True when the payload `p` ends with `,"held":true}`. */
export function endsHeld(p: Buffer): boolean {
  return p.length > HELD.length && p[p.length - 1] === 0x7d && startsWith(p, p.length - 1 - HELD.length, HELD);
}

/** The payload's bytes `start` to `end` as text (an id or key `scanAccept` found). */
export function text(p: Buffer, start: number, end: number): string {
  return p.toString('utf8', start, end);
}

/** Reads accept record `p` into `out`; false (out partly written) when `p` is not in the form it reads. */
export function scanAccept(p: Buffer, out: ScannedAccept): boolean {
  if (!startsWith(p, 0, ID)) return false;
  out.idStart = ID.length;
  out.idEnd = plainStringEnd(p, out.idStart);
  if (out.idEnd < 0 || !startsWith(p, out.idEnd, AT)) return false;
  let k = out.idEnd + AT.length;
  let at = 0;
  const digitsFrom = k;
  for (; k < p.length && p[k]! >= 0x30 && p[k]! <= 0x39; k++) at = at * 10 + (p[k]! - 0x30);
  // No sign, fraction or exponent, no leading zero (JSON.stringify writes none), and exact (at most
  // 2^53 - 1: every step of the sum is below the result, so exact too).
  const digits = k - digitsFrom;
  if (digits === 0 || digits > MAX_AT_DIGITS || !Number.isSafeInteger(at) || (p[digitsFrom] === 0x30 && digits > 1))
    return false;
  out.at = at;
  if (!startsWith(p, k, KEY)) return false;
  out.keyStart = k + KEY.length;
  out.keyEnd = plainStringEnd(p, out.keyStart);
  if (out.keyEnd < 0 || !startsWith(p, out.keyEnd, EVENT)) return false;
  return scanTail(p, out.keyEnd + EVENT.length, out);
}

/** The tail, from the last `,"deliveries":[` (not before `from`) to the record's end. */
function scanTail(p: Buffer, from: number, out: ScannedAccept): boolean {
  let k = lastIndex(p, DELIVERIES, from);
  if (k < 0) return false;
  k += DELIVERIES.length;
  out.providers.length = 0;
  if (p[k] === 0x5d)
    k++; // ]
  else
    for (;;) {
      k = scanDelivery(p, k, out.providers);
      if (k < 0) return false;
      if (p[k] === 0x5d) {
        k++;
        break;
      }
      if (p[k] !== 0x2c) return false; // ,
      k++;
    }
  out.forward = startsWith(p, k, FORWARD);
  if (out.forward) k += FORWARD.length;
  out.held = startsWith(p, k, HELD);
  if (out.held) k += HELD.length;
  return k === p.length - 1 && p[k] === 0x7d; // }
}

/** One delivery `{"alert":"...","provider":"...","metadata":{...}}` at `k`: its Provider to `providers`; the index after it, or -1. */
function scanDelivery(p: Buffer, k: number, providers: string[]): number {
  if (!startsWith(p, k, ALERT)) return -1;
  const alertEnd = plainStringEnd(p, k + ALERT.length);
  if (alertEnd < 0 || !startsWith(p, alertEnd, PROVIDER)) return -1;
  const from = alertEnd + PROVIDER.length;
  const to = plainStringEnd(p, from);
  if (to < 0 || !startsWith(p, to, METADATA)) return -1;
  providers.push(text(p, from, to));
  k = to + METADATA.length;
  if (p[k] !== 0x7d) {
    // "name":"value" pairs: strings, escapes and all (JSON.stringify's), never read.
    for (;;) {
      k = stringEnd(p, k);
      if (k < 0 || p[k] !== 0x3a) return -1; // :
      k = stringEnd(p, k + 1);
      if (k < 0) return -1;
      if (p[k] === 0x7d) break;
      if (p[k] !== 0x2c) return -1;
      k++;
    }
  }
  return p[k + 1] === 0x7d ? k + 2 : -1; // the metadata's } and the delivery's
}

/** Where the string whose text begins at `k` closes (its closing quote), -1 at an escape (or none). */
function plainStringEnd(p: Buffer, k: number): number {
  for (; k < p.length; k++) {
    const c = p[k]!;
    if (c === QUOTE) return k;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/** The index after the JSON string that opens at `k` (its quote), escapes passed over; -1 when there is none. */
function stringEnd(p: Buffer, k: number): number {
  if (p[k] !== QUOTE) return -1;
  for (k++; k < p.length; k++) {
    const c = p[k]!;
    if (c === QUOTE) return k + 1;
    if (c === BACKSLASH) k++;
    else if (c < 0x20) return -1;
  }
  return -1;
}

/** True when `p` holds the bytes of `s` at `k`. */
function startsWith(p: Buffer, k: number, s: Buffer): boolean {
  if (k < 0 || k + s.length > p.length) return false;
  for (let i = 0; i < s.length; i++) if (p[k + i] !== s[i]) return false;
  return true;
}

/** The last index of `s` in `p` at or after `from`, -1 when none. */
function lastIndex(p: Buffer, s: Buffer, from: number): number {
  for (let k = p.length - s.length; k >= from; k--) if (p[k] === s[0] && startsWith(p, k, s)) return k;
  return -1;
}
