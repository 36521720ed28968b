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
