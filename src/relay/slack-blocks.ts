/**
 * The Block Kit message for a Flux event (the relay's default layout): a header with the severity,
 * the object (`Kind namespace/name`) and the reason; the message in a mrkdwn section; fields for
 * the revision, the Alert's summary and the other metadata; a context line with the reporting
 * controller and the event's time; and the top-level `text`, which Slack shows in notifications
 * and to clients that cannot draw blocks. Every piece of event text is escaped (`&`, `<`, `>`), so
 * an event cannot mention @channel or forge a link; the only link is the relay's own: the revision
 * to its commit on the forge, when the source's Git URL is known (commit-link.ts).
 * Slack's limits are kept by cutting, never by failing: a cut text ends in
 * "... (N more characters)", N counted in the event's own characters.
 */
import type { FluxEvent } from './flux-event.ts';
import { slackEscape } from './slack-message.ts';
import { compareText } from './plain-text.ts';

/** Slack's Block Kit limits (characters, after escaping). */
export const BLOCK_LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  field: 2000,
  fieldsPerSection: 10,
  context: 2000,
  text: 40_000,
  username: 80,
} as const;

/** A Block Kit text object. */
export interface TextObject {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
}
/** The blocks the relay sends. */
export type Block =
  | { readonly type: 'header'; readonly text: TextObject }
  | { readonly type: 'section'; readonly text: TextObject }
  | { readonly type: 'section'; readonly fields: readonly TextObject[] }
  | { readonly type: 'context'; readonly elements: readonly TextObject[] };
/** A chat.postMessage / incoming-webhook body with blocks. */
export interface SlackBlocksPayload {
  readonly channel?: string;
  /** A reply in this thread (slack-episodes.ts), shown in the channel too when `reply_broadcast`. */
  readonly thread_ts?: string;
  readonly reply_broadcast?: boolean;
  /** chat.update: the message replaced. */
  readonly ts?: string;
  readonly username: string;
  readonly text: string;
  readonly blocks: readonly Block[];
}

/** How the Provider wants it, and what the relay knows beyond the event. */
export interface BlocksLook {
  readonly channel?: string | undefined;
  readonly username?: string | undefined;
  /** The web page of the revision's commit (commit-link.ts): the revision field links to it. */
  readonly commitUrl?: string | undefined;
  /** The message as a template rendered it (slack-template.ts): mrkdwn, escaped and within the section limit. */
  readonly messageText?: string | undefined;
  /** The event ends a failure episode that lasted this long (`12m`): the header says it recovered. */
  readonly recoveredAfter?: string | undefined;
}

/**
 * Escapes `raw` and cuts it to `limit` characters, ending a cut text in "... (N more characters)"
 * where N counts the characters (code points) of `raw` left out; never cuts inside an entity or a
 * code point. Reads only as much of a long `raw` as fits (plus one pass to count the rest).
 */
export function fitCounted(raw: string, limit: number): string {
  if (raw.length <= limit) {
    const full = slackEscape(raw);
    if (full.length <= limit) return full;
  }
  const total = codePoints(raw);
  const room = limit - ` ... (${total} more characters)`.length;
  let out = '';
  let used = 0;
  for (const ch of raw) {
    const piece = ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch;
    if (out.length + piece.length > room) break;
    out += piece;
    used++;
  }
  return `${out}... (${total - used} more characters)`;
}

/** The number of code points in `s` (a surrogate pair counts once). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) n--;
  }
  return n;
}

/** The payload for one event to one Provider. */
export function slackBlocksPayload(
  e: FluxEvent,
  metadata: Readonly<Record<string, string>>,
  look: BlocksLook,
): SlackBlocksPayload {
  const o = e.involvedObject;
  const object = `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
  const severity = e.severity === 'error' ? 'Error' : 'Info';
  const headline = `${severity}: ${object}${e.reason ? ` ${e.reason}` : ''}`;
  const title = look.recoveredAfter
    ? `✅ Recovered after ${look.recoveredAfter}: ${object}${e.reason ? ` ${e.reason}` : ''}`
    : `${e.severity === 'error' ? '🔴' : '🟢'} ${headline}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: fitCounted(title, BLOCK_LIMITS.header) } },
  ];
  const message = look.messageText ?? (e.message !== '' ? fitCounted(e.message, BLOCK_LIMITS.section) : '');
  if (message !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: message } });
  const context = contextBlock(e);
  blocks.push(...fieldSections(metadata, look.commitUrl, BLOCK_LIMITS.blocks - blocks.length - 1));
  blocks.push(context);
  return {
    ...(look.channel ? { channel: look.channel } : {}),
    username: fitCounted(look.username || e.reportingController, BLOCK_LIMITS.username),
    text: fitCounted(`${headline}: ${e.message}`, BLOCK_LIMITS.text),
    blocks,
  };
}

/** chat.update of a thread's parent when its object recovered: the failure, marked resolved. */
export function resolvedParentPayload(
  e: FluxEvent,
  parent: { readonly ts: string; readonly channel: string; readonly since: number; readonly reason: string },
  after: string,
  now: number,
): SlackBlocksPayload {
  const o = e.involvedObject;
  const headline = `Resolved after ${after}: ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
  return {
    channel: parent.channel,
    ts: parent.ts,
    username: fitCounted(e.reportingController, BLOCK_LIMITS.username),
    text: fitCounted(`${headline} (was ${parent.reason})`, BLOCK_LIMITS.text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: fitCounted(`✅ ${headline}`, BLOCK_LIMITS.header) } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Failed with *${fitCounted(parent.reason, 1000)}* from ${slackDate(parent.since)}; recovered ${slackDate(now)} with ${fitCounted(e.reason, 1000)}. Details in the thread.`,
        },
      },
    ],
  };
}

/** Revision first, then summary, then the other metadata sorted; ten fields per section, within `maxSections`. */
function fieldSections(
  metadata: Readonly<Record<string, string>>,
  commitUrl: string | undefined,
  maxSections: number,
): Block[] {
  const rank = (k: string) => (k === 'revision' ? 0 : k === 'summary' ? 1 : 2);
  const entries = Object.entries(metadata).sort(([a], [b]) => rank(a) - rank(b) || compareText(a, b));
  const field = (k: string, v: string): TextObject => {
    const title = `*${fitCounted(k, 150)}*\n`;
    const room = BLOCK_LIMITS.field - title.length;
    const linked =
      k === 'revision' && commitUrl ? `<${commitUrl}|${fitCounted(v, room - commitUrl.length - 3)}>` : undefined;
    const value = linked ?? fitCounted(v, room);
    return { type: 'mrkdwn', text: `${title}${value}` };
  };
  const room = maxSections * BLOCK_LIMITS.fieldsPerSection;
  const fields = entries.slice(0, room).map(([k, v]) => field(k, v));
  if (entries.length > room)
    fields[room - 1] = { type: 'mrkdwn', text: `*more*\n${entries.length - room + 1} more metadata entries not shown` };
  const out: Block[] = [];
  for (let i = 0; i < fields.length; i += BLOCK_LIMITS.fieldsPerSection)
    out.push({ type: 'section', fields: fields.slice(i, i + BLOCK_LIMITS.fieldsPerSection) });
  return out;
}

/**
 * An event's time (epoch ms) when it is an RFC 3339 time, as Flux's events carry it (metav1.Time,
 * parsed with Go's time.RFC3339), at or after 1970 (Slack's date token takes epoch seconds); else
 * undefined. `Date.parse` alone reads far more: "50" would be the year 1950.
 */
export function eventTime(timestamp: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(timestamp)) return undefined;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) || at < 0 ? undefined : at;
}

/** The reporting controller, and the event's time in the reader's time zone (Slack's date formatting). */
function contextBlock(e: FluxEvent): Block {
  const at = eventTime(e.timestamp);
  const when = at === undefined ? '' : ` · ${slackDate(at)}`;
  return {
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `${fitCounted(e.reportingController, BLOCK_LIMITS.context - when.length)}${when}` },
    ],
  };
}

/** A time (epoch ms) in the reader's time zone (Slack's date formatting), the ISO time as fallback. */
export function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time_secs}|${new Date(ms).toISOString()}>`;
}
