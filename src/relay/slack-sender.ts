/**
 * One HTTP POST of a Slack message, classified as Slack documents its answers:
 * - incoming webhooks: 200 `ok`; 429 with Retry-After; 400 invalid_payload, 403
 *   action_prohibited/invalid_token, 404 channel_not_found/no_service, 410 channel_is_archived are
 *   permanent; 5xx and network errors are worth retrying;
 * - chat.postMessage (a bot token): HTTP 200 with `{ok: false, error}`; `ratelimited`,
 *   `internal_error`, `fatal_error`, `service_unavailable` and `request_timeout` are worth
 *   retrying, every other error is permanent.
 * Errors never contain the destination URL or the token: a Slack webhook URL is a credential.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createOriginSlots } from './origin-slots.ts';
import type { SlackBlocksPayload } from './slack-blocks.ts';
import type { SlackPayload } from './slack-message.ts';

/** Where a message goes: the address (secret) and an optional bot token (secret). */
export interface SlackDestination {
  readonly address: string;
  readonly token?: string;
}

/** The outcome of one attempt. */
export type SendResult =
  | { readonly kind: 'ok'; readonly posted?: { readonly ts: string; readonly channel: string } }
  | { readonly kind: 'rate-limited'; readonly retryAfterMs: number }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'permanent'; readonly reason: string };

const RETRYABLE_API_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** Sends Slack messages over shared keep-alive connection pools. */
export interface SlackSender {
  send(to: SlackDestination, payload: SlackPayload | SlackBlocksPayload, timeoutMs: number): Promise<SendResult>;
  close(): Promise<void>;
}

/** Parses Retry-After (seconds, or an HTTP date) into milliseconds; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number {
  if (!header) return 1000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? 1000 : Math.max(0, at - nowMs);
}

/**
 * Connections kept to one origin (every incoming webhook is on hooks.slack.com): more POSTs at once
 * wait for one. Without a bound, a storm over 500 destinations opened one TLS connection each, about
 * 110 KiB of the relay's memory apiece (53 MB for 500, measured; 17 MB with this bound). At Slack's
 * pace of one message a second per webhook, 128 connections carry 500 webhooks while a POST takes
 * up to 250 ms.
 */
export const MAX_CONNECTIONS_PER_ORIGIN = 128;

/** What the sender is made with. */
export interface SlackSenderOptions {
  /** The CAs trusted, in place of Node's default roots (tests' local Slack over TLS). */
  readonly ca?: string;
  /** Connections per origin (MAX_CONNECTIONS_PER_ORIGIN). */
  readonly connections?: number;
  /** The signal that ends a POST after `ms` (default AbortSignal.timeout; tests see when it starts). */
  readonly timeoutSignal?: (ms: number) => AbortSignal;
  /** The signal that ends the wait for a connection after `ms` (default AbortSignal.timeout; tests end it). */
  readonly waitSignal?: (ms: number) => AbortSignal;
}

/**
 * Creates the sender. A send waits for one of its origin's connections (origin-slots.ts) at most
 * `timeoutMs`, then POSTs with a timeout of its own, `timeoutMs` again, started once it has the
 * connection: a send ends within twice its timeout. The two are apart on purpose: a wait that runs
 * out has sent nothing, so its retry cannot repeat a message, while a POST cut short may have
 * reached Slack; a POST given only what a long wait left of one timeout would be cut short, and
 * repeated, when Slack is merely slow. A wait that runs out is a retry
 * (`no connection free within N ms`), and the taker leaves the queue without a slot.
 */
export function createSlackSender(o: SlackSenderOptions = {}): SlackSender {
  const connections = o.connections ?? MAX_CONNECTIONS_PER_ORIGIN;
  const agents = createAgents(connections, o.ca);
  const slots = createOriginSlots(connections);
  const timeoutSignal = o.timeoutSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  const waitSignal = o.waitSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  /** Aborted by `close`: ends every wait for a connection (a retry that sent nothing). */
  const closing = new AbortController();
  /** The POSTs under way: `close` lets these, and only these, finish. */
  const posting = new Set<Promise<SendResult>>();
  const send = async (to: SlackDestination, payload: SlackPayload | SlackBlocksPayload, timeoutMs: number) => {
    if (closing.signal.aborted) return CLOSING;
    const origin = URL.canParse(to.address) ? new URL(to.address).origin : '';
    if (!(await slots.take(origin, () => AbortSignal.any([waitSignal(timeoutMs), closing.signal]))))
      return closing.signal.aborted
        ? CLOSING
        : ({ kind: 'retry', reason: `no connection free within ${timeoutMs} ms (all ${connections} in use)` } as const);
    // A slot given back before close began, to a waiter whose code had not resumed yet.
    if (closing.signal.aborted) {
      slots.give(origin);
      return CLOSING;
    }
    const sent = post(agents, to, payload, timeoutSignal(timeoutMs), timeoutMs);
    posting.add(sent);
    try {
      return await sent;
    } finally {
      posting.delete(sent);
      slots.give(origin);
    }
  };
  return {
    send,
    // Nothing new is posted once close begins (sends waiting for a connection, or made later, are
    // retries that sent nothing), the POSTs under way are let finish (one cut off may have reached
    // Slack, and the next start would send its message again; the delivery thread bounds this wait
    // at its stop grace, 2 s), then the connections close.
    async close() {
      closing.abort();
      await Promise.allSettled(posting);
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** The answer to a send once the sender is closing: nothing was sent, so its retry repeats nothing. */
const CLOSING: SendResult = { kind: 'retry', reason: 'the Slack sender is closing' };

/** The keep-alive pools, one per scheme (a pool keeps `connections` per origin). */
interface Agents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/**
 * Node's own HTTP client, not undici's: the delivery thread is an isolate of its own, and loading
 * undici there took 5 MB more of its heap (6 MB allocated) than node:http, measured in a bare worker
 * with the relay's flags; the client is the same keep-alive pool. An idle connection is closed after
 * 30 s, or sooner when the server's Keep-Alive header says so (Node's agent reads its hint).
 */
function createAgents(connections: number, ca: string | undefined): Agents {
  const options = { keepAlive: true, maxSockets: connections, timeout: 30_000 };
  return { http: new HttpAgent(options), https: new HttpsAgent({ ...options, ...(ca ? { ca } : {}) }) };
}

/** What came back: the status, the Retry-After header and the first 400 characters of the body. */
interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: string;
}

/** POSTs `body` to `address` and reads the whole answer (so the connection can be used again). */
function exchange(agents: Agents, address: string, headers: Record<string, string>, body: string, signal: AbortSignal) {
  return new Promise<Answer>((resolve, reject) => {
    const url = new URL(address);
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: https ? agents.https : agents.http,
        signal,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 400) text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: header(res.headers), body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function header(headers: IncomingHttpHeaders): string | null {
  const h = headers['retry-after'];
  return (Array.isArray(h) ? h[0] : h) ?? null;
}

/** One POST through `agents`, classified. */
async function post(
  agents: Agents,
  to: SlackDestination,
  payload: SlackPayload | SlackBlocksPayload,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<SendResult> {
  let answer: Answer;
  try {
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      ...(to.token ? { authorization: `Bearer ${to.token}` } : {}),
    };
    answer = await exchange(agents, to.address, headers, JSON.stringify(payload), signal);
  } catch (err) {
    if (signal.aborted) return { kind: 'retry', reason: `no answer within ${timeoutMs} ms` };
    const e = err as { code?: string; name: string; cause?: { code?: string } };
    return { kind: 'retry', reason: `connection failed (${e.code ?? e.cause?.code ?? e.name})` };
  }
  return classify(answer.status, answer.retryAfter, answer.body.slice(0, 400));
}

/** Slack's answer as a result (the module comment: as Slack documents it). */
function classify(status: number, retryAfter: string | null, body: string): SendResult {
  if (status === 429) return { kind: 'rate-limited', retryAfterMs: retryAfterMs(retryAfter, Date.now()) };
  if (status >= 500) return { kind: 'retry', reason: `HTTP ${status}` };
  if (status !== 200) return { kind: 'permanent', reason: `HTTP ${status} ${slackError(body)}`.trim() };
  if (body.trimStart().startsWith('{')) {
    let parsed: { ok?: boolean; error?: string; ts?: unknown; channel?: unknown } = {};
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      /* a webhook answering 200 with JSON we cannot read is still a 200 */
    }
    if (parsed.ok === false) {
      const error = parsed.error ?? 'unknown_error';
      return RETRYABLE_API_ERRORS.has(error) ? { kind: 'retry', reason: error } : { kind: 'permanent', reason: error };
    }
    // chat.postMessage names the message it posted: the parent of a thread (slack-episodes.ts).
    if (parsed.ok === true && typeof parsed.ts === 'string' && typeof parsed.channel === 'string')
      return { kind: 'ok', posted: { ts: parsed.ts, channel: parsed.channel } };
  }
  return { kind: 'ok' };
}

/** The error word of a Slack error body (`channel_not_found`), never anything longer. */
function slackError(body: string): string {
  const word = /^[a-z_]{1,64}$/.exec(body.trim())?.[0];
  if (word) return word;
  try {
    const e = (JSON.parse(body) as { error?: string }).error;
    return typeof e === 'string' && /^[a-z_]{1,64}$/.test(e) ? e : '';
  } catch {
    return '';
  }
}
