/**
 * The relay's HTTP API: the event API Flux controllers call through `--events-addr` (POST, any
 * path), plus GET /healthz, /readyz, /metrics, /dead-letters and /deliveries. Event answers (event-endpoint.ts):
 * 202 once the event is journaled (or routed to no Slack Provider), 400 invalid JSON or event, 413
 * over 3 MiB or a journal record over 4 MiB even cut to what Slack shows, 429 duplicate within the
 * dedup window, 415 unsupported body encoding, 503 when the journal cannot accept (Flux retries
 * 5xx) and 503 + Retry-After at its disk budget, 503 too when the bodies being received exceed the
 * in-flight budget (body-budget.ts). Plain event POSTs take the fast path; the express app
 * answers the rest.
 */
import express from 'express';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { failureStatus } from '../kube/status.ts';
import { addOperationalEndpoints, jsonErrorHandler } from '../http/common-endpoints.ts';
import { createBodyBudget } from '../http/body-budget.ts';
import { verifyJsonComplexity } from '../http/json-complexity.ts';
import { DEFAULT_SERVER_LIMITS } from '../http/server-limits.ts';
import type { ServerLimits } from '../http/server-limits.ts';
import type { EventDeps } from './event-endpoint.ts';
import { MAX_EVENT_BYTES, answerEvent, createEventFastPath } from './event-endpoint.ts';

/**
 * The relay's request listener: a POST's body must fit the in-flight budget (else 503), then the
 * event fast path, then the express app for the rest.
 */
export function createRelayHandler(
  d: EventDeps & {
    notReadyReason: () => string | undefined;
    limits?: Pick<ServerLimits, 'maxInflightBodyBytes' | 'smallBodyBytes'>;
  },
): (req: IncomingMessage, res: ServerResponse) => void {
  const limits = d.limits ?? DEFAULT_SERVER_LIMITS;
  const budget = createBodyBudget({
    maxInflightBytes: limits.maxInflightBodyBytes,
    smallBodyBytes: limits.smallBodyBytes,
    maxBodyBytes: MAX_EVENT_BYTES,
    component: 'relay',
  });
  const fast = createEventFastPath(d);
  const app = createRelayApp(d);
  return (req, res) => {
    if (req.method === 'POST' && !budget.admit(req, res)) return;
    if (!fast(req, res)) app(req, res);
  };
}

function createRelayApp(d: EventDeps & { notReadyReason: () => string | undefined }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  addOperationalEndpoints(app, { registry: d.metrics.registry, notReadyReason: d.notReadyReason });
  app.get('/dead-letters', (_req, res) => {
    res.json({ items: d.relay.deadLetters() });
  });
  // With replicas, the sender's table whichever replica is asked (deliveries-answer.ts).
  app.get('/deliveries', async (_req, res) => {
    res.json(d.relay.deliveries ? await d.relay.deliveries() : { items: d.relay.deliveryStatus() });
  });
  // Event POSTs the fast path leaves: encoded, another charset, or declared over the limit.
  app.post(
    /.*/,
    express.json({ limit: MAX_EVENT_BYTES, type: () => true, strict: false, verify: verifyJsonComplexity }),
    async (req: Request, res: Response) => {
      const a = await answerEvent(d, req.body);
      res
        .status(a.status)
        .set(a.headers ?? {})
        .json(a.body);
    },
  );
  app.use((req, res) => {
    res.status(404).json(failureStatus(404, 'NotFound', `no endpoint ${req.method} ${req.path}`));
  });
  app.use(jsonErrorHandler({ maxBytes: MAX_EVENT_BYTES, body: 'event', component: 'relay', logger: d.logger }));
  return app;
}
