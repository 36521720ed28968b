/**
 * The accounting of a digest: which deliveries it absorbed, in a size that does not grow with
 * their number. Delivery ids are random (`<uuid>:<index>`, relay.ts), so no range can name them;
 * the digest keeps their count, the first few ids as they are, and a fingerprint of the whole
 * multiset: a 128-bit hash of each id (bryc's public-domain cyrb128: four 32-bit lanes), each lane
 * summed modulo 2^32. The sum does not depend on the order of folding and counts an id folded twice
 * twice; two different sets of ids (not chosen to collide: this is accounting, not security) give
 * the same fingerprint by chance alone. SHA-256 would do the same at ten times the cost (a million
 * folds took 5 s of hashing on the CI machine; cyrb128, under half a second). Whoever settles the
 * deliveries (the journal's reducer) can check with `accountsFor` that the deliveries it marks
 * "delivered inside digest <id>" are exactly the ones the digest says it holds.
 */
/** Ids listed as they are (the rest are in the count and the fingerprint only). */
export const MAX_LISTED_IDS = 32;
/** An id longer than this (UTF-16 units) is counted and fingerprinted, never listed. */
export const MAX_LISTED_ID_LENGTH = 80;

/** The ids a digest absorbed. */
export interface DigestIds {
  /** How many ids were folded (an id folded twice counts twice). */
  count: number;
  /** The first MAX_LISTED_IDS ids of at most MAX_LISTED_ID_LENGTH, in folding order. */
  readonly listed: string[];
  /** The fingerprint of every id folded: four lanes, each a sum modulo 2^32. */
  readonly sum: [number, number, number, number];
}

/** No id. */
export function emptyIds(): DigestIds {
  return { count: 0, listed: [], sum: [0, 0, 0, 0] };
}

/** Adds `id` to `ids` (mutated and returned). */
export function addId(ids: DigestIds, id: string): DigestIds {
  const h = cyrb128(id);
  for (let lane = 0; lane < 4; lane++) ids.sum[lane] = (ids.sum[lane]! + h[lane]!) >>> 0;
  ids.count++;
  if (ids.listed.length < MAX_LISTED_IDS && id.length <= MAX_LISTED_ID_LENGTH) ids.listed.push(id);
  return ids;
}

/** The accounting of `ids` folded in any order. */
export function idsOf(ids: Iterable<string>): DigestIds {
  const out = emptyIds();
  for (const id of ids) addId(out, id);
  return out;
}

/** True when `ids` are exactly the ids the digest absorbed (as a multiset, in any order). */
export function accountsFor(digest: DigestIds, ids: Iterable<string>): boolean {
  const other = idsOf(ids);
  return other.count === digest.count && other.sum.every((lane, i) => lane === digest.sum[i]);
}

/** bryc's cyrb128 (github.com/bryc/code, public domain): a 128-bit string hash as four 32-bit lanes. */
function cyrb128(s: string): [number, number, number, number] {
  let [h1, h2, h3, h4] = [1779033703, 3144134277, 1013904242, 2773480762];
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  return [h1 >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0];
}
