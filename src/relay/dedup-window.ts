/**
 * The dedup window's memory (event-key.ts `createDeduplicator`): at most `maxEntries` event keys
 * with the time each was accepted, held in typed arrays, not in a Map of strings. A storm fills
 * the window (100,000 keys) and then replaces it as fast as events come; as a Map of hex strings
 * it was the largest item a storm added to the relay's heap (11.9 MB live, and a 3.6 MB hash table
 * dropped for garbage at each rehash, which a Map under steady deletes and inserts does every
 * few tens of thousands of inserts; docs/relay.md, "Storms"). Here it is 3.5 MB outside the heap,
 * allocated once: each key's first 16 bytes (a SHA-256 is uniform; 128 bits make a false
 * duplicate, which would answer a new event 429, as unlikely as with all 256), a ring of places in
 * the order keys were remembered (oldest evicted first, O(1)), and an open-addressing index (linear
 * probing, at most 38 % full, deletion by backward shift, so no tombstones) from key to place.
 */
import { createHash } from 'node:crypto';

/** A window's storage: remembers, finds and drops 16-byte keys, each at a place in a ring. */
export interface KeyRing {
  /** The ring slot holding `key` (hex or any string), or -1. */
  find(key: string): number;
  /** Puts `key` in ring slot `slot` (its previous key dropped first), indexed; replaces an indexed equal key's slot. */
  put(slot: number, key: string): void;
  /** Drops the key in ring slot `slot` from the index (no-op when it is not indexed there). */
  drop(slot: number): void;
}

const HEX_KEY = /^[0-9a-f]{64}$/;

/** Creates the storage for `maxEntries` keys. */
export function createKeyRing(maxEntries: number): KeyRing {
  const words = new Uint32Array(maxEntries * 4);
  const indexed = new Uint8Array(maxEntries);
  let size = 8;
  while (size < maxEntries * 2.6) size *= 2;
  const mask = size - 1;
  const index = new Int32Array(size).fill(-1);
  const scratch = Buffer.alloc(16);
  const probe = new Uint32Array(4);

  /** Loads `key`'s 16 bytes into `probe`. */
  const load = (key: string) => {
    if (HEX_KEY.test(key)) scratch.write(key.slice(0, 32), 'hex');
    else createHash('sha256').update(key).digest().copy(scratch, 0, 0, 16);
    for (let w = 0; w < 4; w++) probe[w] = scratch.readUInt32LE(w * 4);
  };
  const same = (slot: number) =>
    words[slot * 4] === probe[0] &&
    words[slot * 4 + 1] === probe[1] &&
    words[slot * 4 + 2] === probe[2] &&
    words[slot * 4 + 3] === probe[3];
  /** The index position holding the loaded key, or the empty position where it would go. */
  const position = () => {
    let i = probe[0]! & mask;
    while (index[i] !== -1 && !same(index[i]!)) i = (i + 1) & mask;
    return i;
  };
  /** Empties index position `i`, moving later entries of the same probe run back (no tombstones). */
  const removeAt = (start: number) => {
    let i = start;
    for (let j = (i + 1) & mask; index[j] !== -1; j = (j + 1) & mask) {
      const home = words[index[j]! * 4]! & mask;
      // The entry at j may fill i when its home is not in the cyclic interval (i, j].
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        index[i] = index[j]!;
        i = j;
      }
    }
    index[i] = -1;
  };

  const drop = (slot: number) => {
    if (indexed[slot] !== 1) return;
    indexed[slot] = 0;
    probe.set(words.subarray(slot * 4, slot * 4 + 4));
    removeAt(position());
  };
  return {
    find(key) {
      load(key);
      return index[position()]!;
    },
    put(slot, key) {
      drop(slot);
      load(key);
      const i = position();
      if (index[i] !== -1) indexed[index[i]!] = 0;
      words.set(probe, slot * 4);
      index[i] = slot;
      indexed[slot] = 1;
    },
    drop,
  };
}
