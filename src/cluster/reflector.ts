/**
 * A reflector keeps a store in step with one API collection, as client-go's does:
 * list (paginated) -> watch from the list's resourceVersion -> on a normal close, watch again
 * from the last seen resourceVersion (bookmarks included) so no event is lost -> on 410 Gone,
 * or when the watch stays silent longer than the watchdog allows, list again and delete what
 * disappeared. Errors back off exponentially with full jitter.
 */
import type { KubeApi, WatchHandle } from './kube-api.ts';
import { statusCode } from './kube-api.ts';
import type { Logger } from '../observability/logger.ts';

/** A store event. */
export type StoreEvent = 'upsert' | 'delete';

/** Why a reflector listed again or restarted its watch (metric label values). */
export type RelistReason = 'initial' | 'expired' | 'watchdog' | 'error';
export type RestartReason = 'closed' | 'error';

/** Observer for metrics. */
export interface ReflectorObserver {
  relisted(kind: string, reason: RelistReason): void;
  watchRestarted(kind: string, reason: RestartReason): void;
  event(kind: string): void;
}

/** What a reflector watches and where its objects go. */
export interface ReflectorOptions {
  /** Label for logs and metrics: `Alert`, `Secret`, `Kustomization`. */
  readonly kind: string;
  /** Collection path, e.g. `/apis/notification.toolkit.fluxcd.io/v1beta3/alerts`. */
  readonly path: string;
  readonly accept?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly api: KubeApi;
  readonly logger: Logger;
  readonly observer: ReflectorObserver;
  /** Receives each object; `delete` for objects gone. Must not keep a reference it does not need. */
  readonly apply: (event: StoreEvent, obj: Record<string, unknown>) => void;
  /** A watch silent (no event, no bookmark) this long is abandoned and the collection relisted. */
  readonly watchdogMs: number;
  readonly pageSize?: number;
  /**
   * An optional collection (a Flux source kind) that cannot be read (403, 404) counts as synced
   * and untracked; a required one (Alerts, Providers, Secrets) stays unsynced and keeps retrying,
   * so the webhook never denies on a view it could not fill.
   */
  readonly optional?: boolean;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/** A running reflector. */
export interface Reflector {
  /** True once the first list has been applied. */
  synced(): boolean;
  /** Milliseconds since the last event or bookmark (or since the last list). */
  lastEventAgeMs(): number;
  /** Set when the collection cannot be read at all (403, 404): the kind is then not tracked. */
  unavailable(): number | undefined;
  stop(): void;
}

interface Meta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}
interface ListBody {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: Record<string, unknown>[];
}

const metaOf = (o: Record<string, unknown>) => (o['metadata'] ?? {}) as Meta;
const keyOf = (o: Record<string, unknown>) => `${metaOf(o).namespace ?? ''}/${metaOf(o).name ?? ''}`;
/** The object a delete is applied with, from its key (neither a namespace nor a name holds '/'). */
const stubOf = (k: string): Record<string, unknown> => {
  const slash = k.indexOf('/');
  return { metadata: { name: k.slice(slash + 1), namespace: k.slice(0, slash) } };
};

/** Starts a reflector; it runs until `stop()`. */
export function startReflector(o: ReflectorOptions): Reflector {
  const backoff = o.backoff ?? { initialMs: 250, maxMs: 30_000 };
  /** Keys (`namespace/name`) of the objects applied and not deleted since. */
  const known = new Set<string>();
  let resourceVersion = '';
  let synced = false;
  let stopped = false;
  let unavailable: number | undefined;
  let lastEvent = Date.now();
  let attempt = 0;
  let watch: WatchHandle | undefined;
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;
  const log = o.logger.child({ component: 'reflector', kind: o.kind });

  const selectors = (): Record<string, string> => ({
    ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
    ...(o.fieldSelector ? { fieldSelector: o.fieldSelector } : {}),
  });

  const later = (fn: () => void, ms: number) => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
  const backoffMs = () => Math.random() * Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt++);

  async function list(reason: RelistReason): Promise<void> {
    if (stopped) return;
    watch?.abort();
    generation++;
    o.observer.relisted(o.kind, reason);
    try {
      const items: Record<string, unknown>[] = [];
      let cont = '';
      let rv = '';
      do {
        const r = await o.api.request('GET', o.path, {
          accept: o.accept,
          query: { ...selectors(), limit: String(o.pageSize ?? 500), ...(cont ? { continue: cont } : {}) },
        });
        if (r.status === 410 && cont) {
          // The continue token expired mid-list: start the list again.
          items.length = 0;
          cont = '';
          continue;
        }
        if (r.status !== 200)
          throw Object.assign(new Error(`list ${o.path}: HTTP ${r.status}`), { statusCode: r.status });
        const body = r.body as ListBody;
        for (const item of body.items ?? []) items.push(item);
        cont = body.metadata?.continue ?? '';
        rv = body.metadata?.resourceVersion ?? '';
      } while (cont);
      if (stopped) return;
      // The whole list is applied in one step (the relay's routing gate relies on it: a view that
      // has synced never shows a half-applied relist).
      const listed = new Set<string>();
      for (const item of items) {
        const k = keyOf(item);
        listed.add(k);
        known.add(k);
        o.apply('upsert', item);
      }
      for (const k of known) {
        if (!listed.has(k)) {
          known.delete(k);
          o.apply('delete', stubOf(k));
        }
      }
      resourceVersion = rv;
      synced = true;
      unavailable = undefined;
      lastEvent = Date.now();
      attempt = 0;
      log.debug({ reason, items: items.length, resourceVersion }, 'listed');
      void startWatch();
    } catch (err) {
      const code = statusCode(err);
      if ((code === 403 || code === 404) && o.optional) {
        // Not allowed or not served: the kind is not tracked (rules then say nothing about it).
        unavailable = code;
        synced = true;
        log.warn({ status: code, path: o.path }, 'collection cannot be read; this kind is not tracked');
        later(() => void list('error'), Math.max(backoff.maxMs, 60_000));
        return;
      }
      log.warn({ err: describe(err), status: code }, 'list failed; retrying');
      later(() => void list('error'), backoffMs());
    }
  }

  async function startWatch(): Promise<void> {
    if (stopped) return;
    const mine = ++generation;
    let expired = false;
    const query = {
      ...selectors(),
      allowWatchBookmarks: 'true',
      resourceVersion,
      timeoutSeconds: String(240 + Math.floor(Math.random() * 120)),
    };
    try {
      watch = await o.api.watch(
        o.path,
        query,
        {
          onEvent(type, object) {
            if (mine !== generation) return;
            lastEvent = Date.now();
            o.observer.event(o.kind);
            if (type === 'ERROR') {
              const code = (object as { code?: number }).code;
              if (code === 410) expired = true;
              log.debug({ code, reason: (object as { reason?: string }).reason }, 'watch error event');
              return;
            }
            const rv = metaOf(object).resourceVersion;
            if (rv) resourceVersion = rv;
            if (type === 'BOOKMARK') return;
            attempt = 0;
            const k = keyOf(object);
            if (type === 'DELETED') {
              known.delete(k);
              o.apply('delete', object);
            } else if (type === 'ADDED' || type === 'MODIFIED') {
              known.add(k);
              o.apply('upsert', object);
            }
          },
          onDone(err) {
            if (mine !== generation || stopped) return;
            if (expired || statusCode(err) === 410) {
              later(() => void list('expired'), 0);
            } else if ((err as { name?: string } | null)?.name === 'TimeoutError') {
              log.warn(
                { silentForMs: Date.now() - lastEvent },
                'watch delivered neither events nor bookmarks; relisting',
              );
              later(() => void list('watchdog'), 0);
            } else if (err) {
              o.observer.watchRestarted(o.kind, 'error');
              log.info({ err: describe(err) }, 'watch failed; reconnecting');
              later(() => void startWatch(), backoffMs());
            } else {
              o.observer.watchRestarted(o.kind, 'closed');
              later(() => void startWatch(), 0);
            }
          },
        },
        { accept: o.accept, inactivityMs: o.watchdogMs },
      );
    } catch (err) {
      if (mine !== generation) return;
      o.observer.watchRestarted(o.kind, 'error');
      later(() => void startWatch(), backoffMs());
      log.info({ err: describe(err) }, 'watch could not start; retrying');
    }
  }

  void list('initial');
  return {
    synced: () => synced,
    lastEventAgeMs: () => Date.now() - lastEvent,
    unavailable: () => unavailable,
    stop() {
      stopped = true;
      generation++;
      clearTimeout(timer);
      watch?.abort();
    },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
