/**
 * The relay's express app: the event API Flux controllers call through `--events-addr` (POST,
 * any path), plus GET /healthz, /readyz, /metrics and /dead-letters. Answers: 202 once the event
 * is journaled (or routed to no Slack Provider), 400 invalid JSON or event, 413 over 3 MiB, 429
 * duplicate within the dedup window, 503 when the journal cannot accept (Flux retries 5xx).
 */
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../observability/logger.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { failureStatus } from '../admission/status.ts';
import { decodeEvent } from './flux-event.ts';
import type { Relay } from './relay.ts';

export const MAX_EVENT_BYTES = 3 * 1024 * 1024;

export function createRelayApp(d: { relay: Relay; metrics: RelayMetrics; logger: Logger; notReadyReason: () => string | undefined }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  app.get('/readyz', (_req, res) => {
    const reason = d.notReadyReason();
    if (reason) res.status(503).json({ status: 'not ready', reason });
    else res.json({ status: 'ok' });
  });
  app.get('/metrics', async (_req, res) => { res.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics()); });
  app.get('/dead-letters', (_req, res) => { res.json({ items: d.relay.deadLetters() }); });
  app.post(/.*/, express.json({ limit: MAX_EVENT_BYTES, type: () => true, strict: false }), async (req: Request, res: Response) => {
    const decoded = decodeEvent(req.body);
    if (!decoded.ok) {
      d.metrics.events.inc({ outcome: 'invalid' });
      res.status(400).json(failureStatus(400, 'BadRequest', `invalid event: ${decoded.message}`));
      return;
    }
    try {
      const outcome = await d.relay.accept(decoded.event);
      d.metrics.events.inc({ outcome });
      if (outcome === 'duplicate') res.status(429).json(failureStatus(429, 'TooManyRequests', 'duplicate event within the dedup window'));
      else res.status(202).json({ status: outcome });
    } catch (err) {
      d.metrics.events.inc({ outcome: 'unavailable' });
      d.logger.error({ err }, 'cannot journal an event; answering 503 so that the controller retries');
      res.status(503).json(failureStatus(503, 'ServiceUnavailable', 'the relay cannot store events right now; retry'));
    }
  });
  app.use((req, res) => { res.status(404).json(failureStatus(404, 'NotFound', `no endpoint ${req.method} ${req.path}`)); });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') res.status(413).json(failureStatus(413, 'RequestEntityTooLarge', `event body exceeds ${MAX_EVENT_BYTES} bytes`));
    else if (type === 'entity.parse.failed') res.status(400).json(failureStatus(400, 'BadRequest', 'request body is not valid JSON'));
    else {
      d.logger.error({ err }, 'request failed');
      res.status(500).json(failureStatus(500, 'InternalError', 'internal error; see the relay\'s logs'));
    }
  });
  return app;
}
