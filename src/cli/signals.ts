/**
 * SIGTERM and SIGINT end a server command cleanly, whenever they arrive: the listeners are
 * registered before start-up, so a signal while the server starts (reading the kubeconfig, asking
 * the API server what it serves, generating certificates) releases what was started and the
 * command ends as after any clean shutdown, instead of Node's default of dying by the signal.
 */
import type { Logger } from '../observability/logger.ts';

/** The stop signals, listened to from the moment `listenForStopSignals` is called. */
export interface StopSignals {
  /** Aborted on the first SIGTERM or SIGINT; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Removes the listeners. */
  dispose(): void;
}

/** Starts listening for SIGTERM and SIGINT (on `target`, the process unless a test gives one). */
export function listenForStopSignals(target: NodeJS.EventEmitter = process): StopSignals {
  const controller = new AbortController();
  const onTerm = () => controller.abort('SIGTERM');
  const onInt = () => controller.abort('SIGINT');
  target.once('SIGTERM', onTerm);
  target.once('SIGINT', onInt);
  return {
    signal: controller.signal,
    dispose() {
      target.off('SIGTERM', onTerm);
      target.off('SIGINT', onInt);
    },
  };
}

/** What serveUntilSignal runs. */
export interface ServeOptions<T extends { close(): Promise<void> }> {
  readonly signals: StopSignals;
  readonly logger: Logger;
  /** Logged (with the signal's name) when the signal arrives. */
  readonly message: string;
  /** Starts the server; should stop early once `signal` is aborted (startOrRelease does). */
  start(signal: AbortSignal): Promise<T>;
  /** Called once started (before any signal), e.g. to print a hint. */
  started?(running: T): void;
  /** After the signal, stop waiting for `close` (or for an abandoned start) after this long. */
  readonly hardStopMs?: number;
}

/**
 * Starts, runs until SIGTERM or SIGINT, then closes. A signal during start-up abandons the start:
 * what it started is released, and whatever it still completes is closed. A start-up failure
 * without a signal rejects, as before.
 */
export async function serveUntilSignal<T extends { close(): Promise<void> }>(o: ServeOptions<T>): Promise<void> {
  const { signal } = o.signals;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      o.logger.info({ signal: signal.reason as string }, o.message);
      resolve();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  const starting = o.start(signal);
  const closing = starting.then(async (running) => {
    if (!signal.aborted) o.started?.(running);
    await stopped;
    await running.close();
  });
  try {
    await Promise.race([closing, stopped.then(() => withHardStop(closing, o.hardStopMs))]);
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    o.signals.dispose();
  }
}

/** `p` settled (either way), or `ms` elapsed (no bound when undefined). */
function withHardStop(p: Promise<unknown>, ms: number | undefined): Promise<void> {
  const settled = p.then(
    () => undefined,
    () => undefined,
  );
  if (ms === undefined) return settled;
  return Promise.race([settled, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
}

/** Runs until SIGTERM or SIGINT (listened to from this call), then calls `close`. */
export function untilSignal(
  logger: Logger,
  message: string,
  close: () => Promise<void>,
  hardStopMs?: number,
): Promise<void> {
  return serveUntilSignal({
    signals: listenForStopSignals(),
    logger,
    message,
    start: () => Promise.resolve({ close }),
    ...(hardStopMs !== undefined ? { hardStopMs } : {}),
  });
}
