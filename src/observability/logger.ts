/**
 * The pino logger, built once in the entry point. Redaction is a second line of defence: no
 * code path logs an object's data, but if one ever did, these paths would be censored.
 */
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type { Logger };

/** Paths whose values are never written. */
export const REDACT_PATHS = [
  'object.data', 'object.stringData', 'oldObject.data', 'oldObject.stringData',
  '*.data', '*.stringData', 'token', '*.token', 'address', '*.address', 'headers.authorization',
];

/** Creates a JSON logger at `level`, writing to `destination` (stdout by default). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { app: 'notify-guard' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
