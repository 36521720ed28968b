/**
 * The express app of the admission webhook (no listen: the entry point owns the server).
 * Endpoints: POST /validate, POST /mutate, GET /healthz, GET /readyz, GET /metrics.
 * Every answer but /metrics is JSON; bad bodies get a 4xx Status, never plain text.
 */
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../observability/logger.ts';
import type { AdmissionMetrics } from '../observability/metrics.ts';
import type { AdmissionHandler, WebhookName } from './handler.ts';
import { decodeReview } from './review.ts';
import { toReview } from './response.ts';
import { failureStatus } from './status.ts';

/** Largest AdmissionReview body accepted (the API server caps requests at 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** What the app needs. */
export interface AppDeps {
  readonly handler: AdmissionHandler;
  readonly metrics: AdmissionMetrics;
  readonly logger: Logger;
  /** Readiness: undefined when ready, otherwise the reason it is not. */
  readonly notReadyReason: () => string | undefined;
}

/** Builds the express app. */
export function createAdmissionApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const json = express.json({ limit: MAX_BODY_BYTES, type: () => true, strict: false });

  const review = (webhook: WebhookName) => async (req: Request, res: Response) => {
    const decoded = decodeReview(req.body);
    if (!decoded.ok) {
      deps.metrics.requests.inc({ webhook, kind: 'unknown', operation: 'unknown', outcome: 'bad_request' });
      res.status(400).json(failureStatus(400, 'BadRequest', decoded.message));
      return;
    }
    res.status(200).json(toReview(await deps.handler.handle(webhook, decoded.request)));
  };

  app.post('/validate', json, review('validate'));
  app.post('/mutate', json, review('mutate'));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const reason = deps.notReadyReason();
    if (reason) res.status(503).json({ status: 'not ready', reason });
    else res.json({ status: 'ok' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  app.use((req, res) => {
    res.status(404).json(failureStatus(404, 'NotFound', `no endpoint ${req.method} ${req.path}; use POST /validate, POST /mutate, GET /healthz, /readyz or /metrics`));
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      res.status(413).json(failureStatus(413, 'RequestEntityTooLarge', `request body exceeds ${MAX_BODY_BYTES} bytes`));
    } else if (type === 'entity.parse.failed') {
      res.status(400).json(failureStatus(400, 'BadRequest', 'request body is not valid JSON'));
    } else if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
      res.status(415).json(failureStatus(415, 'UnsupportedMediaType', 'request body encoding is not supported; send uncompressed UTF-8 JSON'));
    } else {
      deps.logger.error({ err }, 'request failed');
      res.status(500).json(failureStatus(500, 'InternalError', 'internal error; see the webhook\'s logs'));
    }
  });
  return app;
}
