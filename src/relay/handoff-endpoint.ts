/**
 * The sender's handoff endpoint, on a port of its own (`--peer-listen`, reached by the other
 * replica through the StatefulSet's headless Service): `POST /handoff` with a handed event
 * (sender-gate.ts) answers 202 adopted, 200 already held, 400 not a handed event, 413 too large,
 * 503 not the sender or the journal cannot take it (the other replica retries), and 404 for any
 * other request. Nothing of the event is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import { failureStatus } from '../kube/status.ts';
import { EventTooLargeError, JournalFullError } from './accept-refusal.ts';
import type { AdoptOutcome } from './sender-adopt.ts';
import type { HandedEvent } from './sender-gate.ts';
import { decodeHandedEvent } from './sender-gate.ts';

/** A handed event's body is at most this large (an accept record is at most 4 MiB). */
export const MAX_HANDOFF_BYTES = 8 * 1024 * 1024;

/** The endpoint's request listener. */
export function createHandoffHandler(d: {
  adopt: (h: HandedEvent) => Promise<AdoptOutcome>;
  logger: Logger;
}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/handoff') {
      req.resume();
      answer(res, 404, failureStatus(404, 'NotFound', `no endpoint ${req.method ?? ''} ${req.url ?? ''}`));
      return;
    }
    readBody(req, (body) => {
      if (body === undefined) {
        answer(
          res,
          413,
          failureStatus(413, 'RequestEntityTooLarge', `a handoff is at most ${MAX_HANDOFF_BYTES} bytes`),
        );
        return;
      }
      void adoptBody(d, body).then((a) => answer(res, a.status, a.body));
    });
  };
}

async function adoptBody(
  d: { adopt: (h: HandedEvent) => Promise<AdoptOutcome>; logger: Logger },
  raw: Buffer,
): Promise<{ status: number; body: object }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return { status: 400, body: failureStatus(400, 'BadRequest', 'invalid handoff: body is not JSON') };
  }
  const handed = decodeHandedEvent(parsed);
  if (typeof handed === 'string')
    return { status: 400, body: failureStatus(400, 'BadRequest', `invalid handoff: ${handed}`) };
  try {
    const outcome = await d.adopt(handed);
    if (outcome === 'not-sender')
      return { status: 503, body: failureStatus(503, 'ServiceUnavailable', 'this replica is not the sender; retry') };
    return { status: outcome === 'adopted' ? 202 : 200, body: { status: outcome } };
  } catch (err) {
    if (err instanceof EventTooLargeError)
      return { status: 413, body: failureStatus(413, 'RequestEntityTooLarge', err.message) };
    if (!(err instanceof JournalFullError)) d.logger.error({ err }, 'cannot journal a handed event; answering 503');
    return {
      status: 503,
      body: failureStatus(503, 'ServiceUnavailable', 'the sender cannot store events right now; retry'),
    };
  }
}

/** Reads the body; undefined once it passes MAX_HANDOFF_BYTES (the rest is read and dropped). */
function readBody(req: IncomingMessage, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_HANDOFF_BYTES) chunks.push(c);
  });
  req.on('error', () => undefined);
  req.on('end', () => done(size > MAX_HANDOFF_BYTES ? undefined : Buffer.concat(chunks)));
}

function answer(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
