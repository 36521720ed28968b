/**
 * Startup that releases what it started when a later step fails: each started resource (a
 * certificate watcher, informers, the delivery thread, the journal) registers how to stop it,
 * and a failure stops them all, newest first, before the error reaches the command. Without
 * this, a port in use left the process running on the watcher's or the delivery thread's handle.
 */

/** Collects the stops of what has been started so far. */
export interface Startup {
  /** Registers how to release a resource just started. */
  started(stop: () => void | Promise<void>): void;
  /** Releases everything registered, newest first; never rejects. */
  release(): Promise<void>;
}

export function createStartup(): Startup {
  const stops: (() => void | Promise<void>)[] = [];
  return {
    started(stop) {
      stops.push(stop);
    },
    async release() {
      while (stops.length > 0) {
        try {
          await stops.pop()!();
        } catch {
          /* releasing after a failure: the first error is the one reported */
        }
      }
    },
  };
}

/** Runs `start` with a Startup; when it throws, releases what it started and rethrows. */
export async function startOrRelease<T>(start: (s: Startup) => Promise<T>): Promise<T> {
  const s = createStartup();
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
