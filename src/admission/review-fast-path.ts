/**
 * The admission fast path: a POST to exactly /validate or /mutate (the API server adds
 * `?timeout=10s`) with an unencoded UTF-8 body declared within the limit is read, checked and
 * parsed here, then answered through `answerReview`, as the express app answers it: the same
 * status, headers and JSON body for every outcome (review, 400 not JSON, 400 too complex, 413 too
 * large, 400 unreadable, 500). Express, its router and body-parser cost about a tenth of the CPU
 * of a review, measured with `npm run bench` (docs/admission.md, "Performance"). Anything else
 * goes to the express app: encoded bodies (gzip, deflate, br), other charsets, bodies declared
 * over the limit or not declared at all, other paths and methods. The in-flight body budget is
 * taken in front of both (app.ts); the server's timeouts bound the read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import type { Status } from '../kube/status.ts';
import { bodyStatus } from '../http/common-endpoints.ts';
import { tooManyContainers } from '../http/json-complexity.ts';
import type { WebhookName } from './handler.ts';
import type { AdmissionReview } from './review.ts';

/** What the fast path needs. */
export interface FastPathDeps {
  readonly logger: Logger;
  /** Largest body read (MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
  /** Answers a parsed body (app.ts's `answerReview`). */
  readonly answer: (webhook: WebhookName, body: unknown) => Promise<{ status: number; body: AdmissionReview | Status }>;
}

/** Writes a JSON answer as express's `res.status(s).json(body)` writes it. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The webhook a request is for, when the fast path can take it. */
export function fastPathWebhook(req: IncomingMessage, maxBodyBytes: number): WebhookName | undefined {
  if (req.method !== 'POST') return undefined;
  const url = req.url ?? '';
  const end = url.indexOf('?');
  const path = end < 0 ? url : url.slice(0, end);
  const webhook = path === '/validate' ? 'validate' : path === '/mutate' ? 'mutate' : undefined;
  if (!webhook) return undefined;
  const h = req.headers;
  const encoding = h['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
  // No Content-Length and no Transfer-Encoding: no body at all, which body-parser leaves undefined.
  if (h['content-length'] === undefined && h['transfer-encoding'] === undefined) return undefined;
  if (Number(h['content-length'] ?? 0) > maxBodyBytes) return undefined;
  const charset = /;\s*charset=("?)([^";]+)\1/i.exec(h['content-type'] ?? '')?.[2];
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') return undefined;
  return webhook;
}

/**
 * Takes a request `fastPathWebhook` accepts and answers it; returns false, having touched
 * nothing, for any other request.
 */
export function createReviewFastPath(d: FastPathDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const webhook = fastPathWebhook(req, d.maxBodyBytes);
    if (!webhook) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    let answered = false;
    const reply = (status: number, body: unknown) => {
      if (answered) return;
      answered = true;
      sendJson(res, status, body);
    };
    req.on('data', (c: Buffer) => {
      if (answered) return;
      size += c.length;
      // A chunked body past the limit is answered at once, as body-parser does; the rest is discarded.
      if (size > d.maxBodyBytes) reply(413, bodyStatus.tooLarge('request', d.maxBodyBytes));
      else chunks.push(c);
    });
    req.on('error', (err) => reply(400, bodyStatus.unreadable(err)));
    req.on('end', () => {
      if (answered) return;
      // A review usually arrives in one chunk: parsed where it lies, not copied.
      const body = parseBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      chunks.length = 0;
      if ('fail' in body) {
        reply(400, body.fail);
        return;
      }
      d.answer(webhook, body.value)
        .then((a) => reply(a.status, a.body))
        .catch((err: unknown) => {
          d.logger.error({ err }, 'request failed');
          reply(500, bodyStatus.internalError('webhook'));
        });
    });
    return true;
  };
}

/** A raw body as body-parser's json parser reads it (strict: false; a UTF-8 BOM dropped; empty is {}). */
function parseBody(raw: Buffer): { value: unknown } | { fail: Status } {
  if (tooManyContainers(raw)) return { fail: bodyStatus.tooComplex() };
  if (raw.length === 0) return { value: {} };
  const text = raw.toString('utf8');
  try {
    return { value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch {
    return { fail: bodyStatus.notJson() };
  }
}
