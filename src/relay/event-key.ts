/**
 * The identity of an event, computed as notification-controller computes it: SHA-256 of the
 * involved object's name, namespace and kind, the message, and the originRevision, revision and
 * token metadata of the object's API group when present. Duplicates within the dedup window are
 * answered 429, as notification-controller answers them.
 */
import { createHash } from 'node:crypto';
import type { FluxEvent } from './flux-event.ts';
import { involvedGroup } from './flux-event.ts';

/** The hex SHA-256 event key. */
export function eventKey(e: FluxEvent): string {
  const group = involvedGroup(e);
  const parts = [
    'event',
    `name=${e.involvedObject.name}`,
    `namespace=${e.involvedObject.namespace}`,
    `kind=${e.involvedObject.kind}`,
    `message=${e.message}`,
  ];
  for (const [label, key] of [
    ['originRevision', 'originRevision'],
    ['revision', 'revision'],
    ['token', 'token'],
  ] as const) {
    const v = e.metadata?.[`${group}/${key}`];
    if (v !== undefined) parts.push(`${label}=${v}`);
  }
  return createHash('sha256').update(parts.join('/')).digest('hex');
}

/** Remembers keys for `windowMs`; `seen` answers whether a key was seen within the window. */
export interface Deduplicator {
  /** True when `key` was accepted within the window (then the event is a duplicate). */
  isDuplicate(key: string, nowMs: number): boolean;
  /** Records `key` as accepted at `nowMs`. */
  remember(key: string, nowMs: number): void;
  /** Forgets `key` (an accept that could not be journaled). */
  forget(key: string): void;
}

/**
 * A bounded in-memory deduplicator; entries expire after `windowMs`, and at most `maxEntries` are
 * kept (the oldest go first). Keys are kept in the order they were remembered in a ring (their
 * time in a typed array beside it), and the map gives each key its place in the ring: evicting the
 * oldest is O(1). (Deleting the front of a Map at every insert, as this did before, left V8's
 * ordered table full of holes that every later walk skipped: once full, 100,000 remembers took 2-6 s.)
 * A key forgotten or remembered again leaves its old place in the ring, which still counts towards
 * `maxEntries` until it is evicted. A hex SHA-256 key is held as its first 16 bytes in a 16-character
 * one-byte string (`heldKey`): 100,000 keys took 11.9 MB of heap as hex, 7.4 MB so (measured with a
 * forced GC; the largest item a storm adds to the relay's heap, docs/relay.md "Storms"), and 128 bits
 * make a collision, which would answer a new event 429, as unlikely as with all 256.
 */
export function createDeduplicator(windowMs: number, maxEntries = 100_000): Deduplicator {
  const placeOf = new Map<string, number>();
  const keys: (string | undefined)[] = new Array<string | undefined>(maxEntries);
  const times = new Float64Array(maxEntries);
  /** Places are counted from 0; `first` is the oldest kept, `next` the one the next key takes. */
  let first = 0;
  let next = 0;
  const evictOldest = () => {
    const slot = first % maxEntries;
    const key = keys[slot]!;
    if (placeOf.get(key) === first) placeOf.delete(key);
    keys[slot] = undefined;
    first++;
  };
  return {
    isDuplicate(hex, nowMs) {
      const place = placeOf.get(heldKey(hex));
      return place !== undefined && nowMs - times[place % maxEntries]! < windowMs;
    },
    remember(hex, nowMs) {
      const key = heldKey(hex);
      while (next > first && (next - first >= maxEntries || nowMs - times[first % maxEntries]! >= windowMs))
        evictOldest();
      const slot = next % maxEntries;
      keys[slot] = key;
      times[slot] = nowMs;
      placeOf.set(key, next++);
    },
    forget(hex) {
      placeOf.delete(heldKey(hex));
    },
  };
}

/** A 64-digit hex key as its first 16 bytes, one character each (latin1); any other key as it is. */
export function heldKey(key: string): string {
  if (key.length !== 64) return key;
  const bytes = Buffer.from(key, 'hex');
  return bytes.length === 32 ? bytes.toString('latin1', 0, 16) : key;
}
