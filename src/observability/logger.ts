/**
 * The pino logger, built once in the entry point. Redaction is a second line of defence: no
 * code path logs an object's data, but if one ever did, these paths would be censored.
 *
 * Two formats: JSON lines (for log collectors; the default off a terminal) and human-readable
 * text (pino-pretty; the default on a terminal, or `--log-format text`). Text is rendered from
 * the JSON line pino has already redacted, so both formats censor the same paths.
 *
 * JSON lines go to stdout through pino's asynchronous destination (SonicBoom: lines logged while a
 * write is under way wait in a buffer and go in the next write; what waits is written
 * synchronously at exit, and the write under way then may land after it). Its buffer is bounded
 * (LOG_BUFFER_BYTES): when stdout does not keep up (a stalled log collector, a full pipe) lines
 * past the bound are dropped and counted, not held in the heap without limit, and a line says how
 * many once stdout takes lines again, or at exit (docs/operations.md, "Logs").
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

/** Most bytes of JSON log lines waiting for stdout; lines past it are dropped and counted. */
export const LOG_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * Creates a logger at `level`, writing to `destination` (stdout by default, its buffer bounded at
 * `bufferBytes`) as JSON lines, or as text when `format` is `text` (colours only when writing to a
 * terminal's stdout).
 */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  format: 'json' | 'text' = 'json',
  bufferBytes = LOG_BUFFER_BYTES,
): Logger {
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
  if (destination) return pino(options, destination);
  // Registered before the destination, so that at exit it runs before pino's own flush of the buffer.
  const drops = droppedLines(bufferBytes);
  const stdout = pino.destination({ dest: 1, minLength: 0, maxLength: bufferBytes, sync: false });
  const logger = pino(options, stdout);
  drops.watch(stdout, logger);
  return logger;
}

/**
 * Counts the lines a stream drops (its buffer full) and logs how many: once it writes again (on
 * the next tick, after the written bytes have left the buffer), or at exit (into the buffer pino
 * then flushes). A warning that is dropped too keeps its count for the next report. Logged at
 * `warn`, or at `error` when the level hides warnings.
 */
function droppedLines(bufferBytes: number): {
  watch(stream: ReturnType<typeof pino.destination>, logger: Logger): void;
} {
  let dropped = 0;
  let reporting = 0;
  let report = () => {};
  process.once('exit', () => report());
  return {
    watch(stream, logger) {
      report = () => {
        if (dropped === 0) return;
        reporting = dropped;
        dropped = 0;
        logger[logger.isLevelEnabled('warn') ? 'warn' : 'error'](
          { droppedLines: reporting },
          `${reporting} log lines were dropped: more than ${bufferBytes} bytes of lines were waiting for stdout (is the log collector reading?)`,
        );
        reporting = 0;
      };
      stream.on('drop', (data: string) => {
        dropped += reporting > 0 ? reporting : countLines(data);
      });
      stream.on('write', () => {
        if (dropped > 0) process.nextTick(report);
      });
    },
  };
}

function countLines(data: string): number {
  let n = 0;
  for (let i = data.indexOf('\n'); i >= 0; i = data.indexOf('\n', i + 1)) n++;
  return n;
}
