/**
 * HTTP clients of the relay's durable queues, both retried by the delivery scheduler:
 * - forwarding to notification-controller (`--forward-to`): every accepted event is POSTed, as
 *   received, to notification-controller's event API, so every provider type the relay does not
 *   deliver keeps working. notification-controller answers 202, or 429 for a duplicate it already
 *   has (done either way); 5xx and network errors are retried; other 4xx are permanent.
 * - handing an event to the sender replica (`--sender-lease`, sender-handoff.ts): the event, its
 *   journal id and its undelivered Slack deliveries are POSTed to the sender's handoff endpoint
 *   (handoff-endpoint.ts), which answers 202 adopted or 200 already held (done either way), 503
 *   when it is not the sender or cannot journal (retried), 4xx for a body it cannot take.
 */
import { Agent, request } from 'undici';
import type { FluxEvent } from './flux-event.ts';
import type { SendResult } from './slack-sender.ts';

/** Posts one event to notification-controller. */
export interface Forwarder {
  forward(e: FluxEvent): Promise<SendResult>;
  close(): Promise<void>;
}

export function createForwarder(url: string, timeoutMs = 15_000): Forwarder {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  return {
    forward: (e) => postJson(dispatcher, url, e, timeoutMs, (status) => status === 429),
    close: () => dispatcher.close(),
  };
}

/** Posts events to whichever replica is the sender (its URL is read at each attempt). */
export interface HandoffClient {
  /** `timeoutMs`: this call's own bound (a drain's time left), never longer than the client's. */
  handOff(url: string, body: object, timeoutMs?: number): Promise<SendResult>;
  /** Waits for the requests under way; with `abort`, ends them at once (they answer a retry). */
  close(abort?: boolean): Promise<void>;
}

/** `headers`: read at each request (the peer token, peer-auth.ts). */
export function createHandoffClient(timeoutMs = 15_000, headers?: () => Record<string, string>): HandoffClient {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
  return {
    handOff: (url, body, ms) =>
      postJson(dispatcher, url, body, Math.min(timeoutMs, ms ?? timeoutMs), () => false, headers?.()),
    close: (abort) => (abort ? dispatcher.destroy() : dispatcher.close()),
  };
}

/** POSTs `body` as JSON: 2xx (and statuses `done` accepts) ok, 5xx and network errors retried, other 4xx permanent. */
async function postJson(
  dispatcher: Agent,
  url: string,
  body: unknown,
  timeoutMs: number,
  done: (status: number) => boolean,
  headers: Record<string, string> = {},
): Promise<SendResult> {
  try {
    const r = await request(url, {
      method: 'POST',
      dispatcher,
      signal: AbortSignal.timeout(timeoutMs),
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await r.body.dump();
    if ((r.statusCode >= 200 && r.statusCode < 300) || done(r.statusCode)) return { kind: 'ok' };
    if (r.statusCode >= 500) return { kind: 'retry', reason: `HTTP ${r.statusCode}` };
    return { kind: 'permanent', reason: `HTTP ${r.statusCode}` };
  } catch (err) {
    return {
      kind: 'retry',
      reason: (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'connection failed',
    };
  }
}
