/**
 * Startup that releases what it started when a later step fails: each started resource (a
 * certificate watcher, informers, the delivery thread, the journal) registers how to stop it,
 * and a failure stops them all, newest first, before the error reaches the command. Without
 * this, a port in use left the process running on the watcher's or the delivery thread's handle.
 */

/** Collects the stops of what has been started so far. */
export interface Startup {
  /**
   * Registers how to release a resource just started. Once start-up has been aborted (a stop
   * signal), releases it at once and throws the abort's reason, so the start goes no further.
   */
  started(stop: () => void | Promise<void>): void;
  /** Releases everything registered, newest first; never rejects. */
  release(): Promise<void>;
}

/** A Startup; when `signal` aborts, what was started is released at once. */
export function createStartup(signal?: AbortSignal): Startup {
  const stops: (() => void | Promise<void>)[] = [];
  const release = async () => {
    while (stops.length > 0) {
      try {
        await stops.pop()!();
      } catch {
        /* releasing after a failure: the first error is the one reported */
      }
    }
  };
  signal?.addEventListener('abort', () => void release(), { once: true });
  return {
    started(stop) {
      stops.push(stop);
      if (signal?.aborted) {
        void release();
        throw new Error(`start-up stopped by ${String(signal.reason)}`);
      }
    },
    release,
  };
}

/** Runs `start` with a Startup; when it throws, releases what it started and rethrows. */
export async function startOrRelease<T>(start: (s: Startup) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const s = createStartup(signal);
  try {
    return await start(s);
  } catch (err) {
    await s.release();
    throw err;
  }
}

/** Listens, turning EADDRINUSE and EACCES into a message that names the address. */
export function listenOn(
  server: {
    listen(port: number, host: string, cb: () => void): unknown;
    once(e: 'error', l: (err: Error) => void): unknown;
    off(e: 'error', l: (err: Error) => void): unknown;
  },
  host: string,
  port: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => {
      const code = (err as { code?: string }).code;
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      if (code === 'EADDRINUSE')
        reject(new Error(`cannot listen on ${where}: the address is already in use`, { cause: err }));
      else if (code === 'EACCES')
        reject(
          new Error(`cannot listen on ${where}: permission denied (ports below 1024 need privileges)`, { cause: err }),
        );
      else reject(new Error(`cannot listen on ${where}: ${err.message}`, { cause: err }));
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
