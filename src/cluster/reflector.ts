/**
 * A reflector keeps a store in step with one API collection, as client-go's does:
 * list (paginated) -> watch from the list's resourceVersion -> on a normal close, watch again
 * from the last seen resourceVersion (bookmarks included) so no event is lost -> on 410 Gone,
 * or when the watch stays silent longer than the watchdog allows, list again and delete what
 * disappeared. Errors back off exponentially with full jitter.
 * Every decision is a pure function in reflector-plan.ts; this file is the I/O loop that performs them.
 */
import type { KubeApi, WatchHandle } from './kube-api.ts';
import type {
  Backoff,
  ReflectorAction,
  ReflectorState,
  RelistReason,
  RestartReason,
  StoreEvent,
  Transition,
  WatchEnd,
} from './reflector-plan.ts';
import * as plan from './reflector-plan.ts';
import { statusCode } from './kube-api.ts';
import type { Logger } from '../observability/logger.ts';

export type { StoreEvent, RelistReason, RestartReason } from './reflector-plan.ts';

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
  /** Called once, when the collection first counts as synced (listed, or optional and unreadable). */
  readonly onSynced?: () => void;
  /** A watch silent (no event, no bookmark) this long is abandoned and the collection relisted. */
  readonly watchdogMs: number;
  readonly pageSize?: number;
  /**
   * An optional collection (a Flux source kind) that cannot be read (403, 404) counts as synced
   * and untracked; a required one (Alerts, Providers, Secrets) stays unsynced and keeps retrying,
   * so the webhook never denies on a view it could not fill.
   */
  readonly optional?: boolean;
  readonly backoff?: Backoff;
  /** Clock (milliseconds) for event ages; defaults to Date.now. */
  readonly now?: () => number;
  /** Source of jitter (0..1) for backoff and watch timeouts; defaults to Math.random. */
  readonly random?: () => number;
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

/** Starts a reflector; it runs until `stop()`. */
export function startReflector(o: ReflectorOptions): Reflector {
  const loop = new ReflectorLoop(o);
  void loop.list('initial');
  return {
    synced: () => loop.state.synced,
    lastEventAgeMs: () => loop.now() - loop.lastEvent,
    unavailable: () => loop.state.unavailable,
    stop: () => loop.stop(),
  };
}

/** The I/O loop: performs list and watch requests and the actions reflector-plan.ts decides. */
class ReflectorLoop {
  state: ReflectorState = plan.INITIAL_STATE;
  /** Keys (`namespace/name`) of the objects applied and not deleted since. */
  private readonly known = new Set<string>();
  readonly now: () => number;
  lastEvent: number;
  private stopped = false;
  private watchHandle: WatchHandle | undefined;
  /** Bumped by each list, watch and stop: callbacks of an older one are ignored. */
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly selectors: Record<string, string>;

  private readonly o: ReflectorOptions;

  constructor(o: ReflectorOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.lastEvent = this.now();
    this.backoff = o.backoff ?? { initialMs: 250, maxMs: 30_000 };
    this.log = o.logger.child({ component: 'reflector', kind: o.kind });
    this.selectors = {
      ...(o.labelSelector ? { labelSelector: o.labelSelector } : {}),
      ...(o.fieldSelector ? { fieldSelector: o.fieldSelector } : {}),
    };
  }

  async list(reason: RelistReason): Promise<void> {
    if (this.stopped) return;
    this.watchHandle?.abort();
    this.generation++;
    this.o.observer.relisted(this.o.kind, reason);
    let read: { listed: Set<string>; resourceVersion: string } | undefined;
    try {
      read = await this.readList();
    } catch (err) {
      const failure = { status: statusCode(err), error: describe(err), path: this.o.path, optional: !!this.o.optional };
      this.perform(plan.listFailed(this.state, failure, this.backoff, this.random()));
      return;
    }
    if (!read) return;
    const { listed, resourceVersion } = read;
    this.perform(plan.listApplied(this.state, this.known, listed, resourceVersion), () => {
      this.lastEvent = this.now();
      this.log.debug({ reason, items: listed.size, resourceVersion }, 'listed');
    });
  }

  /**
   * Reads the list page by page, upserting each page's items as it arrives, so that no more than
   * a page of raw objects is held; returns the keys listed, or undefined once stopped.
   */
  private async readList(): Promise<{ listed: Set<string>; resourceVersion: string } | undefined> {
    let progress = plan.LIST_START;
    let listed = new Set<string>();
    while (!progress.done) {
      const r = await this.o.api.request('GET', this.o.path, {
        accept: this.o.accept,
        query: plan.listQuery(this.selectors, this.o.pageSize ?? 500, progress.cont),
      });
      if (this.stopped) return undefined;
      const next = plan.pageRead(progress, r.status, r.body);
      if ('failed' in next)
        throw Object.assign(new Error(`list ${this.o.path}: ${next.reason}`), { statusCode: next.failed });
      if (next.restarted) listed = new Set();
      for (const item of next.items) listed.add(plan.keyOf(item));
      for (const a of plan.pageApplied(next.items)) this.act(a);
      progress = next.progress;
    }
    return { listed, resourceVersion: progress.resourceVersion };
  }

  async watch(): Promise<void> {
    if (this.stopped) return;
    const mine = ++this.generation;
    this.state = plan.watchStarting(this.state);
    const query = plan.watchQuery(this.selectors, this.state.resourceVersion, this.random());
    try {
      this.watchHandle = await this.o.api.watch(
        this.o.path,
        query,
        {
          onEvent: (type, object) => {
            if (mine !== this.generation) return;
            this.lastEvent = this.now();
            this.o.observer.event(this.o.kind);
            this.perform(plan.watchEvent(this.state, type, object));
          },
          onDone: (err) => {
            if (mine !== this.generation || this.stopped) return;
            this.perform(plan.watchEnded(this.state, this.classify(err), this.backoff, this.random()));
          },
        },
        { accept: this.o.accept, inactivityMs: this.o.watchdogMs },
      );
    } catch (err) {
      if (mine !== this.generation) return;
      this.perform(plan.watchStartFailed(this.state, describe(err), this.backoff, this.random()));
    }
  }

  private classify(err: unknown): WatchEnd {
    if (statusCode(err) === 410) return { kind: 'gone' };
    if ((err as { name?: string } | null)?.name === 'TimeoutError')
      return { kind: 'silent', silentForMs: this.now() - this.lastEvent };
    if (err) return { kind: 'failed', error: describe(err) };
    return { kind: 'closed' };
  }

  /** Adopts the new state, performs the actions, runs `after`, then schedules the next step. */
  private perform(t: Transition, after?: () => void): void {
    const wasSynced = this.state.synced;
    this.state = t.state;
    for (const a of t.actions) this.act(a);
    after?.();
    if (!wasSynced && this.state.synced) this.o.onSynced?.();
    const next = t.next;
    if (!next || this.stopped) return;
    clearTimeout(this.timer);
    if (next.run === 'list') this.timer = setTimeout(() => void this.list(next.reason), next.afterMs);
    else this.timer = setTimeout(() => void this.watch(), next.afterMs);
  }

  private act(a: ReflectorAction): void {
    if (a.type === 'apply') {
      const k = plan.keyOf(a.object);
      if (a.event === 'delete') this.known.delete(k);
      else this.known.add(k);
      this.o.apply(a.event, a.object);
    } else if (a.type === 'restarted') this.o.observer.watchRestarted(this.o.kind, a.reason);
    else this.log[a.level](a.fields, a.msg);
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    clearTimeout(this.timer);
    this.watchHandle?.abort();
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
