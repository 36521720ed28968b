/**
 * Accept records written twice, found by replay's first pass (journal-replay.ts). A compaction
 * plans its rewrite from the state in one turn (compaction.ts), and an accept is in the state
 * before its append is written (relay-accept.ts): an append still queued then is in the rewrite
 * AND written after it, so the file holds its accept record twice. Folded through the reducer,
 * the second copy supersedes the first (journal-state.ts `acceptEvent`): a no-op, since nothing of
 * the event can come before its append is acknowledged. Spilled, each copy would be a reference,
 * and each delivery would go out twice. So replay folds whole every accept whose id is seen twice.
 * Pass 1 keeps a 53-bit hash of each accept's id (8 bytes a record, dropped after replay), not
 * the ids: a collision only folds two events whole that could have been spilled.
 */

/** The hash of the id of the accept record `payload` (a record's JSON, written by relay-accept.ts: `t`, `id`, `at`, ...). */
export function acceptIdHash(payload: Buffer, from: number): number {
  let end = payload.indexOf(',"at":', from);
  if (end < 0) end = payload.length;
  // FNV-1a (32 bits) and a multiplicative hash (21 bits), combined below 2^53.
  let a = 0x811c9dc5;
  let b = 7;
  for (let k = from; k < end; k++) {
    const c = payload[k]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b, 31) + c;
  }
  return (a >>> 0) * 0x200000 + (b & 0x1fffff);
}

/** Collects accept ids' hashes; `repeated` answers which of them were seen more than once. */
export function repeatFinder() {
  let hashes = new Float64Array(1024);
  let n = 0;
  return {
    add(hash: number): void {
      if (n === hashes.length) {
        const grown = new Float64Array(hashes.length * 2);
        grown.set(hashes);
        hashes = grown;
      }
      hashes[n++] = hash;
    },
    /** The hashes seen twice or more (usually none); the collected hashes are dropped. */
    repeated(): Set<number> {
      const all = hashes.subarray(0, n).sort();
      const twice = new Set<number>();
      for (let k = 1; k < all.length; k++) if (all[k] === all[k - 1]) twice.add(all[k]!);
      hashes = new Float64Array(0);
      n = 0;
      return twice;
    },
  };
}
