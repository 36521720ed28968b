/**
 * Parsing of flag values shared by the commands, and the error they raise.
 */
import type { LogFormat } from '../observability/logger.ts';

/** A wrong flag or argument: printed with a pointer to the command's --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses `HOST:PORT`, `:PORT` or `[IPv6]:PORT` into a host and a port. */
export function parseListenAddress(value: string, flag = '--listen'): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new UsageError(`${flag} ${JSON.stringify(value)}: expected HOST:PORT, e.g. 127.0.0.1:8443 or 0.0.0.0:8443`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Parses a whole number within [min, max]; `unit` names it in the message ("days"). */
export function parseWholeNumber(flag: string, value: string, min: number, max: number, unit = ''): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: expected a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`,
    );
  return n;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Checks a `--log-level` value. */
export function parseLogLevel(value: string): string {
  if (!LOG_LEVELS.includes(value))
    throw new UsageError(`--log-level ${JSON.stringify(value)}: expected trace, debug, info, warn or error`);
  return value;
}

/** Checks a `--log-format` value: auto (text on a terminal, JSON otherwise), json or text. */
export function parseLogFormat(value: string): LogFormat {
  if (value === 'auto' || value === 'json' || value === 'text') return value;
  throw new UsageError(`--log-format ${JSON.stringify(value)}: expected auto, json or text`);
}
