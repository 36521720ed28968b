/**
 * The sender's handoff endpoint, on a port of its own (`--peer-listen`, reached by the other
 * replica through the StatefulSet's headless Service): `POST /handoff` with a handed event
 * (sender-gate.ts) answers 202 adopted, 200 already held, 400 not a handed event, 413 too large,
 * 503 not the sender or the journal cannot take it (the other replica retries). `POST /handover`
 * with the other replica's open threads and status table (sender-handover.ts) answers 200 taken
 * (journaled durably), 400, 413, 503 not the sender or the journal cannot take it. `GET /deliveries` answers this replica's own status table
 * (deliveries-answer.ts). Any other request: 404. With `--peer-token-file`, every request must
 * first carry the relay's own ServiceAccount token (peer-auth.ts): else 401, 403, or 503 when it
 * cannot be reviewed. Nothing of an event or a token is logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import { failureStatus } from '../kube/status.ts';
import { EventTooLargeError, JournalFullError } from './accept-refusal.ts';
import type { AlertDeliveryState } from './delivery-status.ts';
import type { AdoptOutcome } from './sender-adopt.ts';
import type { HandedEvent } from './sender-gate.ts';
import { decodeHandedEvent } from './sender-gate.ts';
import type { PeerVerdict } from './peer-auth.ts';
import type { Handover } from './sender-handover.ts';
import { decodeHandover } from './sender-handover.ts';

/** A handed event's body is at most this large (an accept record is at most 4 MiB). */
export const MAX_HANDOFF_BYTES = 8 * 1024 * 1024;

/** What the peer endpoint answers with. */
export interface PeerHandlers {
  adopt: (h: HandedEvent) => Promise<AdoptOutcome>;
  /** Takes the other replica's threads and status (sender-handover.ts `takeOver`). */
  takeOver?: (h: Handover) => Promise<'taken' | 'not-sender'>;
  /** This replica's own status table. */
  deliveries?: () => readonly AlertDeliveryState[];
  /** The clock handed times are bounded by (default Date.now). */
  now?: () => number;
  /** With `--peer-token-file`: who may call (peer-auth.ts); 401, 403 or 503 before anything is read. */
  auth?: (authorization: string | undefined) => Promise<PeerVerdict>;
  logger: Logger;
}

/** The endpoint's request listener. */
export function createHandoffHandler(d: PeerHandlers): (req: IncomingMessage, res: ServerResponse) => void {
  const route = routePeer(d);
  if (!d.auth) return route;
  const auth = d.auth;
  return (req, res) =>
    void auth(req.headers.authorization)
      .catch((err: unknown): PeerVerdict => {
        d.logger.error({ err }, 'cannot check a peer request; answering 503');
        return { ok: false, status: 503, message: 'cannot review the token now; retry' };
      })
      .then((v) => {
        if (v.ok) return route(req, res);
        req.resume();
        const reason = v.status === 401 ? 'Unauthorized' : v.status === 403 ? 'Forbidden' : 'ServiceUnavailable';
        answer(res, v.status, failureStatus(v.status, reason, v.message));
      });
}

function routePeer(d: PeerHandlers): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method === 'GET' && req.url === '/deliveries' && d.deliveries) {
      req.resume();
      answer(res, 200, { items: d.deliveries() });
      return;
    }
    const handover = req.url === '/handover' && d.takeOver;
    if (req.method !== 'POST' || (req.url !== '/handoff' && !handover)) {
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
      const answered = handover ? takeOverBody(handover, d, body) : adoptBody(d, body);
      void answered.then((a) => answer(res, a.status, a.body));
    });
  };
}

/** A handover's answer: 200 only once the sender's journal holds it. */
async function takeOverBody(
  takeOver: NonNullable<PeerHandlers['takeOver']>,
  d: Pick<PeerHandlers, 'logger' | 'now'>,
  raw: Buffer,
): Promise<{ status: number; body: object }> {
  const h = parseJson(raw);
  const handover = h === undefined ? 'body is not JSON' : decodeHandover(h.value, (d.now ?? Date.now)());
  if (typeof handover === 'string')
    return { status: 400, body: failureStatus(400, 'BadRequest', `invalid handover: ${handover}`) };
  try {
    if ((await takeOver(handover)) === 'not-sender')
      return { status: 503, body: failureStatus(503, 'ServiceUnavailable', 'this replica is not the sender; retry') };
  } catch (err) {
    d.logger.error({ err }, 'cannot journal a handover; answering 503');
    return {
      status: 503,
      body: failureStatus(503, 'ServiceUnavailable', 'the sender cannot store the handover now; retry'),
    };
  }
  return { status: 200, body: { status: 'taken' } };
}

function parseJson(raw: Buffer): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return undefined;
  }
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
