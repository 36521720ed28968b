/**
 * The event API's answers, and its fast path. Every event is answered by `answerEvent` from its
 * parsed JSON body: 202 accepted/unrouted once journaled, 400 not a Flux event, 413 an event the
 * journal can never store, 429 a duplicate within the dedup window, 503 when the journal cannot
 * accept (Flux retries 5xx), with Retry-After when it is at its disk budget (accept-refusal.ts). The fast path
 * reads and parses an unencoded POST body itself, since this is the relay's hot path: express and
 * body-parser cost about a third of an accept's CPU and, measured, 2-3 ms of p99 accept latency
 * with deliveries running. Both paths answer through `answerEvent`, so alike (an empty body reads
 * as {}, as body-parser reads it). Encoded bodies (gzip, deflate, br), a charset other than UTF-8,
 * bodies declared larger than the limit and every other request go to the express app
 * (relay-app.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import type { RelayMetrics } from '../observability/relay-metrics.ts';
import { failureStatus } from '../kube/status.ts';
import { bodyStatus } from '../http/common-endpoints.ts';
import { tooManyContainers } from '../http/json-complexity.ts';
import { decodeEvent } from './flux-event.ts';
import type { Relay } from './relay.ts';
import { EventTooLargeError, JournalFullError } from './accept-refusal.ts';

export const MAX_EVENT_BYTES = 3 * 1024 * 1024;

/** What answering an event needs. */
export interface EventDeps {
  readonly relay: Relay;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
}

/** An answer: status and JSON body. */
export interface EventAnswer {
  readonly status: number;
  readonly body: object;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Answers one event from its parsed JSON body. */
export async function answerEvent(d: EventDeps, body: unknown): Promise<EventAnswer> {
  const decoded = decodeEvent(body);
  if (!decoded.ok) {
    d.metrics.events.inc({ outcome: 'invalid' });
    return { status: 400, body: failureStatus(400, 'BadRequest', `invalid event: ${decoded.message}`) };
  }
  try {
    const outcome = await d.relay.accept(decoded.event);
    d.metrics.events.inc({ outcome });
    if (outcome === 'duplicate')
      return { status: 429, body: failureStatus(429, 'TooManyRequests', 'duplicate event within the dedup window') };
    return { status: 202, body: { status: outcome } };
  } catch (err) {
    if (err instanceof EventTooLargeError) {
      d.metrics.events.inc({ outcome: 'too_large' });
      return { status: 413, body: failureStatus(413, 'RequestEntityTooLarge', err.message) };
    }
    if (err instanceof JournalFullError) {
      d.metrics.events.inc({ outcome: 'journal_full' });
      return {
        status: 503,
        body: failureStatus(503, 'ServiceUnavailable', err.message),
        headers: { 'retry-after': String(err.retryAfterSeconds) },
      };
    }
    d.metrics.events.inc({ outcome: 'unavailable' });
    d.logger.error({ err }, 'cannot journal an event; answering 503 so that the controller retries');
    return {
      status: 503,
      body: failureStatus(503, 'ServiceUnavailable', 'the relay cannot store events right now; retry'),
    };
  }
}

/** Writes an answer as express's `res.status(s).json(body)` would. */
export function sendAnswer(res: ServerResponse, a: EventAnswer): void {
  const text = JSON.stringify(a.body);
  res.writeHead(a.status, {
    ...a.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Takes a POST whose body is neither encoded nor declared larger than the limit, and answers it;
 * returns false, having touched nothing, for any other request.
 */
export function createEventFastPath(d: EventDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
    if (Number(req.headers['content-length'] ?? 0) > MAX_EVENT_BYTES) return false;
    const charset = /;\s*charset=("?)([^";]+)\1/i.exec(req.headers['content-type'] ?? '')?.[2];
    if (charset !== undefined && charset.toLowerCase() !== 'utf-8') return false;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_EVENT_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('error', () => undefined);
    // A chunked body past the limit is read to its end (bounded by the server's request timeout) but not kept.
    req.on('end', () => {
      if (tooLarge) {
        sendAnswer(res, { status: 413, body: bodyStatus.tooLarge('event', MAX_EVENT_BYTES) });
        return;
      }
      const raw = Buffer.concat(chunks, size);
      if (tooManyContainers(raw)) {
        sendAnswer(res, { status: 400, body: bodyStatus.tooComplex() });
        return;
      }
      let body: unknown;
      try {
        body = size === 0 ? {} : JSON.parse(raw.toString('utf8'));
      } catch {
        sendAnswer(res, { status: 400, body: bodyStatus.notJson() });
        return;
      }
      answerEvent(d, body)
        .then((a) => sendAnswer(res, a))
        .catch((err: unknown) => {
          d.logger.error({ err }, 'answering an event failed');
          if (!res.headersSent) sendAnswer(res, { status: 500, body: bodyStatus.internalError('relay') });
        });
    });
    return true;
  };
}
