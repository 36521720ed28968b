/**
 * Slots per origin: at most `perOrigin` holders at once for each origin; more wait, first come first
 * served, for one to be given back. The Slack sender takes one before it starts a POST (and its
 * timeout), so that no POST waits inside the HTTP agent's pool, where its timeout would already run.
 * A waiter may give up (its signal aborts): it leaves the queue at once, so a slot given back later
 * goes to the next waiter, never to one that is gone. An origin nobody holds or waits for is
 * forgotten, so the table stays as small as what is in flight.
 */

/** The slots of every origin. */
export interface OriginSlots {
  /**
   * Resolves true once the caller holds one of `origin`'s slots, or false when it gave up first:
   * `giveUp` is called only when the caller has to wait (a free slot costs no timer), and the
   * signal it returns, once aborted, ends the wait. A caller given false holds nothing.
   */
  take(origin: string, giveUp?: () => AbortSignal): Promise<boolean>;
  /** Gives back a slot of `origin` (to the first waiting, if any). */
  give(origin: string): void;
  /** How many wait for a slot of `origin`. */
  waiting(origin: string): number;
}

interface Origin {
  held: number;
  /** The waiters in order; each resolves its taker's promise with true (the slot passes to it). */
  readonly waiting: Set<() => void>;
}

export function createOriginSlots(perOrigin: number): OriginSlots {
  const origins = new Map<string, Origin>();
  return {
    take(origin, giveUp) {
      let o = origins.get(origin);
      if (!o) origins.set(origin, (o = { held: 0, waiting: new Set() }));
      if (o.held < perOrigin) {
        o.held++;
        return Promise.resolve(true);
      }
      return wait(o, giveUp?.());
    },
    give(origin) {
      const o = origins.get(origin);
      if (!o) return;
      const next = o.waiting.values().next();
      if (!next.done) return next.value(); // the slot passes on, still held
      if (--o.held === 0) origins.delete(origin);
    },
    waiting: (origin) => origins.get(origin)?.waiting.size ?? 0,
  };
}

/** Queues a taker of `o` until a slot passes to it (true) or `signal` aborts (false, out of the queue). */
function wait(o: Origin, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  const { promise, resolve } = Promise.withResolvers<boolean>();
  const onAbort = () => {
    // Out of the queue: the next slot given back goes to the next waiter. The origin stays known
    // while a slot is held (a waiter exists only when every slot is), and goes with the last give.
    o.waiting.delete(granted);
    resolve(false);
  };
  const granted = () => {
    o.waiting.delete(granted);
    signal?.removeEventListener('abort', onAbort);
    resolve(true);
  };
  o.waiting.add(granted);
  signal?.addEventListener('abort', onAbort, { once: true });
  return promise;
}
