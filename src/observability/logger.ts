/**
 * The pino logger, built once in the entry point. Redaction is a second line of defence: no
 * code path logs an object's data, but if one ever did, these paths would be censored.
 *
 * Two formats: JSON lines (for log collectors; the default off a terminal) and human-readable
 * text (pino-pretty; the default on a terminal, or `--log-format text`). Text is rendered from
 * the JSON line pino has already redacted, so both formats censor the same paths.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger };

/** Paths whose values are never written. */
export const REDACT_PATHS = [
  'object.data',
  'object.stringData',
  'oldObject.data',
  'oldObject.stringData',
  '*.data',
  '*.stringData',
  'token',
  '*.token',
  'address',
  '*.address',
  'headers.authorization',
];

/** What `--log-format` selects: `auto` is text on a terminal, JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'text';

/** The format to write: `text` or `json`, `auto` settled by whether stdout is a terminal. */
export function resolveLogFormat(format: LogFormat, stdoutIsTty: boolean): 'json' | 'text' {
  if (format === 'auto') return stdoutIsTty ? 'text' : 'json';
  return format;
}

/**
 * Stdout written off the main thread, for the webhook's JSON lines: a sync write per line (pino's
 * default) made every denial a write(2) on the event loop, and one that blocks the server while
 * the reader of stdout (the container runtime) is slow. Lines are buffered and written by one
 * asynchronous write at a time, so lines logged while a write is in flight go out together in the
 * next one; nothing waits for a size or a timer, so a line is written as soon as the write before
 * it is done. pino.destination flushes what is buffered when the process exits (its exit hook
 * writes synchronously), so nothing is lost at a normal exit or a process.exit().
 */
export function asyncStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

/**
 * Creates a logger at `level`, writing to `destination` (stdout by default) as JSON lines, or as
 * text when `format` is `text` (colours only when writing to a terminal's stdout).
 */
export function createLogger(level: string, destination?: DestinationStream, format: 'json' | 'text' = 'json'): Logger {
  const options = { level, base: { app: 'notify-guard' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (format === 'text') {
    const colorize = !destination && process.stdout.isTTY === true;
    return pino(
      options,
      PinoPretty({
        colorize,
        ignore: 'pid,hostname,app',
        translateTime: 'SYS:HH:MM:ss.l',
        sync: true,
        ...(destination ? { destination } : {}),
      }),
    );
  }
  return destination ? pino(options, destination) : pino(options);
}
