/**
 * Runs until SIGTERM or SIGINT, then calls `close` (which drains and releases everything).
 */
import type { Logger } from '../observability/logger.ts';

export function untilSignal(
  logger: Logger,
  message: string,
  close: () => Promise<void>,
  hardStopMs?: number,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, message);
      void close().then(resolve);
      if (hardStopMs !== undefined) setTimeout(resolve, hardStopMs).unref();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
