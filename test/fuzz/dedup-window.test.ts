/**
 * Property: the deduplicator in typed arrays (event-key.ts over dedup-window.ts) answers every
 * `isDuplicate` as the Map-based one it replaced (6400f90, copied below) answers it, after any
 * sequence of remembers, forgets and times (which may go back), at capacities 1-13 (indexes of 8,
 * 16, 32 and 64 positions) and windows of 1-20 ms. Keys: strings that are not hex (held by their
 * SHA-256), random hex keys, and hex keys homed (an injected home: their first word) at the last
 * two and first two positions of the index, so runs wrap around its end and drops shift entries
 * back across it; a case in four uses the process's seeded home instead. After each step every
 * key of the case is asked. `npm run fuzz` runs 100,000 cases (about 3 minutes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { indexBits } from '../../src/relay/dedup-window.ts';
import { createDeduplicator } from '../../src/relay/event-key.ts';
import type { Deduplicator } from '../../src/relay/event-key.ts';
import { fuzzRuns, fuzzSeed } from './fuzz-settings.ts';

/** The Map-based deduplicator of 6400f90 (src/relay/event-key.ts), its logic verbatim. */
function mapDeduplicator(windowMs: number, maxEntries: number): Deduplicator {
  const placeOf = new Map<string, number>();
  const keys: (string | undefined)[] = new Array<string | undefined>(maxEntries);
  const times = new Float64Array(maxEntries);
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
    isDuplicate(key, nowMs) {
      const place = placeOf.get(key);
      return place !== undefined && nowMs - times[place % maxEntries]! < windowMs;
    },
    remember(key, nowMs) {
      while (next > first && (next - first >= maxEntries || nowMs - times[first % maxEntries]! >= windowMs))
        evictOldest();
      const slot = next % maxEntries;
      keys[slot] = key;
      times[slot] = nowMs;
      placeOf.set(key, next++);
    },
    forget(key) {
      placeOf.delete(key);
    },
  };
}

/** A key of the pool: not hex, random hex, or hex with first word `size - 2 + at` (the index's end and start; `+ size` keeps the position but not the key). */
const anyKey = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), n: fc.nat(1000) }),
  fc.record({ kind: fc.constant('random' as const), n: fc.nat(1000) }),
  fc.record({ kind: fc.constant('wrap' as const), n: fc.nat(3), at: fc.nat(3), high: fc.boolean() }),
);
type AnyKey = typeof anyKey extends fc.Arbitrary<infer K> ? K : never;

function keyOf(k: AnyKey, size: number): string {
  if (k.kind === 'text') return `k${k.n}`;
  if (k.kind === 'random') return createHash('sha256').update(`r${k.n}`).digest('hex');
  const b = Buffer.alloc(32, 0xee);
  b.writeUInt32LE(((size - 2 + k.at) % size) + (k.high ? size : 0), 0);
  b.writeUInt32LE(k.n, 4);
  return b.toString('hex');
}

const anyStep = fc.record({
  op: fc.constantFrom('remember', 'remember', 'remember', 'forget', 'ask'),
  key: fc.nat(),
  dt: fc.integer({ min: -2, max: 3 }),
});

const anyCase = fc.record({
  capacity: fc.integer({ min: 1, max: 13 }),
  windowMs: fc.integer({ min: 1, max: 20 }),
  seeded: fc.nat(3).map((n) => n === 0),
  pool: fc.array(anyKey, { minLength: 1, maxLength: 40, size: 'max' }),
  steps: fc.array(anyStep, { minLength: 10, maxLength: 150, size: 'max' }),
});

test('property: the typed-array deduplicator answers as the Map-based one it replaced', (t) => {
  let duplicates = 0;
  fc.assert(
    fc.property(anyCase, ({ capacity, windowMs, seeded, pool, steps }) => {
      const size = 2 ** indexBits(capacity);
      const keys = [...new Set(pool.map((k) => keyOf(k, size)))];
      const homeOf = seeded ? undefined : (w0: number) => w0;
      const [old, now] = [mapDeduplicator(windowMs, capacity), createDeduplicator(windowMs, capacity, { homeOf })];
      let time = 0;
      steps.forEach(({ op, key: n, dt }, step) => {
        const key = keys[n % keys.length]!;
        time += dt;
        if (op === 'remember') [old, now].forEach((d) => d.remember(key, time));
        if (op === 'forget') [old, now].forEach((d) => d.forget(key));
        for (const k of keys) {
          const expected = old.isDuplicate(k, time);
          assert.equal(now.isDuplicate(k, time), expected, `step ${step}: ${k} at ${time}`);
          if (expected) duplicates++;
        }
      });
    }),
    { numRuns: fuzzRuns(1000), seed: fuzzSeed(t) },
  );
  assert.ok(duplicates > 0);
});
