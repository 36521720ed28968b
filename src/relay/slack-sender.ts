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
import { Agent, request } from 'undici';
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

/** Sends Slack messages over a shared keep-alive connection pool. */
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
  /** Trusted CAs added (tests' local Slack over TLS). */
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
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections, connect: o.ca ? { ca: o.ca } : {} });
  const slots = createOriginSlots(connections);
  const timeoutSignal = o.timeoutSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  const waitSignal = o.waitSignal ?? ((ms: number) => AbortSignal.timeout(ms));
  return {
    async send(to, payload, timeoutMs) {
      const origin = URL.canParse(to.address) ? new URL(to.address).origin : '';
      if (!(await slots.take(origin, () => waitSignal(timeoutMs))))
        return { kind: 'retry', reason: `no connection free within ${timeoutMs} ms (all ${connections} in use)` };
      try {
        return await post(dispatcher, to, payload, timeoutSignal(timeoutMs), timeoutMs);
      } finally {
        slots.give(origin);
      }
    },
    close: () => dispatcher.close(),
  };
}

/** One POST on `dispatcher`, classified. */
async function post(
  dispatcher: Agent,
  to: SlackDestination,
  payload: SlackPayload | SlackBlocksPayload,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<SendResult> {
  let status: number;
  let retryAfter: string | null;
  let body: string;
  try {
    // undici's request, not fetch: the same pool at a fraction of the CPU per message.
    const response = await request(to.address, {
      method: 'POST',
      dispatcher,
      signal,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(to.token ? { authorization: `Bearer ${to.token}` } : {}),
      },
      body: JSON.stringify(payload),
    });
    status = response.statusCode;
    const header = response.headers['retry-after'];
    retryAfter = (Array.isArray(header) ? header[0] : header) ?? null;
    body = (await response.body.text().catch(() => '')).slice(0, 400);
  } catch (err) {
    const name = (err as Error).name;
    return {
      kind: 'retry',
      reason:
        name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : `connection failed (${(err as { code?: string }).code ?? (err as { cause?: { code?: string } }).cause?.code ?? name})`,
    };
  }
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
