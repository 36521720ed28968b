/**
 * The class of a failed delivery attempt, for notify_guard_relay_delivery_errors_total{error}: a
 * bounded set of words, never free text or an address. Slack's own error strings are kept when
 * they are among those its incoming webhooks and chat.postMessage document and slack-sender.ts
 * reads (`channel_not_found`, `invalid_token`, ...); HTTP 5xx and the API's server errors are
 * `5xx`; no answer within the send timeout (or `request_timeout`), or no connection free within it, is `timeout`; a connection that
 * failed is `connection`; 429 or `ratelimited` is `rate_limited`; anything else (a Provider or
 * Secret the relay could not read, an error Slack does not document) is `other`.
 */
import type { DeliveryResult } from './slack-delivery.ts';

/** Slack's documented error strings kept as their own class. */
const SLACK_ERRORS = [
  'invalid_token',
  'invalid_auth',
  'token_revoked',
  'account_inactive',
  'channel_not_found',
  'channel_is_archived',
  'not_in_channel',
  'no_service',
  'action_prohibited',
  'invalid_payload',
] as const;

/** Every class, in the order docs/metrics.md lists them. */
export const SLACK_ERROR_CLASSES = ['rate_limited', '5xx', 'timeout', 'connection', ...SLACK_ERRORS, 'other'] as const;

/** One class of failed attempt. */
export type SlackErrorClass = (typeof SLACK_ERROR_CLASSES)[number];

const SERVER_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable']);
const KEPT = new Set<string>(SLACK_ERRORS);

/** The class of an attempt's result; undefined for a success (sent or skipped). */
export function slackErrorClass(r: DeliveryResult): SlackErrorClass | undefined {
  if (r.kind === 'ok' || r.kind === 'skipped') return undefined;
  if (r.kind === 'rate-limited') return 'rate_limited';
  const reason = r.reason;
  if (/^HTTP 5\d\d\b/.test(reason) || SERVER_ERRORS.has(reason)) return '5xx';
  if (reason === 'ratelimited') return 'rate_limited';
  if (reason === 'request_timeout' || reason.startsWith('no answer within ')) return 'timeout';
  // Every connection to Slack stayed busy for a whole send timeout (slack-sender.ts): Slack is slow.
  if (reason.startsWith('no connection free within ')) return 'timeout';
  if (reason.startsWith('connection failed')) return 'connection';
  // A webhook's `HTTP 404 channel_not_found`, or the API's bare `channel_not_found`.
  const word = /^(?:HTTP 4\d\d )?([a-z_]+)$/.exec(reason)?.[1];
  return word && KEPT.has(word) ? (word as SlackErrorClass) : 'other';
}
