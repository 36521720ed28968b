/**
 * The heap while the webhook first reads the cluster. `--optimize-for-size` (node-flags.ts) keeps
 * V8's heap tight, which is what holds the webhook under its memory targets, but reading 30,000
 * objects under it is mostly garbage collection: the live view synced in 3.7-4.1 s against
 * 2.1-2.5 s with the heap let grow 20 % past what it holds (`--no-optimize-for-size
 * --heap-growing-percent=20`), at the same peak RSS (docs/admission.md, "Performance"). So until
 * `ready()` (the webhook listens and its view is synced; `maxMs` at most, so that a view that
 * never syncs cannot keep the heap loose), V8 runs with the latter, then with the program's
 * setting again. V8 reads both flags at each collection, so they take effect when set
 * (`v8.setFlagsFromString`).
 * Nothing changes when `--optimize-for-size` is not in force or the user set the growth.
 */
import { setFlagsFromString } from 'node:v8';

/** The flags while the cluster is first read. */
export const STARTING_HEAP_FLAGS = '--no-optimize-for-size --heap-growing-percent=20';
/** The flags once it is: the program's (node-flags.ts), and V8's own growth. */
export const STEADY_HEAP_FLAGS = '--optimize-for-size --heap-growing-percent=0';

/** What relaxHeapWhileStarting needs; the defaults are the process's. */
export interface StartingHeapOptions {
  /** True once the cluster view is ready. */
  readonly ready: () => boolean;
  readonly execArgv?: readonly string[];
  readonly nodeOptions?: string | undefined;
  readonly setFlags?: (flags: string) => void;
  /** How often `ready` is asked (default 50 ms). */
  readonly pollMs?: number;
  /** The steady flags are set after this long at the latest (default 60 s). */
  readonly maxMs?: number;
}

/** Sets STARTING_HEAP_FLAGS until `ready()` (then STEADY_HEAP_FLAGS); `stop()` restores at once. */
export function relaxHeapWhileStarting(o: StartingHeapOptions): { stop(): void } {
  const execArgv = o.execArgv ?? process.execArgv;
  const nodeOptions = 'nodeOptions' in o ? o.nodeOptions : process.env['NODE_OPTIONS'];
  if (!tightHeapInForce(execArgv, nodeOptions)) return { stop: () => undefined };
  const setFlags = o.setFlags ?? setFlagsFromString;
  const pollMs = o.pollMs ?? 50;
  const maxPolls = Math.ceil((o.maxMs ?? 60_000) / pollMs);
  setFlags(STARTING_HEAP_FLAGS);
  let polls = 0;
  const restore = () => {
    clearInterval(timer);
    if (polls < 0) return;
    polls = -1;
    setFlags(STEADY_HEAP_FLAGS);
  };
  const timer = setInterval(() => {
    if (o.ready() || ++polls >= maxPolls) restore();
  }, pollMs);
  timer.unref();
  return { stop: restore };
}

/** `--optimize-for-size` is the last word on it, and the heap's growth is V8's own. */
function tightHeapInForce(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((g) => g.replaceAll('_', '-'));
  if (given.some((g) => g.startsWith('--heap-growing-percent'))) return false;
  const last = given.filter((g) => g === '--optimize-for-size' || g === '--no-optimize-for-size').at(-1);
  return last === '--optimize-for-size';
}
