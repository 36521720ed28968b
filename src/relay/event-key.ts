/**
 * The identity of an event, computed as notification-controller computes it: SHA-256 of the
 * involved object's name, namespace and kind, the message, and the originRevision, revision and
 * token metadata of the object's API group when present. Duplicates within the dedup window are
 * answered 429, as notification-controller answers them.
 */
import { createHash } from 'node:crypto';
import { createKeyRing } from './dedup-window.ts';
import type { KeyRingOptions } from './dedup-window.ts';
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
 * time in a typed array beside it), and an index gives each key its place in the ring: evicting
 * the oldest is O(1). (Deleting the front of a Map at every insert, as this did before, left V8's
 * ordered table full of holes that every later walk skipped: once full, 100,000 remembers took 2-6 s.)
 * A key forgotten or remembered again leaves its old place in the ring, which still counts towards
 * `maxEntries` until it is evicted. The keys live in typed arrays (dedup-window.ts: 3.5 MB for
 * 100,000, outside the heap, where a Map of hex strings held 11.9 MB of it). `options` are the
 * ring's (tests home keys where they choose).
 */
export function createDeduplicator(windowMs: number, maxEntries = 100_000, options?: KeyRingOptions): Deduplicator {
  const ring = createKeyRing(maxEntries, options);
  const times = new Float64Array(maxEntries);
  /** Places are counted from 0; `first` is the oldest kept, `next` the one the next key takes. */
  let first = 0;
  let next = 0;
  return {
    isDuplicate(key, nowMs) {
      const slot = ring.find(key);
      return slot !== -1 && nowMs - times[slot]! < windowMs;
    },
    remember(key, nowMs) {
      while (next > first && (next - first >= maxEntries || nowMs - times[first % maxEntries]! >= windowMs))
        ring.drop(first++ % maxEntries);
      const slot = next++ % maxEntries;
      ring.put(slot, key);
      times[slot] = nowMs;
    },
    forget(key) {
      const slot = ring.find(key);
      if (slot !== -1) ring.drop(slot);
    },
  };
}
