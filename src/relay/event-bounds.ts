/**
 * What the journal keeps of an event. Slack shows at most 40,000 characters of a message
 * (chat.postMessage's `text`; longer text is truncated by Slack), so no text of an event is kept
 * longer than that: the message and each metadata value are cut there, and what is cut is said in
 * the text itself. This bounds an accept record by the event's number of fields, not by the size
 * of one value (a 2.2 MB metadata value would otherwise make a record over the journal's 4 MiB
 * record limit, answered 503 on every retry).
 */
import type { FluxEvent } from './flux-event.ts';

/** The most characters of one text Slack shows. */
export const SLACK_SHOWN_CHARS = 40_000;

/** `text` cut to `max` characters (never inside a surrogate pair), saying how much was cut. */
export function cutText(text: string, max = SLACK_SHOWN_CHARS): { text: string; cut: number } {
  if (text.length <= max) return { text, cut: 0 };
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  const cut = text.length - end;
  return { text: `${text.slice(0, end)}… [${cut} characters cut by notify-guard: Slack shows at most ${max}]`, cut };
}

/** The event as the journal keeps it, and how many characters were cut (0: the event itself). */
export function boundEvent(e: FluxEvent): { event: FluxEvent; cut: number } {
  const message = cutText(e.message);
  let cut = message.cut;
  let metadata = e.metadata;
  if (metadata && Object.values(metadata).some((v) => v.length > SLACK_SHOWN_CHARS)) {
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(metadata)) {
      const c = cutText(v);
      kept[k] = c.text;
      cut += c.cut;
    }
    metadata = kept;
  }
  if (cut === 0) return { event: e, cut: 0 };
  return { event: { ...e, message: message.text, ...(metadata ? { metadata } : {}) }, cut };
}
