/**
 * The admission webhook's request listener (no listen: the entry point owns the server).
 * Endpoints: POST /validate, POST /mutate, GET /healthz, GET /readyz, GET /metrics.
 * Every answer but /metrics is JSON; bad bodies get a 4xx Status, never plain text. Plain reviews
 * take the fast path (review-fast-path.ts); the express app answers the rest.
 */
import express from 'express';
import type { Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import type { AdmissionMetrics } from '../observability/metrics.ts';
import type { AdmissionHandler, WebhookName } from './handler.ts';
import { decodeReview } from './review.ts';
import type { AdmissionReview } from './review.ts';
import type { Status } from '../kube/status.ts';
import { toReview } from './response.ts';
import { failureStatus } from '../kube/status.ts';
import { addOperationalEndpoints, jsonErrorHandler } from '../http/common-endpoints.ts';
import { createBodyBudget } from '../http/body-budget.ts';
import { verifyJsonComplexity } from '../http/json-complexity.ts';
import { createReviewFastPath } from './review-fast-path.ts';
import { DEFAULT_SERVER_LIMITS } from '../http/server-limits.ts';
import type { ServerLimits } from '../http/server-limits.ts';

/**
 * Largest AdmissionReview body accepted: 7 MiB, sized as controller-runtime sizes its webhooks'
 * (pkg/webhook/admission/http.go, maxRequestSize). The API server accepts a write request of up
 * to 3 MiB, and an UPDATE review carries the object twice (`object` and `oldObject`), plus an
 * envelope well under 1 MiB: 2 x 3 MiB + 1 MiB. A 3 MiB limit refused the UPDATE of any object
 * over 1.5 MiB, so such an Alert could never be changed again (the webhook fails closed).
 */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

/** What the app needs. */
export interface AppDeps {
  readonly handler: AdmissionHandler;
  readonly metrics: AdmissionMetrics;
  readonly logger: Logger;
  /** Readiness: undefined when ready, otherwise the reason it is not. */
  readonly notReadyReason: () => string | undefined;
  /** Bound on request bodies received at once (default: DEFAULT_SERVER_LIMITS). */
  readonly limits?: Pick<ServerLimits, 'maxInflightBodyBytes' | 'smallBodyBytes'>;
}

/** An answer to a review: 200 with an AdmissionReview, or 400 with a Status. */
export type ReviewAnswer =
  { readonly status: 200; readonly body: AdmissionReview } | { readonly status: 400; readonly body: Status };

/** Answers a parsed request body: decodes it, then lets the handler decide. Never rejects. */
export async function answerReview(
  deps: Pick<AppDeps, 'handler' | 'metrics'>,
  webhook: WebhookName,
  body: unknown,
): Promise<ReviewAnswer> {
  const decoded = decodeReview(body);
  if (!decoded.ok) {
    deps.metrics.requests.inc({ webhook, kind: 'unknown', operation: 'unknown', outcome: 'bad_request' });
    return { status: 400, body: failureStatus(400, 'BadRequest', decoded.message) };
  }
  return { status: 200, body: toReview(await deps.handler.handle(webhook, decoded.request)) };
}

/**
 * Builds the listener: a POST's body must fit the in-flight budget (else 503), then the review
 * fast path, then the express app for the rest.
 */
export function createAdmissionApp(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const limits = deps.limits ?? DEFAULT_SERVER_LIMITS;
  const budget = createBodyBudget({
    maxInflightBytes: limits.maxInflightBodyBytes,
    smallBodyBytes: limits.smallBodyBytes,
    maxBodyBytes: MAX_BODY_BYTES,
    component: 'webhook',
  });
  const fast = createReviewFastPath({
    logger: deps.logger,
    maxBodyBytes: MAX_BODY_BYTES,
    answer: (webhook, body) => answerReview(deps, webhook, body),
  });
  const app = createExpressApp(deps);
  return (req, res) => {
    if (req.method === 'POST' && !budget.admit(req, res)) return;
    if (!fast(req, res)) app(req, res);
  };
}

/** The express app: reviews the fast path leaves (encoded, another charset, declared over the limit), and the rest. */
function createExpressApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const json = express.json({ limit: MAX_BODY_BYTES, type: () => true, strict: false, verify: verifyJsonComplexity });

  const review = (webhook: WebhookName) => async (req: Request, res: Response) => {
    const a = await answerReview(deps, webhook, req.body);
    res.status(a.status).json(a.body);
  };

  app.post('/validate', json, review('validate'));
  app.post('/mutate', json, review('mutate'));
  addOperationalEndpoints(app, { registry: deps.metrics.registry, notReadyReason: deps.notReadyReason });
  app.use((req, res) => {
    res
      .status(404)
      .json(
        failureStatus(
          404,
          'NotFound',
          `no endpoint ${req.method} ${req.path}; use POST /validate, POST /mutate, GET /healthz, /readyz or /metrics`,
        ),
      );
  });
  app.use(jsonErrorHandler({ maxBytes: MAX_BODY_BYTES, body: 'request', component: 'webhook', logger: deps.logger }));
  return app;
}
