/**
 * The reflector's bookkeeping as pure functions (state, input) -> (state, actions): which
 * resourceVersion to resume from, what a list or a watch event changes in the store, and what to
 * do when a list fails or a watch ends (relist on 410 Gone or a silent watch, reconnect on a
 * normal close, back off exponentially with full jitter on errors). reflector.ts performs the
 * actions; nothing here reads a clock, a random source or the network.
 */

/** A store event. */
export type StoreEvent = 'upsert' | 'delete';

/** Why a reflector listed again or restarted its watch (metric label values). */
export type RelistReason = 'initial' | 'expired' | 'watchdog' | 'error';
export type RestartReason = 'closed' | 'error';

/** Exponential backoff bounds. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** What a reflector remembers between steps (the store's keys are kept by the executor). */
export interface ReflectorState {
  /** The resourceVersion the next watch resumes from (the list's, then the last event's or bookmark's). */
  readonly resourceVersion: string;
  /** True once a list has been applied (or an optional collection found unreadable). */
  readonly synced: boolean;
  /** The HTTP status when an optional collection cannot be read (403, 404). */
  readonly unavailable: number | undefined;
  /** Consecutive failures, the exponent of the next backoff. */
  readonly attempt: number;
  /** The current watch delivered an ERROR event with code 410: relist when it ends. */
  readonly expired: boolean;
}

/** The state a reflector starts in. */
export const INITIAL_STATE: ReflectorState = {
  resourceVersion: '',
  synced: false,
  unavailable: undefined,
  attempt: 0,
  expired: false,
};

/** What to run next, and after how long. */
export type NextStep =
  | { readonly run: 'list'; readonly reason: RelistReason; readonly afterMs: number }
  | { readonly run: 'watch'; readonly afterMs: number };

/** An effect for the executor. */
export type ReflectorAction =
  | { readonly type: 'apply'; readonly event: StoreEvent; readonly object: Record<string, unknown> }
  | { readonly type: 'restarted'; readonly reason: RestartReason }
  | {
      readonly type: 'log';
      readonly level: 'debug' | 'info' | 'warn';
      readonly fields: Record<string, unknown>;
      readonly msg: string;
    };

/** The outcome of one step. */
export interface Transition {
  readonly state: ReflectorState;
  readonly actions: readonly ReflectorAction[];
  readonly next?: NextStep;
}

/** How a watch ended, as the executor classifies it (classifyWatchEnd). */
export type WatchEnd =
  | { readonly kind: 'gone' }
  | { readonly kind: 'silent'; readonly silentForMs: number }
  | { readonly kind: 'failed'; readonly error: string }
  | { readonly kind: 'closed' };

interface Meta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}

const metaOf = (o: Record<string, unknown>) => (o['metadata'] ?? {}) as Meta;
/** The store key of an object: `namespace/name`. */
export const keyOf = (o: Record<string, unknown>): string => `${metaOf(o).namespace ?? ''}/${metaOf(o).name ?? ''}`;
/** The object a delete is applied with, from its key (neither a namespace nor a name holds '/'). */
export const stubOf = (k: string): Record<string, unknown> => {
  const slash = k.indexOf('/');
  return { metadata: { name: k.slice(slash + 1), namespace: k.slice(0, slash) } };
};

/** A list read page by page: the continue token and the list's resourceVersion so far. */
export interface ListProgress {
  readonly cont: string;
  readonly resourceVersion: string;
  /** True when the last page has been read. */
  readonly done: boolean;
}

/** Before the first page. */
export const LIST_START: ListProgress = { cont: '', resourceVersion: '', done: false };

/** The query of one list page. */
export function listQuery(selectors: Record<string, string>, pageSize: number, cont: string): Record<string, string> {
  return { ...selectors, limit: String(pageSize), ...(cont ? { continue: cont } : {}) };
}

/** A page read: its items (upserted at once, so a list never holds more than a page) and what comes next. */
export interface PageRead {
  readonly progress: ListProgress;
  readonly items: readonly Record<string, unknown>[];
  /** The continue token expired: the list starts again from its first page, and the keys listed so far are forgotten. */
  readonly restarted: boolean;
}

/**
 * One page answered: its items and the next step, or start the list again from the first page
 * when the continue token expired (410 on a continued page); any other non-200, or a body that is
 * not an object, fails the list (never applied as an empty list, which would delete the whole store).
 */
export function pageRead(
  progress: ListProgress,
  status: number,
  body: unknown,
): PageRead | { readonly failed: number | undefined; readonly reason: string } {
  if (status === 410 && progress.cont) return { progress: LIST_START, items: [], restarted: true };
  if (status !== 200) return { failed: status, reason: `HTTP ${status}` };
  if (typeof body !== 'object' || body === null) return { failed: undefined, reason: 'the answer is not a list' };
  const b = body as { metadata?: { resourceVersion?: string; continue?: string }; items?: Record<string, unknown>[] };
  const cont = b.metadata?.continue ?? '';
  return {
    progress: { cont, resourceVersion: b.metadata?.resourceVersion ?? '', done: cont === '' },
    items: b.items ?? [],
    restarted: false,
  };
}

/** A page's items as upserts. */
export function pageApplied(items: readonly Record<string, unknown>[]): ReflectorAction[] {
  return items.map((object) => ({ type: 'apply', event: 'upsert', object }));
}

/** Full-jitter backoff: `jitter` (0..1) times min(max, initial * 2^attempt); the attempt counts up. */
export function backoffStep(state: ReflectorState, backoff: Backoff, jitter: number) {
  const delayMs = jitter * Math.min(backoff.maxMs, backoff.initialMs * 2 ** state.attempt);
  return { state: { ...state, attempt: state.attempt + 1 }, delayMs };
}

/**
 * A complete list (every page) was read, its items upserted page by page: delete what the store
 * holds and the list did not name (only now, so neither a failed nor a restarted list ever deletes,
 * and a relist never leaves out an object that exists), sync, and resume watching from the list's
 * resourceVersion.
 */
export function listApplied(
  state: ReflectorState,
  known: ReadonlySet<string>,
  listed: ReadonlySet<string>,
  resourceVersion: string,
): Transition {
  const actions: ReflectorAction[] = [];
  for (const k of known) if (!listed.has(k)) actions.push({ type: 'apply', event: 'delete', object: stubOf(k) });
  return {
    state: { ...state, resourceVersion, synced: true, unavailable: undefined, attempt: 0 },
    actions,
    next: { run: 'watch', afterMs: 0 },
  };
}

/**
 * A list failed with HTTP `status` (undefined for a network error). An optional collection that
 * cannot be read (403, 404) counts as synced and untracked and is retried after a minute or more;
 * anything else is retried after a backoff.
 */
export function listFailed(
  state: ReflectorState,
  failure: { status: number | undefined; error: string; path: string; optional: boolean },
  backoff: Backoff,
  jitter: number,
): Transition {
  const { status, optional } = failure;
  if ((status === 403 || status === 404) && optional) {
    return {
      state: { ...state, unavailable: status, synced: true },
      actions: [log('warn', { status, path: failure.path }, 'collection cannot be read; this kind is not tracked')],
      next: { run: 'list', reason: 'error', afterMs: Math.max(backoff.maxMs, 60_000) },
    };
  }
  const b = backoffStep(state, backoff, jitter);
  return {
    state: b.state,
    actions: [log('warn', { err: failure.error, status }, 'list failed; retrying')],
    next: { run: 'list', reason: 'error', afterMs: b.delayMs },
  };
}

/** A watch is about to start: forget the previous watch's 410. */
export function watchStarting(state: ReflectorState): ReflectorState {
  return state.expired ? { ...state, expired: false } : state;
}

/**
 * One watch event: an ERROR with code 410 marks the watch expired; a BOOKMARK only advances the
 * resourceVersion; ADDED/MODIFIED upsert and DELETED deletes, and reset the backoff.
 */
export function watchEvent(state: ReflectorState, type: string, object: Record<string, unknown>): Transition {
  if (type === 'ERROR') {
    const { code, reason } = object as { code?: number; reason?: string };
    return {
      state: code === 410 ? { ...state, expired: true } : state,
      actions: [log('debug', { code, reason }, 'watch error event')],
    };
  }
  const rv = metaOf(object).resourceVersion;
  const advanced = rv ? { ...state, resourceVersion: rv } : state;
  if (type === 'BOOKMARK') return { state: advanced, actions: [] };
  const next = advanced.attempt === 0 ? advanced : { ...advanced, attempt: 0 };
  if (type === 'DELETED') return { state: next, actions: [{ type: 'apply', event: 'delete', object }] };
  if (type === 'ADDED' || type === 'MODIFIED')
    return { state: next, actions: [{ type: 'apply', event: 'upsert', object }] };
  return { state: next, actions: [] };
}

/**
 * A watch ended: relist at once on 410 Gone (an ERROR event or the status) and when the watchdog
 * abandoned a silent watch; reconnect at once from the last resourceVersion on a normal close;
 * reconnect after a backoff on an error.
 */
export function watchEnded(state: ReflectorState, end: WatchEnd, backoff: Backoff, jitter: number): Transition {
  if (state.expired || end.kind === 'gone')
    return { state, actions: [], next: { run: 'list', reason: 'expired', afterMs: 0 } };
  if (end.kind === 'silent') {
    return {
      state,
      actions: [
        log('warn', { silentForMs: end.silentForMs }, 'watch delivered neither events nor bookmarks; relisting'),
      ],
      next: { run: 'list', reason: 'watchdog', afterMs: 0 },
    };
  }
  if (end.kind === 'failed') {
    const b = backoffStep(state, backoff, jitter);
    return {
      state: b.state,
      actions: [{ type: 'restarted', reason: 'error' }, log('info', { err: end.error }, 'watch failed; reconnecting')],
      next: { run: 'watch', afterMs: b.delayMs },
    };
  }
  return { state, actions: [{ type: 'restarted', reason: 'closed' }], next: { run: 'watch', afterMs: 0 } };
}

/** The watch request itself failed: reconnect after a backoff. */
export function watchStartFailed(state: ReflectorState, error: string, backoff: Backoff, jitter: number): Transition {
  const b = backoffStep(state, backoff, jitter);
  return {
    state: b.state,
    actions: [{ type: 'restarted', reason: 'error' }, log('info', { err: error }, 'watch could not start; retrying')],
    next: { run: 'watch', afterMs: b.delayMs },
  };
}

/** The query of a watch: bookmarks on, from `resourceVersion`, a server timeout of 240-359 s (`jitter` 0..1). */
export function watchQuery(
  selectors: Record<string, string>,
  resourceVersion: string,
  jitter: number,
): Record<string, string> {
  return {
    ...selectors,
    allowWatchBookmarks: 'true',
    resourceVersion,
    timeoutSeconds: String(240 + Math.floor(jitter * 120)),
  };
}

function log(level: 'debug' | 'info' | 'warn', fields: Record<string, unknown>, msg: string): ReflectorAction {
  return { type: 'log', level, fields, msg };
}
