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

/** A bounded in-memory deduplicator; entries expire after `windowMs`. */
export function createDeduplicator(windowMs: number, maxEntries = 100_000): Deduplicator {
  const seen = new Map<string, number>();
  return {
    isDuplicate(key, nowMs) {
      const at = seen.get(key);
      return at !== undefined && nowMs - at < windowMs;
    },
    remember(key, nowMs) {
      seen.delete(key);
      seen.set(key, nowMs);
      // Map iteration is insertion order: the oldest entries go first.
      for (const [k, at] of seen) {
        if (seen.size <= maxEntries && nowMs - at < windowMs) break;
        seen.delete(k);
      }
    },
    forget(key) {
      seen.delete(key);
    },
  };
}
