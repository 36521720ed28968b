/**
 * The Block Kit message for a digest (digest.ts): a header (`🔴 1,234 events for #ops in 4m`), a
 * summary (errors, infos, the span as Slack dates), one section per group, errors first and then
 * by count (reason, kind and namespace, count, first and last time, its examples with their
 * messages), and a context line "and N more events in groups not shown" for what does not fit.
 * Slack's limits are kept by the relay's own helpers (slack-blocks.ts `fitCounted`, `BLOCK_LIMITS`):
 * 50 blocks, 150 characters of header, 3,000 per section, 40,000 of `text`; every piece of event
 * text is escaped (`&`, `<`, `>`), so no event can mention @channel or forge a link. The
 * destination is named by its label (the Provider's channel, else its `namespace/name`), never
 * by its address, which holds the webhook's secret.
 */
import type { DigestAcc, DigestExample, DigestGroup } from './digest.ts';
import { examplesOf, orderedGroups } from './digest.ts';
import type { Block, SlackBlocksPayload } from './slack-blocks.ts';
import { BLOCK_LIMITS, fitCounted, slackDate } from './slack-blocks.ts';
import { formatDuration } from './slack-episodes.ts';
import { slackEscape } from './slack-message.ts';
import { thousands } from './plain-text.ts';

/** How the digest is addressed. */
export interface DigestLook {
  /** The destination as people know it: the Provider's channel, else its `namespace/name`. Never its address. */
  readonly label: string;
  readonly channel?: string | undefined;
  readonly username?: string | undefined;
}

/** The username when the Provider sets none (a digest has events of many controllers). */
export const DIGEST_USERNAME = 'Flux';

/** `1 error`, `1,234 events`. */
export function counted(n: number, noun: string): string {
  return `${thousands(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** The headline: `1,234 events for #ops in 4m` (raw, not escaped). */
export function digestHeadline(acc: DigestAcc, label: string): string {
  return `${counted(acc.count, 'event')} for ${label} in ${formatDuration(acc.last - acc.first)}`;
}

/** A group's name: `HealthCheckFailed · Kustomization in apps` (raw). */
export function groupName(g: DigestGroup): string {
  return `${g.reason || '(no reason)'} · ${g.kind}${g.namespace ? ` in ${g.namespace}` : ''}`;
}

/** The groups that fit in `room` and the events of those that do not (with the overflow). */
export function shownGroups(acc: DigestAcc, room: number): { shown: DigestGroup[]; hidden: number } {
  const all = orderedGroups(acc);
  const shown = all.slice(0, room);
  const hidden = acc.count - shown.reduce((n, g) => n + g.count, 0);
  return { shown, hidden };
}

/** The payload of a digest. */
export function digestBlocksPayload(acc: DigestAcc, look: DigestLook): SlackBlocksPayload {
  const icon = acc.errors > 0 ? '🔴' : '🟢';
  const headline = digestHeadline(acc, look.label);
  const summary =
    `*${counted(acc.errors, 'error')}* and *${counted(acc.count - acc.errors, 'info')}*` +
    ` from ${slackDate(acc.first)} to ${slackDate(acc.last)}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: fitCounted(`${icon} ${headline}`, BLOCK_LIMITS.header) } },
    { type: 'section', text: { type: 'mrkdwn', text: summary } },
  ];
  const { shown, hidden } = shownGroups(acc, BLOCK_LIMITS.blocks - blocks.length - 1);
  for (const g of shown) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: groupSection(acc, g) } });
  if (hidden > 0)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `and ${counted(hidden, 'more event')} in groups not shown` }],
    });
  const lines = shown.map((g) => `${thousands(g.count)} × ${groupName(g)}`);
  if (hidden > 0) lines.push(`and ${counted(hidden, 'more event')} in groups not shown`);
  return {
    ...(look.channel ? { channel: look.channel } : {}),
    username: fitCounted(look.username || DIGEST_USERNAME, BLOCK_LIMITS.username),
    text: fitCounted(
      `${headline}: ${counted(acc.errors, 'error')}, ${counted(acc.count - acc.errors, 'info')}\n${lines.join('\n')}`,
      BLOCK_LIMITS.text,
    ),
    blocks,
  };
}

/** A group's section: its name, count and times, its examples and how many more, within the section limit. */
function groupSection(acc: DigestAcc, g: DigestGroup): string {
  const icon = g.severity === 'error' ? '🔴' : '🟢';
  const when = g.first === g.last ? slackDate(g.first) : `${slackDate(g.first)} to ${slackDate(g.last)}`;
  const head = `${icon} *${fitCounted(groupName(g), 1200)}* · ${counted(g.count, 'event')} · ${when}`;
  const examples = examplesOf(acc, g);
  const more = g.count > examples.length ? [`and ${thousands(g.count - examples.length)} more`] : [];
  if (examples.length === 0) return head;
  const room = Math.floor((BLOCK_LIMITS.section - head.length - 40) / examples.length) - 1;
  return [head, ...examples.map((x) => exampleLine(x, room)), ...more].join('\n');
}

/** `• *podinfo*: <message>` in at most `room` characters; the count of a cut counts what the digest cut too. */
function exampleLine(x: DigestExample, room: number): string {
  const name = `• *${fitCounted(x.name, Math.min(200, Math.floor(room / 3)))}*: `;
  const left = room - name.length;
  if (x.cut === 0) return name + fitCounted(x.message, left);
  const tail = `... (${x.cut} more characters)`;
  const whole = slackEscape(x.message);
  if (whole.length + tail.length <= left) return name + whole + tail;
  // fitCounted counts only what it cuts of the kept text: add what the digest cut. The sum has
  // at most as many digits as both counts together, hence the room left for x.cut's digits.
  const fitted = fitCounted(x.message, left - String(x.cut).length);
  return name + fitted.replace(/(\d+) more characters\)$/, (_, n: string) => `${Number(n) + x.cut} more characters)`);
}
