/**
 * The routing gate: events accepted before the cluster view has completed its first list of every
 * kind are held (journaled, answered 202) and routed, in the order they came, once it has. Routing
 * against an incomplete view would match no Alert and drop the event silently; a view that has
 * synced once stays complete (a relist applies page by page but deletes only once the whole list is
 * in, see cluster/reflector.ts), so the gate opens once and closes again only to release an event
 * held just as it opened. Asked while closed, it opens at once when the view has synced and nothing
 * is held or being released, rather than at its next poll.
 */
import type { Logger } from '../observability/logger.ts';

/** A gate in front of routing. */
export interface RoutingGate<T> {
  /** True once the view has synced and every held event has been released. */
  open(): boolean;
  /**
   * Keeps an accepted event until the view has synced. An event seen while the gate was closed may
   * be held after it opened (its journal write took that long): the gate then closes again until
   * that event is released, so nothing stays held.
   */
  hold(item: T): void;
  /** How many events are held. */
  held(): number;
  stop(): void;
}

/** What the gate needs. */
export interface RoutingGateOptions<T> {
  /** True when the view reflects the cluster. */
  readonly synced: () => boolean;
  /** Routes held events; a rejection keeps them held and retries after `retryMs`. */
  readonly release: (items: T[]) => Promise<void>;
  readonly logger: Logger;
  /** How often the view is checked while the gate is closed (default 25 ms). */
  readonly pollMs?: number;
  /** Wait before releasing again after a failed release (default 1 s). */
  readonly retryMs?: number;
  /** Events held before this start (replayed from the journal). */
  readonly initial?: readonly T[];
}

/** Creates the gate; it opens at once when the view is already synced and nothing is held. */
export function createRoutingGate<T>(o: RoutingGateOptions<T>): RoutingGate<T> {
  const queue: T[] = [...(o.initial ?? [])];
  let open = false;
  let stopped = false;
  let releasing = false;
  let timer: NodeJS.Timeout | undefined;

  const later = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), ms);
    timer.unref();
  };

  async function tick(): Promise<void> {
    if (releasing) return; // the release under way takes what is queued meanwhile, in order
    if (!o.synced()) return later(o.pollMs ?? 25);
    while (queue.length > 0 && !stopped) {
      const batch = queue.splice(0);
      releasing = true;
      try {
        await o.release(batch);
        o.logger.info({ events: batch.length }, 'cluster view synced: routed the events held until then');
      } catch (err) {
        queue.unshift(...batch);
        o.logger.error({ err, events: queue.length }, 'routing held events failed; retrying');
        return later(o.retryMs ?? 1_000);
      } finally {
        releasing = false;
      }
    }
    if (!stopped) open = true;
  }

  if (o.synced() && queue.length === 0) open = true;
  else later(0);
  return {
    open() {
      if (!open && !stopped && !releasing && queue.length === 0 && o.synced()) open = true;
      return open;
    },
    hold(item) {
      queue.push(item);
      // The caller saw the gate closed and then journaled the event (an await): if the gate
      // opened meanwhile, nothing would release it. Close it until this event has been routed.
      if (open) {
        open = false;
        later(0);
      }
    },
    held: () => queue.length,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
