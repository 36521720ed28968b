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
 * probing, at most 38 % full, deletion by backward shift, so no tombstones; a key's home a seeded
 * mix of its bytes, `seededHome`) from key to place.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A window's storage: remembers, finds and drops 16-byte keys, each at a place in a ring. */
export interface KeyRing {
  /** The ring slot holding `key` (hex or any string), or -1. */
  find(key: string): number;
  /** Puts `key` in ring slot `slot` (its previous key dropped first), indexed; replaces an indexed equal key's slot. */
  put(slot: number, key: string): void;
  /** Drops the key in ring slot `slot` from the index (no-op when it is not indexed there). */
  drop(slot: number): void;
  /** Index positions looked at by `find`, `put` and `drop` so far: what tests measure probe chains by. */
  probes(): number;
}

/** A key's home in an index of 2^`bits` positions, from the key's first two 32-bit words (little-endian). */
export type HomeOf = (w0: number, w1: number, bits: number) => number;

/** How a ring is made; tests give `homeOf` to place keys at the positions they choose. */
export interface KeyRingOptions {
  readonly homeOf?: HomeOf;
}

/**
 * The default home: the high bits of a mix of the key's first two words with a seed drawn once per
 * process. Event keys are SHA-256 of text any sender writes, so a home read from the key's bytes
 * alone (as it was: its first 4 bytes & mask) let a sender grind keys (64 hashes each) into one
 * probe run, each put and find walking it: 60,000 such keys took 12-16 s of CPU against
 * 60-130 ms for random ones.
 * With the seed unknown, no choice of input places keys together short of matching 64 bits.
 */
export function seededHome(seed: Uint32Array = new Uint32Array(randomBytes(8).buffer)): HomeOf {
  const s0 = seed[0]!;
  const s1 = seed[1]!;
  return (w0, w1, bits) => (Math.imul(w0 ^ s0, 0x9e3779b1) ^ Math.imul(w1 ^ s1, 0x85ebca77)) >>> (32 - bits);
}

/** Index positions for `maxEntries` keys: a power of two at least 2.6 times as many (at most 38 % full). */
export function indexBits(maxEntries: number): number {
  let bits = 3;
  while (2 ** bits < maxEntries * 2.6) bits++;
  return bits;
}

const HEX_KEY = /^[0-9a-f]{64}$/;
const processHome = seededHome();
const scratch = Buffer.alloc(16);

/** Loads `key`'s 16 bytes into `into` as four little-endian words. */
function loadKey(key: string, into: Uint32Array): void {
  if (HEX_KEY.test(key)) scratch.write(key.slice(0, 32), 'hex');
  else createHash('sha256').update(key).digest().copy(scratch, 0, 0, 16);
  for (let w = 0; w < 4; w++) into[w] = scratch.readUInt32LE(w * 4);
}

/**
 * Creates the storage for `maxEntries` keys. A key is its first 16 bytes when it is 64 lowercase hex
 * digits, else the first 16 bytes of its SHA-256: so a string `k` and the hex of sha256(k) are the
 * same key here. That cannot happen in the relay: the event window holds only eventKey's hex, the
 * id window (sender-adopt.ts) only UUIDs, which are hashed.
 */
export function createKeyRing(maxEntries: number, options: KeyRingOptions = {}): KeyRing {
  const homeOf = options.homeOf ?? processHome;
  const words = new Uint32Array(maxEntries * 4);
  const indexed = new Uint8Array(maxEntries);
  const bits = indexBits(maxEntries);
  const mask = 2 ** bits - 1;
  /** Ring slot + 1 at each position, 0 when empty: a new array needs no fill, so its pages stay untouched until used. */
  const index = new Int32Array(mask + 1);
  const probe = new Uint32Array(4);
  let probes = 0;

  /** The index position `w[at]`, `w[at + 1]` (a key's first words) are homed at: one function for finds and moves. */
  const homeAt = (w: Uint32Array, at: number) => homeOf(w[at]!, w[at + 1]!, bits) & mask;
  const same = (slot: number) =>
    words[slot * 4] === probe[0] &&
    words[slot * 4 + 1] === probe[1] &&
    words[slot * 4 + 2] === probe[2] &&
    words[slot * 4 + 3] === probe[3];
  /** The index position holding the loaded key, or the empty position where it would go. */
  const position = () => {
    let i = homeAt(probe, 0);
    for (probes++; index[i] !== 0 && !same(index[i]! - 1); probes++) i = (i + 1) & mask;
    return i;
  };
  /** Empties index position `i`, moving later entries of the same probe run back (no tombstones). */
  const removeAt = (start: number) => {
    let i = start;
    for (let j = (i + 1) & mask; index[j] !== 0; j = (j + 1) & mask) {
      const home = homeAt(words, (index[j]! - 1) * 4);
      // The entry at j may fill i when its home is not in the cyclic interval (i, j].
      const between = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!between) {
        index[i] = index[j]!;
        i = j;
      }
    }
    index[i] = 0;
  };

  const drop = (slot: number) => {
    if (indexed[slot] !== 1) return;
    indexed[slot] = 0;
    probe.set(words.subarray(slot * 4, slot * 4 + 4));
    removeAt(position());
  };
  return {
    find(key) {
      loadKey(key, probe);
      return index[position()]! - 1;
    },
    put(slot, key) {
      drop(slot);
      loadKey(key, probe);
      const i = position();
      if (index[i] !== 0) indexed[index[i]! - 1] = 0;
      words.set(probe, slot * 4);
      index[i] = slot + 1;
      indexed[slot] = 1;
    },
    drop,
    probes: () => probes,
  };
}
