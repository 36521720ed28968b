/**
 * The Slack message for a Flux event: the same information as notification-controller's Slack
 * message (colour by severity, `kind/name.namespace` as author, the message, metadata as fields),
 * plus a plain `text` fallback for notifications and clients without attachments. Every piece of
 * event text, and the username (the Provider's, or the reporting controller's), is escaped as Slack documents (`&`, `<`, `>`), so an event cannot mention @channel or
 * forge a link, and is truncated to the limits below instead of being rejected.
 */
import type { FluxEvent } from './flux-event.ts';
import { compareText } from './plain-text.ts';

/** Limits applied (characters, after escaping). */
/** `username`: Slack caps a display name at 80 characters. */
export const SLACK_LIMITS = {
  text: 3000,
  fallback: 500,
  fieldTitle: 150,
  fieldValue: 2000,
  fields: 20,
  username: 80,
} as const;

export interface SlackField {
  readonly title: string;
  readonly value: string;
  readonly short: boolean;
}
export interface SlackAttachment {
  readonly color: 'good' | 'danger';
  readonly author_name: string;
  readonly text: string;
  readonly mrkdwn_in: readonly ['text'];
  readonly fields: readonly SlackField[];
}
export interface SlackPayload {
  readonly channel?: string;
  readonly username: string;
  readonly text: string;
  readonly attachments: readonly SlackAttachment[];
}

/** Escapes the three characters Slack treats as control sequences. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes `raw` and cuts it to `limit` characters (ending in …), never inside an entity or a code point. */
export function fitEscaped(raw: string, limit: number): string {
  const full = slackEscape(raw);
  if (full.length <= limit) return full;
  let out = '';
  for (const ch of raw) {
    const piece = slackEscape(ch);
    if (out.length + piece.length > limit - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** The payload for one event to one Provider. */
export function slackPayload(
  e: FluxEvent,
  metadata: Readonly<Record<string, string>>,
  provider: { channel?: string | undefined; username?: string | undefined },
): SlackPayload {
  const o = e.involvedObject;
  const author = fitEscaped(`${o.kind.toLowerCase()}/${o.name}.${o.namespace}`, SLACK_LIMITS.fieldTitle);
  const entries = Object.entries(metadata).sort(([a], [b]) => compareText(a, b));
  const fields: SlackField[] = entries.slice(0, SLACK_LIMITS.fields).map(([k, v]) => ({
    title: fitEscaped(k, SLACK_LIMITS.fieldTitle),
    value: fitEscaped(v, SLACK_LIMITS.fieldValue),
    short: false,
  }));
  if (entries.length > SLACK_LIMITS.fields)
    fields[fields.length - 1] = {
      title: 'more',
      value: `${entries.length - SLACK_LIMITS.fields + 1} more metadata entries not shown`,
      short: false,
    };
  return {
    ...(provider.channel ? { channel: provider.channel } : {}),
    username: fitEscaped(provider.username || e.reportingController, SLACK_LIMITS.username),
    text: fitEscaped(
      `${e.severity === 'error' ? 'Error' : 'Info'}: ${o.kind.toLowerCase()}/${o.name}.${o.namespace}: ${e.message}`,
      SLACK_LIMITS.fallback,
    ),
    attachments: [
      {
        color: e.severity === 'error' ? 'danger' : 'good',
        author_name: author,
        text: fitEscaped(e.message, SLACK_LIMITS.text),
        mrkdwn_in: ['text'],
        fields,
      },
    ],
  };
}
