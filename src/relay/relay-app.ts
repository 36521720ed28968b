/**
 * The relay's express app: the event API Flux controllers call through `--events-addr` (POST,
 * any path), plus GET /healthz, /readyz, /metrics and /dead-letters. Answers: 202 once the event
 * is journaled (or routed to no Slack Provider), 400 invalid JSON or event, 413 over 3 MiB, 429
 * duplicate within the dedup window, 415 unsupported body encoding, 503 when the journal cannot
 * accept (Flux retries 5xx).
 */
import express from 'express';
import type { Request, Response } from 'express';
import type { Logger } from '../observability/logger.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { failureStatus } from '../admission/status.ts';
import { addOperationalEndpoints, jsonErrorHandler } from '../http/common-endpoints.ts';
import { decodeEvent } from './flux-event.ts';
import type { Relay } from './relay.ts';

export const MAX_EVENT_BYTES = 3 * 1024 * 1024;

export function createRelayApp(d: { relay: Relay; metrics: RelayMetrics; logger: Logger; notReadyReason: () => string | undefined }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  addOperationalEndpoints(app, { registry: d.metrics.registry, notReadyReason: d.notReadyReason });
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
  app.use(jsonErrorHandler({ maxBytes: MAX_EVENT_BYTES, body: 'event', component: 'relay', logger: d.logger }));
  return app;
}
