/**
 * Slots per origin: at most `perOrigin` holders at once for each origin; more wait, first come first
 * served, for one to be given back. The Slack sender takes one before it starts a POST (and its
 * timeout), so that no POST waits inside undici's pool, where its timeout would already run.
 * An origin nobody holds or waits for is forgotten, so the table stays as small as what is in flight.
 */

/** The slots of every origin. */
export interface OriginSlots {
  /** Resolves once the caller holds one of `origin`'s slots. */
  take(origin: string): Promise<void>;
  /** Gives back a slot of `origin` (to the first waiting, if any). */
  give(origin: string): void;
}

export function createOriginSlots(perOrigin: number): OriginSlots {
  const origins = new Map<string, { held: number; waiting: (() => void)[] }>();
  return {
    take(origin) {
      let o = origins.get(origin);
      if (!o) origins.set(origin, (o = { held: 0, waiting: [] }));
      if (o.held < perOrigin) {
        o.held++;
        return Promise.resolve();
      }
      const { promise, resolve } = Promise.withResolvers<void>();
      o.waiting.push(resolve);
      return promise;
    },
    give(origin) {
      const o = origins.get(origin);
      if (!o) return;
      const next = o.waiting.shift();
      if (next) return next(); // the slot passes on, still held
      if (--o.held === 0) origins.delete(origin);
    },
  };
}
