/**
 * What the webhook's and the relay's express apps share: GET /healthz, /readyz and /metrics, and
 * the JSON answers to bodies that cannot be read (413 too large, 400 not JSON, 415 unsupported
 * encoding) and to unexpected errors (500, logged). Every answer is JSON except /metrics.
 */
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.ts';
import { failureStatus } from '../kube/status.ts';
import { MAX_JSON_CONTAINERS } from './json-complexity.ts';

/** Adds /healthz, /readyz (503 with the reason while not ready) and /metrics. */
export function addOperationalEndpoints(
  app: express.Express,
  o: { registry: Registry; notReadyReason: () => string | undefined },
): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const reason = o.notReadyReason();
    if (reason) res.status(503).json({ status: 'not ready', reason });
    else res.json({ status: 'ok' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(o.registry.contentType).send(await o.registry.metrics());
  });
}

/** The answers to a body that cannot be read, and to an unexpected error; shared with the relay's event fast path. */
export const bodyStatus = {
  /** 413: `body` names the body ("request", "event"). */
  tooLarge: (body: string, maxBytes: number) =>
    failureStatus(413, 'RequestEntityTooLarge', `${body} body exceeds ${maxBytes} bytes`),
  /** 400. */
  notJson: () => failureStatus(400, 'BadRequest', 'request body is not valid JSON'),
  /** 400: more objects and arrays than a parse may cost (json-complexity.ts). */
  tooComplex: () =>
    failureStatus(
      400,
      'BadRequest',
      `request body holds more than ${MAX_JSON_CONTAINERS} JSON objects and arrays; no review or event comes near that`,
    ),
  /** 400: the body could not be read or decoded; names the cause by its code, never by content. */
  unreadable: (err: unknown) =>
    failureStatus(
      400,
      'BadRequest',
      `request body cannot be read (${errorCode(err)}); send uncompressed UTF-8 JSON, or a valid gzip, deflate or br stream`,
    ),
  /** 500: `component` names the logs to read ("webhook", "relay"). */
  internalError: (component: string) =>
    failureStatus(500, 'InternalError', `internal error; see the ${component}'s logs`),
};

/**
 * The last middleware: body-parser's errors as JSON Statuses. `body` names the body in the 413
 * message ("request", "event"); `component` names the logs to read on a 500 ("webhook", "relay").
 */
export function jsonErrorHandler(o: { maxBytes: number; body: string; component: string; logger: Logger }) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      res.status(413).json(bodyStatus.tooLarge(o.body, o.maxBytes));
    } else if (type === 'entity.parse.failed') {
      res.status(400).json(bodyStatus.notJson());
    } else if (type === 'entity.too.complex') {
      res.status(400).json(bodyStatus.tooComplex());
    } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      res
        .status(415)
        .json(
          failureStatus(
            415,
            'UnsupportedMediaType',
            'request body encoding is not supported; send uncompressed UTF-8 JSON',
          ),
        );
    } else if (clientErrorStatus(err) !== undefined) {
      // A body that could not be read: a gzip/deflate/br stream that does not decode, a body
      // shorter than its Content-Length, an aborted upload. The client's fault, not a 500.
      res.status(400).json(bodyStatus.unreadable(err));
    } else {
      o.logger.error({ err }, 'request failed');
      res.status(500).json(bodyStatus.internalError(o.component));
    }
  };
}

/** The 4xx status body-parser gave an error, if any. */
function clientErrorStatus(err: unknown): number | undefined {
  const status =
    (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** A short code for why a body could not be read: zlib's (Z_DATA_ERROR, ERR__ERROR_FORMAT_PADDING_1) or body-parser's type. */
function errorCode(err: unknown): string {
  const e = err as { code?: unknown; type?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : 'unreadable';
  return /^[\w.-]{1,64}$/.test(code) ? code : 'unreadable';
}
